"""The training panel's controller (lstm/ui/training.py) against the recording FakePage."""

import numpy as np
import pytest

from lstm import modelfile
from lstm.tasks import TASKS
from lstm.train import Trainer
from lstm.ui import training as train_panel
from lstm.ui.app import start
from lstm.ui.playback import TRACE_TICK_MS
from lstm.ui.training import (
    EVALUATE_DELAY_MS,
    EVALUATING,
    FOLLOW_TOKENS,
    RETRACE_EVERY,
    STEPS,
    TICK_MS,
    TRAINED,
)
from tests.fakes import FakePage
from tests.test_app import page_values, preset_bytes


@pytest.fixture
def page():
    return FakePage(page_values(**{
        "train-task": "brackets", "train-hidden": "8", "train-lr": "0.01", "train-batch": "4",
    }))


@pytest.fixture
def app(page, tmp_path, monkeypatch):
    monkeypatch.setattr(train_panel, "MAX_SLICE_STEPS", 2)  # two steps per tick,
    monkeypatch.setattr(train_panel, "SLICE_SECONDS", None)  # not limited by the clock
    (tmp_path / "brackets.npz").write_bytes(preset_bytes())
    return start(page, tmp_path)


def test_idle_panel(page, app):
    assert [v for v, _ in page.options["train-task"]] == list(TASKS)
    assert page.text("train-status") == "Not started"
    assert page.attr("train-status", "data-state") == "idle"
    assert page.attr("train-progress", "value") == "0"
    assert page.attr("train-progress", "max") == str(STEPS)
    assert "appear here" in " ".join(page.canvases["loss"].strings())


def test_training_runs_in_slices_and_the_visualizer_shows_the_model(page, app):
    page.click("train-start")
    panel = app.train
    assert panel.state == "training" and page.text("train-status") == "Training…"
    assert [entry[1] for entry in page.intervals.values()] == [TICK_MS]
    assert panel.trainer.hidden_size == 8 and panel.trainer.batch_size == 4
    assert app.entry.key == TRAINED and page.values["model"] == TRAINED
    assert page.values["sequence"] == TASKS["brackets"].example
    assert page.text("cell-size-value") == "8 units, as trained"
    page.advance(3 * TICK_MS)
    assert panel.steps == 6
    assert page.attr("train-progress", "value") == "6"
    assert page.text("train-rate") == f"6 / {STEPS} steps · 33.3 steps/s"
    canvas = page.canvases["loss"]
    assert canvas.count("stroke_path") >= 3  # axes, raw loss, smoothed loss (and accuracy)
    assert any(s.startswith("loss") for s in canvas.strings())


def test_the_gate_views_follow_the_weights(page, app):
    page.click("train-start")
    page.click("step")
    page.click("step")
    before = app.trace.layers[0].h.copy()
    page.advance(RETRACE_EVERY * TICK_MS)
    assert app.step == 2 and app.state == "paused"
    assert not np.array_equal(app.trace.layers[0].h, before)
    expected = app.train.trainer.model().trace(app.entry.vocab.encode(app.tokens)[0])
    np.testing.assert_allclose(app.trace.layers[0].h, expected.layers[0].h)
    k = app.step
    assert page.text("stat-hidden-norm") == f"{np.linalg.norm(expected.layers[0].h[k - 1]):.2f}"


