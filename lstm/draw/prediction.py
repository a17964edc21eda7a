"""The prediction panel: the output layer's five most probable outputs at the focused step.

    after step 5 '(' · next token
       'a'  ██████████████████░░░░░░░░░░  0.6210
       'b'  ████░░░░░░░░░░░░░░░░░░░░░░░░  0.1500   true
       ...
    true next token 'x': 0.0012, rank 17 of 70        (when it is not among the five)

Each bar's track is the whole 0..1 scale, so bar lengths are the probabilities themselves.
The true output (when the caller knows it) is outlined in the focus ink and named. Without
an output layer the panel says so. One fill_rect, one fill_path each for tracks and bars, one
stroke_path for the truth's outline, one texts call.
"""

from __future__ import annotations

from .. import colors
from ..analysis.predict import Prediction
from ..focus import Focus, Hit
from .canvas import Canvas, draw_placeholder, label, rect_path, text_width
from .heatmap import token_label
from .hitboxes import HitBoxes

SIZE = (440, 210)
PAD, TITLE_Y, FIRST_Y, ROW, BAR = 12, 18, 34, 26, 14
LABEL_W, VALUE_W = 64, 86  # the label column left of the bars, the numbers right of them
EMPTY_MESSAGE = "Predictions will appear here once a sequence is traced"


class PredictionPanel:
    """The top-5 bars on a canvas of one size."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.x0 = PAD + LABEL_W
        self.bar_w = max(20, width - self.x0 - VALUE_W - PAD)
        self.boxes = HitBoxes()

    def draw(self, canvas: Canvas, data: Prediction | None, focus: Focus) -> None:
        """The bars of `data`, or its message (no output layer, no step yet)."""
        self.boxes.clear()
        if data is None or not data.top:
            draw_placeholder(canvas, EMPTY_MESSAGE if data is None else data.message)
            return
        canvas.fill_rect(0, 0, self.width, self.height, colors.PAPER)
        token = f" '{token_label(data.token)}'" if data.token else ""
        items = [label(f"after step {data.t + 1}{token} · {data.what}", PAD, TITLE_Y, colors.INK,
                       13, bold=True)]
        tracks, bars, outline = [], [], ""
        shown = data.top[: int((self.height - FIRST_Y) // ROW)]
        for k, choice in enumerate(shown):
            y = FIRST_Y + k * ROW
            is_truth = data.truth is not None and choice.index == data.truth.index
            tracks.append(rect_path(self.x0, y, self.bar_w, BAR))
            if choice.p * self.bar_w >= 0.5:
                bars.append(rect_path(self.x0, y, choice.p * self.bar_w, BAR))
            if is_truth:
                outline = rect_path(self.x0 - 2, y - 2, self.bar_w + 4, BAR + 4)
            mid = y + BAR / 2
            items.append(label(f"'{token_label(choice.label)}'", self.x0 - 8, mid, colors.INK,
                               12, align="right", baseline="middle", bold=is_truth))
            items.append(label(f"{choice.p:.4f}", self.x0 + self.bar_w + 8, mid, colors.INK, 12,
                               baseline="middle"))
            if is_truth:
                items.append(label("true", self.width - PAD, mid, colors.INK, 11, align="right",
                                   baseline="middle", bold=True))
            note = f"rank {k + 1} of {data.outputs}" + (" · the true one" if is_truth else "")
            self.boxes.add(PAD, y - (ROW - BAR) / 2, self.width - 2 * PAD, ROW, Hit(
                step=focus.step, quantity="p", value=choice.p, action="",
                note=f"output '{token_label(choice.label)}', {note}"))
        t, rank = data.truth, data.rank
        if t is not None and rank is not None and rank > len(shown):
            s = (f"true {data.what} '{token_label(t.label)}': {t.p:.4f}, "
                 f"rank {rank} of {data.outputs}")
            y = min(FIRST_Y + len(shown) * ROW + 8, self.height - 6)
            items.append(label(s, PAD, y, colors.INK, 12, bold=True))
            self.boxes.add(PAD, y - ROW + 6, text_width(s, 12), ROW, Hit(
                step=focus.step, quantity="p", value=t.p, action="",
                note=f"output '{token_label(t.label)}', rank {rank} of {data.outputs} · "
                     "the true one"))
        canvas.fill_path("".join(tracks), colors.EMPTY)
        if bars:
            canvas.fill_path("".join(bars), colors.AXIS)
        if outline:
            canvas.stroke_path(outline, colors.INK, 2.0)
        canvas.texts(items)

    def hit(self, x: float, y: float) -> Hit | None:
        """The output whose row is at (x, y), with its probability; None elsewhere."""
        return self.boxes.at(x, y)
