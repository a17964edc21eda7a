"""The visualizer's controller (lstm/ui/app.py) against the recording FakePage."""

import json
from pathlib import Path

import numpy as np
import pytest

from lstm import modelfile
from lstm.draw.states import PLACEHOLDER
from lstm.model import LSTM
from lstm.tasks import TASKS
from lstm.tokens import MAX_CHARS
from lstm.ui import app as app_module
from lstm.ui import models, playback
from lstm.ui.app import RANDOM, STATUS, start
from lstm.ui.panels import REGISTRY
from tests.fakes import FakePage
from tests.test_modelfile import npz_bytes

BRACKETS = TASKS["brackets"]


def preset_bytes(vocab=BRACKETS.vocab, layers=2, hidden=4, example="(a(b))") -> bytes:
    """A small model file shaped like the bracket preset (random weights, fast to trace)."""
    model = LSTM.random(3, hidden, num_layers=layers, vocab_size=len(vocab), output_size=9, seed=1)
    meta = {
        "task": "brackets",
        "title": "Bracket depth",
        "tokenizer": "char",
        "vocabulary": list(vocab),
        "labels": [str(d) for d in range(9)],
        "example": example,
        "seed": 1,
        "metrics": {},
        "training_seconds": 0.0,
    }
    return modelfile.model_bytes(model, meta)


@pytest.fixture
def models_dir(tmp_path):
    (tmp_path / "brackets.npz").write_bytes(preset_bytes())
    return tmp_path


def page_values(**extra) -> dict:
    """What index.html holds before the app starts."""
    values = {"sequence": "the cat sat on the mat", "cell-size": "8", "speed": "2"}
    values.update(extra)
    return values


@pytest.fixture
def page():
    return FakePage(page_values())


@pytest.fixture
def app(page, models_dir):
    app = start(page, models_dir)
    page.run_later()  # the browser paints after booting, then draws the deferred panels
    return app


def preset_trace(app):
    return app.entry.model.trace(app.entry.vocab.encode(list(app.page.values["sequence"]))[0])


def status_of(app) -> str:
    """The status text the controller's state calls for (while tracing: the tokens done)."""
    if app.state != "tracing":
        return STATUS[app.state]
    done, total = app.tracing.tracer.done, app.length
    if done < total:
        return f"Tracing {done:,} / {total:,} tokens…"
    return f"Drawing the panels of {total:,} tokens…"


def check_view(page, app) -> None:
    """Status, data-state and stats agree with the controller and its trace."""
    assert page.text("status") == status_of(app)
    assert page.attr("status", "data-state") == app.state
    k, n = app.step, app.length
    assert 0 <= k <= n
    assert page.text("stat-step") == f"{k} / {n}"
    if k == 0:
        assert (page.text("stat-cell-norm"), page.text("stat-token")) == ("0.00", "-")
        return
    layer = app.trace.layers[app.layer()]
    assert page.text("stat-cell-norm") == f"{np.linalg.norm(layer.c[k - 1]):.2f}"
    assert page.text("stat-hidden-norm") == f"{np.linalg.norm(layer.h[k - 1]):.2f}"


# --- opening ----------------------------------------------------------------------------------


def test_opens_on_a_preset_with_an_example_of_its_task(page, app):
    assert app.entry.key == "brackets"
    assert page.values["model"] == "brackets"
    assert [v for v, _ in page.options["model"]] == ["brackets", RANDOM]
    assert page.values["sequence"] == "(a(b))"
    labels = [label for _, label in page.options["example"]]
    assert labels[0] == "Example: (a(b))"
    assert all(label.startswith("Held-out") for label in labels[1:])
    assert app.state == "ready" and page.text("status") == "Ready to process sequence"
    assert page.text("stat-step") == "0 / 6"
    assert page.text("message") == ""
    assert page.attr("cell-size", "disabled") == "" and page.attr("cell-size", "hidden") == ""
    assert page.text("cell-size-value") == "4 units, as trained"  # the slider hidden: why
    assert page.options["layer"] == [("0", "Layer 1"), ("1", "Layer 2")]
    assert page.options["unit"][0] == ("mean", "Mean over units") and len(page.options["unit"]) == 5
    assert page.text("speed-value") == "Medium (250 ms)"
    for name in ("diagram", "heatmaps", "states"):
        assert page.canvases[name].calls, f"{name} was not drawn"
    check_view(page, app)


def test_held_out_examples_run_on_the_preset(page, app):
    for value, _ in page.options["example"]:
        page.choose("example", value)
        assert page.values["sequence"] == app.entry.examples[int(value)][1]
        page.click("step")
        assert app.step == 1 and page.text("message") == ""


@pytest.mark.parametrize("content", [None, b"not a zip file"])
def test_falls_back_to_the_random_model_with_a_message(tmp_path, content):
    if content is not None:
        (tmp_path / "broken.npz").write_bytes(content)
    page = FakePage(page_values())
    app = start(page, tmp_path)
    assert app.entry.key == RANDOM
    assert "random model" in page.text("message")
    if content is not None:
        assert "broken.npz" in page.text("message")
    assert page.values["sequence"] == models.RANDOM_EXAMPLES[0][1]
    assert page.attr("cell-size", "disabled") is None and page.attr("cell-size", "hidden") is None
    assert page.text("cell-size-value") == "8 units"
    page.click("step")
    assert app.step == 1 and app.trace.layers[0].h.shape == (6, 8)


