"""The saturation panel: per gate, a scatter of units by how often the gate is shut or open
(Karpathy, Johnson and Fei-Fei 2015, fig. 3).

x is the fraction of steps with the gate below 0.1 (g: below -0.9), y the fraction above 0.9;
a dot is one unit, the focused unit ringed in the dark focus outline. Dots lie under the
dashed diagonal x + y = 1: a unit on it is always at one end or the other. Four plots side by
side (a 2 x 2 grid on narrow canvases); one fill_path of dots per gate, one stroke_path for
the frames, one for the diagonals, one for the focus ring, one texts call.
"""

from __future__ import annotations

import math

import numpy as np

from .. import colors
from ..analysis.saturation import GATES, THRESHOLDS, Saturation
from ..focus import Focus, Hit
from .canvas import Canvas, draw_placeholder, fit_text, label, paths, rect_path, subpaths

SIZE = (900, 260)
PAD, TOP, LEFT, BOTTOM, GAP, CAPTION = 10, 24, 36, 36, 20, 18
DOT, RING, REACH = 2.5, 5.5, 6.0  # half-sizes of a dot and the focus ring; hover reach (px)
NARROW = 640  # below this width the four plots make a 2 x 2 grid
MAX_SIDE = 150  # a plot's side in the grid (CSS px), at most
EMPTY_MESSAGE = "Gate saturation will appear here once a sequence is traced"
NO_STEPS_MESSAGE = "No steps yet: saturation counts the steps read so far"


def height_for(width: int) -> int:
    """The canvas height (CSS px) at `width`: a 2 x 2 grid of plots up to MAX_SIDE px wide
    below NARROW, one row of four above."""
    if width >= NARROW:
        return SIZE[1]
    side = min((width - 2 * PAD) / 2 - LEFT - GAP, MAX_SIDE)
    return round(2 * (side + TOP + BOTTOM) + CAPTION)


