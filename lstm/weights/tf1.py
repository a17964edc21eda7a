"""TensorFlow 1 `BasicLSTMCell` / `LSTMCell` weights, saved as arrays under their variable names.

    .../basic_lstm_cell/kernel (E + H, 4H)   one kernel over [x, h]   (or lstm_cell/, weights)
    .../basic_lstm_cell/bias (4H,)                                     (or biases)
    .../multi_rnn_cell/cell_{k}/...          stacked layers
    optional .../embedding (V, E), .../softmax_w (H, O) + softmax_b (O,) or dense/kernel, bias

The four column blocks are the gates i, j, f, o (j is the candidate, PyTorch's g), and the cell
computes c = c * sigmoid(f + forget_bias) + sigmoid(i) * tanh(j), h = tanh(c) * sigmoid(o).
`forget_bias` (1.0 by default in both cells) is added at run time and stored nowhere, so it must
be given; it is folded into the forget gate's bias. Peepholes and `num_proj` are refused.
"""

from __future__ import annotations

import re

import numpy as np

from .checks import WeightsError, expect, matrix_shape

CELL_KEY = re.compile(
    r"(?P<prefix>.*?)(?:cell_(?P<layer>\d+)/)?(?P<cell>basic_lstm_cell|lstm_cell)/"
    r"(?P<param>kernel|bias|weights|biases|w_[ifo]_diag|projection/kernel)(?::0)?"
)
TF_TO_TORCH = (0, 2, 1, 3)  # i, j, f, o blocks -> i, f, g, o
FORGET_BIAS_HELP = (
    "TensorFlow 1 LSTM cells add forget_bias to the forget gate at run time (1.0 by default in "
    "BasicLSTMCell and LSTMCell) and the file does not store it: give the value the model was "
    "built with (forget_bias=1.0, --forget-bias 1.0)"
)


def is_tf1(names) -> bool:
    """Whether the arrays look like TF1 cells: a cell kernel with no Keras recurrent_kernel."""
    names = list(names)
    return any(CELL_KEY.fullmatch(n) for n in names) and not any(
        n.split(":")[0].endswith("recurrent_kernel") for n in names
    )


def _gates(w: np.ndarray, H: int) -> np.ndarray:
    """Columns (or entries) in blocks i, j, f, o made i, f, g, o."""
    return np.concatenate([w[..., j * H : (j + 1) * H] for j in TF_TO_TORCH], axis=-1)


def _one(arrays: dict, pattern: str, used: set) -> str | None:
    found = [n for n in arrays if n not in used and re.fullmatch(pattern, n)]
    if len(found) > 1:
        raise WeightsError(f"{len(found)} arrays could be the same part: {', '.join(found)}")
    return found[0] if found else None


def from_tf1(arrays: dict, *, forget_bias: float | None, lstm: str | None = None
             ) -> tuple[dict, dict]:
    """Parameters under this project's names (see the module docstring), and an info dict."""
    cells: dict[str, dict[int, dict[str, str]]] = {}
    for name in arrays:
        m = CELL_KEY.fullmatch(name)
        if m:
            layer = int(m["layer"] or 0)
            cells.setdefault(m["prefix"], {}).setdefault(layer, {})[m["param"]] = name
    if lstm is not None:
        if lstm not in cells:
            raise WeightsError(f"no TF1 cell under {lstm!r}; the file has {', '.join(cells)}")
        cells = {lstm: cells[lstm]}
    if len(cells) != 1:
        raise WeightsError(
            f"the file holds {len(cells)} TF1 LSTMs: {', '.join(cells)}; choose one "
            f"(lstm=NAME, --lstm NAME)", "lstm", tuple(cells),
        )
    prefix, layers = next(iter(cells.items()))
    for parts in layers.values():
        if any(p.startswith("w_") for p in parts):
            raise WeightsError(
                f"{parts[next(p for p in parts if p.startswith('w_'))]}: the cell has peepholes "
                f"(use_peepholes=True), which this visualizer's cell does not have"
            )
        if "projection/kernel" in parts:
            raise WeightsError(
                f"{parts['projection/kernel']}: the cell projects h (num_proj), which this "
                f"visualizer's cell does not do"
            )
    if forget_bias is None:
        raise WeightsError(FORGET_BIAS_HELP, "forget_bias")
    if sorted(layers) != list(range(len(layers))):
        raise WeightsError(f"TF1 cells {sorted(layers)}: expected cell_0 to cell_{len(layers) - 1}")
    params, sources, used = {}, {}, set()
    H = None
    for k in range(len(layers)):
        parts = layers[k]
        kernel = parts.get("kernel", parts.get("weights"))
        bias = parts.get("bias", parts.get("biases"))
        if kernel is None or bias is None:
            raise WeightsError(f"TF1 cell {k} under {prefix!r} lacks its kernel or bias")
        rows, cols = matrix_shape(kernel, arrays[kernel], "(E + H, 4H)")
        if H is None:
            H = cols // 4
            if cols != 4 * H or rows <= H:
                raise WeightsError(
                    f"{kernel} has shape {(rows, cols)}, expected (E + H, 4H) with E >= 1"
                )
        In = rows - H if k == 0 else H
        w = expect(kernel, arrays[kernel], (In + H, 4 * H), "(E + H, 4H)" if k == 0 else "(2H, 4H)")
        b = _gates(expect(bias, arrays[bias], (4 * H,), "(4H,)"), H)
        b[H : 2 * H] += float(forget_bias)
        params[f"weight_ih_l{k}"] = _gates(w[:In], H).T
        params[f"weight_hh_l{k}"] = _gates(w[In:], H).T
        params[f"bias_ih_l{k}"], params[f"bias_hh_l{k}"] = b, np.zeros(4 * H)
        sources[f"weight_ih_l{k}"] = sources[f"weight_hh_l{k}"] = kernel
        sources[f"bias_ih_l{k}"] = bias
        used |= {kernel, bias}
    E = params["weight_ih_l0"].shape[1]
    name = _one(arrays, r".*embeddings?(?::0)?", used)
    if name is not None:
        V = matrix_shape(name, arrays[name], "(V, E)")[0]
        params["embedding"] = expect(name, arrays[name], (V, E), "(V, E)")
        sources["embedding"] = name
        used.add(name)
    name = _one(arrays, r".*(?:softmax_w|dense/kernel)(?::0)?", used)
    if name is not None:
        n_out = matrix_shape(name, arrays[name], "(H, O)")[1]
        params["out_weight"] = expect(name, arrays[name], (H, n_out), "(H, O)").T
        bias = _one(arrays, r".*(?:softmax_b|dense/bias)(?::0)?", used)
        params["out_bias"] = (np.zeros(n_out) if bias is None
                              else expect(bias, arrays[bias], (n_out,), "(O,)"))
        sources["out_weight"] = name
        used.add(name)
        if bias is not None:
            sources["out_bias"] = bias
            used.add(bias)
    notes = [f"forget_bias {float(forget_bias)} added to the forget gate's bias"]
    return params, {"arrays": sources, "ignored": sorted(set(arrays) - used), "notes": notes}
