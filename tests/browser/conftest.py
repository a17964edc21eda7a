"""Fixtures for the browser tests: the repo served on 127.0.0.1 and one Chromium per session.

Every browser test is marked `browser` and skips, saying why, when /usr/bin/chromium, Playwright
or the vendored runtime (assets/vendor, from `make site`) is missing. `make test` provides all.
"""

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

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
