"""The features panel: the units that follow a feature of the text best, drawn over it.

On top, the feature itself (a task's, such as bracket depth, or a regular expression's 1 inside
its matches) as a grey area. Under it one lane per top unit (h or c of any layer, ranked by
|Pearson r|, `lstm.analysis.features`): the unit's value standardised and turned by the sign of
r (purple for c, cyan for h) over the standardised feature (grey), so a unit that tracks it
lies on the grey line. A click on a lane focuses that unit; the focused unit's lane is
outlined.

    FeaturesPanel(width, height).draw(canvas, data, focus)
        data.trace, data.tokens, data.feature (an analysis.features.Feature, or None), and
        optionally data.problem (why there is no feature, said in its place)
    .hit(x, y) -> Hit | None
"""

from __future__ import annotations

import numpy as np

from .. import colors
from ..analysis.features import rank_units
from ..focus import Focus, Hit
from .canvas import Canvas, draw_placeholder, fit_text, label, rect_path
from .lanes import SMALL, TITLE_SIZE, Lane, TimeAxis, focus_index, hit_step, step_labels

SIZE = (900, 420)
TOP = 5  # units drawn
NO_FEATURE = "This model has no task: type a regular expression to make a feature"
QUANTITY_COLORS = {"c": colors.CELL, "h": colors.HIDDEN}


def standardised(v: np.ndarray) -> np.ndarray:
    """(v - mean) / std, or zeros for a constant series."""
    v = np.asarray(v, np.float64)
    sd = v.std()
    return (v - v.mean()) / sd if sd > 0 else np.zeros_like(v)


class FeaturesPanel:
    """The feature and its top units' lines; hit tests name the unit under the pointer."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self._key = None  # (trace, feature) the ranking belongs to
        self._hits: dict = {}
        self.axis: TimeAxis | None = None

    def ranking(self, trace, feature) -> list:
        """The top units for the feature (cached per trace and feature)."""
        if self._key is None or self._key[0] is not trace or self._key[1] is not feature:
            self._ranked = rank_units(trace, [feature], TOP)[0]
            self._key = (trace, feature)
        return self._ranked

    def draw(self, canvas: Canvas, data, focus: Focus) -> None:
        self._hits = {}
        feature = getattr(data, "feature", None)
        if data.trace is None:
            draw_placeholder(canvas, "Units that follow a feature of the text will appear here")
            return
        if feature is None:
            draw_placeholder(canvas, getattr(data, "problem", "") or NO_FEATURE)
            return
        if feature.constant:
            draw_placeholder(canvas, f"'{feature.title}' is the same at every step of this "
                                     f"text: nothing to rank")
            return
        trace, tokens = data.trace, data.tokens
        ranked = self.ranking(trace, feature)
        T = trace.steps
        ax = self.axis = TimeAxis(self.width, T)
        step = focus_index(focus.step, T)
        canvas.fill_rect(0, 0, self.width, self.height, colors.PAPER)
        lane_h = max(20, (self.height - 66) // (len(ranked) + 1) - 14)
        tops = [36 + k * (lane_h + 14) for k in range(len(ranked) + 1)]
        values = np.asarray(feature.values, np.float64)
        head = Lane(tops[0], tops[0] + lane_h, min(0.0, values.min()), values.max())
        canvas.fill_path(ax.area(values, head), colors.rgba(colors.MUTED, 0.35))
        labels = [label(f"feature: {feature.title}", ax.x0, tops[0] - 4, colors.INK, SMALL,
                        bold=True), *head.scale_labels(ax, 0)]
        z = standardised(values)
        lanes, lines, frames = [], {"c": "", "h": ""}, head.frame(ax)
        for s, top in zip(ranked, tops[1:], strict=True):
            v = standardised(getattr(trace.layers[s.layer], s.quantity)[:, s.unit]) * np.sign(s.r)
            lane = Lane.signed(top, top + lane_h, max(np.abs(v).max(), np.abs(z).max()))
            lanes.append((s, lane))
            frames += lane.frame(ax)
            lines[s.quantity] += ax.line(v, lane)
            where = f"layer {s.layer + 1} · " if len(trace.layers) > 1 else ""
            pieces = [f"{where}unit {s.unit} {s.quantity}   r = {s.r:+.3f}"] + (
                ["(drawn flipped)"] if s.r < 0 else [])
            labels.append(label(fit_text(pieces, ax.iw, SMALL, "   "), ax.x0, top - 4,
                                colors.text_color(QUANTITY_COLORS[s.quantity]), SMALL,
                                bold=True))
        canvas.stroke_path(frames, colors.RULE, 1.0, (5, 5))
        canvas.stroke_path("".join(ax.line(z, lane) for _, lane in lanes), colors.MUTED, 1.0)
        for q, d in lines.items():
            if d:
                canvas.stroke_path(d, QUANTITY_COLORS[q], 1.5)
        for s, lane in lanes:
            if (s.layer, s.unit) == (focus.layer, focus.unit):
                canvas.stroke_path(rect_path(ax.x0 - 3, lane.top - 2, ax.iw + 6,
                                             lane.bottom - lane.top + 4), colors.INK, 2.0)
        if step is not None:
            canvas.stroke_path(ax.marker(step, tops[0], tops[-1] + lane_h), colors.INK, 1.0)
        labels += step_labels(ax, tokens, step, self.height - 8)
        title = fit_text([f"Units that follow '{feature.title}'",
                          f"the top {len(ranked)} of h and c by |r| over this text",
                          "grey: the feature, standardised"], self.width - 16, TITLE_SIZE)
        labels.append(label(title, 8, 14, colors.INK, TITLE_SIZE, bold=True))
        canvas.texts(labels)
        self._hits = {"trace": trace, "tokens": tokens, "feature": feature, "head": head,
                      "lanes": lanes}

    def hit(self, x: float, y: float) -> Hit | None:
        """A unit's lane: that unit, its value and r (a click focuses it); the feature's lane:
        its value at the step (a click jumps there)."""
        t = hit_step(self._hits, self.axis, x)
        if t is None:
            return None
        h = self._hits
        token = h["tokens"][t]
        if h["head"].contains(y):
            return Hit(step=t + 1, quantity=h["feature"].name, token=token, action="jump",
                       value=float(h["feature"].values[t]), note=h["feature"].title)
        for s, lane in h["lanes"]:
            if lane.contains(y):
                v = float(getattr(h["trace"].layers[s.layer], s.quantity)[t, s.unit])
                return Hit(layer=s.layer, unit=s.unit, step=t + 1, quantity=s.quantity, value=v,
                           token=token, note=f"r = {s.r:+.3f} with {h['feature'].title}")
        return None
