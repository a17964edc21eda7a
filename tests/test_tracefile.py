"""lstm/tracefile.py: a trace's arrays and rows, as `trace --npz/--csv` and the page write them."""

import csv
import io

import numpy as np

from lstm.model import LSTM
from lstm.tracefile import COLUMNS, csv_bytes, npz_bytes, step_rows, trace_arrays


def test_the_arrays_hold_the_parameters_tokens_and_every_gate_of_every_layer():
    model = LSTM.random(3, 4, num_layers=2, vocab_size=5, output_size=5, seed=2)
    trace = model.trace(np.array([1, 4, 0]))
    arrays = trace_arrays(model, ["b", "e", "a"], trace, {"extra": np.ones(2)})
    loaded = np.load(io.BytesIO(npz_bytes(arrays)), allow_pickle=False)
    assert set(loaded.files) == {*model.params, "tokens", "x_l0", "logits", "extra",
                                 *(f"{n}_l{k}" for n in ("pre", "i", "f", "g", "o", "c", "h")
                                   for k in (0, 1))}
    assert list(loaded["tokens"]) == ["b", "e", "a"]
    np.testing.assert_array_equal(loaded["c_l1"], trace.layers[1].c)
    np.testing.assert_array_equal(loaded["logits"], trace.logits)


def test_the_rows_are_step_by_step_then_layer_with_means_and_norms():
    model = LSTM.random(3, 4, num_layers=2, vocab_size=5, seed=2)
    trace = model.trace(np.array([1, 4]))
    rows = step_rows(["x", "y"], trace)
    assert [r[:3] for r in rows] == [(0, "x", 0), (0, "x", 1), (1, "y", 0), (1, "y", 1)]
    layer = trace.layers[1]
    assert rows[3][3:] == (*(float(getattr(layer, g)[1].mean()) for g in "ifgo"),
                           float(np.linalg.norm(layer.c[1])), float(np.linalg.norm(layer.h[1])))
    table = list(csv.reader(io.StringIO(csv_bytes(rows).decode("utf-8"))))
    assert tuple(table[0]) == COLUMNS and len(table) == 5
    assert float(table[4][8]) == float(f"{rows[3][8]:.9g}")
