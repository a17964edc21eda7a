"""The real index.html in Chromium: PyScript and Pyodide from the site's own files, the loading
stages, and here (NumPy absent) the message saying what is missing, within seconds."""

import json
from pathlib import Path

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
    assert page.inner_text("#timing").startswith("Python runtime ready in ")

    runtime_ready = page.evaluate("performance.getEntriesByName('runtime-ready')[0].startTime")
    assert page.evaluate("window.__errorAt") - runtime_ready < 10_000  # seconds, not a hang


def test_a_runtime_that_cannot_load_is_reported_on_the_page(page, base_url):
    page.route("**/pyodide.asm.wasm", lambda route: route.abort())
    page.goto(f"{base_url}/index.html")
    page.wait_for_selector("#status[data-state=error]")
    assert "could not start" in page.inner_text("#loading-stage")
    assert page.inner_text("#message") != ""
