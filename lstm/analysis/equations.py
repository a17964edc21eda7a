"""One unit's step worked out: each gate's pre-activation split into its parts, then c and h.

For layer k, unit u and step t (0-based index into the trace), gate a in i, f, g, o takes row
r = a·H + u of the parameters (PyTorch's row order i, f, g, o):

    x part = W_ih[r] · x_t        x_t: the embedding row of the token (layer 0 with an
                                  embedding), the input vector, or h_t of layer k - 1
    h part = W_hh[r] · h_{t-1}    h_{t-1}: h0 before the first step
    bias   = b_ih[r] + b_hh[r]
    pre    = x part + h part + bias,   a = σ(pre) for i, f, o and tanh(pre) for g
    c = f·c_{t-1} + i·g,   h = o·tanh(c)

Every number is recomputed here in float64 from the parameters and the trace's inputs (x_t,
h_{t-1}, c_{t-1}), so the equations hold as written; tests check they equal the trace's own
pre-activations, gates and states. The few largest terms of each dot product (by |weight ×
value|) say which input dimension or which unit of h_{t-1} pushed the gate where it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..focus import Focus
from ..model import sigmoid

GATES = ("i", "f", "g", "o")
GATE_WORDS = {"i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate"}
TOP = 3  # terms kept per dot product


@dataclass(frozen=True)
class Term:
    """One product of a dot product: weight × value of input dimension or unit `index`."""

    index: int
    weight: float
    value: float
    product: float


@dataclass(frozen=True)
class GateSum:
    """One gate of the unit: the parts of its pre-activation, the activation, the top terms."""

    gate: str
    x_part: float
    h_part: float
    bias: float
    pre: float
    value: float  # σ(pre) for i, f, o; tanh(pre) for g
    x_terms: tuple[Term, ...]  # largest |product| first
    h_terms: tuple[Term, ...]


@dataclass(frozen=True)
class Equations:
    """The worked step of one unit. `source` names x_t: "embedding", "input" or "layer below"
    (h_t of layer - 1); `inputs` is its length In, `units` is H; `token` the token read at
    step t when the caller gave it."""

    layer: int
    unit: int
    t: int
    source: str
    inputs: int
    units: int
    gates: dict[str, GateSum]
    h_prev: float
    c_prev: float
    c: float
    h: float
    token: str = ""

    def quantities(self) -> dict[str, float]:
        """Every number by name, in the order `explain` prints them: x_part_a, h_part_a, bias_a,
        pre_a and a for a in i, f, g, o; then c_prev, c, h."""
        out = {}
        for a in GATES:
            s = self.gates[a]
            out.update({f"x_part_{a}": s.x_part, f"h_part_{a}": s.h_part, f"bias_{a}": s.bias,
                        f"pre_{a}": s.pre, a: s.value})
        out.update(c_prev=self.c_prev, c=self.c, h=self.h)
        return out


def check_position(trace, layer: int, unit: int, t: int) -> None:
    """ValueError naming the layer, unit or step (0-based) outside the trace."""
    L, (T, H) = len(trace.layers), trace.layers[0].h.shape
    for name, v, n in (("layer", layer, L), ("unit", unit, H), ("step", t, T)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or not 0 <= v < n:
            raise ValueError(f"{name} {v!r} is out of range: there are {name}s 0..{n - 1}")


def _top_terms(w: np.ndarray, v: np.ndarray, top: int) -> list[tuple[Term, ...]]:
    """The `top` largest |w * v| terms of each row of w (4, N) against v (N,); products that
    are exactly 0 (h0 = 0 before the first step) say nothing and are left out."""
    p = w * v
    order = np.argsort(-np.abs(p), axis=1, kind="stable")[:, :top]
    return [tuple(Term(int(j), float(w[r, j]), float(v[j]), float(p[r, j]))
                  for j in row if p[r, j] != 0) for r, row in enumerate(order)]


def equations(model, trace, layer: int, unit: int, t: int, top: int = TOP, token: str = ""
              ) -> Equations:
    """The worked step t (0-based) of `unit` in `layer` of a trace made by `model`; `token`
    is carried along for the caption."""
    check_position(trace, layer, unit, t)
    p, lt, H = model.params, trace.layers[layer], model.hidden_size
    rows = np.arange(4) * H + unit
    x = np.asarray(lt.x[t], np.float64)
    h_prev = np.asarray(lt.h[t - 1] if t > 0 else lt.h0, np.float64)
    c_prev = float(lt.c[t - 1, unit] if t > 0 else lt.c0[unit])
    w_ih = np.asarray(p[f"weight_ih_l{layer}"][rows], np.float64)  # (4, In)
    w_hh = np.asarray(p[f"weight_hh_l{layer}"][rows], np.float64)  # (4, H)
    bias = np.asarray(p[f"bias_ih_l{layer}"][rows], np.float64) + p[f"bias_hh_l{layer}"][rows]
    x_parts, h_parts = w_ih @ x, w_hh @ h_prev
    pre = x_parts + h_parts + bias
    act = sigmoid(pre)
    act[2] = np.tanh(pre[2])
    x_terms, h_terms = _top_terms(w_ih, x, top), _top_terms(w_hh, h_prev, top)
    gates = {a: GateSum(a, float(x_parts[k]), float(h_parts[k]), float(bias[k]), float(pre[k]),
                        float(act[k]), x_terms[k], h_terms[k]) for k, a in enumerate(GATES)}
    i, f, g, o = (float(v) for v in act)
    c = f * c_prev + i * g
    if layer > 0:
        source = "layer below"
    else:
        source = "embedding" if model.vocab_size is not None else "input"
    return Equations(layer, unit, t, source, len(x), H, gates, float(h_prev[unit]), c_prev,
                     c, o * float(np.tanh(c)), token)


def equations_at(model, trace, focus: Focus, tokens: list[str]) -> Equations | None:
    """The equations of the page's focus (its step is 1-based), or None where there are none:
    the mean over units, step 0 (before the first token), or a focus outside the trace."""
    t = focus.step - 1
    try:
        check_position(trace, focus.layer, focus.unit, t)
    except ValueError:
        return None
    return equations(model, trace, focus.layer, focus.unit, t, token=tokens[t])


def term_text(term: Term, name: str) -> str:
    """A term as the equations write it, e.g. "h[12] +0.5200 × -0.3100 = -0.1612" (name is
    "x" for an input dimension, "h" for a unit of h_{t-1})."""
    return f"{name}[{term.index}] {term.weight:+.4f} × {term.value:+.4f} = {term.product:+.4f}"
