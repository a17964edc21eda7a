"""lstm/analysis/clamp.py: clamped re-traces against a hand-written loop, and refused clamps."""

import numpy as np
import pytest

from lstm.analysis.clamp import (
    ZERO,
    Clamp,
    ClampError,
    accuracy,
    clamped_trace,
    prediction_change,
    probabilities,
)
from lstm.model import LSTM


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def hand_trace(params, ids, clamps):
    """Every layer's gates, c, h and the logits, step by step in PyTorch's order, clamped."""
    x = params["embedding"][ids]
    L = sum(n.startswith("weight_hh") for n in params)
    H = params["weight_hh_l0"].shape[1]
    out = {}
    for k in range(L):
        h, c = np.zeros(H), np.zeros(H)
        rows = {q: [] for q in "ifgoch"}
        for t in range(len(x)):
            a = (params[f"weight_ih_l{k}"] @ x[t] + params[f"bias_ih_l{k}"]
                 + params[f"weight_hh_l{k}"] @ h + params[f"bias_hh_l{k}"])
            gate = {"i": sigmoid(a[:H]), "f": sigmoid(a[H:2 * H]), "g": np.tanh(a[2 * H:3 * H]),
                    "o": sigmoid(a[3 * H:])}
            for cl in clamps:
                if cl.layer == k and cl.gate != ZERO and t >= cl.step:
                    gate[cl.gate][cl.unit] = cl.value
            c = gate["f"] * c + gate["i"] * gate["g"]
            h = gate["o"] * np.tanh(c)
            for cl in clamps:
                if cl.layer == k and cl.gate == ZERO and t == cl.step:
                    c[cl.unit] = h[cl.unit] = 0.0
            for q, v in (*gate.items(), ("c", c), ("h", h)):
                rows[q].append(v.copy())
        out[k] = {q: np.array(v) for q, v in rows.items()}
        x = out[k]["h"]
    out["logits"] = x @ params["out_weight"].T + params["out_bias"]
    return out


@pytest.fixture
def setup():
    model = LSTM.random(4, 6, 2, vocab_size=7, output_size=5, seed=3)
    ids = np.random.default_rng(2).integers(0, 7, 30)
    return model, ids, model.trace(ids)


@pytest.mark.parametrize("clamps", [
    [Clamp(0, 2, "f", 1.0, 10)],
    [Clamp(0, 2, "f", 0.0, 10)],
    [Clamp(1, 5, "o", 0.0, 0)],
    [Clamp(0, 1, "g", -0.75, 29)],
    [Clamp(0, 0, "i", 0.3, 4), Clamp(1, 3, "f", 1.0, 7), Clamp(0, 0, ZERO, step=20)],
    [Clamp(1, 4, ZERO, step=12)],
], ids=["f=1", "f=0", "o=0 layer 1", "g at the last step", "several", "zero"])
def test_clamped_trace_equals_a_hand_written_loop(setup, clamps):
    model, ids, trace = setup
    out = clamped_trace(model, ids, trace, clamps)
    want = hand_trace(model.params, ids, clamps)
    assert out.steps == trace.steps and out.logits.shape == trace.logits.shape
    for k, layer in enumerate(out.layers):
        for q in "ifgoch":
            assert getattr(layer, q).shape == getattr(trace.layers[k], q).shape
            assert np.allclose(getattr(layer, q), want[k][q], rtol=0, atol=1e-12), (k, q)
    assert np.allclose(out.logits, want["logits"], rtol=0, atol=1e-12)
    first = min(c.step for c in clamps)
    for k, layer in enumerate(out.layers):  # before the first clamp: the original, exactly
        for q in ("pre", "i", "f", "g", "o", "c", "h"):
            assert np.array_equal(getattr(layer, q)[:first], getattr(trace.layers[k], q)[:first])
    assert not np.allclose(out.logits, trace.logits)  # the clamp changed the prediction


