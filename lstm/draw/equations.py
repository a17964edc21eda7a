"""The equations panel: one unit's step worked out with the real numbers (4 decimals).

    unit 11 · layer 1 · step 5, token '('
    i  input gate    σ(  +1.6137 +  +0.0000 +  +0.5077 ) = σ(  +2.1214 ) = 0.8930 ■
         h terms  h[3] +0.3004 × +0.5000 = +0.1502   h[12] ...        (click: unit 3, step 4)
         x terms  x[2] -0.7123 × -1.1263 = +0.8023   ...
    ... f, g, o ...
    c = f·c_t-1 + i·g = 0.9782 × +0.1000 + 0.8930 × +0.9913 = +0.9830
    h = o·tanh(c) = 0.5196 × tanh(+0.9830) = +0.3917

Each gate's line splits its pre-activation into the input part, the recurrent part and the
bias; the term lines list the largest products of each dot product. A term that is a unit j
of h_{t-1} is a link: its Hit focuses unit j at the step before, so a person walks back
through the computation (for a layer above the first, x terms are units of the layer below
at the same step, and link there). Every number is a Hit too, with its full value.
Drawn as one fill_rect for the paper, four for the value swatches, one stroke_path for the
link underlines and one texts call.
"""

from __future__ import annotations

import numpy as np

from .. import colors
from ..analysis.equations import GATE_WORDS, GATES, Equations, Term, term_text
from ..focus import Focus, Hit
from .canvas import Canvas, draw_placeholder, fit_text, label, subpaths, text_width
from .heatmap import token_label
from .hitboxes import HitBoxes

SIZE = (900, 310)  # the size the panel is laid out for in the page (CSS px)
WIDE = 640  # CSS px: narrower canvases write each gate on two rows (name and value, its parts)
NARROW_HEIGHT = 400
MIN_TERMS_WIDTH = 320  # narrower canvases leave the terms out (no term fits on the line)
PAD, SIZE_MAIN, SIZE_SMALL = 12, 12, 11
TITLE_Y, CAPTION_Y, HEADER_Y, FIRST_Y = 17, 33, 52, 70
EQ_LINE, TERM_LINE, GATE_GAP, STATE_LINE = 16, 14, 5, 19
TERM_GAP = 16
# the gate line's cells: (what, width in characters at SIZE_MAIN); numbers right-aligned
CELLS = (("name", 15), ("open", 5), ("x part", 9), ("+", 3), ("h part", 9), ("+", 3),
         ("bias", 9), (")", 3), ("=", 6), ("pre", 9), (") =", 4), ("value", 8))
SWATCH = 11
NUMBERS = {"x part": "x_part", "h part": "h_part", "bias": "bias", "pre": "pre", "value": "value"}

UNIT_MESSAGE = "Choose a unit (click a heatmap row or use the unit menu) to see its equations"
STEP_MESSAGE = "Before the first token: step forward to see unit {u}'s equations"
OUTSIDE_MESSAGE = "No equations here: the focus is outside the trace"


def height_for(width: int) -> int:
    """The canvas height (CSS px) the panel wants at `width`: taller where rows wrap."""
    return SIZE[1] if width >= WIDE else NARROW_HEIGHT


def message_for(focus: Focus) -> str:
    """What the panel says when it has no equations for this focus."""
    if focus.unit is None:
        return UNIT_MESSAGE
    if focus.step <= 0:
        return STEP_MESSAGE.format(u=focus.unit)
    return OUTSIDE_MESSAGE


