from pathlib import Path

import numpy as np

from lstm import colors
from lstm.draw.canvas import RecordingCanvas, parse_path
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


def test_placeholder_before_the_first_step():
    c = RecordingCanvas(W, H)
    drawn(c, *states(10, 4), 0)
    assert c.strings() == [PLACEHOLDER] and c.count() == 2  # background and the message
    assert c.count("texts") == 1


def test_one_stroke_per_unit_and_state_in_shades():
    c = RecordingCanvas(W, H)
    drawn(c, *states(40, 8), 20)
    lines = [a for a in strokes(c) if a[1].startswith("rgba(")]
    assert len(lines) == 2 * 8
    cell = [a[1] for a in lines if a[1].startswith("rgba(156, 39, 176")]
    hidden = [a[1] for a in lines if a[1].startswith("rgba(0, 188, 212")]
    assert len(cell) == len(hidden) == 8 and len(set(cell)) == 8  # shades by unit
    first = parse_path(lines[0][0])
    assert len(first) == 1 and len(first[0][0]) == 20  # one point per step so far
    texts = c.strings()
    assert "Timestep" in texts and "State Value" in texts and "0" in texts
    assert c.count("fill_path") == 0
    assert c.count("texts") == 1 and c.count("text") == 0 and c.calls[-1][0] == "texts"


def test_selected_unit_drawn_on_top_thicker_and_opaque():
    cs, hs = states(40, 8)
    mean, picked = RecordingCanvas(W, H), RecordingCanvas(W, H)
    chart = drawn(mean, cs, hs, 20)
    drawn(picked, cs, hs, 20, unit=3)
    assert not any("highlighted" in t for t in mean.strings())
    assert "unit 3 highlighted" in picked.strings()
    assert picked.count("texts") == 1 and picked.calls[-1][0] == "texts"
    units = [a for a in strokes(picked) if a[1].startswith("rgba(") or a[1] in
             (colors.CELL, colors.HIDDEN)]
    assert len(units) == 2 * 8  # still one stroke per unit and state
    faded, (cell, hidden) = units[:-2], units[-2:]  # the selected unit's lines come last
    assert (cell[1], cell[2], hidden[1], hidden[2]) == (colors.CELL, 2.5, colors.HIDDEN, 2.5)
    for mine, data in ((cell, cs), (hidden, hs)):
        (pts, _), _swatch = parse_path(mine[0])
        assert np.allclose(pts, chart.lines(data, 20, ("x",))[3], atol=0.5)
    before = [float(a[1].rsplit(",", 1)[1][:-1]) for a in strokes(mean) if a[1].startswith("rgba(")]
    after = [float(a[1].rsplit(",", 1)[1][:-1]) for a in faded]
    del before[3], before[8 + 3]  # unit 3's c and h lines
    assert all(a < b for a, b in zip(after, before, strict=True))  # the others fade further
    assert max(after) < 0.5


def test_dashed_zero_line_and_scale_to_the_largest_magnitude():
    c = RecordingCanvas(W, H)
    chart = drawn(c, *states(30, 4, scale=6.0), 30)
    zero = [a for a in strokes(c) if a[3] == (5, 5)]
    assert len(zero) == 1 and zero[0][1] == colors.RULE
    ((pts, _),) = parse_path(zero[0][0])
    assert np.allclose(pts[:, 1], chart.mid)
    peak = max(np.abs(chart.c).max(), np.abs(chart.h).max())
    assert chart.scale == peak and f"+{peak:.2f}" in c.strings()
    small = StateChart(*states(30, 4, scale=0.01), W, H)
    assert small.scale == 1.0  # at least 1, as in the seed


def test_dashed_zero_line_in_pixels():
    c = RasterCanvas(W, H)
    chart = drawn(c, np.zeros((10, 1)), np.zeros((10, 1)), 2)
    y = int(chart.mid)
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
    (line, _) = chart.lines(c, 3_001, ("c",))
    values = (chart.mid - line[:, 1]) / ((chart.bottom - chart.top) * 0.4) * chart.scale
    assert np.isclose(values.max(), c[:3_001, 0].max(), atol=0.05 * chart.scale)
    assert np.isclose(values.min(), c[:3_001, 0].min(), atol=0.05 * chart.scale)


def test_many_units_become_bands_plus_the_selected_unit():
    c = RecordingCanvas(W, H)
    drawn(c, *states(200, MAX_LINES + 1), 150, unit=3)
    assert c.count("fill_path") == 2
    solid = [a for a in strokes(c) if a[1] in (colors.CELL, colors.HIDDEN)]
    assert len(solid) == 2
    assert any("lines follow unit 3" in t for t in c.strings())
    assert c.count("texts") == 1 and c.count("text") == 0
    c.reset()
    drawn(c, *states(200, 512), 150, unit=None)
    assert any("the mean over units" in t for t in c.strings())
    assert c.count() < 25


def test_band_spans_min_to_max_over_units():
    cs, hs = states(50, 64, seed=5)
    img = RasterCanvas(W, H)
    chart = drawn(img, cs, hs, 50)
    t = 25
    x = int(chart.x(t))
    inside = img.pixel(x, round(float(chart.y(cs[t].max() * 0.98 + cs[t].min() * 0.02))))
    outside = img.pixel(x, int(chart.y(max(cs[t].max(), hs[t].max()))) - 4)
    assert inside[:3] != (255, 255, 255) and outside[:3] == (255, 255, 255)


def test_single_step_and_single_unit():
    c = RecordingCanvas(W, H)
    drawn(c, np.array([[0.5]]), np.array([[0.2]]), 1)
    lines = [a for a in strokes(c) if a[1].startswith("rgba(")]
    assert len(lines) == 2 and all(len(parse_path(a[0])[0][0]) >= 2 for a in lines)


def test_large_sizes_do_not_blow_up():
    c = RecordingCanvas(W, H)
    drawn(c, *states(10_000, 512), 7_000, unit=511)
    assert c.count() < 25


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
    hit = chart.hit(x, float(chart.y(c[t, u])))
    assert (hit.step, hit.quantity) == (t + 1, "c") and hit.value == c[t, u]
    assert chart.hit(x, float(chart.y(h[t, u]))).quantity in ("c", "h")
    assert chart.hit(x, chart.top - 30) is None  # above the plot
    assert chart.hit(chart.x0 - 5, float(chart.y(c[0, 0]))) is None


def test_hit_is_none_past_the_revealed_steps_and_before_any():
    c, h = states(40, 4)
    chart = drawn(RecordingCanvas(W, H), c, h, 10)
    assert chart.hit(float(chart.x(30)), float(chart.y(c[30, 0]))) is None
    chart = drawn(RecordingCanvas(W, H), c, h, 0)
    assert chart.hit(float(chart.x(0)), float(chart.y(c[0, 0]))) is None