def test_a_broken_preset_is_skipped_and_named(models_dir):
    (models_dir / "zz-broken.npz").write_bytes(b"PK\x03\x04 truncated")
    page = FakePage(page_values())
    app = start(page, models_dir)
    assert app.entry.key == "brackets"
    assert "zz-broken.npz" in page.text("message")


def test_the_shipped_presets_load_and_play_their_examples():
    page = FakePage(page_values())
    app = start(page)
    assert page.text("message") == ""
    assert app.entry.key == models.DEFAULT_PRESET
    keys = [v for v, _ in page.options["model"]]
    assert set(keys) == {"alice", "anbn", "brackets", "recall", RANDOM}
    for key in keys:
        page.choose("model", key)
        page.click("start")
        page.advance(250 * (app.length + 1))
        assert app.state == "complete" and page.text("message") == "", key
        check_view(page, app)


def test_example_labels_show_the_text():
    assert models.example_label("Example", "ab\ncd") == "Example: ab↵cd"
    assert models.example_label("Held-out 1", "x" * 40) == "Held-out 1: " + "x" * 27 + "…"


# --- the seed's state machine -------------------------------------------------------------------


def test_first_step_tokenizes_and_reveals_one_step(page, app):
    page.type_text("sequence", "((a))")
    page.click("step")
    assert app.tokens == list("((a))") and app.step == 1
    assert app.state == "paused" and page.text("status") == "Paused"
    assert page.text("stat-token") == "("
    expected = preset_trace(app)
    np.testing.assert_array_equal(app.trace.layers[1].h, expected.layers[1].h)
    check_view(page, app)


def test_start_plays_to_the_end_and_stops(page, app):
    page.click("start")
    assert app.state == "processing" and page.text("status") == "Processing sequence..."
    assert [entry[1] for entry in page.intervals.values()] == [250]
    page.advance(250)
    assert app.step == 1
    check_view(page, app)
    page.advance(250 * 10)
    assert app.step == 6 and app.state == "complete"
    assert page.text("status") == "Sequence complete"
    assert page.intervals == {}
    assert page.text("stat-token") == ")"
    check_view(page, app)


def test_start_while_processing_is_ignored(page, app):
    page.click("start")
    page.click("start")
    page.click("start")
    assert len(page.intervals) == 1
    assert sum(1 for c in page.calls if c[0] == "set_interval") == 1


def test_pause_and_resume_keep_the_tokens(page, app):
    page.click("start")
    page.advance(500)
    page.click("pause")
    assert app.state == "paused" and app.step == 2 and page.intervals == {}
    page.type_text("sequence", "()")  # not read again until Reset
    page.advance(1000)
    assert app.step == 2
    page.click("start")
    page.advance(250)
    assert app.step == 3 and app.length == 6


def test_pause_before_the_first_tick_returns_to_ready(page, app):
    page.click("start")
    page.click("pause")
    assert app.state == "ready" and app.step == 0
    check_view(page, app)


def test_stepping_stops_at_the_end(page, app):
    for _ in range(10):
        page.click("step")
    assert app.step == 6 and app.state == "complete"
    page.click("start")
    assert app.state == "complete" and page.intervals == {}
    check_view(page, app)


def test_step_while_playing_advances_and_keeps_playing(page, app):
    page.click("start")
    page.click("step")
    assert app.step == 1 and app.state == "processing"
    page.advance(250)
    assert app.step == 2


def test_reset_retokenizes_and_clears(page, app):
    page.click("start")
    page.advance(750)
    page.type_text("sequence", "(ab)")
    page.click("reset")
    assert app.state == "ready" and app.step == 0 and app.length == 4
    assert page.intervals == {}
    check_view(page, app)


def test_first_start_reads_text_edited_after_reset(page, app):
    page.type_text("sequence", "()")
    page.click("start")
    assert app.length == 2


def test_example_loads_a_sequence_and_resets(page, app):
    page.click("start")
    page.advance(500)
    page.choose("example", "1")
    assert page.values["sequence"] == app.entry.examples[1][1]
    assert app.state == "ready" and app.step == 0 and page.intervals == {}
    assert app.length == len(app.entry.examples[1][1])


# --- sliders and selects ------------------------------------------------------------------------


def test_speed_applies_while_playing(page, app):
    page.click("start")
    page.slide("speed", 3)
    assert page.text("speed-value") == "Fast (150 ms)"
    assert [entry[1] for entry in page.intervals.values()] == [150]
    page.advance(150)
    assert app.step == 1
    page.slide("speed", 1)
    assert page.text("speed-value") == "Slow (400 ms)"
    assert [entry[1] for entry in page.intervals.values()] == [400]


def test_speed_when_idle_only_sets_the_delay(page, app):
    page.slide("speed", 1)
    assert page.intervals == {} and app.delay == 400
    page.click("start")
    assert [entry[1] for entry in page.intervals.values()] == [400]


def test_cell_size_resizes_the_random_model_when_idle(page, app):
    page.choose("model", RANDOM)
    page.click("step")
    page.slide("cell-size", 12)
    assert page.text("cell-size-value") == "12 units"
    assert app.state == "ready" and app.step == 0
    page.click("step")
    assert app.trace.layers[0].h.shape[1] == 12
    assert len(page.options["unit"]) == 13


