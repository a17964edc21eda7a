"""A trace as files: the arrays `trace --npz` writes and the rows of `trace --csv`.

The command line writes them to paths; the page offers the same bytes as downloads, so a trace
exported from the browser opens exactly like one written by `python -m lstm trace`.

NPZ keys: the parameters under their PyTorch names (and `embedding`, `out_weight`, `out_bias`),
`tokens` (T,) str, `x_l0` (T, E), per layer k `pre_l{k}` (T, 4H) and `i_l{k} f_l{k} g_l{k}
o_l{k} c_l{k} h_l{k}` (T, H), `logits` (T, V) when the model has an output layer.
CSV columns: COLUMNS, one row per step and layer, steps from 0.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from .model import LSTM, Trace

COLUMNS = ("step", "token", "layer", "mean_i", "mean_f", "mean_g", "mean_o", "norm_c", "norm_h")


def trace_arrays(model: LSTM, tokens: list[str], trace: Trace, extra: dict | None = None
                 ) -> dict[str, np.ndarray]:
    """The parameters, the tokens and every array of the trace, plus any `extra` by name."""
    arrays = dict(model.params)
    arrays["tokens"] = np.array(tokens, dtype=str)
    arrays["x_l0"] = trace.layers[0].x
    for k, layer in enumerate(trace.layers):
        for name in ("pre", "i", "f", "g", "o", "c", "h"):
            arrays[f"{name}_l{k}"] = getattr(layer, name)
    if trace.logits is not None:
        arrays["logits"] = trace.logits
    arrays.update(extra or {})
    return arrays


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz of `arrays` (no pickles: it loads with allow_pickle=False)."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def step_rows(tokens: list[str], trace: Trace) -> list[tuple]:
    """One row per step and layer: step, token, layer, the gate means, |c| and |h|."""
    rows = []
    for k, layer in enumerate(trace.layers):
        means = [getattr(layer, g).mean(axis=1) for g in "ifgo"]
        norms = [np.linalg.norm(layer.c, axis=1), np.linalg.norm(layer.h, axis=1)]
        for t, token in enumerate(tokens):
            rows.append((t, token, k, *(float(v[t]) for v in means + norms)))
    rows.sort(key=lambda row: (row[0], row[2]))
    return rows


def write_rows(f, rows: list[tuple]) -> None:
    """The CSV of `rows` (step_rows) under its header, to a text file opened with newline=""."""
    out = csv.writer(f)
    out.writerow(COLUMNS)
    out.writerows(row[:3] + tuple(f"{v:.9g}" for v in row[3:]) for row in rows)


def csv_bytes(rows: list[tuple]) -> bytes:
    """The CSV of `rows` as UTF-8 bytes, as `trace --csv` writes it."""
    text = io.StringIO(newline="")
    write_rows(text, rows)
    return text.getvalue().encode("utf-8")
