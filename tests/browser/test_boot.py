"""The real index.html in Chromium: PyScript and Pyodide from the site's own files, the loading
stages, and here (NumPy absent) the message saying what is missing, within seconds; until the app
draws, every canvas, menu and bar is a calm placeholder, in light and dark mode; a wheel the site
serves but Pyodide cannot install (a stand-in failing the integrity check, a failed download) is
named on the page with the reason."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import BOOT_TIMEOUT_MS
from pixels import canvas_pixels, shown_pixels

from lstm.ui.panels import CANVAS_SIZES

ROOT = Path(__file__).resolve().parents[2]

RECORD_STAGES = """
document.addEventListener("DOMContentLoaded", () => {
  window.__stages = [];
  window.__errorAt = null;
  const stage = document.getElementById("loading-stage");
  const status = document.getElementById("status");
  new MutationObserver(() => window.__stages.push(stage.textContent))
    .observe(stage, {childList: true, characterData: true, subtree: true});
  new MutationObserver(() => {
    if (status.dataset.state === "error" && window.__errorAt === null)
      window.__errorAt = performance.now();
  }).observe(status, {attributes: true});
});
"""


MENUS = ("example", "model", "layer", "unit", "train-task")


@pytest.fixture
def routed(browser):
    """A page whose requests page.route can change: without the service worker, which would
    otherwise answer them once it controls the page (page.route does not see those)."""
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.set_default_timeout(BOOT_TIMEOUT_MS)
    yield page
    context.close()


def canvas_ids(page) -> list[str]:
    ids = page.eval_on_selector_all("canvas", "cs => cs.map(c => c.id)")
    assert sorted(ids) == sorted(CANVAS_SIZES)  # every canvas of the registry, no other
    return ids


def has_text(rgba: np.ndarray) -> bool:
    """Whether an opaque picture holds more than its background: a line of text on a fill."""
    return bool((rgba[..., 3] == 255).all() and (rgba != rgba[0, 0]).any(axis=2).sum() > 100)


def near_white(rgba: np.ndarray) -> int:
    """How many pixels are (nearly) pure white."""
    return int((rgba[..., :3] >= 250).all(axis=2).sum())


def numpy_wheel() -> str:
    lock = json.loads((ROOT / "assets/vendor/pyodide/pyodide-lock.json").read_text())
    return lock["packages"]["numpy"]["file_name"]


def test_index_boots_offline_and_says_numpy_is_missing(page, base_url):
    page.add_init_script(RECORD_STAGES)
    page.goto(f"{base_url}/index.html")
    page.wait_for_selector("#status[data-state=error]")

    off_origin = [url for url in page.requested if not url.startswith(base_url + "/")]
    assert off_origin == []
    assert any(url.endswith("/assets/vendor/pyscript/core.js") for url in page.requested)
    assert any(url.endswith("/assets/vendor/pyodide/pyodide.asm.wasm") for url in page.requested)
    assert any(url.endswith("/" + numpy_wheel()) for url in page.requested)

    assert "Loading NumPy…" in page.evaluate("window.__stages")
    assert page.get_attribute("#loading-bar", "max") == "3"
    assert page.get_attribute("#loading-bar", "value") == "1"  # the runtime stage is done
    assert page.is_visible("#loading")
    assert page.get_attribute("#loading", "data-state") == "error"

    details = page.inner_text("#loading-stage")
    assert "NumPy for the browser is missing" in details
    assert numpy_wheel() in details
    assert "python3 tools/fetch_pyodide_wheels.py" in details
    assert "PYODIDE_DIST=" in details
    assert "NumPy" in page.inner_text("#message")
    assert page.inner_text("#status") == "NumPy missing"
    assert page.inner_text("#timing").startswith("Python runtime ready in ")

    stages = page.eval_on_selector_all(".loading-stages li", """items => items.map(li =>
      [li.dataset.state || "", getComputedStyle(li, "::after").content])""")
    assert stages[0][0] == "done"
    assert stages[1] == ["failed", '" ✕ failed"']  # said in text, not by colour alone
    for id in MENUS:
        options = page.eval_on_selector_all(f"#{id} option", "os => os.map(o => o.disabled)")
        assert options == [True], id
    for id in canvas_ids(page):
        assert has_text(canvas_pixels(page, id)), f"{id} shows no placeholder"

    runtime_ready = page.evaluate("performance.getEntriesByName('runtime-ready')[0].startTime")
    assert page.evaluate("window.__errorAt") - runtime_ready < 10_000  # seconds, not a hang


def test_a_runtime_that_cannot_load_is_reported_on_the_page(routed, base_url):
    page = routed
    page.route("**/pyodide.asm.wasm", lambda route: route.abort())
    page.goto(f"{base_url}/index.html")
    page.wait_for_selector("#status[data-state=error]")
    assert "could not start" in page.inner_text("#loading-stage")
    assert page.inner_text("#message") != ""


def test_in_dark_mode_nothing_is_a_white_block_before_the_app_draws(routed, base_url):
    page = routed
    page.emulate_media(color_scheme="dark")
    page.add_init_script("""document.addEventListener("DOMContentLoaded", () => {
      window.__backgrounds = Array.from(document.querySelectorAll("canvas"),
                                        c => getComputedStyle(c).backgroundColor);
    });""")
    held = []
    # Python is up, NumPy on its way: the placeholders say "Loading…"
    page.route("**/*.whl", lambda route: held.append(route))
    page.goto(f"{base_url}/index.html")
    page.wait_for_selector("#loading-stage:has-text('Loading NumPy')")
    assert all(b != "rgb(255, 255, 255)" for b in page.evaluate("window.__backgrounds"))
    for id in canvas_ids(page):
        shown = shown_pixels(page, f"#{id}")
        assert near_white(shown) == 0, f"{id} is white while loading"
        assert has_text(shown), f"{id} shows no placeholder while loading"
        width, height = page.eval_on_selector(f"#{id}", "c => [c.clientWidth, c.clientHeight]")
        assert abs(width / height - shown.shape[1] / shown.shape[0]) < 0.05  # full size: no jump

    for route in held:
        route.fallback()  # the wheels are not there
    page.wait_for_selector("#status[data-state=error]")
    for id in canvas_ids(page):
        shown = shown_pixels(page, f"#{id}")
        assert canvas_pixels(page, id)[0, 0, :3].tolist() != [255, 255, 255]
        assert near_white(shown) == 0, f"{id} is white after the failure"
        assert has_text(shown), f"{id} shows no placeholder after the failure"
    for id in ("loading-bar", "train-progress"):
        assert near_white(shown_pixels(page, f"#{id}")) == 0, f"{id} is white"


def test_at_420_px_no_equation_breaks_inside(page, base_url):
    page.set_viewport_size({"width": 420, "height": 800})
    page.goto(f"{base_url}/index.html")
    lines = page.eval_on_selector_all(".equations .eq",
                                      "es => es.map(e => e.getClientRects().length)")
    assert len(lines) == 6 and set(lines) == {1}
    overflow = page.eval_on_selector("body", "b => b.scrollWidth - b.clientWidth")
    assert overflow <= 0


def stand_in_wheel(page, get) -> None:
    """Serve NumPy's wheel as a stand-in: HEAD says it is there, GET does `get(route)`."""
    def handle(route):
        if route.request.method == "HEAD":
            route.fulfill(status=200, body=b"", content_type="application/octet-stream")
        else:
            get(route)
    page.route("**/numpy-*.whl", handle)


