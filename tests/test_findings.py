"""lstm/analysis/findings.py: "try this" entries from the ranking on the shipped presets."""

import re
from pathlib import Path

import numpy as np
import pytest

from lstm.analysis.features import rank_units, task_features
from lstm.analysis.findings import findings, forget_words
from lstm.model import LSTM
from lstm.modelfile import load_model
from lstm.tokens import Vocab, tokenize

PRESETS = sorted((Path(__file__).resolve().parent.parent / "assets" / "models").glob("*.npz"))


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_every_preset_offers_two_or_three_findings_with_true_numbers(path):
    model, meta = load_model(path)
    found = findings(model, meta)
    assert 2 <= len(found) <= 3
    assert len({(f.text, f.focus.unit) for f in found}) == len(found)
    for f in found:
        tokens = tokenize(f.text, meta["tokenizer"])
        trace = model.trace(Vocab(meta["vocabulary"]).encode(tokens)[0])
        features = task_features(meta["task"], tokens)
        ranked = rank_units(trace, features)
        # the unit is one the ranking lists, with that r, for one of the task's features
        hits = [(feat, s) for feat, scores in zip(features, ranked, strict=True) for s in scores
                if (s.layer, s.unit) == (f.focus.layer, f.focus.unit) and s.r == f.r
                and feat.name == f.feature]
        assert hits, f.sentence
        feature, s = hits[0]
        assert f"unit {s.unit}" in f.sentence and f"r = {s.r:+.2f}" in f.sentence
        assert f" its {s.quantity} " in f.sentence
        assert 1 <= f.focus.step <= len(tokens) and f.focus.gate == "f"
        assert f.focus.step == int(np.argmax(feature.values)) + 1  # where the feature peaks
        numbers = [float(x) for x in re.findall(r"f (?:stays at|ranges) ([\d.]+)", f.sentence)]
        fu = trace.layers[s.layer].f[:, s.unit]
        active = feature.values > 0
        assert numbers == [round(float(fu[active].min() if active.any() else fu.min()), 2)]


def test_the_best_finding_of_each_preset_is_its_strongest_unit():
    for path in PRESETS:
        model, meta = load_model(path)
        best = findings(model, meta)[0]
        assert abs(best.r) >= 0.6, (path.stem, best.sentence)


def test_a_model_without_a_task_has_no_findings():
    model = LSTM.random(3, 4, vocab_size=2, seed=0)
    assert findings(model, {"task": "t", "vocabulary": ["a", "b"], "tokenizer": "char"}) == []
    assert findings(model, {"vocabulary": ["a", "b"]}) == []


def test_forget_words():
    f = np.array([1.0, 0.999, 0.5, 0.2])
    assert forget_words(f, np.array([True, True, False, False]), "inside") == (
        "f stays at 1.00 inside")
    assert forget_words(f, np.array([False] * 4), "inside") == (
        "f ranges 0.20–1.00 (median 0.75)")
