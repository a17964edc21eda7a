from pathlib import Path

import numpy as np
import pytest

from lstm import colors
from lstm.draw.canvas import RecordingCanvas, label_extent, parse_path
from lstm.draw.lanes import nice_limit, step_ticks
from lstm.draw.raster import RasterCanvas
from lstm.draw.states import MAX_LINES, PLACEHOLDER, StateChart
from lstm.focus import Focus
from lstm.ui.state import ViewState

OUT = Path(__file__).parent / "output"
W, H = 880, 300


def states(T, units, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    c = np.cumsum(rng.standard_normal((T, units)), axis=0) * scale / np.sqrt(max(T, 1))
    return c, np.tanh(c) * 0.8


def drawn(canvas, c, h, step, unit=None):
    """The chart of c, h made for canvas and drawn on it after `step` steps."""
    chart = StateChart(c, h, canvas.width, canvas.height)
    chart.draw(canvas, ViewState().at(step), Focus(unit=unit, step=step))
    return chart


def strokes(canvas):
    return [a for n, a in canvas.calls if n == "stroke_path"]


def unit_strokes(canvas):
    """The strokes of the units' lines: thin (1 px) shades, or a focused unit's 2 px line."""
    return [a for a in strokes(canvas) if a[2] in (1.0, 2.0) and not a[3] and
            a[1] not in (colors.INK, colors.AXIS)]


def test_placeholder_before_the_first_step():
    c = RecordingCanvas(W, H)
    drawn(c, *states(10, 4), 0)
    assert c.strings() == [PLACEHOLDER] and c.count() == 2  # background and the message
    assert c.count("texts") == 1


def test_one_opaque_stroke_per_unit_and_state_in_shades():
    c = RecordingCanvas(W, H)
    drawn(c, *states(40, 8), 20)
    lines = unit_strokes(c)
    assert len(lines) == 2 * 8
    assert all(a[1].startswith("#") for a in lines)  # opaque: overlaps read as one colour
    cell, hidden = [a[1] for a in lines[:8]], [a[1] for a in lines[8:]]
    assert len(set(cell)) == 8 and len(set(hidden)) == 8  # shades by unit
    assert cell[-1] == colors.mix("#ffffff", colors.CELL, 1.0)  # the darkest is the colour
    assert hidden[-1] == colors.mix("#ffffff", colors.HIDDEN, 1.0)
    first = parse_path(lines[0][0])
    assert len(first) == 1 and len(first[0][0]) == 20  # one point per step so far
    texts = c.strings()
    assert "Timestep" in texts and "State Value" in texts and "0" in texts
    assert "8 units: one line per unit · each state on its own scale" in texts
    assert c.count("fill_path") == 0
    assert c.count("texts") == 1 and c.count("text") == 0 and c.calls[-1][0] == "texts"


def test_c_and_h_have_their_own_lanes_and_round_scales():
    """A cell state forty times the hidden state's range leaves both legible: each lane spans
    its own round limit, and the lanes do not overlap."""
    T = 30
    c = np.linspace(-45.56, 40, T)[:, None] * np.ones((1, 3))
    h = np.linspace(-0.3, 0.3, T)[:, None] * np.ones((1, 3))
    rec = RecordingCanvas(W, H)
    chart = drawn(rec, c, h, T)
    assert chart.limit == {"c": 50.0, "h": 0.5}
    (ct, cb), (ht, hb) = chart.lanes["c"], chart.lanes["h"]
    assert cb < ht
    assert chart.y(50, "c") == pytest.approx(ct, abs=1) and chart.y(-50, "c") == pytest.approx(
        cb, abs=1)
    assert chart.y(0.5, "h") == pytest.approx(ht, abs=1)
    span = float(chart.y(-0.3, "h") - chart.y(0.3, "h"))
    assert span > 0.5 * (hb - ht)  # the small one fills most of its lane
    assert {"+50", "-50", "+0.5", "-0.5"} <= set(rec.strings())
    zero = [a for a in strokes(rec) if a[3] == (5, 5)]
    assert len(zero) == 1 and zero[0][1] == colors.RULE
    ys = sorted(p[0][0][0, 1] for p in [parse_path(zero[0][0])[k:k + 1] for k in (0, 1)])
    assert ys == [chart.mid("c"), chart.mid("h")]


@pytest.mark.parametrize("v, limit", [(45.56, 50), (7.33, 10), (0.8, 1), (1.0, 1), (0.013, 0.02),
                                      (0, 1), (2.0000001, 5), (150, 200)])
def test_nice_limits_are_1_2_5_times_a_power_of_ten(v, limit):
    assert nice_limit(v) == pytest.approx(limit)


def test_step_numbers_sit_under_their_points():
    rec = RecordingCanvas(W, H)
    T = 75
    chart = drawn(rec, *states(T, 4), 40)
    ticks = {s: x for s, x, y, *_ in rec.labels() if s.isdigit() and y == chart.bottom + 14}
    assert ticks["1"] == pytest.approx(float(chart.x(0)))  # the first point, not the axis
    assert ticks["40"] == pytest.approx(float(chart.x(39)))  # the current step, bold
    assert step_ticks(T, chart.iw)[:3] == [1, 5, 10]
    xs = sorted(ticks.values())
    assert min(np.diff(xs)) >= 20
    (pts, _), = parse_path(unit_strokes(rec)[0][0])
    assert pts[0, 0] == pytest.approx(ticks["1"], abs=0.5)


def test_selected_unit_drawn_on_top_thicker_and_in_full_colour():
    cs, hs = states(40, 8)
    mean, picked = RecordingCanvas(W, H), RecordingCanvas(W, H)
    chart = drawn(mean, cs, hs, 20)
    drawn(picked, cs, hs, 20, unit=3)
    assert "8 units: unit 3 dark, the others faded · each state on its own scale" in \
        picked.strings()
    units = unit_strokes(picked)
    assert len(units) == 2 * 8
    cell, hidden = units[7], units[15]  # each lane's focused line comes last
    assert (cell[1], cell[2], hidden[1], hidden[2]) == (colors.CELL, 2.0, colors.HIDDEN, 2.0)
    (pts, _), = parse_path(cell[0])
    assert np.allclose(pts, chart.lines(cs, 20, ("x",), "c")[3], atol=0.5)
    before = {a[1] for a in unit_strokes(mean)}
    faded = [a[1] for a in units if a[2] == 1.0]
    assert len(faded) == 14 and not set(faded) & before  # the others fade further
    lum = [colors.luminance(c) for c in faded]
    assert min(lum) > min(colors.luminance(c) for c in before)


def test_dashed_zero_line_in_pixels():
    c = RasterCanvas(W, H)
    chart = drawn(c, np.zeros((10, 1)), np.zeros((10, 1)), 2)
    y = int(chart.mid("h"))
    right = [c.pixel(x, y)[:3] for x in range(int(chart.x(5)), int(chart.x(9)))]
    rule = colors.rgb(colors.RULE)
    assert rule in right and (255, 255, 255) in right  # dashes and gaps


def test_many_steps_are_decimated_to_two_points_per_column():
    c = RecordingCanvas(W, H)
    chart = drawn(c, *states(10_000, 4), 10_000)
    for d, *_ in strokes(c):
        for pts, _ in parse_path(d):
            assert len(pts) <= 2 * chart.iw + 2
    assert chart.iw < 10_000


def test_decimated_lines_keep_each_columns_extremes():
    c, h = states(5_000, 2, seed=3)
    chart = StateChart(c, h, W, H)
    (line, _) = chart.lines(c, 3_001, ("c",), "c")
    top, bottom = chart.lanes["c"]
    values = (chart.mid("c") - line[:, 1]) / ((bottom - top) / 2) * chart.limit["c"]
    assert np.isclose(values.max(), c[:3_001, 0].max(), atol=0.05 * chart.limit["c"])
    assert np.isclose(values.min(), c[:3_001, 0].min(), atol=0.05 * chart.limit["c"])


def test_many_units_become_bands_plus_the_selected_unit():
    c = RecordingCanvas(W, H)
    drawn(c, *states(200, MAX_LINES + 1), 150, unit=3)
    fills = [a[1] for n, a in c.calls if n == "fill_path"]
    assert fills == [colors.mix("#ffffff", colors.CELL, 0.25),
                     colors.mix("#ffffff", colors.HIDDEN, 0.25)]  # opaque tints
    solid = [a for a in strokes(c) if a[1] in (colors.CELL, colors.HIDDEN)]
    assert len(solid) == 2
    assert any("line: unit 3" in t for t in c.strings())
    assert c.count("texts") == 1 and c.count("text") == 0
    c.reset()
    drawn(c, *states(200, 512), 150, unit=None)
    assert any("line: the mean over units" in t for t in c.strings())
    assert c.count() < 25


def test_band_spans_min_to_max_over_units():
    cs, hs = states(50, 64, seed=5)
    img = RasterCanvas(W, H)
    chart = drawn(img, cs, hs, 50)
    t = 25
    x = int(chart.x(t))
    inside = img.pixel(x, round(float(chart.y(cs[t].max() * 0.98 + cs[t].min() * 0.02, "c"))))
    outside = img.pixel(x, int(chart.y(cs[t].max(), "c")) - 4)
    assert inside[:3] != (255, 255, 255) and outside[:3] == (255, 255, 255)


def test_hit_finds_the_unit_in_the_lane_under_the_pointer():
    cs, hs = states(20, 3, seed=1)
    chart = drawn(RecordingCanvas(W, H), cs, hs, 10)
    t, u = 4, 2
    for name, data in (("c", cs), ("h", hs)):
        hit = chart.hit(float(chart.x(t)), float(chart.y(data[t, u], name)))
        assert (hit.quantity, hit.step, hit.value) == (name, t + 1, data[t, u])
        assert hit.unit == int(np.argmin(np.abs(chart.y(data[t], name) - chart.y(data[t, u],
                                                                                   name))))
    assert chart.hit(float(chart.x(15)), float(chart.mid("c"))) is None  # not revealed yet
    assert chart.hit(5.0, float(chart.mid("c"))) is None


def test_single_step_and_single_unit():
    c = RecordingCanvas(W, H)
    drawn(c, np.array([[0.5]]), np.array([[0.2]]), 1)
    lines = unit_strokes(c)
    assert len(lines) == 2 and all(len(parse_path(a[0])[0][0]) >= 2 for a in lines)


def test_large_sizes_do_not_blow_up():
    c = RecordingCanvas(W, H)
    drawn(c, *states(10_000, 512), 7_000, unit=511)
    assert c.count() < 25


@pytest.mark.parametrize("width", [280, 326, 386])
def test_narrow_canvases_keep_their_text_inside_and_legible(width):
    rec = RecordingCanvas(width, H)
    drawn(rec, *states(600, 64, scale=30), 400, unit=5)
    for item in rec.labels():
        assert item[4] >= 11
        left, right = label_extent(item)
        assert item[8] or (left >= -1 and right <= width + 1), item[0]


def test_picture():
    OUT.mkdir(exist_ok=True)
    for name, units, T in (("states_8_units", 8, 60), ("states_256_units", 256, 2000)):
        img = RasterCanvas(W, H, scale=2)
        drawn(img, *states(T, units, seed=2, scale=2.0), T * 2 // 3, unit=0)
        img.save(str(OUT / f"{name}.png"))


def test_hit_finds_the_line_under_the_pointer_and_nothing_far_from_one():
    c, h = states(40, 4, seed=2)
    chart = drawn(RecordingCanvas(W, H), c, h, 40)
    t, u = 17, 2
    x = float(chart.x(t))
    hit = chart.hit(x, float(chart.y(c[t, u], "c")))
    assert (hit.step, hit.quantity) == (t + 1, "c") and hit.value == c[t, u]
    assert chart.hit(x, float(chart.y(h[t, u], "h"))).quantity == "h"
    assert chart.hit(x, min(top for top, _ in chart.lanes.values()) - 30) is None  # above both
    assert chart.hit(chart.x0 - 5, float(chart.y(c[0, 0], "c"))) is None


def test_hit_is_none_past_the_revealed_steps_and_before_any():
    c, h = states(40, 4)
    chart = drawn(RecordingCanvas(W, H), c, h, 10)
    assert chart.hit(float(chart.x(30)), float(chart.y(c[30, 0], "c"))) is None
    chart = drawn(RecordingCanvas(W, H), c, h, 0)
    assert chart.hit(float(chart.x(0)), float(chart.y(c[0, 0], "c"))) is None
