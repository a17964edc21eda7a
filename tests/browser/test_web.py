"""lstm/web.py in real Chromium, without NumPy: BrowserCanvas pixels and BrowserPage wiring.

tests/browser/pages/web.html boots PyScript once and exposes window.pyRun(code), which runs
Python with `page` (a BrowserPage) in scope and returns repr(result); pixels are read back
with getImageData.
"""

import ast
import base64
import json
import textwrap

import pytest
from pixels import canvas_pixels, composed

import lstm.ui.app
from tests.fakes import FakePage

RED, GREEN, BLUE = (255, 0, 0, 255), (0, 128, 0, 255), (0, 0, 255, 255)
CLEAR = (0, 0, 0, 0)


@pytest.fixture(scope="module")
def web(browser, base_url):
    """The test page, booted once for the module."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(f"{base_url}/tests/browser/pages/web.html")
    page.wait_for_selector("body[data-ready=yes]")
    yield page
    context.close()
    assert not errors, errors


def py(web, code: str):
    """Run Python in the page; returns the evaluated `result`."""
    return ast.literal_eval(web.evaluate("code => pyRun(code)", textwrap.dedent(code)))


def pixels(web, x: int, y: int, w: int = 1, h: int = 1, canvas: str = "canvas") -> list[tuple]:
    """RGBA tuples of a block of a canvas's backing store (device pixels), row-major."""
    data = web.evaluate(
        """([id, x, y, w, h]) => Array.from(document.getElementById(id)
             .getContext("2d").getImageData(x, y, w, h).data)""",
        [canvas, x, y, w, h])
    return [tuple(data[i:i + 4]) for i in range(0, len(data), 4)]


