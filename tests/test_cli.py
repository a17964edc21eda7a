"""lstm/cli.py: `python -m lstm trace` tables, NPZ and CSV output, one-line errors."""

import csv
import errno
import json
import os
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from lstm.cli import COMMANDS, main
from lstm.model import LSTM
from lstm.modelfile import FORMAT, save_model
from lstm.tokens import open_embedding

ROOT = Path(__file__).resolve().parent.parent
RANDOM = ["--hidden", "5", "--embed", "3", "--layers", "2", "--seed", "7"]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_random_model_prints_one_row_per_step(capsys):
    code, out, err = run(capsys, "trace", *RANDOM, "--text", "abca")
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0] == "layer 1: gate columns are means over its 5 units; |c|, |h|: vector norms"
    assert re.split(r"\s{2,}", lines[1].strip()) == [
        "step", "token", "mean i", "mean f", "mean g", "mean o", "|c|", "|h|"
    ]
    assert [line.split()[:2] for line in lines[2:]] == [
        ["0", "a"],
        ["1", "b"],
        ["2", "c"],
        ["3", "a"],
    ]


def test_npz_holds_the_whole_trace(capsys, tmp_path):
    path = tmp_path / "trace.npz"
    code, _, _ = run(capsys, "trace", *RANDOM, "--text", "ab ba", "--npz", str(path))
    assert code == 0
    with np.load(path, allow_pickle=False) as npz:
        data = dict(npz)
    names = {
        f"{kind}_l{k}" for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh") for k in (0, 1)
    }
    per_layer = {f"{g}_l{k}" for g in ("pre", "i", "f", "g", "o", "c", "h") for k in (0, 1)}
    assert set(data) == names | per_layer | {"embedding", "tokens", "x_l0"}
    assert data["tokens"].dtype.kind == "U" and data["tokens"].tolist() == list("ab ba")
    assert data["x_l0"].shape == (5, 3) and data["h_l1"].shape == (5, 5)

    vocab, table = open_embedding(list("ab ba"), 3, seed=7)
    params = {**LSTM.random(3, 5, 2, seed=7).params, "embedding": table}
    trace = LSTM(params).trace(vocab.encode(list("ab ba"))[0])
    for k, layer in enumerate(trace.layers):
        for g in ("i", "f", "g", "o", "c", "h"):
            np.testing.assert_array_equal(data[f"{g}_l{k}"], getattr(layer, g))
    np.testing.assert_array_equal(data["x_l0"], table[[0, 1, 2, 1, 0]])
    np.testing.assert_array_equal(data["weight_hh_l1"], params["weight_hh_l1"])


def test_csv_has_the_same_values(capsys, tmp_path):
    npz, table = tmp_path / "t.npz", tmp_path / "t.csv"
    run(capsys, "trace", *RANDOM, "--text", "xyz", "--npz", str(npz), "--csv", str(table))
    with table.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 * 2
    assert list(rows[0]) == [
        "step",
        "token",
        "layer",
        "mean_i",
        "mean_f",
        "mean_g",
        "mean_o",
        "norm_c",
        "norm_h",
    ]
    data = np.load(npz)
    last = rows[-1]
    assert (last["step"], last["token"], last["layer"]) == ("2", "z", "1")
    assert float(last["mean_f"]) == pytest.approx(data["f_l1"][2].mean(), rel=1e-8)
    assert float(last["norm_h"]) == pytest.approx(np.linalg.norm(data["h_l1"][2]), rel=1e-8)


def test_float32_on_request(capsys, tmp_path):
    path = tmp_path / "t.npz"
    run(capsys, "trace", "--text", "hello", "--dtype", "float32", "--npz", str(path))
    assert np.load(path)["h_l0"].dtype == np.float32


@pytest.fixture
def model_file(tmp_path) -> Path:
    vocab = ["<unk>", "a", "b", " "]
    path = tmp_path / "m.npz"
    meta = {
        "task": "t",
        "tokenizer": "char",
        "vocabulary": vocab,
        "seed": 1,
        "metrics": {},
        "training_seconds": 0,
    }
    save_model(path, LSTM.random(3, 4, vocab_size=4, output_size=4, seed=1), meta)
    return path


