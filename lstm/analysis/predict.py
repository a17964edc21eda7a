"""What the output layer predicts at a step: the softmax of its logits, the top few outputs,
and where the true next token (or label) stands among them.

The truth comes from the caller (the task knows it: the next input token for a language model,
the target label for a classifier); without it nothing is marked. A model without an output
layer, or a step before the first token, gives a Prediction whose `message` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..focus import Focus

TOP = 5
NO_OUTPUT = "this model has no output layer: it predicts nothing"


@dataclass(frozen=True)
class Choice:
    """One output: its index, its label and its probability."""

    index: int
    label: str
    p: float


@dataclass(frozen=True)
class Prediction:
    """The top outputs at step t (0-based), most probable first; `truth` the true output with
    its probability and `rank` (1 = most probable) when the caller knows it. An empty `top`
    comes with a `message` saying why there is nothing to show."""

    t: int
    top: tuple[Choice, ...] = ()
    truth: Choice | None = None
    rank: int | None = None
    outputs: int = 0
    message: str = ""
    token: str = ""  # the token just read, when the caller gave it (for the caption)
    what: str = "next token"  # what the outputs are: "next token", "label", ...


def softmax(z: np.ndarray) -> np.ndarray:
    """Probabilities (N,) float64 from logits (N,), without overflow."""
    e = np.exp(np.asarray(z, np.float64) - np.max(z))
    return e / e.sum()


def prediction(trace, t: int, labels: list[str] | None = None, truth: int | None = None,
               top: int = TOP, token: str = "", what: str = "next token") -> Prediction:
    """The prediction after step t (0-based) of a trace. labels: one per output (default the
    indices as text); truth: the index of the true output, or None; token and what are
    carried along for the caption."""
    words = {"token": token, "what": what}
    if trace.logits is None:
        return Prediction(t, message=NO_OUTPUT, **words)
    T, n = trace.logits.shape
    if not 0 <= t < T:
        where = "before the first token" if t < 0 else f"past the last step ({T - 1})"
        return Prediction(t, outputs=n, message=f"no prediction {where}", **words)
    if labels is None:
        labels = [str(j) for j in range(n)]
    if len(labels) != n:
        raise ValueError(f"{len(labels)} labels for an output layer of {n}")
    p = softmax(trace.logits[t])
    order = np.argsort(-p, kind="stable")

    def choice(j: int) -> Choice:
        return Choice(int(j), labels[j], float(p[j]))

    best = tuple(choice(j) for j in order[:top])
    if truth is None:
        return Prediction(t, best, outputs=n, **words)
    if isinstance(truth, bool) or not 0 <= truth < n:
        raise ValueError(f"truth {truth!r} is not an output index (0..{n - 1})")
    rank = int(np.flatnonzero(order == truth)[0]) + 1
    return Prediction(t, best, choice(truth), rank, n, **words)


def prediction_at(trace, focus: Focus, tokens: list[str], labels: list[str] | None = None,
                  truth: int | None = None, what: str = "next token") -> Prediction:
    """The prediction at the page's focus (step 1-based: after the step-th token)."""
    t = focus.step - 1
    token = tokens[t] if 0 <= t < len(tokens) else ""
    return prediction(trace, t, labels, truth, token=token, what=what)
