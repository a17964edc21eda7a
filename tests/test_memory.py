"""lstm/analysis/memory.py: kept + written is c exactly; half-lives against a direct loop."""

import numpy as np
import pytest

from lstm.analysis.memory import half_lives, kept_and_written, units_by_half_life
from lstm.model import LSTM


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kept_plus_written_is_the_cell_state_exactly(dtype):
    model = LSTM.random(3, 7, 2, seed=5, dtype=dtype)
    x = np.random.default_rng(0).standard_normal((50, 3))
    trace = model.trace(x, c0=np.random.default_rng(1).standard_normal((2, 7)))
    for layer in trace.layers:
        kept, written = kept_and_written(layer)
        assert kept.shape == written.shape == layer.c.shape
        assert np.array_equal(kept + written, layer.c)
        assert np.array_equal(kept[0], layer.f[0] * layer.c0)
        assert np.array_equal(written, layer.i * layer.g)


def direct_half_lives(f, level=0.5):
    T, H = f.shape
    out = np.full((T, H), np.inf)
    for u in range(H):
        for t in range(T):
            p = 1.0
            for n in range(1, T - t):
                p *= f[t + n, u]
                if p < level:
                    out[t, u] = n
                    break
    return out


def test_half_lives_equal_a_direct_loop():
    rng = np.random.default_rng(3)
    f = np.concatenate([rng.uniform(0.6, 1.0, (80, 3)), rng.uniform(0, 1, (80, 2)),
                        np.ones((80, 1)), np.zeros((80, 1))], axis=1)
    f[40, 5] = 0.0  # a gate of exactly 0 forgets everything at once
    assert np.array_equal(half_lives(f), direct_half_lives(f))


def test_half_life_examples():
    f = np.array([[0.9], [0.9], [0.5], [0.9], [0.1], [1.0]])
    # after step 0: 0.9 * 0.5 = 0.45 < 0.5 at n = 2; after 1: 0.5 then 0.45 -> 2; after 2: 0.9,
    # 0.09 -> 2; after 3: 0.1 -> 1; after 4: 1.0 and then the text ends -> inf; after 5: inf
    assert half_lives(f)[:, 0].tolist() == [2, 2, 2, 1, np.inf, np.inf]
    assert half_lives(np.full((4, 1), 0.5))[:, 0].tolist() == [2, 2, np.inf, np.inf]  # not below


def test_units_sorted_by_median_half_life_longest_first():
    half = np.array([[1, 5, 3, 3], [2, np.inf, 3, 3], [1, 7, 4, 3.0]])
    assert units_by_half_life(half).tolist() == [1, 2, 3, 0]
