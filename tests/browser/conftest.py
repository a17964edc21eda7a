"""Fixtures for the browser tests: the repo served on 127.0.0.1 and one Chromium per session.

Every browser test is marked `browser` and skips, saying why, when /usr/bin/chromium, Playwright
or the vendored runtime (assets/vendor, from `make site`) is missing. `make test` provides all.
"""

import base64
import functools
import http.server
import math
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
VENDOR = ROOT / "assets" / "vendor"
PYODIDE_URL_PATH = "/assets/vendor/pyodide/"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
BOOT_TIMEOUT_MS = 60_000  # a cold Pyodide start is about 5 s here; generous for loaded CI


def composed(calls: list[tuple[str, tuple]], width: int, height: int):
    """The pixels a recorded canvas ends with where its images decide them: RGBA (H, W, 4) and a
    (H, W) mask of the pixels last written by put_rgba (clear() and fill_rect() unset them)."""
    rgba = np.zeros((height, width, 4), np.uint8)
    known = np.zeros((height, width), bool)
    for name, args in calls:
        if name == "clear":
            known[:] = False
        elif name == "put_rgba":
            x, y, w, h, data = args
            rgba[y:y + h, x:x + w] = np.frombuffer(data, np.uint8).reshape(h, w, 4)
            known[y:y + h, x:x + w] = True
        elif name == "fill_rect":
            x, y, w, h, _ = args
            rows = slice(max(math.floor(y), 0), max(math.ceil(y + h), 0))
            known[rows, max(math.floor(x), 0):max(math.ceil(x + w), 0)] = False
    return rgba, known


def canvas_pixels(page, id: str) -> np.ndarray:
    """A canvas's backing store as RGBA (H, W, 4), read with getImageData (sent as base64)."""
    width, height, data = page.evaluate(
        """id => {
             const c = document.getElementById(id);
             const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
             let s = "";
             for (let i = 0; i < d.length; i += 32768)
               s += String.fromCharCode.apply(null, d.subarray(i, i + 32768));
             return [c.width, c.height, btoa(s)];
           }""", id)
    return np.frombuffer(base64.b64decode(data), np.uint8).reshape(height, width, 4)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser as `browser`."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the repo root, with assets/vendor/pyodide/ replaced by a full distribution
    (pyodide_dist) or with its wheels hidden (pyodide_dist None: NumPy absent, as offline)."""

    pyodide_dist: Path | None = None

    def translate_path(self, path: str) -> str:
        url_path = urlparse(path).path
        if url_path.startswith(PYODIDE_URL_PATH):
            if self.pyodide_dist:
                return str(self.pyodide_dist / url_path[len(PYODIDE_URL_PATH):])
            if url_path.endswith(".whl"):
                return str(ROOT / "no-such-file")
        return super().translate_path(path)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(pyodide_dist: Path | None) -> Iterator[str]:
    """Run a static server on a free port of 127.0.0.1; yields its base URL."""
    handler = type("RepoHandler", (Handler,), {"pyodide_dist": pyodide_dist})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(ROOT)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """The repo root as served without NumPy (any fetched wheels hidden)."""
    yield from serve(None)


@pytest.fixture(scope="session")
def pyodide_dist() -> Path:
    """The full Pyodide distribution named by PYODIDE_DIST, or a skip saying how to get one."""
    value = os.environ.get("PYODIDE_DIST")
    if not value:
        pytest.skip("the full app needs NumPy for Pyodide, which is not obtainable offline: set "
                    "PYODIDE_DIST to a full Pyodide 314.0.7 distribution folder (the one holding "
                    "pyodide.mjs and numpy-*.whl, e.g. an extracted pyodide-314.0.7.tar.bz2 "
                    "release) to run it")
    dist = Path(value)
    if not (dist / "pyodide.mjs").exists() or not any(dist.glob("numpy-*.whl")):
        pytest.skip(f"PYODIDE_DIST={value} has no pyodide.mjs and numpy-*.whl")
    return dist


@pytest.fixture(scope="session")
def full_base_url(pyodide_dist: Path) -> Iterator[str]:
    """The repo root with PYODIDE_DIST served at assets/vendor/pyodide/."""
    yield from serve(pyodide_dist)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium; `make test` does it)")
    if not (VENDOR / "pyscript" / "core.js").exists():
        pytest.skip("assets/vendor is missing: run `make site` (npm ci && python3 tools/vendor.py)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page (own context) that records every request URL in `page.requested`."""
    context = browser.new_context()
    page = context.new_page()
    page.requested = []
    page.on("request", lambda request: page.requested.append(request.url))
    page.set_default_timeout(BOOT_TIMEOUT_MS)
    yield page
    context.close()
