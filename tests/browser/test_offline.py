"""Offline after one visit (sw.js): load the page, go offline, reload: it boots as it did
online, every request answered by the service worker from its cache; a new deploy (a new
precache version) replaces the old cache."""

import json
import re
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import ROOT, Handler

BOOTED = "#status[data-state=error], #app[data-boot=started]"  # NumPy missing here, or the app
SHOWN = ("#status", "#message", "#loading-stage")


def precache() -> dict:
    text = (ROOT / "assets/vendor/precache.js").read_text()
    return json.loads(re.search(r"self\.PRECACHE = (\{.*\});", text, re.S).group(1))


class DeployHandler(Handler):
    """The repo without wheels, whose precache.js version can be changed (a new deploy)."""

    deploy = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path != "/assets/vendor/precache.js" or not self.deploy:
            return super().do_GET()
        data = precache()
        data["version"] += self.deploy
        body = f"self.PRECACHE = {json.dumps(data)};\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site():
    """A server of its own (a deploy can change it); yields (base URL, handler class)."""
    if not (ROOT / "assets/vendor/precache.js").exists():
        pytest.skip("assets/vendor/precache.js is missing: run `make site`")
    handler = type("Deploy", (DeployHandler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: handler(*a, directory=str(ROOT)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def context(browser):
    context = browser.new_context()
    yield context
    context.close()


def cache_names(page) -> list[str]:
    return page.evaluate("caches.keys()")


def controlled(page) -> None:
    """Wait until the service worker controls the page and has cached the whole list."""
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    version = precache()["version"]
    page.wait_for_function(f"caches.keys().then(k => k.includes('lstm-gates-{version}'))")


def test_reload_offline_boots_as_online_from_the_cache(context, site):
    base_url, _ = site
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base_url}/index.html")
    page.wait_for_selector(BOOTED)
    online = {s: page.inner_text(s) for s in SHOWN}
    controlled(page)
    listed = precache()
    cached = page.evaluate("""async (name) => (await (await caches.open(name)).keys())
                              .map(r => new URL(r.url).pathname)""",
                           f"lstm-gates-{listed['version']}")
    assert set(cached) >= {"/", *(f"/{f}" for f in listed["files"])}

    responses = []
    page.on("response", lambda r: responses.append((r.url, r.status, r.from_service_worker)))
    context.set_offline(True)
    page.reload()
    page.wait_for_selector(BOOTED)
    assert {s: page.inner_text(s) for s in SHOWN} == online
    assert page.inner_text("#status") in ("NumPy missing", "Ready")
    runtime = [u for u, _, _ in responses if "/assets/vendor/pyodide/pyodide.asm.wasm" in u]
    assert runtime, "the runtime was not requested"
    not_served = [(u, s) for u, s, sw in responses if not sw]
    assert not_served == []  # every request answered by the worker (a HEAD for a wheel too)
    page.close()


def test_a_new_deploy_replaces_the_old_cache(context, site):
    base_url, handler = site
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base_url}/index.html")
    controlled(page)
    old = f"lstm-gates-{precache()['version']}"
    assert cache_names(page) == [old]

    handler.deploy = "-next"
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.wait_for_function(f"caches.keys().then(k => k.length == 1 && k[0] == '{old}-next')")
    page.close()


def test_the_worker_lists_what_pyscript_toml_copies():
    listed = precache()["files"]
    assert "index.html" in listed and "assets/vendor/pyodide/pyodide.asm.wasm" in listed
    assert "lstm/web.py" in listed and "assets/models/brackets.npz" in listed
    assert not [f for f in listed if f.endswith(".whl")]  # wheels are optional
    assert (Path(ROOT) / "sw.js").exists()
