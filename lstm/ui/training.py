"""The training panel: train a model in the tab and watch its gates learn.

Training runs on the page's main thread in short slices driven by `set_interval`: each tick
trains as many batches as fit in SLICE_SECONDS, then returns, so the browser paints and handles
clicks between slices. Not a Web Worker: PyScript's worker needs SharedArrayBuffer to reach the
DOM, hence COOP/COEP response headers, which GitHub Pages cannot set (verified in SANDBOX.md of
the shared notes), and a worker would need its own copy of Pyodide and NumPy besides.

States: idle (no run), training, paused, done (the planned steps are reached; Train continues),
diverged (the Trainer kept the last good weights; Reset starts over), error (something
unexpected failed: the status says what; Reset starts over).
"""

from __future__ import annotations

from typing import Protocol

from ..draw.curve import draw_curve
from ..tasks import TASKS, get_task
from ..train import Trainer, TrainingError
from .errors import error_text, guarded

STEPS = 2000  # a run's planned steps (the progress bar's end); Train after that adds as many
TICK_MS = 60  # one slice per tick
SLICE_SECONDS = 0.030  # training time per slice, so the page keeps half of every tick
MAX_SLICE_STEPS = 50  # (tests set SLICE_SECONDS to None: MAX_SLICE_STEPS per tick, no clock)
RETRACE_EVERY = 5  # slices between two re-traces of the shown sequence with the new weights
FOLLOW_TOKENS = 2000  # longer sequences are re-traced only on pause and at the end (slow)
TRAINED = "trained"  # the model menu's key for the model trained here
EVALUATE_DELAY_MS = 1  # a download evaluates on the next tick, once the page shows EVALUATING
EVALUATING = "Evaluating on the held-out set…"
STATUS = {
    "idle": "Not started",
    "training": "Training…",
    "paused": "Paused",
    "done": "Done",
    "diverged": "Stopped: the loss diverged",
    "error": "Stopped by an error",
}


class Visualizer(Protocol):
    """What the training panel needs of the visualizer: a menu to put its model in, a way to
    hand it new weights, and the length of the sequence shown."""

    entries: dict
    length: int

    def add_model(self, key: str, label: str, model, meta: dict) -> None: ...
    def update_weights(self, key: str, model) -> None: ...
    def guard(self, handler): ...


