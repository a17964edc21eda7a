"""How far back a cell state reaches: the gradient of c_T[u] with respect to every earlier c_t.

Within one layer, c_T[u] depends on c_t (t < T) along every path: the cell path
c_t -> c_{t+1} (times f_{t+1}) and the paths through h_t = o_t * tanh(c_t), which feeds all
four gates of every unit at step t+1. `cell_gradients` backpropagates exactly through all of
them (the reverse of the forward pass of `lstm.model`, one step at a time), with c_t's own h_t
counted as depending on c_t. `forget_product` is the cell path of u alone: the product of its
forget gates after t, which is what the gradient would be if nothing else carried memory.
Steps count from 0 (rows of the trace's arrays), as the command line prints them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import LSTM, Trace
from .memory import previous_cells


class GradError(ValueError):
    """A layer, unit or step outside the trace; the message names it and the range."""


def check_target(trace: Trace, layer: int, unit: int, step: int) -> None:
    """GradError unless layer, unit and step are inside the trace."""
    L, (T, H) = len(trace.layers), trace.layers[0].h.shape
    if not 0 <= layer < L:
        raise GradError(f"layer {layer}: the model has layers 0..{L - 1}")
    if not 0 <= unit < H:
        raise GradError(f"unit {unit}: the model has units 0..{H - 1}")
    if not 0 <= step < T:
        where = "past the end" if step >= T else "before the first"
        raise GradError(f"step {step} is {where}: the text has {T} steps (0..{T - 1})")


def cell_gradients(model: LSTM, trace: Trace, layer: int, unit: int, step: int) -> np.ndarray:
    """(step + 1, H): row t, column j is d c_step[unit] / d c_t[j] through every path within
    the layer; row `step` is the one-hot of `unit`.

    Backward from dc = onehot(unit), dh = 0 at `step`, for s = step, ..., 1:
        dc_s   = dc + dh * o_s * (1 - tanh(c_s)^2)     (the row for step s)
        da     = [dc_s * g_s * i_s(1 - i_s), dc_s * c_{s-1} * f_s(1 - f_s),
                  dc_s * i_s * (1 - g_s^2), dh * tanh(c_s) * o_s(1 - o_s)]   (pre-activations)
        dh     = da @ W_hh                              (to h_{s-1})
        dc     = dc_s * f_s                             (to c_{s-1})
    """
    check_target(trace, layer, unit, step)
    lt = trace.layers[layer]
    H, n = lt.h.shape[1], step + 1
    i, f, g, o, c = (np.asarray(a[:n], np.float64) for a in (lt.i, lt.f, lt.g, lt.o, lt.c))
    tc = np.tanh(c)
    through_h = o * (1 - tc * tc)  # dh -> dc at the same step
    # the factors that turn dc_s (first three blocks) and dh (last block) into da
    factors = np.concatenate([g * i * (1 - i), np.asarray(previous_cells(lt)[:n]) * f * (1 - f),
                              i * (1 - g * g), tc * o * (1 - o)], axis=1).reshape(n, 4, H)
    w = np.asarray(model.params[f"weight_hh_l{layer}"], np.float64)  # (4H, H), rows i, f, g, o
    out = np.empty((n, H))
    dc, dh = np.zeros(H), np.zeros(H)
    dc[unit] = 1.0
    da = np.empty((4, H))
    mul, add, dot = np.multiply, np.add, np.dot
    for s in range(step, -1, -1):
        row = out[s]
        mul(dh, through_h[s], row)
        add(row, dc, row)
        if s == 0:
            break
        mul(factors[s, :3], row, da[:3])
        mul(factors[s, 3], dh, da[3])
        dot(da.ravel(), w, dh)
        mul(row, f[s], dc)
    return out


def forget_product(trace: Trace, layer: int, unit: int, step: int) -> np.ndarray:
    """(step + 1,): at t, the product of unit's forget gates f_{t+1} ... f_step (1 at step):
    d c_step[unit] / d c_t[unit] along the cell path alone."""
    check_target(trace, layer, unit, step)
    f = np.asarray(trace.layers[layer].f[1 : step + 1, unit], np.float64)
    return np.append(np.cumprod(f[::-1])[::-1], 1.0)


@dataclass(frozen=True)
class Flow:
    """The gradient flow into c_step[unit] of one layer: `dc` (step + 1, H) as
    `cell_gradients` gives it and `fprod` (step + 1,) as `forget_product` does."""

    layer: int
    unit: int
    step: int
    dc: np.ndarray
    fprod: np.ndarray


def gradient_flow(model: LSTM, trace: Trace, layer: int, unit: int, step: int) -> Flow:
    """Every path's gradient and the cell path's, into c_step[unit] (what the panel draws)."""
    return Flow(layer, unit, step, cell_gradients(model, trace, layer, unit, step),
                forget_product(trace, layer, unit, step))
