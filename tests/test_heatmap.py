import itertools
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from lstm import colors
from lstm.draw.canvas import RecordingCanvas, label, label_extent, text_width
from lstm.draw.heatmap import (
    GATES,
    PAD,
    TITLE,
    TOKEN_SIZE,
    GateHeatmaps,
    column_edges,
    fit,
    token_label,
)
from lstm.draw.raster import RasterCanvas
from lstm.focus import Focus
from lstm.tokens import show
from lstm.ui.panels import CANVAS_SIZES
from lstm.ui.state import ViewState

OUT = Path(__file__).parent / "output"
W, H = 880, 400


def layer(T, units, seed=0, **fixed):
    rng = np.random.default_rng(seed)
    gates = {g: rng.uniform(-1 if g == "g" else 0, 1, (T, units)) for g in GATES}
    gates.update({g: np.full((T, units), v, float) for g, v in fixed.items()})
    return SimpleNamespace(**gates)


def pixel_at(canvas, maps, gate, x, row=0):
    """Colour at canvas x, image row `row` of a gate."""
    k = GATES.index(gate)
    return canvas.pixel(x, maps.tops[k] + TITLE + PAD + row)[:3]


def drawn(canvas, lt, tokens, step):
    """The heatmaps of lt made for canvas and drawn on it after `step` steps."""
    maps = GateHeatmaps(lt, tokens, canvas.width, canvas.height)
    maps.draw(canvas, ViewState().at(step), Focus(step=step))
    return maps


def test_a_frame_is_one_put_per_gate_one_marker_and_labels():
    c = RecordingCanvas(W, H)
    maps = drawn(c, layer(24, 16), list("hello world, how are you"), 5)
    assert c.count("put_rgba") == 4 and c.count("stroke_path") == 1 and c.count("fill_rect") == 1
    assert c.count("fill_path") == 0
    texts = c.strings()
    assert texts.count("darker = closer to 1   0") == 3 and texts.count("1") == 3
    assert "grey < 0 < violet, white = 0   -1" in texts and "+1" in texts
    assert "␣" in texts and "h" in texts  # tokens under the axis, spaces made visible
    assert c.count("texts") == 1 and c.count("text") == 0 and c.calls[-1][0] == "texts"
    for _, (_x, _y, w, h, data) in [call for call in c.calls if call[0] == "put_rgba"]:
        assert len(data) == w * h * 4 and w == maps.iw + 2 * PAD
    c.reset()
    maps.draw(c, ViewState(), Focus())
    assert c.count("stroke_path") == 0  # no marker before the first step
    assert c.count("texts") == 1 and c.count("text") == 0


def test_open_forget_gate_is_orange_and_columns_after_the_step_are_empty():
    c = RasterCanvas(W, H)
    maps = drawn(c, layer(10, 4, f=1.0, g=0.0, i=0.0, o=0.5), list("abcdefghij"), 4)
    reached, later = maps.x0 + int(maps.edges[1]) + 2, maps.x0 + int(maps.edges[6]) + 2
    assert pixel_at(c, maps, "f", reached) == colors.rgb(colors.FORGET)
    assert pixel_at(c, maps, "g", reached) == (255, 255, 255)  # diverging: white at 0
    assert pixel_at(c, maps, "i", reached) == tuple(colors.gate_map("i").lut[0][:3])
    for g in GATES:
        assert pixel_at(c, maps, g, later) == colors.rgb(colors.EMPTY)


