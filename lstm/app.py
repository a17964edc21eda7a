"""The visualizer's controller: the seed's state machine, its controls, stats and timer.

Plain Python over the `Page` interface of ARCHITECTURE.md, so it runs and is tested in CPython.
States, as in the seed (startProcessing / pauseProcessing / stepForward / resetLSTM):

    ready       nothing shown yet (step 0); the first Step or Start tokenizes the text and traces it
    tracing     step 0 of a long sequence (over TRACE_AT_ONCE tokens) that a Start or Step asked
                for: a timer traces one chunk per tick, the status counting the tokens, then
                draws the panels (the status says so) and goes on as asked. Start, Step and
                Pause choose what follows (play, one step, stay at the step); Reset, another
                model, cell size or example, and an edit of the text cancel it. New weights
                (training) re-trace a long sequence the same way, at its current step: the old
                trace stays shown until the new one is done, and playing goes on after
    processing  a timer advances one step per tick; Start is ignored
    paused      0 < step < N, no timer
    complete    step == N; Start and Step do nothing until Reset
    error       something unexpected failed; the message says what. Start and Step do
                nothing; Reset (or another model or example) starts over

The whole trace is computed once when a sequence is initialised; steps reveal it column by column.
A short sequence is traced at once; a long one only when Start or Step asks, in chunks, so the
page keeps painting and answering clicks (a model.Tracer: its chunks give one trace's numbers
exactly). One timer at most, playing or tracing.
Every handler is guarded: an exception becomes a message on the page, never a raised error.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lstm import modelfile
from lstm.model import LSTM, Trace, Tracer
from lstm.tasks import TASKS
from lstm.tokens import UNK, TokenError, Vocab, open_embedding, show, tokenize, unknown_listing
from lstm.train_panel import TrainPanel
from lstm.views import Views, draw_empty

MODELS_DIR = Path(__file__).resolve().parent.parent / "assets" / "models"
RANDOM = "random"
DEFAULT_PRESET = "brackets"  # the page opens on it: its counter cell is the clearest picture
RANDOM_EMBED = 8  # embedding width of the random model
SEED = 0
SPEEDS = {1: ("Slow (400ms)", 400), 2: ("Medium (250ms)", 250), 3: ("Fast (150ms)", 150)}
CELL_SIZES = (2, 64)  # the cell-size slider's range (index.html)
# Longer sequences are traced in chunks, one per timer tick. Not below the training panel's
# FOLLOW_TOKENS: training then re-traces them only on pause, never at every slice.
TRACE_AT_ONCE = 2_000
CHUNK_TOKENS = 1_000  # tokens traced per tick (about 10 ms on the alice preset in CPython)
TRACE_TICK_MS = 1  # the browser paints between ticks (and makes the interval about 4 ms)
STATUS = {
    "ready": "Ready to process sequence",
    "tracing": "Tracing {done:,} / {total:,} tokens…",
    "processing": "Processing sequence...",
    "paused": "Paused",
    "complete": "Sequence complete",
    "error": "Error (see the message)",
}
DRAWING = "Drawing the panels of {total:,} tokens…"  # the status once a tracing is done
RANDOM_EXAMPLES = [
    ("Simple sentence", "the cat sat on the mat"),
    ("Repetition", "hello world hello world hello world"),
    ("Counting", "one two three four five six seven eight nine ten"),
    ("Long dependency", "the keys that the man near the wooden cabinets holds are on the table"),
]
CANVASES = ("diagram", "heatmaps", "states")


@dataclass
class Entry:
    """One choice of the model menu: a model (None: the random model) and how it reads text."""

    key: str
    label: str
    model: LSTM | None
    tokenizer: str
    vocab: Vocab | None
    examples: list[tuple[str, str]]
    version: int = 0  # bumped when the weights change (training), so cached traces are redone


@dataclass
class Tracing:
    """A long sequence being traced one chunk per timer tick, and what follows when it is done."""

    key: tuple  # what it is traced from, as App._traced
    tracer: Tracer
    then: str  # "start": play; "step": one step; "": stay at step 0


def entry_from_model(key: str, label: str, model: LSTM, meta: dict) -> Entry:
    """A menu entry for a model with its metadata (task, tokenizer, vocabulary, example)."""
    if model.vocab_size is None:
        raise ValueError("this model reads vectors, not tokens (it has no embedding)")
    example = str(meta.get("example") or "")
    examples = [(example_label("Example", example), example)] if example else []
    return Entry(
        key=key,
        label=label,
        model=model,
        tokenizer=str(meta["tokenizer"]),
        vocab=Vocab(list(meta["vocabulary"])),
        examples=examples + task_examples(str(meta.get("task"))),
    )


def task_examples(name: str, count: int = 3) -> list[tuple[str, str]]:
    """Sequences of a known task's held-out set, each up to its last scored step."""
    task = TASKS.get(name)
    if task is None:
        return []
    inputs, _, mask = task.heldout()
    join = "" if task.tokenizer == "char" else " "
    examples = []
    for r in range(min(count, len(inputs))):
        end = int(np.flatnonzero(mask[r])[-1]) + 1 if mask[r].any() else inputs.shape[1]
        text = join.join(task.vocab[j] for j in inputs[r, :end])
        examples.append((example_label(f"Held-out {r + 1}", text), text))
    return examples


