"""The complete app in Chromium, against the same controller run in CPython.

Needs NumPy for Pyodide, which is not obtainable offline: set PYODIDE_DIST to a full Pyodide
314.0.7 distribution folder; it is then served in place of assets/vendor/pyodide/. Otherwise
the test is skipped and says so. The browser plays an example to the end; CPython drives
lstm.ui.app with the recording FakePage through the same choices; the stats must read the same and
the heatmap images the browser shows must hold the bytes CPython computed.
"""

from pixels import canvas_pixels, composed

import lstm.ui.app
from tests.fakes import FakePage

STATS = ("stat-step", "stat-cell-norm", "stat-hidden-norm", "stat-token")
FIELDS = ("sequence", "cell-size", "speed", "train-hidden", "train-lr", "train-batch")
FAST = "3"


def expected_run(page_values: dict[str, str], example: str, size: tuple[int, int]) -> FakePage:
    """The controller in CPython, through the same choices, played to the end."""
    fake = FakePage(values=page_values, canvas_size=size)
    lstm.ui.app.start(fake)
    fake.choose("example", example)
    fake.slide("speed", int(FAST))
    fake.click("start")
    fake.advance(10_000_000)
    return fake


def test_the_full_app_plays_an_example_like_cpython(browser, full_base_url):
    context = browser.new_context(device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(120_000)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{full_base_url}/index.html")
    page.wait_for_selector("#status[data-state=ready]")
    assert page.is_hidden("#loading")
    assert page.inner_text("#timing").startswith("Interactive in ")

    values = {id: page.input_value(f"#{id}") for id in FIELDS}
    examples = page.eval_on_selector_all("#example option", "os => os.map(o => o.value)")
    example = examples[-1]
    page.select_option("#example", example)
    page.fill("#speed", FAST)
    page.click("#start")
    page.wait_for_selector("#status[data-state=complete]")

    width, height = page.eval_on_selector("#heatmaps", "c => [c.width, c.height]")
    fake = expected_run(values, example, (width, height))
    assert fake.attr("status", "data-state") == "complete"
    assert {id: page.inner_text(f"#{id}") for id in STATS} == {id: fake.text(id) for id in STATS}
    step, total = page.inner_text("#stat-step").split(" / ")
    assert step == total and int(total) > 0

    rgba, known = composed(fake.canvases["heatmaps"].calls, width, height)
    assert known.sum() > 1000, "the heatmaps panel put no image"
    shown = canvas_pixels(page, "heatmaps")
    same = (shown == rgba).all(axis=2)[known]
    assert same.mean() > 0.9, f"{same.mean():.1%} of the image pixels match"  # markers drawn over

    assert [u for u in requested if not u.startswith(full_base_url + "/")] == []
    context.close()
