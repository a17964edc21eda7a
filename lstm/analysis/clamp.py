"""Counterfactual traces: a gate of a unit held at a value from a step on, or a unit's state
zeroed at one step, and everything after it traced again by the model's own forward pass.

A gate clamp replaces the activation (the value the cell uses), not the pre-activation: `pre`
still holds what the unit computed, the gate arrays hold the clamped value, and c, h, every
later step, every later layer and the logits are recomputed from it. A zero clamp sets c and h
of the unit to 0 after its step (h = o * tanh(0) = 0: the state is simply forgotten). Only the
steps from the first clamp on are traced again; the earlier ones are copied. Steps count from
0 (rows of the trace's arrays), as the command line prints them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..model import LSTM, Trace, Tracer

GATE_RANGES = {"i": (0.0, 1.0), "f": (0.0, 1.0), "g": (-1.0, 1.0), "o": (0.0, 1.0)}
ZERO = "zero"  # Clamp.gate for "zero c and h at this step"
BLOCK = {"g": 0, "f": 1, "i": 2, "o": 3}  # a gate's block in the rows Tracer edits receive


class ClampError(ValueError):
    """A clamp that cannot be applied; the message names the bad field and the allowed range."""


@dataclass(frozen=True)
class Clamp:
    """Gate `gate` (i, f, g, o) of `unit` in `layer` held at `value` from `step` on, or, with
    gate ZERO, that unit's c and h set to 0 at `step` only (value unused)."""

    layer: int
    unit: int
    gate: str
    value: float = 0.0
    step: int = 0

    def describe(self) -> str:
        """One line for captions and the command line: 'layer 0 unit 3: f = 1 from step 10'."""
        who = f"layer {self.layer} unit {self.unit}"
        if self.gate == ZERO:
            return f"{who}: c and h zeroed at step {self.step}"
        return f"{who}: {self.gate} = {self.value:g} from step {self.step}"


def check_clamp(clamp: Clamp, model: LSTM, steps: int) -> None:
    """ClampError unless the clamp fits the model and a text of `steps` steps."""
    if clamp.gate not in (*GATE_RANGES, ZERO):
        raise ClampError(f"clamp gate {clamp.gate!r}: choose one of i, f, g, o (or {ZERO})")
    if not 0 <= clamp.layer < model.num_layers:
        raise ClampError(f"clamp layer {clamp.layer}: the model has layers "
                         f"0..{model.num_layers - 1}")
    if not 0 <= clamp.unit < model.hidden_size:
        raise ClampError(f"clamp unit {clamp.unit}: the model has units "
                         f"0..{model.hidden_size - 1}")
    if not 0 <= clamp.step < steps:
        raise ClampError(f"clamp step {clamp.step} is past the end: the text has {steps} steps "
                         f"(0..{steps - 1})")
    if clamp.gate in GATE_RANGES:
        lo, hi = GATE_RANGES[clamp.gate]
        if not (math.isfinite(clamp.value) and lo <= clamp.value <= hi):
            raise ClampError(f"clamp value {clamp.value:g} for gate {clamp.gate} is outside "
                             f"[{lo:g}, {hi:g}], the range of {clamp.gate}")


def layer_editor(clamps: list[Clamp], H: int):
    """The Tracer edit (see `lstm.model.Tracer.run`) that applies one layer's clamps, in order.

    A clamped gate changes only its own unit's c and h at that step (the other units read the
    previous h), so those two are recomputed here with the forward pass's own formula, in the
    same order of operations: c = f * c_prev + i * g, h = o * tanh(c).
    """
    held = [(c.step, BLOCK[c.gate] * H + c.unit, c.value, c.unit)
            for c in clamps if c.gate != ZERO]
    zeros = [(c.step, c.unit) for c in clamps if c.gate == ZERO]

    def edit(t: int, gates: np.ndarray, c_prev: np.ndarray, c: np.ndarray,
             h: np.ndarray) -> None:
        changed = set()
        for start, j, value, unit in held:
            if t >= start:
                gates[j] = value
                changed.add(unit)
        for u in changed:
            g, f, i, o = gates[u], gates[H + u], gates[2 * H + u], gates[3 * H + u]
            c[u] = f * c_prev[u] + i * g
            h[u] = o * np.tanh(c[u])
        for step, u in zeros:
            if t == step:
                c[u] = h[u] = 0.0

    return edit


def clamped_trace(model: LSTM, x, trace: Trace, clamps: list[Clamp]) -> Trace:
    """`trace` (of `model` over inputs x, as given to `model.trace`) with every clamp applied:
    a Trace of the same shape, equal to it before the first clamped step."""
    if not clamps:
        raise ClampError("no clamp given")
    T, H = trace.steps, model.hidden_size
    for clamp in clamps:
        check_clamp(clamp, model, T)
    first = min(c.step for c in clamps)
    h0 = np.stack([layer.h0 for layer in trace.layers])
    c0 = np.stack([layer.c0 for layer in trace.layers])
    tracer = Tracer(model, x, h0, c0)
    if tracer.steps != T:
        raise ClampError(f"x has {tracer.steps} steps but the trace has {T}")
    tracer.reuse(trace, first)
    layers = sorted({c.layer for c in clamps})
    edits = {k: layer_editor([c for c in clamps if c.layer == k], H) for k in layers}
    tracer.run(T - first, edits)
    return tracer.trace()


def probabilities(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, (T, O), computed stably."""
    z = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def prediction_change(original: Trace, clamped: Trace) -> np.ndarray:
    """Per step, how far the clamp moved the prediction: the total variation distance
    0.5 * sum |p - p'| between the two output distributions, (T,) in 0..1."""
    if original.logits is None or clamped.logits is None:
        raise ClampError("this model has no output layer: there is no prediction to change")
    p, q = probabilities(original.logits), probabilities(clamped.logits)
    return 0.5 * np.abs(p - q).sum(axis=1)


def accuracy(trace: Trace, targets: np.ndarray, scored: np.ndarray) -> float:
    """The fraction of scored steps (bool (T,)) whose most likely output is the target (T,)."""
    if trace.logits is None:
        raise ClampError("this model has no output layer: there is no accuracy")
    if not scored.any():
        raise ClampError("no step of this text has a label to score")
    right = trace.logits.argmax(axis=1) == targets
    return float(right[scored].mean())