def ink_box(web, canvas: str = "canvas") -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the non-transparent pixels, bottom-right exclusive."""
    return tuple(web.evaluate(
        """id => {
             const c = document.getElementById(id);
             const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
             let l = c.width, t = c.height, r = 0, b = 0;
             for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++)
               if (d[4 * (y * c.width + x) + 3] > 0) {
                 l = Math.min(l, x); t = Math.min(t, y);
                 r = Math.max(r, x + 1); b = Math.max(b, y + 1);
               }
             return [l, t, r, b];
           }""", canvas))


def test_put_rgba_puts_the_bytes_at_css_pixels(web):
    block = [RED, GREEN, BLUE, (10, 20, 30, 255), (1, 2, 3, 128), CLEAR]
    py(web, f"""
        c = page.canvas("canvas")
        c.clear()
        c.put_rgba(3, 5, 3, 2, bytes(v for px in {block!r} for v in px))
    """)
    assert py(web, "result = page.canvas('canvas').height") == 32
    got = pixels(web, 3, 5, 3, 2)
    assert got[:4] == block[:4]
    assert got[4][3] == 128 and got[5] == CLEAR  # putImageData replaces, alpha included
    assert pixels(web, 2, 5) == [CLEAR] and pixels(web, 6, 5) == [CLEAR]


def test_put_rgba_at_device_pixel_ratio_2_scales_each_value_to_a_crisp_block(web):
    py(web, """
        import js
        from lstm.web import BrowserCanvas
        el = js.document.createElement("canvas")
        el.id, el.width, el.height = "hidpi", 20, 10
        js.document.body.append(el)
        c = BrowserCanvas(el, 2)
        c.fill_rect(0, 0, 20, 10, "#0000ff")
        c.put_rgba(2, 1, 2, 1, bytes([255, 0, 0, 255, 0, 128, 0, 255]))
        result = (c.width, c.height, el.width, el.height)
    """)
    assert py(web, "result = (c.width, c.height, el.width, el.height)") == (20, 10, 40, 20)
    got = pixels(web, 4, 2, 4, 2, canvas="hidpi")
    assert got == [RED, RED, GREEN, GREEN] * 2
    assert pixels(web, 3, 2, canvas="hidpi") == [BLUE] == pixels(web, 8, 2, canvas="hidpi")


def test_put_rgba_rejects_a_wrong_length(web):
    assert py(web, """
        try:
            page.canvas("canvas").put_rgba(0, 0, 2, 2, bytes(15))
            result = "accepted"
        except ValueError as e:
            result = str(e)
    """).startswith("put_rgba: 15 bytes for 2x2")


def test_paths_and_rects_use_the_colour_of_each_call(web):
    py(web, """
        c = page.canvas("canvas")
        c.clear()
        c.stroke_path("M 0 10.5 L 64 10.5", "#ff0000", width=1.0)
        c.fill_path("M 40 20 L 60 20 L 60 30 L 40 30 Z", "#0000ff")
        c.fill_rect(0, 20, 10, 10, "#008000")
        c.stroke_path("M 0 2.5 L 64 2.5", "#0000ff", width=1.0, dash=(4, 4))
    """)
    assert pixels(web, 20, 10) == [RED]
    assert pixels(web, 20, 15) == [CLEAR]
    assert pixels(web, 50, 25) == [BLUE] and pixels(web, 39, 25) == [CLEAR]
    assert pixels(web, 5, 25) == [GREEN]
    dashed = pixels(web, 0, 2, 8, 1)
    assert dashed[:4] == [BLUE] * 4 and dashed[4:] == [CLEAR] * 4


def test_text_draws_ink_and_rotates(web):
    py(web, """
        c = page.canvas("canvas")
        c.clear()
        c.text("MMMM", 2, 20, "#000000", size=14, bold=True)
    """)
    left, top, right, bottom = ink_box(web)
    assert right - left > bottom - top > 4
    py(web, """
        import math
        c.clear()
        c.text("MMM", 30, 31, "#000000", size=12, angle=-math.pi / 2)
    """)
    left, top, right, bottom = ink_box(web)
    assert bottom - top > right - left
    assert right <= 31  # baseline at x=30 after rotation; the ink lies left of it
    py(web, 'c.fill_rect(0, 0, 2, 2, "#000000")')  # the colour set before save/restore holds
    assert pixels(web, 1, 1) == [(0, 0, 0, 255)]
    assert pixels(web, 3, 3) == [CLEAR]  # the transform was restored: (0, 0) is the corner


def test_texts_draws_every_label_in_one_call_and_leaves_state_consistent(web):
    py(web, """
        import math
        c = page.canvas("canvas")
        c.clear()
        c.fill_rect(0, 0, 1, 1, "#ff0000")
        c.texts([("MM", 2, 14, "#000000", 12, "left", "alphabetic", True, 0.0),
                 ("MM", 60, 31, "#0000ff", 10, "left", "bottom", False, -math.pi / 2)])
        c.fill_rect(0, 30, 2, 2, "#ff0000")  # red again: the cache must not skip setting it
    """)
    assert pixels(web, 0, 30) == [RED]
    left, top, right, bottom = ink_box(web)
    assert (left, top) < (6, 6) and right > 50 and bottom == 32
    blue_ink = [p for p in pixels(web, 40, 0, 24, 32) if p[2] > 100 and p[0] < 100 and p[3]]
    assert blue_ink


def test_clear_empties_the_canvas(web):
    py(web, """
        c = page.canvas("canvas")
        c.fill_rect(0, 0, 64, 32, "#ff0000")
        c.clear()
    """)
    assert ink_box(web) == (64, 32, 0, 0)


def test_text_and_options_are_set_as_text_never_html(web):
    assert py(web, """
        page.set_text("out", "<b>bold</b> & co")
        page.set_options("select", [("x", "<i>ex</i>"), ("y", "why")])
        page.set_value("select", "y")
        result = page.value("select")
    """) == "y"
    assert web.inner_text("#out") == "<b>bold</b> & co"
    assert web.eval_on_selector("#out", "e => e.children.length") == 0
    options = web.eval_on_selector_all("#select option", "os => os.map(o => [o.value, o.text])")
    assert options == [["x", "<i>ex</i>"], ["y", "why"]]


def test_values_and_attributes(web):
    assert py(web, """
        page.set_value("input", "typed")
        page.set_attr("button", "disabled", "")
        page.set_attr("out", "data-state", "paused")
        result = page.value("input")
    """) == "typed"
    assert web.is_disabled("#button")
    assert web.get_attribute("#out", "data-state") == "paused"
    py(web, 'page.remove_attr("button", "disabled")')
    assert web.is_enabled("#button")
    assert py(web, "result = page.now_ms() <= page.now_ms()") is True
    assert "nowhere" in py(web, """
        try:
            page.value("nowhere")
        except KeyError as e:
            result = str(e)
    """)


def test_clicks_and_input_events_call_the_handlers(web):
    py(web, """
        clicks = []
        def click():
            clicks.append(1)
            page.set_text("out", str(len(clicks)))
        page.on("button", "click", click)
        page.on("input", "input", lambda: page.set_text("status", page.value("input")))
    """)
    web.click("#button")
    web.click("#button")
    assert web.inner_text("#out") == "2"
    web.fill("#input", "héllo 🙂")
    assert web.inner_text("#status") == "héllo 🙂"


def test_a_failing_handler_shows_its_error_on_the_page(web):
    py(web, """
        def broken():
            raise RuntimeError("boom")
        page.on("out", "click", broken)
    """)
    before = web.get_attribute("#status", "data-state")
    web.click("#out")
    assert "RuntimeError: boom" in web.inner_text("#message")
    # The status line is the controller's: an escaped error does not claim a state it is not in.
    assert web.get_attribute("#status", "data-state") == before


def test_a_chosen_file_reaches_the_handler_as_bytes(web, tmp_path):
    py(web, """
        chosen = []
        page.on_file("file", lambda name, data: (chosen.append((name, data)),
                                                 page.set_text("out", f"{name} {len(data)}")))
    """)
    path = tmp_path / "model.npz"
    path.write_bytes(bytes(range(256)) * 3)
    web.set_input_files("#file", str(path))
    web.wait_for_function("document.getElementById('out').textContent === 'model.npz 768'")
    assert py(web, "result = chosen[-1][1] == bytes(range(256)) * 3") is True
    assert web.input_value("#file") == ""  # cleared: the same file can be chosen again


def test_interval_ticks_until_cleared(web):
    py(web, """
        ticks = []
        def tick():
            ticks.append(page.now_ms())
            page.set_text("out", f"tick {len(ticks)}")
            if len(ticks) == 3:
                page.clear_interval(handle)
        handle = page.set_interval(tick, 10)
        result = isinstance(handle, int)
    """)
    web.wait_for_function("document.getElementById('out').textContent === 'tick 3'")
    web.wait_for_timeout(150)
    assert web.inner_text("#out") == "tick 3"
    assert py(web, "result = ticks == sorted(ticks)") is True


def test_download_offers_the_bytes_under_the_file_name(web):
    with web.expect_download() as info:
        py(web, 'page.download("model.npz", bytes([0, 1, 2, 255]) + b"PK", "application/zip")')
    download = info.value
    assert download.suggested_filename == "model.npz"
    with open(download.path(), "rb") as f:
        assert f.read() == bytes([0, 1, 2, 255]) + b"PK"


# --- links, storage and drops (lstm/ui/links.py and uploads.py use these) -------------------


def test_set_hash_replaces_the_hash_without_history_or_hashchange(web):
    py(web, """
        changes = []
        page.on_hash_change(lambda: (changes.append(page.get_hash()),
                                     page.set_text("out", "changed " + page.get_hash())))
        page.set_text("out", "")
    """)
    length = web.evaluate("history.length")
    for j in range(5):
        py(web, f"page.set_hash('v=1&step={j}&text=%28a%20b%29')")
    assert web.evaluate("location.hash") == "#v=1&step=4&text=%28a%20b%29"
    assert web.evaluate("history.length") == length  # replaceState: no entry per write
    assert py(web, "result = page.get_hash()") == "v=1&step=4&text=%28a%20b%29"
    web.wait_for_timeout(100)
    assert py(web, "result = changes") == []  # set_hash never fires hashchange
    web.evaluate("location.hash = '#model=alice&text=%C3%A9'")  # edited by hand
    web.wait_for_function("document.getElementById('out').textContent.startsWith('changed')")
    assert py(web, "result = changes") == ["model=alice&text=%C3%A9"]


def test_the_state_is_kept_in_local_storage(web):
    web.evaluate("localStorage.clear()")
    assert py(web, "result = page.load_state()") is None
    py(web, "page.save_state('v=1&text=h%C3%A9 ' + 'x' * 100000)")
    kept = web.evaluate("localStorage.getItem('lstm-gates-visualizer.state')")
    assert kept == "v=1&text=h%C3%A9 " + "x" * 100000
    assert py(web, "result = len(page.load_state())") == len(kept)


def test_files_dropped_on_the_page_reach_the_handler_as_bytes(web):
    py(web, """
        dropped = []
        page.on_drop(lambda files: (dropped.append(files),
                                    page.set_text("out", ",".join(n for n, _ in files))))
        page.set_text("out", "")
    """)
    over = web.evaluate("""() => {
        const t = new DataTransfer();
        t.items.add(new File([new Uint8Array([0, 255, 7])], "model.npz"));
        const e = new DragEvent("dragover", {dataTransfer: t, bubbles: true, cancelable: true});
        document.body.dispatchEvent(e);
        return [e.defaultPrevented, document.body.classList.contains("dropping")];
    }""")
    assert over == [True, True]  # the browser would otherwise open the file
    web.evaluate("""() => {
        const t = new DataTransfer();
        t.items.add(new File([new Uint8Array([0, 255, 7])], "model.npz"));
        t.items.add(new File(['["a", "b"]'], "vocab.json", {type: "application/json"}));
        document.body.dispatchEvent(new DragEvent("drop", {dataTransfer: t, bubbles: true,
                                                            cancelable: true}));
    }""")
    web.wait_for_function("document.getElementById('out').textContent === 'model.npz,vocab.json'")
    assert py(web, "result = dropped[-1]") == [("model.npz", bytes([0, 255, 7])),
                                               ("vocab.json", b'["a", "b"]')]
    assert web.evaluate("document.body.classList.contains('dropping')") is False
    text_drag = web.evaluate("""() => {
        const t = new DataTransfer();
        t.setData("text/plain", "not a file");
        const e = new DragEvent("dragover", {dataTransfer: t, bubbles: true, cancelable: true});
        document.body.dispatchEvent(e);
        return e.defaultPrevented;
    }""")
    assert text_drag is False  # only files are taken; other drags stay the browser's


def test_an_exported_picture_downloads_byte_for_byte(web):
    data = bytes(range(256)) * 64
    web.evaluate("s => { window.blob = s; }", base64.b64encode(data).decode())
    with web.expect_download() as info:
        py(web, """
            import base64, js
            page.download("heatmaps.png", base64.b64decode(str(js.window.blob)), "image/png")
        """)
    assert info.value.suggested_filename == "heatmaps.png"
    with open(info.value.path(), "rb") as f:
        assert f.read() == data


def app_canvases(steps: int, size: tuple[int, int]) -> dict[str, list]:
    """Every canvas call the controller (CPython, FakePage) makes: start, then `steps` Steps."""
    fake = FakePage(values={"speed": "3"}, canvas_size=size)
    lstm.ui.app.start(fake)
    for _ in range(steps):
        fake.click("step")
    return {id: canvas.calls for id, canvas in fake.canvases.items()}


def replay(web, id: str, calls: list, size: tuple[int, int]) -> float:
    """Replay recorded calls on a fresh canvas of the page through BrowserCanvas; returns ms."""
    plain = [[name, [{"b64": base64.b64encode(a).decode()} if type(a) is bytes else a
                     for a in args]] for name, args in calls]
    web.evaluate("s => { window.recorded = s; }", json.dumps(plain))
    return py(web, f"""
        import base64, json, js
        from lstm.web import BrowserCanvas
        el = js.document.getElementById({id!r}) or js.document.createElement("canvas")
        el.id, el.width, el.height = {id!r}, {size[0]}, {size[1]}
        js.document.body.append(el)
        c = BrowserCanvas(el, 1)
        calls = [(name, [base64.b64decode(a["b64"]) if isinstance(a, dict) else a for a in args])
                 for name, args in json.loads(js.window.recorded)]
        t0 = page.now_ms()
        for name, args in calls:
            getattr(c, name)(*args)
        result = page.now_ms() - t0
    """)


def test_a_recorded_app_frame_replays_with_the_images_exact(web):
    size = (900, 460)
    calls = app_canvases(6, size)["heatmaps"]
    replay(web, "replayed", calls, size)
    rgba, known = composed(calls, *size)
    assert known.sum() > 1000
    same = (canvas_pixels(web, "replayed") == rgba).all(axis=2)[known]
    assert same.mean() > 0.9, f"{same.mean():.1%} of the image pixels match"  # marker drawn over


POINTED = """
    events = []
    page.canvas("pointed")  # made first: it may restyle the element to the size it draws at
    page.on_pointer("pointed", lambda kind, x, y: events.append((kind, round(x, 1), round(y, 1))))
