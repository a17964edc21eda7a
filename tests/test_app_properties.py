"""Any sequence of clicks (playback and training), slider moves, selections, text edits, uploads
and timer ticks keeps the controllers sane (hypothesis stateful testing over event sequences).

The threshold for tracing in chunks is lowered so that some texts are traced that way, fast.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from lstm.analysis.clamp import check_clamp
from lstm.tokens import MAX_CHARS
from lstm.ui import playback
from lstm.ui import training as train_panel
from lstm.ui.app import start
from lstm.ui.panels import REGISTRY
from tests.fakes import FakePage
from tests.test_app import malformed_file, page_values, preset_bytes, status_of

TRACE_AT_ONCE, CHUNK_TOKENS = 12, 5  # for this test: texts over 12 tokens traced 5 per tick

SETTINGS = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
long_texts = st.text(alphabet="()ab", min_size=TRACE_AT_ONCE + 1, max_size=60)  # in chunks
texts = st.one_of(
    st.text(alphabet="()ab", max_size=8),  # the preset's own tokens, short enough to finish
    long_texts,
    st.text(max_size=20),  # any code points: emoji, control characters, unknown tokens
    st.sampled_from(["", " ", "\x00", "🙂👍🏽", "(" * (MAX_CHARS + 1), "a b " * 200]),
)


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    (folder / "brackets.npz").write_bytes(preset_bytes())
    return folder


def check(page: FakePage, app) -> None:
    """What must hold after every event."""
    state, k, n = app.state, app.step, app.length
    assert state in {"ready", "tracing", "processing", "paused", "complete"}, page.text("message")
    assert page.text("status") == status_of(app)
    assert page.attr("status", "data-state") == state
    assert 0 <= k <= n
    assert state != "ready" or k == 0
    assert (app.tracing is not None) == (state == "tracing")
    # A first tracing is at step 0; a re-tracing (new weights) at any step, the old trace shown.
    assert state != "tracing" or (0 <= app.tracing.tracer.done <= n and (app.trace or k == 0))
    assert state != "paused" or 0 < k < n
    assert state != "complete" or k == n > 0
    assert state != "processing" or k < n
    # At most one timer each, alive exactly while playing or tracing / training / a download
    # waits for its evaluation.
    training, timed = app.train.state == "training", state in ("processing", "tracing")
    saving = app.train.download_timer is not None
    assert app.train.state in {"idle", "training", "paused", "done", "diverged"}
    assert len(page.intervals) == timed + training + saving
    assert not saving or app.train.download_timer in page.intervals
    assert (app.playback.timer in page.intervals) == timed
    assert (app.train.timer in page.intervals) == training
    # The unit menu lists the units of the trace shown (before one is made: of the model).
    units = app.hidden_size() if app.trace is None else app.trace.layers[0].h.shape[1]
    assert [v for v, _ in page.options["unit"]] == ["mean", *map(str, range(units))]
    unit = app.view.focus.unit
    assert page.values["unit"] == ("mean" if unit is None else str(unit))
    assert unit is None or unit < units
    # The probes of the trace shown fit it: every clamp, and the gradient step.
    if app.frames is not None:
        scene = app.frames.scene
        for clamp in scene.probes.clamps:
            check_clamp(clamp, scene.model, scene.T)
        assert 0 <= scene.probes.grad_step <= scene.T
    # The stats are the trace's numbers at step k.
    assert page.text("stat-step") == f"{k} / {n}"
    if app.trace is None:  # nothing, or a long text not traced yet
        assert n == 0 or (n > TRACE_AT_ONCE and state in ("ready", "tracing"))
    else:
        assert app.trace.layers[0].h.shape[0] == n == len(app.tokens)
    if app.trace is not None and app._traced[1:] == app.sequence_key("")[1:]:
        # Traced with the model shown, in chunks or not: one trace's numbers exactly.
        model, x, _ = app.inputs_of(app.tokens)
        np.testing.assert_array_equal(app.trace.layers[-1].h, model.trace(x).layers[-1].h)
    if k:
        layer = app.trace.layers[app.layer()]
        assert page.text("stat-cell-norm") == f"{np.linalg.norm(layer.c[k - 1]):.2f}"
        assert page.text("stat-hidden-norm") == f"{np.linalg.norm(layer.h[k - 1]):.2f}"
    else:
        assert page.text("stat-cell-norm") == page.text("stat-hidden-norm") == "0.00"
        assert page.text("stat-token") == "-"


class Visitor(RuleBasedStateMachine):
    """A visitor at the page: each rule is one event; the invariant is checked after each."""

    models_dir = None  # set by the test

    def __init__(self):
        super().__init__()
        train = {"train-task": "brackets", "train-hidden": "4", "train-lr": "0.05",
                 "train-batch": "2"}
        self.page = FakePage(page_values(**train))
        self.app = start(self.page, self.models_dir)

    @rule(button=st.sampled_from(["start", "pause", "back", "step", "reset"]))
    def click(self, button):
        self.page.click(button)

    @rule(button=st.sampled_from(["train-start", "train-pause", "train-reset", "train-download"]))
    def train(self, button):
        self.page.click(button)

    @rule(ms=st.one_of(st.sampled_from([1, 150, 250, 400]), st.integers(0, 1200)))
    def wait(self, ms):
        self.page.advance(ms)  # 1 ms: one tick of a tracing

    @rule(text=long_texts, button=st.sampled_from(["start", "step"]))
    def trace_long_text(self, text, button):
        self.type_text(text)
        self.page.click(button)

    @rule(value=st.one_of(st.integers(-1, 5), st.just("fast")))
    def speed(self, value):
        self.page.slide("speed", value)

    @rule(value=st.integers(-5, 80))
    def cell_size(self, value):
        self.page.slide("cell-size", value)

    @rule(select=st.sampled_from(["example", "model", "layer", "unit", "feature"]),
          pick=st.integers(0, 50))
    def choose(self, select, pick):
        options = self.page.options[select]
        if options:
            self.page.choose(select, options[pick % len(options)][0])

    @rule(text=texts)
    def type_text(self, text):
        self.page.type_text("sequence", text)
        self.page.fire("sequence", "input")

    @rule(data=st.sampled_from([b"", b"junk", "labels", None]))
    def upload(self, data):
        if data is None:
            data = preset_bytes(layers=1, hidden=3)
        elif data == "labels":
            data = malformed_file(labels=5)
        self.app.load_model_file("up.npz", data)

    @rule(canvas=st.sampled_from(sorted(REGISTRY)),
          kind=st.sampled_from(["move", "click", "leave"]),
          x=st.floats(-50, 1000), y=st.floats(-50, 500))
    def point(self, canvas, kind, x, y):
        self.page.point(canvas, kind, x, y)

    @rule(gate=st.sampled_from(["f", "i", "g", "o", "zero", "x"]),
          value=st.sampled_from(["1", "0", "0.5", "-1", "2", "nan", "abc", ""]),
          step=st.sampled_from(["", "1", "3", "0", "999", "x"]),
          button=st.sampled_from(["clamp-add", "clamp-add", "clamp-clear"]))
    def clamp(self, gate, value, step, button):
        for id_, v in (("clamp-gate", gate), ("clamp-value", value), ("clamp-step", step)):
            self.page.type_text(id_, v)
        self.page.click(button)

    @rule(field=st.sampled_from(["feature-regex", "grad-step"]),
          text=st.sampled_from(["", "a", "(", r"\(", "(a+)+$", r"(a)\1", "b|a", "2", "999"]))
    def probe_field(self, field, text):
        self.page.type_text(field, text)
        self.page.fire(field, "change")

    @rule(pick=st.integers(0, 5))
    def try_finding(self, pick):
        self.page.fire("findings", "focus")  # computes the menu, once per model
        options = self.page.options["findings"]
        self.page.choose("findings", options[pick % len(options)][0])

    @rule(key=st.sampled_from([" ", "ArrowLeft", "ArrowRight", "Home", "End", "r", "[", "]", "?"]))
    def press(self, key):
        self.page.press(key)

    @invariant()
    def sane(self):
        check(self.page, self.app)


def test_random_event_sequences_keep_the_state_machine_sane(models_dir, monkeypatch):
    monkeypatch.setattr(playback, "TRACE_AT_ONCE", TRACE_AT_ONCE)
    monkeypatch.setattr(playback, "CHUNK_TOKENS", CHUNK_TOKENS)
    monkeypatch.setattr(train_panel, "MAX_SLICE_STEPS", 1)  # one training step per tick,
    monkeypatch.setattr(train_panel, "SLICE_SECONDS", None)  # not limited by the clock
    Visitor.models_dir = models_dir
    run_state_machine_as_test(Visitor, settings=SETTINGS)
