"""Time the page's boot in Chromium: a first visit online, a reload online (the service worker
installed), then a reload offline from its cache (sw.js), as a visitor would see them.

Serves the repo on 127.0.0.1 (whatever assets/vendor holds: without NumPy's wheels the boot ends
on "NumPy missing", with them on the working app) and measures, in each of ROUNDS fresh browser
contexts, the ms from navigation start to Python ready (the `runtime-ready` mark) and to the end
of the boot (the status leaving "loading"). Ends with the lines
`boot_online_ms=<median> boot_online_reload_ms=<median> boot_offline_ms=<median>` and ratios.
Needs Playwright and /usr/bin/chromium (`make test` installs both) and `make site`.
"""

import functools
import http.server
import statistics
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

ROUNDS = 5
ENDED = """new Promise(resolve => {
  const done = () => document.querySelector("#status[data-state=error], #app[data-boot=started]");
  const check = () => done() ? resolve(performance.now()) : requestAnimationFrame(check);
  check();
})"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def boot_ms(page) -> tuple[float, float]:
    """(ms to Python ready, ms to the end of the boot) of the page just navigated."""
    ended = page.evaluate(ENDED)
    ready = page.evaluate("performance.getEntriesByName('runtime-ready')[0].startTime")
    return ready, ended


def main() -> None:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(ROOT)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    online, reload, offline = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for _ in range(ROUNDS):
            context = browser.new_context()
            page = context.new_page()
            page.set_default_timeout(120_000)
            page.goto(url)
            online.append(boot_ms(page))
            page.wait_for_function("navigator.serviceWorker.controller !== null")
            page.evaluate("navigator.serviceWorker.ready")
            page.reload()
            reload.append(boot_ms(page))
            context.set_offline(True)
            page.reload()
            offline.append(boot_ms(page))
            status = page.inner_text("#status")
            context.close()
        browser.close()
    server.shutdown()
    for name, runs in (("online", online), ("online reload", reload), ("offline", offline)):
        ready, ended = (statistics.median(r[k] for r in runs) for k in (0, 1))
        print(f"{name}: Python ready {ready:.0f} ms, boot ended {ended:.0f} ms "
              f"(runs: {', '.join(f'{e:.0f}' for _, e in runs)})")
    print(f"boot ended on: {status}")
    on, again, off = (statistics.median(e for _, e in runs) for runs in (online, reload, offline))
    print(f"boot_online_ms={on:.0f} boot_online_reload_ms={again:.0f} boot_offline_ms={off:.0f} "
          f"offline_vs_online={off / on:.2f} offline_vs_online_reload={off / again:.2f}")


if __name__ == "__main__":
    main()
