"""lstm/analysis/gradflow.py: d c_T[u] / d c_t against torch autograd and finite differences."""

from pathlib import Path

import numpy as np
import pytest

from lstm.analysis.gradflow import GradError, cell_gradients, forget_product
from lstm.model import LSTM, Tracer

FIXTURES = Path(__file__).parent / "fixtures" / "gradflow"
CASES = sorted(FIXTURES.glob("*.npz"))


def load(path):
    with np.load(path, allow_pickle=False) as npz:
        data = dict(npz)
    names = [n for n in data if n.startswith(("weight_", "bias_")) or n == "embedding"]
    model = LSTM({n: data[n] for n in names})
    x = data["ids"] if "ids" in data else data["x"]
    return model, x, data


def test_the_fixtures_exist():
    assert len(CASES) == 3


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_gradients_equal_torch_autograd(path):
    model, x, data = load(path)
    layer, unit, step = (int(data[k]) for k in ("layer", "unit", "step"))
    trace = model.trace(x)
    assert np.allclose(trace.layers[layer].c, data["c"], rtol=0, atol=1e-12)
    dc = cell_gradients(model, trace, layer, unit, step)
    assert dc.shape == (step + 1, model.hidden_size)
    assert np.allclose(dc, data["dc"], rtol=1e-9, atol=1e-12)
    assert np.abs(data["dc"][: step - 3]).max() > 1e-4  # the fixture reaches back: not trivial


def nudged_cell(model, x, trace, layer, t, j, eps, step, unit):
    """c_step[unit] after c_t[j] += eps (h_t recomputed from it), by the model's own steps."""
    H = model.hidden_size

    def edit(s, gates, c_prev, c, h):
        if s == t:
            c[j] += eps
            h[j] = gates[3 * H + j] * np.tanh(c[j])

    tracer = Tracer(model, x)
    tracer.reuse(trace, t)
    tracer.run(tracer.steps - t, {layer: edit})
    return tracer.trace().layers[layer].c[step, unit]


@pytest.mark.parametrize("layers", [1, 2])
def test_gradients_equal_finite_differences(layers):
    model = LSTM.random(3, 5, layers, seed=4)
    x = np.random.default_rng(1).standard_normal((14, 3))
    trace = model.trace(x)
    layer, unit, step, eps = layers - 1, 3, 12, 1e-6
    dc = cell_gradients(model, trace, layer, unit, step)
    for t in (0, 5, 11, 12):
        for j in range(5):
            up = nudged_cell(model, x, trace, layer, t, j, eps, step, unit)
            down = nudged_cell(model, x, trace, layer, t, j, -eps, step, unit)
            assert (up - down) / (2 * eps) == pytest.approx(dc[t, j], rel=1e-6, abs=1e-9)


def test_last_row_is_the_one_hot_and_the_forget_product_is_the_cell_path():
    model = LSTM.random(2, 4, seed=0)
    x = np.random.default_rng(0).standard_normal((9, 2))
    trace = model.trace(x)
    dc = cell_gradients(model, trace, 0, 2, 6)
    assert np.array_equal(dc[6], [0, 0, 1, 0])
    fp = forget_product(trace, 0, 2, 6)
    f = trace.layers[0].f[:, 2]
    assert fp.shape == (7,) and fp[6] == 1.0
    assert fp[0] == pytest.approx(np.prod(f[1:7])) and fp[5] == pytest.approx(f[6])
    # with W_hh = 0 nothing flows through h: the gradient is the cell path alone
    params = model.params
    params["weight_hh_l0"] = np.zeros_like(params["weight_hh_l0"])
    flat = LSTM(params)
    ftrace = flat.trace(x)
    dc = cell_gradients(flat, ftrace, 0, 2, 6)
    assert np.allclose(dc[:, 2], forget_product(ftrace, 0, 2, 6), rtol=1e-12)
    assert np.count_nonzero(np.delete(dc, 2, axis=1)) == 0


@pytest.mark.parametrize(("args", "message"), [
    ((0, 0, 9), "step 9 is past the end: the text has 9 steps (0..8)"),
    ((0, 0, -1), "step -1 is before the first"),
    ((0, 4, 3), "unit 4: the model has units 0..3"),
    ((1, 0, 3), "layer 1: the model has layers 0..0"),
])
def test_out_of_range_targets_are_refused(args, message):
    model = LSTM.random(2, 4, seed=0)
    trace = model.trace(np.zeros((9, 2)))
    with pytest.raises(GradError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cell_gradients(model, trace, *args)
    with pytest.raises(GradError):
        forget_product(trace, *args)
