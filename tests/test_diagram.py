import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from lstm import colors
from lstm.draw.canvas import RecordingCanvas, label_extent
from lstm.draw.diagram import G_KEY, NARROW_GRID, WIDE_GRID, CellDiagram, cell_values, height_for
from lstm.draw.raster import RasterCanvas

OUT = Path(__file__).parent / "output"
W, H = 880, 300


def layer(T=5, units=3, seed=0):
    rng = np.random.default_rng(seed)
    arrays = {k: rng.uniform(0, 1, (T, units)) for k in "ifo"}
    arrays["g"] = rng.uniform(-1, 1, (T, units))
    arrays["c"] = rng.uniform(-2, 2, (T, units))
    arrays["h"] = rng.uniform(-1, 1, (T, units))
    return SimpleNamespace(**arrays, c0=np.full(units, 0.25), h0=np.full(units, -0.5))


def test_values_for_a_unit_and_for_the_mean():
    lt = layer()
    v = cell_values(lt, 3, 1)
    assert (v.i, v.f, v.g, v.o) == (lt.i[2, 1], lt.f[2, 1], lt.g[2, 1], lt.o[2, 1])
    assert (v.c_prev, v.c, v.h_prev, v.h) == (lt.c[1, 1], lt.c[2, 1], lt.h[1, 1], lt.h[2, 1])
    assert all(type(x) is float for x in vars(v).values())
    m = cell_values(lt, 1, None)
    assert m.f == pytest.approx(lt.f[0].mean()) and (m.c_prev, m.h_prev) == (0.25, -0.5)
    assert cell_values(lt, 0, 0) is None


def test_gate_boxes_take_the_colour_of_their_value():
    lt = layer()
    v = cell_values(lt, 2, 0)
    d = CellDiagram(W, H)
    rec = RecordingCanvas(W, H)
    d.draw(rec, (v, "'a'", "unit 1 of 3 · token 2 of 5"), None)
    fills = [a[1] for n, a in rec.calls if n == "fill_path"]
    for g in "ifgo":
        assert colors.gate_map(g).color(getattr(v, g)) in fills
    img = RasterCanvas(W, H)
    d.draw(img, (v, "'a'", ""), None)
    x, y = d.at(WIDE_GRID.gate_x["f"] - 45, WIDE_GRID.boxes + WIDE_GRID.box_h / 2 - 3)
    assert colors.hex_color(*img.pixel(int(x), int(y))[:3]) == colors.gate_map("f").color(v.f)


def test_numbers_have_two_decimals_and_labels_name_everything():
    lt = layer()
    v = cell_values(lt, 2, 0)
    rec = RecordingCanvas(W, H)
    CellDiagram(W, H).draw(rec, (v, "'a'", "unit 1 of 3 · token 2 of 5"), None)
    texts = rec.strings()
    assert f"f = {v.f:.2f}" in texts and f"g = {v.g:+.2f}" in texts
    assert f"cₜ {v.c:+.2f}" in texts and f"hₜ₋₁ {v.h_prev:+.2f}" in texts
    assert f"f·cₜ₋₁ {v.f * v.c_prev:+.2f}" in texts and f"i·g {v.i * v.g:+.2f}" in texts
    assert "xₜ 'a'" in texts and "unit 1 of 3 · token 2 of 5" in texts
    assert {"forget  σ", "input  σ", "candidate  tanh", "output  σ", "tanh"} <= set(texts)
    assert G_KEY in texts  # what g's grey and violet mean, wherever g is drawn


def test_before_the_first_step_there_are_no_numbers():
    rec = RecordingCanvas(W, H)
    CellDiagram(W, H).draw(rec, (None, "", "before the first token"), None)
    texts = rec.strings()
    assert "f = –" in texts and "cₜ –" in texts
    assert not any(re.search("[0-9]", t) for t in texts if t != G_KEY)
    assert all(a[1] == colors.PAPER for n, a in rec.calls if n == "fill_path" and
               a[1] != colors.MUTED)


