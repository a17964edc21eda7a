"""lstm/draw/gradflow.py: the gradient heatmap and the forget-product lane."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np

from lstm import colors
from lstm.analysis.gradflow import cell_gradients, forget_product, gradient_flow
from lstm.draw.canvas import RecordingCanvas, parse_path
from lstm.draw.gradflow import DECADES, SIZE, GradflowPanel, signed_log
from lstm.draw.raster import RasterCanvas
from lstm.focus import Focus
from lstm.model import LSTM

OUT = Path(__file__).parent / "output"


def data(unit=2, step=19):
    """A trace of long memories and the flow into c_step[unit] (None: no unit)."""
    params = LSTM.random(3, 6, seed=1).params
    params["bias_hh_l0"] = params["bias_hh_l0"] + np.r_[np.zeros(6), 3 * np.ones(6),
                                                        np.zeros(12)]  # long memories
    model = LSTM(params)
    trace = model.trace(np.random.default_rng(1).standard_normal((30, 3)))
    flow = None if unit is None else gradient_flow(model, trace, 0, unit, step)
    return SimpleNamespace(model=model, trace=trace, tokens=[f"t{k}" for k in range(30)],
                           flow=flow)


def test_signed_log_scale():
    v = np.array([2.0, -2.0, 2e-4, 2e-5, 0.0, -0.02])
    assert signed_log(v, 2.0).tolist() == [1.0, -1.0, 0.0, 0.0, 0.0, -0.5]
    assert DECADES == 4


def test_calls_and_lanes():
    d = data()
    panel = GradflowPanel(*SIZE)
    c = RecordingCanvas(*SIZE)
    panel.draw(c, d, Focus(0, 2, 20))
    assert c.count("texts") == 1 and c.calls[-1][0] == "texts" and c.count("text") == 0
    assert c.count("put_rgba") == 2  # the heatmap and its legend
    dc = cell_gradients(d.model, d.trace, 0, 2, 19)
    fp = forget_product(d.trace, 0, 2, 19)
    lane = panel._hits["lane"]
    lines = {a[1]: parse_path(a[0])[0][0] for n, a in c.calls
             if n == "stroke_path" and a[1] in (colors.FORGET, colors.CELL)}
    assert np.allclose(lines[colors.FORGET][:, 1], lane.y(fp), atol=0.5)
    assert np.allclose(lines[colors.CELL][:, 1], lane.y(dc[:, 2]), atol=0.5)
    assert len(lines[colors.CELL]) == 20  # steps 1..20 only
    words = c.strings()
    assert words[0].startswith("Gradient flow: d c_20[2] / d c_t[j]")
    assert f"+{np.abs(dc).max():.3g}" in words


def test_hits_are_readouts_of_the_gradient():
    d = data()
    panel = GradflowPanel(*SIZE)
    panel.draw(RecordingCanvas(*SIZE), d, Focus(0, 2, 20))
    dc = cell_gradients(d.model, d.trace, 0, 2, 19)
    row_h = panel.ih / 6
    x = float(panel.axis.x(11))
    hit = panel.hit(x, panel.map_top + 4.5 * row_h)
    assert (hit.unit, hit.step, hit.value, hit.action) == (4, 12, dc[11, 4], "")
    assert hit.note == "d c_20[2] / d c_12[4]"
    hit = panel.hit(x, panel._hits["lane"].top + 2)
    assert hit.unit == 2 and hit.value == dc[11, 2] and hit.note.startswith("forget product")
    assert panel.hit(float(panel.axis.x(25)), panel.map_top + 3) is None  # after T
    assert panel.hit(3, 100) is None


def test_placeholders():
    c = RecordingCanvas(*SIZE)
    panel = GradflowPanel(*SIZE)
    panel.draw(c, data(unit=None), Focus(0, None, 5))
    assert c.strings() == ["Focus a unit and a step to see how far back its cell state "
                           "reaches"] and panel.hit(300, 100) is None


def test_the_flow_drawn_is_the_datas_not_the_focus():
    """The page may fix T (its gradient step) while the focus moves on: the flow decides."""
    c = RecordingCanvas(*SIZE)
    panel = GradflowPanel(*SIZE)
    panel.draw(c, data(unit=3, step=9), Focus(0, 1, 25))
    assert c.strings()[0].startswith("Gradient flow: d c_10[3] / d c_t[j]")
    hit = panel.hit(float(panel.axis.x(4)), panel._hits["lane"].top + 2)
    assert hit.unit == 3 and hit.step == 5 and hit.note.startswith("forget product")
    assert panel.hit(float(panel.axis.x(12)), panel._hits["lane"].top + 2) is None  # after T


def test_picture_pixels():
    d = data()
    c = RasterCanvas(*SIZE)
    panel = GradflowPanel(*SIZE)
    panel.draw(c, d, Focus(0, 2, 20))
    OUT.mkdir(exist_ok=True)
    c.save(str(OUT / "gradflow_panel.png"))
    dc = cell_gradients(d.model, d.trace, 0, 2, 19)
    cmap = colors.diverging(colors.CELL)
    ax, row_h = panel.axis, panel.ih / 6
    for t, j in ((3, 0), (12, 5), (18, 1), (19, 4)):
        x = ax.x0 + (int(ax.edges[t]) + int(ax.edges[t + 1])) // 2
        y = int(panel.map_top + (j + 0.5) * row_h)
        want = cmap(signed_log(dc[t : t + 1, j], np.abs(dc).max()))[0, :3]
        assert c.pixel(x, y)[:3] == tuple(want)
    x = ax.x0 + int(ax.edges[25]) + 2  # after T: empty
    assert c.pixel(x, int(panel.map_top + 0.5 * row_h))[:3] == colors.rgb(colors.EMPTY)
