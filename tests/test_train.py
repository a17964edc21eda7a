"""Backpropagation through time against finite differences and torch; Adam, clipping, Trainer."""

from pathlib import Path

import numpy as np
import pytest

from lstm.cli import main
from lstm.model import LSTM
from lstm.modelfile import load_model
from lstm.tasks import get_task
from lstm.train import (
    LIMITS,
    Adam,
    Trainer,
    TrainingError,
    clip_gradients,
    cross_entropy,
    flat_views,
    forward,
    forward_backward,
    gradients,
    masked_targets,
)

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "train").glob("train_*.npz"))
PRESETS = sorted((Path(__file__).parent.parent / "assets" / "models").glob("*.npz"))


def random_case(layers: int, embed: bool, seed: int = 0):
    """Float64 parameters and a masked batch of unequal lengths."""
    rng = np.random.default_rng(seed)
    V, E, H, n_out, B, T = 5, 3, 4, 6, 3, 7
    init = LSTM.random(E, H, layers, vocab_size=V if embed else None, output_size=n_out, seed=seed)
    params = {name: p * 2.0 for name, p in init.params.items()}  # larger: gates not all near 0.5
    inputs = rng.integers(0, V, (B, T)) if embed else rng.standard_normal((B, T, E))
    targets = rng.integers(0, n_out, (B, T))
    mask = np.ones((B, T))
    mask[1, 5:] = 0
    mask[2, 2:] = 0
    return params, inputs, targets, mask


def loss_only(params, inputs, targets, mask, drops=None) -> float:
    logits, _ = forward(params, inputs, drops=drops)
    tgt, weights = masked_targets(targets, mask, np.float64)
    return cross_entropy(logits, tgt, weights)[0]


def random_drops(layers: int, inputs: np.ndarray, H: int = 4) -> list[np.ndarray]:
    """Dropout arrays (T, B, H) per layer: half the units dropped, the others doubled."""
    rng = np.random.default_rng(9)
    shape = (inputs.shape[1], inputs.shape[0], H)
    return [2.0 * (rng.random(shape) < 0.5) for _ in range(layers)]


@pytest.mark.parametrize(("layers", "embed", "dropout"),
                         [(1, True, False), (2, True, False), (1, False, False), (2, False, False),
                          (1, True, True), (2, False, True)])
def test_gradients_match_finite_differences(layers, embed, dropout):
    params, inputs, targets, mask = random_case(layers, embed, seed=layers)
    drops = random_drops(layers, inputs) if dropout else None
    _, grads = gradients(params, inputs, targets, mask, drops)
    eps = 1e-5
    for name, p in params.items():
        numeric = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            keep = p[idx]
            p[idx] = keep + eps
            up = loss_only(params, inputs, targets, mask, drops)
            p[idx] = keep - eps
            down = loss_only(params, inputs, targets, mask, drops)
            p[idx] = keep
            numeric[idx] = (up - down) / (2 * eps)
        scale = max(np.abs(numeric).max(), 1e-3)
        error = np.abs(numeric - grads[name]).max() / scale
        assert error <= 1e-6, f"{name}: relative error {error:.2e}"


def test_dropout_changes_the_loss_and_none_drops_nothing():
    params, inputs, targets, mask = random_case(2, True)
    ones = [np.ones_like(d) for d in random_drops(2, inputs)]
    plain = loss_only(params, inputs, targets, mask)
    assert loss_only(params, inputs, targets, mask, ones) == plain
    assert loss_only(params, inputs, targets, mask, random_drops(2, inputs)) != plain


def test_trainer_dropout_keeps_the_batches_and_changes_the_run():
    runs = [Trainer(get_task("anbn"), hidden_size=4, batch_size=4, dropout=p) for p in (0, 0.5)]
    for trainer in runs:
        trainer.run(3)
    assert runs[1].rng.random() == runs[0].rng.random()  # the same data stream
    assert not np.array_equal(runs[0].flat, runs[1].flat)


def test_annealing_lowers_the_learning_rate_to_a_tenth():
    trainer = Trainer(get_task("anbn"), hidden_size=4, lr=0.01, anneal=100)
    rates = [trainer.lr_at(n) for n in (1, 51, 101, 500)]
    assert rates == pytest.approx([0.01, 0.0055, 0.001, 0.001])
    trainer.run(2)
    assert trainer.adam.lr == trainer.lr_at(2) < 0.01
    assert Trainer(get_task("anbn"), hidden_size=4, lr=0.01).lr_at(10**6) == 0.01