def unit_options(page) -> list[str]:
    return [v for v, _ in page.options["unit"]]


def test_cell_size_while_playing_waits_for_reset(page, app):
    page.choose("model", RANDOM)
    page.click("start")
    page.advance(250)
    page.choose("unit", "7")
    page.slide("cell-size", 40)
    assert page.text("cell-size-value") == "40 units"
    assert app.state == "processing" and app.step == 1
    assert app.trace.layers[0].h.shape[1] == 8
    # The unit menu is the trace's: unit 7 of 8 stays chosen and shown, no "Unit 40".
    assert unit_options(page) == ["mean", *map(str, range(8))]
    assert page.values["unit"] == "7" and app.unit() == 7
    page.advance(250)
    assert app.unit() == 7
    page.click("reset")
    assert unit_options(page) == ["mean", *map(str, range(40))]
    assert page.values["unit"] == "7" and app.unit() == 7
    page.click("step")
    assert app.trace.layers[0].h.shape[1] == 40
    page.choose("unit", "39")
    page.slide("cell-size", 5)
    assert unit_options(page) == ["mean", *map(str, range(5))]
    assert page.values["unit"] == "mean" and app.unit() is None


def test_cell_size_does_not_change_a_preset(page, app):
    page.slide("cell-size", 30)
    assert page.text("cell-size-value") == "4 units, as trained"
    assert app.entry.model.hidden_size == 4


def test_model_menu_switches_and_resets(page, app):
    page.click("start")
    page.advance(500)
    page.choose("model", RANDOM)
    assert app.entry.key == RANDOM and app.state == "ready" and page.intervals == {}
    assert page.values["sequence"] == models.RANDOM_EXAMPLES[0][1]
    assert page.options["layer"] == [("0", "Layer 1")]
    page.click("step")
    assert page.text("stat-token") == "the"
    page.choose("model", "brackets")
    assert page.values["sequence"] == "(a(b))" and app.length == 6


def test_layer_and_unit_select_redraw_and_the_stats_follow_the_layer(page, app):
    page.click("step")
    page.click("step")
    before = page.text("stat-cell-norm")
    page.choose("layer", "1")
    check_view(page, app)
    assert page.text("stat-cell-norm") == f"{np.linalg.norm(app.trace.layers[1].c[1]):.2f}"
    assert before == f"{np.linalg.norm(app.trace.layers[0].c[1]):.2f}"
    calls = len(page.canvases["diagram"].calls)
    page.choose("unit", "2")
    assert app.unit() == 2 and len(page.canvases["diagram"].calls) > calls
    page.choose("unit", "mean")
    assert app.unit() is None


# --- bad input ----------------------------------------------------------------------------------


def test_empty_sequence_is_a_message_not_a_state(page, app):
    page.type_text("sequence", "")
    page.click("start")
    assert app.state == "ready" and app.length == 0 and page.intervals == {}
    assert "empty" in page.text("message")
    assert PLACEHOLDER in page.canvases["states"].strings()
    assert REGISTRY["heatmaps"].empty in page.canvases["heatmaps"].strings()
    page.click("step")
    assert app.step == 0
    check_view(page, app)
    page.type_text("sequence", "\x00\x07")
    page.click("reset")
    assert "no char tokens" in page.text("message")
    check_view(page, app)


def test_text_over_the_limit_is_refused_with_the_limit(page, app):
    page.type_text("sequence", "(" * (MAX_CHARS + 1))
    page.click("step")
    assert app.length == 0 and app.state == "ready"
    assert "100,000" in page.text("message")
    check_view(page, app)


