import numpy as np
import pytest

from lstm.draw.canvas import circle_points, label, path, rect_path
from lstm.draw.raster import RasterCanvas, decode_png, encode_png, parse_color

WHITE, BLACK = (255, 255, 255, 255), (0, 0, 0, 255)


def white(w=40, h=30, scale=1):
    c = RasterCanvas(w, h, scale)
    c.fill_rect(0, 0, w, h, "#ffffff")
    return c


def test_starts_transparent_and_fills_rectangles():
    c = RasterCanvas(20, 10)
    assert c.pixel(3, 3) == (0, 0, 0, 0)
    c.fill_rect(2, 1, 5, 3, "#f57c00")
    assert c.pixel(2, 1) == (245, 124, 0, 255) and c.pixel(6, 3) == (245, 124, 0, 255)
    assert c.pixel(7, 3)[3] == 0 and c.pixel(2, 4)[3] == 0 and c.pixel(1, 1)[3] == 0


def test_rgba_colours_blend_over_what_is_below():
    c = white()
    c.fill_rect(0, 0, 10, 10, "rgba(0, 0, 0, 0.5)")
    assert c.pixel(5, 5)[:3] == (128, 128, 128)
    assert parse_color("rgb(255, 0, 0)") == (1.0, 0.0, 0.0, 1.0)
    with pytest.raises(ValueError):
        parse_color("red")


def test_put_rgba_replaces_pixels_including_transparency():
    c = white(10, 10)
    img = np.zeros((2, 3, 4), np.uint8)
    img[0, 0] = (10, 20, 30, 255)  # the rest stays fully transparent
    c.put_rgba(4, 5, 3, 2, img.tobytes())
    assert c.pixel(4, 5) == (10, 20, 30, 255)
    assert c.pixel(5, 5)[3] == 0 and c.pixel(3, 5) == WHITE
    c.put_rgba(-1, 9, 3, 2, img.tobytes())  # clipped at the edges, no error
    assert c.pixel(0, 9)[3] == 0


def test_stroke_covers_the_line_and_nothing_else():
    c = white()
    c.stroke_path(path([(5, 10.5), (35, 10.5)]), "#000000", 1.0)
    assert c.pixel(20, 10) == BLACK
    assert c.pixel(20, 9) == WHITE and c.pixel(20, 11) == WHITE
    c.stroke_path(path([(20, 15), (20, 25)]), "#1565c0", 4.0)
    assert c.pixel(18, 20)[:3] == (21, 101, 192) and c.pixel(21, 20)[:3] == (21, 101, 192)
    assert c.pixel(16, 20) == WHITE and c.pixel(23, 20) == WHITE


def test_dashes_leave_gaps():
    c = white(60, 5)
    c.stroke_path(path([(0, 2.5), (60, 2.5)]), "#000000", 1.0, (5, 5))
    row = [c.pixel(x, 2) == BLACK for x in range(60)]
    assert row[1] and row[3] and not row[7] and row[12] and not row[17]
    assert 20 <= sum(row) <= 40


def test_fill_path_non_zero_winding():
    c = white()
    c.fill_path(path(circle_points(20, 15, 10, 64), close=True), "#000000")
    assert c.pixel(20, 15) == BLACK and c.pixel(12, 15) == BLACK
    assert c.pixel(2, 2) == WHITE and c.pixel(28, 24) == WHITE
    # a square with an inner square drawn the other way round is a frame with a hole
    c = white()
    outer = [(5, 5), (35, 5), (35, 25), (5, 25)]
    inner = [(15, 10), (15, 20), (25, 20), (25, 10)]
    c.fill_path(path(outer, close=True) + path(inner, close=True), "#000000")
    assert c.pixel(8, 8) == BLACK and c.pixel(20, 15) == WHITE
    # the same inner square in the same direction stays filled (non-zero, not even-odd)
    c = white()
    c.fill_path(path(outer, close=True) + path(inner[::-1], close=True), "#000000")
    assert c.pixel(20, 15) == BLACK


def test_text_draws_glyphs_and_non_ascii_as_a_box():
    c = white(120, 30)
    c.text("Hi 0.50", 10, 20, "#000000", 12)
    ink = (c.pixels()[..., 0] < 128)
    ys, xs = np.nonzero(ink)
    assert xs.min() >= 10 and xs.max() <= 10 + 7 * 7.2 and ys.max() <= 20 and ys.min() >= 10
    a, b = white(30, 20), white(30, 20)
    a.text("漢", 5, 15, "#000000")
    b.text(" ", 5, 15, "#000000")
    assert (a.pixels() != b.pixels()).any() and (b.pixels() == 255).all()


def test_text_alignment_baseline_and_rotation():
    c = white(100, 100)
    c.text("State Value", 50, 50, "#000000", 12, align="center", baseline="middle",
           angle=-np.pi / 2)
    ys, xs = np.nonzero(c.pixels()[..., 0] < 128)
    assert xs.max() - xs.min() < 12 and ys.max() - ys.min() > 50  # vertical
    assert abs((ys.max() + ys.min()) / 2 - 50) < 3
    c = white(100, 30)
    c.text("abc", 90, 5, "#000000", 10, align="right", baseline="top")
    ys, xs = np.nonzero(c.pixels()[..., 0] < 128)
    assert xs.max() < 90 and ys.min() >= 5


@pytest.mark.parametrize("scale", [1, 2])
def test_texts_draws_the_same_pixels_as_one_text_call_per_item(scale):
    items = [label("Hi 0.50", 10, 20, "#000000"),
             label("State Value", 50, 60, "#9c27b0", 12, "center", "middle", True, -np.pi / 2),
             label("abc σ×", 110, 5, "rgba(0, 0, 0, 0.5)", 10, "right", "top"),
             label("", 5, 5, "#000000")]
    one, each = white(120, 90, scale), white(120, 90, scale)
    one.texts(items)
    for item in items:
        each.text(*item)
    assert np.array_equal(one.pixels(), each.pixels())
    assert (one.pixels() != white(120, 90, scale).pixels()).any()


def test_scale_anti_aliases():
    c = white(20, 20, scale=4)
    c.fill_rect(5.5, 0, 5, 20, "#000000")
    assert c.pixel(5, 10)[:3] == (128, 128, 128) and c.pixel(7, 10) == BLACK
    assert c.pixels().shape == (20, 20, 4)


def test_png_round_trip():
    c = white(7, 3)
    c.fill_rect(1, 1, 2, 1, "rgba(10, 20, 30, 0.5)")
    data = c.png()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert np.array_equal(decode_png(data), c.pixels())
    img = np.random.default_rng(0).integers(0, 256, (5, 9, 4), dtype=np.uint8)
    assert np.array_equal(decode_png(encode_png(img)), img)


def test_rectangle_path_matches_fill_rect():
    a, b = white(), white()
    a.fill_rect(3, 4, 10, 7, "#2e7d32")
    b.fill_path(rect_path(3, 4, 10, 7), "#2e7d32")
    assert np.array_equal(a.pixels(), b.pixels())
