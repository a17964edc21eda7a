"""The memory panel: what the focused unit's cell kept against what it wrote, and every unit's
memory half-life over the text.

Three lanes share one symmetric scale and the time axis of the heatmaps: kept f·c(t−1)
(orange, the forget gate's colour), written i·g (green, the input gate's) and their sum c
(purple). Under them a strip, one row per unit sorted by median half-life (longest on top):
how many steps the forget gates after each step keep at least half of what the cell holds
(`lstm.analysis.memory`), light for 1 step, full orange for the whole text or more, on a log
scale. The focused unit's row is outlined; the focused step is the marker.

    MemoryPanel(width, height).draw(canvas, data, focus)   data.trace, data.tokens
    .hit(x, y) -> Hit | None
"""

from __future__ import annotations

import numpy as np

from .. import colors
from ..analysis.memory import half_lives, kept_and_written, units_by_half_life
from ..focus import Focus, Hit
from .canvas import Canvas, draw_placeholder, fit_text, label, rect_path
from .heatmap import fit
from .lanes import SMALL, TITLE_SIZE, Lane, TimeAxis, focus_index, hit_step, step_labels

SIZE = (900, 400)  # a good canvas size (CSS pixels)
PLACEHOLDER = "What each cell keeps and writes will appear here"
LANES = (("kept", "kept  f·c(t−1)", colors.FORGET), ("written", "written  i·g", colors.INPUT),
         ("c", "c = kept + written", colors.CELL))
LEGEND_W = 90
LEGEND = colors.sequential(colors.FORGET).legend(LEGEND_W, 8).tobytes()


