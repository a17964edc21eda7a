"""The LSTM cell diagram with the live values of the current step.

    c_{t-1} ──(×)──────(+)──────────┬──▶ c_t          c_t = f·c_{t-1} + i·g
               │        │          tanh
               │       (×)─┐        │                 h_t = o·tanh(c_t)
               │        │  │  ┌──▶ (×)───▶ h_t
             [ f ]    [ i ] [ g ] [ o ]
    h_{t-1} ───┴────────┴─────┴─────┴        (x_t joins h_{t-1} from below)

Gate boxes are filled with their colour map at the gate's value (σ for f, i, o; tanh for g)
and show the number with two decimals, for one unit or the mean over units. The drawing is
laid out on a 900 x 300 grid scaled to the canvas; circles are polygons.
"""

from dataclasses import dataclass

import numpy as np

from .. import colors
from ..focus import Focus, Hit
from .canvas import Canvas, circle_points, label, paths, rect_path

W0, H0 = 900, 300
HIGHWAY, OPS, BOXES, BUS = 62, 122, 192, 262  # rows of the grid
R = 13  # op circle radius
BOX_W, BOX_H = 110, 46
GATE_X = {"f": 240, "i": 380, "g": 515, "o": 650}
ROLES = {"f": "forget  σ", "i": "input  σ", "g": "candidate  tanh", "o": "output  σ"}
X_IN, X_TANH, X_END = 170, 760, 800
IG = (GATE_X["i"] + GATE_X["g"]) / 2 - 18  # the i·g op, under the + op


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


def _wires() -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Grey wires and their arrowheads, in grid coordinates."""
    fx, ix, gx, ox = (GATE_X[k] for k in "figo")
    top, bottom = BOXES - BOX_H / 2, BOXES + BOX_H / 2
    ig = IG
    wires = [
        [(120, BUS), (ox, BUS)],  # h_{t-1} and x_t feed every gate
        [(X_IN, 282), (X_IN, BUS)],
        *[[(x, BUS), (x, bottom)] for x in (fx, ix, gx, ox)],
        [(fx, top), (fx, HIGHWAY + R)],
        [(ix, top), (ix, OPS), (ig - R, OPS)],
        [(gx, top), (gx, OPS), (ig + R, OPS)],
        [(ig, OPS - R), (ig, HIGHWAY + R)],
        [(X_TANH, HIGHWAY), (X_TANH, OPS - R)],
        [(X_TANH, OPS + R), (X_TANH, BOXES - R)],
        [(ox + BOX_W / 2, BOXES), (X_TANH - R, BOXES)],
        [(X_TANH, BOXES + R), (X_TANH, BUS), (X_END, BUS)],
    ]
    heads = [
        *[_arrow((x, bottom), (0, -1)) for x in (fx, ix, gx, ox)],
        _arrow((fx, HIGHWAY + R), (0, -1)), _arrow((ig - R, OPS), (1, 0)),
        _arrow((ig + R, OPS), (-1, 0)), _arrow((ig, HIGHWAY + R), (0, -1)),
        _arrow((X_TANH, OPS - R), (0, 1)), _arrow((X_TANH, BOXES - R), (0, 1)),
        _arrow((X_TANH - R, BOXES), (1, 0)), _arrow((X_END, BUS), (1, 0)),
        _arrow((X_END, HIGHWAY), (1, 0)),
    ]
    return [np.array(w, float) for w in wires], heads


def _ops() -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Op circles and their × / + strokes, in grid coordinates; tanh is a labelled circle."""
    ig = IG
    times = [(GATE_X["f"], HIGHWAY), (ig, OPS), (X_TANH, BOXES)]
    circles = [circle_points(x, y, R, 40) for x, y in [*times, (ig, HIGHWAY), (X_TANH, OPS)]]
    k = R * 0.45
    marks = [np.array([(x - k, y - k), (x + k, y + k)]) for x, y in times]
    marks += [np.array([(x + k, y - k), (x - k, y + k)]) for x, y in times]
    marks += [np.array([(ig - k * 1.3, HIGHWAY), (ig + k * 1.3, HIGHWAY)]),
              np.array([(ig, HIGHWAY - k * 1.3), (ig, HIGHWAY + k * 1.3)])]
    return circles, marks


