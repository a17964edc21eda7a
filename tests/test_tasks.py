"""Tasks: deterministic per seed, well-formed batches, and learnable in a short run."""

import subprocess
import sys

import numpy as np
import pytest

from lstm import tasks
from lstm.tasks import TASKS, get_task
from lstm.train import Trainer


@pytest.mark.parametrize("name", TASKS)
def test_batches_are_deterministic_per_seed(name):
    task = get_task(name)
    a = task.batch(np.random.default_rng(7), 6)
    b = task.batch(np.random.default_rng(7), 6)
    c = task.batch(np.random.default_rng(8), 6)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])
    fresh = task.make_heldout(np.random.default_rng(tasks.HELDOUT_SEED), tasks.HELDOUT_SIZE)
    for x, y in zip(task.heldout(), fresh, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("name", TASKS)
def test_the_held_out_set_is_made_once_and_read_only(name, monkeypatch):
    task = get_task(name)
    calls = []

    def counted(rng, size):
        calls.append(size)
        return task.make_heldout(rng, size)

    made = tasks.Task(**{**vars(task), "make_heldout": counted})
    monkeypatch.setattr(tasks, "HELDOUT", {})
    first = made.heldout()
    assert made.heldout() is first and len(calls) == 1
    for array in first:
        assert not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            array[0, 0] = 1


@pytest.mark.parametrize("name", TASKS)
def test_batches_are_well_formed(name):
    task = get_task(name)
    inputs, targets, mask = task.batch(np.random.default_rng(0), 16)
    assert inputs.shape == targets.shape == mask.shape and inputs.shape[0] == 16
    assert inputs.min() >= 0 and inputs.max() < len(task.vocab)
    assert targets.min() >= 0 and targets.max() < len(task.labels)
    assert set(np.unique(mask)) <= {0.0, 1.0} and mask.sum(1).min() >= 1
    if task.next_token:
        counted = mask[:, :-1] > 0
        np.testing.assert_array_equal(targets[:, :-1][counted], inputs[:, 1:][counted])


@pytest.mark.parametrize("name", TASKS)
def test_example_is_in_the_vocabulary(name):
    task = get_task(name)
    assert len(task.encode(task.example)) == len(task.example)


def test_unknown_task_is_refused():
    with pytest.raises(ValueError, match="unknown task 'nope': choose one of brackets"):
        get_task("nope")


def test_bracket_targets_are_the_running_depth():
    task = get_task("brackets")
    inputs, targets, mask = task.batch(np.random.default_rng(1), 64)
    step = np.select([inputs == 0, inputs == 1], [1, -1], 0)
    np.testing.assert_array_equal(targets, np.cumsum(step, axis=1))
    assert targets.min() == 0 and targets.max() <= tasks.MAX_DEPTH
    assert len(set(mask.sum(1))) > 1  # unequal lengths


def test_recall_asks_for_the_capital_after_the_delay():
    task = get_task("recall")
    q = task.vocab.index("?")
    for inputs, targets, mask, (lo, hi) in (
        (*task.batch(np.random.default_rng(2), 64), (1, tasks.TRAIN_DELAY)),
        (*task.heldout(), tasks.HELDOUT_DELAY),
    ):
        capital = inputs >= len(tasks.NOISE)
        capital &= inputs != q
        assert (capital.sum(1) == 1).all()
        at, ask = capital.argmax(1), mask.argmax(1)
        assert (inputs[np.arange(len(inputs)), ask] == q).all()
        assert ((ask - at - 1 >= lo) & (ask - at - 1 <= hi)).all()
        rows = np.arange(len(inputs))
        np.testing.assert_array_equal(
            targets[rows, ask], inputs[rows, at] - len(tasks.NOISE)
        )
        assert mask.sum() == len(inputs)
    assert tasks.HELDOUT_DELAY[0] >= 20


def test_alice_heldout_is_the_end_of_the_text():
    task = get_task("alice")
    inputs, targets, mask = task.heldout()
    text = np.array([task.vocab.index(ch) for ch in tasks.TEXT.read_text(encoding="utf-8")])
    end = text[tasks.SPLIT :]
    np.testing.assert_array_equal(inputs.reshape(-1), end[: inputs.size])
    np.testing.assert_array_equal(targets.reshape(-1), end[1 : inputs.size + 1])
    assert mask.all()


# name: (hidden size, steps, lr); each runs in about a second on one core.
SHORT_RUNS = {"brackets": (16, 200, 0.02), "recall": (16, 150, 0.02), "anbn": (8, 150, 0.02),
              "alice": (32, 100, 0.02)}


@pytest.mark.parametrize("name", TASKS)
def test_each_task_is_learnable_in_a_short_run(name):
    task = get_task(name)
    hidden, steps, lr = SHORT_RUNS[name]
    trainer = Trainer(task, hidden_size=hidden, lr=lr, batch_size=32, seed=0)
    before = trainer.evaluate()
    trainer.run(steps)
    after = trainer.evaluate()
    assert after["loss_nats"] < 0.7 * before["loss_nats"]
    chance = 1 / len(task.labels)
    assert after["accuracy"] > max(2 * chance, before["accuracy"] + 0.1)
    if name == "alice":
        assert after["bits_per_token"] < after["unigram_bits_per_token"]


def test_tasks_hold_data_only_and_import_no_training_code():
    code = "import sys, lstm.tasks; sys.exit('lstm.train' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.parametrize("name", TASKS)
def test_targets_of_a_text_are_what_the_generator_gives_it(name):
    task = get_task(name)
    for inputs, targets, mask in (task.batch(np.random.default_rng(5), 16), task.heldout()):
        for r in range(8):
            text = "".join(task.vocab[j] for j in inputs[r])
            got, known = task.targets_of(text)
            counted = (mask[r] > 0) & (known > 0)
            np.testing.assert_array_equal(got[counted], targets[r][counted])
            if name == "brackets":  # the generator counts a random length, the depth is known
                assert known.all()
            elif name == "alice":  # every next character is known, but the last one's
                np.testing.assert_array_equal(known, np.r_[np.ones(len(text) - 1), 0])
            else:
                np.testing.assert_array_equal(known, mask[r])


@pytest.mark.parametrize(("name", "text", "targets", "mask"), [
    ("brackets", "(a))((", [1, 1, 0, 0, 0, 1], [1, 1, 1, 0, 1, 1]),
    ("recall", "a?Bab?c?Da?", [0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 3], [0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1]),
    ("anbn", "aabbbab.abb", [0, 0, 1, 2, 0, 0, 2, 0, 0, 2, 0], [0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0]),
    ("alice", "Alé.", ["l", None, ".", None], [1, 0, 1, 0]),  # é is unknown: no target
])
def test_targets_of_any_text(name, text, targets, mask):
    task = get_task(name)
    targets = [task.vocab.index(t) if isinstance(t, str) else t or 0 for t in targets]
    got, known = task.targets_of(text)
    np.testing.assert_array_equal(known, mask)
    np.testing.assert_array_equal(got[known > 0], np.array(targets)[np.array(mask) > 0])