class MemoryPanel:
    """Kept / written / c lanes for the focused unit and the half-life strip of every unit."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self._trace = None  # the trace (and layer) the cached numbers belong to
        self._hits: dict = {}  # what the last draw put where
        self.axis: TimeAxis | None = None

    def _analyse(self, trace, layer: int) -> None:
        if self._trace is trace and self._layer == layer:
            return
        lt = trace.layers[layer]
        kept, written = kept_and_written(lt)
        self.values = {"kept": kept, "written": written, "c": np.asarray(lt.c)}
        self.half = half_lives(lt.f)
        self.order = units_by_half_life(self.half)
        self._trace, self._layer = trace, layer
        self._strip = None

    def _layout(self, T: int) -> None:
        self.axis = TimeAxis(self.width, T)
        lane_h = max(24, int((self.height - 150) * 0.55) // 3)
        self.lane_tops = [38 + k * (lane_h + 18) for k in range(3)]
        self.lane_h = lane_h
        self.strip_top = self.lane_tops[-1] + lane_h + 30
        self.strip_h = max(8, self.height - 34 - self.strip_top)
        self.legend_x = self.axis.x1 - 80 - LEGEND_W

    def _strip_image(self, H: int) -> bytes:
        """The half-life strip at display size (rows = units in self.order), RGBA bytes."""
        if self._strip is None:
            T = len(self.half)
            s = np.log(np.minimum(self.half, T)) / np.log(max(T, 2))  # 0 (1 step) .. 1 (>= T)
            rows = fit(fit(s[:, self.order].T, self.strip_h, axis=0), self.axis.iw, axis=1)
            self._strip = colors.sequential(colors.FORGET)(rows).tobytes()
        return self._strip

    def draw(self, canvas: Canvas, data, focus: Focus) -> None:
        trace = data.trace
        if trace is None:
            draw_placeholder(canvas, PLACEHOLDER)
            self._hits = {}
            return
        self._analyse(trace, focus.layer)
        T, H = trace.steps, trace.layers[0].h.shape[1]
        self._layout(T)
        ax, unit, step = self.axis, focus.unit, focus_index(focus.step, T)
        canvas.fill_rect(0, 0, self.width, self.height, colors.PAPER)
        labels = []
        lanes = {}
        if unit is None:
            labels.append(label("Focus a unit (click a heatmap row or a chart line) to see what "
                                "its cell kept and wrote", ax.x0, self.lane_tops[1], colors.MUTED,
                                TITLE_SIZE))
        else:
            limit = max(float(np.abs(v[:, unit]).max()) for v in self.values.values())
            zeros = ""
            for (name, title, color), top in zip(LANES, self.lane_tops, strict=True):
                lane = lanes[name] = Lane.signed(top, top + self.lane_h, limit)
                zeros += lane.frame(ax)
                v = self.values[name][:, unit]
                if name != "c":
                    canvas.fill_path(ax.area(v, lane), colors.mix(colors.PAPER, color, 0.35))
                canvas.stroke_path(ax.line(v, lane), color, 1.5)
                labels.append(label(title, ax.x0, top - 4, colors.text_color(color), SMALL,
                                    bold=True))
                labels += lane.scale_labels(ax)
            canvas.stroke_path(zeros, colors.RULE, 1.0, (5, 5))
        canvas.put_rgba(ax.x0, self.strip_top, ax.iw, self.strip_h, self._strip_image(H))
        canvas.put_rgba(self.legend_x, self.height - 26, LEGEND_W, 8, LEGEND)
        row_h = self.strip_h / H
        if unit is not None:
            row = int(np.flatnonzero(self.order == unit)[0])
            canvas.stroke_path(rect_path(ax.x0 - 1, self.strip_top + row * row_h - 1,
                                         ax.iw + 2, row_h + 2), colors.INK, 2.0)
        if step is not None:
            bottom = self.strip_top + self.strip_h
            canvas.stroke_path(ax.marker(step, self.lane_tops[0], bottom), colors.INK, 1.0)
        labels += self._strip_labels(H, row_h)
        labels += step_labels(ax, data.tokens, step, self.height - 8)
        who = "" if unit is None else f"unit {unit}" + (
            f", layer {focus.layer + 1}" if len(trace.layers) > 1 else "")
        title = fit_text([f"Memory of {who or 'a unit'}", "what the cell kept and what it wrote",
                          "they add up to c"], self.width - 16, TITLE_SIZE)
        labels.append(label(title, 8, 14, colors.INK, TITLE_SIZE, bold=True))
        canvas.texts(labels)
        self._hits = {"trace": trace, "tokens": data.tokens, "layer": focus.layer, "unit": unit,
                      "lanes": lanes, "row_h": row_h}

    def _strip_labels(self, H: int, row_h: float) -> list[tuple]:
        ax, top = self.axis, self.strip_top
        T = len(self.half)
        note = fit_text(["memory half-life", "steps until the product of the next forget gates "
                         "falls below 0.5", "units sorted by median, longest on top"],
                        self.width - ax.x0 - 4, SMALL)
        items = [label(note, ax.x0, top - 8, colors.INK, SMALL)]
        if row_h >= SMALL:
            items += [label(str(u), ax.x0 - 6, top + (r + 0.5) * row_h, colors.MUTED, SMALL,
                            align="right", baseline="middle") for r, u in enumerate(self.order)]
        else:
            items += [label(f"unit {self.order[0]}", ax.x0 - 6, top + 6, colors.MUTED, SMALL,
                            align="right", baseline="middle"),
                      label(f"unit {self.order[-1]}", ax.x0 - 6, top + self.strip_h - 6,
                            colors.MUTED, SMALL, align="right", baseline="middle")]
        bx, y = self.legend_x, self.height - 22
        items += [label("half-life 1 step", bx - 4, y, colors.MUTED, SMALL, align="right",
                        baseline="middle"),
                  label(f"{T}+ steps", bx + LEGEND_W + 4, y, colors.MUTED, SMALL,
                        baseline="middle")]
        return items

    def hit(self, x: float, y: float) -> Hit | None:
        """What the last draw put at (x, y): a lane value of the focused unit, or a unit's
        half-life at a step in the strip (a click focuses that unit and step)."""
        t = hit_step(self._hits, self.axis, x)
        if t is None:
            return None
        h = self._hits
        token = h["tokens"][t] if t < len(h["tokens"]) else None
        for name, lane in h["lanes"].items():
            if lane.contains(y):
                v = float(self.values[name][t, h["unit"]])
                return Hit(layer=h["layer"], unit=h["unit"], step=t + 1, quantity=name, value=v,
                           token=token)
        row = int((y - self.strip_top) // h["row_h"]) if y >= self.strip_top else -1
        if 0 <= row < len(self.order) and y < self.strip_top + self.strip_h:
            u = int(self.order[row])
            half = float(self.half[t, u])
            note = (f"half-life {half:g} step{'s' if half != 1 else ''}" if np.isfinite(half)
                    else "half-life: longer than the rest of the text")
            return Hit(layer=h["layer"], unit=u, step=t + 1, quantity="half-life", token=token,
                       note=note)
        return None