def test_masked_steps_do_not_matter():
    params, inputs, targets, mask = random_case(2, True)
    loss, grads = gradients(params, inputs, targets, mask)
    changed = targets.copy()
    changed[mask == 0] = (changed[mask == 0] + 1) % 6
    inputs2 = inputs.copy()
    inputs2[2, 3:] = (inputs2[2, 3:] + 1) % 5  # after the end of sequence 2 (its length is 2)
    loss2, grads2 = gradients(params, inputs2, changed, mask)
    assert loss2 == pytest.approx(loss, rel=1e-12)
    for name in grads:
        np.testing.assert_allclose(grads2[name], grads[name], rtol=1e-10, atol=1e-14)


def test_all_zero_mask_is_refused():
    params, inputs, targets, mask = random_case(1, True)
    with pytest.raises(ValueError, match="mask"):
        gradients(params, inputs, targets, np.zeros_like(mask))


def test_torch_fixtures_are_present():
    assert len(FIXTURES) >= 4, "run: python tools/fixtures_train.py"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_loss_and_gradients_match_torch(path):
    ref = np.load(path)
    params = {n: ref[n] for n in ref.files if f"grad_{n}" in ref.files}
    loss, grads = gradients(params, ref["inputs"], ref["targets"], ref["mask"])
    assert loss == pytest.approx(float(ref["loss"]), rel=1e-12)
    for name in params:
        np.testing.assert_allclose(grads[name], ref[f"grad_{name}"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_adam_with_clipping_matches_torch(path):
    ref = np.load(path)
    names = [n for n in ref.files if f"grad_{n}" in ref.files]
    flat, params = flat_views({n: ref[n].shape for n in names}, np.float64)
    flat_grad, grads = flat_views({n: ref[n].shape for n in names}, np.float64)
    for n in names:
        params[n][...] = ref[n]
    adam = Adam(flat, float(ref["lr"]))
    for _ in range(int(ref["adam_steps"])):
        forward_backward(params, ref["inputs"], ref["targets"], ref["mask"], grads)
        clip_gradients(flat_grad, float(ref["clip"]))
        adam.update(flat_grad)
    for n in names:
        np.testing.assert_allclose(params[n], ref[f"after_{n}"], rtol=1e-9, atol=1e-12)


def test_clip_gradients_scales_only_above_the_limit():
    g = np.array([3.0, 4.0])
    assert clip_gradients(g, 10.0) == pytest.approx(5.0)
    np.testing.assert_array_equal(g, [3.0, 4.0])
    assert clip_gradients(g, 1.0) == pytest.approx(5.0)
    assert np.linalg.norm(g) == pytest.approx(1.0, rel=1e-5)


def test_adam_first_step_moves_each_weight_by_lr():
    flat = np.zeros(3)
    Adam(flat, 0.1).update(np.array([2.0, -0.5, 1e-3]))
    np.testing.assert_allclose(flat, [-0.1, 0.1, -0.1], rtol=1e-4)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("hidden_size", 0),
        ("hidden_size", 513),
        ("hidden_size", 8.5),
        ("num_layers", 5),
        ("embed_size", 0),
        ("lr", 0.0),
        ("lr", 2.0),
        ("lr", float("nan")),
        ("batch_size", 0),
        ("batch_size", 4096),
        ("clip", -1.0),
        ("batch_size", True),
    ],
)
def test_out_of_range_hyperparameters_are_refused(name, value):
    low, high, _ = LIMITS[name]
    with pytest.raises(ValueError, match=rf"^{name}=.* is out of range: .*{low}, {high}\]"):
        Trainer(get_task("anbn"), **{name: value})


def test_trainer_keeps_history_and_its_model_matches_the_training_forward():
    task = get_task("brackets")
    trainer = Trainer(task, hidden_size=8, batch_size=4, seed=3)
    records = trainer.run(5)
    assert [r.step for r in records] == [1, 2, 3, 4, 5]
    assert trainer.history == records
    assert all(np.isfinite(r.loss) and 0 <= r.accuracy <= 1 for r in records)
    model = trainer.model()
    inputs, _, _ = task.batch(np.random.default_rng(0), 2)
    logits, _ = forward(model.params, inputs)  # (T*B, O), time-major
    T = inputs.shape[1]
    trace = model.trace(inputs[1])
    np.testing.assert_allclose(trace.logits, logits.reshape(T, 2, -1)[:, 1], atol=1e-10)


