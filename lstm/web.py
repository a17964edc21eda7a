"""The browser module: the only one that imports `js`, `pyodide` and `pyodide_js`.

It gives the controller a `BrowserPage` (DOM text, events, timers, downloads) and panels a
`BrowserCanvas` (the Canvas interface of lstm/draw/canvas.py on a real <canvas>), and it boots the
app: load NumPy from the site's own files, then hand a page to `lstm.ui.app.start`. It imports
without NumPy, so the loading screen can report progress and failures before NumPy exists.

Bridge costs (SANDBOX.md): each Python -> JS call costs microseconds, so methods are bound once,
canvas state (colours, widths, fonts) is set only when it changes, an image is two calls
(`data.assign` + `putImageData`) and a polyline one `Path2D`.
"""

import asyncio
import hashlib
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator

import js
import pyodide_js
from pyodide.ffi import create_once_callable, create_proxy, jsnull, to_js

PYODIDE_DIR = "assets/vendor/pyodide/"  # where the page's Pyodide lives (for messages)
FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
BOOT_STAGES = 3  # runtime, NumPy, model: the loading bar's max
STATE_KEY = "lstm-gates-visualizer.state"  # localStorage: the last state (lstm/ui/links.py)
DARK = "(prefers-color-scheme: dark)"
ERROR_HEIGHT = 72  # CSS px: after a failed boot each canvas shrinks to the band holding its line

# Canvas.texts in JS: every label of a panel crosses the bridge in one call.
DRAW_TEXTS = js.Function.new("ctx", "items", "family", """
  for (const [s, x, y, color, size, align, baseline, bold, angle] of items) {
    ctx.fillStyle = color;
    ctx.font = (bold ? "bold " : "") + size + "px " + family;
    ctx.textAlign = align;
    ctx.textBaseline = baseline;
    if (angle) {
      ctx.save(); ctx.translate(x, y); ctx.rotate(angle); ctx.fillText(s, 0, 0); ctx.restore();
    } else {
      ctx.fillText(s, x, y);
    }
  }
""")
TEXT_STATE = ("fillStyle", "font", "textAlign", "textBaseline")


def _js_object(d: dict) -> object:
    """A plain JS object (not a Map) from a dict."""
    return to_js(d, dict_converter=js.Object.fromEntries)


