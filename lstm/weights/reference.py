"""Reference outputs a weights file may carry, and how far the imported model is from them.

Beside the weights, a file may hold the input of one run and what the original framework
computed for it (batch 1, any of these; a leading or middle batch axis of 1 is accepted):

    ids (T,) token ids, or x (T, E) input vectors      h0, c0 (L, H) the start state
    outputs (T, H) the last layer's h at every step    h_n, c_n (L, H) the last state
    logits (T, O) the head's outputs

`parity` traces the imported model on that input and reports the largest absolute difference.
"""

from __future__ import annotations

import numpy as np

from ..model import LSTM, ModelError
from .checks import WeightsError

INPUTS = ("ids", "x", "h0", "c0")
OUTPUTS = ("outputs", "h_n", "c_n", "logits")
KEYS = INPUTS + OUTPUTS


def split_reference(arrays: dict) -> tuple[dict, dict]:
    """(the weights, the reference arrays) of a file's arrays."""
    weights = {k: v for k, v in arrays.items() if k not in KEYS}
    return weights, {k: v for k, v in arrays.items() if k in KEYS}


def _as(name: str, value: np.ndarray, shape: tuple) -> np.ndarray:
    if value.size != int(np.prod(shape)):
        raise WeightsError(f"reference {name} has shape {value.shape}, expected {shape} (batch 1)")
    return value.reshape(shape)


def parity(model: LSTM, reference: dict) -> dict | None:
    """{"max_abs_diff", "by_array", "steps"} for the reference's outputs; None without any."""
    if not any(k in reference for k in OUTPUTS):
        return None
    if "ids" in reference:
        x = np.asarray(reference["ids"]).reshape(-1)
        if x.dtype.kind not in "iu":
            raise WeightsError(f"reference ids hold {x.dtype}, expected integers")
    elif "x" in reference:
        x = _as("x", reference["x"], (reference["x"].size // model.input_size, model.input_size))
    else:
        raise WeightsError("the reference outputs come without their input (ids or x)")
    L, H = model.num_layers, model.hidden_size
    state = [_as(k, reference[k], (L, H)) if k in reference else None for k in ("h0", "c0")]
    try:
        trace = model.trace(x, *state)
    except ModelError as e:
        raise WeightsError(f"the reference input does not fit the model: {e}") from None
    T = trace.steps
    ours = {
        "outputs": trace.layers[-1].h,
        "h_n": np.stack([layer.h[-1] for layer in trace.layers]),
        "c_n": np.stack([layer.c[-1] for layer in trace.layers]),
    }
    if trace.logits is not None:
        ours["logits"] = trace.logits
    diffs = {}
    for name in OUTPUTS:
        if name in reference:
            if name not in ours:
                raise WeightsError(f"reference {name} given but the model has no head")
            theirs = _as(name, np.asarray(reference[name], np.float64), ours[name].shape)
            if not np.isfinite(theirs).all():
                raise WeightsError(f"reference {name} contains NaN or infinite values")
            diffs[name] = float(np.max(np.abs(ours[name] - theirs)))
    return {"max_abs_diff": max(diffs.values()), "by_array": diffs, "steps": T}