def example_label(kind: str, text: str, width: int = 28) -> str:
    """A menu label: the kind of example and the start of its text, whitespace made visible."""
    shown = "".join(show(ch) if ch in "\n\t" else ch for ch in text[: width + 1])
    return f"{kind}: {shown if len(shown) <= width else shown[: width - 1] + '…'}"


def load_presets(folder: Path) -> tuple[list[Entry], list[str]]:
    """Menu entries for every model file in `folder`, and a note for each file that failed."""
    entries, problems = [], []
    for path in sorted(Path(folder).glob("*.npz")):
        try:
            model, meta = modelfile.load_model(path)
            title = str(meta.get("title") or meta.get("task") or path.stem)
            label = f"{title} ({model.hidden_size} units, trained)"
            entries.append(entry_from_model(path.stem, label, model, meta))
        except Exception as e:
            problems.append(f"{path.name}: {e}")
    return entries, problems


def random_entry() -> Entry:
    return Entry(RANDOM, "Random (seed behaviour)", None, "word", None, list(RANDOM_EXAMPLES))


def unknown_note(unknown: list[tuple[int, str]]) -> str:
    """What the message says of the tokens read as "<unk>"."""
    return (
        f"{len(unknown)} token(s) are not in this model's vocabulary and are read as {UNK}: "
        f"{unknown_listing(unknown)}."
    )


def sentence(text: str) -> str:
    """`text` with a capital first letter and a full stop."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def parse_int(text: str, low: int, high: int, default: int) -> int:
    """An int from a control's value, clamped to [low, high]; `default` when it is not a number."""
    try:
        return min(max(int(float(text)), low), high)
    except (TypeError, ValueError, OverflowError):
        return default