class EquationsPanel:
    """The worked equations on a canvas of one size."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.wide = width >= WIDE
        self.first_y = FIRST_Y if self.wide else HEADER_Y  # narrow: no column headers
        rows = 1 if self.wide else 2  # the gate's rows before its terms
        states = (2 if self.wide else 4) * STATE_LINE
        room = height - self.first_y - states - 4
        per_gate = (room // 4 - rows * EQ_LINE - GATE_GAP) // TERM_LINE
        self.term_lines = max(0, min(2, per_gate))  # h terms, then x terms, as room allows
        if width < MIN_TERMS_WIDTH:
            self.term_lines = 0  # not one term would fit beside its name
        self.gate_h = rows * EQ_LINE + self.term_lines * TERM_LINE + GATE_GAP
        char = text_width("0", SIZE_MAIN)
        self.cells, x = {}, float(PAD)
        for k, (name, chars) in enumerate(CELLS):
            x += chars * char
            self.cells[(k, name)] = x  # the right edge of each cell
        self.boxes = HitBoxes()

    # -- drawing ---------------------------------------------------------------------------
    def draw(self, canvas: Canvas, data: Equations | None, focus: Focus) -> None:
        """The equations of `data` (made for `focus`), or a message saying why there are none."""
        self.boxes.clear()
        if data is None:
            draw_placeholder(canvas, message_for(focus))
            return
        canvas.fill_rect(0, 0, self.width, self.height, colors.PAPER)
        items, links = self._heading(data), []
        rows = 1 if self.wide else 2
        for k, a in enumerate(GATES):
            y = self.first_y + k * self.gate_h
            gate = self._gate_line if self.wide else self._gate_rows
            items += gate(canvas, data, a, y)
            lines = (("h terms", data.gates[a].h_terms), ("x terms", data.gates[a].x_terms))
            for j, (name, terms) in enumerate(lines[: self.term_lines]):
                items += self._terms(data, a, name, terms,
                                     y + rows * EQ_LINE + j * TERM_LINE, links)
        items += self._states(data, self.first_y + 4 * self.gate_h + 6)
        if links:
            canvas.stroke_path(subpaths(np.array(links)), colors.text_color(colors.HIDDEN), 1.0)
        canvas.texts(items)

    def _heading(self, eq: Equations) -> list[tuple]:
        who = f"unit {eq.unit}" + (f" · layer {eq.layer + 1}" if eq.layer else "")
        token = f", token '{token_label(eq.token)}'" if eq.token else ""
        parts = ("x part", "h part", "bias") if self.wide else ("x", "h", "b")
        pieces = [f"{parts[0]} = W_ih[r]·x_t", f"{parts[1]} = W_hh[r]·h_t-1",
                  f"{parts[2]} = b_ih[r] + b_hh[r]", f"r = gate·{eq.units} + {eq.unit}",
                  "click a term h[j]: unit j, a step back"]
        caption = fit_text(pieces, self.width - 2 * PAD, SIZE_SMALL)
        items = [
            label(f"{who} · step {eq.t + 1}{token}", PAD, TITLE_Y, colors.INK, 13, bold=True),
            label(caption, PAD, CAPTION_Y, colors.MUTED, SIZE_SMALL),
        ]
        if not self.wide:
            return items
        for (k, name), right in self.cells.items():
            if name in NUMBERS:
                items.append(label(name, right, HEADER_Y, colors.MUTED, SIZE_SMALL,
                                   align="right"))
            elif k == 0:
                items.append(label("gate", PAD, HEADER_Y, colors.MUTED, SIZE_SMALL))
        return items

    def _gate_rows(self, canvas: Canvas, eq: Equations, a: str, y: float) -> list[tuple]:
        """A gate on two rows, for narrow canvases: its name and act(pre) = value with the
        swatch, then its three parts, each named (x part, h part, bias)."""
        s, act = eq.gates[a], "tanh" if a == "g" else "σ"
        value = f"{s.value:+.4f}" if a == "g" else f"{s.value:.4f}"
        ink = colors.text_color(colors.GATE_COLORS[a])
        right = self.width - PAD - SWATCH - 4
        result = f"{act}({s.pre:+.4f}) = "
        w_value, w_result = text_width(value, SIZE_MAIN), text_width(result, SIZE_MAIN)
        items = [label(f"{a}  {GATE_WORDS[a].removesuffix(' gate')}", PAD, y, ink, SIZE_SMALL,
                       bold=True),
                 label(result, right - w_value, y, colors.INK, SIZE_MAIN, align="right"),
                 label(value, right, y, ink, SIZE_MAIN, align="right", bold=True)]
        self._number(eq, a, "pre", s.pre, right - w_value - w_result, y, w_result)
        self._number(eq, a, "value", s.value, right - w_value, y, w_value + SWATCH + 4)
        canvas.fill_rect(right + 4, y - SWATCH + 1, SWATCH, SWATCH,
                         colors.gate_map(a).color(s.value))
        x, y2 = PAD + 24.0, y + EQ_LINE
        for short, name in (("x", "x part"), ("h", "h part"), ("b", "bias")):
            v = getattr(s, NUMBERS[name])
            text = f"{short} {v:+.4f}"
            w = text_width(text, SIZE_MAIN)
            items.append(label(text, x, y2, colors.INK, SIZE_MAIN))
            self._number(eq, a, name, v, x, y2, w)
            x += w + 10
        return items

    def _gate_line(self, canvas: Canvas, eq: Equations, a: str, y: float) -> list[tuple]:
        s, act = eq.gates[a], "tanh" if a == "g" else "σ"
        value = f"{s.value:+.4f}" if a == "g" else f"{s.value:.4f}"  # g is signed
        words = {"name": f"{a}  {GATE_WORDS[a]}", "open": f"{act}(", "+": "+", ")": ")",
                 "=": f"= {act}(", ") =": ") =", "value": value}
        ink = colors.text_color(colors.GATE_COLORS[a])
        items, left = [], float(PAD)
        for (k, name), right in self.cells.items():
            if name in ("x part", "h part", "bias", "pre"):
                v = getattr(s, NUMBERS[name])
                items.append(label(f"{v:+.4f}", right, y, colors.INK, SIZE_MAIN, align="right"))
                self._number(eq, a, name, v, left, y, right - left)
            elif name == "value":
                items.append(label(words[name], right, y, ink, SIZE_MAIN, align="right", bold=True))
                self._number(eq, a, "value", s.value, left, y, right - left + SWATCH + 4)
            elif k == 0:
                items.append(label(words[name], PAD, y, ink, SIZE_MAIN, bold=True))
            else:
                items.append(label(words[name], (left + right) / 2, y, colors.MUTED, SIZE_MAIN,
                                   align="center"))
            left = right
        canvas.fill_rect(left + 4, y - SWATCH + 1, SWATCH, SWATCH,
                         colors.gate_map(a).color(s.value))
        return items

    def _number(self, eq: Equations, a: str, name: str, v: float, x: float, y: float,
                w: float) -> None:
        quantity = a if name == "value" else f"{a} {name}"
        self.boxes.add(x, y - EQ_LINE + 3, w, EQ_LINE, Hit(
            layer=eq.layer, unit=eq.unit, step=eq.t + 1, gate=a, quantity=quantity, value=v,
            action="", note=f"= {v!r}"))

    def _terms(self, eq: Equations, a: str, name: str, terms: tuple[Term, ...], y: float,
               links: list) -> list[tuple]:
        """One line of terms, as many as fit; links underlined (their name only)."""
        x0 = PAD + 24
        items = [label(name, x0, y, colors.MUTED, SIZE_SMALL)]
        if not terms:
            items.append(label("every term is 0", x0 + 60, y, colors.MUTED, SIZE_SMALL))
            return items
        x = x0 + 60
        kind = name[0]
        for term in terms:
            s = term_text(term, kind)
            w = text_width(s, SIZE_SMALL)
            if x + w > self.width - PAD:
                break
            hit = self._term_hit(eq, a, kind, term)
            link = hit.action == "focus"
            ink = colors.text_color(colors.HIDDEN) if link else colors.INK
            items.append(label(s, x, y, ink, SIZE_SMALL))
            if link:
                name_w = text_width(f"{kind}[{term.index}]", SIZE_SMALL)
                links.append([(x, y + 2.5), (x + name_w, y + 2.5)])
            self.boxes.add(x, y - TERM_LINE + 3, w, TERM_LINE, hit)
            x += w + TERM_GAP
        return items

    @staticmethod
    def _term_hit(eq: Equations, a: str, kind: str, term: Term) -> Hit:
        """An h term links to unit j at the step before; an x term of a layer above the first
        links to unit j of the layer below at this step; an embedding or input term does not."""
        part = f"{term.weight:+.4f} × {term.value:+.4f} = {term.product:+.4f} of {a}'s {kind} part"
        if kind == "h":
            return Hit(layer=eq.layer, unit=term.index, step=eq.t, quantity="h",
                       value=term.value, note=f"w·h = {part} · click: unit {term.index} at step "
                       f"{eq.t}")
        if eq.source == "layer below":
            return Hit(layer=eq.layer - 1, unit=term.index, step=eq.t + 1, quantity="h",
                       value=term.value, note=f"w·x = {part} · click: unit {term.index} of "
                       f"layer {eq.layer} (below)")
        return Hit(layer=eq.layer, step=eq.t + 1, quantity=f"x[{term.index}]", value=term.value,
                   action="", note=f"w·x = {part} ({eq.source})")

    def _states(self, eq: Equations, y: float) -> list[tuple]:
        i, f, g, o = (eq.gates[a].value for a in GATES)
        cell, hidden = colors.text_color(colors.CELL), colors.text_color(colors.HIDDEN)
        c_terms = f"{f:.4f} × {eq.c_prev:+.4f} + {i:.4f} × {g:+.4f}"
        h_terms = f"{o:.4f} × tanh({eq.c:+.4f})"
        if self.wide:
            c_line = f"c = f·c_t-1 + i·g = {c_terms} = {eq.c:+.4f}"
            h_line = f"h = o·tanh(c) = {h_terms} = {eq.h:+.4f}"
            lines = [(c_line, cell, "c", eq.c), (h_line, hidden, "h", eq.h)]
        else:  # each result first, its terms on the next row
            lines = [(f"c = f·c_t-1 + i·g = {eq.c:+.4f}", cell, "c", eq.c),
                     (f"  = {c_terms}", cell, "", 0.0),
                     (f"h = o·tanh(c) = {eq.h:+.4f}", hidden, "h", eq.h),
                     (f"  = {h_terms}", hidden, "", 0.0)]
        out = []
        for k, (line, ink, q, v) in enumerate(lines):
            yy = y + k * STATE_LINE
            if not q:
                out.append(label(line, PAD, yy, ink, SIZE_MAIN))
                continue
            out.append(label(line, PAD, yy, ink, 13, bold=True))
            self.boxes.add(PAD, yy - STATE_LINE + 4, text_width(line, 13), STATE_LINE, Hit(
                layer=eq.layer, unit=eq.unit, step=eq.t + 1, quantity=q, value=v, action="",
                note=f"= {v!r}" + (f" · c_t-1 = {eq.c_prev!r}" if q == "c" else "")))
        return out

    # -- pointing --------------------------------------------------------------------------
    def hit(self, x: float, y: float) -> Hit | None:
        """What the last draw put at (x, y): a number (hover), a term (a link), or None."""
        return self.boxes.at(x, y)