def test_a_long_sequence_follows_the_weights_only_on_pause(page, app):
    page.click("train-start")
    page.type_text("sequence", "(ab)" * (FOLLOW_TOKENS // 4 + 1))
    page.click("step")
    while app.state == "tracing":  # over TRACE_AT_ONCE tokens: traced a chunk per tick first
        page.advance(TRACE_TICK_MS)
    before = app.trace
    page.advance(RETRACE_EVERY * TICK_MS)
    assert app.trace is before
    page.click("train-pause")  # re-traced in chunks, not in one blocking call
    assert app.state == "tracing" and app.trace is before and app.step == 1
    while app.state == "tracing":
        page.advance(TRACE_TICK_MS)
    assert app.trace is not before and app.step == 1 and app.state == "paused"
    expected = app.train.trainer.model().trace(app.entry.vocab.encode(app.tokens)[0])
    np.testing.assert_array_equal(app.trace.layers[0].h, expected.layers[0].h)


def test_playing_and_training_together(page, app):
    page.click("train-start")
    page.click("start")
    page.advance(20 * TICK_MS)
    assert app.state in ("processing", "complete") and app.step > 0
    assert app.train.steps > 0
    app_timers = 1 if app.state == "processing" else 0
    assert len(page.intervals) == 1 + app_timers


def test_pause_resume_and_reset(page, app):
    page.click("train-start")
    page.advance(2 * TICK_MS)
    page.click("train-pause")
    panel = app.train
    assert panel.state == "paused" and page.intervals == {} and panel.steps == 4
    page.advance(10 * TICK_MS)
    assert panel.steps == 4
    trainer = panel.trainer
    page.click("train-start")
    page.click("train-start")  # ignored while training
    assert len(page.intervals) == 1 and panel.trainer is trainer
    page.advance(TICK_MS)
    assert panel.steps == 6
    page.click("train-reset")
    assert panel.trainer is None and page.intervals == {}
    assert page.text("train-status") == "Not started"
    assert page.attr("train-progress", "value") == "0"
    assert TRAINED in app.entries  # the trained model stays playable


def test_a_run_ends_at_its_planned_steps_and_can_continue(page, app):
    page.click("train-start")
    app.train.target = 5
    page.advance(10 * TICK_MS)
    panel = app.train
    assert panel.state == "done" and panel.steps == 5 and page.intervals == {}
    assert page.text("train-status").startswith("Done: 5 steps")
    assert app.entry.version > 0
    page.click("train-start")
    assert panel.state == "training" and panel.target == 5 + STEPS


def test_a_diverging_run_stops_and_keeps_the_last_good_weights(page, app):
    page.click("train-start")
    page.advance(TICK_MS)
    panel = app.train
    version = app.entry.version
    panel.trainer.flat[0] = np.nan  # the next batch's loss is NaN
    page.advance(TICK_MS)
    assert panel.state == "diverged" and page.intervals == {}
    assert "diverged" in page.text("train-status")
    assert np.isfinite(panel.trainer.flat).all()
    assert app.entry.version == version + 1 and app.state != "error"  # the kept weights shown
    assert all(np.isfinite(p).all() for p in app.entry.model.params.values())
    page.click("train-start")
    assert panel.state == "diverged" and "Reset" in page.text("train-status")
    page.click("train-reset")
    page.click("train-start")
    assert panel.state == "training"


def test_an_unexpected_error_stops_training_with_a_message(page, app, monkeypatch):
    page.click("train-start")
    monkeypatch.setattr(app.train.trainer, "run", lambda *args, **kw: 1 / 0)
    page.advance(TICK_MS)
    assert app.train.state == "error" and page.intervals == {}
    assert "ZeroDivisionError" in page.text("train-status")
    page.click("train-start")
    assert page.intervals == {}
    page.click("train-reset")
    page.click("train-start")
    assert app.train.state == "training"


def test_a_visualizer_error_while_following_does_not_stop_training(page, app, monkeypatch):
    page.click("train-start")
    monkeypatch.setattr(app, "retrace", lambda: 1 / 0)
    page.advance(RETRACE_EVERY * TICK_MS)
    assert app.train.state == "training" and app.state == "error"
    assert "ZeroDivisionError" in page.text("message")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("train-lr", "5", "lr=5.0 is out of range"),
        ("train-lr", "fast", "lr='fast' is not a number"),
        ("train-batch", "0", "batch_size=0 is out of range"),
        ("train-batch", "2.5", "batch_size='2.5' is not a whole number"),
        ("train-hidden", "1e3", "hidden_size='1e3' is not a whole number"),
        ("train-hidden", "100000", "hidden_size=100000 is out of range"),
        ("train-task", "chess", "unknown task 'chess'"),
    ],
)
def test_hyperparameters_out_of_range_are_refused(page, app, field, value, words):
    page.values[field] = value
    page.click("train-start")
    assert app.train.state == "idle" and app.train.trainer is None and page.intervals == {}
    assert words in page.text("train-status")
    assert page.text("train-status").startswith("Cannot train: ")


def test_download_and_load_back(page, app):
    page.click("train-download")
    assert page.downloads == [] and "Train a model first" in page.text("train-status")
    page.click("train-start")
    page.advance(TICK_MS)
    page.click("train-pause")
    page.click("train-download")
    page.advance(EVALUATE_DELAY_MS)
    (name, data, mime), = page.downloads
    assert name == "brackets-h8-2steps.npz" and mime == "application/octet-stream"
    model, meta = modelfile.load_model(data)
    assert meta["task"] == "brackets" and meta["steps"] == 2 and "accuracy" in meta["metrics"]
    assert model.hidden_size == 8
    app.load_model_file(name, data)
    assert app.entry.key == f"file:{name}" and app.entry.model.hidden_size == 8
    assert page.values["sequence"] == TASKS["brackets"].example
    page.click("step")
    assert app.step == 1


def test_download_says_it_evaluates_first_and_keeps_the_metrics(page, app, monkeypatch):
    evaluations = []
    evaluate = Trainer.evaluate
    monkeypatch.setattr(
        Trainer, "evaluate", lambda t: evaluations.append(len(t.history)) or evaluate(t)
    )
    page.click("train-start")
    page.advance(TICK_MS)
    page.click("train-pause")
    page.click("train-download")
    assert page.downloads == [] and evaluations == []  # the page shows the status first
    assert page.text("train-status") == EVALUATING and len(page.intervals) == 1
    page.click("train-download")  # a second click while it waits adds nothing
    assert len(page.intervals) == 1
    page.advance(EVALUATE_DELAY_MS)
    assert [d[0] for d in page.downloads] == ["brackets-h8-2steps.npz"] and evaluations == [2]
    assert page.intervals == {}
    assert page.text("train-status").startswith("Paused · saved brackets-h8-2steps.npz, held-out")
    page.click("train-download")  # the same weights: at once, without evaluating again
    assert len(page.downloads) == 2 and evaluations == [2] and page.intervals == {}
    metas = [modelfile.load_model(data)[1] for _, data, _ in page.downloads]
    assert metas[0]["metrics"] == metas[1]["metrics"]
    page.click("train-start")
    page.advance(TICK_MS)
    page.click("train-pause")
    page.click("train-download")  # new weights: evaluated again
    assert len(page.downloads) == 2 and page.text("train-status") == EVALUATING
    page.advance(EVALUATE_DELAY_MS)
    assert page.downloads[-1][0] == "brackets-h8-4steps.npz" and evaluations == [2, 4]


def test_reset_cancels_a_download_waiting_for_its_evaluation(page, app):
    page.click("train-start")
    page.advance(TICK_MS)
    page.click("train-pause")
    page.click("train-download")
    page.click("train-reset")
    assert page.intervals == {}
    page.advance(EVALUATE_DELAY_MS)
    assert page.downloads == [] and page.text("train-status") == "Not started"