def test_shapes_are_paths_and_the_layout_scales():
    small = RecordingCanvas(450, 150)
    CellDiagram(450, 150).draw(small, (None, "", ""), None)
    names = {n for n, _ in small.calls}
    assert names <= {"fill_rect", "stroke_path", "fill_path", "texts"}
    xs = [a[1] for a in small.labels()]
    assert xs and all(0 <= x <= 450 for x in xs)


def test_labels_are_one_texts_call_drawn_last():
    rec = RecordingCanvas(W, H)
    CellDiagram(W, H).draw(rec, (cell_values(layer(), 2, None), "'a'", "caption"), None)
    assert rec.count("texts") == 1 and rec.count("text") == 0
    assert rec.calls[-1][0] == "texts"  # above the gate boxes' fills
    assert len(rec.labels()) == 1 + 2 * 4 + 6 + 1 + 1 + 1  # tanh, boxes, states, x, g key, caption


def test_picture():
    OUT.mkdir(exist_ok=True)
    img = RasterCanvas(W, H, scale=2)
    lt = layer(seed=4)
    CellDiagram(W, H).draw(img, (cell_values(lt, 3, 2), "'t'", "unit 3 of 3 · token 3 of 5"), None)
    img.save(str(OUT / "diagram_unit.png"))


def test_the_two_terms_of_c_add_up_for_a_unit_and_for_the_mean():
    """c = f·c_prev + i·g, shown as 'f·cₜ₋₁' and 'i·g': over units, the means of the products."""
    from lstm.model import LSTM

    lt = LSTM.random(3, 6, seed=2).trace(np.random.default_rng(1).standard_normal((4, 3))).layers[0]
    for unit in (None, 0, 5):
        for step in (1, 4):
            v = cell_values(lt, step, unit)
            assert v.kept + v.written == pytest.approx(v.c, abs=1e-12)
    m = cell_values(lt, 3, None)
    assert m.kept != pytest.approx(m.f * m.c_prev)  # not the product of the means


def test_hit_names_the_gate_box_or_state_value_under_the_pointer():
    from lstm.focus import Focus

    lt = layer()
    d = CellDiagram(W, H)
    assert d.hit(W / 2, H / 2) is None  # nothing drawn yet
    v = cell_values(lt, 2, 1)
    d.draw(RecordingCanvas(W, H), (v, "'a'", ""), Focus(unit=1, step=2))
    g = d.grid
    x, y = d.at(g.gate_x["f"], g.boxes)
    hit = d.hit(x, y)
    assert (hit.gate, hit.value, hit.unit, hit.step) == ("f", v.f, 1, 2)
    assert d.hit(*d.at(g.gate_x["g"] + 40, g.boxes + g.box_h / 2 - 2)).gate == "g"
    assert d.hit(*d.at(g.gate_x["g"], g.boxes + g.box_h)) is None
    d.draw(RecordingCanvas(W, H), (None, "", ""), Focus())
    assert d.hit(x, y) is None


@pytest.mark.parametrize("width", [280, 326, 386, 599, 600, 760, 926])
def test_every_width_gets_a_grid_whose_text_fits(width):
    """Narrow canvases get the narrow grid; no label is under 11 px or leaves the canvas; the
    roles drop their activation when the boxes are too narrow for it."""
    height = height_for(width)
    d = CellDiagram(width, height)
    assert d.grid is (NARROW_GRID if width < 600 else WIDE_GRID)
    rec = RecordingCanvas(width, height)
    caption = "layer 1 of 2 · mean over 64 units · before the first token (states start at 0)"
    d.draw(rec, (cell_values(layer(), 2, None), "'abcdef'", caption), None)
    for item in rec.labels():
        left, right = label_extent(item)
        assert item[4] >= 11 and left >= -1 and right <= width + 1, (width, item[0])
        assert 0 <= item[2] <= height
    roles = [s for s in rec.strings() if s.split()[0] in ("forget", "input", "candidate", "output")]
    assert len(roles) == 4
