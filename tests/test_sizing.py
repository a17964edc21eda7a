"""lstm/ui/sizing.py: every canvas sized to the width its panel offers, redrawn when it changes."""

import pytest

from lstm import colors
from lstm.draw import diagram, equations, saturation
from lstm.ui.app import start
from lstm.ui.panels import CANVAS_SIZES, REGISTRY
from lstm.ui.sizing import canvas_height, fit_canvases
from tests.fakes import FakePage


@pytest.fixture
def page():
    return FakePage(values={"speed": "3"})


def test_canvases_start_at_the_width_offered_and_the_height_for_it(page):
    page.widths = {id_: 500 for id_ in CANVAS_SIZES}
    start(page)
    for id_, canvas in page.canvases.items():
        assert (canvas.width, canvas.height) == (500, canvas_height(id_, 500)), id_
    assert page.canvases["diagram"].height == diagram.height_for(500)
    assert page.canvases["heatmaps"].height == CANVAS_SIZES["heatmaps"][1] + 4 * 18  # 2 rows


def test_heights_follow_the_registry():
    assert canvas_height("equations", 326) == equations.height_for(326) > \
        canvas_height("equations", 926)
    assert canvas_height("saturation", 326) == saturation.height_for(326)
    assert canvas_height("loss", 326) == CANVAS_SIZES["loss"][1]
    assert REGISTRY["prediction"].height_for(300) == CANVAS_SIZES["prediction"][1]


def test_a_resize_redraws_every_panel_for_the_new_width(page):
    app = start(page)
    for _ in range(5):
        page.click("step")
    drawers = dict(app.frames.drawers)
    page.resize(326)
    for id_, canvas in page.canvases.items():
        assert canvas.width == 326 and canvas.count() > 1, id_  # drawn again at once
    assert "5" in page.canvases["states"].strings()  # the chart at step 5, not a placeholder
    widths = {key[2] for key in app.frames.drawers}
    assert widths == {326}  # the drawers of the old size are gone
    assert not set(drawers.values()) & set(app.frames.drawers.values())
    before = {id_: c for id_, c in page.canvases.items()}
    page.resize(326)  # the same width again: nothing to do
    assert all(page.canvases[id_] is c and c.count() > 1 for id_, c in before.items())


def test_a_hidden_panel_keeps_its_canvas_until_it_is_shown(page):
    start(page)
    page.widths = {id_: 400 for id_ in CANVAS_SIZES} | {"saturation": 0}
    assert fit_canvases(page)
    assert page.canvases["saturation"].width == CANVAS_SIZES["saturation"][0]
    assert page.canvases["diagram"].width == 400
    assert not fit_canvases(page)


def test_the_readout_overlay_follows_its_canvas(page):
    app = start(page)
    for _ in range(5):
        page.click("step")
    hit = next((x, y) for x in range(60, 800, 7) for y in range(40, 400, 7)
               if app.frames.hit("heatmaps", x, y))
    page.point("heatmaps", "move", *hit)
    assert page.overlays["heatmaps"].width == page.canvases["heatmaps"].width
    page.resize(360)
    assert app.hovered is None  # the card was for the old layout
    assert (page.overlays["heatmaps"].width, page.overlays["heatmaps"].height) == (
        360, page.canvases["heatmaps"].height)


def test_dark_mode_themes_the_canvases_and_keeps_text_legible(page):
    app = start(page)
    for _ in range(6):
        page.click("step")
    page.choose("unit", "1")
    for canvas in page.canvases.values():
        canvas.reset()
    try:
        page.prefer("dark")
        assert colors.SCHEME == "dark"
        assert all(key[4] == "dark" for key in app.frames.drawers)  # drawers made anew
        for id_ in ("heatmaps", "states", "equations", "prediction", "saturation", "loss"):
            canvas = page.canvases[id_]
            papers = [a[4] for n, a in canvas.calls if n == "fill_rect"]
            assert papers[0] == colors.SCHEMES["dark"]["PAPER"], id_  # then swatches
            for item in canvas.labels():
                assert colors.contrast(item[3], colors.PAPER) >= 4.5, (id_, item[0], item[3])
        bands = [a for n, a in page.canvases["heatmaps"].calls if n == "put_rgba"]
        first = bytes(bands[0][4][:3])
        assert first == bytes(colors.rgb(colors.PAPER))  # the strips' margins are dark too
    finally:
        page.prefer("light")
    assert colors.SCHEME == "light"
    assert {a[4] for n, a in page.canvases["states"].calls if n == "fill_rect"} >= {"#ffffff"}