def test_a_wheel_failing_its_integrity_check_is_named_with_the_reason(routed, base_url):
    page = routed
    stand_in_wheel(page, lambda route: route.fulfill(
        status=200, body=b"not the wheel the lock file names", content_type="application/zip"))
    page.goto(f"{base_url}/index.html")
    page.wait_for_selector("#status[data-state=error]")
    assert page.inner_text("#status") == "NumPy failed to load"
    wanted = hashlib.sha256(b"not the wheel the lock file names").hexdigest()
    for where in ("#loading-stage", "#message"):
        text = page.inner_text(where)
        assert numpy_wheel() in text, where
        assert f"it failed the integrity check: its sha256 is {wanted[:16]}…" in text, where
    assert "No module named" not in page.inner_text("#loading-stage")
    assert "python3 tools/fetch_pyodide_wheels.py" in page.inner_text("#loading-stage")


def test_a_wheel_whose_download_fails_is_named_with_the_reason(routed, base_url):
    page = routed
    stand_in_wheel(page, lambda route: route.fulfill(status=500, body=b"oops"))
    page.goto(f"{base_url}/index.html")
    page.wait_for_selector("#status[data-state=error]")
    assert page.inner_text("#status") == "NumPy failed to load"
    assert f"{numpy_wheel()}: the download failed (HTTP 500)" in page.inner_text("#message")


def stand_in_numpy() -> bytes:
    """A pure-Python wheel named numpy (an empty package): enough for loadPackage to install."""
    buffer = io.BytesIO()
    info = "numpy-2.4.6.dist-info"
    files = {
        "numpy/__init__.py": "STAND_IN = True\n",
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: numpy\nVersion: 2.4.6\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\n"
                         "Tag: cp314-cp314-pyemscripten_2026_0_wasm32\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(buffer, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buffer.getvalue()


def test_a_wheel_that_matches_the_lock_is_installed_and_the_boot_goes_on(routed, base_url):
    """The lock says the stand-in's sha256: loadPackage installs it, load_numpy returns, and the
    boot fails only later, at the model (this stand-in has no arrays), said as such."""
    page = routed
    wheel = stand_in_numpy()
    lock = json.loads((ROOT / "assets/vendor/pyodide/pyodide-lock.json").read_text())
    lock["packages"]["numpy"]["sha256"] = hashlib.sha256(wheel).hexdigest()
    page.route("**/pyodide-lock.json", lambda route: route.fulfill(
        status=200, body=json.dumps(lock), content_type="application/json"))
    stand_in_wheel(page, lambda route: route.fulfill(
        status=200, body=wheel, content_type="application/zip"))
    page.goto(f"{base_url}/index.html")
    page.wait_for_selector("#status[data-state=error]")
    assert page.inner_text("#status") == "Could not start"
    states = page.eval_on_selector_all(".loading-stages li",
                                       "items => items.map(li => li.dataset.state)")
    assert states == ["done", "done", "failed"]  # runtime, NumPy, then the model stage failed
    assert page.evaluate("performance.getEntriesByName('numpy-ready').length") == 1