class CellDiagram:
    """The diagram on a canvas of one size; the static geometry's path strings are cached."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.values: CellValues | None = None  # what the last draw showed, for hit()
        self.focus: Focus | None = None
        self.s = min(width / W0, height / H0)
        self.dx, self.dy = (width - W0 * self.s) / 2, (height - H0 * self.s) / 2
        wires, heads = _wires()
        circles, marks = _ops()
        self.wire_d = paths([self.xy(w) for w in wires])
        self.head_d = paths([self.xy(h) for h in heads], close=True)
        stops = [110, GATE_X["f"] - R, GATE_X["f"] + R, IG - R, IG + R, X_END]
        self.highway_d = paths([self.xy(np.array([(a, HIGHWAY), (b, HIGHWAY)], float))
                                for a, b in zip(stops[::2], stops[1::2], strict=True)])
        self.ops_d = paths([self.xy(c) for c in circles], close=True)
        self.ops_d += paths([self.xy(m) for m in marks])
        self.box_d = {}
        for g, x in GATE_X.items():
            corner = self.xy(np.array([[x - BOX_W / 2, BOXES - BOX_H / 2]]))[0]
            self.box_d[g] = rect_path(float(corner[0]), float(corner[1]), BOX_W * self.s,
                                      BOX_H * self.s)

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
        canvas.fill_rect(0, 0, self.width, self.height, colors.PAPER)
        canvas.stroke_path(self.wire_d, colors.MUTED, 1.5)
        canvas.stroke_path(self.highway_d, colors.CELL, 4.0)
        canvas.stroke_path(self.ops_d, colors.AXIS, 1.5)
        canvas.fill_path(self.head_d, colors.MUTED)
        labels = [label("tanh", *self.at(X_TANH, OPS), colors.AXIS, 10, align="center",
                        baseline="middle")]

        def num(v: float, signed: bool = True) -> str:
            v = round(v, 2) + 0.0  # no "-0.00"
            return "–" if values is None else f"{v:+.2f}" if signed else f"{v:.2f}"

        for g, x in GATE_X.items():
            v = None if values is None else getattr(values, g)
            fill = colors.PAPER if v is None else colors.gate_map(g).color(v)
            canvas.fill_path(self.box_d[g], fill)
            ink = colors.ink_on(fill)
            labels.append(label(ROLES[g], *self.at(x, BOXES - 9), ink, 11, align="center",
                                baseline="middle"))
            labels.append(label(f"{g} = {num(v or 0.0, signed=g == 'g')}",
                                *self.at(x, BOXES + 10), ink, 13, align="center",
                                baseline="middle", bold=True))
        canvas.stroke_path("".join(self.box_d.values()), colors.AXIS, 1.0)
        vals = values or CellValues(*[0.0] * 10)
        state_labels = [  # (s, grid x, grid y, align, colour)
            (f"cₜ₋₁ {num(vals.c_prev)}", 104, HIGHWAY, "right", colors.text_color(colors.CELL)),
            (f"cₜ {num(vals.c)}", X_END + 8, HIGHWAY, "left", colors.text_color(colors.CELL)),
            (f"hₜ₋₁ {num(vals.h_prev)}", 114, BUS, "right", colors.text_color(colors.HIDDEN)),
            (f"hₜ {num(vals.h)}", X_END + 8, BUS, "left", colors.text_color(colors.HIDDEN)),
            (f"f·cₜ₋₁ {num(vals.kept)}", (GATE_X["f"] + X_TANH) / 2 - 150,
             HIGHWAY - 16, "center", colors.MUTED),
            (f"i·g {num(vals.written)}", IG - R - 4, OPS - 14, "right", colors.MUTED),
            (f"xₜ {token}", X_IN, 292, "center", colors.INK),
        ]
        labels += [label(s, *self.at(x, y), color, 12, align=align, baseline="middle")
                   for s, x, y, align, color in state_labels]
        labels.append(label(caption, *self.at(8, 14), colors.INK, 12, baseline="middle",
                            bold=True))
        canvas.texts(labels)  # last: every label above the box fills and the wires


    def hit(self, x: float, y: float) -> Hit | None:
        """The gate box or state value under (x, y), with its value at the focus; None
        elsewhere and before the first step."""
        if self.values is None or self.focus is None:
            return None
        gx, gy = (x - self.dx) / self.s, (y - self.dy) / self.s
        where = {"layer": self.focus.layer, "unit": self.focus.unit, "step": self.focus.step}
        note = "" if self.focus.unit is not None else "mean over units"
        for g, cx in GATE_X.items():
            if abs(gx - cx) <= BOX_W / 2 and abs(gy - BOXES) <= BOX_H / 2:
                return Hit(gate=g, value=getattr(self.values, g), note=note, **where)
        states = {"c_prev": (20, 104, HIGHWAY), "c": (X_END, X_END + 90, HIGHWAY),
                  "h_prev": (20, 114, BUS), "h": (X_END, X_END + 90, BUS)}
        for name, (a, b, row) in states.items():
            if a <= gx <= b and abs(gy - row) <= 10:
                return Hit(quantity=name, value=getattr(self.values, name), note=note, **where)
        return None
