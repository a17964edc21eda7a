"""The LSTM cell diagram with the live values of the current step.

    c_{t-1} ──(×)──────(+)──────────┬──▶ c_t          c_t = f·c_{t-1} + i·g
               │        │         [tanh]
               │       (×)─┐        │                 h_t = o·tanh(c_t)
               │        │  │  ┌──▶ (×)───▶ h_t
             [ f ]    [ i ] [ g ] [ o ]
    h_{t-1} ───┴────────┴─────┴─────┘
                 x_t = 'a'  (joins h_{t-1} from below)

Gate boxes are filled with their colour map at the gate's value (σ for f, i, o; tanh for g)
and show the number with two decimals, for one unit or the mean over units; a key says what
g's grey and violet mean. The drawing is laid out on a grid scaled to the canvas (circles are
polygons) while the text keeps its size: a wide grid with the states' values at the sides, and
below WIDE px a narrow one, the same cell with the values above and below its lines.
"""

from dataclasses import dataclass

import numpy as np

from .. import colors
from ..focus import Focus, Hit
from .canvas import Canvas, circle_points, label, paths, rect_path, text_width, wrap_text

WIDE = 600  # CSS px: narrower canvases get the narrow grid
R = 13  # op circle radius
TANH_W, TANH_H = 40, 20  # the tanh box on the way from c_t to h_t
ROLES = {"f": "forget", "i": "input", "g": "candidate", "o": "output"}
ACTIVATIONS = {"f": "σ", "i": "σ", "g": "tanh", "o": "σ"}
G_KEY = "g: grey < 0 < violet"


@dataclass(frozen=True)
class Grid:
    """Where everything sits, in grid units (scaled to the canvas, text excepted)."""

    w: int
    h: int
    highway: float  # the cell state's line
    ops: float  # the row of the i·g product and the tanh box
    boxes: float  # the gate boxes' centres
    bus: float  # h_{t-1} and x_t, feeding every gate
    gate_x: dict
    box_w: float
    box_h: float
    start: float  # where the highway and the bus begin
    x_in: float  # x_t's wire
    x_tanh: float
    x_end: float  # where c_t and h_t leave
    ig: float  # the i·g product, under the + op
    token_y: float  # the input token's label
    caption_lines: int  # the caption may wrap to this many lines

    def state_places(self) -> dict[str, tuple[float, float, str]]:
        """Where each state's label goes: (x, y, align)."""
        if self is WIDE_GRID:
            return {"c_prev": (self.start - 6, self.highway, "right"),
                    "c": (self.x_end + 8, self.highway, "left"),
                    "h_prev": (self.start - 6, self.bus, "right"),
                    "h": (self.x_end + 8, self.bus, "left"),
                    "kept": ((self.gate_x["f"] + self.ig) / 2, self.highway - 16, "center"),
                    "written": (self.ig - R - 4, self.ops - 14, "right")}
        return {"c_prev": (self.start, self.highway - 24, "left"),  # above the × op
                "c": (self.x_end, self.highway - 24, "right"),
                "h_prev": (self.start, self.bus + 14, "left"),
                "h": (self.x_end, self.bus + 14, "right"),
                "kept": (self.gate_x["f"] + R + 6, self.highway + 14, "left"),
                "written": (self.ig + R + 4, self.ops - 12, "left")}


WIDE_GRID = Grid(w=900, h=300, highway=62, ops=122, boxes=186, bus=246,
                 gate_x={"f": 240, "i": 380, "g": 515, "o": 650}, box_w=110, box_h=46,
                 start=110, x_in=170, x_tanh=760, x_end=800, ig=(380 + 515) / 2 - 18,
                 token_y=284, caption_lines=1)
NARROW_GRID = Grid(w=340, h=330, highway=70, ops=124, boxes=188, bus=250,
                   gate_x={"f": 40, "i": 114, "g": 188, "o": 262}, box_w=70, box_h=46,
                   start=6, x_in=76, x_tanh=316, x_end=330, ig=151, token_y=306,
                   caption_lines=2)


