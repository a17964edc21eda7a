"""Cell state vs hidden state over time: one line per unit for each state, as in the seed.

Cell lines are purple, hidden lines cyan, in shades by unit; axes labelled "Timestep" and
"State Value", a dashed zero line, the scale set by the largest magnitude in the trace (at
least 1) so nothing rescales while playing. With a unit selected, its c and h lines are drawn
last, thicker and opaque, over the others (faded further), and a caption names it. Each
polyline is one stroke_path with at most two points per pixel column (min and max of the steps
it covers). Above MAX_LINES units the lines would be a blur: each state becomes a band from the
minimum to the maximum over units, with the selected unit (or the mean over units) drawn as a
line, and a caption says so.
"""

import numpy as np

from .. import colors
from ..focus import Focus, Hit
from .canvas import Canvas, column_bins, decimate, draw_placeholder, label, path
from .heatmap import time_span

MAX_LINES = 32  # units drawn as individual lines; above this, bands
TOP, BOTTOM = 44, 40  # plot area margins (legend and caption above, axis labels below)
PLACEHOLDER = "Cell state and hidden state evolution will appear here"
CELL_RGB, HIDDEN_RGB = colors.rgb(colors.CELL), colors.rgb(colors.HIDDEN)


class StateChart:
    """The chart for one trace layer on a canvas of one size; per-trace numbers cached.

    c, h: (T, H) arrays; index: the layer's number (0-based), for what hit() reports.
    """

    def __init__(self, c: np.ndarray, h: np.ndarray, width: int, height: int, index: int = 0):
        self.width, self.height = width, height
        self.index, self.revealed = index, 0
        self.c, self.h = np.asarray(c, np.float64), np.asarray(h, np.float64)
        self.T, self.H = self.c.shape
        self.x0, x1 = time_span(width)
        self.iw = x1 - self.x0
        self.top, self.bottom = TOP, max(TOP + 2, height - BOTTOM)
        self.mid = (self.top + self.bottom) // 2 + 0.5  # on a pixel centre: a crisp zero line
        peak = max(float(np.abs(self.c).max(initial=0)), float(np.abs(self.h).max(initial=0)))
        self.scale = max(peak, 1.0)
        self.bins = column_bins(max(self.T, 1), self.iw)
        if self.H > MAX_LINES:  # the band edges and the mean, per step
            self.env = {k: (v.min(axis=1), v.max(axis=1), v.mean(axis=1))
                        for k, v in (("c", self.c), ("h", self.h))}
        self._decimated: dict[tuple, np.ndarray] = {}

    # -- geometry --------------------------------------------------------------------------
    def x(self, t: np.ndarray) -> np.ndarray:
        """Canvas x of step t (the centre of its heatmap column)."""
        return self.x0 + (np.asarray(t, np.float64) + 0.5) * self.iw / max(self.T, 1)

    def y(self, v: np.ndarray) -> np.ndarray:
        """Canvas y of a state value; +-scale sits at 80% of the half height, as in the seed."""
        return self.mid - np.asarray(v, np.float64) / self.scale * (self.bottom - self.top) * 0.4

    def _columns(self, v: np.ndarray, step: int, key: tuple) -> np.ndarray:
        """Min, max pairs (2n, K) of v (T, K) for the n pixel columns reached after `step` steps.

        Complete columns come from a per-trace cache (key names v); the last one is recomputed.
        """
        n = int(np.searchsorted(self.bins, step))  # columns whose first step is before `step`
        if key not in self._decimated:
            self._decimated[key] = decimate(v, self.bins)
        out = self._decimated[key][: 2 * n].copy()
        last = v[self.bins[n - 1] : step]
        out[-2], out[-1] = last.min(axis=0), last.max(axis=0)
        return out

    def lines(self, v: np.ndarray, step: int, key: tuple) -> list[np.ndarray]:
        """Polylines (N, 2) of each column of v (T, K) over the first `step` steps."""
        if self.iw >= self.T:
            xs, vals = self.x(np.arange(step)), v[:step]
        else:
            vals = self._columns(v, step, key)
            xs = np.repeat(self.x0 + np.arange(len(vals) // 2) + 0.5, 2)
        ys = self.y(vals)
        if len(xs) == 1:  # one step: a short dash so it shows
            xs, ys = np.array([xs[0] - 2, xs[0] + 2]), np.repeat(ys, 2, axis=0)
        return [np.stack([xs, ys[:, k]], axis=1) for k in range(ys.shape[1])]

    def band(self, lo: np.ndarray, hi: np.ndarray, step: int, key: tuple) -> np.ndarray:
        """A closed polygon (N, 2) from lo up to hi over the first `step` steps."""
        upper, lower = self.lines(np.stack([hi, lo], axis=1), step, key)
        if self.iw < self.T:  # keep the outer edge of each column
            upper = upper.reshape(-1, 2, 2).min(axis=1)
            lower = lower.reshape(-1, 2, 2).max(axis=1)
        return np.concatenate([upper, lower[::-1]])

    # -- drawing ---------------------------------------------------------------------------
    def draw(self, canvas: Canvas, view, focus: Focus) -> None:
        """The chart of the view.reached steps revealed, the marker at focus.step; the focused
        unit's lines on top (in band mode: the line drawn; None: the mean)."""
        step, unit = min(view.reached, self.T), focus.unit
        if unit is not None and not 0 <= unit < self.H:
            unit = None
        self.revealed = max(step, 0)
        if step <= 0:
            draw_placeholder(canvas, PLACEHOLDER)
            return
        canvas.fill_rect(0, 0, self.width, self.height, colors.PAPER)
        self._frame(canvas)
        labels = self._frame_labels()
        swatch = {k: np.array([[x, 14.0], [x + 18, 14.0]]) for k, x in (("c", 12.0), ("h", 0.0))}
        swatch["h"][:, 0] += self.width / 2
        if self.H <= MAX_LINES:
            self._draw_lines(canvas, step, unit, swatch)
            if unit is not None:
                labels.append(label(f"unit {unit} highlighted", 12, 32, colors.MUTED, 11))
        else:
            for name, rgb, a in (("c", CELL_RGB, 0.22), ("h", HIDDEN_RGB, 0.3)):
                lo, hi, _ = self.env[name]
                canvas.fill_path(path(self.band(lo, hi, step, (name, "band")), close=True),
                                 f"rgba({rgb[0]}, {rgb[1]}, {rgb[2]}, {a})")
            for name, data, color in (("c", self.c, colors.CELL), ("h", self.h, colors.HIDDEN)):
                v = self.env[name][2] if unit is None else data[:, unit]
                (line,) = self.lines(v[:, None], step, (name, unit))
                canvas.stroke_path(path(line) + path(swatch[name]), color, 1.5)
            which = "the mean over units" if unit is None else f"unit {unit}"
            labels.append(label(f"{self.H} units: shaded bands span the lowest to the highest "
                                f"unit; lines follow {which}", 12, 32, colors.MUTED, 11))
        x = float(self.x(min(max(focus.step, 1), step) - 1))
        canvas.stroke_path(path([(x, self.top), (x, self.bottom)]), colors.INK, 1.0)
        labels.append(label("cell state c (long-term memory)", 36, 18,
                            colors.text_color(colors.CELL), 12))
        labels.append(label("hidden state h (output)", self.width / 2 + 24, 18,
                            colors.text_color(colors.HIDDEN), 12))
        canvas.texts(labels)

    def _draw_lines(self, canvas: Canvas, step: int, unit: int | None, swatch: dict) -> None:
        """One line per unit and state, in shades by unit; a selected unit's two lines on top.

        With a unit selected the others fade further and its c and h lines are drawn last,
        thicker and opaque, carrying the legend swatches; with none, the last unit carries them.
        """
        top = self.H - 1 if unit is None else unit
        lo, span = (0.3, 0.7) if unit is None else (0.12, 0.28)
        last = []
        for name, data, rgb, color in (("c", self.c, CELL_RGB, colors.CELL),
                                       ("h", self.h, HIDDEN_RGB, colors.HIDDEN)):
            for u, line in enumerate(self.lines(data, step, (name,))):
                d = path(line) + (path(swatch[name]) if u == top else "")
                if u == top and unit is not None:
                    last.append((d, color))
                    continue
                alpha = lo + span * u / self.H
                canvas.stroke_path(d, f"rgba({rgb[0]}, {rgb[1]}, {rgb[2]}, {alpha:.3f})", 1.5)
        for d, color in last:
            canvas.stroke_path(d, color, 2.5)

    def _frame(self, canvas: Canvas) -> None:
        x0, x1, top, bottom = self.x0, self.x0 + self.iw, self.top, self.bottom
        axes = path([(x0, top), (x0, bottom), (x1, bottom)])
        for v in (self.scale, -self.scale):
            axes += path([(x0 - 4, float(self.y(v))), (x0, float(self.y(v)))])
        canvas.stroke_path(axes, colors.AXIS, 2.0)
        canvas.stroke_path(path([(x0, self.mid), (x1, self.mid)]), colors.RULE, 1.0, (5, 5))

    def _frame_labels(self) -> list[tuple]:
        """The axes' numbers and titles, as texts() items."""
        x0, x1, bottom = self.x0, self.x0 + self.iw, self.bottom
        ticks = [label(s, x0 - 6, round(float(self.y(v)), 1), colors.MUTED, 11, align="right",
                       baseline="middle")
                 for v, s in ((self.scale, f"+{self.scale:.2f}"), (0.0, "0"),
                              (-self.scale, f"-{self.scale:.2f}"))]
        return [
            *ticks,
            label("1", x0, bottom + 14, colors.MUTED, 11, align="center"),
            label(str(self.T), x1, bottom + 14, colors.MUTED, 11, align="center"),
            label("Timestep", x0 + self.iw / 2, self.height - 8, colors.AXIS, 12, align="center",
                  bold=True),
            label("State Value", 15, self.mid, colors.AXIS, 12, align="center",
                  baseline="middle", bold=True, angle=-np.pi / 2),
        ]

    def hit(self, x: float, y: float) -> Hit | None:
        """The unit's c or h line nearest the pointer at the step under it (within 8 px), as
        drawn last; None off the plot or past the revealed steps."""
        if not self.revealed or not self.x0 <= x < self.x0 + self.iw or \
                not self.top - 8 <= y <= self.bottom + 8:
            return None
        t = int((x - self.x0) * max(self.T, 1) // self.iw)
        if t >= self.revealed:
            return None
        best = None
        for name, data in (("c", self.c), ("h", self.h)):
            ys = self.y(data[t])
            u = int(np.argmin(np.abs(ys - y)))
            d = abs(float(ys[u]) - y)
            if d <= 8 and (best is None or d < best[0]):
                best = (d, name, u, float(data[t, u]))
        if best is None:
            return None
        _, name, u, value = best
        return Hit(layer=self.index, unit=u, step=t + 1, quantity=name, value=value)
