"""A recording stand-in for the browser module (`lstm/web.py`): the `Page` of ARCHITECTURE.md.

`FakePage` records every call, keeps the element values, attributes, options and texts a real
page would hold, fires events on request, and runs intervals on a fake clock that tests advance.
It asserts that every value it receives is a plain Python value (str, int, float, bool, bytes, or
lists/tuples of those): NumPy scalars fail here, so the real browser module never meets one.
"""

from lstm.draw.canvas import RecordingCanvas
from lstm.ui.panels import CANVAS_SIZES

PLAIN_TYPES = (str, int, float, bool, bytes)

# Every element id of the page (ARCHITECTURE.md, "Element ids"); anything else is a typo.
ELEMENT_IDS = frozenset(
    [
        "sequence", "example", "model", "cell-size", "cell-size-value", "speed", "speed-value",
        "unit", "layer", "colour-by", "start", "pause", "back", "step", "reset", "status",
        "stat-step", "stat-cell-norm", "stat-hidden-norm", "stat-token", "message", "loading",
        "loading-stage", "loading-bar",
        "timing", *CANVAS_SIZES, "train-task", "train-hidden", "train-lr",
        "train-batch", "train-start", "train-pause", "train-reset", "train-progress", "train-rate",
        "train-status", "train-download", "model-file",
        "findings", "feature", "feature-regex", "clamp-gate", "clamp-value", "clamp-step",
        "clamp-add", "clamp-clear", "grad-step",
    ]
)
ELEMENT_IDS |= frozenset([  # your own model and the exports (lstm/ui/uploads.py, exports.py)
    "model-info", "vocab-file", "read-as", "import-options", "import-question",
    "import-choice-row", "import-choice", "import-number-row", "import-number", "import-apply",
    "export-panel", "export-png", "export-svg", "export-csv", "export-npz", "export-model",
])
CANVAS_IDS = frozenset(CANVAS_SIZES)


def is_plain(value) -> bool:
    """True for str, int, float, bool, bytes and lists/tuples of those (exact types, no NumPy)."""
    if type(value) in PLAIN_TYPES:
        return True
    return type(value) in (list, tuple) and all(is_plain(v) for v in value)


def check_plain(*values) -> None:
    for v in values:
        assert is_plain(v), f"not a plain Python value: {v!r} ({type(v).__name__})"


def check_id(id_: str) -> None:
    check_plain(id_)
    assert id_ in ELEMENT_IDS, f"unknown element id {id_!r}"


