"""Regular expressions matched in linear time, so a pattern a user types can never freeze the page.

Python's `re` backtracks: `(a+)+$` over 10,000 a's would run for ages, and Pyodide has no threads
or signals to stop it. Here the pattern is read by Python's own parser (`re._parser`: the same
syntax as `re`, and its error messages with their positions), compiled to a small program and
run as a Pike VM, a breadth-first simulation of the automaton whose threads keep `re`'s
priorities, so it finds the matches `re.finditer` finds, in time proportional to
len(program) x len(text). What needs backtracking is refused, naming it: backreferences,
lookahead and lookbehind, conditionals, atomic groups and possessive repeats. Two bounds remain
and are said when hit: the program is at most MAX_PROGRAM instructions (counted repeats such as
`(a{100}){100}` expand), and one call does at most MAX_WORK thread steps (a pattern that keeps
many threads alive over a long text, or `re`'s own quadratic cases such as `a.*b|a`).
One difference from `re` is known: where a repeated group can match the empty string
(`(a*)*`, `(|a)+`), `re` ends the repetition after an empty pass while this matcher drops that
thread, so such patterns may report other spans (each still a match of the pattern).
"""

from __future__ import annotations

import re
from re import _constants as sre
from re import _parser

MAX_PROGRAM = 10_000  # instructions
MAX_WORK = 1_000_000  # thread steps per call: about a quarter of a second in CPython here

REFUSED = {
    sre.GROUPREF: "backreferences (\\1, (?P=name))",
    sre.GROUPREF_EXISTS: "conditionals ((?(1)...))",
    sre.ASSERT: "lookahead and lookbehind ((?=...), (?<=...))",
    sre.ASSERT_NOT: "negative lookahead and lookbehind ((?!...), (?<!...))",
    sre.ATOMIC_GROUP: "atomic groups ((?>...))",
    sre.POSSESSIVE_REPEAT: "possessive repeats (a*+, a++, a?+)",
}
CHAR, SPLIT, JUMP, ASSERT, MATCH = range(5)  # instruction kinds


class RegexError(ValueError):
    """A pattern that cannot be used, or a match that was stopped; the message says where."""


def _word(ch: str, ascii_only: bool) -> bool:
    return ch == "_" or (ch.isalnum() and (not ascii_only or ch.isascii()))


def _category(cat, ch: str, ascii_only: bool) -> bool:
    """Whether ch is in one of the parser's categories (\\d, \\s, \\w and their negations)."""
    if cat in (sre.CATEGORY_DIGIT, sre.CATEGORY_NOT_DIGIT):
        yes = ch.isdecimal() and (not ascii_only or ch.isascii())
    elif cat in (sre.CATEGORY_SPACE, sre.CATEGORY_NOT_SPACE):
        yes = ch in " \t\n\r\f\v" if ascii_only else ch.isspace()
    elif cat in (sre.CATEGORY_WORD, sre.CATEGORY_NOT_WORD):
        yes = _word(ch, ascii_only)
    else:  # CATEGORY_LINEBREAK, CATEGORY_NOT_LINEBREAK
        yes = ch == "\n"
    return yes != (cat in (sre.CATEGORY_NOT_DIGIT, sre.CATEGORY_NOT_SPACE, sre.CATEGORY_NOT_WORD,
                          sre.CATEGORY_NOT_LINEBREAK))


def _charset(op, av, flags: int):
    """A predicate ch -> bool for one character-consuming item of the parse tree."""
    ascii_only = bool(flags & sre.SRE_FLAG_ASCII)
    fold = bool(flags & sre.SRE_FLAG_IGNORECASE)
    if op is sre.ANY:
        return (lambda ch: True) if flags & sre.SRE_FLAG_DOTALL else (lambda ch: ch != "\n")
    if op in (sre.LITERAL, sre.NOT_LITERAL):
        items, negate = [(sre.LITERAL, av)], op is sre.NOT_LITERAL
    else:  # IN
        negate = bool(av) and av[0][0] is sre.NEGATE
        items = av[1:] if negate else av

    def single(ch: str) -> bool:
        for kind, value in items:
            if kind is sre.LITERAL and ord(ch) == value:
                return True
            if kind is sre.RANGE and value[0] <= ord(ch) <= value[1]:
                return True
            if kind is sre.CATEGORY and _category(value, ch, ascii_only):
                return True
        return False

    def test(ch: str) -> bool:
        found = single(ch) or (fold and (single(ch.lower()[:1] or ch)
                                         or single(ch.upper()[:1] or ch)))
        return found != negate

    return test


