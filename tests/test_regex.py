"""lstm/analysis/regex.py: the same matches as re, in bounded time, and clear refusals."""

import random
import re
import time

import pytest

from lstm.analysis import regex
from lstm.analysis.regex import RegexError, compile_pattern, finditer_spans, match_spans

PATTERNS = [
    r"a", r"a*", r"x*", r"|a", r"a|", r"(a|b)*c", r"a.*b|a", r"\bfoo\b", r"^a", r"a$",
    r"(?m)^\w+$", r"[^aeiou ]+", r"(?i)hello", r"a{2,3}", r"a{2,3}?", r"a+?b", r"\d+", r"\s",
    r"(ab|a)(bc|c)?", r".", r"(?s).", r"\W+", r"“[^”]*”", r"\([^)]*\)", r"a??", r"(a|ab)(c|bcd)",
    r"[a-c]{0,2}x", r"\Ba", r"\Z", r"\A.", r"(?i)[A-C]+", r"e\b", r"(?x) a  b # comment",
    r"a{0}", r"(?:ab)+?", r"[\d\s]+", r"$", r"^", r"(?m)$", r"(?m)^", r"(?a)\w+", r"(?i:A)a",
]
TEXTS = ["", "a", "aa", "abc", "baa", "abxd", "foo food foo", "aaab\nab\n", "Hello HELLO hello",
         "ab ab abc abcd", "“quoted” and (paren) x", "a1 22 333\tb", "xaxx\n", "Aaé_ß 12٣"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_spans_equal_re_finditer(pattern):
    program = compile_pattern(pattern)
    for text in TEXTS:
        assert finditer_spans(program, text) == [m.span() for m in re.finditer(pattern, text)]


def random_pattern(rng, depth=0):
    """(pattern, can match empty); repeated groups never match empty (see the module doc)."""
    atoms, zero = [r"a", r"b", r".", r"[ab]", r"[^a]", r"\w", r"\s", " ", r"ab"], [r"\b", "^", "$"]
    r = rng.random()
    if depth > 3 or r < 0.3:
        return (rng.choice(zero), True) if rng.random() < 0.15 else (rng.choice(atoms), False)
    if r < 0.65:
        (a, na), (b, nb) = random_pattern(rng, depth + 1), random_pattern(rng, depth + 1)
        return (a + b, na and nb) if r < 0.5 else (f"({a}|{b})", na or nb)
    body, empty = random_pattern(rng, depth + 1)
    while empty:
        body, empty = random_pattern(rng, depth + 1)
    q = rng.choice(["*", "+", "?", "{1,2}", "*?", "+?", "??", "{0,3}?", "{2}", "{0,2}"])
    return f"(?:{body}){q}", q not in ("+", "{1,2}", "+?", "{2}")


def test_random_patterns_match_like_re():
    rng = random.Random(7)
    for _ in range(1500):
        pattern, _ = random_pattern(rng)
        text = "".join(rng.choice("ab \n") for _ in range(rng.randint(0, 14)))
        want = [m.span() for m in re.finditer(pattern, text)]
        assert finditer_spans(compile_pattern(pattern), text) == want, (pattern, text)


def test_catastrophic_backtracking_is_linear_here():
    start = time.perf_counter()
    spans = match_spans(r"(a+)+$", "a" * 10_000)
    assert time.perf_counter() - start < 0.5
    assert spans == [(0, 10_000)]
    assert match_spans(r"(a+)+$", "a" * 10_000 + "b") == []


def test_match_spans_leaves_out_empty_matches():
    assert match_spans(r"x*", "axxb") == [(1, 3)]


def test_the_work_bound_stops_a_costly_search_and_says_so(monkeypatch):
    monkeypatch.setattr(regex, "MAX_WORK", 5_000)
    with pytest.raises(RegexError, match=r"matching stopped at character [\d,]+ of 3,000: it "
                                         r"took more than 5,000 steps"):
        match_spans(r"a.*b|a", "a" * 3_000)


def test_the_program_bound_refuses_huge_counted_repeats():
    with pytest.raises(RegexError, match="more than 10,000 instructions"):
        compile_pattern(r"(a{100}){200}")


@pytest.mark.parametrize(("pattern", "message"), [
    (r"a(b", "invalid regular expression at position 1: missing ), unterminated subpattern"),
    (r"[z-a]", "at position 1: bad character range z-a"),
    (r"*a", "at position 0: nothing to repeat"),
    (r"(a)\1", r"backreferences (\1, (?P=name)) need backtracking"),
    (r"a(?=b)", "lookahead and lookbehind"),
    (r"(?<!a)b", "negative lookahead and lookbehind"),
    (r"(?>a)", "atomic groups"),
    (r"a++", "possessive repeats"),
    (r"(a)?(?(1)b|c)", "conditionals"),
    ("", "the regular expression is empty"),
])
def test_bad_patterns_are_refused_saying_why(pattern, message):
    with pytest.raises(RegexError, match=re.escape(message)):
        compile_pattern(pattern)
