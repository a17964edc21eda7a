"""Cell state vs hidden state over time: two lanes on one time axis, one line per unit.

c (purple) and h (cyan) differ in range (c is unbounded, h within -1..1), so each gets its own
lane with its own symmetric scale, rounded up to 1, 2 or 5 times a power of ten, ticks at its
ends and 0: a hidden state of 0.3 is legible beside a cell state of 40, and the two colours never
overlap. Lines are opaque and thin, in shades of the state's colour by unit; a focused unit's
two lines are drawn last, thicker, in the full colour, the others faded. Points sit at the
centres of the heatmaps' columns, and the step numbers under the axis (1 and round multiples,
as many as fit) sit under their points. The scales come from the whole trace, so nothing
rescales while playing. Each polyline is one stroke_path with at most two points per pixel
column (min and max of the steps it covers). Above MAX_LINES units the lines would be a blur:
each lane shows a band from the lowest to the highest unit and one line, the focused unit's
or the mean over units, and a note says so.
"""

import numpy as np

from .. import colors
from ..focus import Focus, Hit
from .canvas import Canvas, column_bins, decimate, draw_placeholder, fit_text, label, path
from .heatmap import time_span
from .lanes import nice_limit, step_ticks

MAX_LINES = 32  # units drawn as individual lines; above this, bands
TOP, GAP, BOTTOM = 42, 26, 40  # above the c lane (title, note), between the lanes, the axis
PLACEHOLDER = "Cell state and hidden state evolution will appear here"
STATES = {"c": (colors.CELL, "cell state c (long-term memory)"),
          "h": (colors.HIDDEN, "hidden state h (output)")}