class BrowserCanvas:
    """The Canvas interface on one <canvas> element, drawn at the size it is shown.

    `width` and `height` are its size in CSS pixels (the element's width/height attributes
    until it is sized); the backing store is that size times devicePixelRatio, and the context
    transform maps CSS pixels to device pixels, so text and lines are sharp at any ratio.
    putImageData ignores that transform, so at a ratio other than 1 images go through a hidden
    canvas of the image's own size and one drawImage, scaled without smoothing (each value stays
    a crisp block); at ratio 1 they are put directly.
    """

    def __init__(self, element: object, ratio: float = 1.0):
        self.element, self.ctx = element, element.getContext("2d")
        ctx = self.ctx
        self._fill_rect, self._clear_rect = ctx.fillRect, ctx.clearRect
        self._fill_text, self._put, self._draw_image = ctx.fillText, ctx.putImageData, ctx.drawImage
        self._stroke, self._fill = ctx.stroke, ctx.fill
        self._set_line_dash, self._path = ctx.setLineDash, js.Path2D.new
        self._images: dict[tuple[int, int], tuple[object, object]] = {}
        self._offscreen = None
        self.width, self.height, self.ratio = 0, 0, 0.0
        self.resize(int(element.width), int(element.height), ratio)

    def resize(self, width: int, height: int, ratio: float) -> bool:
        """Show the canvas at width x height CSS pixels, its backing store at that times
        `ratio`; True when anything changed (the canvas is then blank: resizing clears it)."""
        width, height, ratio = max(int(width), 1), max(int(height), 1), float(ratio) or 1.0
        if (width, height, ratio) == (self.width, self.height, self.ratio):
            return False
        self.width, self.height, self.ratio = width, height, ratio
        element = self.element
        element.style.width = f"{width}px"
        element.style.height = f"{height}px"
        element.width = round(width * ratio)  # resets the context's state
        element.height = round(height * ratio)
        self.ctx.setTransform(ratio, 0, 0, ratio, 0, 0)
        self.ctx.imageSmoothingEnabled = False
        self._state: dict[str, object] = {}
        return True

    def _set(self, name: str, value: object) -> None:
        """Set a context property only when it changes (a bridge call saved otherwise)."""
        if self._state.get(name) != value:
            setattr(self.ctx, name, value)
            self._state[name] = value

    def _image(self, w: int, h: int, ctx: object) -> tuple[object, object]:
        """A reusable ImageData of w x h and its data array."""
        key = (w, h)
        if key not in self._images:
            img = ctx.createImageData(w, h)
            self._images[key] = (img, img.data)
        return self._images[key]

    def clear(self) -> None:
        self._clear_rect(0, 0, self.width, self.height)

    def fill_rect(self, x: float, y: float, w: float, h: float, color: str) -> None:
        self._set("fillStyle", color)
        self._fill_rect(x, y, w, h)

    def put_rgba(self, x: int, y: int, w: int, h: int, data: bytes) -> None:
        """Replace a w x h block at (x, y) with RGBA bytes, w*h*4, row-major."""
        if len(data) != w * h * 4:
            raise ValueError(f"put_rgba: {len(data)} bytes for {w}x{h} (expected {w * h * 4})")
        if w == 0 or h == 0:
            return
        if self.ratio == 1.0:
            img, buf = self._image(w, h, self.ctx)
            buf.assign(data)
            self._put(img, x, y)
            return
        off = self._offscreen
        if off is None or off.width != w or off.height != h:
            off = self._offscreen = js.document.createElement("canvas")
            off.width, off.height = w, h
            self._off_ctx = off.getContext("2d")
        img, buf = self._image(w, h, self._off_ctx)
        buf.assign(data)
        self._off_ctx.putImageData(img, 0, 0)
        self._clear_rect(x, y, w, h)
        self._draw_image(off, x, y, w, h)

    def stroke_path(self, d: str, color: str, width: float = 1.0, dash: tuple = ()) -> None:
        self._set("strokeStyle", color)
        self._set("lineWidth", width)
        dash = tuple(dash)
        if self._state.get("dash", ()) != dash:
            self._set_line_dash(to_js(list(dash)))
            self._state["dash"] = dash
        self._stroke(self._path(d))

    def fill_path(self, d: str, color: str) -> None:
        self._set("fillStyle", color)
        self._fill(self._path(d))

    def text(self, s: str, x: float, y: float, color: str, size: float = 12,
             align: str = "left", baseline: str = "alphabetic", bold: bool = False,
             angle: float = 0.0) -> None:
        """Draw s at (x, y); angle in radians, clockwise on screen, about (x, y)."""
        self._set("fillStyle", color)
        self._set("font", f"{'bold ' if bold else ''}{size}px {FONT_FAMILY}")
        self._set("textAlign", align)
        self._set("textBaseline", baseline)
        if not angle:
            self._fill_text(s, x, y)
            return
        ctx = self.ctx
        ctx.save()
        ctx.translate(x, y)
        ctx.rotate(angle)
        self._fill_text(s, 0, 0)
        ctx.restore()

    def texts(self, items: list[tuple]) -> None:
        """Several labels, each text()'s nine arguments (s, x, y, color, size, align, baseline,
        bold, angle), drawn by one JS function: one bridge crossing for the lot."""
        DRAW_TEXTS(self.ctx, to_js(items), FONT_FAMILY)
        for name in TEXT_STATE:  # the JS side changed these behind the cache's back
            self._state.pop(name, None)