class Program:
    """A compiled pattern: instructions as tuples, and the character tests they use."""

    def __init__(self, pattern: str):
        try:
            tree = _parser.parse(pattern, 0)
        except re.error as e:
            at = f" at position {e.pos}" if e.pos is not None else ""
            raise RegexError(f"invalid regular expression{at}: {e.msg}") from None
        except (RecursionError, OverflowError):
            raise RegexError("the regular expression is nested too deeply") from None
        self.code: list[tuple] = []
        self.tests: list = []  # CHAR instructions hold an index into tests
        self._emit_sequence(tree, tree.state.flags)
        self._add((MATCH,))

    def _add(self, ins: tuple) -> int:
        if len(self.code) >= MAX_PROGRAM:
            raise RegexError(f"the regular expression expands to more than {MAX_PROGRAM:,} "
                             f"instructions (counted repeats multiply): make it smaller")
        self.code.append(ins)
        return len(self.code) - 1

    def _patch(self, at: int, ins: tuple) -> None:
        self.code[at] = ins

    def _emit_sequence(self, items, flags: int) -> None:
        for op, av in items:
            self._emit(op, av, flags)

    def _emit(self, op, av, flags: int) -> None:
        if op in REFUSED:
            raise RegexError(f"{REFUSED[op]} need backtracking, which could freeze the page: "
                             f"not supported here")
        if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN):
            self.tests.append(_charset(op, av, flags))
            self._add((CHAR, len(self.tests) - 1))
        elif op is sre.AT:
            self._add((ASSERT, av, flags))
        elif op is sre.SUBPATTERN:
            _group, add, remove, body = av
            self._emit_sequence(body, (flags | add) & ~remove)
        elif op is sre.BRANCH:
            self._emit_branch(av[1], flags)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            self._emit_repeat(*av, greedy=op is sre.MAX_REPEAT, flags=flags)
        else:
            raise RegexError(f"unsupported element {op} in the regular expression")

    def _emit_branch(self, alternatives, flags: int) -> None:
        """a|b|c: split to each alternative in turn, each jumping to the end."""
        jumps = []
        for k, alt in enumerate(alternatives):
            split = self._add((SPLIT, 0, 0)) if k < len(alternatives) - 1 else None
            self._emit_sequence(alt, flags)
            if split is not None:
                jumps.append(self._add((JUMP, 0)))
                self._patch(split, (SPLIT, split + 1, len(self.code)))
        for j in jumps:
            self._patch(j, (JUMP, len(self.code)))

    def _optional(self, body, greedy: bool, flags: int) -> int:
        """body? (or body?? when lazy); returns the split's address."""
        split = self._add((SPLIT, 0, 0))
        self._emit_sequence(body, flags)
        first, skip = split + 1, len(self.code)
        self._patch(split, (SPLIT, first, skip) if greedy else (SPLIT, skip, first))
        return split

    def _emit_repeat(self, low: int, high, body, greedy: bool, flags: int) -> None:
        for _ in range(low):
            self._emit_sequence(body, flags)
        if high is sre.MAXREPEAT:  # body*: L: split body, out; body; jump L
            split = self._optional(body, greedy, flags)
            self._add((JUMP, split))
            out, first = len(self.code), split + 1
            self._patch(split, (SPLIT, first, out) if greedy else (SPLIT, out, first))
            return
        splits = [self._optional(body, greedy, flags) for _ in range(high - low)]
        end = len(self.code)  # (body(body)?)?: a skipped optional skips all the later ones
        for split in splits:
            first = split + 1
            self._patch(split, (SPLIT, first, end) if greedy else (SPLIT, end, first))


