"""Gate heatmaps: i, f, g, o stacked on one time axis (units down, steps across), tokens below.

Each gate is coloured once per trace into an RGBA image at display size: steps and units are
mapped to pixels by nearest neighbour while they fit and averaged per pixel when they do not
(T up to 10,000 and H up to 512 fit any width). A frame is then one put_rgba per gate (the
columns after the current step blanked), one stroke_path for the current-step marker and one
texts call for every label (made once per trace too); a Step puts only the changed columns.
"""

import numpy as np

from .. import colors
from ..focus import Focus, Hit
from ..tokens import show
from .canvas import Canvas, column_bins, fit_text, label, path, text_width

GATES = ("i", "f", "g", "o")
LEFT, RIGHT = 56, 16  # the time axis of every time-aligned panel spans [LEFT, width - RIGHT)
ROW, PAD, GAP, AXIS = 18, 4, 4, 34  # a title row, padding around the image, gap; axis
TITLE = ROW  # the title rows of a wide canvas (a narrow one has two: see GateHeatmaps.title)
TOKEN_SIZE, MAX_TOKEN_CHARS, TOKEN_GAP = 11, 6, 3
LEGEND_W, LEGEND_H, ONE_ROW = 90, 8, 680  # the legend bar; a band's title fits one row above

NAMES = {"i": "i  input gate", "f": "f  forget gate", "g": "g  candidate", "o": "o  output gate"}
DESCRIPTIONS = {
    "i": "how much of the candidate to write",
    "f": "how much of the old cell state to keep",
    "g": "the values that could be written",
    "o": "how much of the cell state to show",
}
# What each strip's colours mean, beside its legend bar: (low end, high end, words).
SCALES = {g: ("0", "1", "darker = closer to 1") for g in "ifo"}
SCALES["g"] = ("-1", "+1", "grey < 0 < violet, white = 0")


def height_for(width: int) -> int:
    """The canvas height (CSS px) at `width`: a second title row per strip on a narrow canvas
    is added, not taken from the images."""
    return 460 if time_span(width)[1] - LEFT >= ONE_ROW else 460 + 4 * ROW


def time_span(width: int) -> tuple[int, int]:
    """The x range [x0, x1) of the time axis, shared by every time-aligned panel."""
    return LEFT, max(LEFT + 1, width - RIGHT)


