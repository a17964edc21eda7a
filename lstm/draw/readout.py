"""The hover readout: a small card near the pointer naming what is under it.

Drawn on a panel's overlay canvas (a transparent canvas stacked over the panel), so showing,
moving or hiding it never redraws the panel: one clear, one fill, one stroke, one texts call.
The card sits below-right of the pointer and flips left or up to stay inside the canvas.
"""

from .. import colors
from .canvas import Canvas, label, rect_path, text_width

SIZE, LINE, PAD, GAP = 12, 16, 6, 14  # font px, line height, inner padding, pointer offset


def card_box(width: int, height: int, x: float, y: float, lines: list[str]
             ) -> tuple[float, float, float, float]:
    """(left, top, w, h) of the card for `lines` at pointer (x, y) on a width x height canvas:
    flipped to stay inside, and clamped when it is larger than the room on either side."""
    w = max(text_width(s, SIZE) for s in lines) * 0.92 + 2 * PAD
    h = LINE * len(lines) + 2 * PAD - 4
    left = x + GAP if x + GAP + w <= width else x - GAP - w
    top = y + GAP if y + GAP + h <= height else y - GAP - h
    return (min(max(left, 0.0), max(width - w, 0.0)), min(max(top, 0.0), max(height - h, 0.0)),
            w, h)


def draw_readout(canvas: Canvas, x: float, y: float, lines: list[str]) -> None:
    """The card for `lines` near (x, y); nothing but a clear when there are no lines."""
    canvas.clear()
    if not lines:
        return
    x, y = float(x), float(y)
    left, top, w, h = card_box(canvas.width, canvas.height, x, y, lines)
    box = rect_path(round(left, 1), round(top, 1), round(w, 1), round(h, 1))
    canvas.fill_path(box, colors.rgba(colors.PAPER, 0.96))
    canvas.stroke_path(box, colors.AXIS, 1.0)
    canvas.texts([label(s, round(left + PAD, 1), round(top + PAD + LINE * k + 8, 1),
                        colors.INK, SIZE, baseline="middle", bold=k == 0)
                  for k, s in enumerate(lines)])