def _assertion(kind, flags: int, text: str, i: int) -> bool:
    """Whether the zero-width assertion `kind` holds at position i of text."""
    n = len(text)
    multiline = flags & sre.SRE_FLAG_MULTILINE
    if kind is sre.AT_BEGINNING:
        return i == 0 or bool(multiline and text[i - 1] == "\n")
    if kind is sre.AT_BEGINNING_STRING:
        return i == 0
    if kind is sre.AT_END:
        if multiline:
            return i == n or text[i] == "\n"
        return i == n or (i == n - 1 and text[i] == "\n")
    if kind is sre.AT_END_STRING:
        return i == n
    if n == 0:  # as in re: neither \b nor \B matches in an empty text
        return False
    ascii_only = bool(flags & sre.SRE_FLAG_ASCII)
    before = i > 0 and _word(text[i - 1], ascii_only)
    after = i < n and _word(text[i], ascii_only)
    return (before != after) == (kind is sre.AT_BOUNDARY)


def compile_pattern(pattern: str) -> Program:
    """The program of a pattern; RegexError for invalid or refused patterns."""
    if not isinstance(pattern, str) or not pattern:
        raise RegexError("the regular expression is empty")
    return Program(pattern)


def finditer_spans(program: Program, text: str) -> list[tuple[int, int]]:
    """The (start, end) of every match, as `re.finditer` reports them (empty matches too)."""
    spans, pos, n = [], 0, len(text)
    budget, cache = [MAX_WORK], {}
    forbid = -1  # after an empty match at p, no empty match at p again (as re does)
    while pos <= n:
        found = _search(program, text, pos, forbid, budget, cache)
        if found is None:
            break
        start, end = found
        spans.append(found)
        forbid = end if start == end else -1
        pos = end
    return spans


def _search(program: Program, text: str, pos: int, forbid: int, budget: list[int],
            cache: dict[str, list[bool]]):
    """The leftmost-first match starting at or after pos, or None. budget: [thread steps
    left]; cache: character -> the result of every test of the program."""
    code, tests, n = program.code, program.tests, len(text)
    current: list[tuple[int, int]] = []  # (instruction, start) in priority order
    seen: set[int] = set()
    matched = None
    i = pos
    while True:
        if matched is None:
            _add_thread(code, current, seen, 0, i, text, i, budget)
        if not current:
            if matched is not None or i >= n:
                return matched
            i += 1
            seen = set()
            continue
        nxt: list[tuple[int, int]] = []
        nseen: set[int] = set()
        ok = None
        if i < n:
            ch = text[i]
            ok = cache.get(ch)
            if ok is None:
                ok = cache[ch] = [t(ch) for t in tests]
        for pc, start in current:
            ins = code[pc]
            if ins[0] == MATCH:
                if start == i == forbid:
                    continue
                matched = (start, i)
                break  # lower-priority threads lose to this match
            if ok is not None and ok[ins[1]]:
                _add_thread(code, nxt, nseen, pc + 1, start, text, i + 1, budget)
        if i >= n:
            return matched
        current, seen, i = nxt, nseen, i + 1


def _add_thread(code, threads, seen, pc, start, text, i, budget) -> None:
    """Follow jumps, splits (first branch first) and assertions from pc at position i, adding
    the CHAR and MATCH instructions reached to `threads` (each instruction once per position)."""
    stack = [pc]
    while stack:
        pc = stack.pop()
        if pc in seen:
            continue
        seen.add(pc)
        budget[0] -= 1
        if budget[0] < 0:
            raise RegexError(f"matching stopped at character {i:,} of {len(text):,}: it took "
                             f"more than {MAX_WORK:,} steps (the work is bounded so the page "
                             f"cannot freeze); simplify the pattern or shorten the text")
        ins = code[pc]
        kind = ins[0]
        if kind == JUMP:
            stack.append(ins[1])
        elif kind == SPLIT:
            stack.append(ins[2])
            stack.append(ins[1])
        elif kind == ASSERT:
            if _assertion(ins[1], ins[2], text, i):
                stack.append(pc + 1)
        else:
            threads.append((pc, start))


def match_spans(pattern: str, text: str) -> list[tuple[int, int]]:
    """The non-empty (start, end) spans where `pattern` matches `text`, as re.finditer finds
    them; RegexError for an invalid or refused pattern, or when the work bound is reached."""
    return [s for s in finditer_spans(compile_pattern(pattern), text) if s[0] < s[1]]