def test_the_clamped_gate_holds_its_value_and_pre_keeps_what_the_unit_computed(setup):
    model, ids, trace = setup
    out = clamped_trace(model, ids, trace, [Clamp(0, 2, "f", 1.0, 10)])
    assert np.all(out.layers[0].f[10:, 2] == 1.0)
    assert np.all(out.layers[0].f[:10, 2] == trace.layers[0].f[:10, 2])
    # f = 1 and the rest as before at step 10: c adds i*g onto the old c
    lt = trace.layers[0]
    assert out.layers[0].c[10, 2] == lt.c[9, 2] + lt.i[10, 2] * lt.g[10, 2]
    assert np.array_equal(out.layers[0].pre[:11], trace.layers[0].pre[:11])


def test_a_clamp_holds_the_value_at_every_later_step():
    model = LSTM.random(3, 4, vocab_size=5, output_size=2, seed=0)
    ids = np.arange(12) % 5
    trace = model.trace(ids)
    v = float(trace.layers[0].o[6, 1])  # the value o already has at step 6
    out = clamped_trace(model, ids, trace, [Clamp(0, 1, "o", v, 6)])
    assert np.array_equal(out.layers[0].h[:7], trace.layers[0].h[:7])  # step 6 is unchanged
    assert np.all(out.layers[0].o[6:, 1] == v)
    assert not np.allclose(out.layers[0].h[7:, 1], trace.layers[0].h[7:, 1])  # later ones not


@pytest.mark.parametrize(("clamp", "message"), [
    (Clamp(0, 0, "f", 1.5, 3), r"value 1.5 for gate f is outside \[0, 1\]"),
    (Clamp(0, 0, "i", -0.1, 3), r"value -0.1 for gate i is outside \[0, 1\]"),
    (Clamp(0, 0, "o", float("nan"), 3), r"value nan for gate o is outside \[0, 1\]"),
    (Clamp(0, 0, "g", -1.2, 3), r"value -1.2 for gate g is outside \[-1, 1\]"),
    (Clamp(0, 0, "f", 1.0, 30), r"step 30 is past the end: the text has 30 steps \(0..29\)"),
    (Clamp(0, 0, "f", 1.0, -1), r"step -1 is past the end"),
    (Clamp(2, 0, "f", 1.0, 3), r"layer 2: the model has layers 0..1"),
    (Clamp(0, 6, "f", 1.0, 3), r"unit 6: the model has units 0..5"),
    (Clamp(0, 0, "c", 1.0, 3), r"gate 'c': choose one of i, f, g, o"),
])
def test_bad_clamps_are_refused_naming_the_range(setup, clamp, message):
    model, ids, trace = setup
    with pytest.raises(ClampError, match=message):
        clamped_trace(model, ids, trace, [Clamp(0, 0, "f", 1.0, 1), clamp])


def test_g_accepts_its_whole_range_and_no_clamp_is_an_error(setup):
    model, ids, trace = setup
    for v in (-1.0, 1.0):
        clamped_trace(model, ids, trace, [Clamp(0, 0, "g", v, 3)])
    with pytest.raises(ClampError, match="no clamp"):
        clamped_trace(model, ids, trace, [])


def test_prediction_change_and_accuracy(setup):
    model, ids, trace = setup
    out = clamped_trace(model, ids, trace, [Clamp(1, 0, "o", 1.0, 15)])
    change = prediction_change(trace, out)
    assert change.shape == (30,) and np.all(change[:15] == 0) and np.all(change <= 1)
    assert change[15:].max() > 0
    p = probabilities(trace.logits)
    assert np.allclose(p.sum(axis=1), 1) and np.all(p > 0)
    targets = trace.logits.argmax(axis=1)
    scored = np.ones(30, bool)
    assert accuracy(trace, targets, scored) == 1.0
    assert accuracy(out, targets, scored) == pytest.approx(
        np.mean(out.logits.argmax(axis=1) == targets))
    with pytest.raises(ClampError, match="no step"):
        accuracy(trace, targets, np.zeros(30, bool))
    bare = LSTM.random(3, 4, seed=0)
    bt = bare.trace(np.zeros((5, 3)))
    with pytest.raises(ClampError, match="no output layer"):
        prediction_change(bt, bt)