def test_text_at_the_limit_runs(page, app):
    page.choose("model", RANDOM)
    page.type_text("sequence", "ab " * (MAX_CHARS // 3))
    page.click("step")
    assert app.state == "tracing" and app.length == MAX_CHARS // 3
    run_tracing(page, app)
    assert app.state == "paused" and app.step == 1


def test_unknown_tokens_are_listed_and_the_text_kept(page, app):
    text = "(a(x)) é"
    page.type_text("sequence", text)
    page.click("step")
    message = page.text("message")
    assert "'x' at 3" in message and "'␣' at 6" in message and "'é' at 7" in message
    assert app.state == "ready" and app.length == 0
    assert page.values["sequence"] == text
    check_view(page, app)


def test_unknown_tokens_read_as_unk_when_the_vocabulary_has_it(tmp_path):
    (tmp_path / "m.npz").write_bytes(preset_bytes(vocab=(*BRACKETS.vocab, "<unk>")))
    page = FakePage(page_values())
    app = start(page, tmp_path)
    page.type_text("sequence", "(🙂)")
    page.click("step")
    assert app.length == 3 and app.tokens[1] == "🙂"
    assert "'🙂' at 1" in page.text("message") and "<unk>" in page.text("message")
    page.click("step")
    assert page.text("stat-token") == "🙂"
    page.click("reset")
    page.click("start")  # the same text again: the cached trace, and the same note
    assert "'🙂' at 1" in page.text("message")


def test_emoji_and_control_characters(page, app):
    page.choose("model", RANDOM)
    page.type_text("sequence", "hi 🙂\x00\x1b there\r\n👍🏽 <b>x</b>")
    for _ in range(20):
        page.click("step")
    assert app.state == "complete"
    assert "🙂" in app.tokens and all(t.isprintable() for t in app.tokens)
    check_view(page, app)


def test_markup_is_only_ever_text(page, app):
    page.choose("model", RANDOM)
    page.type_text("sequence", "<img src=x onerror=alert(1)>")
    page.click("step")
    assert page.text("stat-token") == "<"
    assert {c[0] for c in page.calls} <= {
        "value", "set_value", "set_text", "set_attr", "remove_attr", "set_options", "canvas",
        "on", "on_pointer", "overlay", "set_cursor", "later", "set_interval", "clear_interval",
        "now_ms", "download", "on_file", "set_hash", "save_state", "canvas_width",
        "size_canvas", "on_resize", "color_scheme",
    }


def test_an_unexpected_error_becomes_a_message_and_reset_recovers(page, app, monkeypatch):
    def broken(*args):
        raise RuntimeError("trace exploded")

    monkeypatch.setattr(app.entry.model, "trace", broken)
    page.type_text("sequence", "()")
    page.click("step")  # must not raise
    assert app.state == "error" and page.attr("status", "data-state") == "error"
    assert "trace exploded" in page.text("message")
    monkeypatch.undo()
    page.click("reset")
    assert app.state == "ready" and page.text("message") == ""
    page.click("step")
    assert app.step == 1


def test_start_and_step_do_nothing_in_the_error_state(page, app, monkeypatch):
    page.click("start")
    page.advance(250)
    monkeypatch.setattr(app, "show", lambda prev=None: 1 / 0)
    page.advance(250)
    monkeypatch.undo()
    message = page.text("message")
    assert app.state == "error" and app.step == 2 and "ZeroDivisionError" in message
    for button in ("start", "step", "pause", "start"):
        page.click(button)
        assert app.state == "error" and app.step == 2 and page.intervals == {}
        assert page.text("message") == message
    page.click("reset")
    assert app.state == "ready" and page.text("message") == ""
    page.click("step")
    assert app.state == "paused" and app.step == 1


def test_an_error_while_playing_stops_the_timer(page, app, monkeypatch):
    page.click("start")
    monkeypatch.setattr(app, "show", lambda prev=None: 1 / 0)
    page.advance(250)
    assert app.state == "error" and page.intervals == {}
    assert "ZeroDivisionError" in page.text("message")


def test_bad_control_values_are_clamped(page, app):
    page.slide("speed", "fast")
    assert app.delay == 250
    page.slide("speed", 99)
    assert app.delay == 150
    page.choose("model", RANDOM)
    page.slide("cell-size", -3)
    assert app.cell_size == 2


# --- models from files --------------------------------------------------------------------------


def test_a_model_file_loads_into_the_menu(page, app):
    app.load_model_file("mine.npz", preset_bytes(layers=1, hidden=3, example="(())"))
    assert app.entry.key == "file:mine.npz" and page.values["model"] == "file:mine.npz"
    assert ("file:mine.npz", "mine.npz (3 units, loaded)") in page.options["model"]
    assert page.values["sequence"] == "(())" and app.length == 4


def vector_model_bytes() -> bytes:
    """A valid model file of a model without embedding (it reads vectors, not tokens)."""
    meta = {"task": "x", "tokenizer": "char", "vocabulary": [], "seed": 0, "metrics": {},
            "training_seconds": 0.0}
    return modelfile.model_bytes(LSTM.random(3, 4), meta)


def test_a_model_without_embedding_reads_each_token_as_a_fixed_random_vector(page, app):
    app.load_model_file("vectors.npz", vector_model_bytes())
    assert app.entry.key == "file:vectors.npz" and app.entry.vocab is None
    page.type_text("sequence", "abca")
    page.click("reset")
    x = app.trace.layers[0].x
    assert x.shape == (4, 3)
    np.testing.assert_array_equal(x[0], x[3])  # the same token, the same vector
    assert not np.array_equal(x[0], x[1])


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "other.npz is empty"),
        (b"hello", "other.npz is not a known format"),
        (b"PK\x05\x06" + bytes(18), "holds no arrays"),
    ],
)
def test_a_foreign_file_is_refused_with_a_reason(page, app, data, reason):
    app.load_model_file("other.npz", data)
    assert app.entry.key == "brackets"
    assert page.text("message").startswith("Could not load other.npz: ")
    assert reason in page.text("message")
    assert app.state == "ready"


def malformed_file(**change) -> bytes:
    """A model file whose meta has `change` written as is (model_bytes would refuse it)."""
    model, meta = modelfile.load_model(preset_bytes(layers=1, hidden=3))
    return npz_bytes(meta=np.array(json.dumps({**meta, **change})), **model.params)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"labels": 5}, "meta labels must be a list of strings"),
        ({"vocabulary": "()ab"}, "meta vocabulary must be a list of strings"),
        ({"title": 5}, "meta title must be a string"),
        ({"example": {"text": "()"}}, "meta example must be a string"),
        ({"task": ["brackets"]}, "meta task must be a string"),
        ({"tokenizer": 1}, "meta tokenizer is 1"),
        ({"seed": "one"}, "meta seed must be a whole number"),
    ],
)
def test_a_malformed_meta_is_refused_and_playback_goes_on(page, app, change, reason):
    page.click("start")
    page.advance(250)
    app.load_model_file("bad.npz", malformed_file(**change))
    assert page.text("message").startswith("Could not load bad.npz: ")
    assert reason in page.text("message")
    assert app.state == "processing" and app.entry.key == "brackets" and len(page.intervals) == 1
    page.advance(250)
    assert app.step == 2
    check_view(page, app)


