"""The shipped presets: their long-input figures hold on fresh strings, their meta says what
they learnt, and the README records the command that made each."""

from pathlib import Path

import numpy as np
import pytest

from lstm.modelfile import load_model
from lstm.tasks import get_task
from lstm.train import counter_unit, description, scores

MODELS = Path(__file__).parent.parent / "assets" / "models"
PRESETS = sorted(MODELS.glob("*.npz"))
FRESH = 4  # sequences per long test: a few, so the test stays quick


def preset_with(path: Path, field: str):
    """The preset's model, meta and task, skipping the test when its task has no `field`."""
    model, meta = load_model(path)
    task = get_task(meta["task"])
    if getattr(task, field) is None:
        pytest.skip(f"{task.name} has no {field}")
    return model, meta, task


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_long_inputs_hold_on_fresh_strings(path):
    model, meta, task = preset_with(path, "long")
    metrics = meta["metrics"]
    assert metrics["long_test"] == task.long.about
    assert metrics["long_accuracy"] >= task.long.goal
    fresh = task.long.make(np.random.default_rng(2026), FRESH)
    assert not np.array_equal(fresh[0], task.long_heldout()[0][:FRESH])
    _, right, counted, _ = scores(model.params, fresh)
    assert right / counted >= task.long.goal, f"{right} of {counted} steps right"


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_meta_describes_what_the_preset_learnt(path):
    _, meta = load_model(path)
    assert meta["description"] == description(get_task(meta["task"]), meta["metrics"])
    if "long_test" in meta["metrics"]:
        assert meta["metrics"]["long_test"] in meta["description"]


def test_readme_records_the_command_of_every_preset():
    readme = (MODELS / "README.md").read_text(encoding="utf-8")
    for path in PRESETS:
        _, meta = load_model(path)
        assert meta["command"].endswith(f" --out assets/models/{path.name}")
        assert f"`OPENBLAS_NUM_THREADS=1 {meta['command']}`" in readme, path.name


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_the_counting_presets_count_with_the_unit_their_meta_names(path):
    model, meta, task = preset_with(path, "count")
    found = counter_unit(task, model)
    assert {key: meta["metrics"][key] for key in found} == found
    assert abs(found["counter_r"]) >= 0.95
