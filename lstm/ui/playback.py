"""Playback: the seed's state machine and the one timer that drives it.

States, as in the seed (startProcessing / pauseProcessing / stepForward / resetLSTM):

    ready       nothing shown yet (step 0); the first Step or Start tokenizes the text and traces it
    tracing     step 0 of a long sequence (over `at_once(model)` tokens) that a Start or Step asked
                for: the timer traces one chunk per tick, the status counting the tokens, then
                the panels are drawn (the status says so) and it goes on as asked. Start, Step
                and Pause choose what follows (play, one step, stay); Reset, another model,
                cell size or example, and an edit of the text cancel it. New weights (training)
                re-trace a long sequence the same way, at its current step: the old trace stays
                shown until the new one is done, and playing goes on after
    processing  the timer advances one step per tick; Start is ignored
    paused      0 < step < N, no timer
    complete    step == N, no timer; Start and Step do nothing (stepping back leaves it)
    error       something unexpected failed; the message says what. Start and Step do
                nothing; Reset (or another model or example) starts over

What is shown (the step, the focus) is the controller's `ViewState`; this class only decides
what runs. It calls back into its `Shown` (the controller) to initialise, advance and adopt a
finished trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..model import Trace, Tracer

# Longer sequences are traced in chunks, one per timer tick. Not below the training panel's
# FOLLOW_TOKENS: training then re-traces them only on pause, never at every slice.
TRACE_AT_ONCE = 2_000
CHUNK_TOKENS = 1_000  # tokens traced per tick, at most
# A big model traces fewer tokens at once and per tick, by the multiply-adds a token costs:
# about 100 ms at once and 30 ms a tick in CPython (the 2 x 256-unit alice preset: 300 and 100
# tokens); small models stay at the token limits above.
WORK_AT_ONCE = 256_000_000
WORK_PER_TICK = 85_000_000
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


def work_per_token(model) -> int:
    """Multiply-adds one token costs the model: 4H (In + H) per layer."""
    H = model.hidden_size
    return sum(4 * H * ((model.input_size if k == 0 else H) + H) for k in range(model.num_layers))


def at_once(model) -> int:
    """How many tokens are traced at once, without the chunked tracing's progress."""
    return max(1, min(TRACE_AT_ONCE, WORK_AT_ONCE // work_per_token(model)))


def chunk_of(model) -> int:
    """How many tokens one tick of a tracing traces."""
    return max(1, min(CHUNK_TOKENS, WORK_PER_TICK // work_per_token(model)))


@dataclass
class Tracing:
    """A long sequence being traced one chunk per timer tick, and what follows when it is done."""

    key: tuple  # what it is traced from (the controller's sequence key)
    tracer: Tracer
    then: str  # "start": play; "step": one step; "": stay where it is


class Shown(Protocol):
    """What playback needs of the controller."""

    step: int
    length: int

    def initialise(self, then: str = "") -> bool: ...
    def advance(self) -> None: ...
    def adopt(self, trace: Trace, key: tuple) -> None: ...


class Playback:
    """The state, the timer (playing or tracing, one at most) and a tracing job."""

    def __init__(self, page, shown: Shown, guard):
        self.page, self.shown, self.guard = page, shown, guard
        self.state = "ready"
        self.timer: int | None = None
        self.tracing: Tracing | None = None
        self.delay = 250

    def start(self) -> None:
        """Play from the current step (initialising first at step 0); ignored while playing
        and in the error state."""
        if self.state == "tracing":
            self.tracing.then = "start"
            return
        if self.state in ("processing", "error"):
            return
        if self.shown.step == 0 and not self.shown.initialise("start"):
            return
        self.play()

    def play(self) -> None:
        if self.shown.step >= self.shown.length:
            return
        self.set_state("processing")
        self.timer = self.page.set_interval(self.guard(self.tick), self.delay)

    def pause(self) -> None:
        """Stop the timer; the state says where the sequence is. A tracing goes on, to step 0."""
        if self.state == "tracing":
            self.tracing.then = ""
            return
        self.stop()
        if self.state == "processing":
            self.rest()

    def step_forward(self) -> None:
        """Reveal one more step (initialising first at step 0); nothing at the end or in the
        error state."""
        if self.state == "tracing":
            self.tracing.then = "step"
            return
        if self.state == "error":
            return
        first = self.shown.step == 0 and self.state != "processing"  # Start initialised already
        if first and not self.shown.initialise("step"):
            return
        self.forward()
        if self.state != "processing":
            self.rest()

    def forward(self) -> None:
        """One step on; at the end, playing stops and the sequence is complete."""
        self.shown.advance()
        if self.shown.step >= self.shown.length and self.state == "processing":
            self.stop()
            self.set_state("complete")

    def tick(self) -> None:
        """One timer tick: advance, and stop at the end."""
        if self.state != "processing":
            self.stop()  # a tick that outlived its timer
            return
        self.forward()

    def set_delay(self, ms: int) -> None:
        """A new delay between steps, applied at once while playing."""
        self.delay = ms
        if self.state == "processing":
            self.stop()
            self.timer = self.page.set_interval(self.guard(self.tick), self.delay)

    def rest(self) -> None:
        """The state when no timer runs, from the step alone."""
        step, length = self.shown.step, self.shown.length
        self.set_state("ready" if step == 0 else "complete" if step >= length else "paused")

    def stop(self) -> None:
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
        done, total = self.tracing.tracer.done, self.shown.length
        if done < total:
            return STATUS["tracing"].format(done=done, total=total)
        return DRAWING.format(total=total)

    # --- tracing a long sequence, a chunk per tick ---------------------------------------------
    def begin_tracing(self, job: Tracing) -> None:
        """Trace `job` one chunk per timer tick (state "tracing"); the only timer running."""
        self.stop()
        self.tracing = job
        self.set_state("tracing")
        self.timer = self.page.set_interval(self.guard(self.trace_chunk), TRACE_TICK_MS)

    def trace_chunk(self) -> None:
        """One tick of a tracing: the next chunk; once all are traced, the panels, then `then`."""
        job = self.tracing
        if job is None:
            self.stop()  # a tick that outlived its timer
            return
        if job.tracer.done < job.tracer.steps:
            job.tracer.run(chunk_of(job.tracer.model))
            self.page.set_text("status", self.status_text())
            return
        self.stop()
        self.shown.adopt(job.tracer.trace(), job.key)
        self.rest()
        if job.then == "start":
            self.play()
        elif job.then == "step":
            self.forward()
            self.rest()