def test_any_failure_while_reading_a_file_is_the_file_s_not_the_visualizer_s(
    page, app, monkeypatch
):
    def broken(*args, **options):
        raise KeyError("sizes")

    monkeypatch.setattr(models, "load_weights", broken)
    page.click("start")
    app.load_model_file("odd.npz", b"")
    assert page.text("message") == "Could not load odd.npz: 'sizes'"
    assert app.state == "processing" and len(page.intervals) == 1


def test_a_step_while_playing_from_step_zero_keeps_the_started_tokens(page, app):
    page.click("start")
    page.type_text("sequence", "")
    page.click("step")
    assert app.state == "processing" and app.step == 1 and app.length == 6
    assert len(page.intervals) == 1


# --- long sequences: traced in chunks on the timer ---------------------------------------------

LONG = "(a(b))" * 1000  # 6,000 tokens, over TRACE_AT_ONCE
TICK = playback.TRACE_TICK_MS


def run_tracing(page, app) -> list[str]:
    """Tick until the tracing is over; the status after each tick."""
    shown = []
    while app.state == "tracing":
        assert len(shown) < 1000, "the tracing never ends"
        page.advance(TICK)
        shown.append(page.text("status"))
    return shown


def assert_same_trace(got, want) -> None:
    for a, b in zip(got.layers, want.layers, strict=True):
        for name in ("x", "pre", "i", "f", "g", "o", "c", "h", "h0", "c0"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    if want.logits is None:
        assert got.logits is None
    else:
        np.testing.assert_array_equal(got.logits, want.logits)


def new_weights(app):
    """Other weights for the bracket preset, as training hands them over."""
    model = LSTM.random(3, 4, num_layers=2, vocab_size=len(BRACKETS.vocab), output_size=9, seed=7)
    app.update_weights("brackets", model)


def test_start_on_a_long_text_traces_in_chunks_with_progress_then_plays(page, app):
    assert playback.CHUNK_TOKENS < playback.TRACE_AT_ONCE < len(LONG)
    page.type_text("sequence", LONG)
    page.click("start")
    assert app.state == "tracing" and page.attr("status", "data-state") == "tracing"
    assert page.text("status") == "Tracing 0 / 6,000 tokens…"
    assert page.text("stat-step") == "0 / 6000" and app.trace is None
    assert [entry[1] for entry in page.intervals.values()] == [TICK]
    check_view(page, app)
    shown = run_tracing(page, app)
    chunk = playback.CHUNK_TOKENS
    assert shown == [
        *(f"Tracing {done:,} / 6,000 tokens…" for done in range(chunk, 6000, chunk)),
        "Drawing the panels of 6,000 tokens…",  # shown while the next tick draws them
        "Processing sequence...",
    ]
    assert_same_trace(app.trace, preset_trace(app))
    assert app.state == "processing" and app.step == 0
    assert [entry[1] for entry in page.intervals.values()] == [250]
    page.advance(250)
    assert app.step == 1
    check_view(page, app)


def test_progress_shows_at_every_tick(page, app):
    page.type_text("sequence", LONG)
    page.click("step")
    page.advance(TICK)
    chunk = playback.CHUNK_TOKENS
    assert page.text("status") == f"Tracing {chunk:,} / 6,000 tokens…"
    assert app.state == "tracing" and app.step == 0
    check_view(page, app)
    page.advance(TICK)
    assert page.text("status") == f"Tracing {2 * chunk:,} / 6,000 tokens…"


def test_step_on_a_long_text_traces_then_takes_one_step(page, app):
    page.type_text("sequence", LONG)
    page.click("step")
    assert app.state == "tracing"
    run_tracing(page, app)
    assert app.state == "paused" and app.step == 1 and page.intervals == {}
    assert page.text("stat-token") == "("
    assert_same_trace(app.trace, preset_trace(app))
    check_view(page, app)


def test_the_random_model_traces_a_long_text_in_chunks_exactly(page, app):
    page.choose("model", RANDOM)
    page.type_text("sequence", "the cat sat on the mat " * 500)
    page.click("step")
    assert app.state == "tracing" and app.length == 3000
    run_tracing(page, app)
    model, x, _ = app.inputs_of(app.tokens)
    assert_same_trace(app.trace, model.trace(x))
    assert app.step == 1 and page.text("stat-token") == "the"


def test_clicks_while_tracing_start_no_second_tracing_and_choose_what_follows(page, app):
    page.type_text("sequence", LONG)
    page.click("step")
    for button in ("start", "step", "start", "step", "start"):
        page.click(button)
        assert app.state == "tracing" and app.step == 0
    assert len(page.intervals) == 1
    assert sum(1 for c in page.calls if c[0] == "set_interval") == 1
    page.advance(TICK)
    page.click("start")
    run_tracing(page, app)
    assert app.state == "processing" and len(page.intervals) == 1  # the last click: play


def test_pause_while_tracing_finishes_it_at_step_zero(page, app):
    page.type_text("sequence", LONG)
    page.click("start")
    page.advance(TICK)
    page.click("pause")
    assert app.state == "tracing"
    run_tracing(page, app)
    assert app.state == "ready" and app.step == 0 and page.intervals == {}
    assert app.frames is not None and page.text("stat-step") == "0 / 6000"
    check_view(page, app)
    page.click("start")  # traced already: plays at once
    assert app.state == "processing"


def test_reset_while_tracing_cancels_it(page, app):
    page.type_text("sequence", LONG)
    page.click("start")
    page.advance(2 * TICK)
    page.click("reset")
    assert app.state == "ready" and page.intervals == {} and app.tracing is None
    assert app.trace is None and page.text("stat-step") == "0 / 6000"
    check_view(page, app)
    calls = len(page.calls)
    page.advance(1000)
    assert len(page.calls) == calls  # nothing left running
    page.click("step")
    assert page.text("status") == "Tracing 0 / 6,000 tokens…"  # from the start again


@pytest.mark.parametrize(
    "change",
    [
        lambda page: page.choose("model", RANDOM),
        lambda page: page.choose("example", "1"),
        lambda page: (page.type_text("sequence", "()"), page.fire("sequence", "input")),
    ],
    ids=["model", "example", "text"],
)
def test_a_model_example_or_text_change_cancels_a_tracing(page, app, change):
    page.type_text("sequence", LONG)
    page.click("start")
    page.advance(TICK)
    change(page)
    assert app.state == "ready" and page.intervals == {} and app.tracing is None
    check_view(page, app)
    page.click("start")
    assert app.state == "processing" and app.length < 100


def test_the_cell_size_cancels_a_tracing_of_the_random_model(page, app):
    page.choose("model", RANDOM)
    page.type_text("sequence", "a b " * 2500)
    page.click("start")
    page.slide("cell-size", 5)
    assert app.state == "ready" and page.intervals == {}
    page.click("step")
    run_tracing(page, app)
    assert app.trace.layers[0].h.shape == (5000, 5)


def test_editing_the_text_when_not_tracing_changes_nothing(page, app):
    page.click("start")
    page.advance(250)
    page.type_text("sequence", "()")
    page.fire("sequence", "input")
    assert app.state == "processing" and app.step == 1 and app.length == 6


def test_reset_leaves_a_long_text_untraced_until_start_or_step(page, app):
    page.type_text("sequence", LONG)
    page.click("reset")
    assert app.state == "ready" and app.trace is None and page.intervals == {}
    assert page.text("stat-step") == "0 / 6000" and page.text("message") == ""
    check_view(page, app)
    page.click("step")
    assert app.state == "tracing"


def test_a_traced_long_text_is_not_traced_again(page, app):
    page.type_text("sequence", LONG)
    page.click("step")
    run_tracing(page, app)
    trace = app.trace
    page.click("reset")
    assert app.state == "ready" and app.trace is trace and app.frames is not None
    page.click("start")
    assert app.state == "processing" and app.trace is trace


def test_new_weights_while_tracing_begin_it_again_with_them(page, app):
    page.type_text("sequence", LONG)
    page.click("start")
    page.advance(3 * TICK)
    new_weights(app)
    assert page.text("status") == "Tracing 0 / 6,000 tokens…" and len(page.intervals) == 1
    run_tracing(page, app)
    assert app.state == "processing"
    assert_same_trace(app.trace, preset_trace(app))  # of the new weights
    trace = app.trace
    page.click("reset")
    assert app.trace is trace and app.state == "ready"  # kept as the trace of these weights


def test_new_weights_retrace_a_long_text_in_chunks_at_its_step(page, app):
    page.type_text("sequence", LONG)
    page.click("step")
    run_tracing(page, app)
    page.click("step")
    page.click("step")
    old = app.trace
    new_weights(app)
    assert app.state == "tracing" and app.step == 3 and app.trace is old  # the old one shown
    assert page.text("status") == "Tracing 0 / 6,000 tokens…"
    assert [entry[1] for entry in page.intervals.values()] == [TICK]
    check_view(page, app)
    shown = run_tracing(page, app)
    assert len(shown) == 6000 // playback.CHUNK_TOKENS + 1  # progress at every tick
    assert app.state == "paused" and app.step == 3 and page.intervals == {}
    assert_same_trace(app.trace, preset_trace(app))  # of the new weights
    check_view(page, app)
    page.click("reset")
    assert app.trace is not old and app.state == "ready"  # kept as the trace of these weights


def test_new_weights_while_playing_a_long_text_retrace_then_play_on(page, app):
    page.type_text("sequence", LONG)
    page.click("start")
    run_tracing(page, app)
    page.advance(2 * 250)
    new_weights(app)
    assert app.state == "tracing" and app.step == 2 and len(page.intervals) == 1
    page.click("step")  # clicks while re-tracing choose what follows, as on a first tracing
    page.click("start")
    run_tracing(page, app)
    assert app.state == "processing" and app.step == 2
    assert [entry[1] for entry in page.intervals.values()] == [250]
    page.advance(250)
    assert app.step == 3
    check_view(page, app)


def test_new_weights_retrace_a_short_text_at_once(page, app):
    page.click("step")
    old = app.trace
    new_weights(app)
    assert app.state == "paused" and app.step == 1 and app.trace is not old
    assert_same_trace(app.trace, preset_trace(app))


def test_an_error_while_tracing_stops_it(page, app, monkeypatch):
    page.type_text("sequence", LONG)
    page.click("start")
    monkeypatch.setattr(app_module.Tracer, "run", lambda self, n: 1 / 0)
    page.advance(TICK)
    assert app.state == "error" and page.intervals == {} and app.tracing is None
    assert "ZeroDivisionError" in page.text("message")
    monkeypatch.undo()
    page.click("reset")
    page.click("step")
    run_tracing(page, app)
    assert app.step == 1


# --- the fake itself ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda p: p.set_text("status", np.str_("ready")),
        lambda p: p.set_value("sequence", 3),
        lambda p: p.set_attr("status", "data-state", np.float64(1.0)),
        lambda p: p.set_options("unit", [("0", "Unit 0"), (np.int64(1), "Unit 1")]),
        lambda p: p.set_interval(lambda: None, np.int64(250)),
        lambda p: p.download("m.npz", np.zeros(3, np.uint8), "application/octet-stream"),
        lambda p: p.set_text("no-such-id", "x"),
    ],
)
def test_the_fake_page_refuses_what_the_browser_module_must_never_get(call):
    with pytest.raises(AssertionError):
        call(FakePage())