def test_marker_frames_the_current_column():
    c = RasterCanvas(W, H)
    maps = drawn(c, layer(10, 4, f=0.0), list("abcdefghij"), 3)
    a, b = maps.marker_x(3)
    assert (a, b) == (maps.x0 + int(maps.edges[2]), maps.x0 + int(maps.edges[3]))
    ink = colors.rgb(colors.INK)
    for gate in GATES:
        assert pixel_at(c, maps, gate, a - 1, row=5) == ink
        assert pixel_at(c, maps, gate, b, row=5) == ink
        assert pixel_at(c, maps, gate, (a + b) // 2, row=5) != ink  # the column itself shows
    assert pixel_at(c, maps, "f", a - 6, row=5) != ink


@pytest.mark.parametrize(("T", "size"), [(30, (W, H)), (1000, CANVAS_SIZES["heatmaps"]),
                                         (1000, (W, H)), (3000, (W, H))])  # iw 808 or 828
def test_the_marker_frames_the_column_of_the_newest_step(T, size):
    """At every step the marker ends at the newest revealed column (read from the pixels the
    step puts); a step with columns of its own is framed over all of them, else over one."""
    maps = GateHeatmaps(layer(T, 1, f=1.0), ["x"] * T, *size)
    orange = colors.rgb(colors.FORGET)
    for step in range(1, T + 1):
        rec = RecordingCanvas(*size)
        maps.draw_step(rec, ViewState().at(step), Focus(step=step), step - 1)
        x, _, w, h, data = [a for n, a in rec.calls if n == "put_rgba"][GATES.index("f")]
        image_row = np.frombuffer(data, np.uint8).reshape(h, w, 4)[PAD, :, :3]  # rows from TITLE
        newest = x + max(k for k in range(w) if tuple(image_row[k]) == orange)
        a, b = maps.marker_x(step)
        own = int(maps.edges[step] - maps.edges[step - 1])
        assert (a, b) == (newest + 1 - max(own, 1), newest + 1), step


@pytest.mark.parametrize("T", [30, 3000])
def test_a_step_redraw_equals_a_full_redraw(T):
    lt, tokens = layer(T, 8, seed=T), [chr(97 + k % 26) for k in range(T)]
    maps = GateHeatmaps(lt, tokens, W, H)
    for prev, step in [(0, 1), (7, 8), (T // 2, T // 2 + 1), (T - 1, T), (9, 3)]:
        stepped, full = RasterCanvas(W, H), RasterCanvas(W, H)
        maps.draw(stepped, ViewState().at(prev), Focus(step=prev))
        rec = RecordingCanvas(W, H)
        maps.draw_step(rec, ViewState().at(step), Focus(step=step), prev)
        if step > prev:  # playing on: only the new columns and the marker
            assert rec.count("put_rgba") == 4 and rec.count("stroke_path") == 1
            assert rec.count("texts") == 1 and rec.count() == 7  # and the tokens' row
        else:  # a jump back is a whole draw
            assert rec.count("fill_rect") == 1 and rec.count("texts") == 1
        maps.draw_step(stepped, ViewState().at(step), Focus(step=step), prev)
        maps.draw(full, ViewState().at(step), Focus(step=step))
        assert np.array_equal(stepped.pixels(), full.pixels()), (prev, step)


def test_a_column_of_many_steps_shows_their_mean_up_to_the_current_step():
    T = 4 * 808
    f = np.zeros((T, 1))
    f[1::2] = 1.0  # alternating 0, 1: a full column of 4 steps averages 0.5
    lt = layer(T, 1, f=0.0)
    lt.f = f
    maps = GateHeatmaps(lt, ["x"] * T, W, H)
    assert maps.iw == 808
    c = RasterCanvas(W, H)
    # column 10 holds steps 40..43, of which 40 and 41 are reached
    maps.draw(c, ViewState().at(42), Focus(step=42))
    cmap = colors.gate_map("f")
    assert pixel_at(c, maps, "f", maps.x0 + 3) == tuple(cmap(np.array([0.5]))[0][:3])
    assert pixel_at(c, maps, "f", maps.x0 + 10) == tuple(cmap(np.array([0.5]))[0][:3])
    assert "mean of ~4.0 steps × ~1.0 units" in " · ".join(maps.caption())


def test_token_labels_never_overlap():
    rng = np.random.default_rng(0)
    words = ["a", "the", "remember", "(", "LSTM", "\n", " ", "x" * 40]
    for T in (5, 40, 300, 10_000):
        tokens = [words[k] for k in rng.integers(0, len(words), T)]
        maps = GateHeatmaps(layer(T, 3), tokens, W, H)
        spans = sorted(label_extent(label(s, x, 0, "", TOKEN_SIZE, align="center"))
                       for s, x in maps.labels)
        assert spans and all(a[1] < b[0] for a, b in itertools.pairwise(spans))
        assert len(maps.labels) <= maps.iw / (text_width("x", TOKEN_SIZE) * 0.9)


def test_the_current_token_is_always_labelled_and_its_neighbours_make_room():
    text = "alice was beginning to get very tired of sitting by her sister on the bank " * 4
    maps = GateHeatmaps(layer(len(text), 16), list(text), 326, 460)
    assert 1 < maps.labels[1][1] - maps.labels[0][1] < 30  # thinned, and dense
    for step in (1, 7, 150, len(text)):
        rec = RecordingCanvas(326, 460)
        maps.draw(rec, ViewState().at(step), Focus(step=step))
        row = [item for item in rec.labels() if item[2] == maps.axis_top + 14]
        bold = [item for item in row if item[7]]
        assert [item[0] for item in bold] == [token_label(text[step - 1])]
        assert bold[0][1] == maps.token_x(step - 1)
        spans = sorted(label_extent(item) for item in row)
        assert all(a[1] < b[0] for a, b in itertools.pairwise(spans)), step


def test_a_narrow_canvas_puts_each_strips_note_on_a_second_row():
    rec = RecordingCanvas(326, 460)
    maps = drawn(rec, layer(40, 16), list("x" * 40), 20)
    assert maps.title == 2 * TITLE
    texts = rec.strings()
    assert "g  candidate" in texts and "i  input gate" in texts
    assert any(t.startswith("grey < 0 < violet, white = 0") for t in texts)
    assert sum(t.startswith("darker = closer to 1") for t in texts) == 3
    for item in rec.labels():
        left, right = label_extent(item)
        assert item[4] >= 11 and left >= 0 and right <= 326, item[0]


def test_the_focused_unit_is_outlined_and_named_in_every_strip():
    rec = RecordingCanvas(W, H)
    maps = GateHeatmaps(layer(30, 16), list("y" * 30), W, H)
    assert maps.ih % 16 == 0  # every unit's row the same height
    maps.draw(rec, ViewState().at(10), Focus(step=10, unit=5))
    assert rec.strings().count("unit 5") == 4


def test_token_label_shows_whitespace_as_the_page_does_in_glyphs_the_raster_font_has():
    for ws in (" ", "\n", "\t"):
        assert token_label(ws) == show(ws)
        glyph, box = RasterCanvas(20, 20), RasterCanvas(20, 20)
        glyph.text(token_label(ws), 2, 12, colors.INK)
        box.text("\ufffd", 2, 12, colors.INK)  # what the font draws for a missing glyph
        assert glyph.pixels()[..., 3].any() and not np.array_equal(glyph.pixels(), box.pixels())
    assert token_label("a\tb c") == "a⇥b␣c"
    assert token_label("internationalisation") == "inter…"
    assert token_label("\x07") == "\ufffd" and token_label("") == "\ufffd"


def test_fit_means_when_shrinking_and_repeats_when_growing():
    a = np.arange(10, dtype=float)[:, None]
    assert fit(a, 5, 0)[:, 0].tolist() == [0.5, 2.5, 4.5, 6.5, 8.5]
    assert fit(a[:3], 6, 0)[:, 0].tolist() == [0, 0, 1, 1, 2, 2]
    edges = column_edges(3, 6)
    assert edges.tolist() == [0, 2, 4, 6]


def test_edge_sizes():
    for T, units in [(1, 1), (1, 512), (10_000, 1), (10_000, 512)]:
        c = RecordingCanvas(W, H)
        maps = drawn(c, layer(T, units), ["t"] * T, T)
        assert c.count("put_rgba") == 4
        assert maps.rows["f"].shape == (T, min(maps.ih, units) if units > maps.ih else maps.ih)
    small = RecordingCanvas(120, 60)  # tiny canvas: still draws, nothing negative
    drawn(small, layer(50, 64), ["t"] * 50, 10)
    assert all(a[2] >= 0 and a[3] > 0 for n, a in small.calls if n == "put_rgba")


def test_picture():
    text = "the cat sat on the mat, and the mat was warm."
    c = RasterCanvas(W, H, scale=2)
    drawn(c, layer(len(text), 16, seed=3), list(text), 20)
    OUT.mkdir(exist_ok=True)
    c.save(str(OUT / "heatmaps_random_gates.png"))
    big = RasterCanvas(W, H, scale=1)
    drawn(big, layer(10_000, 512, seed=4), ["w"] * 10_000, 6_000)
    big.save(str(OUT / "heatmaps_t10000_h512.png"))


@pytest.mark.parametrize(("T", "units"), [(30, 8), (3000, 8), (40, 300)])
def test_hit_names_the_gate_unit_step_value_and_token_under_the_pointer(T, units):
    lt = layer(T, units, seed=3)
    tokens = [chr(97 + k % 26) for k in range(T)]
    maps = GateHeatmaps(lt, tokens, W, H, index=1)
    maps.draw(RecordingCanvas(W, H), ViewState().at(T), Focus(step=T))
    for g, t, u in [("i", 0, 0), ("g", T // 2, units // 2), ("o", T - 1, units - 1)]:
        a, b = maps.marker_x(t + 1)  # the columns step t + 1 is drawn in
        r0, r1 = maps.unit_rows(u)
        y = maps.tops[GATES.index(g)] + TITLE + PAD + (r0 + r1) / 2
        hit = maps.hit((a + b) / 2, float(y))
        # where steps or units share pixels, the step or unit is the pixel's first one
        assert hit.gate == g and hit.layer == 1
        assert abs(hit.step - 1 - t) <= max(T // maps.iw, 0) + 1
        assert abs(hit.unit - u) <= max(units // maps.ih, 0) + 1
        assert hit.value == getattr(lt, g)[hit.step - 1, hit.unit]
        assert hit.token == token_label(tokens[hit.step - 1])


def test_hit_is_none_off_the_images_and_past_the_revealed_steps():
    lt = layer(30, 8)
    maps = GateHeatmaps(lt, list("abcdefghijklmnopqrstuvwxyzabcd"), W, H)
    maps.draw(RecordingCanvas(W, H), ViewState().at(10), Focus(step=10))
    y = maps.tops[0] + TITLE + PAD + 1
    assert maps.hit(maps.x0 - 3, y) is None
    assert maps.hit(maps.x0 + maps.iw + 1, y) is None
    assert maps.hit(maps.x0 + 1, maps.tops[0] + 2) is None  # the title row
    assert maps.hit(float(maps.x0 + maps.edges[20]), y) is None  # step 21, not revealed
    assert maps.hit(float(maps.x0 + maps.edges[9]), y).step == 10


def test_units_get_rows_of_equal_height_and_the_focused_row_is_outlined():
    lt = layer(30, 16)
    maps = GateHeatmaps(lt, ["a"] * 30, W, H)
    heights = {maps.unit_rows(u)[1] - maps.unit_rows(u)[0] for u in range(16)}
    assert len(heights) == 1
    plain, focused = RecordingCanvas(W, H), RecordingCanvas(W, H)
    maps.draw(plain, ViewState().at(5), Focus(step=5))
    maps.draw(focused, ViewState().at(5), Focus(step=5, unit=7))
    (d0,), (d1,) = ([a[0] for n, a in c.calls if n == "stroke_path"] for c in (plain, focused))
    assert d1.count("M") >= d0.count("M") + 4  # one more box per band at least: the unit's row
