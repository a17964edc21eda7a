"""The visualizer's controller: wires the page's controls, pointer and keys to one ViewState.

Plain Python over the `Page` interface of ARCHITECTURE.md, so it runs and is tested in CPython.
What is shown is `self.view` (a `ViewState`: model, text, focus, revealed steps, speed); what
runs is `self.playback` (the seed's state machine and its timer). Every handler makes a new view
and redraws from it; the panels (`lstm.ui.panels`) read nothing else.

The whole trace is computed once when a sequence is initialised; steps reveal it column by
column, and since it is all known a person can also step back, jump to a token, or point at any
value. A short sequence is traced at once; a long one only when Start or Step asks, in chunks,
so the page keeps painting and answering clicks (a model.Tracer: its chunks give one trace's
numbers exactly). Every handler is guarded: an exception becomes a message, never a raised error.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np

from ..draw.readout import draw_readout
from ..focus import GATES, QUANTITIES, Focus, Hit
from ..model import Trace, Tracer
from ..tasks import TASKS
from ..tokens import TokenError, tokenize
from . import controls
from .errors import error_text, guarded
from .exports import Exports
from .links import Links
from .models import (
    DEFAULT_PRESET,
    MODELS_DIR,
    RANDOM,
    Entry,
    Models,
    entry_from_model,
    load_presets,
    random_entry,
    sentence,
    unknown_note,
)
from .panels import PANELS, Frames, Scene, describe, draw_empty
from .playback import STATUS, Playback, Tracing, at_once
from .probes import ProbeControls
from .sizing import fit_canvases
from .state import ViewState
from .stats import stats_texts
from .training import TrainPanel
from .uploads import Uploads

__all__ = ["RANDOM", "STATUS", "App", "start"]
CANVASES = tuple(p.id for p in PANELS)


class App:
    """The controller of the visualizer. Build it with `start(page)`."""

    def __init__(self, page, entries: list[Entry], notice: str = ""):
        self.page = page
        self.models = Models(entries)
        self.entry = entries[0]
        self.notice = notice  # about the model menu (presets missing), kept with the entry
        self.view = ViewState(model=self.entry.key)
        self.playback = Playback(page, self, self.guard)
        self.tokens: list[str] = []
        self.trace: Trace | None = None
        self.frames: Frames | None = None
        self.cell_size = 8
        self.units = 0  # the units the unit menu lists
        self._traced = None  # what the current trace was made from, to skip recomputing it
        self.note = ""  # what the message says about the current sequence (unknown tokens)
        self.hovered: tuple[str, Hit] | None = None  # the readout shown: (canvas id, what)
        self.cursors: dict[str, bool] = {}  # canvas id -> shows the pointing hand
        self.later_pending = False  # the deferred panels are due to be drawn
        self.uploads = Uploads(page, self)  # model and vocabulary files, their questions
        self.exports = Exports(page, self)  # pictures, trace files and the model file
        self.links = Links(page, self)  # the state in the URL hash and in localStorage
        self.train: TrainPanel | None = None  # the training panel, set by start()
        self.probes = ProbeControls(page, self)  # clamps, features, findings, gradient step

    # --- wiring -------------------------------------------------------------------------------
    def guard(self, handler):
        """`handler` made safe for the page: an exception stops play and becomes a message.
        After it, the state shown is remembered for links (lstm.ui.links)."""

        @functools.wraps(handler)
        def then_remember(*args):
            result = handler(*args)
            self.links.remember()
            return result

        return guarded(then_remember, self.fail)

    def bind(self) -> None:
        """Register every control's handler and show the first model and example."""
        on, g = self.page.on, self.guard
        on("start", "click", g(self.start))
        on("pause", "click", g(self.pause))
        on("step", "click", g(self.step_forward))
        on("back", "click", g(self.step_back))
        on("reset", "click", g(self.reset))
        on("sequence", "input", g(self.edit_text))
        on("example", "change", g(self.load_example))
        on("model", "change", g(self.choose_model))
        on("cell-size", "input", g(self.update_cell_size))
        on("speed", "input", g(self.update_speed))
        on("unit", "change", g(self.choose_view))
        on("layer", "change", g(self.choose_view))
        on("colour-by", "change", g(self.choose_colour))
        for canvas in CANVASES:
            self.page.on_pointer(canvas, g(lambda kind, x, y, c=canvas: self.point(c, kind, x, y)))
        self.page.on_key(g(self.key), list(controls.KEYS))
        self.probes.bind()
        self.page.on_resize(g(self.resize))
        fit_canvases(self.page)
        self.page.set_options("model", self.models.options())
        self.page.set_value("model", self.entry.key)
        self.uploads.bind()
        self.exports.bind()
        self.links.bind()
        self.cell_size = controls.parse_int(self.page.value("cell-size"), *controls.CELL_SIZES, 8)
        self.show_speed()
        self.select(self.entry)

    def resize(self) -> None:
        """The panels' widths changed: every canvas at its new size, drawn for it."""
        if fit_canvases(self.page):
            self.show()
            if self.train is not None:
                self.train.show_progress()

    def fail(self, error: Exception) -> None:
        """Stop, show the error and enter the error state (Reset starts over)."""
        self.playback.stop()
        self.playback.set_state("error")
        self.page.set_text("message", f"Something went wrong: {error_text(error)}")

    # --- what playback asks of the view -------------------------------------------------------
    @property
    def state(self) -> str:
        return self.playback.state

    @property
    def tracing(self) -> Tracing | None:
        return self.playback.tracing

    @property
    def step(self) -> int:
        return self.view.focus.step

    @property
    def length(self) -> int:
        """N, the number of tokens of the initialised sequence (0 before one is)."""
        return len(self.tokens)

    def advance(self) -> None:
        """One step on from the marker, drawing only what moved."""
        if self.step >= self.length:
            return
        prev = self.step
        self.view = self.view.at(prev + 1)
        self.show(prev=prev)

    def adopt(self, trace: Trace, key: tuple) -> None:
        """A finished tracing's trace becomes the one shown, at the current step."""
        self.use_trace(trace, key)
        self.show()

    # --- the seed's buttons -------------------------------------------------------------------
    def start(self) -> None:
        self.playback.start()

    def pause(self) -> None:
        self.playback.pause()

    def step_forward(self) -> None:
        self.playback.step_forward()

    def step_back(self) -> None:
        """One step back, not before the first (the revealed columns stay); playing pauses."""
        self.go_to(self.step - 1 if self.step > 1 else self.step)

    def reset(self) -> None:
        """Stop (a tracing too), re-tokenize the text, and show step 0 (a long text untraced)."""
        self.playback.stop()
        self.initialise()
        self.playback.set_state("ready")

    def edit_text(self) -> None:
        """The text changed: a tracing of the old one stops; Start or Step will read the new one."""
        if self.state == "tracing":
            self.playback.stop()
            self.clear_sequence()
            self.show_message("")
            self.playback.set_state("ready")

    # --- going anywhere in the trace ----------------------------------------------------------
    def go_to(self, step: int, **focus) -> None:
        """Show `step` (clamped to the trace) with some focus fields changed; playing pauses.
        Before a trace exists (or while tracing) there is nowhere to go: nothing happens."""
        if self.trace is None or self.state in ("tracing", "error"):
            return
        if self.state == "processing":
            self.playback.stop()
        self.view = self.view.focused(step=min(max(step, 0), self.length), **focus)
        self.sync_unit_menu()
        self.show()
        self.playback.rest()

    def focus_hit(self, hit: Hit) -> None:
        """A click on something drawn: focus its unit (and gate) and go to its step."""
        if hit.action == "":
            return
        changes = {}
        if hit.unit is not None and hit.action == "focus":
            changes["unit"] = hit.unit
        if hit.layer is not None:
            changes["layer"] = hit.layer
        if hit.gate is not None:
            changes["gate"] = hit.gate
            self.view = self.view.but(colour_by=hit.gate)
            self.page.set_value("colour-by", hit.gate)
        step = self.step if hit.step is None else hit.step
        self.go_to(step, **changes)

    def point(self, canvas: str, kind: str, x: float, y: float) -> None:
        """Pointer events of a panel's canvas: move shows a readout, leave hides it, click
        focuses what is under the pointer."""
        if kind == "leave" or not (math.isfinite(x) and math.isfinite(y)):
            self.hide_readout()
            return
        hit = self.frames.hit(canvas, x, y) if self.frames is not None else None
        if kind == "click":
            if hit is not None:
                self.focus_hit(hit)
            return
        if hit is None:
            self.hide_readout()
            return
        if self.hovered is not None and self.hovered[0] != canvas:
            self.hide_readout()
        self.hovered = (canvas, hit)
        draw_readout(self.page.overlay(canvas), x, y, hit.readout())
        self.set_cursor(canvas, hit.action != "")

    def hide_readout(self) -> None:
        """Clear the readout shown, if any."""
        if self.hovered is not None:
            canvas = self.hovered[0]
            self.page.overlay(canvas).clear()
            self.set_cursor(canvas, False)
            self.hovered = None

    def set_cursor(self, canvas: str, pointer: bool) -> None:
        """The pointing hand where a click does something (told to the page only on change)."""
        if self.cursors.get(canvas) != pointer:
            self.cursors[canvas] = pointer
            self.page.set_cursor(canvas, pointer)

    def key(self, key: str) -> None:
        """A key pressed outside the text fields (controls.KEYS)."""
        action = controls.KEYS.get(key, (None,))[0]
        if action == "play_pause":
            (self.pause if self.state == "processing" else self.start)()
        elif action == "forward":
            self.step_forward() if self.trace is None else self.go_forward()
        elif action == "back":
            self.step_back()
        elif action == "home":
            self.go_to(1)
        elif action == "end":
            self.go_to(self.length)
        elif action == "reset":
            self.reset()
        elif action in ("next_unit", "prev_unit"):
            self.next_unit(1 if action == "next_unit" else -1)
        elif action == "help":
            self.show_message(controls.KEYS_HELP)

    def go_forward(self) -> None:
        """Right arrow: one step on (pausing a playing sequence), as far as the end."""
        if self.state == "processing":
            self.playback.stop()
            self.playback.rest()
        self.step_forward()

    def next_unit(self, delta: int) -> None:
        """`[` and `]`: the previous or next unit (from the mean: the first or the last)."""
        hidden = self.units  # those of the trace shown, as the unit menu lists them
        unit = self.view.focus.unit
        start = 0 if delta > 0 else hidden - 1
        unit = start if unit is None else (unit + delta) % hidden
        self.view = self.view.focused(unit=unit)
        self.sync_unit_menu()
        self.show()

    # --- the sequence -------------------------------------------------------------------------
    def initialise(self, then: str = "") -> bool:
        """Tokenize the text and trace it with the current model; step 0. True when traced.

        False when the text is refused (the message says why; ready) and when the sequence is
        longer than `at_once(model)` tokens: then `then` ("start" or "step") begins its tracing,
        and without one the tokens wait, untraced, for the first Start or Step.
        """
        text = self.page.value("sequence")
        self.view = self.view.but(text=text, reached=0, focus=self.view.focus.but(step=0))
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
                self.playback.set_state("ready")
                return False
            self.tokens, self.trace, self.frames = tokens, None, None
            self.note = unknown_note(unknown) if unknown else ""
            if len(tokens) <= at_once(model):
                self.use_trace(model.trace(x), key)
            else:
                self.show_units()  # of the model that will trace them
                if then:
                    job = Tracing(key, Tracer(model, x), then)
        self.show_message(self.note)
        self.show()
        if job is not None:
            self.playback.begin_tracing(job)
        return self.trace is not None

    def sequence_key(self, text: str) -> tuple:
        """What a trace of `text` depends on: the text, the model and its weights, the cell size."""
        return (text, self.entry.key, self.entry.version, self.cell_size)

    def use_trace(self, trace: Trace, key: tuple) -> None:
        """Make `trace` (of the tokens) the one to show, made from `key`; the unit menu follows."""
        model, x, _ = self.inputs_of(self.tokens)
        self.trace, self._traced = trace, key
        self.frames = Frames(Scene(model, trace, self.tokens, self.entry.labels,
                                   self.truth(trace, x), self.predicts(),
                                   self.entry.tokenizer, self.entry.task, x,
                                   self.probes.for_new_scene()))
        self.show_units()

    def predicts(self) -> str:
        """What the output layer of the model shown names: the next token, or its task's label."""
        task = TASKS.get(self.entry.task)
        return "next token" if task is None or task.next_token else task.title.lower()

    def truth(self, trace: Trace, x: np.ndarray) -> np.ndarray | None:
        """(T,) the true output label after each step, -1 where it is not known: the next
        token for a language model (the last step has none), the task's label otherwise."""
        if trace.logits is None:
            return None
        task = TASKS.get(self.entry.task)
        if task is not None and not task.next_token:
            if not hasattr(task, "targets_of"):
                return None
            join = "" if task.tokenizer == "char" else " "
            targets, mask = task.targets_of(join.join(self.tokens))
            if len(targets) != trace.steps:
                return None
            return np.where(np.asarray(mask) > 0, targets, -1)
        if x.ndim != 1 or trace.logits.shape[1] != self.entry.model.vocab_size:
            return None  # the outputs are not this vocabulary: nothing to compare with
        return np.append(x[1:], -1)

    def inputs_of(self, tokens: list[str]):
        """The current entry's model, its inputs for `tokens`, and the unknown tokens."""
        return self.models.inputs_of(self.entry, tokens, self.cell_size)

    def clear_sequence(self) -> None:
        self.tokens, self.trace, self.frames = [], None, None
        self.view = self.view.but(reached=0, focus=self.view.focus.but(step=0))
        self.show_units()
        self.show()

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
            self.playback.tracing = Tracing(self.sequence_key(job.key[0]), Tracer(model, x),
                                            job.then)
            self.page.set_text("status", self.playback.status_text())
            return
        key = self.sequence_key(self._traced[0])
        if self.length > at_once(model):
            then = "start" if self.state == "processing" else ""
            self.playback.begin_tracing(Tracing(key, Tracer(model, x), then))
            return
        self.use_trace(model.trace(x), key)
        self.show()

    # --- controls -----------------------------------------------------------------------------
    def load_example(self) -> None:
        """Put the chosen example into the text box and reset (the seed's loadTask)."""
        examples = self.entry.examples
        j = controls.parse_int(self.page.value("example"), 0, max(len(examples) - 1, 0), 0)
        if examples:
            self.page.set_value("sequence", examples[j][1])
        self.reset()

    def choose_model(self) -> None:
        """Switch to the model chosen in the menu."""
        entry = self.models.entries.get(self.page.value("model"))
        if entry is not None:
            self.select(entry)

    def select(self, entry: Entry) -> None:
        """Show `entry`: its layers, units and examples; load its first example and reset."""
        if entry is not self.entry:
            self.notice = ""
            self.entry.text = self.page.value("sequence")  # back on this model, it returns
        self.entry = entry
        self.view = self.view.but(model=entry.key, focus=Focus())
        self.page.set_value("model", entry.key)
        examples = [(str(j), label) for j, (label, _) in enumerate(entry.examples)]
        self.page.set_options("example", examples)
        self.probes.model_changed(entry)
        self.show_menus()
        self.show_cell_size()
        self.uploads.show_entry(entry)
        if entry.examples:
            self.page.set_value("example", "0")
            self.page.set_value("sequence", entry.examples[0][1])
        if entry.text:  # the text last shown with this model
            self.page.set_value("sequence", entry.text)
        self.reset()

    def hidden_size(self) -> int:
        """The units of the model shown: its own, or the cell size for the random model."""
        return self.cell_size if self.entry.model is None else self.entry.model.hidden_size

    def show_menus(self) -> None:
        """The layer and unit menus of the model shown, the focus back to layer 1, mean."""
        layers = 1 if self.entry.model is None else self.entry.model.num_layers
        self.page.set_options("layer", controls.layer_options(layers))
        self.page.set_value("layer", "0")
        self.page.set_value("unit", "mean")
        self.view = self.view.focused(layer=0, unit=None)
        self.show_units()

    def show_units(self) -> None:
        """The unit menu of the trace shown (before one is made: of the model), rebuilt when
        its size changes; a focused unit it lacks falls back to the mean."""
        hidden = self.hidden_size() if self.trace is None else self.trace.layers[0].h.shape[1]
        if hidden == self.units:
            return
        self.units = hidden
        self.page.set_options("unit", controls.unit_options(hidden))
        unit = self.view.focus.unit
        if unit is not None and unit >= hidden:
            self.view = self.view.focused(unit=None)
        self.sync_unit_menu()

    def sync_unit_menu(self) -> None:
        """The unit and layer menus show the focus."""
        unit = self.view.focus.unit
        self.page.set_value("unit", "mean" if unit is None else str(unit))
        self.page.set_value("layer", str(self.view.focus.layer))

    def show_cell_size(self) -> None:
        """The cell-size label; the slider moves only the random model's size, so for a trained
        model it is hidden and the label says why."""
        if self.entry.model is None:
            self.page.set_text("cell-size-value", f"{self.hidden_size()} units")
            self.page.remove_attr("cell-size", "disabled")
            self.page.remove_attr("cell-size", "hidden")
        else:
            self.page.set_text("cell-size-value", f"{self.hidden_size()} units, as trained")
            self.page.set_attr("cell-size", "disabled", "")
            self.page.set_attr("cell-size", "hidden", "")

    def update_cell_size(self) -> None:
        """The seed's updateCellSize: the random model's units; resets when not playing."""
        if self.entry.model is not None:
            self.show_cell_size()  # a preset's size is its own
            return
        self.cell_size = controls.parse_int(self.page.value("cell-size"), *controls.CELL_SIZES,
                                            self.cell_size)
        self.show_cell_size()
        if self.state != "processing":  # while playing, the new size waits for Reset
            self.reset()

    def update_speed(self) -> None:
        """The seed's updateSpeed: a new delay, applied at once while playing."""
        self.show_speed()

    def show_speed(self) -> None:
        speed = controls.parse_int(self.page.value("speed"), 1, 3, 2)
        label, delay = controls.SPEEDS[speed]
        self.view = self.view.but(speed=speed)
        self.page.set_text("speed-value", label)
        self.playback.set_delay(delay)

    @property
    def delay(self) -> int:
        return self.playback.delay

    def layer(self) -> int:
        """The layer shown (0-based), within the trace."""
        layers = 1 if self.trace is None else len(self.trace.layers)
        return min(self.view.focus.layer, layers - 1)

    def unit(self) -> int | None:
        """The unit focused, or None for the mean over units (or one the trace lacks)."""
        unit = self.view.focus.unit
        if unit is None or self.trace is None or unit >= self.trace.layers[0].h.shape[1]:
            return None
        return unit

    def choose_view(self) -> None:
        """A new layer or unit was chosen in the menus: show the current step again."""
        unit = self.page.value("unit")
        layers = 1 if self.entry.model is None else self.entry.model.num_layers
        self.view = self.view.focused(
            layer=controls.parse_int(self.page.value("layer"), 0, layers - 1, 0),
            unit=None if unit == "mean" else controls.parse_int(unit, 0, self.units - 1, 0))
        self.show()

    def choose_colour(self) -> None:
        """What the text is coloured by: h, c, or a gate (which the focus then names too)."""
        q = self.page.value("colour-by")
        if q not in QUANTITIES:
            return
        self.view = self.view.but(colour_by=q).focused(gate=q if q in GATES else None)
        self.show()

    # --- models from the training panel and from files ---------------------------------------
    @property
    def entries(self) -> dict[str, Entry]:
        return self.models.entries

    def add_model(self, key: str, label: str, model, meta: dict) -> None:
        """Add (or replace) a model in the menu and switch to it (the training panel's)."""
        self.add_entry(entry_from_model(key, label, model, meta))

    def add_entry(self, entry: Entry) -> None:
        self.models.add(entry)
        self.page.set_options("model", self.models.options())
        self.select(entry)

    def update_weights(self, key: str, model) -> None:
        """New weights for an entry (training); the views follow when it is the one shown."""
        entry = self.models.entries[key]
        entry.model = model
        entry.version += 1
        if entry is self.entry:
            self.retrace()

    def load_model_file(self, filename: str, data: bytes) -> None:
        """A model file the visitor chose or dropped (the browser hands its bytes): add it
        and show it (lstm.ui.uploads). The handler of the `model-file` input; never raises."""
        self.guard(self.add_model_file)(filename, data)

    def add_model_file(self, filename: str, data: bytes) -> None:
        """Add the model of a file and show it; a file that cannot be used is only a message.

        An upload is anybody's file: whatever fails while reading it is the file's fault, so it
        never stops playback nor changes the state.
        """
        self.uploads.model_file(filename, data)

    # --- output -------------------------------------------------------------------------------
    def shown_view(self) -> ViewState:
        """The view as the panels draw it: the layer and unit within the trace shown."""
        return self.view.but(focus=self.view.focus.but(layer=self.layer(), unit=self.unit()))

    def show_message(self, text: str) -> None:
        self.page.set_text("message", " ".join(t for t in (self.notice, text) if t))

    def draw_deferred(self) -> None:
        """The costly panels (gradient flow), a moment after the others, at the view then."""
        self.later_pending = False
        if self.frames is not None:
            view = self.shown_view()
            canvases = {name: self.page.canvas(name) for name in CANVASES}
            self.frames.draw(canvases, view, deferred=True)

    def show(self, prev: int | None = None) -> None:
        """The stats and every panel at the view; with `prev`, only what moved since that step."""
        for id_, text in stats_texts(self.trace, self.tokens, self.view.focus).items():
            self.page.set_text(id_, text)
        canvases = {name: self.page.canvas(name) for name in CANVASES}
        if self.frames is None:
            said = (f"{self.length:,} tokens, traced on Start or Step" if self.tokens
                    else "no sequence yet")  # a long sequence not traced yet, or nothing
            draw_empty(canvases, said)
            for panel in PANELS:
                self.page.set_attr(panel.id, "aria-label", f"{panel.title}: {said}")
        else:
            view = self.shown_view()
            self.frames.draw(canvases, view, prev)
            if not self.later_pending:
                self.later_pending = True
                self.page.later(self.guard(self.draw_deferred))
            said = describe(self.frames.scene, view)
            for panel in PANELS:
                self.page.set_attr(panel.id, "aria-label", f"{panel.title}: {said}")
        if self.hovered is not None:
            self.hide_readout()


def start(page, models_dir: Path | str = MODELS_DIR) -> App:
    """The visualizer and the training panel, bound to `page` and showing the default preset.

    The browser module calls this once NumPy is loaded and keeps the App. The page then
    follows its link (or the state kept from the last visit). Never raises.
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
    app.guard(app.links.restore)()
    return app
