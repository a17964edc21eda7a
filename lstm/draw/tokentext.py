"""The text coloured by a unit: every token on a background of the focused unit's value there.

As LSTMVis and Karpathy et al. (2015) show a cell: the input laid out as text (whitespace
tokens visible: '␣', '⇥', '↵' and a line break), each token's box coloured by the focused unit's
h or c (diverging, white at 0; c on a symmetric scale set by that unit's largest |c| in the
trace) or by a gate (i, f, o sequential on 0..1; g diverging on -1..1), from the maps of
lstm/colors.py. The gate shown is the focus's gate when it has one, else `quantity` (h by
default); with no unit focused, the mean over units. The current token is outlined; tokens after
it are not read yet and stay uncoloured (as the heatmaps' columns do); a long text shows a
window of lines around the current token, so it never leaves the panel. A click on a token
jumps to it.

The text is laid out once per (tokens, width) and each window's pixel map of which token
covers which pixel once per window, so a draw is one colour lookup per visible token, one
put_rgba of the text area, one for the legend bar, one stroke_path and one texts call.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import colors
from ..focus import QUANTITIES, Focus, Hit
from ..tokens import show
from .canvas import Canvas, draw_placeholder, fit_text, label, rect_path, text_width

SIZE = (900, 220)
PAD, TOP, BOTTOM = 12, 30, 20  # the text area's margins: legend row above, caption below
TWO_ROWS = 600  # narrower canvases put the legend bar on a row of its own, under the title
FONT, LINE, BOX, SPACE = 13, 22, 18, 4  # token size; line pitch; box height; gap between words
BOX_PAD = 2  # each side of a token's text inside its box
MAX_CHARS = 16
LEGEND_W, LEGEND_H = 90, 8
EMPTY_MESSAGE = "The text coloured by a unit will appear here"
WORDS = {"i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate",
         "c": "cell state", "h": "hidden state"}
QUANTITY_COLORS = {**colors.GATE_COLORS, "c": colors.CELL, "h": colors.HIDDEN}
HUES = {"g": "violet", "c": "purple", "h": "cyan"}  # the positive side of each diverging map


@dataclass(frozen=True)
class TextTrace:
    """What the panel draws from: the tokens (T strings), their Trace, and the tokenizer's
    mode ("word": tokens are set apart by a gap, since spaces are no tokens there)."""

    tokens: list[str]
    trace: object
    mode: str = "char"


@lru_cache(maxsize=8)
def quantity_map(q: str) -> colors.ColorMap:
    """The colour map of a quantity: the gate maps; h and c diverging on -1..1 (c is then
    rescaled per unit, keeping the table)."""
    if q in colors.GATE_COLORS:
        return colors.gate_map(q)
    return colors.diverging(colors.HIDDEN if q == "h" else colors.CELL)


def ink_table(q: str) -> tuple[str, ...]:
    """The text colour legible on each of a quantity map's 256 colours (in the scheme drawn)."""
    return _ink_table(q, colors.SCHEME)


@lru_cache(maxsize=16)
def _ink_table(q: str, scheme: str) -> tuple[str, ...]:
    return tuple(colors.ink_on(colors.hex_color(*rgb[:3])) for rgb in quantity_map(q).lut)


def token_text(token: str) -> str:
    """A token as the text shows it: whitespace visible, unprintable characters as '\ufffd',
    at most MAX_CHARS characters."""
    s = "".join(ch if ch.isprintable() else "\ufffd" for ch in map(show, token)) or "\ufffd"
    return s if len(s) <= MAX_CHARS else s[: MAX_CHARS - 1] + "…"


def text_layout(labels: list[str], width: float, gap: float) -> tuple[np.ndarray, ...]:
    """Token boxes flowed into lines of `width` px: x (T,), line (T,), w (T,).

    Lines break after a newline token, and where the next token does not fit; a run of tokens
    without whitespace between them (a word, in character mode) moves to the next line whole
    when it fits on one. `gap` px separate tokens (word mode, where spaces are no tokens).
    """
    T = len(labels)
    w = np.array([text_width(s, FONT) + 2 * BOX_PAD for s in labels]) if T else np.zeros(0)
    x, line = np.zeros(T), np.zeros(T, np.int64)
    cx, ln, word = 0.0, 0, 0  # pen, line, the first token of the current word
    for t in range(T):
        if cx > 0 and cx + w[t] > width:
            if gap == 0 and t > word and x[word] > 0 and cx - x[word] + w[t] <= width:
                shift = x[word]  # the word so far moves down with this token
                x[word:t] -= shift
                line[word:t] += 1
                cx -= shift
                ln += 1
            else:
                cx, ln, word = 0.0, ln + 1, t
        x[t], line[t] = cx, ln
        cx += w[t] + gap
        if labels[t] in ("␣", "⇥", "↵") or gap:
            word = t + 1
        if labels[t] == "↵":
            cx, ln = 0.0, ln + 1
    return x, line, w


