"""Features of a text and the units that track them.

A feature is one number per step, computed from the tokens alone (the state after reading
token t, like the bracket depth a task scores): each task defines its own, and a regular
expression the user types gives one more (1 on the steps inside a match, 0 elsewhere). Units
are ranked by how well their value over the text follows a feature: |Pearson r| between the
feature and h, and c, of every unit of every layer. A model without a task has regular
expressions only. Steps and units count from 0, as in the trace's arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import Trace
from ..tokens import WORD, clean
from .regex import match_spans

QUANTITIES = ("h", "c")  # what is ranked, per unit and layer


@dataclass(frozen=True)
class Feature:
    """One number per step (values (T,) float64), with the words to talk about it: `title`
    ("bracket depth"), `does` (what a unit tracking it does: "counts bracket depth") and
    `where` (the steps it is active on: "while the depth is above 0")."""

    name: str
    title: str
    values: np.ndarray
    does: str
    where: str

    @property
    def constant(self) -> bool:
        """True when the feature has one value at every step (no correlation is defined)."""
        return bool(np.ptp(self.values) == 0)


@dataclass(frozen=True)
class UnitScore:
    """How well one unit's h or c follows a feature over the text: Pearson r."""

    layer: int
    quantity: str  # "h" or "c"
    unit: int
    r: float


def running_count(tokens: list[str], up: str, down: str, reset: str | None = None
                  ) -> np.ndarray:
    """(T,) the count of `up` minus the count of `down` tokens so far, back to 0 at `reset`."""
    out, n = np.zeros(len(tokens)), 0
    for t, tok in enumerate(tokens):
        n = 0 if tok == reset else n + (tok == up) - (tok == down)
        out[t] = n
    return out


def held_letters(tokens: list[str], letters: tuple[str, ...], ask: str = "?") -> list[str]:
    """The letter held after each token (T,): the last of `letters` seen, through the `ask`
    token that reads it out, then none ("") until the next one."""
    held, out = "", []
    for tok in tokens:
        if tok in letters:
            held = tok
        out.append(held)
        if tok == ask:
            held = ""
    return out


def inside(tokens: list[str], opening: str, closing: str) -> np.ndarray:
    """(T,) 1 after an opening token until its closing token (nesting counted), else 0."""
    return (running_count(tokens, opening, closing).clip(min=0) > 0).astype(float)


def position_in(tokens: list[str], is_part) -> np.ndarray:
    """(T,) how many tokens of the current run (tokens where is_part holds) have been read:
    1, 2, 3, ... along a run, 0 on the tokens outside it."""
    out, n = np.zeros(len(tokens)), 0
    for t, tok in enumerate(tokens):
        n = n + 1 if is_part(tok) else 0
        out[t] = n
    return out


def task_features(task: str | None, tokens: list[str]) -> list[Feature]:
    """The features a task defines over these tokens; none for no task or an unknown one."""
    if task == "brackets":
        return [Feature("depth", "bracket depth", running_count(tokens, "(", ")"),
                        "counts bracket depth", "while the depth is above 0")]
    if task == "anbn":
        return [Feature("count", "a's minus b's so far", running_count(tokens, "a", "b", "."),
                        "counts a's minus b's", "while the count is above 0")]
    if task == "recall":
        held = held_letters(tokens, ("A", "B", "C", "D"))
        holding = np.array([h != "" for h in held], float)
        features = [Feature("holding", "a letter is held", holding,
                            "holds that a letter was seen", "while a letter is held")]
        for letter in "ABCD":
            features.append(Feature(f"held_{letter}", f"{letter} is held",
                                    np.array([h == letter for h in held], float),
                                    f"remembers the letter {letter}",
                                    f"while {letter} is held"))
        return features
    if task == "alice":
        return [
            Feature("quote", "inside “…” quotes", inside(tokens, "“", "”"),
                    "tracks being inside a quotation", "inside quotations"),
            Feature("paren", "inside parentheses", inside(tokens, "(", ")"),
                    "tracks being inside parentheses", "inside parentheses"),
            Feature("line_pos", "position in the line", position_in(tokens, lambda s: s != "\n"),
                    "counts the characters of the line", "along a line"),
            Feature("word_pos", "position in the word", position_in(tokens, str.isalpha),
                    "counts the letters of a word", "inside words"),
        ]
    return []