class BrowserPage:
    """The Page interface of ARCHITECTURE.md on the live document."""

    def __init__(self, document: object = None):
        self.document = document or js.document
        self._by_id = self.document.getElementById
        self._elements: dict[str, object] = {}
        self._canvases: dict[str, BrowserCanvas] = {}
        self._listeners: list[object] = []  # proxies live as long as the page
        self._timers: dict[int, object] = {}
        self._now = js.performance.now
        self.app = None  # the controller using this page, kept as long as the page

    def element(self, id: str) -> object:
        """The element with this id (cached); KeyError naming the id when absent."""
        el = self._elements.get(id)
        if el is None:
            el = self._by_id(id)
            if el is None or el is jsnull:
                raise KeyError(f"no element with id {id!r}")
            self._elements[id] = el
        return el

    def value(self, id: str) -> str:
        return str(self.element(id).value)

    def set_value(self, id: str, value: str) -> None:
        element = self.element(id)
        element.value = value
        if element.tagName == "SELECT":
            self._title_menu(element)

    def _title_menu(self, element: object) -> None:
        """A menu's title is its chosen label: a label the menu's width cuts reads whole on
        hover. Kept up to date when the visitor chooses (one listener per menu)."""
        option = element.options.item(element.selectedIndex) if element.selectedIndex >= 0 \
            else None
        element.title = "" if option is None else option.textContent
        if not element.hasAttribute("data-titled"):
            element.setAttribute("data-titled", "")
            proxy = create_proxy(lambda _event: self._title_menu(element))
            self._listeners.append(proxy)
            element.addEventListener("change", proxy)

    def set_text(self, id: str, text: str) -> None:
        self.element(id).textContent = text

    def set_attr(self, id: str, name: str, value: str) -> None:
        self.element(id).setAttribute(name, value)

    def remove_attr(self, id: str, name: str) -> None:
        self.element(id).removeAttribute(name)

    def set_options(self, id: str, options: list[tuple[str, str]]) -> None:
        """Replace a <select>'s options with (value, label) pairs, labels as plain text."""
        options_js = []
        for value, label in options:
            opt = self.document.createElement("option")
            opt.value = value
            opt.textContent = label
            opt.title = label
            options_js.append(opt)
        element = self.element(id)
        element.replaceChildren(*options_js)
        self._title_menu(element)

    def canvas(self, id: str) -> BrowserCanvas:
        if id not in self._canvases:
            self._canvases[id] = BrowserCanvas(self.element(id), js.window.devicePixelRatio or 1)
        return self._canvases[id]

    def canvas_width(self, id: str) -> int:
        """The width in CSS pixels that canvas `id`'s panel offers it (its content box, whole
        pixels); 0 while the panel is not shown."""
        element = self.element(id)
        box = element.closest(".panel")
        box = element.parentElement if box is None or box is jsnull else box
        style = js.getComputedStyle(box)
        pad = js.parseFloat(style.paddingLeft) + js.parseFloat(style.paddingRight)
        inner = box.clientWidth - pad
        return max(int(inner), 0)

    def size_canvas(self, id: str, width: int, height: int) -> bool:
        """Show canvas `id` (and its readout overlay) at width x height CSS pixels, its backing
        store at that times devicePixelRatio; True when that changed (the canvas is blank)."""
        ratio = js.window.devicePixelRatio or 1
        changed = self.canvas(id).resize(width, height, ratio)
        overlay = self._canvases.get(f"{id}-overlay")
        if overlay is not None:
            overlay.resize(width, height, ratio)
        return changed

    def color_scheme(self) -> str:
        """"dark" when the visitor's system prefers it, else "light"."""
        return "dark" if js.window.matchMedia(DARK).matches else "light"

    def on_resize(self, handler: Callable[[], None]) -> None:
        """Call handler() once (at the next animation frame) after the width offered to any
        canvas, the device pixel ratio or the colour scheme changed: a resize, a rotation, a
        zoom, a panel opened, dark mode switched on. Height changes alone (the canvases' own)
        do not call it."""
        widths: dict[int, int] = {}
        pending: list = []

        def frame(_time) -> None:
            pending.clear()
            self._run(handler)

        def later() -> None:
            if not pending:
                pending.append(js.requestAnimationFrame(create_once_callable(frame)))

        def observed(entries, _observer) -> None:
            for entry in entries:
                key = str(entry.target.querySelector("canvas[id]").id)
                width = int(entry.contentRect.width)
                if widths.get(key) != width:
                    widths[key] = width
                    later()

        def watch_ratio() -> None:  # a media query of the current ratio fires when it changes
            query = js.window.matchMedia(f"(resolution: {js.window.devicePixelRatio}dppx)")
            query.addEventListener("change", create_once_callable(lambda _e: (later(),
                                                                              watch_ratio())))

        proxy = create_proxy(observed)
        self._listeners.append(proxy)
        observer = js.ResizeObserver.new(proxy)
        for element in self.document.querySelectorAll("canvas[id]"):
            box = element.closest(".panel")
            observer.observe(element.parentElement if box is None or box is jsnull else box)
        self._observer = observer
        watch_ratio()
        scheme = create_proxy(lambda _event: later())
        self._listeners.append(scheme)
        js.window.matchMedia(DARK).addEventListener("change", scheme)

    def on(self, id: str, event: str, handler: Callable[[], None]) -> None:
        """Call handler() on each `event` of element `id`; its errors go to the page."""
        proxy = create_proxy(lambda _event: self._run(handler))
        self._listeners.append(proxy)
        self.element(id).addEventListener(event, proxy)

    def on_pointer(self, id: str, handler: Callable[[str, float, float], None]) -> None:
        """Call handler(kind, x, y) for pointer events on canvas `id`: kind is "move", "leave"
        or "click" (a tap is a click); x, y in the canvas's CSS pixels (its width/height
        attributes' units, whatever size it is shown at). Moves are coalesced: the handler runs
        at most once per animation frame, with the last position."""
        element = self.element(id)
        pending: list = []  # the last move not handled yet, as [x, y]

        def where(event) -> tuple[float, float]:
            rect = element.getBoundingClientRect()
            sx = self.canvas(id).width / (rect.width or 1)
            sy = self.canvas(id).height / (rect.height or 1)
            return (float(event.clientX - rect.left) * sx, float(event.clientY - rect.top) * sy)

        def frame(_time) -> None:
            if not pending:  # the pointer left before the frame
                return
            x, y = pending.pop()
            self._run(lambda: handler("move", x, y))

        def move(event) -> None:
            if not pending:
                js.requestAnimationFrame(create_once_callable(frame))
                pending.append(None)
            pending[-1] = where(event)

        def leave(_event) -> None:
            pending.clear()
            self._run(lambda: handler("leave", 0.0, 0.0))

        def click(event) -> None:
            x, y = where(event)
            self._run(lambda: handler("click", x, y))

        for name, fn in (("pointermove", move), ("pointerleave", leave), ("click", click)):
            proxy = create_proxy(fn)
            self._listeners.append(proxy)
            element.addEventListener(name, proxy)

    def on_key(self, handler: Callable[[str], None], keys: Iterable[str]) -> None:
        """Call handler(key) for each of `keys` pressed on the page outside text fields, menus
        and buttons' own keys, without modifiers; the browser's default for it (scrolling on
        Space and arrows) is prevented."""
        wanted = set(keys)

        def keydown(event) -> None:
            key = str(event.key)
            target = event.target
            tag = str(getattr(target, "tagName", "") or "").lower()
            if key not in wanted or event.ctrlKey or event.metaKey or event.altKey:
                return
            if tag in ("input", "textarea", "select") or bool(target.isContentEditable):
                return
            if tag == "button" and key in (" ", "Enter"):
                return  # the button's own press
            event.preventDefault()
            self._run(lambda: handler(key))

        proxy = create_proxy(keydown)
        self._listeners.append(proxy)
        self.document.addEventListener("keydown", proxy)

    def later(self, handler: Callable[[], None]) -> None:
        """Run handler() once, after the browser has painted what was drawn so far."""
        def after(_time) -> None:
            js.setTimeout(create_once_callable(lambda: self._run(handler)), 0)

        js.requestAnimationFrame(create_once_callable(after))

    def overlay(self, id: str) -> BrowserCanvas:
        """A transparent canvas stacked exactly over canvas `id`, for hover readouts: drawing
        on it never touches the panel's pixels. Made on first use."""
        key = f"{id}-overlay"
        if key not in self._canvases:
            base = self.element(id)
            wrap = self.document.createElement("div")
            wrap.className = "canvas-stack"
            wrap.style.position, wrap.style.width, wrap.style.maxWidth = (
                "relative", "fit-content", "100%")
            base.parentNode.insertBefore(wrap, base)
            wrap.appendChild(base)
            base.style.display = "block"  # no inline gap under it: the overlay covers it exactly
            layer = self.document.createElement("canvas")
            layer.className = "canvas-overlay"
            layer.setAttribute("aria-hidden", "true")
            layer.width, layer.height = self.canvas(id).width, self.canvas(id).height
            wrap.appendChild(layer)
            self._canvases[key] = BrowserCanvas(layer, self.canvas(id).ratio)
            style = layer.style  # after BrowserCanvas, which sizes the element itself
            style.position, style.left, style.top = "absolute", "0", "0"
            style.width, style.height, style.pointerEvents = "100%", "100%", "none"
            style.background = "transparent"
        return self._canvases[key]

    def set_cursor(self, id: str, pointer: bool) -> None:
        """The pointing hand over canvas `id` where a click does something."""
        self.element(id).classList.toggle("clickable", pointer)

    def on_file(self, id: str, handler: Callable[[str, bytes], None]) -> None:
        """Call handler(name, data) with the bytes of each file chosen in <input type=file> id."""
        element = self.element(id)

        async def read() -> None:
            files = element.files
            if not files.length:
                return
            chosen = files.item(0)
            element.value = ""  # choosing the same file again is a new change
            try:
                data = (await chosen.arrayBuffer()).to_bytes()
            except Exception as e:  # unreadable file (removed, permissions): say so
                self.set_text("message", f"Could not read {chosen.name}: {e}")
                return
            self._run(lambda: handler(str(chosen.name), data))

        proxy = create_proxy(lambda _event: asyncio.ensure_future(read()))
        self._listeners.append(proxy)
        element.addEventListener("change", proxy)

    def set_interval(self, handler: Callable[[], None], ms: float) -> int:
        proxy = create_proxy(lambda: self._run(handler))
        handle = int(js.setInterval(proxy, ms))
        self._timers[handle] = proxy
        return handle

    def clear_interval(self, handle: int) -> None:
        js.clearInterval(handle)
        proxy = self._timers.pop(handle, None)
        if proxy is not None:
            proxy.destroy()

    def now_ms(self) -> float:
        return float(self._now())

    def download(self, filename: str, data: bytes, mime: str) -> None:
        """Offer data as a file download through a Blob and a temporary object URL."""
        array = js.Uint8Array.new(len(data))
        array.assign(data)
        url = js.URL.createObjectURL(js.Blob.new(to_js([array]), _js_object({"type": mime})))
        link = self.document.createElement("a")
        link.href, link.download = url, filename
        link.click()
        js.setTimeout(create_once_callable(lambda: js.URL.revokeObjectURL(url)), 1000)

    def on_drop(self, handler: Callable[[list[tuple[str, bytes]]], None]) -> None:
        """Call handler([(name, data), ...]) with the files dropped anywhere on the page (other
        drags are left to the browser); while files are dragged over it, <body> has the class
        "dropping"."""
        body = self.document.body

        def has_files(event) -> bool:
            transfer = event.dataTransfer
            return transfer is not None and transfer is not jsnull and \
                bool(transfer.types.includes("Files"))

        def over(event) -> None:
            if has_files(event):
                event.preventDefault()  # without it the browser opens the file instead
                event.dataTransfer.dropEffect = "copy"
                body.classList.add("dropping")

        def leave(event) -> None:
            if event.relatedTarget is None or event.relatedTarget is jsnull:  # left the window
                body.classList.remove("dropping")

        async def read(files) -> None:
            chosen = []
            for j in range(files.length):
                file = files.item(j)
                try:
                    chosen.append((str(file.name), (await file.arrayBuffer()).to_bytes()))
                except Exception as e:  # unreadable (a folder, removed, permissions): say so
                    self.set_text("message", f"Could not read {file.name}: {e}")
                    return
            if chosen:
                self._run(lambda: handler(chosen))

        reading: set = set()  # the reads under way, kept until done

        def drop(event) -> None:
            body.classList.remove("dropping")
            if has_files(event):
                event.preventDefault()
                task = asyncio.ensure_future(read(event.dataTransfer.files))  # taken now
                reading.add(task)
                task.add_done_callback(reading.discard)

        for name, fn in (("dragover", over), ("dragleave", leave), ("drop", drop)):
            proxy = create_proxy(fn)
            self._listeners.append(proxy)
            self.document.addEventListener(name, proxy)

    def get_hash(self) -> str:
        """location.hash without its "#" (percent-encoded, as the address bar keeps it)."""
        return str(js.location.hash).removeprefix("#")

    def set_hash(self, text: str) -> None:
        """Make the hash "#" + text with history.replaceState: no history entry, no
        hashchange event."""
        js.history.replaceState(js.history.state, "", "#" + text)

    def on_hash_change(self, handler: Callable[[], None]) -> None:
        """Call handler() when the hash changes other than by set_hash (edited by hand)."""
        proxy = create_proxy(lambda _event: self._run(handler))
        self._listeners.append(proxy)
        js.window.addEventListener("hashchange", proxy)

    def load_state(self) -> str | None:
        """The text save_state kept in localStorage, or None (none kept, or storage off)."""
        try:
            value = js.localStorage.getItem(STATE_KEY)
        except Exception:  # storage disabled (a SecurityError): nothing was kept
            return None
        return None if value is None or value is jsnull else str(value)

    def save_state(self, text: str) -> None:
        """Keep text in localStorage for the next visit; when storage is off or full the page
        goes on (its link still holds the state) and the console says why."""
        try:
            js.localStorage.setItem(STATE_KEY, text)
        except Exception as e:
            js.console.warn(f"The page state is not kept for the next visit: {e}")

    def _run(self, handler: Callable[[], None]) -> None:
        """Run an event or timer handler; an exception is logged and shown, never lost.

        The controllers guard their own handlers and own the status line, so what reaches here
        is only put in the alert line: the status keeps saying what the controller's state is.
        """
        try:
            handler()
        except Exception as e:
            traceback.print_exc()
            self.set_text("message", f"Something went wrong: {type(e).__name__}: {e}")

    def show_error(self, status: str, text: str) -> None:
        """Put text in the alert line and the status, saying `status`, into its error state."""
        self.set_text("message", text)
        self.set_text("status", status)
        self.set_attr("status", "data-state", "error")