class TrainPanel:
    """Task, hidden size, learning rate and batch size in; a Trainer run in slices out."""

    def __init__(self, page, app: Visualizer):
        self.page, self.app = page, app
        self.state = "idle"
        self.trainer: Trainer | None = None
        self.timer: int | None = None
        self.target = STEPS
        self.slices = 0
        self.run_start = (0.0, 0)  # (page time in ms, steps done) when training last resumed
        self.download_timer: int | None = None  # a download waiting for its evaluation
        self.evaluated: tuple[tuple, dict] | None = None  # (weights_key(), their metrics)

    def bind(self) -> None:
        """Register the panel's handlers and show its idle state."""
        on, g = self.page.on, self.guard
        self.page.set_options("train-task", [(name, task.title) for name, task in TASKS.items()])
        on("train-start", "click", g(self.start))
        on("train-pause", "click", g(self.pause))
        on("train-reset", "click", g(self.reset))
        on("train-download", "click", g(self.download))
        self.reset()

    def guard(self, handler):
        """`handler` made safe for the page: an exception stops training and is shown."""

        def fail(e: Exception) -> None:
            self.stop_timer()
            self.show("error", f"Training stopped: {error_text(e)}. Reset starts over.")

        return guarded(handler, fail)

    # --- the run --------------------------------------------------------------------------------
    def settings(self) -> dict:
        """The hyperparameters the controls hold; ValueError naming a bad one."""
        value = self.page.value
        out = {}
        for name, field, kind in (
            ("hidden_size", "train-hidden", int),
            ("lr", "train-lr", float),
            ("batch_size", "train-batch", int),
        ):
            text = value(field).strip()
            try:
                out[name] = kind(text)
            except ValueError:
                what = "a whole number" if kind is int else "a number"
                raise ValueError(f"{name}={text!r} is not {what}") from None
        return out

    def start(self) -> None:
        """Begin a run (after Reset) or resume one; nothing while training."""
        if self.state == "training":
            return
        if self.state == "diverged":
            self.show("diverged", f"{self.trainer.message} Press Reset to start again.")
            return
        if self.state == "error":
            return
        if self.trainer is None and not self.new_run():
            return
        if self.state == "done":
            self.target += STEPS
        self.run_start = (self.page.now_ms(), self.steps)
        self.timer = self.page.set_interval(self.guard(self.slice), TICK_MS)
        self.show("training")

    def new_run(self) -> bool:
        """A fresh Trainer from the controls, shown in the visualizer; False when refused."""
        try:
            task = get_task(self.page.value("train-task"))
            self.trainer = Trainer(task, **self.settings())
        except ValueError as e:
            self.show("idle", f"Cannot train: {e}.")
            return False
        self.target = STEPS
        self.slices = 0
        t = self.trainer
        meta = t.meta(metrics={})
        label = f"Trained here: {task.title} ({t.hidden_size} units)"
        self.app.add_model(TRAINED, label, t.model(), meta)
        return True

    def slice(self) -> None:
        """One tick: train for about SLICE_SECONDS, then update the curve, progress and views."""
        if self.state != "training":
            self.stop_timer()
            return
        t = self.trainer
        count = min(MAX_SLICE_STEPS, self.target - len(t.history))
        try:
            t.run(count, seconds=SLICE_SECONDS)
        except TrainingError:
            self.stop_timer()
            self.follow()
            self.show("diverged", t.message)
            self.show_progress()
            return
        self.slices += 1
        if self.steps >= self.target:
            self.stop_timer()
            self.show("done", f"Done: {self.steps} steps. Train continues, Download saves it.")
        if self.state == "done" or (
            self.slices % RETRACE_EVERY == 0 and self.app.length <= FOLLOW_TOKENS
        ):
            self.follow()
        self.show_progress()

    def follow(self) -> None:
        """Hand the current weights to the visualizer (it re-traces when showing them); its
        failures are the visualizer's to show, and training goes on."""
        if TRAINED in self.app.entries:
            self.app.guard(self.app.update_weights)(TRAINED, self.trainer.model())

    def pause(self) -> None:
        if self.state == "training":
            self.stop_timer()
            self.follow()
            self.show("paused")

    def reset(self) -> None:
        """Stop and forget the run (a model it put in the menu stays there)."""
        self.stop_timer()
        self.stop_download()
        self.trainer = None
        self.evaluated = None
        self.target = STEPS
        self.show("idle")
        self.show_progress()

    def stop_timer(self) -> None:
        if self.timer is not None:
            self.page.clear_interval(self.timer)
            self.timer = None

    def stop_download(self) -> None:
        if self.download_timer is not None:
            self.page.clear_interval(self.download_timer)
            self.download_timer = None

    def download(self) -> None:
        """The model trained here as a model file, with its held-out metrics. Evaluating takes
        a while, so the status says so first and the evaluation runs on the next tick; the
        metrics are kept, so a second download of the same weights is immediate."""
        t = self.trainer
        if t is None or not t.history:
            self.page.set_text("train-status", "Train a model first, then download it.")
            return
        if self.download_timer is not None:  # one is on its way
            return
        if self.evaluated is not None and self.evaluated[0] == self.weights_key():
            self.save()
            return
        self.page.set_text("train-status", EVALUATING)
        self.download_timer = self.page.set_interval(self.guard(self.save), EVALUATE_DELAY_MS)

    def weights_key(self) -> tuple[int, bool]:
        """Which weights of the run these are: its steps, and whether it diverged (which took
        the weights back a step). Reset forgets the metrics along with the run."""
        return len(self.trainer.history), self.trainer.diverged

    def save(self) -> None:
        """Download the model file of the current weights, evaluated unless they were already."""
        self.stop_download()
        t = self.trainer
        if t is None or not t.history:
            return
        if self.evaluated is None or self.evaluated[0] != self.weights_key():
            self.evaluated = (self.weights_key(), t.evaluate())
        metrics = self.evaluated[1]
        name = f"{t.task.name}-h{t.hidden_size}-{len(t.history)}steps.npz"
        self.page.download(name, t.file_bytes(metrics), "application/octet-stream")
        self.page.set_text(
            "train-status",
            f"{STATUS[self.state]} · saved {name}, held-out accuracy {metrics['accuracy']:.1%}",
        )

    # --- output ---------------------------------------------------------------------------------
    @property
    def steps(self) -> int:
        return 0 if self.trainer is None else len(self.trainer.history)

    def show(self, state: str, text: str = "") -> None:
        self.state = state
        self.page.set_text("train-status", text or STATUS[state])
        self.page.set_attr("train-status", "data-state", state)

    def show_progress(self) -> None:
        """Progress bar, steps per second since the last resume, and the loss curve."""
        self.page.set_attr("train-progress", "max", str(self.target))
        self.page.set_attr("train-progress", "value", str(self.steps))
        since, done = self.run_start
        elapsed = self.page.now_ms() - since
        if self.state in ("training", "done") and elapsed > 0 and self.steps > done:
            per_second = 1000 * (self.steps - done) / elapsed
            rate = f"{self.steps} / {self.target} steps · {per_second:.1f} steps/s"
        else:
            rate = f"{self.steps} / {self.target} steps"
        self.page.set_text("train-rate", rate)
        history = [] if self.trainer is None else self.trainer.history
        losses, accuracies = [r.loss for r in history], [r.accuracy for r in history]
        draw_curve(self.page.canvas("loss"), losses, accuracies)
