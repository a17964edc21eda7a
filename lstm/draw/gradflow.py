"""The gradient-flow panel: how strongly c_T of the focused unit depends on every earlier
cell state of its layer, beside the product of its forget gates.

T and u are the flow's (the page's default: the focused step and unit). The heatmap has a
column per step t <= T and a row per unit j: the
exact gradient d c_T[u] / d c_t[j] through every path (`lstm.analysis.gradflow`), on a signed
log scale (white below 10^-DECADES of the largest, the cell's purple for positive and grey for
negative, full colour at the largest magnitude), the focused unit's row outlined. Under it, on
the same time axis: the unit's own gradient d c_T[u] / d c_t[u] (purple) against the product
of its forget gates after t (orange): the cell path alone. Where they part, memory travels
through h and the gates.

    GradflowPanel(width, height).draw(canvas, data, focus)
        data.trace, data.tokens, data.flow (an analysis.gradflow.Flow, or None: no unit focused)
    .hit(x, y) -> Hit | None
"""

from __future__ import annotations

import numpy as np

from .. import colors
from ..analysis.gradflow import Flow
from ..focus import Focus, Hit
from .canvas import Canvas, draw_placeholder, fit_text, label, rect_path, text_width
from .heatmap import fit
from .lanes import SMALL, TITLE_SIZE, Lane, TimeAxis, hit_step, step_labels

SIZE = (900, 400)
DECADES = 4  # the log scale spans this many powers of ten below the largest gradient
PLACEHOLDER = "How far back each cell state reaches will appear here"
LEGEND_W = 120
NARROW = 600  # CSS px: below it the legend and the lane's two labels take rows of their own


def signed_log(v: np.ndarray, top: float) -> np.ndarray:
    """v mapped to -1..1: sign(v) times its magnitude in decades above top * 10^-DECADES, so
    +-top -> +-1 and anything below top * 10^-DECADES -> 0."""
    with np.errstate(divide="ignore"):
        mag = (np.log10(np.abs(v) / top) + DECADES) / DECADES
    return np.sign(v) * np.clip(np.nan_to_num(mag, neginf=0.0), 0.0, 1.0)