def test_the_fake_canvas_refuses_numpy_values():
    canvas = FakePage().canvas("states")
    with pytest.raises(TypeError):
        canvas.fill_rect(np.float64(1.0), 0, 1, 1, "#000000")


def test_the_fake_clock_runs_intervals_in_order_and_forgets_cleared_ones():
    page, log = FakePage(), []
    a = page.set_interval(lambda: log.append("a"), 100)
    page.set_interval(lambda: log.append("b"), 150)
    page.advance(300)
    assert log == ["a", "b", "a", "a", "b"] and page.now_ms() == 300.0
    page.clear_interval(a)
    page.advance(150)
    assert log[5:] == ["b"]


# --- pointing, focus, keys (issue 7) ---------------------------------------------------------

def last_labels(canvas) -> list[str]:
    """The strings of the canvas's last texts() call (its latest frame's labels)."""
    return [item[0] for name, args in canvas.calls if name == "texts" for item in args[0]][
        -len(next(args[0] for name, args in reversed(canvas.calls) if name == "texts")):]


def heatmap_point(app, gate: str, unit: int, step: int) -> tuple[float, float]:
    """The centre of a heatmap cell on the page's canvas (step 1-based)."""
    from lstm.draw.heatmap import GATES, PAD, TITLE

    maps = app.frames.shown["heatmaps"]
    t = step - 1
    x = maps.x0 + (maps.edges[t] + maps.edges[t + 1]) / 2
    r0, r1 = maps.unit_rows(unit)
    y = maps.tops[GATES.index(gate)] + TITLE + PAD + (r0 + r1) / 2
    return float(x), float(y)


