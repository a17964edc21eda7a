"""Time-aligned lanes: what the inspection panels (memory, features, counterfactual, gradient
flow) share with each other and with the heatmaps.

A `TimeAxis` puts step t of T at the centre of its heatmap column (the same x range as every
time-aligned panel, `heatmap.time_span`) and turns an x back into a step for hit tests. A
`Lane` is a horizontal band with its own value scale, symmetric around 0 for signed values
(DESIGN.md: quantities of different ranges get their own lanes). Series become polylines with
at most two points per pixel column (the min and max of the steps it covers), so a long text
costs what a short one does. Steps here count from 0 (rows of the trace's arrays).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import colors
from ..tokens import show
from .canvas import column_bins, decimate, label, path, text_width
from .heatmap import column_edges, time_span

TITLE_SIZE, SMALL = 12, 11


def nice_limit(v: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten that is >= |v| (1 for 0): a scale's end
    that reads as a round number."""
    v = abs(float(v))
    if not np.isfinite(v) or v == 0:
        return 1.0
    e = 10.0 ** np.floor(np.log10(v))
    return float(next(m * e for m in (1, 2, 5, 10) if m * e >= v * (1 - 1e-9)))


def step_ticks(T: int, width: float, spacing: float = 40) -> list[int]:
    """Step numbers (1-based) to write under a time axis of T steps `width` px wide: 1 and the
    multiples of the smallest 1-2-5 stride that leaves `spacing` px between them."""
    if T <= 0:
        return []
    per_step = width / T
    stride = next(m * 10**k for k in range(12) for m in (1, 2, 5) if m * 10**k * per_step
                  >= spacing)
    if stride == 1:
        return list(range(1, T + 1))
    return [1] + [t for t in range(stride, T + 1, stride) if (t - 1) * per_step >= spacing / 2]


class TimeAxis:
    """Steps 0..T-1 across the panel's time span."""

    def __init__(self, width: int, T: int):
        self.x0, x1 = time_span(width)
        self.iw, self.T = x1 - self.x0, max(T, 1)
        self.x1 = self.x0 + self.iw
        self.edges = column_edges(self.T, self.iw)  # (T + 1,) pixel column where each starts

    def x(self, t) -> np.ndarray:
        """Canvas x of the centre of step t."""
        return self.x0 + (np.asarray(t, np.float64) + 0.5) * self.iw / self.T

    def step_at(self, x: float) -> int | None:
        """The step drawn at canvas x, or None outside the axis."""
        if not self.x0 <= x < self.x1:
            return None
        return min(int((x - self.x0) * self.T / self.iw), self.T - 1)

    def points(self, v: np.ndarray, lane: Lane) -> np.ndarray:
        """(N, 2) canvas points of a series v (T,) in a lane, decimated to the pixel columns."""
        v = np.asarray(v, np.float64)
        if len(v) <= self.iw:
            xs = self.x(np.arange(len(v)))
        else:
            v = decimate(v[:, None], column_bins(len(v), self.iw))[:, 0]
            xs = np.repeat(self.x0 + np.arange(len(v) // 2) + 0.5, 2)
        return np.stack([xs, lane.y(v)], axis=1)

    def line(self, v: np.ndarray, lane: Lane) -> str:
        """The path of a series; a lone step becomes a short dash so it shows."""
        p = self.points(v, lane)
        if len(p) == 1:
            p = np.array([[p[0, 0] - 2, p[0, 1]], [p[0, 0] + 2, p[0, 1]]])
        return path(p)

    def area(self, v: np.ndarray, lane: Lane) -> str:
        """A closed path between the lane's zero line and a series: a signed area."""
        p = self.points(v, lane)
        zero = float(lane.y(0.0))
        ends = np.array([[p[-1, 0], zero], [p[0, 0], zero]])
        return path(np.concatenate([p, ends]), close=True)

    def marker(self, step: int, top: float, bottom: float) -> str:
        """The current-step marker: a vertical line through step (0-based) from top to bottom."""
        x = float(self.x(step))
        return path([(x, top), (x, bottom)])


@dataclass
class Lane:
    """A band from `top` to `bottom` (canvas y) showing values lo..hi (lo at the bottom)."""

    top: float
    bottom: float
    lo: float
    hi: float

    @classmethod
    def signed(cls, top: float, bottom: float, limit: float) -> Lane:
        """A lane symmetric around 0: -limit..limit (a limit of 0 becomes 1)."""
        limit = float(limit) if limit > 0 else 1.0
        return cls(top, bottom, -limit, limit)

    def y(self, v) -> np.ndarray:
        """Canvas y of values (clipped to the lane)."""
        s = (np.asarray(v, np.float64) - self.lo) / (self.hi - self.lo)
        return self.bottom - np.clip(s, 0.0, 1.0) * (self.bottom - self.top)

    def contains(self, y: float) -> bool:
        return self.top <= y <= self.bottom

    def frame(self, axis: TimeAxis) -> str:
        """The zero line (or the bottom line of an unsigned lane) across the axis."""
        y = float(self.y(0.0)) if self.lo < 0 < self.hi else self.bottom
        return path([(axis.x0, y), (axis.x1, y)])

    def scale_labels(self, axis: TimeAxis, digits: int = 2) -> list[tuple]:
        """The lane's top and bottom values, left of the axis, as texts() items."""
        return [label(f"{v:+.{digits}f}" if self.lo < 0 else f"{v:.{digits}f}", axis.x0 - 6, y,
                      colors.MUTED, SMALL, align="right", baseline="middle")
                for v, y in ((self.hi, self.top + 5), (self.lo, self.bottom - 5))]


def step_labels(axis: TimeAxis, tokens: list[str], step: int | None, y: float) -> list[tuple]:
    """Under the axis: the first and last step numbers, and the current token at the marker
    (1-based as the page counts steps)."""
    ends = [("1", float(axis.x0)), (str(axis.T), float(axis.x1))]
    current = []
    if step is not None and 0 <= step < len(tokens):
        s = f"'{show(tokens[step])}' (step {step + 1})"
        half = text_width(s, SMALL) / 2
        x = min(max(float(axis.x(step)), half + 2), axis.x1 + 8 - half)  # inside the canvas
        current = [label(s, round(x, 1), y, colors.INK, SMALL, align="center", bold=True)]
        # an end number the current token's label would cover is left out
        ends = [(t, ex) for t, ex in ends if abs(ex - x) > half + text_width(t, SMALL) / 2 + 4]
    return [label(t, ex, y, colors.MUTED, SMALL, align="center") for t, ex in ends] + current


def hit_step(hits: dict, axis: TimeAxis | None, x: float) -> int | None:
    """The step under canvas x, when the panel's last draw left something to point at."""
    return axis.step_at(x) if hits and axis is not None else None


def focus_index(step: int, T: int) -> int | None:
    """The 0-based step of a Focus step (1..T as the page counts; 0 = before the first
    token, None here: no marker)."""
    return min(step, T) - 1 if step > 0 else None