# --- boot -------------------------------------------------------------------------------------


def mark(name: str) -> float:
    """Record a performance mark; returns its time in ms since navigation start."""
    return float(js.performance.mark(name).startTime)


def lock_files(lock: dict, name: str) -> Iterator[tuple[str, dict]]:
    """(package, its lock entry) for `name` and everything it depends on, per pyodide-lock.json."""
    packages = {k.lower(): v for k, v in lock["packages"].items()}
    seen, todo = set(), [name.lower()]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(d.lower() for d in packages[n]["depends"])
            yield n, packages[n]


async def same_origin_present(url: str) -> bool:
    """Whether this site serves url (a HEAD request, which never leaves the page's origin);
    a request that fails (offline, nothing cached) counts as not served."""
    try:
        response = await js.fetch(url, _js_object({"method": "HEAD", "cache": "no-cache"}))
    except Exception:
        return False
    return bool(response.ok)


async def wheel_problem(url: str, sha256: str) -> str | None:
    """Why a wheel loadPackage could not install fails, found by fetching it again: the HTTP
    status, a download error, or its sha256 against the lock's; None when it is fine."""
    try:
        response = await js.fetch(url, _js_object({"cache": "no-cache"}))
    except Exception as e:
        return f"the download failed ({e})"
    if not response.ok:
        return f"the download failed (HTTP {response.status})"
    got = hashlib.sha256((await response.arrayBuffer()).to_bytes()).hexdigest()
    if got != sha256:
        return (f"it failed the integrity check: its sha256 is {got[:16]}…, "
                f"pyodide-lock.json says {sha256[:16]}…")
    return None