class App:
    """The controller of the visualizer. Build it with `start(page)`."""

    def __init__(self, page, entries: list[Entry], notice: str = ""):
        self.page = page
        self.entries = {e.key: e for e in entries}
        self.entry = entries[0]
        self.notice = notice  # about the model menu (presets missing), kept with the entry
        self.state = "ready"
        self.tokens: list[str] = []
        self.trace = None
        self.views: Views | None = None
        self.step = 0
        self.delay = SPEEDS[2][1]
        self.timer: int | None = None
        self.cell_size = 8
        self.selection: tuple[int, int | None] = (0, None)  # layer, unit (None: the mean)
        self.units = 0  # the units the unit menu lists
        self._traced = None  # what the current trace was made from, to skip recomputing it
        self.tracing: Tracing | None = None  # a long sequence being traced (state "tracing")
        self.note = ""  # what the message says about the current sequence (unknown tokens)
        self._random_models: dict[int, LSTM] = {}
        self.train: TrainPanel | None = None  # the training panel, set by start()

    # --- wiring -------------------------------------------------------------------------------
    def guard(self, handler):
        """`handler` made safe for the page: an exception stops play and becomes a message."""

        @functools.wraps(handler)
        def safe(*args):
            try:
                return handler(*args)
            except Exception as e:
                self.fail(e)

        return safe

    def bind(self) -> None:
        """Register every control's handler and show the first model and example."""
        on, g = self.page.on, self.guard
        on("start", "click", g(self.start))
        on("pause", "click", g(self.pause))
        on("step", "click", g(self.step_forward))
        on("reset", "click", g(self.reset))
        on("sequence", "input", g(self.edit_text))
        on("example", "change", g(self.load_example))
        on("model", "change", g(self.choose_model))
        on("cell-size", "input", g(self.update_cell_size))
        on("speed", "input", g(self.update_speed))
        on("unit", "change", g(self.choose_view))
        on("layer", "change", g(self.choose_view))
        self.page.set_options("model", [(e.key, e.label) for e in self.entries.values()])
        self.page.set_value("model", self.entry.key)
        self.cell_size = parse_int(self.page.value("cell-size"), *CELL_SIZES, 8)
        self.show_speed()
        self.select(self.entry)

    def fail(self, error: Exception) -> None:
        """Stop, show the error and enter the error state (Reset starts over)."""
        self.stop_timer()
        self.set_state("error")
        self.page.set_text("message", f"Something went wrong: {type(error).__name__}: {error}")

    # --- the seed's state machine ---------------------------------------------------------------
    @property
    def length(self) -> int:
        """N, the number of tokens of the initialised sequence (0 before one is)."""
        return len(self.tokens)

    def start(self) -> None:
        """Play from the current step (initialising first at step 0); ignored while playing
        and in the error state."""
        if self.state == "tracing":
            self.tracing.then = "start"
            return
        if self.state in ("processing", "error"):
            return
        if self.step == 0 and not self.initialise("start"):
            return
        self.play()

    def play(self) -> None:
        if self.step >= self.length:
            return
        self.set_state("processing")
        self.timer = self.page.set_interval(self.guard(self.tick), self.delay)

    def pause(self) -> None:
        """Stop the timer; the state says where the sequence is. A tracing goes on, to step 0."""
        if self.state == "tracing":
            self.tracing.then = ""
            return
        self.stop_timer()
        if self.state == "processing":
            self.set_state(self.resting_state())

    def step_forward(self) -> None:
        """Reveal one more step (initialising first at step 0); nothing at the end or in the
        error state."""
        if self.state == "tracing":
            self.tracing.then = "step"
            return
        if self.state == "error":
            return
        first = self.step == 0 and self.state != "processing"  # Start has initialised already
        if first and not self.initialise("step"):
            return
        self.advance()
        if self.state != "processing":
            self.set_state(self.resting_state())

    def tick(self) -> None:
        """One timer tick: advance, and stop at the end."""
        if self.state != "processing":
            self.stop_timer()  # a tick that outlived its timer
            return
        self.advance()

    def advance(self) -> None:
        if self.step >= self.length:
            return
        self.step += 1
        self.show_stats()
        self.draw(prev=self.step - 1)
        if self.step >= self.length:
            self.stop_timer()
            self.set_state("complete")

    def reset(self) -> None:
        """Stop (a tracing too), re-tokenize the text, and show step 0 (a long text untraced)."""
        self.stop_timer()
        self.initialise()
        self.set_state("ready")

    def edit_text(self) -> None:
        """The text changed: a tracing of the old one stops; Start or Step will read the new one."""
        if self.state == "tracing":
            self.stop_timer()
            self.clear_sequence()
            self.show_message("")
            self.set_state("ready")

    def resting_state(self) -> str:
        """The state when no timer runs, from the step alone."""
        if self.step == 0:
            return "ready"
        return "complete" if self.step >= self.length else "paused"

    def stop_timer(self) -> None:
        """Stop the timer and what it drives: playing, or a tracing (forgotten)."""
        self.tracing = None
        if self.timer is not None:
            self.page.clear_interval(self.timer)
            self.timer = None

    def set_state(self, state: str) -> None:
        self.state = state
        self.page.set_text("status", self.status_text())
        self.page.set_attr("status", "data-state", state)

    def status_text(self) -> str:
        """The state in words; while tracing, how many tokens are done."""
        if self.state != "tracing":
            return STATUS[self.state]
        done, total = self.tracing.tracer.done, self.length
        if done < total:
            return STATUS["tracing"].format(done=done, total=total)
        return DRAWING.format(total=total)

    # --- the sequence ---------------------------------------------------------------------------
    def initialise(self, then: str = "") -> bool:
        """Tokenize the text and trace it with the current model; step 0. True when traced.

        False when the text is refused (the message says why; ready) and when the sequence is
        longer than TRACE_AT_ONCE tokens: then `then` ("start" or "step") begins its tracing,
        and without one the tokens wait, untraced, for the first Start or Step.
        """
        text = self.page.value("sequence")
        self.step = 0
        key = self.sequence_key(text)
        job = None
        if key != self._traced or self.trace is None:
            self._traced = None
            try:
                tokens = tokenize(text, self.entry.tokenizer)
                model, x, unknown = self.inputs_of(tokens)
            except TokenError as e:
                self.clear_sequence()
                self.show_message(sentence(str(e)))
                self.set_state("ready")
                return False
            self.tokens, self.trace, self.views = tokens, None, None
            self.note = unknown_note(unknown) if unknown else ""
            if len(tokens) <= TRACE_AT_ONCE:
                self.use_trace(model.trace(x), key)
            else:
                self.show_units()  # of the model that will trace them
                if then:
                    job = Tracing(key, Tracer(model, x), then)
        self.show_message(self.note)
        self.show_stats()
        self.draw()
        if job is not None:
            self.begin_tracing(job)
        return self.trace is not None

    def begin_tracing(self, job: Tracing) -> None:
        """Trace `job` one chunk per timer tick (state "tracing"); the only timer running."""
        self.tracing = job
        self.set_state("tracing")
        self.timer = self.page.set_interval(self.guard(self.trace_chunk), TRACE_TICK_MS)

    def sequence_key(self, text: str) -> tuple:
        """What a trace of `text` depends on: the text, the model and its weights, the cell size."""
        return (text, self.entry.key, self.entry.version, self.cell_size)

    def trace_chunk(self) -> None:
        """One tick of a tracing: the next chunk; once all are traced, the panels, then `then`."""
        job = self.tracing
        if job is None:
            self.stop_timer()  # a tick that outlived its timer
            return
        if job.tracer.done < job.tracer.steps:
            job.tracer.run(CHUNK_TOKENS)
            self.page.set_text("status", self.status_text())
            return
        self.stop_timer()
        self.use_trace(job.tracer.trace(), job.key)
        self.show_stats()
        self.draw()
        self.set_state(self.resting_state())
        if job.then == "start":
            self.play()
        elif job.then == "step":
            self.advance()
            self.set_state(self.resting_state())

    def use_trace(self, trace: Trace, key: tuple) -> None:
        """Make `trace` (of the tokens) the one to show, made from `key`; the unit menu follows."""
        self.trace, self.views, self._traced = trace, Views(trace, self.tokens), key
        self.show_units()

    def inputs_of(self, tokens: list[str]) -> tuple[LSTM, np.ndarray, list[tuple[int, str]]]:
        """The current entry's model, its inputs for `tokens` (ids (T,) or vectors (T, E)), and
        the unknown (position, token)s."""
        entry = self.entry
        if entry.model is None:
            vocab, embedding = open_embedding(tokens, RANDOM_EMBED, SEED)
            ids, unknown = vocab.encode(tokens)
            return self.random_model(self.cell_size), embedding[ids], unknown
        try:
            ids, unknown = entry.vocab.encode(tokens)
        except TokenError as e:  # unknown tokens, and no "<unk>" to read them as
            advice = "Remove them, or choose the random model, which reads any token."
            raise TokenError(f"{sentence(str(e))} {advice}") from None
        return entry.model, ids, unknown

    def random_model(self, hidden: int) -> LSTM:
        """The random-init LSTM of a cell size (fixed seed: the same text shows the same noise)."""
        if hidden not in self._random_models:
            self._random_models[hidden] = LSTM.random(RANDOM_EMBED, hidden, seed=SEED)
        return self._random_models[hidden]

    def clear_sequence(self) -> None:
        self.tokens, self.trace, self.views, self.step = [], None, None, 0
        self.show_units()
        self.show_stats()
        self.draw()

    def retrace(self) -> None:
        """Trace the shown tokens again with the current weights (training), keeping the step.

        A short sequence is traced at once. A long one is traced in chunks, as on its first
        Start or Step, showing the old trace meanwhile; playing stops for it and goes on after.
        A tracing begins again with the new weights. Nothing in the error state (Reset traces
        with the new weights).
        """
        if self.state == "error" or (self.trace is None and self.tracing is None):
            return
        model, x, _ = self.inputs_of(self.tokens)
        if self.tracing is not None:
            job = self.tracing
            self.tracing = Tracing(self.sequence_key(job.key[0]), Tracer(model, x), job.then)
            self.page.set_text("status", self.status_text())
            return
        key = self.sequence_key(self._traced[0])
        if self.length > TRACE_AT_ONCE:
            then = "start" if self.state == "processing" else ""
            self.stop_timer()
            self.begin_tracing(Tracing(key, Tracer(model, x), then))
            return
        self.use_trace(model.trace(x), key)
        self.show_stats()
        self.draw()

    # --- controls -------------------------------------------------------------------------------
    def load_example(self) -> None:
        """Put the chosen example into the text box and reset (the seed's loadTask)."""
        examples = self.entry.examples
        j = parse_int(self.page.value("example"), 0, max(len(examples) - 1, 0), 0)
        if examples:
            self.page.set_value("sequence", examples[j][1])
        self.reset()

    def choose_model(self) -> None:
        """Switch to the model chosen in the menu."""
        entry = self.entries.get(self.page.value("model"))
        if entry is not None:
            self.select(entry)

    def select(self, entry: Entry) -> None:
        """Show `entry`: its layers, units and examples; load its first example and reset."""
        if entry is not self.entry:
            self.notice = ""
        self.entry = entry
        self.page.set_value("model", entry.key)
        examples = [(str(j), label) for j, (label, _) in enumerate(entry.examples)]
        self.page.set_options("example", examples)
        self.show_menus()
        self.show_cell_size()
        if entry.examples:
            self.page.set_value("example", "0")
            self.page.set_value("sequence", entry.examples[0][1])
        self.reset()

    def hidden_size(self) -> int:
        """The units of the model shown: its own, or the cell size for the random model."""
        return self.cell_size if self.entry.model is None else self.entry.model.hidden_size

    def show_menus(self) -> None:
        """The layer and unit menus of the model shown, the selection back to layer 1, mean."""
        layers = 1 if self.entry.model is None else self.entry.model.num_layers
        self.page.set_options("layer", [(str(k), f"Layer {k + 1}") for k in range(layers)])
        self.page.set_value("layer", "0")
        self.page.set_value("unit", "mean")
        self.selection = (0, None)
        self.show_units()

    def show_units(self) -> None:
        """The unit menu of the trace shown (before one is made: of the model), rebuilt when
        its size changes; a selected unit it lacks falls back to the mean."""
        hidden = self.hidden_size() if self.trace is None else self.trace.layers[0].h.shape[1]
        if hidden == self.units:
            return
        self.units = hidden
        units = [("mean", "Mean over units")] + [(str(u), f"Unit {u}") for u in range(hidden)]
        self.page.set_options("unit", units)
        layer, unit = self.selection
        if unit is not None and unit >= hidden:
            self.selection = (layer, None)
        self.page.set_value("unit", "mean" if self.selection[1] is None else str(unit))

    def show_cell_size(self) -> None:
        """The cell-size label; the slider moves only the random model's size."""
        self.page.set_text("cell-size-value", f"{self.hidden_size()} units")
        if self.entry.model is None:
            self.page.remove_attr("cell-size", "disabled")
        else:
            self.page.set_attr("cell-size", "disabled", "")

    def update_cell_size(self) -> None:
        """The seed's updateCellSize: the random model's units; resets when not playing."""
        if self.entry.model is not None:
            self.show_cell_size()  # a preset's size is its own
            return
        self.cell_size = parse_int(self.page.value("cell-size"), *CELL_SIZES, self.cell_size)
        self.show_cell_size()
        if self.state != "processing":  # while playing, the new size waits for Reset
            self.reset()

    def update_speed(self) -> None:
        """The seed's updateSpeed: a new delay, applied at once while playing."""
        self.show_speed()
        if self.state == "processing":
            self.stop_timer()
            self.timer = self.page.set_interval(self.guard(self.tick), self.delay)

    def show_speed(self) -> None:
        label, self.delay = SPEEDS[parse_int(self.page.value("speed"), 1, 3, 2)]
        self.page.set_text("speed-value", label)

    def layer(self) -> int:
        """The layer shown (0-based), within the trace."""
        layers = 1 if self.trace is None else len(self.trace.layers)
        return min(self.selection[0], layers - 1)

    def unit(self) -> int | None:
        """The unit the diagram shows, or None for the mean over units (or one the trace lacks)."""
        unit = self.selection[1]
        if unit is None or self.trace is None or unit >= self.trace.layers[0].h.shape[1]:
            return None
        return unit

    def choose_view(self) -> None:
        """A new layer or unit was chosen: show the current step again."""
        unit = self.page.value("unit")
        self.selection = (
            parse_int(self.page.value("layer"), 0, 1 << 16, 0),
            None if unit == "mean" else parse_int(unit, 0, 1 << 16, 0),
        )
        self.show_stats()
        self.draw()

    # --- models from the training panel and from files ---------------------------------------
    def add_model(self, key: str, label: str, model: LSTM, meta: dict) -> None:
        """Add (or replace) a model in the menu and switch to it (the training panel's)."""
        self.add_entry(entry_from_model(key, label, model, meta))

    def add_entry(self, entry: Entry) -> None:
        self.entries[entry.key] = entry
        self.page.set_options("model", [(e.key, e.label) for e in self.entries.values()])
        self.select(entry)

    def update_weights(self, key: str, model: LSTM) -> None:
        """New weights for an entry (training); the views follow when it is the one shown."""
        entry = self.entries[key]
        entry.model = model
        entry.version += 1
        if entry is self.entry:
            self.retrace()

    def load_model_file(self, filename: str, data: bytes) -> None:
        """A model file the visitor chose (the browser hands its bytes): add it and show it.

        The browser module's entry point for the `model-file` input; it never raises.
        """
        self.guard(self.add_model_file)(filename, data)

    def add_model_file(self, filename: str, data: bytes) -> None:
        """Add the model of a file and show it; a file that cannot be used is only a message.

        An upload is anybody's file: whatever fails while reading it is the file's fault, so it
        never stops playback nor changes the state.
        """
        try:
            model, meta = modelfile.load_model(data)
            label = f"{filename} ({model.hidden_size} units, loaded)"
            entry = entry_from_model(f"file:{filename}", label, model, meta)
        except Exception as e:
            self.page.set_text("message", f"Could not load {filename}: {e}")
            return
        self.add_entry(entry)

    # --- output ---------------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.page.set_text("message", " ".join(t for t in (self.notice, text) if t))

    def show_stats(self) -> None:
        """Timestep k / N, the norms of c and h after step k (selected layer), the token."""
        k = self.step
        self.page.set_text("stat-step", f"{k} / {self.length}")
        if k > 0:
            layer = self.trace.layers[self.layer()]
            cell = float(np.linalg.norm(layer.c[k - 1]))
            hidden = float(np.linalg.norm(layer.h[k - 1]))
            token = show(self.tokens[k - 1])
        else:
            cell, hidden, token = 0.0, 0.0, "-"
        self.page.set_text("stat-cell-norm", f"{cell:.2f}")
        self.page.set_text("stat-hidden-norm", f"{hidden:.2f}")
        self.page.set_text("stat-token", token)

    def draw(self, prev: int | None = None) -> None:
        """Draw the panels at the current step: all of them, or only what moved since `prev`."""
        canvases = {name: self.page.canvas(name) for name in CANVASES}
        if self.views is None and self.tokens:  # a long sequence, not traced yet
            draw_empty(canvases, f"{self.length:,} tokens, traced on Start or Step")
        elif self.views is None:
            draw_empty(canvases)
        elif prev is None:
            self.views.draw_all(canvases, self.step, self.unit(), self.layer())
        else:
            self.views.draw_step(canvases, prev, self.step, self.unit(), self.layer())


def start(page, models_dir: Path | str = MODELS_DIR) -> App:
    """The visualizer and the training panel, bound to `page` and showing the default preset.

    The browser module calls this once NumPy is loaded, keeps the App, and hands the bytes of a
    file chosen in `model-file` to `App.load_model_file(name, data)`. Never raises.
    """
    models_dir = Path(models_dir)
    presets, problems = load_presets(models_dir)
    notice = ""
    if not presets:
        why = "; ".join(problems) if problems else f"no model files in {models_dir.name}/"
        notice = f"No trained model could be loaded ({why}), so a random model is shown."
    elif problems:
        notice = f"Some model files were skipped: {'; '.join(problems)}."
    presets.sort(key=lambda entry: entry.key != DEFAULT_PRESET)  # the default first
    app = App(page, [*presets, random_entry()], notice)
    app.guard(app.bind)()
    app.train = TrainPanel(page, app)
    app.guard(app.train.bind)()
    return app