class StateChart:
    """The chart for one trace layer on a canvas of one size; per-trace numbers cached.

    c, h: (T, H) arrays; index: the layer's number (0-based), for what hit() reports.
    """

    def __init__(self, c: np.ndarray, h: np.ndarray, width: int, height: int, index: int = 0):
        self.width, self.height = width, height
        self.index, self.revealed = index, 0
        self.data = {"c": np.asarray(c, np.float64), "h": np.asarray(h, np.float64)}
        self.T, self.H = self.data["c"].shape
        self.x0, x1 = time_span(width)
        self.iw = x1 - self.x0
        lane = max(8, (height - TOP - GAP - BOTTOM) // 2)
        self.lanes = {"c": (TOP, TOP + lane), "h": (TOP + lane + GAP, TOP + 2 * lane + GAP)}
        self.bottom = self.lanes["h"][1]
        self.limit = {k: nice_limit(float(np.abs(v).max(initial=0))) for k, v in self.data.items()}
        self.bins = column_bins(max(self.T, 1), self.iw)
        if self.H > MAX_LINES:  # the band edges and the mean, per step
            self.env = {k: (v.min(axis=1), v.max(axis=1), v.mean(axis=1))
                        for k, v in self.data.items()}
        self._decimated: dict[tuple, np.ndarray] = {}

    # -- geometry --------------------------------------------------------------------------
    def x(self, t: np.ndarray) -> np.ndarray:
        """Canvas x of step t (0-based; the centre of its heatmap column)."""
        return self.x0 + (np.asarray(t, np.float64) + 0.5) * self.iw / max(self.T, 1)

    def mid(self, name: str) -> float:
        """The zero line of a lane, on a pixel centre (a crisp dashed line)."""
        top, bottom = self.lanes[name]
        return (top + bottom) // 2 + 0.5

    def y(self, v: np.ndarray, name: str) -> np.ndarray:
        """Canvas y of a value in lane `name` ("c" or "h"): its limit at the lane's edges."""
        top, bottom = self.lanes[name]
        half = (bottom - top) / 2
        return self.mid(name) - np.asarray(v, np.float64) / self.limit[name] * half

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

    def lines(self, v: np.ndarray, step: int, key: tuple, name: str) -> list[np.ndarray]:
        """Polylines (N, 2) of each column of v (T, K) over the first `step` steps, in lane
        `name`."""
        if self.iw >= self.T:
            xs, vals = self.x(np.arange(step)), v[:step]
        else:
            vals = self._columns(v, step, key)
            xs = np.repeat(self.x0 + np.arange(len(vals) // 2) + 0.5, 2)
        ys = self.y(vals, name)
        if len(xs) == 1:  # one step: a short dash so it shows
            xs, ys = np.array([xs[0] - 2, xs[0] + 2]), np.repeat(ys, 2, axis=0)
        return [np.stack([xs, ys[:, k]], axis=1) for k in range(ys.shape[1])]

    def band(self, name: str, step: int) -> np.ndarray:
        """A closed polygon (N, 2) from the lowest to the highest unit over `step` steps."""
        lo, hi, _ = self.env[name]
        upper, lower = self.lines(np.stack([hi, lo], axis=1), step, (name, "band"), name)
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
        for name, (color, _) in STATES.items():
            if self.H <= MAX_LINES:
                self._unit_lines(canvas, name, color, step, unit)
            else:
                canvas.fill_path(path(self.band(name, step), close=True),
                                 colors.mix(colors.PAPER, color, 0.25))
                v = self.env[name][2] if unit is None else self.data[name][:, unit]
                (line,) = self.lines(v[:, None], step, (name, unit), name)
                canvas.stroke_path(path(line), color, 1.5)
        marker = min(max(focus.step, 1), step)
        x = float(self.x(marker - 1))
        canvas.stroke_path(path([(x, TOP), (x, self.bottom)]), colors.INK, 1.0)
        canvas.texts(self._labels(unit, marker))

    def _unit_lines(self, canvas: Canvas, name: str, color: str, step: int,
                    unit: int | None) -> None:
        """One opaque line per unit, in shades by unit; a focused unit's on top, full colour.
        With a unit focused the others fade further."""
        lo, span = (0.35, 0.65) if unit is None else (0.15, 0.25)
        last = ""
        for u, line in enumerate(self.lines(self.data[name], step, (name,), name)):
            if u == unit:
                last = path(line)
                continue
            shade = colors.mix(colors.PAPER, color, lo + span * (u + 1) / self.H)
            canvas.stroke_path(path(line), shade, 1.0)
        if last:
            canvas.stroke_path(last, color, 2.0)

    def _frame(self, canvas: Canvas) -> None:
        x0, x1 = self.x0, self.x0 + self.iw
        axes, zeros = "", ""
        for name, (top, bottom) in self.lanes.items():
            axes += path([(x0, top), (x0, bottom)])
            for v in (self.limit[name], 0.0, -self.limit[name]):
                y = float(self.y(v, name))
                axes += path([(x0 - 4, y), (x0, y)])
            zeros += path([(x0, self.mid(name)), (x1, self.mid(name))])
        axes += path([(x0, self.bottom), (x1, self.bottom)])
        canvas.stroke_path(axes, colors.AXIS, 1.5)
        canvas.stroke_path(zeros, colors.RULE, 1.0, (5, 5))

    def _labels(self, unit: int | None, marker: int) -> list[tuple]:
        """Lane titles, scales, step numbers, axis titles and the note, as texts() items."""
        x0, bottom = self.x0, self.bottom
        items = []
        for name, (color, title) in STATES.items():
            top = self.lanes[name][0]
            items.append(label(title, x0, top - 6, colors.text_color(color), 12, bold=True))
            limit = self.limit[name]
            for v in (limit, 0.0, -limit):
                s = "0" if v == 0 else f"{v:+g}"
                items.append(label(s, x0 - 6, round(float(self.y(v, name)), 1), colors.MUTED,
                                   11, align="right", baseline="middle"))
        mx = float(self.x(marker - 1))
        for t in step_ticks(self.T, self.iw):
            x = float(self.x(t - 1))
            if abs(x - mx) >= 22:  # the current step's number takes its place
                items.append(label(str(t), x, bottom + 14, colors.MUTED, 11, align="center"))
        items.append(label(str(marker), mx, bottom + 14, colors.INK, 11, align="center",
                           bold=True))
        items += [
            label("Timestep", x0 + self.iw / 2, self.height - 6, colors.AXIS, 12,
                  align="center", bold=True),
            label("State Value", 14, (TOP + bottom) / 2, colors.AXIS, 12, align="center",
                  baseline="middle", bold=True, angle=-np.pi / 2),
            label(fit_text(self.note(unit), self.width - 16, 11), 8, 14, colors.MUTED, 11),
        ]
        return items

    def note(self, unit: int | None) -> list[str]:
        """What is drawn, in pieces (as many as fit are shown)."""
        if self.H <= MAX_LINES:
            who = "one line per unit" if unit is None else f"unit {unit} dark, the others faded"
            return [f"{self.H} units: {who}", "each state on its own scale"]
        which = "the mean over units" if unit is None else f"unit {unit}"
        return [f"{self.H} units", "shaded band: lowest to highest unit", f"line: {which}",
                "each state on its own scale"]

    def hit(self, x: float, y: float) -> Hit | None:
        """The unit's c or h line nearest the pointer in the lane under it, at the step under
        it (within 8 px); None off the lanes or past the revealed steps."""
        if not self.revealed or not self.x0 <= x < self.x0 + self.iw:
            return None
        name = next((k for k, (top, bottom) in self.lanes.items()
                     if top - 8 <= y <= bottom + 8), None)
        if name is None:
            return None
        t = min(int((x - self.x0) * max(self.T, 1) // self.iw), self.T - 1)
        if t >= self.revealed:
            return None
        ys = self.y(self.data[name][t], name)
        u = int(np.argmin(np.abs(ys - y)))
        if abs(float(ys[u]) - y) > 8:
            return None
        return Hit(layer=self.index, unit=u, step=t + 1, quantity=name,
                   value=float(self.data[name][t, u]))
