"""lstm/draw/features.py: the feature and its top units, in calls, hits and pixels."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np

from lstm import colors
from lstm.analysis.features import Feature, rank_units, task_features
from lstm.draw.canvas import RecordingCanvas, parse_path
from lstm.draw.features import NO_FEATURE, SIZE, FeaturesPanel, standardised
from lstm.draw.raster import RasterCanvas
from lstm.focus import Focus
from lstm.model import LSTM
from lstm.modelfile import load_model
from lstm.tokens import Vocab

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).parent / "output"
TEXT = "(a(b(a))b((a(b)))a)b(a)((((a))))"


def data():
    model, meta = load_model(ROOT / "assets" / "models" / "brackets.npz")
    tokens = list(TEXT)
    trace = model.trace(Vocab(meta["vocabulary"]).encode(tokens)[0])
    (depth,) = task_features("brackets", tokens)
    return SimpleNamespace(trace=trace, tokens=tokens, feature=depth)


def test_calls_draw_the_top_five_with_their_r():
    d = data()
    c = RecordingCanvas(*SIZE)
    FeaturesPanel(*SIZE).draw(c, d, Focus(0, 11, 3))
    assert c.count("texts") == 1 and c.calls[-1][0] == "texts" and c.count("text") == 0
    ranked = rank_units(d.trace, [d.feature])[0]
    lane_titles = [s for s in c.strings() if s.startswith("unit ")]
    assert lane_titles == [f"unit {s.unit} {s.quantity}   r = {s.r:+.3f}"
                           + ("   (drawn flipped)" if s.r < 0 else "") for s in ranked]
    assert "feature: bracket depth" in c.strings()
    outlines = [a for n, a in c.calls if n == "stroke_path" and a[1] == colors.INK and a[2] == 2.0]
    assert len(outlines) == sum(s.unit == 11 for s in ranked)  # the focused unit's lanes


def test_lines_are_the_standardised_units_turned_by_the_sign_of_r():
    d = data()
    panel = FeaturesPanel(*SIZE)
    c = RecordingCanvas(*SIZE)
    panel.draw(c, d, Focus(0, None, 0))
    ranked = rank_units(d.trace, [d.feature])[0]
    c_lines = next(a[0] for n, a in c.calls if n == "stroke_path" and a[1] == colors.CELL)
    first = parse_path(c_lines)[0][0]
    s = next(s for s in ranked if s.quantity == "c")
    lane = next(lane for sc, lane in panel._hits["lanes"] if sc == s)
    v = standardised(d.trace.layers[0].c[:, s.unit]) * np.sign(s.r)
    assert np.allclose(first[:, 1], lane.y(v), atol=0.5)


def test_hit_focuses_the_unit_of_a_lane_and_the_feature_lane_jumps():
    d = data()
    panel = FeaturesPanel(*SIZE)
    panel.draw(RecordingCanvas(*SIZE), d, Focus(0, None, 0))
    ranked = rank_units(d.trace, [d.feature])[0]
    x = float(panel.axis.x(9))
    for s, lane in panel._hits["lanes"]:
        hit = panel.hit(x, (lane.top + lane.bottom) / 2)
        assert (hit.layer, hit.unit, hit.quantity, hit.step, hit.action) == (
            s.layer, s.unit, s.quantity, 10, "focus")
        assert hit.value == getattr(d.trace.layers[0], s.quantity)[9, s.unit]
        assert hit.note == f"r = {s.r:+.3f} with bracket depth"
    head = panel._hits["head"]
    hit = panel.hit(x, head.top + 2)
    assert hit.action == "jump" and hit.value == d.feature.values[9] and hit.unit is None
    assert len(panel._hits["lanes"]) == len(ranked) == 5
    assert panel.hit(x, 2) is None and panel.hit(1, 100) is None


def test_no_feature_and_constant_features_say_so():
    d = data()
    for feature, words in ((None, NO_FEATURE),
                           (Feature("k", "flat", np.zeros(len(TEXT)), "", ""),
                            "'flat' is the same at every step of this text: nothing to rank")):
        c = RecordingCanvas(*SIZE)
        panel = FeaturesPanel(*SIZE)
        panel.draw(c, SimpleNamespace(trace=d.trace, tokens=d.tokens, feature=feature), Focus())
        assert c.strings() == [words] and panel.hit(300, 100) is None
    c = RecordingCanvas(*SIZE)
    FeaturesPanel(*SIZE).draw(c, SimpleNamespace(trace=d.trace, tokens=d.tokens, feature=None,
                                                 problem="/a+/: matching stopped"), Focus())
    assert c.strings() == ["/a+/: matching stopped"]


def test_many_layers_name_the_layer():
    model = LSTM.random(3, 4, 2, seed=0)
    trace = model.trace(np.random.default_rng(0).standard_normal((30, 3)))
    feature = Feature("x", "x", np.sin(np.arange(30.0)), "", "")
    c = RecordingCanvas(*SIZE)
    FeaturesPanel(*SIZE).draw(c, SimpleNamespace(trace=trace, tokens=["a"] * 30,
                                                 feature=feature), Focus())
    assert sum(s.startswith("layer ") for s in c.strings()) == 5


def test_picture_pixels():
    d = data()
    c = RasterCanvas(*SIZE)
    panel = FeaturesPanel(*SIZE)
    panel.draw(c, d, Focus(0, 11, 12))
    OUT.mkdir(exist_ok=True)
    c.save(str(OUT / "features_panel.png"))
    head = panel._hits["head"]
    t = int(np.argmax(d.feature.values))  # the deepest step: the grey area reaches its top
    x = int(panel.axis.x(t))
    grey = [round(255 * 0.65 + v * 0.35) for v in colors.rgb(colors.MUTED)]  # over white
    for y in (int(head.top) + 3, int(head.bottom) - 2):
        assert np.abs(np.subtract(c.pixel(x, y)[:3], grey)).max() <= 1
    assert c.pixel(x, int(head.top) - 1)[:3] == (255, 255, 255)
    s, lane = panel._hits["lanes"][0]
    v = standardised(d.trace.layers[0].c[:, s.unit]) * np.sign(s.r)
    y = int(lane.y(v[t]))
    near = [c.pixel(x, yy)[:3] for yy in range(y - 1, y + 2)]
    assert colors.rgb(colors.CELL) in near
