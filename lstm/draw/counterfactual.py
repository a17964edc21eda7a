"""The counterfactual panel: the focused unit's c and h as traced (solid) and with the clamps
applied (dashed), and how much the clamps moved the prediction at every step.

Clamps (`lstm.analysis.clamp`) hold a gate of a unit at a value from a step on, or zero a
unit's state at one step; each is marked by a dotted line at its step. The bottom lane is the
total variation distance between the output distributions with and without the clamps (0: the
same prediction, 1: disjoint), and the last line names the most likely output at the focused
step both ways, and the task accuracy on this text both ways where the task has labels.

    CounterfactualPanel(width, height).draw(canvas, data, focus)
        data.trace, data.clamped (Trace or None), data.clamps (list of Clamp), data.tokens,
        data.outputs (the output labels, or None), data.labels ((targets, scored) or None,
        as analysis.features.task_labels gives them)
    .hit(x, y) -> Hit | None
"""

from __future__ import annotations

import numpy as np

from .. import colors
from ..analysis.clamp import ZERO, Clamp, accuracy, prediction_change, probabilities
from ..focus import Focus, Hit
from ..tokens import show
from .canvas import Canvas, draw_placeholder, fit_text, label
from .lanes import SMALL, TITLE_SIZE, Lane, TimeAxis, focus_index, hit_step, step_labels

SIZE = (900, 360)
NO_CLAMP = ("No clamp yet: hold a gate of a unit at a value from a step on (f = 1: never "
            "forget; o = 0: hide the cell), or zero its state, to see what changes")
DASH = (5, 3)


def clamp_words(clamp: Clamp, layers: int = 1) -> str:
    """A clamp as the page counts (steps and layers from 1, units from 0): 'unit 3: f = 1 from
    step 10', 'unit 3 of layer 2: c and h zeroed at step 4'."""
    who = f"unit {clamp.unit}" + (f" of layer {clamp.layer + 1}" if layers > 1 else "")
    if clamp.gate == ZERO:
        return f"{who}: c and h zeroed at step {clamp.step + 1}"
    return f"{who}: {clamp.gate} = {clamp.value:g} from step {clamp.step + 1}"


