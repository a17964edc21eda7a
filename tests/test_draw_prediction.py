"""lstm/draw/prediction.py: bars as long as the probabilities, the truth outlined."""

from pathlib import Path

import numpy as np
import pytest

from lstm import colors
from lstm.analysis.predict import NO_OUTPUT, prediction
from lstm.draw.canvas import RecordingCanvas, parse_path
from lstm.draw.prediction import BAR, EMPTY_MESSAGE, SIZE, PredictionPanel
from lstm.draw.raster import RasterCanvas
from lstm.focus import Focus
from lstm.model import LSTM
from lstm.modelfile import load_model
from lstm.tokens import Vocab

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).parent / "output"

LABELS = ["a", "b", " ", "d", "e", "f", "g"]
Z = [[0.0, 3.0, 1.0, 2.0, -1.0, 0.5, 2.5]]


class Logits:
    logits = np.array(Z)


def pred(truth=None):
    return prediction(Logits, 0, LABELS, truth, token="x")


def drawn(data, canvas=None, size=SIZE):
    panel = PredictionPanel(*size)
    canvas = canvas or RecordingCanvas(*size)
    panel.draw(canvas, data, Focus(step=1))
    return panel, canvas


def test_five_rows_labelled_with_their_probabilities_in_one_texts_call():
    data = pred(truth=3)
    _, c = drawn(data)
    s = c.strings()
    assert s[0] == "after step 1 'x' · next token"
    assert s[1:3] == ["'b'", f"{data.top[0].p:.4f}"]
    assert "'␣'" in s and "true" in s and c.count("texts") == 1 and c.calls[-1][0] == "texts"
    assert min(item[4] for item in c.labels()) >= 11


def test_bar_lengths_are_the_probabilities():
    data = pred()
    panel, c = drawn(data)
    bars = next(a[0] for n, a in c.calls if n == "fill_path" and a[1] == colors.AXIS)
    widths = [pts[:, 0].max() - pts[:, 0].min() for pts, _ in parse_path(bars)]
    assert widths == pytest.approx([ch.p * panel.bar_w for ch in data.top], abs=0.5)
    raster = RasterCanvas(*SIZE)
    drawn(data, raster)
    dark = colors.rgb(colors.AXIS)
    px = raster.pixels()[:, :, :3]
    for k, ch in enumerate(data.top):
        row = px[int(34 + k * 26 + BAR / 2)]
        length = int((row == dark).all(axis=1).sum())
        assert abs(length - ch.p * panel.bar_w) <= 1.5, (k, length)


def test_the_truth_is_outlined_and_hit_rows_name_the_outputs():
    data = pred(truth=3)
    panel, _ = drawn(data)
    raster = RasterCanvas(*SIZE)
    drawn(data, raster)
    ink = colors.rgb(colors.INK)
    k = [ch.index for ch in data.top].index(3)  # the truth's row
    y = 34 + k * 26
    assert raster.pixel(panel.x0 + 40, y - 2)[:3] == ink  # the outline above its track
    assert raster.pixel(panel.x0 + 40, 34 - 2)[:3] != ink  # not above the first row
    hit = panel.hit(panel.x0 + 10, y + 5)
    assert (hit.token, hit.value, hit.quantity, hit.action) == (None, data.truth.p, "p", "")
    assert hit.note == "output 'd', rank 3 of 7 · the true one" and hit.step == 1
    assert panel.hit(5, SIZE[1] - 3) is None and panel.hit(float("nan"), 40) is None


def test_a_truth_outside_the_five_gets_its_own_line():
    data = pred(truth=4)
    panel, c = drawn(data)
    line = f"true next token 'e': {data.truth.p:.4f}, rank 7 of 7"
    assert line in c.strings() and c.count("stroke_path") == 0
    item = next(x for x in c.labels() if x[0] == line)
    assert panel.hit(item[1] + 20, item[2] - 4).value == data.truth.p


def test_no_output_layer_and_no_data_say_so():
    trace = LSTM.random(3, 4, vocab_size=5, seed=2).trace(np.array([0, 1]))
    for data, message in ((prediction(trace, 0), NO_OUTPUT), (None, EMPTY_MESSAGE),
                          (prediction(Logits, -1), "no prediction before the first token")):
        panel, c = drawn(data)
        assert c.strings() == [message] and panel.hit(100, 50) is None


def test_a_short_canvas_shows_fewer_rows():
    _, c = drawn(pred(truth=1), size=(300, 100))
    assert sum(s.startswith("'") for s in c.strings()) == 2


def test_the_anbn_preset_knows_the_next_b_in_the_picture():
    """assets/models/anbn.npz after 'aaab': the rest is determined, so 'b' fills its bar."""
    model, meta = load_model(ROOT / "assets/models/anbn.npz")
    tokens = list("aaabbb.")
    ids = Vocab(meta["vocabulary"]).encode(tokens)[0]
    trace = model.trace(ids)
    data = prediction(trace, 3, meta["labels"], truth=int(ids[4]), token=tokens[3])
    canvas = RasterCanvas(*SIZE, scale=2)
    panel, _ = drawn(data, canvas)
    OUT.mkdir(exist_ok=True)
    canvas.save(str(OUT / "prediction_anbn_step4.png"))
    assert data.top[0].label == "b" and data.rank == 1 and data.top[0].p > 0.99
    row = canvas.pixels()[int(34 + BAR / 2)]  # the first bar's middle row, full length
    dark = (row[:, :3] == colors.rgb(colors.AXIS)).all(axis=1).sum()
    assert dark >= 0.99 * panel.bar_w - 1