"""


def test_pointer_events_arrive_in_canvas_pixels_and_moves_once_per_frame(web):
    py(web, POINTED)
    box = web.locator("#pointed").bounding_box()
    web.mouse.move(box["x"] + 10, box["y"] + 10)
    for k in range(1, 6):  # five moves within one frame: one handler call, the last position
        web.evaluate("""([x, y]) => document.getElementById("pointed").dispatchEvent(
            new PointerEvent("pointermove", {clientX: x, clientY: y, bubbles: true}))""",
                     [box["x"] + 20 * k, box["y"] + 10 * k])
    web.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
    moves = py(web, "result = [e for e in events if e[0] == 'move']")
    drawn = py(web, "result = page.canvas('pointed').width")  # CSS px it is drawn in
    k = drawn / box["width"]
    assert moves[-1] == ("move", round(100 * k, 1), round(50 * k, 1))
    assert len(moves) <= 3, moves  # coalesced: the real move, then one for the burst
    web.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    middle = ("click", round(box["width"] / 2 * k, 1), round(box["height"] / 2 * k, 1))
    assert middle in py(web, "result = events")
    web.mouse.move(box["x"] + 500, box["y"] + 500)  # out of the canvas
    assert py(web, "result = events[-1][0]") == "leave"


def test_keys_reach_the_handler_outside_text_fields_only(web):
    py(web, "keys = []; page.on_key(keys.append, [' ', 'ArrowLeft', '?'])")
    web.locator("#button").focus()
    web.keyboard.press("ArrowLeft")
    web.keyboard.press("Space")  # a focused button's own key: left to the button
    web.keyboard.press("x")  # not asked for
    web.locator("#area").focus()
    web.keyboard.press("ArrowLeft")  # typing in a text field
    web.keyboard.type("?")
    web.locator("#area").evaluate("el => el.blur()")
    web.keyboard.press("Shift+?")
    assert py(web, "result = keys") == ["ArrowLeft", "?"]


def test_the_overlay_sits_exactly_over_its_canvas_and_takes_no_pointer(web):
    py(web, """
        overlay = page.overlay("pointed")
        overlay.fill_rect(0, 0, 10, 10, "#ff0000")
        result = (overlay.width, overlay.height, page.overlay("pointed") is overlay)
    """)
    assert py(web, "result = (overlay.width, overlay.height)") == (200, 100)
    base = web.locator("#pointed").bounding_box()
    over = web.locator("#pointed + canvas.canvas-overlay").bounding_box()
    assert over is not None
    assert all(abs(base[k] - over[k]) < 1 for k in ("x", "y", "width", "height"))
    assert web.evaluate("() => getComputedStyle(document.querySelector('.canvas-overlay'))"
                        ".pointerEvents") == "none"
    py(web, "page.set_cursor('pointed', True)")
    assert web.evaluate("() => document.getElementById('pointed').className") == "clickable"
