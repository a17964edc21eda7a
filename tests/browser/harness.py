"""The page as the running app shows it, without NumPy in the browser: index.html's markup and
style sheet with a test harness in place of the boot (window.pyRun runs Python with `page`, a
BrowserPage, in scope), and what the controller did on the FakePage in CPython replayed into it
through BrowserPage and BrowserCanvas: menus, values, texts, attributes, canvas sizes and every
canvas call. Used by tests/browser/test_screens.py and tools/picture.py.
"""

import ast
import base64
import json
import re
import textwrap
from pathlib import Path

import lstm.ui.app
from lstm import colors
from lstm.ui.panels import CANVAS_SIZES
from tests.fakes import FakePage

ROOT = Path(__file__).resolve().parents[2]
PAGE = "/tests/browser/pages/screens.html"  # where it is routed (web.toml sits beside it)
HARNESS = """<script type="py" config="./web.toml">
import js
from pyodide.ffi import create_proxy

from lstm.web import BrowserPage

namespace = {"page": BrowserPage()}


def run(code):
    namespace.pop("result", None)
    exec(code, namespace)
    return repr(namespace.get("result"))


js.window.pyRun = create_proxy(run)
js.document.body.dataset.ready = "yes"
</script>"""


def harness_page() -> str:
    """index.html with the harness in place of the boot, its assets found from PAGE's folder,
    shown as the started app (no loading panel, the controls enabled)."""
    html = (ROOT / "index.html").read_text()
    html = re.sub(r'<script type="py".*?</script>', HARNESS, html, flags=re.S)
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    html = html.replace('="./assets/', '="../../../assets/')
    html = html.replace('data-boot="loading"', 'data-boot="started"')
    html = html.replace(" data-boot-disabled disabled", "")
    return html.replace('<section id="loading" class="loading"', '<section id="loading" hidden')


def open_page(page, base_url: str) -> None:
    """Load the harness page into a Playwright page and wait for Python."""
    body = harness_page()
    page.route(f"**{PAGE}", lambda route: route.fulfill(body=body, content_type="text/html"))
    page.goto(f"{base_url}{PAGE}")
    page.wait_for_selector("body[data-ready=yes]", state="attached")


def py(page, code: str):
    """Run Python in the page; returns the evaluated `result`."""
    return ast.literal_eval(page.evaluate("code => pyRun(code)", textwrap.dedent(code)))


def offered_widths(page) -> dict[str, int]:
    """The width each canvas's panel offers it, as the browser lays the page out now."""
    return py(page, f"result = {{id_: page.canvas_width(id_) for id_ in {list(CANVAS_SIZES)}}}")


def recorded_app(widths: dict[str, int], model: str = "", steps: int = 8, unit: int | None = 1,
                 scheme: str = "light") -> FakePage:
    """The controller in CPython at the browser's widths and colour scheme: `model` chosen
    (default: the first), `steps` Steps, `unit` focused; its canvases hold one whole frame
    each. The colour scheme is left at light again."""
    fake = FakePage(values={"speed": "3"})
    fake.widths, fake.scheme = dict(widths), scheme
    app = lstm.ui.app.start(fake)
    if model:
        fake.choose("model", model)
    for _ in range(steps):
        fake.click("step")
    if unit is not None:
        fake.choose("unit", str(unit))
    for canvas in fake.canvases.values():
        canvas.reset()
    app.show()
    fake.run_later()  # the deferred panel, drawn once the page has painted
    app.train.show_progress()
    colors.use_scheme("light")
    return fake


def replay(page, fake: FakePage) -> None:
    """Put what the fake page holds into the browser page: menus, values, texts, attributes,
    then each canvas at its size with its calls."""
    frames = {id_: {"size": [c.width, c.height],
                    "calls": [[n, [{"b64": base64.b64encode(a).decode()} if type(a) is bytes
                                   else a for a in args]] for n, args in c.calls]}
              for id_, c in fake.canvases.items()}
    state = {"options": fake.options, "values": fake.values, "texts": fake.texts,
             "attrs": fake.attrs, "frames": frames}
    page.evaluate("s => { window.recorded = s; }", json.dumps(state))
    py(page, """
        import base64, json, js
        state = json.loads(js.window.recorded)
        for id_, options in state["options"].items():
            page.set_options(id_, [tuple(o) for o in options])
        for id_, value in state["values"].items():
            if js.document.getElementById(id_) and id_ != "model-file":
                page.set_value(id_, value)
        for id_, text in state["texts"].items():
            page.set_text(id_, text)
        for id_, attrs in state["attrs"].items():
            for name, value in attrs.items():
                page.set_attr(id_, name, value)
        for id_, frame in state["frames"].items():
            page.size_canvas(id_, *frame["size"])
            canvas = page.canvas(id_)
            for name, args in frame["calls"]:
                getattr(canvas, name)(*[base64.b64decode(a["b64"]) if isinstance(a, dict)
                                        else a for a in args])
    """)