def missing_numpy_message(files: list[str]) -> str:
    """What is missing and how to get it: shown on the page instead of an endless spinner."""
    version = str(pyodide_js.version)
    return (
        f"NumPy for the browser is missing, so the visualizer cannot start.\n"
        f"This site has Python (Pyodide {version}) but not {', '.join(files)} in "
        f"{PYODIDE_DIR} — the npm pyodide package holds only the core runtime.\n"
        f"To get it, run `make serve` where the internet is reachable (it fetches and checks "
        f"it), or copy it from a full Pyodide {version} distribution you already have:\n"
        f"    PYODIDE_DIST=/path/to/pyodide python3 tools/fetch_pyodide_wheels.py\n"
        f"then reload this page. The explanations above work without it."
    )


def failed_wheels_message(failed: list[tuple[str, str]]) -> str:
    """Which wheels the site has but Pyodide could not install, and why (one line each)."""
    lines = "\n".join(f"    {file}: {reason}" for file, reason in failed)
    return (
        f"NumPy could not be loaded, so the visualizer cannot start:\n{lines}\n"
        f"The files in {PYODIDE_DIR} must be the ones pyodide-lock.json names. Fetch them "
        f"again with\n    python3 tools/fetch_pyodide_wheels.py\nthen reload this page."
    )


