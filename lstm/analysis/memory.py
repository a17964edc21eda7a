"""What each cell keeps and what it writes, and how long its forget gate lets a memory last.

c_t = f_t * c_{t-1} + i_t * g_t splits every cell state into the part kept from the step
before and the part written now; the two add up to c_t exactly (the same products, summed in
the same order, as the forward pass). A unit's memory half-life after step t is the number of
steps n until the product of its next forget gates f_{t+1} ... f_{t+n} falls below 0.5: how
far the cell path alone carries what the cell holds after step t, whatever is written on top.
Steps count from 0 (rows of the trace's arrays).
"""

from __future__ import annotations

import numpy as np

from ..model import LayerTrace

LEVEL = 0.5  # the half in half-life
TINY = 1e-300  # forget gates of exactly 0 are read as this, so log(f) stays finite


def previous_cells(layer: LayerTrace) -> np.ndarray:
    """c_{t-1} at every step, (T, H): c0, then c shifted by one step."""
    return np.concatenate([layer.c0[None], layer.c[:-1]])


def kept_and_written(layer: LayerTrace) -> tuple[np.ndarray, np.ndarray]:
    """(kept, written), each (T, H): f_t * c_{t-1} and i_t * g_t; kept + written == c."""
    return layer.f * previous_cells(layer), layer.i * layer.g


def half_lives(f: np.ndarray, level: float = LEVEL) -> np.ndarray:
    """(T, H) float: after step t, the steps n >= 1 until prod f[t+1 : t+n+1] < level, per
    unit; inf where the text ends first (the half-life is longer than what is left of it).

    The running products come from one cumulative sum of log f per unit (non-increasing),
    so each step's answer is one binary search: O(T log T) per unit instead of O(T^2).
    """
    f = np.asarray(f, np.float64)
    T, H = f.shape
    # depth[s] = -log of the product of f[0..s-1]; the product over (t, t+n] is
    # exp(depth[t+1] - depth[t+n+1]) and falls below level once depth grows by -log(level)
    depth = np.concatenate([np.zeros((1, H)), np.cumsum(-np.log(np.maximum(f, TINY)), axis=0)])
    drop = -np.log(level)
    out = np.empty((T, H))
    for u in range(H):
        d = depth[:, u]
        first = np.searchsorted(d, d[1:] + drop, side="right")  # first row past the drop
        out[:, u] = np.where(first <= T, first - np.arange(1, T + 1), np.inf)
    return out


def units_by_half_life(half: np.ndarray) -> np.ndarray:
    """Unit ids (H,) sorted by their median half-life over the text, longest first (ties:
    lower unit first)."""
    med = np.median(half, axis=0)
    return np.lexsort((np.arange(half.shape[1]), -med))
