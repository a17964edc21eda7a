"""The page on every screen, in Chromium: canvases drawn at the size they are shown.

At 360, 420, 768 and 1400 px wide and device pixel ratios 1 and 2, every visible canvas's
backing store is its CSS size times the ratio and nothing overflows horizontally, in:
- the served page (index.html), which boots to "NumPy missing" here (NumPy for Pyodide cannot be
  had offline), with its placeholders drawn by lstm/web.py;
- the page as the app shows it: index.html's markup with the app's frames, recorded in CPython
  (lstm.ui.app on the FakePage at the widths the browser offers) and replayed through
  BrowserCanvas / BrowserPage.size_canvas, like tests/browser/test_web.py replays them.
On a phone the playback buttons stay on screen while the diagram is in view.
"""

from pathlib import Path

import pytest
from harness import offered_widths, open_page, py, recorded_app, replay
from pixels import canvas_pixels

from lstm import colors
from lstm.ui.panels import CANVAS_SIZES
from lstm.ui.sizing import canvas_height
from tests.test_small_screens import PHONES

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = (360, 420, 768, 1400)
RATIOS = (1, 2)

SIZES = """() => Array.from(document.querySelectorAll("canvas"), c => {
  const r = c.getBoundingClientRect();
  return {id: c.id || c.className, css: [r.width, r.height], store: [c.width, c.height],
          shown: r.width > 0 && r.height > 0 && getComputedStyle(c).visibility !== "hidden"};
})"""
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
def check_sizes(page, ratio: float) -> list[dict]:
    """Every shown canvas's backing store is its CSS size times the ratio; nothing overflows."""
    shown = [c for c in page.evaluate(SIZES) if c["shown"]]
    assert shown
    for c in shown:
        (w, h), (sw, sh) = c["css"], c["store"]
        assert (sw, sh) == (round(w * ratio), round(h * ratio)), c
        assert w == int(w), c  # whole CSS pixels: no resampling
    assert page.evaluate(OVERFLOW) <= 0
    return shown


@pytest.mark.parametrize("ratio", RATIOS)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_served_page_draws_its_canvases_at_their_size(browser, base_url, width, ratio):
    context = browser.new_context(viewport={"width": width, "height": 800},
                                  device_scale_factor=ratio)
    page = context.new_page()
    page.goto(f"{base_url}/index.html")
    page.wait_for_selector("#status[data-state=error]", state="attached", timeout=60_000)
    shown = check_sizes(page, ratio)
    assert {c["id"] for c in shown} == set(CANVAS_SIZES)
    context.close()


@pytest.fixture(scope="module", params=RATIOS, ids=lambda r: f"ratio{r}")
def app_page(request, browser, base_url):
    """The harness page at one device pixel ratio, booted once."""
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  device_scale_factor=request.param)
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    open_page(page, base_url)
    page.ratio = request.param
    yield page
    context.close()
    assert not errors, errors


@pytest.mark.parametrize("width", WIDTHS)
def test_the_app_draws_every_panel_at_its_size(app_page, width):
    page = app_page
    page.set_viewport_size({"width": width, "height": 800})
    page.wait_for_timeout(50)
    widths = offered_widths(page)
    assert len(set(widths.values())) == 1 and 0 < widths["diagram"] < width
    if width in PHONES:
        assert widths["diagram"] == PHONES[width]  # as tests/test_small_screens.py draws them
    fake = recorded_app(widths)
    py(page, "page.overlay('heatmaps')")  # a readout's layer, made before the sizing
    replay(page, fake)
    shown = check_sizes(page, page.ratio)
    sizes = {c["id"]: tuple(c["css"]) for c in shown if c["id"] in CANVAS_SIZES}
    assert sizes == {id_: (widths[id_], canvas_height(id_, widths[id_])) for id_ in CANVAS_SIZES}
    overlay = next(c for c in shown if c["id"] == "canvas-overlay")
    assert tuple(overlay["css"]) == sizes["heatmaps"]  # the readout layer follows its panel
    for menu in ("model", "example", "unit"):  # a label cut by the menu's width reads on hover
        title, label = page.eval_on_selector(f"#{menu}", "s => [s.title, s.selectedOptions[0]"
                                             ".textContent]")
        assert title == label != ""
    page.screenshot(path=str(ROOT / "tests" / "output" / f"screen_{width}_x{page.ratio}.png"),
                    full_page=True)


def test_a_resize_reaches_the_handler_once_per_change(app_page):
    page = app_page
    page.set_viewport_size({"width": 1400, "height": 800})
    py(page, """
        resized = []
        page.on_resize(lambda: resized.append(page.canvas_width("diagram")))
    """)
    page.wait_for_timeout(100)
    before = py(page, "result = len(resized)")
    page.set_viewport_size({"width": 420, "height": 800})
    page.wait_for_function(f"() => pyRun('result = len(resized)') !== '{before}'")
    page.wait_for_timeout(100)
    calls = py(page, "result = resized")
    assert calls[-1] == py(page, "result = page.canvas_width('diagram')") < 420
    py(page, "page.size_canvas('diagram', 300, 200)")  # the canvases' own height: no call
    page.wait_for_timeout(100)
    assert py(page, "result = len(resized)") == len(calls)


def test_on_a_phone_the_playback_bar_stays_on_screen_by_the_diagram(app_page):
    page = app_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.eval_on_selector("#diagram", "c => c.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(50)
    inside = """id => { const r = document.getElementById(id).getBoundingClientRect();
                        return r.top >= 0 && r.bottom <= innerHeight && r.width > 0; }"""
    for id_ in ("diagram", "start", "pause", "step", "reset"):
        assert page.evaluate(inside, id_), id_
    covered = page.evaluate("""() => {
        const bar = document.querySelector(".controls .buttons").getBoundingClientRect();
        const d = document.getElementById("diagram").getBoundingClientRect();
        return Math.max(0, d.bottom - bar.top); }""")
    assert covered == 0  # the diagram scrolled to the middle is not hidden behind the bar


def test_in_dark_mode_the_canvases_are_dark_like_their_panels(browser, base_url):
    context = browser.new_context(viewport={"width": 360, "height": 800},
                                  color_scheme="dark")
    page = context.new_page()
    page.set_default_timeout(60_000)
    open_page(page, base_url)
    assert py(page, "result = page.color_scheme()") == "dark"
    replay(page, recorded_app(offered_widths(page), scheme="dark"))
    paper = page.evaluate("getComputedStyle(document.documentElement)"
                          ".getPropertyValue('--paper').trim()")
    assert paper == colors.SCHEMES["dark"]["PAPER"]
    for id_ in CANVAS_SIZES:
        corner = canvas_pixels(page, id_)[1, 1, :3].tolist()
        assert corner == list(colors.rgb(paper)), id_  # no white block in a dark panel
    context.close()