class CounterfactualPanel:
    """Original against clamped c and h of the focused unit, and the change in prediction."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self._key = None  # (original, clamped) the prediction numbers belong to
        self._hits: dict = {}
        self.axis: TimeAxis | None = None

    def _predictions(self, original, clamped) -> None:
        if self._key is not None and self._key[0] is original and self._key[1] is clamped:
            return
        self._key = (original, clamped)
        self.change = self.top = None
        if original.logits is not None:
            self.change = prediction_change(original, clamped)
            self.top = [(probabilities(tr.logits).argmax(axis=1), probabilities(tr.logits))
                        for tr in (original, clamped)]

    def draw(self, canvas: Canvas, data, focus: Focus) -> None:
        self._hits = {}
        original, clamped = data.trace, getattr(data, "clamped", None)
        if original is None or clamped is None:
            draw_placeholder(canvas, NO_CLAMP)
            return
        self._predictions(original, clamped)
        T, tokens, unit = original.steps, data.tokens, focus.unit
        ax = self.axis = TimeAxis(self.width, T)
        step = focus_index(focus.step, T)
        canvas.fill_rect(0, 0, self.width, self.height, colors.PAPER)
        lane_h = max(24, (self.height - 130) // 3)
        tops = [40 + k * (lane_h + 18) for k in range(3)]
        labels, lanes, frames = [], {}, ""
        if unit is None:
            labels.append(label("Focus a unit to see its c and h with and without the clamps",
                                ax.x0, tops[0] + lane_h, colors.MUTED, TITLE_SIZE))
        else:
            for name, top, color in (("c", tops[0], colors.CELL), ("h", tops[1], colors.HIDDEN)):
                a = getattr(original.layers[focus.layer], name)[:, unit]
                b = getattr(clamped.layers[focus.layer], name)[:, unit]
                lane = lanes[name] = Lane.signed(top, top + lane_h,
                                                 max(np.abs(a).max(), np.abs(b).max()))
                frames += lane.frame(ax)
                canvas.stroke_path(ax.line(a, lane), color, 1.5)
                canvas.stroke_path(ax.line(b, lane), color, 1.5, DASH)
                title = fit_text([f"{name} of unit {unit}", "as traced (solid), clamped (dashed)"],
                                 ax.iw, SMALL)
                labels.append(label(title, ax.x0, top - 4, colors.text_color(color), SMALL,
                                    bold=True))
                labels += lane.scale_labels(ax)
        if self.change is not None:
            lane = lanes["change"] = Lane(tops[2], tops[2] + lane_h, 0.0, 1.0)
            frames += lane.frame(ax)
            canvas.fill_path(ax.area(self.change, lane), colors.rgba(colors.INK, 0.3))
            title = fit_text(["change in the prediction", "total variation",
                              "0 = the same, 1 = disjoint"], ax.iw, SMALL)
            labels.append(label(title, ax.x0, tops[2] - 4, colors.INK, SMALL, bold=True))
            labels += lane.scale_labels(ax)
        else:
            labels.append(label("This model has no output layer: no prediction to change",
                                ax.x0, tops[2] + lane_h / 2, colors.MUTED, SMALL))
        canvas.stroke_path(frames, colors.RULE, 1.0, (5, 5))
        marks = "".join(ax.marker(c.step, tops[0], tops[2] + lane_h) for c in data.clamps)
        canvas.stroke_path(marks, colors.MUTED, 1.0, (2, 2))
        if step is not None:
            canvas.stroke_path(ax.marker(step, tops[0], tops[2] + lane_h), colors.INK, 1.0)
        labels += step_labels(ax, tokens, step, tops[2] + lane_h + 14)
        labels += self._summary(data, step)
        canvas.texts(labels)
        self._hits = {"data": data, "layer": focus.layer, "unit": unit, "lanes": lanes}

    def _summary(self, data, step: int | None) -> list[tuple]:
        """The title (the clamps) and the bottom line (prediction and accuracy both ways)."""
        clamps = "; ".join(clamp_words(c, len(data.trace.layers)) for c in data.clamps)
        items = [label(f"What if: {clamps}", 8, 14, colors.INK, TITLE_SIZE, bold=True)]
        words = []
        outputs = getattr(data, "outputs", None)
        if self.top is not None and step is not None and outputs:
            (a, pa), (b, pb) = self.top
            ja, jb = int(a[step]), int(b[step])
            words.append(f"step {step + 1}: most likely '{show(outputs[ja])}' {pa[step, ja]:.2f} "
                         f"→ '{show(outputs[jb])}' {pb[step, jb]:.2f}")
        truth = getattr(data, "labels", None)
        if self.top is not None and truth is not None and truth[1].any():
            before, after = (accuracy(tr, *truth) for tr in (data.trace, data.clamped))
            words.append(f"task accuracy on this text {100 * before:.1f}% → {100 * after:.1f}% "
                         f"({int(truth[1].sum())} labelled steps)")
        if words:
            items.append(label(fit_text(words, self.width - 16, SMALL, "   ·   "), 8,
                               self.height - 10, colors.INK, SMALL))
        return items

    def hit(self, x: float, y: float) -> Hit | None:
        """c or h of the focused unit (clamped, with the original in the note), or the change
        in the prediction at a step (a click jumps there)."""
        t = hit_step(self._hits, self.axis, x)
        if t is None:
            return None
        h = self._hits
        data = h["data"]
        token = data.tokens[t]
        for name, lane in h["lanes"].items():
            if not lane.contains(y):
                continue
            if name == "change":
                return Hit(step=t + 1, quantity="change", value=float(self.change[t]),
                           token=token, action="jump")
            a = float(getattr(data.trace.layers[h["layer"]], name)[t, h["unit"]])
            b = float(getattr(data.clamped.layers[h["layer"]], name)[t, h["unit"]])
            return Hit(layer=h["layer"], unit=h["unit"], step=t + 1, quantity=name, value=b,
                       token=token, note=f"as traced {a:+.4f}")
        return None