def regex_feature(pattern: str, text: str, mode: str = "char") -> Feature:
    """1 on every step whose token overlaps a match of `pattern` in the text, else 0 (T,).

    The pattern runs over the text as the tokenizer saw it (`tokens.clean`); word tokens are
    found where `tokens.tokenize` finds them. RegexError (a ValueError) for an invalid or
    refused pattern, or when the bounded matcher stops (`lstm.analysis.regex`).
    """
    text = clean(text)
    if mode == "char":
        starts = np.arange(len(text))
        ends = starts + 1
    else:
        spans = np.array([m.span() for m in WORD.finditer(text)], np.int64).reshape(-1, 2)
        starts, ends = spans[:, 0], spans[:, 1]
    covered = np.zeros(len(text) + 1)
    for a, b in match_spans(pattern, text):
        covered[a] += 1
        covered[b] -= 1
    chars = np.concatenate([[0], np.cumsum(np.cumsum(covered)[:-1] > 0)])  # matched chars < k
    values = (chars[ends] - chars[starts] > 0).astype(float)
    return Feature("regex", f"/{pattern}/", values, f"fires on /{pattern}/",
                   "inside the matches")


def unit_values(trace: Trace) -> np.ndarray:
    """Every ranked series side by side, (T, L * 2 * H): layer by layer, h then c."""
    return np.concatenate([getattr(layer, q) for layer in trace.layers for q in QUANTITIES],
                          axis=1)


def correlations(trace: Trace, values: np.ndarray) -> np.ndarray:
    """Pearson r between each feature and each unit's h and c, (F, L, 2, H).

    values: (T,) one feature or (T, F) several. A unit constant over the text gets r = 0;
    a constant feature gets r = 0 throughout.
    """
    X = unit_values(trace)
    F = np.asarray(values, np.float64).reshape(len(X), -1)
    Xc, Fc = X - X.mean(axis=0), F - F.mean(axis=0)
    xn, fn = np.linalg.norm(Xc, axis=0), np.linalg.norm(Fc, axis=0)
    r = (Fc.T @ Xc) / np.where(fn == 0, np.inf, fn)[:, None] / np.where(xn == 0, np.inf, xn)
    L, H = len(trace.layers), trace.layers[0].h.shape[1]
    return np.clip(r, -1.0, 1.0).reshape(len(Fc.T), L, len(QUANTITIES), H)


def rank_units(trace: Trace, features: list[Feature], top: int = 5) -> list[list[UnitScore]]:
    """For each feature, the `top` units (h or c, any layer) by |r|, strongest first; an
    empty list for a constant feature."""
    if not features:
        return []
    r = correlations(trace, np.stack([f.values for f in features], axis=1))
    ranked = []
    for f, rf in zip(features, r, strict=True):
        if f.constant:
            ranked.append([])
            continue
        flat = np.abs(rf).ravel()
        best = np.argsort(-flat, kind="stable")[:top]
        ranked.append([UnitScore(int(k), QUANTITIES[q], int(u), float(rf[k, q, u]))
                       for k, q, u in zip(*np.unravel_index(best, rf.shape), strict=True)])
    return ranked


def task_labels(task: str | None, tokens: list[str], labels: list[str]
                ) -> tuple[np.ndarray, np.ndarray] | None:
    """What the task's output should be at each step of this text, as label ids (T,), and
    which steps are scored (T,) bool; None for a model without a task. labels: the model's
    output labels in order (meta "labels")."""
    T = len(tokens)
    targets, scored = np.zeros(T, np.int64), np.zeros(T, bool)
    index = {s: j for j, s in enumerate(labels)}
    if task == "brackets":
        depth = running_count(tokens, "(", ")").astype(np.int64)
        for t, d in enumerate(depth):
            if str(d) in index:
                targets[t], scored[t] = index[str(d)], True
    elif task == "recall":
        for t, (tok, held) in enumerate(zip(tokens, held_letters(tokens, tuple(labels)),
                                            strict=True)):
            if tok == "?" and held in index:
                targets[t], scored[t] = index[held], True
    elif task in ("anbn", "alice"):
        for t in range(T - 1):
            nxt = tokens[t + 1]
            if nxt in index and (task == "alice" or tokens[t] == "b"):
                targets[t], scored[t] = index[nxt], True
    else:
        return None
    return targets, scored