def grid_for(width: int) -> Grid:
    return WIDE_GRID if width >= WIDE else NARROW_GRID


def height_for(width: int) -> int:
    """The canvas height (CSS px) the diagram wants at `width`: its grid's, scaled (the narrow
    grid at most 1.3 times, so a mid-sized canvas does not grow a giant diagram)."""
    g = grid_for(width)
    if g is WIDE_GRID:
        return min(340, round(g.h * width / g.w) + 40)
    return round(g.h * min(width / g.w, 1.3))


@dataclass
class CellValues:
    """The numbers shown for one step: gates, previous and new states, and the two terms of
    c = f·c_prev + i·g (floats). Over units each is a mean, so kept + written = c still holds."""

    i: float
    f: float
    g: float
    o: float
    c_prev: float
    c: float
    h_prev: float
    h: float
    kept: float  # f·c_prev
    written: float  # i·g


def cell_values(layer, step: int, unit: int | None) -> CellValues | None:
    """Values of the step-th token (1-based) for a unit, or the mean over units; None at 0."""
    if step <= 0:
        return None
    t = step - 1

    def at(a: np.ndarray) -> float:
        return float(a[unit]) if unit is not None else float(np.mean(a))

    c_prev = layer.c[t - 1] if t > 0 else layer.c0
    h_prev = layer.h[t - 1] if t > 0 else layer.h0
    i, f, g = layer.i[t], layer.f[t], layer.g[t]
    return CellValues(at(i), at(f), at(g), at(layer.o[t]), at(c_prev), at(layer.c[t]),
                      at(h_prev), at(layer.h[t]), kept=at(f * c_prev), written=at(i * g))


def _arrow(tip: tuple[float, float], direction: tuple[float, float]) -> np.ndarray:
    """A small arrowhead triangle (3, 2) pointing along direction."""
    d = np.array(direction, float)
    d /= np.hypot(*d)
    n = np.array([-d[1], d[0]])
    t = np.array(tip, float)
    return np.array([t, t - 8 * d + 4 * n, t - 8 * d - 4 * n])


def _wires(g: Grid) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Grey wires and their arrowheads, in grid coordinates."""
    fx, ix, gx, ox = (g.gate_x[k] for k in "figo")
    top, bottom = g.boxes - g.box_h / 2, g.boxes + g.box_h / 2
    ig, xt = g.ig, g.x_tanh
    wires = [
        [(g.start, g.bus), (ox, g.bus)],  # h_{t-1} and x_t feed every gate
        [(g.x_in, g.token_y - 12), (g.x_in, g.bus)],
        *[[(x, g.bus), (x, bottom)] for x in (fx, ix, gx, ox)],
        [(fx, top), (fx, g.highway + R)],
        [(ix, top), (ix, g.ops), (ig - R, g.ops)],
        [(gx, top), (gx, g.ops), (ig + R, g.ops)],
        [(ig, g.ops - R), (ig, g.highway + R)],
        [(xt, g.highway), (xt, g.ops - TANH_H / 2)],
        [(xt, g.ops + TANH_H / 2), (xt, g.boxes - R)],
        [(ox + g.box_w / 2, g.boxes), (xt - R, g.boxes)],
        [(xt, g.boxes + R), (xt, g.bus), (g.x_end, g.bus)],
    ]
    heads = [
        *[_arrow((x, bottom), (0, -1)) for x in (fx, ix, gx, ox)],
        _arrow((fx, g.highway + R), (0, -1)), _arrow((ig - R, g.ops), (1, 0)),
        _arrow((ig + R, g.ops), (-1, 0)), _arrow((ig, g.highway + R), (0, -1)),
        _arrow((xt, g.ops - TANH_H / 2), (0, 1)), _arrow((xt, g.boxes - R), (0, 1)),
        _arrow((xt - R, g.boxes), (1, 0)),
        _arrow((g.x_end, g.bus), (1, 0)),
        _arrow((g.x_end, g.highway), (1, 0)),
    ]
    return [np.array(w, float) for w in wires], heads


def _ops(g: Grid) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Op circles and their × / + strokes, in grid coordinates."""
    times = [(g.gate_x["f"], g.highway), (g.ig, g.ops), (g.x_tanh, g.boxes)]
    circles = [circle_points(x, y, R, 40) for x, y in [*times, (g.ig, g.highway)]]
    k = R * 0.45
    marks = [np.array([(x - k, y - k), (x + k, y + k)]) for x, y in times]
    marks += [np.array([(x + k, y - k), (x - k, y + k)]) for x, y in times]
    marks += [np.array([(g.ig - k * 1.3, g.highway), (g.ig + k * 1.3, g.highway)]),
              np.array([(g.ig, g.highway - k * 1.3), (g.ig, g.highway + k * 1.3)])]
    return circles, marks