class FakePage:
    """The `Page` interface, recorded. Tests set values, fire events and advance the clock."""

    def __init__(self, values: dict[str, str] | None = None, canvas_size=None):
        self.values: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self.attrs: dict[str, dict[str, str]] = {}
        self.options: dict[str, list[tuple[str, str]]] = {}
        self.handlers: dict[tuple[str, str], list] = {}
        self.canvases: dict[str, RecordingCanvas] = {}
        self.calls: list[tuple] = []
        self.downloads: list[tuple[str, bytes, str]] = []
        self.clock = 0.0
        self.intervals: dict[int, list] = {}  # handle -> [handler, ms, next due time]
        self._handles = 0
        self._canvas_size = canvas_size
        self.overlays: dict[str, RecordingCanvas] = {}
        self.laters: list = []
        self.pointer_handlers: dict[str, object] = {}
        self.key_handler = None
        self.keys: set[str] = set()
        self.cursors: dict[str, bool] = {}
        self.file_handlers: dict[str, object] = {}
        self.drop_handler = None
        self.hash = ""  # location.hash without its "#"
        self.hash_writes = 0  # history.replaceState calls
        self.hash_handler = None
        self.storage: str | None = None  # what save_state kept (localStorage)
        self.widths: dict[str, int] = {}  # the width each canvas's panel offers (resize())
        self.resize_handler = None
        self.scheme = "light"
        for id_, v in (values or {}).items():
            self.values[id_] = v

    # --- the Page interface -------------------------------------------------------------
    def value(self, id_: str) -> str:
        check_id(id_)
        self.calls.append(("value", id_))
        return self.values.get(id_, "")

    def set_value(self, id_: str, value: str) -> None:
        check_id(id_)
        assert type(value) is str, f"set_value({id_!r}) needs a str, got {value!r}"
        self.calls.append(("set_value", id_, value))
        self._store_value(id_, value)

    def set_text(self, id_: str, text: str) -> None:
        check_id(id_)
        assert type(text) is str, f"set_text({id_!r}) needs a str, got {text!r}"
        self.calls.append(("set_text", id_, text))
        self.texts[id_] = text

    def set_attr(self, id_: str, name: str, value: str) -> None:
        check_id(id_)
        assert type(name) is str and type(value) is str, (name, value)
        self.calls.append(("set_attr", id_, name, value))
        self.attrs.setdefault(id_, {})[name] = value

    def remove_attr(self, id_: str, name: str) -> None:
        check_id(id_)
        assert type(name) is str, name
        self.calls.append(("remove_attr", id_, name))
        self.attrs.get(id_, {}).pop(name, None)

    def set_options(self, id_: str, options: list[tuple[str, str]]) -> None:
        check_id(id_)
        check_plain(options)
        assert all(len(o) == 2 and all(type(s) is str for s in o) for o in options), options
        self.calls.append(("set_options", id_, options))
        self.options[id_] = [tuple(o) for o in options]
        # A browser keeps the selection when its value survives, else selects the first option.
        values = [v for v, _ in options]
        if self.values.get(id_) not in values:
            self.values[id_] = values[0] if values else ""

    def canvas(self, id_: str) -> RecordingCanvas:
        """The canvas of id_, at the size index.html gives it (or the size the test asked)."""
        check_id(id_)
        assert id_ in CANVAS_IDS, f"{id_!r} is not a canvas"
        self.calls.append(("canvas", id_))
        if id_ not in self.canvases:
            size = self._canvas_size or CANVAS_SIZES[id_]
            self.canvases[id_] = RecordingCanvas(*size)
        return self.canvases[id_]

    def canvas_width(self, id_: str) -> int:
        """The width the canvas's panel offers: as resize() set it, else the asked size's."""
        check_id(id_)
        assert id_ in CANVAS_IDS, f"{id_!r} is not a canvas"
        self.calls.append(("canvas_width", id_))
        return self.widths.get(id_, (self._canvas_size or CANVAS_SIZES[id_])[0])

    def size_canvas(self, id_: str, width: int, height: int) -> bool:
        """A canvas (and its overlay) at a new size is a new, blank canvas, as in a browser."""
        check_id(id_)
        assert id_ in CANVAS_IDS, f"{id_!r} is not a canvas"
        assert type(width) is int and type(height) is int and width > 0 and height > 0, (
            width, height)
        self.calls.append(("size_canvas", id_, width, height))
        canvas = self.canvases.get(id_)
        if canvas is not None and (canvas.width, canvas.height) == (width, height):
            return False
        self.canvases[id_] = RecordingCanvas(width, height)
        if id_ in self.overlays:
            self.overlays[id_] = RecordingCanvas(width, height)
        return True

    def color_scheme(self) -> str:
        """The page's colour scheme ("light" unless a test set `scheme`)."""
        self.calls.append(("color_scheme",))
        return self.scheme

    def on_resize(self, handler) -> None:
        assert callable(handler)
        self.calls.append(("on_resize",))
        self.resize_handler = handler

    def on(self, id_: str, event: str, handler) -> None:
        check_id(id_)
        assert type(event) is str and callable(handler), (event, handler)
        self.calls.append(("on", id_, event))
        self.handlers.setdefault((id_, event), []).append(handler)

    def on_pointer(self, id_: str, handler) -> None:
        check_id(id_)
        assert id_ in CANVAS_IDS and callable(handler), id_
        self.calls.append(("on_pointer", id_))
        self.pointer_handlers[id_] = handler

    def on_key(self, handler, keys) -> None:
        assert callable(handler)
        self.keys = set(keys)
        check_plain(list(keys))
        self.key_handler = handler

    def later(self, handler) -> None:
        """Queued; run once the event or tick that queued it is over (run_later), as a browser
        runs it after painting."""
        assert callable(handler)
        self.calls.append(("later",))
        self.laters.append(handler)

    def run_later(self) -> None:
        while self.laters:
            self.laters.pop(0)()

    def overlay(self, id_: str) -> RecordingCanvas:
        check_id(id_)
        assert id_ in CANVAS_IDS, f"{id_!r} is not a canvas"
        self.calls.append(("overlay", id_))
        if id_ not in self.overlays:
            self.overlays[id_] = RecordingCanvas(self.canvas(id_).width, self.canvas(id_).height)
        return self.overlays[id_]

    def set_cursor(self, id_: str, pointer: bool) -> None:
        check_id(id_)
        assert type(pointer) is bool
        self.calls.append(("set_cursor", id_, pointer))
        self.cursors[id_] = pointer

    def set_interval(self, handler, ms) -> int:
        assert callable(handler), handler
        check_plain(ms)
        assert type(ms) in (int, float) and ms > 0, ms
        self._handles += 1
        self.calls.append(("set_interval", ms, self._handles))
        self.intervals[self._handles] = [handler, ms, self.clock + ms]
        return self._handles

    def clear_interval(self, handle: int) -> None:
        assert type(handle) is int, handle
        self.calls.append(("clear_interval", handle))
        self.intervals.pop(handle, None)

    def now_ms(self) -> float:
        self.calls.append(("now_ms",))
        return float(self.clock)

    def download(self, filename: str, data: bytes, mime: str) -> None:
        assert type(filename) is str and type(data) is bytes and type(mime) is str
        self.calls.append(("download", filename, len(data), mime))
        self.downloads.append((filename, data, mime))

    def on_file(self, id_: str, handler) -> None:
        check_id(id_)
        assert callable(handler)
        self.calls.append(("on_file", id_))
        self.file_handlers[id_] = handler

    def on_drop(self, handler) -> None:
        assert callable(handler)
        self.drop_handler = handler

    def get_hash(self) -> str:
        return self.hash

    def set_hash(self, text: str) -> None:
        assert type(text) is str and not text.startswith("#"), text
        self.calls.append(("set_hash", text))
        self.hash = text
        self.hash_writes += 1

    def on_hash_change(self, handler) -> None:
        assert callable(handler)
        self.hash_handler = handler

    def load_state(self) -> str | None:
        return self.storage

    def save_state(self, text: str) -> None:
        assert type(text) is str, text
        self.calls.append(("save_state", len(text)))
        self.storage = text

    # --- what tests do -------------------------------------------------------------------
    def upload(self, id_: str, name: str, data: bytes) -> None:
        """A file chosen in an <input type=file>, its bytes handed over as the browser does."""
        self.file_handlers[id_](name, bytes(data))

    def drop(self, files: list[tuple[str, bytes]]) -> None:
        """Files dropped onto the page."""
        self.drop_handler([(name, bytes(data)) for name, data in files])

    def open_hash(self, text: str) -> None:
        """The visitor edits the hash (or opens a link in this tab): hashchange fires."""
        self.hash = text.removeprefix("#")
        self.hash_handler()

    def _store_value(self, id_: str, value: str) -> None:
        options = self.options.get(id_)
        if options is not None and value not in [v for v, _ in options]:
            value = ""  # a <select> given a value it lacks selects nothing
        self.values[id_] = value

    def fire(self, id_: str, event: str) -> None:
        """Run the handlers registered for `event` on `id_` (none registered is a test error)."""
        handlers = self.handlers.get((id_, event))
        assert handlers, f"no {event!r} handler on {id_!r}"
        for handler in handlers:
            handler()
        self.run_later()  # the browser paints after the event, then runs what waited for it

    def click(self, id_: str) -> None:
        self.fire(id_, "click")

    def choose(self, id_: str, value: str) -> None:
        """Select an option of a <select> (it must exist) and fire "change"."""
        assert value in [v for v, _ in self.options.get(id_, [])], (id_, value)
        self.values[id_] = value
        self.fire(id_, "change")

    def slide(self, id_: str, value: int) -> None:
        """Move a range input and fire "input", as dragging does."""
        self.values[id_] = str(value)
        self.fire(id_, "input")

    def type_text(self, id_: str, text: str) -> None:
        """Replace an input's text, as a user typing would (no event: the app reads it later)."""
        self.values[id_] = text

    def point(self, id_: str, kind: str, x: float = 0.0, y: float = 0.0) -> None:
        """A pointer event on a canvas, as the browser module delivers it (CSS pixels)."""
        assert kind in ("move", "leave", "click"), kind
        self.pointer_handlers[id_](kind, float(x), float(y))
        self.run_later()

    def resize(self, width: int) -> None:
        """The window changed: every panel now offers `width` CSS px; the handler runs."""
        self.widths = {id_: width for id_ in CANVAS_IDS}
        if self.resize_handler is not None:
            self.resize_handler()
            self.run_later()

    def prefer(self, scheme: str) -> None:
        """The visitor's system switched to the "light" or "dark" scheme; the handler runs."""
        self.scheme = scheme
        if self.resize_handler is not None:
            self.resize_handler()
            self.run_later()

    def press(self, key: str) -> None:
        """A key pressed outside the text fields (only the keys the app asked for arrive)."""
        if key in self.keys:
            self.key_handler(key)
            self.run_later()

    def advance(self, ms: float) -> None:
        """Move the clock forward, running every interval handler that falls due, in order
        (and what was queued to run after painting, first)."""
        self.run_later()
        end = self.clock + ms
        while True:
            due = [(entry[2], h) for h, entry in self.intervals.items() if entry[2] <= end]
            if not due:
                break
            when, handle = min(due)
            entry = self.intervals[handle]
            self.clock = when
            entry[2] = when + entry[1]
            entry[0]()
            self.run_later()
        self.clock = end

    def text(self, id_: str) -> str:
        return self.texts.get(id_, "")

    def attr(self, id_: str, name: str) -> str | None:
        return self.attrs.get(id_, {}).get(name)