class Boot:
    """The loading screen: stage text, progress bar, the stages' list and the time-to-interactive
    line; until the app draws, a placeholder line on every canvas and in every empty menu.

    `#app[data-boot]` (loading, error, started) tells the style sheet which of these is on.
    """

    def __init__(self, page: BrowserPage):
        self.page = page
        self.done = 0  # stages finished
        self.page.set_attr("loading-bar", "max", str(BOOT_STAGES))
        self.placeholders("Loading…")

    def stage(self, done: int, text: str) -> None:
        self.done = done
        self.page.set_attr("loading-bar", "value", str(done))
        self.page.set_text("loading-stage", text)
        for k, item in enumerate(self.page.document.querySelectorAll(".loading-stages li")):
            item.dataset.state = "done" if k < done else "active" if k == done else ""

    def placeholders(self, text: str, height: int | None = None) -> None:
        """`text`, centred on every canvas on its placeholder colours (the style sheet's), each
        canvas drawn at the width its panel offers (and `height`, or its own). BrowserCanvas
        calls only: no NumPy needed."""
        for element in self.page.document.querySelectorAll("canvas[id]"):
            canvas = self.page.canvas(element.id)
            width = self.page.canvas_width(element.id) or canvas.width
            self.page.size_canvas(element.id, width, height or canvas.height)
            style = js.getComputedStyle(element)
            size = max(11, min(14, 1.8 * canvas.width / len(text)))
            canvas.fill_rect(0, 0, canvas.width, canvas.height, str(style.backgroundColor))
            canvas.texts([(text, canvas.width / 2, canvas.height / 2, str(style.color),
                           round(size, 1), "center", "middle", False, 0.0)])

    def fail(self, status: str, summary: str, details: str, marks: dict[str, float]) -> None:
        """Stop with the full explanation in the loading panel, a summary in the alert line,
        `status` (a few words) in the status line, the stage that failed marked in the list,
        and placeholders saying the panels cannot be drawn."""
        self.page.set_attr("loading", "data-state", "error")
        self.page.set_attr("loading", "aria-busy", "false")
        self.page.set_text("loading-stage", details)
        items = self.page.document.querySelectorAll(".loading-stages li")
        if self.done < items.length:
            items.item(self.done).dataset.state = "failed"
        self.page.show_error(status, summary)
        self.page.set_text("timing", f"Python runtime ready in {marks['runtime'] / 1000:.1f} s")
        for option in self.page.document.querySelectorAll("option[data-boot-option]"):
            option.textContent = "—"
        self.page.set_attr("app", "data-boot", "error")  # before drawing: panels shrink to a line
        self.placeholders(f"{status}: see the message above", ERROR_HEIGHT)

    def finish(self, marks: dict[str, float]) -> None:
        """Hide the overlay and write the measured times, discreetly."""
        self.stage(BOOT_STAGES, "Ready")
        self.page.set_attr("loading", "hidden", "")
        self.page.set_attr("loading", "data-state", "done")
        self.page.set_attr("loading", "aria-busy", "false")
        self.page.set_attr("app", "data-boot", "started")
        for group in self.page.document.querySelectorAll("[data-boot-disabled]"):
            group.disabled = False
        total = marks["interactive"]
        parts = ", ".join(f"{k} {v / 1000:.1f} s" for k, v in steps(marks).items())
        self.page.set_text("timing", f"Interactive in {total / 1000:.1f} s ({parts})")


