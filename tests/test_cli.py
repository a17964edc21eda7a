"""lstm/cli.py: `python -m lstm trace` tables, NPZ and CSV output, one-line errors."""

import csv
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lstm.cli import main
from lstm.model import LSTM
from lstm.modelfile import save_model
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
            "error: /no/such/dir/t.npz: No such file",
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
