"""Render the README's picture of the page: the page as a visitor sees it, in Chromium.

    .venv/bin/python tools/picture.py    ->  assets/picture.png

The page's own markup and style sheet at 1400 x 1400 CSS px, with what the app draws for the
bracket-depth preset (its counter unit focused, the marker two thirds of the way through):
the controller runs in CPython on the recording page (tests/fakes.py) at the widths Chromium
offers the panels, and tests/browser/harness.py replays it into the page through lstm/web.py's
BrowserPage and BrowserCanvas, since NumPy for Pyodide cannot be had offline. Needs
/usr/bin/chromium and Playwright (requirements-test.txt), as the browser tests do.
"""

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "browser")]

from harness import offered_widths, open_page, recorded_app, replay
from playwright.sync_api import sync_playwright

from lstm import modelfile
from lstm.tokens import Vocab, tokenize
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve

PRESET = ROOT / "assets" / "models" / "brackets.npz"
VIEWPORT = {"width": 1400, "height": 1860}


def counter_unit(model_path: Path) -> tuple[int, int]:
    """The unit whose cell state follows the bracket depth most closely, and the example's
    length in tokens."""
    model, meta = modelfile.load_model(model_path)
    tokens = tokenize(meta["example"], meta["tokenizer"])
    ids, _ = Vocab(list(meta["vocabulary"])).encode(tokens)
    depth = np.cumsum([{"(": 1, ")": -1}.get(t, 0) for t in tokens])
    c = model.trace(ids).layers[0].c
    r = [abs(np.corrcoef(c[:, u], depth)[0, 1]) for u in range(c.shape[1])]
    return int(np.argmax(r)), len(tokens)


def picture(out: Path) -> None:
    unit, T = counter_unit(PRESET)
    server = serve(None)
    base_url = next(server)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1, color_scheme="light")
        page.set_default_timeout(60_000)
        open_page(page, base_url)
        fake = recorded_app(offered_widths(page), PRESET.stem, 2 * T // 3, unit)
        replay(page, fake)
        page.eval_on_selector("#app", "e => e.scrollIntoView()")
        page.screenshot(path=str(out))
        browser.close()
    server.close()


if __name__ == "__main__":
    out = ROOT / "assets" / "picture.png"
    picture(out)
    print(f"wrote {out}")
