"""lstm/draw/counterfactual.py: original solid, clamped dashed, the change in the prediction."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np

from lstm import colors
from lstm.analysis.clamp import Clamp, clamped_trace, prediction_change
from lstm.analysis.features import task_labels
from lstm.draw.canvas import RecordingCanvas, parse_path
from lstm.draw.counterfactual import DASH, NO_CLAMP, SIZE, CounterfactualPanel, clamp_words
from lstm.draw.raster import RasterCanvas
from lstm.focus import Focus
from lstm.model import LSTM

OUT = Path(__file__).parent / "output"


def data(outputs=True):
    model = LSTM.random(3, 5, vocab_size=4, output_size=4 if outputs else None, seed=2)
    tokens = list("(a(b))a((b)a)((a))b")
    ids = np.array(["()ab".index(t) for t in tokens])
    trace = model.trace(ids)
    clamps = [Clamp(0, 1, "o", 0.0, 6), Clamp(0, 3, "f", 1.0, 9)]
    names = [str(d) for d in range(4)]
    return SimpleNamespace(trace=trace, clamped=clamped_trace(model, ids, trace, clamps),
                           clamps=clamps, tokens=tokens, outputs=names if outputs else None,
                           labels=task_labels("brackets", tokens, names) if outputs else None)


def strokes(c):
    return [a for n, a in c.calls if n == "stroke_path"]


def test_solid_original_and_dashed_clamped_lines():
    d = data()
    panel = CounterfactualPanel(*SIZE)
    c = RecordingCanvas(*SIZE)
    panel.draw(c, d, Focus(0, 1, 8))
    assert c.count("texts") == 1 and c.calls[-1][0] == "texts" and c.count("text") == 0
    for name, color in (("c", colors.CELL), ("h", colors.HIDDEN)):
        solid, dashed = [a for a in strokes(c) if a[1] == color]
        assert solid[3] == () and dashed[3] == DASH
        lane = panel._hits["lanes"][name]
        for line, tr in ((solid, d.trace), (dashed, d.clamped)):
            pts = parse_path(line[0])[0][0]
            assert np.allclose(pts[:, 1], lane.y(getattr(tr.layers[0], name)[:, 1]), atol=0.5)
    assert "What if: unit 1: o = 0 from step 7; unit 3: f = 1 from step 10" in c.strings()
    marks = [a for a in strokes(c) if a[3] == (2, 2)]
    assert len(marks) == 1 and len(parse_path(marks[0][0])) == 2  # one dotted line per clamp
    change = next(a for n, a in c.calls if n == "fill_path")
    pts = parse_path(change[0])[0][0]
    lane = panel._hits["lanes"]["change"]
    assert np.allclose(pts[:-2, 1], lane.y(prediction_change(d.trace, d.clamped)), atol=0.5)


def test_the_summary_names_the_prediction_and_the_accuracy_both_ways():
    d = data()
    c = RecordingCanvas(*SIZE)
    CounterfactualPanel(*SIZE).draw(c, d, Focus(0, 1, 12))
    line = c.strings()[-1]
    a, b = (int(np.argmax(tr.logits[11])) for tr in (d.trace, d.clamped))
    assert line.startswith(f"step 12: most likely '{a}' ") and f"→ '{b}' " in line
    targets, scored = d.labels
    before = np.mean((d.trace.logits.argmax(axis=1) == targets)[scored])
    after = np.mean((d.clamped.logits.argmax(axis=1) == targets)[scored])
    assert (f"task accuracy on this text {100 * before:.1f}% → {100 * after:.1f}% "
            f"({scored.sum()} labelled steps)") in line


def test_hits():
    d = data()
    panel = CounterfactualPanel(*SIZE)
    panel.draw(RecordingCanvas(*SIZE), d, Focus(0, 1, 12))
    x = float(panel.axis.x(10))
    lanes = panel._hits["lanes"]
    hit = panel.hit(x, lanes["c"].top + 3)
    assert (hit.unit, hit.step, hit.quantity, hit.value) == (1, 11, "c",
                                                             d.clamped.layers[0].c[10, 1])
    assert hit.note == f"as traced {d.trace.layers[0].c[10, 1]:+.4f}"
    hit = panel.hit(x, lanes["change"].bottom - 2)
    assert hit.action == "jump" and hit.value == prediction_change(d.trace, d.clamped)[10]
    assert panel.hit(x, 3) is None and panel.hit(3, lanes["c"].top + 3) is None


def test_placeholders_and_a_model_without_outputs():
    d = data()
    c = RecordingCanvas(*SIZE)
    panel = CounterfactualPanel(*SIZE)
    panel.draw(c, SimpleNamespace(trace=d.trace, clamped=None, clamps=[], tokens=d.tokens),
               Focus(0, 1, 3))
    assert " ".join(c.strings()) == NO_CLAMP and panel.hit(200, 100) is None  # wrapped
    bare = data(outputs=False)
    c = RecordingCanvas(*SIZE)
    panel.draw(c, bare, Focus(0, None, 3))
    words = c.strings()
    assert "This model has no output layer: no prediction to change" in words
    assert any(s.startswith("Focus a unit") for s in words) and c.count("fill_path") == 0


def test_picture_pixels():
    d = data()
    c = RasterCanvas(*SIZE)
    panel = CounterfactualPanel(*SIZE)
    panel.draw(c, d, Focus(0, 1, 12))
    OUT.mkdir(exist_ok=True)
    c.save(str(OUT / "counterfactual_panel.png"))
    lane = panel._hits["lanes"]["h"]
    # o = 0 from step 6: the clamped h of unit 1 is 0 there, a dashed cyan line on the zero line
    y = int(lane.y(0.0))
    row = [c.pixel(x, y)[:3] for x in range(int(panel.axis.x(7)), int(panel.axis.x(17)))]
    cyan = colors.rgb(colors.HIDDEN)
    assert cyan in row and (255, 255, 255) in row  # dashes and gaps
    x = int(panel.axis.x(3))  # before the clamp the two lines coincide: solid there
    y = int(lane.y(d.trace.layers[0].h[3, 1]))
    assert cyan in [c.pixel(x, yy)[:3] for yy in range(y - 1, y + 2)]


def test_clamps_are_described_as_the_page_counts():
    assert clamp_words(Clamp(0, 3, "f", 1.0, 9)) == "unit 3: f = 1 from step 10"
    assert clamp_words(Clamp(1, 3, "zero", step=3), layers=2) == (
        "unit 3 of layer 2: c and h zeroed at step 4")