def test_hover_on_a_heatmap_cell_reads_out_its_token_step_unit_gate_and_value(page, app):
    page.click("step")
    page.click("step")  # two steps revealed
    x, y = heatmap_point(app, "f", 2, 2)
    page.point("heatmaps", "move", x, y)
    value = float(app.trace.layers[0].f[1, 2])
    strings = page.overlays["heatmaps"].strings()
    assert strings == ["token 'a'", "step 2", "unit 2", "gate f", f"f = {value:.4f}"]
    assert page.cursors["heatmaps"] is True
    assert not [c for c in page.canvases["heatmaps"].calls if c[0] == "clear"]  # panel untouched
    page.point("heatmaps", "leave")
    assert page.overlays["heatmaps"].calls[-1] == ("clear", ())
    assert page.cursors["heatmaps"] is False


def point_everywhere(page) -> None:
    for canvas in REGISTRY:
        for kind in ("move", "click", "leave"):
            for x, y in ((450, 100), (5, 5), (-3, 900)):
                page.point(canvas, kind, x, y)


def test_pointing_at_nothing_never_fails_before_during_or_after_a_trace(page, app):
    page.type_text("sequence", "(" * (playback.TRACE_AT_ONCE + 10))
    page.click("reset")
    point_everywhere(page)  # no trace yet: nothing to read, nothing to click
    for key in ("ArrowLeft", "Home", "End", "[", "]"):
        page.press(key)
    assert app.state == "ready" and app.trace is None and page.text("message") == ""
    page.click("start")
    assert app.state == "tracing"
    point_everywhere(page)
    page.press("End")
    assert app.state == "tracing" and page.text("message") == ""
    page.type_text("sequence", "(a(b))")
    page.click("reset")
    page.click("step")
    x, y = heatmap_point(app, "i", 0, 1)
    page.point("heatmaps", "move", x + 800, y)  # right of the cells
    page.point("heatmaps", "move", -5, -5)
    page.point("heatmaps", "move", heatmap_point(app, "i", 0, 5)[0], y)  # a step not revealed
    assert "heatmaps" not in page.overlays or page.overlays["heatmaps"].strings() == []
    assert app.state == "paused" and page.text("message") == ""