def squares(x: np.ndarray, y: np.ndarray, r: float, close: bool = False) -> str:
    """One path of N squares of half-size r centred at (x, y) (N,); closed for a stroke."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    dx, dy = np.array([-r, r, r, -r]), np.array([-r, -r, r, r])
    return subpaths(np.stack([x[:, None] + dx, y[:, None] + dy], axis=2), close)


class SaturationPanel:
    """The four saturation scatters on a canvas of one size."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        cols = 4 if width >= NARROW else 2
        rows = 4 // cols
        cell_w = (width - 2 * PAD) / cols
        cell_h = (height - CAPTION) / rows
        self.side = max(10.0, min(cell_w - LEFT - GAP, cell_h - TOP - BOTTOM))
        self.origins = []  # the top-left corner of each plot square
        for k in range(4):
            r, c = divmod(k, cols)
            self.origins.append((PAD + c * cell_w + LEFT, r * cell_h + TOP))
        s = self.side
        self.frame_d = "".join(rect_path(x, y, s, s) for x, y in self.origins)
        self.diagonal_d = paths([np.array([(x, y), (x + s, y + s)]) for x, y in self.origins])
        self.ticks = self._tick_labels()
        self._data: Saturation | None = None
        self._dots: list[str] = []
        self._xy: np.ndarray = np.zeros((4, 2, 0))  # (gate, x|y, unit) in CSS px
        self._focus = Focus()

    def _tick_labels(self) -> list[tuple]:
        s, out = self.side, []
        for (x, y), g in zip(self.origins, GATES, strict=True):
            lo, hi = THRESHOLDS[g]
            out.append(label(f"{g}  {colors.GATE_NAMES[g]}", x, y - 8,
                             colors.text_color(colors.GATE_COLORS[g]), 12, bold=True))
            for v, t in ((0, "0"), (0.5, ".5"), (1, "1")):
                out.append(label(t, x + v * s, y + s + 13, colors.MUTED, 11, align="center"))
                out.append(label(t, x - 4, y + (1 - v) * s + 4, colors.MUTED, 11, align="right"))
            out.append(label(f"share < {lo:g}", x + s / 2, y + s + 27, colors.MUTED, 11,
                             align="center"))
            out.append(label(f"share > {hi:g}", x - 24, y + s / 2, colors.MUTED, 11,
                             align="center", angle=-math.pi / 2))
        return out

    def _layout(self, data: Saturation) -> None:
        """Dot positions and paths of one Saturation (kept while the same data is drawn)."""
        s = self.side
        ox = np.array([x for x, _ in self.origins])[:, None]
        oy = np.array([y for _, y in self.origins])[:, None]
        x, y = ox + data.low * s, oy + (1 - data.high) * s  # (4, H)
        self._xy = np.stack([x, y], axis=1)
        self._dots = [squares(x[k], y[k], DOT) for k in range(4)]
        self._data = data

    # -- drawing ---------------------------------------------------------------------------
    def draw(self, canvas: Canvas, data: Saturation | None, focus: Focus) -> None:
        """The scatters of `data`, the focused unit ringed; a message when there is nothing."""
        self._focus = focus
        if data is None or data.steps == 0:
            self._data = None
            draw_placeholder(canvas, EMPTY_MESSAGE if data is None else NO_STEPS_MESSAGE)
            return
        if data is not self._data:
            self._layout(data)
        canvas.fill_rect(0, 0, self.width, self.height, colors.PAPER)
        canvas.stroke_path(self.diagonal_d, colors.RULE, 1.0, (4, 3))
        canvas.stroke_path(self.frame_d, colors.RULE, 1.0)
        for k, g in enumerate(GATES):
            canvas.fill_path(self._dots[k], colors.GATE_COLORS[g])
        u = focus.unit
        focused = u is not None and focus.layer == data.layer and 0 <= u < self._xy.shape[2]
        if focused:
            canvas.stroke_path(squares(self._xy[:, 0, u], self._xy[:, 1, u], RING, close=True),
                               colors.INK, 2.0)
        pieces = [f"each dot is one of {data.low.shape[1]} units", f"steps 1-{data.steps}",
                  "x: share of steps shut, y: share open", "Karpathy et al. 2015"]
        if focused:
            pieces.insert(0, f"unit {u} ringed")
        caption = fit_text(pieces, self.width - 2 * PAD, 11)
        canvas.texts([*self.ticks, label(caption, PAD, self.height - 6, colors.MUTED, 11)])

    # -- pointing --------------------------------------------------------------------------
    def hit(self, x: float, y: float) -> Hit | None:
        """The unit whose dot is nearest (x, y), within REACH px, in the plot under it."""
        data = self._data
        try:
            x, y = float(x), float(y)
        except (TypeError, ValueError):
            return None
        if data is None or not (np.isfinite(x) and np.isfinite(y)):
            return None
        s = self.side
        plots = [k for k, (ox, oy) in enumerate(self.origins)
                 if ox - REACH <= x <= ox + s + REACH and oy - REACH <= y <= oy + s + REACH]
        if not plots:
            return None
        k = plots[0]
        d = np.hypot(self._xy[k, 0] - x, self._xy[k, 1] - y)
        u = int(np.argmin(d))
        if d[u] > REACH:
            return None
        g, (lo, hi) = GATES[k], THRESHOLDS[GATES[k]]
        low, high = float(data.low[k, u]), float(data.high[k, u])
        same = np.flatnonzero(d <= d[u] + 0.5)
        others = [int(j) for j in same if j != u]
        note = f"below {lo:g}: {low:.1%} · above {hi:g}: {high:.1%} of {data.steps} steps"
        if others:
            shown = ", ".join(map(str, others[:5])) + (" …" if len(others) > 5 else "")
            note += f" · also here: unit {shown}"
        return Hit(layer=data.layer, unit=u, step=self._focus.step, gate=g,
                   quantity=f"share > {hi:g}", value=high, action="focus", note=note)
