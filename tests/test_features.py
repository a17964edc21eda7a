"""lstm/analysis/features.py: task and regex features from the text, units ranked by |r|."""

import numpy as np
import pytest

from lstm.analysis.features import (
    Feature,
    correlations,
    rank_units,
    regex_feature,
    task_features,
    task_labels,
)
from lstm.analysis.regex import RegexError
from lstm.model import LSTM
from lstm.tokens import tokenize


def values(task, text):
    return {f.name: f.values.tolist() for f in task_features(task, tokenize(text, "char"))}


def test_bracket_depth_and_anbn_count():
    assert values("brackets", "(a(b))a") == {"depth": [1, 1, 2, 2, 1, 0, 0]}
    assert values("anbn", "aabb.ab.") == {"count": [1, 2, 1, 0, 0, 1, 0, 0]}


def test_recall_holds_the_last_capital_through_the_question_mark():
    v = values("recall", "abCdb?aDc?")
    assert v["holding"] == [0, 0, 1, 1, 1, 1, 0, 1, 1, 1]
    assert v["held_C"] == [0, 0, 1, 1, 1, 1, 0, 0, 0, 0]
    assert v["held_D"] == [0, 0, 0, 0, 0, 0, 0, 1, 1, 1]
    assert v["held_A"] == [0] * 10


def test_alice_features():
    v = values("alice", "So “Oh (no)” she\nsaid")
    text = "So “Oh (no)” she\nsaid"
    assert [t for t, q in zip(text, v["quote"], strict=True) if q] == list("“Oh (no)")
    assert [t for t, q in zip(text, v["paren"], strict=True) if q] == list("(no")
    assert v["line_pos"][:4] == [1, 2, 3, 4] and v["line_pos"][16:] == [0, 1, 2, 3, 4]
    assert v["word_pos"][:4] == [1, 2, 0, 0] and v["word_pos"][4:7] == [1, 2, 0]


def test_no_task_means_no_task_features():
    assert task_features(None, list("abc")) == [] and task_features("other", list("a")) == []


def test_regex_feature_is_one_inside_matches():
    f = regex_feature(r"b+", "abbcab", "char")
    assert f.values.tolist() == [0, 1, 1, 0, 0, 1] and f.title == "/b+/"
    assert regex_feature(r"x*", "axb").values.tolist() == [0, 1, 0]  # empty matches cover nothing
    # word tokens: a token is 1 when any of its characters is inside a match
    words = regex_feature(r"ll|!", "hello, big world!", "word")
    assert len(words.values) == len(tokenize("hello, big world!", "word"))
    assert words.values.tolist() == [1, 0, 0, 0, 1]
    # the text the tokenizer saw: control characters dropped, \r\n made \n
    assert regex_feature(r"\n.", "a\r\nb\x07c").values.tolist() == [0, 1, 1, 0]


def test_catastrophic_regex_over_the_text_returns_quickly():
    f = regex_feature(r"(a+)+$", "a" * 10_000)
    assert f.values.sum() == 10_000


def test_an_invalid_regex_says_where():
    with pytest.raises(RegexError, match="at position 2: unterminated character set"):
        regex_feature(r"ab[c", "abc")


def test_correlations_equal_numpy_corrcoef():
    model = LSTM.random(3, 4, 2, seed=2)
    x = np.random.default_rng(0).standard_normal((60, 3))
    trace = model.trace(x)
    feat = np.cumsum(np.random.default_rng(1).standard_normal(60))
    r = correlations(trace, feat)
    assert r.shape == (1, 2, 2, 4)
    for k, layer in enumerate(trace.layers):
        for q, name in enumerate(("h", "c")):
            for u in range(4):
                want = np.corrcoef(feat, getattr(layer, name)[:, u])[0, 1]
                assert r[0, k, q, u] == pytest.approx(want, abs=1e-12)


def test_ranking_finds_a_planted_unit_and_skips_constant_features():
    model = LSTM.random(3, 6, seed=0)
    trace = model.trace(np.random.default_rng(0).standard_normal((40, 3)))
    target = trace.layers[0].c[:, 4]
    planted = Feature("p", "planted", -2 * target + 1, "does", "where")
    flat = Feature("k", "flat", np.ones(40), "does", "where")
    ranked, none = rank_units(trace, [planted, flat], top=3)
    assert none == [] and len(ranked) == 3
    best = ranked[0]
    assert (best.layer, best.quantity, best.unit) == (0, "c", 4)
    assert best.r == pytest.approx(-1.0)
    assert abs(ranked[0].r) >= abs(ranked[1].r) >= abs(ranked[2].r)


def test_a_constant_unit_gets_r_zero():
    params = LSTM.random(2, 3, seed=0).params
    params["weight_ih_l0"] = np.zeros_like(params["weight_ih_l0"])
    params["weight_hh_l0"] = np.zeros_like(params["weight_hh_l0"])
    params["bias_ih_l0"] = np.zeros_like(params["bias_ih_l0"])
    params["bias_hh_l0"] = np.zeros_like(params["bias_hh_l0"])
    trace = LSTM(params).trace(np.random.default_rng(0).standard_normal((10, 2)))
    # every gate 0.5 and g = 0: c and h stay 0
    assert np.all(correlations(trace, np.arange(10.0)) == 0)


def test_task_labels():
    brackets = task_labels("brackets", list("(a()"), [str(d) for d in range(9)])
    assert brackets[0].tolist() == [1, 1, 2, 1] and brackets[1].all()
    targets, scored = task_labels("recall", list("aB?"), ["A", "B", "C", "D"])
    assert scored.tolist() == [False, False, True] and targets[2] == 1
    targets, scored = task_labels("anbn", list("aabb."), ["a", "b", "."])
    assert scored.tolist() == [False, False, True, True, False]
    assert targets[2:4].tolist() == [1, 2]
    targets, scored = task_labels("alice", list("ab"), ["a", "b"])
    assert scored.tolist() == [True, False] and targets[0] == 1
    assert task_labels(None, list("ab"), ["a"]) is None