def test_presets_are_present():
    assert {p.stem for p in PRESETS} >= {"alice", "anbn", "brackets", "recall"}


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_training_forward_equals_the_page_trace_on_every_preset(path):
    """One forward pass in two implementations (train.forward batched and time-major, gates
    i, f, o, g; LSTM.trace one sequence, gates i, f, g, o): every gate, state and logit agrees."""
    model, meta = load_model(path)
    task = get_task(meta["task"])
    held_out = task.heldout()[0]
    for ids in (task.encode(meta["example"]), held_out[0], held_out[1]):
        trace = model.trace(ids)
        logits, saved = forward(model.params, ids[None])
        np.testing.assert_allclose(logits, trace.logits, rtol=0, atol=1e-12)
        for layer, (_, _, _, acts, cs, hs, _) in zip(trace.layers, saved[2:], strict=True):
            i, f, o, g = acts[:, :, 0].transpose(1, 0, 2)
            for ours, theirs in ((i, layer.i), (f, layer.f), (g, layer.g), (o, layer.o),
                                 (cs[1:, 0], layer.c), (hs[1:, 0], layer.h)):
                np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_run_stops_after_the_time_slice():
    trainer = Trainer(get_task("anbn"), hidden_size=4, batch_size=2)
    assert len(trainer.run(1000, seconds=0.0)) == 1


def test_a_diverging_run_stops_and_keeps_the_last_good_weights():
    trainer = Trainer(get_task("anbn"), hidden_size=4, batch_size=4)
    trainer.run(2)
    used_by_step_3 = trainer.flat.copy()
    trainer.step()
    trainer.params["out_weight"][0, 0] = np.inf  # as if step 3's update had blown up
    with pytest.raises(TrainingError, match="diverged at step 4"):
        trainer.step()
    assert trainer.diverged and "smaller learning rate" in trainer.message
    assert len(trainer.history) == 3
    np.testing.assert_array_equal(trainer.flat, used_by_step_3)
    with pytest.raises(TrainingError, match="diverged at step 4"):
        trainer.step()


def test_model_file_round_trip(tmp_path):
    trainer = Trainer(get_task("recall"), hidden_size=6, batch_size=8, seed=1)
    trainer.run(2)
    path = tmp_path / "m.npz"
    path.write_bytes(trainer.file_bytes())
    model, meta = load_model(path)
    assert meta["task"] == "recall" and meta["steps"] == 2 and meta["seed"] == 1
    assert meta["vocabulary"] == list(get_task("recall").vocab)
    assert set(meta["metrics"]) >= {"accuracy", "loss_nats"}
    for name, p in trainer.params.items():
        np.testing.assert_array_equal(model.params[name], p.astype(np.float64))


def test_cli_train_writes_a_model_file(tmp_path, capsys):
    out = tmp_path / "anbn.npz"
    argv = ["train", "--task", "anbn", "--hidden", "6", "--steps", "20", "--out", str(out)]
    assert main(argv) == 0
    assert "held-out:" in capsys.readouterr().out
    model, meta = load_model(out)
    assert model.hidden_size == 6 and meta["task"] == "anbn"
    assert meta["command"] == (f"python -m lstm train --task anbn --hidden 6 --layers 1 --lr 0.01 "
                               f"--batch 32 --clip 1.0 --seed 0 --steps 20 --out {out}")
    assert meta["description"].startswith(get_task("anbn").about)


def test_cli_train_refuses_a_bad_learning_rate(tmp_path, capsys):
    argv = ["train", "--task", "anbn", "--lr", "5", "--out", str(tmp_path / "x.npz")]
    assert main(argv) == 2
    assert "--lr=5.0 is out of range" in capsys.readouterr().err
    assert not (tmp_path / "x.npz").exists()


def test_cli_train_writes_into_the_current_folder_not_over_a_preset(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--task", "anbn", "--hidden", "4", "--steps", "2"]) == 0
    assert load_model(tmp_path / "anbn.npz")[0].hidden_size == 4


@pytest.mark.parametrize("flag, value", [("--hidden", "0"), ("--batch", "0"), ("--steps", "0"),
                                         ("--length", "0"), ("--dropout", "0.95"),
                                         ("--anneal", "-1")])
def test_cli_train_names_the_flag_that_is_out_of_range(flag, value, tmp_path, capsys):
    argv = ["train", "--task", "anbn", flag, value, "--out", str(tmp_path / "x.npz")]
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith(f"error: {flag}={value} is out of range")