class GradflowPanel:
    """The heatmap of d c_T[u] / d c_t[j] and the forget-product lane."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self._flow = None  # the flow the heatmap image belongs to
        self._hits: dict = {}
        self.axis: TimeAxis | None = None
        self.cmap = colors.diverging(colors.CELL)

    def _use(self, flow: Flow) -> None:
        if flow is self._flow:
            return
        self.dc, self.fprod = flow.dc, flow.fprod
        self.top = float(np.abs(self.dc).max())  # >= 1: row T holds the one-hot
        self._flow, self._image = flow, None

    def _heatmap(self, steps: int, H: int) -> bytes:
        """The image (rows = units, columns = steps of the whole text; after T: empty)."""
        if self._image is None:
            full = np.zeros((steps, H))
            full[: len(self.dc)] = signed_log(self.dc, self.top)
            full = full.T
            # Means where the image has fewer pixels than values, then colours, then repeats
            # where it has more: the same pixels as colouring the fitted image, fewer to colour.
            shape = (self.ih, self.axis.iw)
            for axis in (0, 1):
                if full.shape[axis] > shape[axis]:
                    full = fit(full, shape[axis], axis)
            rgba = self.cmap(full)
            for axis in (0, 1):
                if rgba.shape[axis] < shape[axis]:
                    rgba = fit(rgba, shape[axis], axis)
            reached = int(self.axis.edges[len(self.dc)])
            rgba[:, reached:] = [*colors.rgb(colors.EMPTY), 255]
            self._image = rgba.tobytes()
        return self._image

    def draw(self, canvas: Canvas, data, focus: Focus) -> None:
        self._hits = {}
        trace = data.trace
        if trace is None:
            draw_placeholder(canvas, PLACEHOLDER)
            return
        flow = data.flow
        if flow is None:
            draw_placeholder(canvas, "Focus a unit and a step to see how far back its cell "
                                     "state reaches")
            return
        steps, H = trace.steps, trace.layers[0].h.shape[1]
        T, u, layer = flow.step, flow.unit, flow.layer
        self._use(flow)
        ax = self.axis = TimeAxis(self.width, steps)
        self.narrow = self.width < NARROW  # the legend and the lane's labels on rows of their own
        self.row = 18 if self.narrow else 0
        self.map_top = 40 + self.row
        self.ih = max(8, int((self.height - 110 - 2 * self.row) * 0.6))
        canvas.fill_rect(0, 0, self.width, self.height, colors.PAPER)
        canvas.put_rgba(ax.x0, self.map_top, ax.iw, self.ih, self._heatmap(steps, H))
        row_h = self.ih / H
        canvas.stroke_path(rect_path(ax.x0 - 1, self.map_top + u * row_h - 1, ax.iw + 2,
                                     row_h + 2), colors.INK, 2.0)
        lane_top = self.map_top + self.ih + 26 + self.row
        lane_bottom = self.height - 40
        limit = max(1.0, float(np.abs(self.dc[:, u]).max()))
        lane = Lane(lane_top, lane_bottom, min(0.0, float(self.dc[:, u].min())), limit)
        canvas.stroke_path(lane.frame(ax), colors.RULE, 1.0, (5, 5))
        canvas.stroke_path(ax.line(self.fprod, lane), colors.FORGET, 1.5)
        canvas.stroke_path(ax.line(self.dc[:, u], lane), colors.CELL, 1.5)
        canvas.stroke_path(ax.marker(T, self.map_top, lane_bottom), colors.INK, 1.0)
        legend = self.cmap(np.linspace(-1, 1, LEGEND_W))[None].repeat(8, axis=0)
        self.legend_x = ax.x1 - LEGEND_W - 60
        canvas.put_rgba(self.legend_x, 8 + self.row, LEGEND_W, 8, legend.tobytes())
        labels = self._labels(data, layer, u, T, H, row_h, lane)
        canvas.texts(labels)
        self._hits = {"tokens": data.tokens, "layer": layer, "unit": u, "T": T, "lane": lane,
                      "row_h": row_h, "H": H}

    def _labels(self, data, layer: int, u: int, T: int, H: int, row_h: float,
                lane: Lane) -> list[tuple]:
        ax, top = self.axis, self.map_top
        lo = f"{self.top * 10 ** -DECADES:.0e}"
        row = self.row
        room = self.width - 16 if self.narrow else self.legend_x - 60
        title = fit_text([f"Gradient flow: d c_{T + 1}[{u}] / d c_t[j]", "through every path",
                          "for each earlier step t and unit j"], room, TITLE_SIZE)
        cell = fit_text([f"unit {u}: d c_{T + 1}[{u}] / d c_t[{u}]", "every path"],
                        ax.iw, SMALL)
        forget = ("forget gates' product after t" if self.narrow else
                  "product of its forget gates after t: the cell path alone")
        items = [
            label(title, 8, 14, colors.INK, TITLE_SIZE, bold=True),
            label(f"-{self.top:.3g}", self.legend_x - 4, 12 + row, colors.MUTED, SMALL,
                  align="right", baseline="middle"),
            label(f"+{self.top:.3g}", self.legend_x + LEGEND_W + 4, 12 + row, colors.MUTED,
                  SMALL, baseline="middle"),
            label(f"log scale, white below {lo}", self.legend_x + LEGEND_W / 2, 30 + row,
                  colors.MUTED, SMALL, align="center"),
            label("unit 0", ax.x0 - 6, top + min(row_h, 12) / 2, colors.MUTED, SMALL,
                  align="right", baseline="middle"),
            label(f"unit {H - 1}", ax.x0 - 6, top + self.ih - min(row_h, 12) / 2, colors.MUTED,
                  SMALL, align="right", baseline="middle"),
            label(cell, ax.x0, lane.top - 4 - row, colors.text_color(colors.CELL), SMALL,
                  bold=True),
            label(forget, ax.x0 + (0 if self.narrow else 330), lane.top - 4,
                  colors.text_color(colors.FORGET), SMALL, bold=True),
            *lane.scale_labels(ax),
        ]
        note = f"steps after {T + 1}: not part of c_{T + 1}"
        if ax.x1 - ax.x(T) > text_width(note, SMALL) + 16:
            items.append(label(note, ax.x1 - 4,
                               top + self.ih / 2, colors.MUTED, SMALL, align="right",
                               baseline="middle"))
        return items + step_labels(ax, data.tokens, T, self.height - 14)

    def hit(self, x: float, y: float) -> Hit | None:
        """A heatmap cell: d c_T[u] / d c_t[j] at (t, j); the lane: u's own gradient and its
        forget product at t. Readouts only: a click does nothing (it would move the target)."""
        t = hit_step(self._hits, self.axis, x)
        h = self._hits
        if t is None or t > h["T"]:
            return None
        token, T, u = h["tokens"][t], h["T"], h["unit"]
        if self.map_top <= y < self.map_top + self.ih:
            j = min(int((y - self.map_top) // h["row_h"]), h["H"] - 1)
            return Hit(layer=h["layer"], unit=j, step=t + 1, quantity="dc",
                       value=float(self.dc[t, j]), token=token, action="",
                       note=f"d c_{T + 1}[{u}] / d c_{t + 1}[{j}]")
        if h["lane"].contains(y):
            return Hit(layer=h["layer"], unit=u, step=t + 1, quantity="dc",
                       value=float(self.dc[t, u]), token=token, action="",
                       note=f"forget product {self.fprod[t]:.4f}")
        return None
