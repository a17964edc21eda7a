"""lstm/analysis/saturation.py: fractions of steps near each gate's ends."""

from types import SimpleNamespace

import numpy as np

from lstm.analysis.saturation import GATES, THRESHOLDS, saturation
from lstm.model import LSTM


def made_up(T=10, H=3):
    """A one-layer trace whose gates are chosen by hand."""
    gates = {g: np.full((T, H), 0.5) for g in GATES}
    gates["f"][:, 0] = 0.95  # unit 0: forget gate always open
    gates["f"][:4, 1] = 0.05  # unit 1: shut for the first 4 steps, open after
    gates["f"][4:, 1] = 0.99
    gates["g"][:, 2] = np.linspace(-1, 1, T)  # unit 2: g sweeps from -1 to 1
    layer = SimpleNamespace(**gates, h=np.zeros((T, H)))
    return SimpleNamespace(layers=[layer])


def test_fractions_of_hand_made_gates():
    s = saturation(made_up())
    low, high = s.of("f")
    assert s.steps == 10 and low.tolist() == [0, 0.4, 0] and high.tolist() == [1, 0.6, 0]
    low, high = s.of("g")  # -1, -7/9, ... , 1: only the two ends are beyond ±0.9
    assert low.tolist() == [0, 0, 0.1] and high.tolist() == [0, 0, 0.1]
    assert not s.of("i")[0].any() and not s.of("o")[1].any()


def test_the_first_steps_only():
    s = saturation(made_up(), steps=4)
    assert s.steps == 4 and s.of("f")[0].tolist() == [0, 1, 0]
    assert saturation(made_up(), steps=99).steps == 10
    empty = saturation(made_up(), steps=0)
    assert empty.steps == 0 and not empty.low.any() and not empty.high.any()


def test_a_real_trace_counted_one_by_one():
    model = LSTM.random(4, 5, num_layers=2, vocab_size=6, seed=1)
    rng = np.random.default_rng(0)
    trace = model.trace(rng.integers(0, 6, 40))
    s = saturation(trace, layer=1, steps=30)
    for k, g in enumerate(GATES):
        lo, hi = THRESHOLDS[g]
        values = getattr(trace.layers[1], g)
        for u in range(5):
            column = [float(v) for v in values[:30, u]]
            assert s.low[k, u] == sum(v < lo for v in column) / 30
            assert s.high[k, u] == sum(v > hi for v in column) / 30
    assert s.low.shape == (4, 5) and not s.low.flags.writeable