class TokenTextPanel:
    """The coloured text on a canvas of one size. `quantity` (one of h, c, i, f, g, o; a menu
    may set it) is shown when the focus has no gate."""

    def __init__(self, width: int, height: int, quantity: str = "h"):
        self.width, self.height, self.quantity = width, height, quantity
        self.iw = max(1, width - 2 * PAD)
        self.top = TOP if width >= TWO_ROWS else TOP + 18
        self.lines = max(1, (height - self.top - BOTTOM) // LINE)
        self._text: TextTrace | None = None
        self._windows: dict[int, tuple] = {}
        self._shown: tuple | None = None  # what the last draw showed, for hit()

    # -- layout (per text, per window) -----------------------------------------------------
    def _lay_out(self, data: TextTrace) -> None:
        labels = [token_text(t) for t in data.tokens]
        self.labels = labels
        self.x, self.line, self.w = text_layout(labels, self.iw,
                                                SPACE if data.mode == "word" else 0)
        self.n_lines = int(self.line[-1]) + 1 if len(labels) else 0
        self._windows.clear()
        self._text = data

    def _window(self, first: int) -> tuple:
        """Tokens [a, b) on lines first.. first + self.lines, which token owns each pixel
        of a line's box row (lines, iw) (-1: none), and their labels without colour."""
        if first not in self._windows:
            a, b = np.searchsorted(self.line, [first, first + self.lines])
            a, b = int(a), int(b)
            row = (self.line[a:b] - first) * self.iw
            starts = row + np.floor(self.x[a:b]).astype(np.int64)
            ends = row + np.floor(self.x[a:b] + self.w[a:b]).astype(np.int64)
            pix = np.arange(self.lines * self.iw)
            k = np.searchsorted(starts, pix, side="right") - 1
            inside = (k >= 0) & (pix < ends[np.maximum(k, 0)])
            owner = np.where(inside, k, -1).reshape(self.lines, self.iw)
            ys = self.top + (self.line[a:b] - first) * LINE + BOX / 2 + 1
            xs = PAD + self.x[a:b] + self.w[a:b] / 2
            base = [(self.labels[a + j], round(float(xs[j]), 1), float(ys[j]))
                    for j in range(b - a)]
            if len(self._windows) > 64:
                self._windows.clear()
            self._windows[first] = (a, b, owner, base)
        return self._windows[first]

    # -- colours ---------------------------------------------------------------------------
    @staticmethod
    def _values(data: TextTrace, focus: Focus, q: str) -> np.ndarray:
        """The shown quantity over every step (T,) for the focused unit, or the mean."""
        a = getattr(data.trace.layers[focus.layer], q)
        return np.asarray(a[:, focus.unit] if focus.unit is not None else a.mean(axis=1))

    @staticmethod
    def _map(q: str, values: np.ndarray) -> colors.ColorMap:
        """The map for q; c on a symmetric scale to its largest |value| in the whole trace."""
        cmap = quantity_map(q)
        if q != "c":
            return cmap
        limit = max(float(np.abs(values).max(initial=0)), 1e-6)
        return colors.ColorMap(cmap.lut, -limit, limit, True)

    # -- drawing ---------------------------------------------------------------------------
    def shown_quantity(self, focus: Focus) -> str:
        """What the boxes are coloured by: the focus's gate, else `quantity`."""
        return focus.gate if focus.gate in colors.GATE_COLORS else (
            self.quantity if self.quantity in QUANTITIES else "h")

    def draw(self, canvas: Canvas, data: TextTrace | None, focus: Focus) -> None:
        """The text around the focused step, coloured by the focused unit."""
        self._shown = None
        message = self._problem(data, focus)
        if message:
            draw_placeholder(canvas, message)
            return
        if data is not self._text:
            self._lay_out(data)
        T = len(data.tokens)
        cur = min(max(focus.step, 0), T) - 1  # the current token's index, -1: none yet
        first = 0 if cur < 0 else int(self.line[cur]) - self.lines // 3
        first = max(0, min(first, self.n_lines - self.lines))
        a, b, owner, base = self._window(first)
        q = self.shown_quantity(focus)
        values = self._values(data, focus, q)
        cmap = self._map(q, values)
        inks = ink_table(q)
        rows = cmap.index(values[a:b])
        palette = np.empty((b - a + 1, 4), np.uint8)
        palette[:-1] = cmap.lut[rows]
        palette[-1] = (*colors.rgb(colors.PAPER), 255)
        read = max(0, min(cur + 1 - a, b - a))  # tokens a.. a + read - 1 are read by now
        palette[read:-1] = palette[-1]  # the rest are not read yet: no colour
        band = palette[owner]  # (lines, iw, 4); owner -1 picks the paper row
        image = np.empty((self.lines, LINE, self.iw, 4), np.uint8)
        image[:, :BOX] = band[:, None]
        image[:, BOX:] = palette[-1]
        canvas.fill_rect(0, 0, self.width, self.height, colors.PAPER)
        canvas.put_rgba(PAD, self.top, self.iw, self.lines * LINE, image.tobytes())
        ink = [inks[r] for r in rows[:read].tolist()] + [colors.MUTED] * (b - a - read)
        items = [(s, x, y, c, FONT, "center", "middle", False, 0.0)
                 for (s, x, y), c in zip(base, ink, strict=True)]
        if a <= cur < b:
            y = self.top + (int(self.line[cur]) - first) * LINE
            canvas.stroke_path(rect_path(PAD + float(self.x[cur]) - 1, y - 1,
                                         float(self.w[cur]) + 2, BOX + 2), colors.INK, 2.0)
        items += self._legend(canvas, q, cmap, focus, T, a, b)
        canvas.texts(items)
        self._shown = (first, a, q, values, focus)

    def _problem(self, data: TextTrace | None, focus: Focus) -> str:
        """Why there is nothing to draw, or ""."""
        if data is None or not data.tokens:
            return EMPTY_MESSAGE
        layers = data.trace.layers
        if not 0 <= focus.layer < len(layers):
            return f"No layer {focus.layer + 1}: this model has {len(layers)}"
        H = layers[0].h.shape[1]
        if focus.unit is not None and not 0 <= focus.unit < H:
            return f"No unit {focus.unit}: this layer has units 0-{H - 1}"
        return ""

    def _legend(self, canvas: Canvas, q: str, cmap: colors.ColorMap, focus: Focus, T: int,
                a: int, b: int) -> list[tuple]:
        """The title with the scale and its bar, and the caption under the text."""
        who = f"unit {focus.unit}" if focus.unit is not None else "mean over units"
        if focus.layer:
            who += f" · layer {focus.layer + 1}"
        lo, hi = (f"{cmap.lo:+.2f}", f"{cmap.hi:+.2f}") if cmap.diverging else ("0", "1")
        bar_x = self.width - PAD - LEGEND_W - text_width(hi, 11) - 6
        row = 0 if self.top == TOP else 18  # the legend's row: the title's, or the next
        canvas.put_rgba(int(bar_x), 10 + row, LEGEND_W, LEGEND_H, cmap.legend(LEGEND_W, LEGEND_H)
                        .tobytes())
        words = f"grey < 0 < {HUES[q]}   " if cmap.diverging else "darker = closer to 1   "
        room = self.iw if row else bar_x - PAD - text_width(words + lo, 11) - 12
        title = fit_text([who, f"{q}, the {WORDS[q]}"], room, 13)
        ink = colors.text_color(QUANTITY_COLORS[q])
        pieces = [f"tokens {a + 1}-{b} of {T}", "click a token to go to it",
                  "uncoloured: not read yet"]
        return [
            label(title, PAD, 18, ink, 13, bold=True),
            label(words + lo, bar_x - 4, 18 + row, colors.MUTED, 11, align="right"),
            label(hi, bar_x + LEGEND_W + 4, 18 + row, colors.MUTED, 11),
            label(fit_text(pieces, self.iw, 11), PAD, self.height - 6, colors.MUTED, 11),
        ]

    # -- pointing --------------------------------------------------------------------------
    def hit(self, x: float, y: float) -> Hit | None:
        """The token under (x, y): its step (1-based), text and shown value; a click jumps."""
        if self._shown is None:
            return None
        try:
            x, y = float(x) - PAD, float(y) - self.top
        except (TypeError, ValueError):
            return None
        if not (0 <= x < self.iw and 0 <= y < self.lines * LINE) or y % LINE >= BOX:
            return None
        first, a, q, values, focus = self._shown
        owner = self._windows[first][2]
        k = int(owner[int(y // LINE), int(x)])
        if k < 0:
            return None
        t = a + k
        return Hit(layer=focus.layer, unit=focus.unit, step=t + 1, token=self.labels[t],
                   quantity=q, value=float(values[t]), action="jump",
                   gate=q if q in colors.GATE_COLORS else None)
