"""TF1 cells: the forget bias is required, peepholes and projections are refused."""

from pathlib import Path

import numpy as np
import pytest

from lstm.weights import WeightsError, load_weights
from lstm.weights.tf1 import from_tf1, is_tf1

FIXTURES = Path(__file__).parent / "fixtures" / "import"
ARRAYS = {k: v for k, v in np.load(FIXTURES / "tf1_cells.npz").items()
          if k not in ("ids", "outputs", "h_n", "c_n", "logits")}


def test_without_a_forget_bias_the_file_is_refused_with_the_reason():
    assert is_tf1(ARRAYS)
    with pytest.raises(WeightsError, match="add forget_bias to the forget gate at run time"):
        load_weights("tf1.npz", (FIXTURES / "tf1_cells.npz").read_bytes())


def test_the_forget_bias_given_moves_only_the_forget_gate():
    one, _ = from_tf1(ARRAYS, forget_bias=1.0)
    zero, _ = from_tf1(ARRAYS, forget_bias=0.0)
    diff = one["bias_ih_l1"] - zero["bias_ih_l1"]
    np.testing.assert_array_equal(diff, np.repeat([0.0, 1.0, 0.0, 0.0], 4))


def test_a_wrong_forget_bias_shows_in_the_parity():
    _, meta = load_weights("tf1.npz", (FIXTURES / "tf1_cells.npz").read_bytes(), forget_bias=0.0)
    assert meta["parity"]["max_abs_diff"] > 1e-2


@pytest.mark.parametrize(("extra", "message"), [
    ({"Model/RNN/multi_rnn_cell/cell_0/lstm_cell/w_f_diag:0": np.ones(4)}, "peepholes"),
    ({"Model/RNN/multi_rnn_cell/cell_1/basic_lstm_cell/projection/kernel:0": np.ones((4, 2))},
     "projects h"),
    ({"Model/RNN/multi_rnn_cell/cell_0/basic_lstm_cell/kernel:0": np.ones((7, 15))},
     r"has shape \(7, 15\), expected \(E \+ H, 4H\)"),
    ({"Model/RNN/multi_rnn_cell/cell_1/basic_lstm_cell/kernel:0": np.ones((7, 16))},
     r"cell_1/basic_lstm_cell/kernel:0 has shape \(7, 16\), expected \(2H, 4H\) = \(8, 16\)"),
    ({"Model/softmax_w:0": np.ones((5, 7))}, r"softmax_w:0 has shape \(5, 7\), expected \(H, O\)"),
])
def test_what_the_cell_cannot_show_and_wrong_shapes_are_refused(extra, message):
    with pytest.raises(WeightsError, match=message):
        from_tf1({**ARRAYS, **extra}, forget_bias=1.0)
