"""lstm/draw/saturation.py: a dot per unit where its gate is shut (x) and open (y)."""

from types import SimpleNamespace

import numpy as np

from lstm import colors
from lstm.analysis.saturation import GATES, saturation
from lstm.draw.canvas import RecordingCanvas, parse_path
from lstm.draw.raster import RasterCanvas
from lstm.draw.saturation import (
    EMPTY_MESSAGE,
    NO_STEPS_MESSAGE,
    RING,
    SIZE,
    SaturationPanel,
    squares,
)
from lstm.focus import Focus


def data(T=20, H=5):
    """Saturation of made-up gates: unit u's gates are shut on the first u * 4 steps, open after
    (g: -1 then +1), so unit u sits at (u / 5, 1 - u / 5) on the diagonal; unit 4 = unit 3."""
    steps = np.arange(T)[:, None]
    shut = steps < np.array([0, 4, 8, 12, 12])[:H]
    gates = {g: np.where(shut, -1.0 if g == "g" else 0.0, 1.0) for g in GATES}
    trace = SimpleNamespace(layers=[SimpleNamespace(**gates, h=np.zeros((T, H)))])
    return saturation(trace)


def drawn(focus, size=SIZE, canvas=None, sat=None):
    panel = SaturationPanel(*size)
    canvas = canvas or RecordingCanvas(*size)
    panel.draw(canvas, data() if sat is None else sat, focus)
    return panel, canvas


def test_squares_is_one_subpath_per_dot():
    subpaths = parse_path(squares(np.array([10.0, 20.0, 30.0]), np.array([5.0, 5.0, 9.0]), 2))
    assert len(subpaths) == 3
    np.testing.assert_array_equal(subpaths[2][0], [[28, 7], [32, 7], [32, 11], [28, 11]])


def test_one_dot_path_per_gate_in_its_colour_and_one_texts_call():
    _, c = drawn(Focus(unit=2, step=20))
    fills = [a for n, a in c.calls if n == "fill_path"]
    assert [color for _, color in fills] == [colors.GATE_COLORS[g] for g in GATES]
    assert all(len(parse_path(d)) == 5 for d, _ in fills)
    assert c.count("texts") == 1 and c.calls[-1][0] == "texts"
    s = c.strings()
    assert "f  forget gate" in s and "share < -0.9" in s and s.count("share > 0.9") == 4
    assert s[-1].startswith("unit 2 ringed · each dot is one of 5 units · steps 1-20")
    assert min(item[4] for item in c.labels()) >= 11


def test_dots_sit_at_their_fractions_and_the_focused_one_is_ringed():
    canvas = RasterCanvas(*SIZE)
    panel, _ = drawn(Focus(unit=2, step=20), canvas=canvas)
    ink = colors.rgb(colors.INK)
    for k, g in enumerate(GATES):
        ox, oy = panel.origins[k]
        x, y = ox + 0.4 * panel.side, oy + 0.4 * panel.side  # unit 2: shut 40%, open 60%
        assert canvas.pixel(round(x), round(y))[:3] == colors.rgb(colors.GATE_COLORS[g])
        assert canvas.pixel(round(x + RING), round(y))[:3] == ink  # the ring's right edge
        assert canvas.pixel(round(x), round(y - RING))[:3] == ink
        ux, uy = ox + 0.2 * panel.side, oy + 0.2 * panel.side  # unit 1 is not ringed
        assert canvas.pixel(round(ux + RING), round(uy))[:3] != ink


def test_hit_names_the_nearest_unit_and_the_ones_under_it():
    panel, _ = drawn(Focus(unit=2, step=20))
    ox, oy = panel.origins[1]
    hit = panel.hit(ox + 0.2 * panel.side + 2, oy + 0.2 * panel.side - 1)  # y: 1 - 0.8
    assert (hit.unit, hit.gate, hit.action, hit.step, hit.layer) == (1, "f", "focus", 20, 0)
    assert hit.value == 0.8 and hit.note == "below 0.1: 20.0% · above 0.9: 80.0% of 20 steps"
    both = panel.hit(ox + 0.6 * panel.side, oy + 0.6 * panel.side)
    assert both.unit == 3 and both.note.endswith("also here: unit 4")
    assert panel.hit(ox + 0.5 * panel.side, oy + 0.9 * panel.side) is None  # no dot there
    assert panel.hit(2, 2) is None and panel.hit(float("inf"), 3) is None


def test_nothing_to_show_says_so_and_hits_nothing():
    for sat, message in ((None, EMPTY_MESSAGE), (saturation(SimpleNamespace(layers=[
            SimpleNamespace(**{g: np.zeros((3, 2)) for g in GATES}, h=np.zeros((3, 2)))]),
            steps=0), NO_STEPS_MESSAGE)):
        panel = SaturationPanel(*SIZE)
        c = RecordingCanvas(*SIZE)
        panel.draw(c, sat, Focus(unit=1))
        assert c.strings() == [message] and panel.hit(100, 100) is None


def test_a_narrow_canvas_stacks_two_by_two_and_a_unit_out_of_range_rings_nothing():
    panel, c = drawn(Focus(unit=9, step=3), size=(480, 420))
    assert panel.origins[2][1] > panel.origins[0][1] + panel.side  # second row
    assert c.count("stroke_path") == 2  # frames and diagonals, no ring
    assert all(item[1] <= 480 for item in c.labels())
