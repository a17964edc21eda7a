"""Gate saturation: how often each unit's gates sit near their ends (Karpathy, Johnson and
Fei-Fei 2015, "Visualizing and Understanding Recurrent Networks", fig. 3).

For the sigmoid gates i, f, o a step counts as left-saturated below 0.1 and right-saturated
above 0.9, as in the paper. The candidate g is a tanh on -1..1, where 0.1 is no end at all:
it counts below -0.9 and above 0.9 (its two saturated ends). A unit far right (x) is a gate
that is mostly shut; high (y), mostly open; near the diagonal x + y = 1, a switch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GATES = ("i", "f", "g", "o")
THRESHOLDS = {"i": (0.1, 0.9), "f": (0.1, 0.9), "g": (-0.9, 0.9), "o": (0.1, 0.9)}


@dataclass(frozen=True)
class Saturation:
    """Fractions of `steps` steps of one layer: low (4, H) below and high (4, H) above each
    gate's thresholds (THRESHOLDS), rows in GATES order; all zero when steps is 0."""

    layer: int
    steps: int
    low: np.ndarray
    high: np.ndarray

    def of(self, gate: str) -> tuple[np.ndarray, np.ndarray]:
        """(low, high) fractions (H,) of one gate."""
        k = GATES.index(gate)
        return self.low[k], self.high[k]


def saturation(trace, layer: int = 0, steps: int | None = None) -> Saturation:
    """The saturation of every gate and unit of `layer` over the first `steps` steps (all of
    them when None; clipped to 0..T)."""
    lt = trace.layers[layer]
    T, H = lt.h.shape
    s = T if steps is None else max(0, min(int(steps), T))
    low, high = np.zeros((4, H)), np.zeros((4, H))
    if s:
        for k, g in enumerate(GATES):
            a, (lo, hi) = getattr(lt, g)[:s], THRESHOLDS[g]
            low[k] = np.count_nonzero(a < lo, axis=0)
            high[k] = np.count_nonzero(a > hi, axis=0)
        low /= s
        high /= s
    low.flags.writeable = high.flags.writeable = False
    return Saturation(layer, s, low, high)