def test_a_click_on_a_cell_focuses_its_unit_and_step_everywhere_and_pauses(page, app):
    page.click("start")
    page.advance(250 * 5)
    assert app.state == "processing"
    x, y = heatmap_point(app, "o", 3, 2)
    page.point("heatmaps", "click", x, y)
    assert app.state == "paused" and app.step == 2 and app.view.focus.unit == 3
    assert app.view.focus.gate == "o" and page.values["colour-by"] == "o"
    assert page.values["unit"] == "3"  # the unit menu follows
    assert app.view.reached >= 5  # the columns already shown stay
    caption = "layer 1 of 2 · unit 3 (units 0-3) · token 2 of 6"
    assert caption in last_labels(page.canvases["diagram"])
    assert page.text("stat-step") == "2 / 6"


def test_a_click_on_a_token_jumps_to_it_and_pauses(page, app):
    page.click("start")
    page.advance(250 * 6)
    assert app.state == "complete"
    text = app.frames.shown["tokentext"]
    hits = [(x, y) for x in range(0, 900, 3) for y in range(0, 220, 4)
            if (h := text.hit(x, y)) is not None and h.step == 3]
    assert hits, "token 3 is drawn somewhere"
    page.point("tokentext", "click", *hits[0])
    assert app.step == 3 and app.state == "paused"


def test_clicking_a_recurrent_term_walks_back_one_step(page, app):
    page.click("start")
    page.advance(250 * 6)
    page.press("]")  # unit 0
    eq = app.frames.shown["equations"]
    targets = [(x, y, h) for x in range(0, 900, 4) for y in range(0, 310, 3)
               if (h := eq.hit(x, y)) is not None and h.action == "focus"]
    assert targets
    x, y, hit = targets[0]
    page.point("equations", "click", x, y)
    assert app.view.focus.unit == hit.unit and app.step == 5


def test_keys_play_step_back_and_forth_and_pick_units(page, app):
    page.press(" ")
    assert app.state == "processing"
    page.advance(250)
    page.press(" ")
    assert app.state == "paused" and app.step == 1
    page.press("End")
    assert app.step == 6 and app.state == "complete"
    page.press("ArrowLeft")
    page.press("ArrowLeft")
    assert app.step == 4 and app.state == "paused" and app.view.reached == 6
    page.press("ArrowRight")
    assert app.step == 5
    page.press("Home")
    assert app.step == 1
    page.press("[")  # from the mean: the last unit
    assert app.view.focus.unit == 3 and page.values["unit"] == "3"
    page.press("]")
    assert app.view.focus.unit == 0
    page.press("?")
    assert "Space: play / pause" in page.text("message")
    page.press("r")
    assert app.step == 0 and app.state == "ready"


def test_keys_at_the_ends_stay_at_the_ends(page, app):
    page.press("ArrowLeft")
    assert app.state == "ready" and app.step == 0
    page.press("ArrowRight")  # the first step, as the Step button
    assert app.step == 1
    page.press("End")
    page.press("ArrowRight")
    assert app.step == 6 and app.state == "complete"


def test_every_canvas_says_the_focused_values_in_words(page, app):
    page.click("step")
    page.press("]")
    label = page.attr("diagram", "aria-label")
    values = app.trace.layers[0]
    assert "step 1 of 6" in label and "unit 0" in label
    assert f"f = {values.f[0, 0]:.4f}" in label and f"h = {values.h[0, 0]:+.4f}" in label
    assert all(page.attr(p, "aria-label") for p in REGISTRY)


def test_back_steps_back_keeping_what_was_revealed(page, app):
    page.click("back")  # nothing to go back to
    assert app.step == 0 and app.state == "ready"
    page.click("start")
    page.advance(250 * 4)
    page.click("back")
    assert app.step == 3 and app.state == "paused" and app.view.reached == 4
    assert page.text("stat-step") == "3 / 6"
    for _ in range(5):
        page.click("back")
    assert app.step == 1  # the first step is as far back as it goes


def test_the_costly_panel_follows_once_the_page_has_painted(page, app):
    page.click("step")
    gradflow = page.canvases["gradflow"]
    before = gradflow.count()
    app.next_unit(1)  # a change made in a handler: the costly panel waits for the paint
    assert gradflow.count() == before and len(page.laters) == 1
    app.next_unit(1)
    app.next_unit(1)  # many changes before one paint: one deferred drawing
    assert len(page.laters) == 1
    page.run_later()
    assert gradflow.count() > before and not page.laters


def test_a_preset_says_what_it_learnt(page, tmp_path):
    model, meta = modelfile.load_model(Path(__file__).resolve().parent.parent
                                       / "assets/models/brackets.npz")
    (tmp_path / "brackets.npz").write_bytes(modelfile.model_bytes(model, meta))
    start(page, tmp_path)
    said = page.text("model-info")
    assert said == meta["description"] and "1,000-character strings" in said


def test_a_model_gets_back_the_text_last_shown_with_it(page, app):
    page.type_text("sequence", "((a)(b))")
    page.click("reset")
    page.choose("model", RANDOM)
    assert page.values["sequence"] == models.RANDOM_EXAMPLES[0][1]
    page.choose("model", "brackets")
    assert page.values["sequence"] == "((a)(b))" and app.length == 8


def test_a_pointer_at_no_number_is_nothing(page, app):
    page.click("step")
    for x, y in ((float("nan"), 10.0), (float("inf"), 10.0), (10.0, float("-inf"))):
        for kind in ("move", "click"):
            page.point("heatmaps", kind, x, y)
    assert app.state == "paused" and page.text("message") == ""