def test_model_file_reports_unknown_tokens(capsys, model_file, tmp_path):
    path = tmp_path / "t.npz"
    code, out, err = run(capsys, "trace", str(model_file), "--text", "ab za", "--npz", str(path))
    assert code == 0
    assert err == "note: 1 unknown token(s) read as <unk>: 'z' at 3\n"
    assert len(out.splitlines()) == 2 + 5
    data = np.load(path)
    assert data["logits"].shape == (5, 4) and "out_weight" in data


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["trace", "--text", ""], "error: --text is empty"),
        (
            ["trace", "--text", "x" * 2**20],
            "error: the text has 1,048,576 characters; the limit is 100,000",
        ),
        (
            ["trace", "--hidden", "0", "--text", "a"],
            "error: --hidden must be a positive integer, got 0",
        ),
        (
            ["trace", "--embed", "-2", "--text", "a"],
            "error: --embed must be a positive integer, got -2",
        ),
        (
            ["trace", "--layers", "0", "--text", "a"],
            "error: --layers must be a positive integer, got 0",
        ),
        (["trace", "--seed", "-1", "--text", "a"], "error: --seed must be a non-negative integer"),
        (["trace", "--layer", "3", "--text", "a"], "error: --layer 3: the model has layers 0..0"),
        (
            ["trace", "--hidden", "x", "--text", "a"],
            "error: argument --hidden: invalid int value: 'x'",
        ),
        (["trace"], "error: one of the arguments --text --ids is required"),
        (["fly"], "error: argument command: invalid choice: 'fly'"),
        (["trace", "missing.npz", "--text", "a"], "error: cannot read missing.npz: No such file"),
        (
            ["trace", "--text", "a", "--npz", "/no/such/dir/t.npz"],
            "error: cannot write /no/such/dir/t.npz: the folder /no/such/dir does not exist",
        ),
    ],
)
def test_errors_are_one_line(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1


def test_model_file_errors_are_one_line(capsys, model_file, tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    cases = [
        ([str(junk)], "error: junk.npz is not a known format"),
        (
            [str(model_file), "--hidden", "8"],
            "error: --hidden: only for a random model, not with a model file",
        ),
        (
            [str(model_file), "--tokenizer", "word"],
            "error: this model reads char tokens, not word tokens",
        ),
    ]
    for argv, message in cases:
        code, _, err = run(capsys, "trace", *argv, "--text", "ab")
        assert code == 2 and err.startswith(message) and err.count("\n") == 1


def test_unknown_tokens_without_unk_are_an_error(capsys, tmp_path):
    path = tmp_path / "m.npz"
    meta = {
        "task": "t",
        "tokenizer": "char",
        "vocabulary": ["a", "b"],
        "seed": 1,
        "metrics": {},
        "training_seconds": 0,
    }
    save_model(path, LSTM.random(3, 4, vocab_size=2, seed=1), meta)
    code, _, err = run(capsys, "trace", str(path), "--text", "abc\x00")
    assert code == 2
    assert err == "error: 1 token(s) are not in this model's vocabulary of 2: 'c' at 2\n"


def test_python_dash_m_exits_2_without_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "lstm", "trace", "--hidden", "-1", "--text", "hi"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == "error: --hidden must be a positive integer, got -1\n"
    assert "Traceback" not in result.stderr


def test_a_reader_that_stops_early_is_not_an_error():
    """`python -m lstm trace ... | head -1`: no error message, exit 0."""
    root = Path(__file__).resolve().parent.parent
    cmd = [sys.executable, "-m", "lstm", "trace", "--hidden", "4", "--embed", "2",
           "--text", "a" * 5000]
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # as `head -1` does
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == b""


# --- trace --clamp, grad, features (lstm/analysis) ------------------------------------------

BRACKETS = str(ROOT / "assets" / "models" / "brackets.npz")
NESTED = "(a(b(a))b((a(b)))a)b(a)"


def load_npz(path):
    with np.load(path, allow_pickle=False) as npz:
        return dict(npz)


def test_trace_clamp_writes_the_clamped_trace(capsys, tmp_path):
    from lstm.analysis.clamp import Clamp, clamped_trace
    from lstm.modelfile import load_model
    from lstm.tokens import Vocab

    path = tmp_path / "clamped.npz"
    code, out, err = run(capsys, "trace", BRACKETS, "--text", NESTED, "--clamp", "0:11:f=0@5",
                         "--clamp", "0:2:g=-1@9", "--npz", str(path))
    assert code == 0 and err == ""
    assert out.splitlines()[:2] == ["clamped layer 0 unit 11: f = 0 from step 5",
                                    "clamped layer 0 unit 2: g = -1 from step 9"]
    model, meta = load_model(BRACKETS)
    ids = Vocab(meta["vocabulary"]).encode(list(NESTED))[0]
    want = clamped_trace(model, ids, model.trace(ids),
                         [Clamp(0, 11, "f", 0.0, 5), Clamp(0, 2, "g", -1.0, 9)])
    data = load_npz(path)
    for name in ("pre", "i", "f", "g", "o", "c", "h"):
        assert np.array_equal(data[f"{name}_l0"], getattr(want.layers[0], name))
    assert np.array_equal(data["logits"], want.logits)
    assert np.all(data["f_l0"][5:, 11] == 0)


@pytest.mark.parametrize(("clamp", "message"), [
    ("0:11:f=1.5@5", "error: clamp value 1.5 for gate f is outside [0, 1], the range of f"),
    ("0:11:g=-2@5", "error: clamp value -2 for gate g is outside [-1, 1], the range of g"),
    ("0:11:f=1@23", "error: clamp step 23 is past the end: the text has 23 steps (0..22)"),
    ("0:16:f=1@2", "error: clamp unit 16: the model has units 0..15"),
    ("0:1:c=1@2", "error: argument --clamp: '0:1:c=1@2': expected K:U:G=V@S"),
    ("0:1:f=1", "error: argument --clamp: '0:1:f=1': expected K:U:G=V@S"),
])
def test_bad_clamps_are_one_line(capsys, clamp, message):
    code, out, err = run(capsys, "trace", BRACKETS, "--text", NESTED, "--clamp", clamp)
    assert code == 2 and out == "" and err.startswith(message) and err.count("\n") == 1


def test_grad_writes_the_trace_and_the_gradients(capsys, tmp_path):
    from lstm.analysis.gradflow import cell_gradients, forget_product

    path, plain = tmp_path / "grad.npz", tmp_path / "trace.npz"
    code, out, err = run(capsys, "grad", *RANDOM, "--text", "abcabca", "--unit", "2",
                         "--layer", "0", "--step", "5", "--npz", str(path))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("layer 0: d c_5[2] / d c_t through every path")
    assert [line.split()[0] for line in lines[2:]] == ["0", "1", "2", "3", "4", "5"]
    run(capsys, "trace", *RANDOM, "--text", "abcabca", "--npz", str(plain))
    data, base = load_npz(path), load_npz(plain)
    assert set(data) == set(base) | {"dc_l0", "fprod_l0"}
    for name in base:
        assert np.array_equal(data[name], base[name]), name
    vocab, table = open_embedding(list("abcabca"), 3, seed=7)
    model = LSTM({**LSTM.random(3, 5, 2, seed=7).params, "embedding": table})
    trace = model.trace(vocab.encode(list("abcabca"))[0])
    assert data["dc_l0"].shape == (6, 5) and data["fprod_l0"].shape == (6,)
    assert np.array_equal(data["dc_l0"], cell_gradients(model, trace, 0, 2, 5))
    assert np.array_equal(data["fprod_l0"], forget_product(trace, 0, 2, 5))
    assert data["dc_l0"][5].tolist() == [0, 0, 1, 0, 0]
    float(lines[2].split()[2])  # the gradient column holds numbers


def test_grad_defaults_to_the_top_layer_and_the_last_step(capsys, tmp_path):
    path = tmp_path / "grad.npz"
    code, out, _ = run(capsys, "grad", *RANDOM, "--text", "abca", "--unit", "0", "--npz",
                       str(path))
    assert code == 0 and out.startswith("layer 1: d c_3[0]")
    assert load_npz(path)["dc_l1"].shape == (4, 5)


@pytest.mark.parametrize(("argv", "message"), [
    (["--unit", "0", "--step", "4"], "error: --step 4 is past the end: the text has 4 steps"),
    (["--unit", "5"], "error: --unit 5: the model has units 0..4"),
    (["--unit", "0", "--layer", "2"], "error: --layer 2: the model has layers 0..1"),
    ([], "error: the following arguments are required: --unit"),
])
def test_grad_errors_are_one_line(capsys, argv, message):
    code, out, err = run(capsys, "grad", *RANDOM, "--text", "abca", *argv)
    assert code == 2 and out == "" and err.startswith(message) and err.count("\n") == 1


def test_features_ranks_units_of_the_task_and_of_a_regex(capsys, tmp_path):
    from lstm.analysis.features import rank_units, task_features
    from lstm.modelfile import load_model
    from lstm.tokens import Vocab

    path = tmp_path / "features.npz"
    code, out, err = run(capsys, "features", BRACKETS, "--text", NESTED, "--regex", r"\)+",
                         "--top", "3", "--npz", str(path))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "depth: bracket depth, over 23 steps"
    assert lines[4] == r"regex: /\)+/, over 23 steps" and len(lines) == 8
    data = load_npz(path)
    (depth,) = task_features("brackets", list(NESTED))
    assert data["feature_depth"].tolist() == depth.values.tolist()
    assert data["feature_regex"].tolist() == [float(ch == ")") for ch in NESTED]
    model, meta = load_model(BRACKETS)
    trace = model.trace(Vocab(meta["vocabulary"]).encode(list(NESTED))[0])
    (best,) = rank_units(trace, [depth], 3)
    for line, s in zip(lines[1:4], best, strict=True):
        assert line.split() == [line.split()[0], "layer", "0", "unit", str(s.unit), s.quantity,
                                "r", "=", f"{s.r:+.4f}"]


def test_features_of_a_constant_feature_say_so(capsys):
    code, out, _ = run(capsys, "features", *RANDOM, "--text", "abc", "--regex", "z")
    assert code == 0 and "the same at every step of this text" in out


@pytest.mark.parametrize(("argv", "message"), [
    ([], "error: a random model has no task, so no task features: give --regex PATTERN"),
    (["--regex", "a(b"], "error: --regex 'a(b': invalid regular expression at position 1"),
    (["--regex", r"(a)\1"], "error: --regex '(a)\\\\1': backreferences"),
    (["--regex", "a", "--top", "0"], "error: --top must be a positive integer, got 0"),
])
def test_features_errors_are_one_line(capsys, argv, message):
    code, out, err = run(capsys, "features", *RANDOM, "--text", "abca", *argv)
    assert code == 2 and out == "" and err.startswith(message) and err.count("\n") == 1


def test_features_of_a_model_without_a_task_need_a_regex(capsys, model_file):
    code, _, err = run(capsys, "features", str(model_file), "--text", "ab")
    assert code == 2 and err == ("error: this model has no task, so no task features: "
                                 "give --regex PATTERN\n")


# --- bad input on every command: one line, exit 2, nothing allocated or written first ---------


def one_line_error(capsys, *argv) -> str:
    code, _, err = run(capsys, *argv)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize(("argv", "message"), [
    (["--hidden", "1000000"], "error: --hidden must be at most 4,096, got 1,000,000"),
    (["--embed", "10000"], "error: --embed must be at most 4,096"),
    (["--layers", "17"], "error: --layers must be at most 16"),
    (["--hidden", "4096", "--layers", "16"],
     r"error: this trace would take about 62\.0 GiB, more than the 2 GiB limit: use a smaller "
     "--hidden, --embed, --layers or a shorter --text"),
])
def test_sizes_beyond_the_limits_are_refused_before_allocating(capsys, argv, message):
    tracemalloc.start()
    try:
        err = one_line_error(capsys, "trace", *argv, "--text", "hi")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert re.match(message, err)
    assert peak < 20 * 2**20  # nothing near the request was allocated


def test_a_long_text_through_a_model_file_is_checked_too(capsys, model_file, monkeypatch):
    monkeypatch.setattr("lstm.cli.MEMORY_LIMIT", 10_000)
    err = one_line_error(capsys, "trace", str(model_file), "--text", "ab" * 1000)
    assert "use a smaller model or a shorter --text" in err


@pytest.mark.parametrize(("argv", "message"), [
    (["--steps", "0"], r"--steps=0 is out of range: must be in \[1, 1,000,000\]"),
    (["--steps", "10000000"], "--steps=10000000 is out of range"),
    (["--hidden", "512", "--layers", "4", "--batch", "1024"],
     "training would take about .* GiB, more than the 2 GiB limit"),
    (["--out", "/no/such/dir/m.npz"], "cannot write /no/such/dir/m.npz: the folder"),
    (["--lr", "nan"], r"--lr=nan is out of range"),
])
def test_train_refuses_bad_sizes_and_outputs_before_training(capsys, tmp_path, argv, message):
    out_file = [] if "--out" in argv else ["--out", str(tmp_path / "m.npz")]  # never in the repo
    code, out, err = run(capsys, "train", "--task", "anbn", "--steps", "5", *out_file, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1  # no step was trained
    assert re.search(message, err)


def test_train_writes_its_model_atomically_and_names_a_full_disk(capsys, tmp_path, monkeypatch):
    path = tmp_path / "m.npz"

    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("lstm.files.os.fsync", full)
    code, _, err = run(capsys, "train", "--task", "anbn", "--hidden", "4", "--steps", "2",
                       "--out", str(path))
    assert code == 2 and err == f"error: cannot write {path}: No space left on device\n"
    assert list(tmp_path.iterdir()) == []


def test_trace_outputs_are_whole_or_absent(capsys, tmp_path, monkeypatch):
    npz, table = tmp_path / "t.npz", tmp_path / "t.csv"
    real_savez = np.savez

    def savez_then_fail(f, **arrays):
        real_savez(f, **arrays)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("lstm.cli.np.savez", savez_then_fail)
    err = one_line_error(capsys, "trace", "--text", "abc", "--npz", str(npz), "--csv", str(table))
    assert err == f"error: cannot write {npz}: No space left on device\n"
    assert list(tmp_path.iterdir()) == []


def test_a_full_device_is_one_line():
    result = subprocess.run([sys.executable, "-m", "lstm", "trace", "--text", "abc" * 1000,
                             "--npz", "/dev/full"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert result.stderr == "error: cannot write /dev/full: No space left on device\n"


def test_arguments_that_are_not_text_are_refused_by_name():
    """Undecodable argv bytes arrive as surrogate escapes; they are named, never a traceback."""
    for argv, message in [
        ([b"trace", b"--text", b"a\xffb"], "error: --text is not valid text: byte 0xff at "
         "character 1 is not UTF-8\n"),
        ([b"trace", b"--text", b"ab", b"--csv", b"out\xfe.csv"], "error: --csv is not valid text"),
        ([b"trace", b"m\xe9.npz", b"--text", b"ab"], "error: MODEL is not valid text"),
        ([b"train", b"--task", b"\xffx"], "error: --task is not valid text"),
    ]:
        result = subprocess.run([sys.executable, "-m", "lstm", *argv], capture_output=True,
                                cwd=ROOT, env={**os.environ, "LC_ALL": "C.UTF-8"})
        err = result.stderr.decode()
        assert result.returncode == 2 and err.startswith(message) and err.count("\n") == 1, err


def test_a_model_whose_trace_would_overflow_is_refused(capsys, tmp_path):
    model = LSTM.random(3, 4, vocab_size=4, seed=1)
    path = tmp_path / "huge.npz"
    meta = json.dumps({"format": FORMAT, "task": "t", "tokenizer": "char",
                       "vocabulary": ["<unk>", "a", "b", " "], "seed": 1, "metrics": {},
                       "training_seconds": 0})
    np.savez(path, meta=np.array(meta), **{k: v * 1e160 for k, v in model.params.items()})
    err = one_line_error(capsys, "trace", str(path), "--text", "ab")
    assert err.startswith("error: bad parameters: weights so large that the pre-activations "
                          "can overflow float64")


def test_running_out_of_memory_or_interrupted_is_one_line(capsys, monkeypatch):
    for error, code, message in [(MemoryError, 2, "error: out of memory"),
                                 (KeyboardInterrupt, 130, "interrupted")]:
        def fail(_args, error=error):
            raise error()

        monkeypatch.setitem(COMMANDS, "trace", (*COMMANDS["trace"][:2], fail))
        got, _, err = run(capsys, "trace", "--text", "a")
        assert got == code and err.startswith(message) and err.count("\n") == 1


IMPORT = Path(__file__).parent / "fixtures" / "import"


def test_trace_reads_foreign_weights_with_a_vocabulary_and_shows_the_parity(capsys):
    code, out, err = run(capsys, "trace", str(IMPORT / "torch_char.float64.npz"), "--vocab",
                         str(IMPORT / "torch_char.vocab.json"), "--text", "the cat")
    assert code == 0 and err == ""
    first = out.splitlines()[0]
    assert first.startswith("reference: largest absolute difference ")
    assert float(first.split()[4]) < 1e-12
    assert "     6  t " in out


def test_trace_takes_ids_and_says_which_vocabulary_it_used(capsys):
    code, out, err = run(capsys, "trace", str(IMPORT / "keras_hard64.keras"), "--ids", "1,2,3",
                         "--reference", str(IMPORT / "keras_hard64.reference.npz"))
    assert code == 0 and "relu6(x + 3) / 6" in err
    assert "     2  3 " in out
    code, out, err = run(capsys, "trace", str(IMPORT / "torch_char.float64.npz"), "--text", "\t\n")
    assert code == 0 and "token id n is read as the character U+n" in err
    assert "     0  ⇥ " in out and "     1  ↵ " in out  # ids 9 and 10


@pytest.mark.parametrize(("argv", "message"), [
    (["tf1_cells.npz", "--ids", "1,2"], "error: TensorFlow 1 LSTM cells add forget_bias"),
    (["tf1_cells.npz", "--ids", "1,x", "--forget-bias", "1"], "error: --ids must be comma-sep"),
    (["tf1_cells.npz", "--ids", "1,70", "--forget-bias", "1"], "error: --ids: 70 is outside"),
    (["torch_bare.npz", "--ids", "1"], "error: --ids: this model reads vectors"),
    (["torch_two_lstms.npz", "--text", "a"], "error: the file holds 2 LSTMs"),
    (["torch_char.pt", "--text", "a"], "error: torch_char.pt is a PyTorch pickle"),
    (["torch_word.npz", "--text", "a", "--vocab", "missing.json"], "error: cannot read missing"),
])
def test_import_errors_are_one_line(capsys, argv, message):
    argv[0] = str(IMPORT / argv[0])
    code, _, err = run(capsys, "trace", *argv)
    last = err.splitlines()[-1]  # after any notes the importer printed
    assert code == 2 and last.startswith(message) and "Traceback" not in err, err


def test_convert_writes_a_model_file_trace_reads(capsys, tmp_path):
    target = tmp_path / "m.npz"
    code, out, _ = run(capsys, "convert", str(IMPORT / "keras2_hard.h5"), str(target),
                       "--reference", str(IMPORT / "keras2_hard.reference.npz"))
    assert code == 0 and "from Keras 2.4.0 (.h5); reference max abs diff" in out
    code, out, _ = run(capsys, "trace", str(target), "--ids", "5,0,2")
    assert code == 0 and out.splitlines()[1].startswith("layer 0")
    assert out.startswith("reference: largest absolute difference")  # measured at conversion


def test_convert_without_torch_is_one_line(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch raises ImportError
    code, _, err = run(capsys, "convert", str(IMPORT / "torch_char.pt"), str(tmp_path / "m.npz"))
    assert code == 2 and err == "error: convert needs torch to read a .pt file: pip install torch\n"


def test_convert_reads_a_pt_state_dict_where_torch_is_installed(capsys, tmp_path):
    pytest.importorskip("torch", reason="torch is not installed here (CI has none)")
    code, out, _ = run(capsys, "convert", str(IMPORT / "torch_char.pt"), str(tmp_path / "m.npz"))
    assert code == 0 and "vocab_size=14" in out


ROOT = Path(__file__).resolve().parent.parent
BRACKETS = str(ROOT / "assets/models/brackets.npz")
IMPORTS = ROOT / "tests/fixtures/import"


def test_convert_copies_a_model_file_of_this_app(capsys, tmp_path):
    code, out, err = run(capsys, "convert", BRACKETS, str(tmp_path / "c.npz"))
    assert code == 0 and err == "" and "from a model file of this app" in out
    assert (tmp_path / "c.npz").stat().st_size > 0


def test_ids_beyond_any_integer_width_are_refused_by_name(capsys):
    err = one_line_error(capsys, "trace", BRACKETS, "--ids", "99999999999999999999")
    assert "--ids: 99999999999999999999 is outside the embedding's 0..3" in err


def test_features_take_ids_and_weights_of_other_frameworks(capsys):
    code, out, _ = run(capsys, "features", BRACKETS, "--ids", "0,1,2,1", "--regex", "a")
    assert code == 0 and "regex" in out
    code, out, _ = run(capsys, "features", str(IMPORTS / "torch_char.safetensors"), "--vocab",
                         str(IMPORTS / "torch_char.vocab.json"), "--text", "hello",
                         "--regex", "l")
    assert code == 0 and "r = " in out


def test_a_file_over_the_limit_is_refused_before_it_is_read_whole(capsys, tmp_path,
                                                                   monkeypatch):
    import lstm.cli

    big = tmp_path / "big.npz"
    big.write_bytes(b"\0" * 5000)
    monkeypatch.setattr(lstm.cli, "MAX_BYTES", 4096)
    err = one_line_error(capsys, "trace", str(big), "--text", "a")
    assert "is over the limit of 4,096 bytes" in err


def test_train_writes_its_model_when_the_reader_stops_early(tmp_path):
    out = tmp_path / "m.npz"
    cmd = (f"{sys.executable} -m lstm train --task brackets --hidden 4 --steps 100 "
           f"--out {out} | head -1")
    done = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == "" and out.stat().st_size > 0


def test_output_paths_that_are_empty_or_the_same_file_are_refused(capsys, tmp_path):
    assert "an output path is empty" in one_line_error(capsys, "trace", *RANDOM, "--text", "ab",
                                                       "--npz", "")
    same = str(tmp_path / "t.out")
    err = one_line_error(capsys, "trace", *RANDOM, "--text", "ab", "--npz", same, "--csv", same)
    assert "--npz and --csv both name" in err and not Path(same).exists()


def test_a_failure_is_one_line_without_the_notes_before_it(capsys):
    keras = str(IMPORTS / "keras_char.keras")  # loading it notes what the importer guessed
    code, _, err = run(capsys, "trace", keras, "--ids", "1,2", "--layer", "9")
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: --layer 9")
    code, _, err = run(capsys, "trace", keras, "--ids", "1,2")
    assert code == 0 and all(line.startswith("note: ") for line in err.splitlines())
