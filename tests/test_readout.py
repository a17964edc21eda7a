import pytest

from lstm.draw.canvas import RecordingCanvas
from lstm.draw.raster import RasterCanvas
from lstm.draw.readout import card_box, draw_readout

LINES = ["token 'a'", "step 12", "unit 3", "gate f", "f = 0.9731"]


@pytest.mark.parametrize(("x", "y"), [(10, 10), (890, 10), (10, 290), (890, 290), (450, 150),
                                      (-50, -50), (2000, 2000)])
def test_the_card_stays_inside_the_canvas_wherever_the_pointer_is(x, y):
    left, top, w, h = card_box(900, 300, x, y, LINES)
    assert left >= 0 and left + w <= 900 and top >= 0 and top + h <= 300


def test_the_card_sits_below_right_of_the_pointer_and_flips_near_the_edges():
    left, top, _, _ = card_box(900, 300, 100, 100, LINES)
    assert left > 100 and top > 100
    left, top, w, h = card_box(900, 300, 880, 280, LINES)
    assert left + w < 880 and top + h < 280


def test_one_clear_one_fill_one_stroke_one_texts_call():
    c = RecordingCanvas(900, 300)
    draw_readout(c, 100, 100, LINES)
    assert [name for name, _ in c.calls] == ["clear", "fill_path", "stroke_path", "texts"]
    assert c.strings() == LINES
    assert min(item[4] for item in c.labels()) >= 11
    c.reset()
    draw_readout(c, 100, 100, [])
    assert [name for name, _ in c.calls] == ["clear"]


def test_the_card_is_drawn_where_card_box_says():
    c = RasterCanvas(300, 120)
    draw_readout(c, 20, 20, ["step 1", "h = +0.1234"])
    left, top, w, h = card_box(300, 120, 20, 20, ["step 1", "h = +0.1234"])
    px = c.pixels()
    inside = px[int(top + h / 2), int(left + 2)]
    assert inside[3] > 200  # the card's paper is opaque
    assert px[int(top + h + 5), int(left + w + 5)][3] == 0  # outside it stays transparent
