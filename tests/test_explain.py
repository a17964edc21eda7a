"""`python -m lstm explain` (lstm/cli.py): the worked equations and their numbers, one-line
errors for a step, unit or layer out of range."""

from pathlib import Path

import numpy as np
import pytest

from lstm.cli import main

ROOT = Path(__file__).resolve().parent.parent
RANDOM = ["--hidden", "5", "--embed", "3", "--layers", "2", "--seed", "7"]
ORDER = [*(n for a in "ifgo" for n in (f"x_part_{a}", f"h_part_{a}", f"bias_{a}", f"pre_{a}", a)),
         "c_prev", "c", "h"]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def numbers(out: str) -> dict[str, float]:
    """The trailing name=value lines."""
    pairs = [line.split("=", 1) for line in out.splitlines() if "=" in line and " " not in line]
    return {name: float(value) for name, value in pairs}


def test_the_numbers_equal_the_traced_ones(capsys, tmp_path):
    npz = tmp_path / "t.npz"
    run(capsys, "trace", *RANDOM, "--text", "hello", "--npz", str(npz))
    data = dict(np.load(npz, allow_pickle=False))
    code, out, err = run(capsys, "explain", *RANDOM, "--text", "hello", "--step", "3",
                         "--unit", "4", "--layer", "1")
    assert code == 0 and err == ""
    got = numbers(out)
    order = [line.split("=")[0] for line in out.splitlines()[-23:]]
    assert order == ORDER
    H, u, t = 5, 4, 3
    for j, a in enumerate("ifgo"):
        assert abs(got[a] - data[f"{a}_l1"][t, u]) < 1e-12
        assert abs(got[f"pre_{a}"] - data["pre_l1"][t, j * H + u]) < 1e-12
        x_t, h_prev = data["h_l0"][t], data["h_l1"][t - 1]
        assert abs(got[f"x_part_{a}"] - data["weight_ih_l1"][j * H + u] @ x_t) < 1e-12
        assert abs(got[f"h_part_{a}"] - data["weight_hh_l1"][j * H + u] @ h_prev) < 1e-12
        assert got[f"pre_{a}"] == got[f"x_part_{a}"] + got[f"h_part_{a}"] + got[f"bias_{a}"]
    assert got["c_prev"] == data["c_l1"][t - 1, u]
    assert abs(got["c"] - data["c_l1"][t, u]) < 1e-12 and abs(got["h"] - data["h_l1"][t, u]) < 1e-12


def test_values_are_printed_at_full_precision(capsys):
    _, out, _ = run(capsys, "explain", *RANDOM, "--text", "hello", "--step", "0", "--unit", "0")
    h = out.splitlines()[-1]
    assert h.startswith("h=") and repr(float(h[2:])) == h[2:] and len(h) > 12


def test_the_worked_equations_read_as_sums(capsys):
    code, out, _ = run(capsys, "explain", str(ROOT / "assets/models/brackets.npz"),
                       "--text", "(a(b)", "--step", "2", "--unit", "11")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == ("unit 11 of layer 0 at step 2, token '(' "
                        "(steps, units and rows counted from 0)")
    assert lines[1] == "x_t: the embedding of '(' (16 numbers); h_t-1: the 16 units' h at step 1"
    assert lines[2].startswith("i (input gate) = σ(x part + h part + bias) = σ(")
    assert lines[3].startswith("    x part = W_ih[11] · x_t; largest terms: x[")
    assert lines[4].startswith("    h part = W_hh[11] · h_t-1; largest terms: h[")
    assert lines[11].startswith("o (output gate)") and lines[12].startswith("    x part = W_ih[59]")
    assert lines[14].startswith("c = f·c_t-1 + i·g = ") and lines[15].startswith("h = o·tanh(c)")
    got = numbers(out)
    assert f"= {got['i']:.4f}" in lines[2] and f"= {got['c']:+.4f}" in lines[14]


def test_the_first_step_says_h_is_zero(capsys):
    _, out, _ = run(capsys, "explain", *RANDOM, "--text", "ab", "--step", "0", "--unit", "1")
    assert "h_t-1: the 5 units' h at the start (h0)" in out
    assert "    h part = W_hh[1] · h_t-1; every term is 0" in out


@pytest.mark.parametrize("args, message", [
    (["--step", "5", "--unit", "0"], "error: --step 5: the text has steps 0..4"),
    (["--step", "-1", "--unit", "0"], "error: --step -1: the text has steps 0..4"),
    (["--step", "0", "--unit", "5"], "error: --unit 5: the model has units 0..4"),
    (["--step", "0", "--unit", "0", "--layer", "2"], "error: --layer 2: the model has layers 0..1"),
    (["--unit", "0"], "error: the following arguments are required: --step"),
])
def test_out_of_range_is_one_line_and_exit_2(capsys, args, message):
    code, out, err = run(capsys, "explain", *RANDOM, "--text", "hello", *args)
    assert code == 2 and out == "" and err == message + "\n"