def column_edges(T: int, n: int) -> np.ndarray:
    """(T + 1,) pixel x (from the axis start) where each step's column begins; n pixels in all."""
    return -(-np.arange(T + 1) * n // max(T, 1))


def fit(a: np.ndarray, n: int, axis: int) -> np.ndarray:
    """a resampled to n entries along axis: nearest neighbour if it fits, else the mean per bin."""
    m = a.shape[axis]
    idx = column_bins(m, n)
    if m <= n:
        return np.take(a, idx, axis=axis)
    shape = [1] * a.ndim
    shape[axis] = n
    counts = np.diff(np.append(idx, m)).reshape(shape)
    return np.add.reduceat(a, idx, axis=axis) / counts


def token_label(token: str) -> str:
    """A token as written under the axis: whitespace made visible (as tokens.show writes it),
    long tokens shortened."""
    s = "".join(show(ch) for ch in token)
    s = "".join(ch if ch.isprintable() else "\ufffd" for ch in s) or "\ufffd"
    return s if len(s) <= MAX_TOKEN_CHARS else s[: MAX_TOKEN_CHARS - 1] + "…"


def token_stride(labels: list[str], step_px: float) -> int:
    """Every token if all fit side by side, else the smallest 1-2-5 stride whose labels do not
    touch (TOKEN_GAP px apart at least)."""
    widest = max(text_width(s, TOKEN_SIZE) * 0.9 for s in labels) + TOKEN_GAP if labels else 0
    return next(m * 10**k for k in range(12) for m in (1, 2, 5) if m * 10**k * step_px >= widest)


class GateHeatmaps:
    """The four gate heatmaps of one layer on a canvas of one size, coloured once.

    layer: anything with i, f, g, o arrays (T, H); tokens: T strings; index: the layer's
    number (0-based), for what hit() reports. Rows are whole pixels per unit while the units
    fit (every unit the same height), else units share pixel rows (mean per row).
    """

    def __init__(self, layer, tokens: list[str], width: int, height: int, index: int = 0):
        self.width, self.height = width, height
        self.T, self.H = layer.i.shape
        self.layer, self.index, self.tokens = layer, index, list(tokens)
        self.focus, self.revealed = Focus(), 0  # what the last draw showed
        self.x0, x1 = time_span(width)
        self.iw = x1 - self.x0
        self.title = ROW if self.iw >= ONE_ROW else 2 * ROW  # a narrow canvas: two title rows
        self.legend_x = x1 - LEGEND_W - 2 * PAD - 14  # the legend bar, left of a "+1" label
        self.legend = self.iw >= LEGEND_W + 140  # room for it beside a gate's name
        band = (height - PAD - AXIS) // 4
        room = max(1, band - self.title - 2 * PAD - GAP)
        self.ih = room - room % self.H if room >= self.H else room  # equal rows while they fit
        self.tops = [PAD + k * band for k in range(4)]  # band tops (the title row)
        self.edges = column_edges(self.T, self.iw)
        self.bins = column_bins(max(self.T, 1), self.iw)  # first step of each column
        self.rows = {g: fit(np.asarray(getattr(layer, g), np.float32), self.ih, axis=1)
                     for g in GATES}  # (T, ih)
        self.bands = {g: self._band(g, True) for g in GATES}  # every step shown
        self.empty = {g: self._band(g, False) for g in GATES}  # no step shown yet
        self.labels = self._labels(tokens)
        self.title_items = [item for g, top in zip(GATES, self.tops, strict=True)
                            for item in self._legend_labels(g, top)]
        self.axis_top = self.tops[-1] + self.title + self.ih + 2 * PAD  # the tokens' row below
        self.label_items = self._axis_labels()

    def _labels(self, tokens: list[str]) -> list[tuple[str, float]]:
        """The token labels written under the axis, thinned so they never overlap, with their x."""
        if not self.T:
            return []
        stride = token_stride([token_label(t) for t in tokens], self.iw / self.T)
        return [(token_label(tokens[t]), self.token_x(t)) for t in range(0, self.T, stride)]

    def token_x(self, t: int) -> float:
        """The centre x of step t's column (0-based), where its token is written."""
        e = self.edges
        return round(float(self.x0 + (e[t] + e[t + 1]) / 2), 1)

    # -- pixels ----------------------------------------------------------------------------
    def _band(self, g: str, shown: bool) -> np.ndarray:
        """A gate's title row (with its legend bar) over its framed image, with every step
        shown or none: (title + ih + 2 PAD, iw + 2 PAD, 4) uint8."""
        out = np.empty((self.title + self.ih + 2 * PAD, self.iw + 2 * PAD, 4), np.uint8)
        out[:] = [*colors.rgb(colors.PAPER), 255]
        top = self.title + PAD
        out[top - 1 : top + self.ih + 1, PAD - 1 : PAD + self.iw + 1] = [
            *colors.rgb(colors.RULE), 255]
        cmap = colors.gate_map(g)
        if self.legend:
            bx = self.legend_x - self.x0 + PAD
            out[5 : 5 + LEGEND_H, bx : bx + LEGEND_W] = cmap.legend(LEGEND_W, LEGEND_H)
        image = out[top : top + self.ih, PAD : PAD + self.iw]
        if shown and self.T:
            image[:] = cmap(fit(self.rows[g], self.iw, axis=0).T)  # (ih, iw) from (T, ih)
        else:
            image[:] = [*colors.rgb(colors.EMPTY), 255]
        return out

    def _pixels(self, g: str, step: int, r0: int, r1: int, c0: int, c1: int) -> bytes:
        """Rows [r0, r1) and columns [c0, c1) of a band as shown after `step` steps."""
        vis = int(self.edges[min(step, self.T)])  # image columns [0, vis) are shown
        split = min(max(PAD + vis, c0), c1)
        out = np.empty((r1 - r0, c1 - c0, 4), np.uint8)
        out[:, : split - c0] = self.bands[g][r0:r1, c0:split]
        out[:, split - c0 :] = self.empty[g][r0:r1, split:c1]
        last = vis - 1  # a column holding steps not reached yet shows the mean of those reached
        end = int(self.bins[last + 1]) if last + 1 < self.iw else self.T
        if self.iw < self.T and 0 < step < end and c0 <= PAD + last < c1:
            top = self.title + PAD
            col = colors.gate_map(g)(self.rows[g][self.bins[last] : step].mean(axis=0))
            rows = slice(max(top, r0), min(top + self.ih, r1))
            out[rows.start - r0 : rows.stop - r0, PAD + last - c0] = col[
                rows.start - top : rows.stop - top]
        return out.tobytes()

    # -- drawing ---------------------------------------------------------------------------
    def draw(self, canvas: Canvas, view, focus: Focus) -> None:
        """The whole panel with view.reached steps revealed (0 = none), the marker on
        focus.step and the focused unit's row outlined."""
        step = view.reached
        canvas.fill_rect(0, 0, self.width, self.height, colors.PAPER)
        bw = self.iw + 2 * PAD
        for g, top in zip(GATES, self.tops, strict=True):
            band = self.bands[g]
            canvas.put_rgba(self.x0 - PAD, top, bw, band.shape[0],
                            self._pixels(g, step, 0, band.shape[0], 0, bw))
        self._marker(canvas, focus.step, focus.unit)
        canvas.texts(self.title_items + self.unit_labels(focus.unit) +
                     self.axis_items(focus.step))
        self.focus, self.revealed = focus, step

    def draw_step(self, canvas: Canvas, view, focus: Focus, prev: int) -> None:
        """Only what changes when playing on from step `prev` to focus.step: the columns in
        between and the marker. Anything else (a jump back, a new unit) is a whole draw."""
        step = focus.step
        if step != view.reached or step < prev or focus.unit != self.focus.unit:
            self.draw(canvas, view, focus)
            return
        lo, hi = prev, step
        c0 = max(0, int(self.edges[max(lo - 1, 0)]) + PAD - 4)
        c1 = min(self.iw + 2 * PAD, int(self.edges[min(hi, self.T)]) + PAD + 4)
        if c1 <= c0:
            return
        r0, r1 = self.title, self.title + self.ih + 2 * PAD
        for g, top in zip(GATES, self.tops, strict=True):
            canvas.put_rgba(self.x0 - PAD + c0, top + r0, c1 - c0, r1 - r0,
                            self._pixels(g, step, r0, r1, c0, c1))
        self._marker(canvas, step, focus.unit)
        canvas.fill_rect(0, self.axis_top, self.width, self.height - self.axis_top, colors.PAPER)
        canvas.texts(self.axis_items(step))  # the current token, bold, moved on
        self.focus, self.revealed = focus, step

    def _legend_labels(self, g: str, top: int) -> list[tuple]:
        """A gate's title and what its colours mean around its legend bar, as texts() items:
        one row on a wide canvas, the description and the words on a second row otherwise."""
        color = colors.text_color(colors.GATE_COLORS[g])
        lo, hi, words = SCALES[g]
        bx = self.legend_x
        ends = [label(lo, bx - 4, top + 13, colors.MUTED, 11, align="right"),
                label(hi, bx + LEGEND_W + 4, top + 13, colors.MUTED, 11)] if self.legend else []
        if self.title == ROW:
            return [label(f"{NAMES[g]}: {DESCRIPTIONS[g]}", self.x0, top + 13, color, 12,
                          bold=True),
                    label(words + "   " + lo, bx - 4, top + 13, colors.MUTED, 11,
                          align="right"), ends[1]]
        note = fit_text([words, DESCRIPTIONS[g]], self.iw, 11)
        return [label(NAMES[g], self.x0, top + 13, color, 12, bold=True), *ends,
                label(note, self.x0, top + ROW + 12, colors.MUTED, 11)]

    def marker_x(self, step: int) -> tuple[int, int]:
        """The pixel columns [a, b) on the canvas that show the step-th token: its own columns,
        or, when steps share columns, the one it is drawn in (the last revealed after it)."""
        t = min(max(step, 1), self.T) - 1
        a, b = int(self.edges[t]), int(self.edges[t + 1])
        return self.x0 + min(a, b - 1), self.x0 + b

    def unit_rows(self, unit: int) -> tuple[int, int]:
        """The pixel rows [a, b) of the image that show `unit` (at least one)."""
        a = unit * self.ih // self.H
        return a, max(a + 1, (unit + 1) * self.ih // self.H)

    def _marker(self, canvas: Canvas, step: int, unit: int | None = None) -> None:
        """The current step's column outlined in every band, and the focused unit's row."""
        if not self.T:
            return
        boxes = []
        if step > 0:
            a, b = self.marker_x(step)
            for top in self.tops:
                y0, y1 = top + self.title + PAD - 1, top + self.title + PAD + self.ih + 1
                boxes.append(path([(a - 1, y0), (b + 1, y0), (b + 1, y1), (a - 1, y1)],
                                  close=True))
        if unit is not None and 0 <= unit < self.H:
            r0, r1 = self.unit_rows(unit)
            x0, x1 = self.x0 - 1, self.x0 + self.iw + 1
            for top in self.tops:
                y0, y1 = top + self.title + PAD + r0 - 1, top + self.title + PAD + r1 + 1
                boxes.append(path([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], close=True))
                boxes.append(path([(x0 - 8, (y0 + y1) / 2), (x0 - 2, (y0 + y1) / 2)]))
        if boxes:
            canvas.stroke_path("".join(boxes), colors.INK, 2.0)

    def unit_labels(self, unit: int | None) -> list[tuple]:
        """The focused unit's number left of its row in every band (the row is outlined)."""
        if unit is None or not 0 <= unit < self.H:
            return []
        r0, r1 = self.unit_rows(unit)
        return [label(f"unit {unit}", self.x0 - 12, top + self.title + PAD + (r0 + r1) / 2,
                      colors.INK, 11, align="right", baseline="middle", bold=True)
                for top in self.tops]

    def hit(self, x: float, y: float) -> Hit | None:
        """The gate, unit and step drawn at (x, y), with the value and token; None outside
        the images or past the revealed steps."""
        col = int(x) - self.x0
        if not self.T or not 0 <= col < self.iw:
            return None
        band = next((k for k, top in enumerate(self.tops)
                     if 0 <= int(y) - (top + self.title + PAD) < self.ih), None)
        if band is None:
            return None
        g, row = GATES[band], int(y) - (self.tops[band] + self.title + PAD)
        t = int(np.searchsorted(self.edges, col, side="right")) - 1  # the step whose column
        t = min(max(t, 0), self.T - 1)
        unit = min(row * self.H // self.ih, self.H - 1)
        if t >= self.revealed:
            return None
        value = float(getattr(self.layer, g)[t, unit])
        return Hit(layer=self.index, unit=unit, step=t + 1, gate=g, value=value,
                   token=token_label(self.tokens[t]))

    def _axis_labels(self) -> list[tuple]:
        """The tokens under the time axis and the caption under them, as texts() items."""
        y = self.axis_top + GAP + 10
        tokens = [label(s, x, y, colors.INK, TOKEN_SIZE, align="center") for s, x in self.labels]
        return [*tokens, label(fit_text(self.caption(), self.width - self.x0 - 4, 11), self.x0,
                               y + 16, colors.MUTED, 11)]

    def axis_items(self, step: int) -> list[tuple]:
        """The label items with the current token written bold in its column (its neighbours
        that it would touch left out): the current token is always labelled."""
        if not 0 < step <= self.T:
            return self.label_items
        s = token_label(self.tokens[step - 1])
        x = self.token_x(step - 1)
        half = text_width(s, TOKEN_SIZE) * 0.45 + TOKEN_GAP
        y = self.axis_top + GAP + 10
        keep = [item for item in self.label_items if item[2] != y or abs(item[1] - x) >
                half + text_width(item[0], TOKEN_SIZE) * 0.45]
        return [*keep, label(s, x, y, colors.INK, TOKEN_SIZE, align="center", bold=True)]

    def caption(self) -> list[str]:
        """What the axes hold, and how pixels summarise steps and units when they do not fit,
        in pieces (as many as fit are shown)."""
        pieces = [f"tokens 1-{self.T} left to right", f"units 0-{self.H - 1} top to bottom"]
        steps, units = max(self.T / self.iw, 1), max(self.H / self.ih, 1)
        if steps > 1 or units > 1:
            pieces.append(f"each pixel is the mean of ~{steps:.1f} steps × ~{units:.1f} units")
        return pieces