class CellDiagram:
    """The diagram on a canvas of one size; the static geometry's path strings are cached."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.values: CellValues | None = None  # what the last draw showed, for hit()
        self.focus: Focus | None = None
        g = self.grid = grid_for(width)
        self.s = min(width / g.w, height / g.h)
        self.dx, self.dy = (width - g.w * self.s) / 2, (height - g.h * self.s) / 2
        wires, heads = _wires(g)
        circles, marks = _ops(g)
        self.wire_d = paths([self.xy(w) for w in wires])
        self.head_d = paths([self.xy(h) for h in heads], close=True)
        fx = g.gate_x["f"]
        stops = [g.start, fx - R, fx + R, g.ig - R, g.ig + R, g.x_end]
        self.highway_d = paths([self.xy(np.array([(a, g.highway), (b, g.highway)], float))
                                for a, b in zip(stops[::2], stops[1::2], strict=True)])
        self.ops_d = paths([self.xy(c) for c in circles], close=True)
        self.ops_d += paths([self.xy(m) for m in marks])
        x, y = self.at(g.x_tanh - TANH_W / 2, g.ops - TANH_H / 2)
        self.ops_d += rect_path(x, y, TANH_W * self.s, TANH_H * self.s)
        self.box_d = {}
        for k, gx in g.gate_x.items():
            x, y = self.at(gx - g.box_w / 2, g.boxes - g.box_h / 2)
            self.box_d[k] = rect_path(x, y, g.box_w * self.s, g.box_h * self.s)
        # the gate's role and activation while they fit in its box, else the role alone
        room = g.box_w * self.s - 6
        self.roles = {k: f"{r}  {ACTIVATIONS[k]}" if text_width(f"{r}  {ACTIVATIONS[k]}", 11)
                      * 0.9 <= room else r for k, r in ROLES.items()}
        self.value_size = 13 if text_width("g = -1.00", 13) * 0.95 <= room else 12

    def xy(self, p: np.ndarray) -> np.ndarray:
        """Grid coordinates (N, 2) to canvas coordinates."""
        return np.asarray(p, float) * self.s + [self.dx, self.dy]

    def at(self, x: float, y: float) -> tuple[float, float]:
        return round(x * self.s + self.dx, 1), round(y * self.s + self.dy, 1)

    def draw(self, canvas: Canvas, data: tuple, focus: Focus | None) -> None:
        """The diagram of data = (values, token, caption): the values at the focus (None:
        before the first step), the input token written under x_t, and a caption."""
        values, token, caption = data
        self.values, self.focus = values, focus
        g = self.grid
        canvas.fill_rect(0, 0, self.width, self.height, colors.PAPER)
        canvas.stroke_path(self.wire_d, colors.MUTED, 1.5)
        canvas.stroke_path(self.highway_d, colors.CELL, 4.0)
        canvas.fill_path(self.head_d, colors.MUTED)
        labels = [label("tanh", *self.at(g.x_tanh, g.ops), colors.AXIS, 11, align="center",
                        baseline="middle")]

        def num(v: float, signed: bool = True) -> str:
            v = round(v, 2) + 0.0  # no "-0.00"
            return "–" if values is None else f"{v:+.2f}" if signed else f"{v:.2f}"

        for k, x in g.gate_x.items():
            v = None if values is None else getattr(values, k)
            fill = colors.PAPER if v is None else colors.gate_map(k).color(v)
            canvas.fill_path(self.box_d[k], fill)
            ink = colors.ink_on(fill)
            labels.append(label(self.roles[k], *self.at(x, g.boxes - 10), ink, 11,
                                align="center", baseline="middle"))
            labels.append(label(f"{k} = {num(v or 0.0, signed=k == 'g')}",
                                *self.at(x, g.boxes + 10), ink, self.value_size, align="center",
                                baseline="middle", bold=True))
        canvas.stroke_path("".join(self.box_d.values()) + self.ops_d, colors.AXIS, 1.5)
        vals = values or CellValues(*[0.0] * 10)
        cell, hidden = colors.text_color(colors.CELL), colors.text_color(colors.HIDDEN)
        texts = {"c_prev": (f"cₜ₋₁ {num(vals.c_prev)}", cell),
                 "c": (f"cₜ {num(vals.c)}", cell),
                 "h_prev": (f"hₜ₋₁ {num(vals.h_prev)}", hidden),
                 "h": (f"hₜ {num(vals.h)}", hidden),
                 "kept": (f"f·cₜ₋₁ {num(vals.kept)}", colors.MUTED),
                 "written": (f"i·g {num(vals.written)}", colors.MUTED)}
        for name, (x, y, align) in g.state_places().items():
            s, color = texts[name]
            size = 11 if name in ("kept", "written") else 12  # the terms, under the states
            labels.append(label(s, *self.at(x, y), color, size, align=align, baseline="middle"))
        labels.append(label(f"xₜ {token}" if token else "xₜ", *self.at(g.x_in, g.token_y),
                            colors.INK, 13, align="center", baseline="middle", bold=True))
        key_x, key_y = self.at(g.gate_x["o"] + g.box_w / 2, g.token_y)
        labels.append(label(G_KEY, key_x, key_y, colors.MUTED, 11, align="right",
                            baseline="middle"))
        lines = wrap_text(caption.split(" · "), self.width - 16, 12, " · ", g.caption_lines)
        labels += [label(s, 8, 12 + 16 * k, colors.INK, 12, baseline="middle", bold=True)
                   for k, s in enumerate(lines)]
        canvas.texts(labels)  # last: every label above the box fills and the wires

    def hit(self, x: float, y: float) -> Hit | None:
        """The gate box or state value under (x, y), with its value at the focus; None
        elsewhere and before the first step."""
        if self.values is None or self.focus is None:
            return None
        g = self.grid
        gx, gy = (x - self.dx) / self.s, (y - self.dy) / self.s
        where = {"layer": self.focus.layer, "unit": self.focus.unit, "step": self.focus.step}
        note = "" if self.focus.unit is not None else "mean over units"
        for k, cx in g.gate_x.items():
            if abs(gx - cx) <= g.box_w / 2 and abs(gy - g.boxes) <= g.box_h / 2:
                return Hit(gate=k, value=getattr(self.values, k), note=note, **where)
        for name, (sx, sy, align) in g.state_places().items():
            if name in ("kept", "written"):
                continue
            w = 90 / self.s  # a label's reach, in grid units
            a = sx - w if align == "right" else sx if align == "left" else sx - w / 2
            if a <= gx <= a + w and abs(gy - sy) <= 10 / self.s:
                return Hit(quantity=name, value=getattr(self.values, name), note=note, **where)
        return None