def steps(marks: dict[str, float]) -> dict[str, float]:
    """Durations of the boot stages from the cumulative marks."""
    return {
        "runtime": marks["runtime"],
        "NumPy": marks["numpy"] - marks["runtime"],
        "model": marks["interactive"] - marks["numpy"],
    }


async def painted() -> None:
    """Return once the browser has painted what was set so far (before a long blocking step)."""
    await js.Promise.new(lambda resolve, _reject: js.requestAnimationFrame(
        create_once_callable(lambda _time: js.setTimeout(resolve, 0))))


def fold_introduction(page: BrowserPage) -> None:
    """On a phone the introduction is two screens long: it folds away (its summary opens it
    again) once the visitor starts playing, having read it by then."""
    def fold(_event) -> None:
        if js.window.matchMedia("(max-width: 600px)").matches:
            page.element("explain").open = False

    proxy = create_proxy(fold)
    page._listeners.append(proxy)
    for id in ("start", "step"):
        page.element(id).addEventListener("click", proxy, _js_object({"once": True}))


class NumpyMissingError(Exception):
    """The site does not serve NumPy's wheels; args[0] lists their file names."""


class WheelError(Exception):
    """The site serves the wheels but Pyodide could not install some; args[0]: (file, reason)."""


async def load_numpy() -> None:
    """Load NumPy from this site's copy of Pyodide's wheels, or raise NumpyMissingError/WheelError.

    The wheels' names come from the lock file Pyodide loaded (the vendored pyodide-lock.json),
    and loadPackage fetches them from the lock file's folder, checking each against the lock's
    sha256 (subresource integrity). That folder is checked to be on the page's origin first,
    so no request ever leaves it. loadPackage does not raise when a wheel fails: it returns the
    packages it installed and reports the errors through errorCallback (Pyodide 314,
    load-package.ts), so what it did not install is looked at again to say why.
    """
    base = js.URL.new(pyodide_js.lockfileBaseUrl, js.location.href)
    if base.origin != js.location.origin:
        raise RuntimeError(f"Pyodide would load packages from {base.href}, off this site")
    lock = {"packages": pyodide_js.lockfile.packages.to_py()}
    wheels = dict(lock_files(lock, "numpy"))
    url = {name: str(base.href) + entry["file_name"] for name, entry in wheels.items()}
    missing = [e["file_name"] for n, e in wheels.items() if not await same_origin_present(url[n])]
    if missing:
        raise NumpyMissingError(missing)
    errors: list[str] = []
    callbacks = {"messageCallback": create_proxy(lambda _message: None),
                 "errorCallback": create_proxy(errors.append)}
    try:
        loaded = await pyodide_js.loadPackage(
            to_js(["numpy"]), _js_object({"checkIntegrity": True, **callbacks}))
    finally:
        for proxy in callbacks.values():
            proxy.destroy()
    installed = {str(p.name).lower() for p in loaded} | {
        str(n).lower() for n in js.Object.keys(pyodide_js.loadedPackages)}
    failed = []
    for name in sorted(set(wheels) - installed):
        entry = wheels[name]
        reason = await wheel_problem(url[name], entry["sha256"])
        failed.append((entry["file_name"], reason or " ".join(errors) or "it was not installed"))
    if failed:
        raise WheelError(failed)


