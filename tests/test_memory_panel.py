"""lstm/draw/memory.py: kept / written / c lanes and the half-life strip, in calls and pixels."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np

from lstm import colors
from lstm.analysis.memory import half_lives, kept_and_written, units_by_half_life
from lstm.draw.canvas import RecordingCanvas, parse_path
from lstm.draw.memory import SIZE, MemoryPanel
from lstm.draw.raster import RasterCanvas
from lstm.focus import Focus
from lstm.model import LSTM

OUT = Path(__file__).parent / "output"


def data(T=40, H=6, seed=0):
    model = LSTM.random(3, H, seed=seed)
    trace = model.trace(np.random.default_rng(seed).standard_normal((T, 3)) * 2)
    return SimpleNamespace(trace=trace, tokens=[f"t{k}" for k in range(T)])


def test_calls_one_texts_last_and_plain_values():
    d = data()
    c = RecordingCanvas(*SIZE)
    MemoryPanel(*SIZE).draw(c, d, Focus(0, 2, 10))
    assert c.count("texts") == 1 and c.calls[-1][0] == "texts" and c.count("text") == 0
    assert c.count("put_rgba") == 2  # the strip and its legend
    strokes = [a for n, a in c.calls if n == "stroke_path"]
    assert {a[1] for a in strokes} >= {colors.FORGET, colors.INPUT, colors.CELL, colors.INK}
    words = " ".join(c.strings())
    assert "kept  f·c(t−1)" in words and "written  i·g" in words and "Memory of unit 2" in words
    assert "'t9' (step 10)" in c.strings()


def test_lines_follow_kept_written_and_c():
    d = data()
    panel = MemoryPanel(*SIZE)
    c = RecordingCanvas(*SIZE)
    panel.draw(c, d, Focus(0, 4, 5))
    kept, written = kept_and_written(d.trace.layers[0])
    lines = {a[1]: parse_path(a[0])[0][0] for n, a in c.calls
             if n == "stroke_path" and a[1] in (colors.FORGET, colors.INPUT, colors.CELL)}
    ax = panel.axis
    for color, v, k in ((colors.FORGET, kept, 0), (colors.INPUT, written, 1),
                        (colors.CELL, d.trace.layers[0].c, 2)):
        pts = lines[color]
        assert np.allclose(pts[:, 0], ax.x(np.arange(40)), atol=0.5)
        limit = max(np.abs(a[:, 4]).max() for a in (kept, written, d.trace.layers[0].c))
        top = panel.lane_tops[k]
        want = top + panel.lane_h / 2 - v[:, 4] / limit * panel.lane_h / 2
        assert np.allclose(pts[:, 1], want, atol=0.5)


def test_hit_names_lane_values_and_half_lives():
    d = data()
    panel = MemoryPanel(*SIZE)
    panel.draw(RecordingCanvas(*SIZE), d, Focus(0, 4, 5))
    x = float(panel.axis.x(7))
    kept, _ = kept_and_written(d.trace.layers[0])
    hit = panel.hit(x, panel.lane_tops[0] + 5)
    assert (hit.unit, hit.step, hit.quantity, hit.token) == (4, 8, "kept", "t7")
    assert hit.value == kept[7, 4]
    order = units_by_half_life(half_lives(d.trace.layers[0].f))
    row_h = panel.strip_h / 6
    hit = panel.hit(x, panel.strip_top + 2.5 * row_h)
    assert hit.unit == order[2] and hit.quantity == "half-life" and hit.step == 8
    half = half_lives(d.trace.layers[0].f)[7, order[2]]
    assert hit.note == (f"half-life {half:g} step{'s' if half != 1 else ''}"
                        if np.isfinite(half) else "half-life: longer than the rest of the text")
    assert panel.hit(2, 50) is None and panel.hit(x, 5) is None


def test_no_unit_still_draws_the_strip():
    c = RecordingCanvas(*SIZE)
    panel = MemoryPanel(*SIZE)
    panel.draw(c, data(), Focus(0, None, 0))
    assert any(s.startswith("Focus a unit") for s in c.strings())
    assert c.count("put_rgba") == 2
    assert panel.hit(float(panel.axis.x(3)), panel.lane_tops[0] + 5) is None


def test_no_trace_is_a_placeholder():
    c = RecordingCanvas(*SIZE)
    panel = MemoryPanel(*SIZE)
    panel.draw(c, SimpleNamespace(trace=None, tokens=[]), Focus())
    assert c.strings() == ["What each cell keeps and writes will appear here"]
    assert panel.hit(100, 100) is None


def test_picture_pixels():
    d = data(T=60, H=8, seed=3)
    c = RasterCanvas(*SIZE)
    panel = MemoryPanel(*SIZE)
    panel.draw(c, d, Focus(0, 1, 30))
    OUT.mkdir(exist_ok=True)
    c.save(str(OUT / "memory_panel.png"))
    half = half_lives(d.trace.layers[0].f)
    order = units_by_half_life(half)
    s = np.log(np.minimum(half, 60)) / np.log(60)
    ax, row_h = panel.axis, panel.strip_h / 8
    cmap = colors.sequential(colors.FORGET)
    for t, r in ((5, 0), (20, 3), (50, 7)):
        x0, x1 = int(ax.edges[t]) + ax.x0, int(ax.edges[t + 1]) + ax.x0
        y = int(panel.strip_top + (r + 0.5) * row_h)
        assert c.pixel((x0 + x1) // 2, y)[:3] == tuple(cmap(s[t : t + 1, order[r]])[0, :3])
    kept, _ = kept_and_written(d.trace.layers[0])
    t = 5 + int(np.argmax(np.abs(kept[5:-5, 1])))  # a peak inside the text
    lane = panel.lane_tops[0], panel.lane_tops[0] + panel.lane_h
    y_zero = (lane[0] + lane[1]) / 2
    y_val = y_zero - kept[t, 1] / max(np.abs(a[:, 1]).max() for a in (
        kept, kept_and_written(d.trace.layers[0])[1], d.trace.layers[0].c)) * panel.lane_h / 2
    x = int(ax.x(t))
    inside = int((y_zero + y_val) / 2)  # halfway between zero and the value: inside the area
    assert c.pixel(x, inside)[:3] == colors.rgb(colors.mix("#ffffff", colors.FORGET, 0.35))


def test_every_panel_hits_nothing_before_its_first_draw():
    from lstm.draw.counterfactual import CounterfactualPanel
    from lstm.draw.features import FeaturesPanel
    from lstm.draw.gradflow import GradflowPanel

    for panel in (MemoryPanel, FeaturesPanel, CounterfactualPanel, GradflowPanel):
        assert panel(*SIZE).hit(300, 100) is None