async def boot() -> None:
    """Boot the app: runtime (already up when this runs), NumPy, then the model and controller."""
    page = BrowserPage()
    loading = Boot(page)
    marks = {"runtime": mark("runtime-ready")}
    try:
        loading.stage(1, "Loading NumPy…")
        await painted()
        try:
            await load_numpy()
        except NumpyMissingError as e:
            loading.fail("NumPy missing", "NumPy for the browser is missing: see the loading "
                         "panel for how to get it.", missing_numpy_message(e.args[0]), marks)
            return
        except WheelError as e:
            file, reason = e.args[0][0]
            loading.fail("NumPy failed to load", f"NumPy could not be loaded: {file}: {reason}",
                         failed_wheels_message(e.args[0]), marks)
            return
        import numpy  # noqa: F401  (fails loudly here if the wheel did not install)

        marks["numpy"] = mark("numpy-ready")
        loading.stage(2, "Loading the model…")
        await painted()
        import lstm.ui.app

        page.app = lstm.ui.app.start(page)
        fold_introduction(page)
        marks["interactive"] = mark("interactive")
        js.performance.measure("time-to-interactive", _js_object({"end": "interactive"}))
        loading.finish(marks)
    except Exception as e:
        traceback.print_exc(file=sys.stderr)
        text = f"The app failed to start: {type(e).__name__}: {e}"
        loading.fail("Could not start", text, f"{text}\nThe browser console has the traceback.",
                     marks)
