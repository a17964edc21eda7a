""""Try this" entries for a preset: what the feature ranking finds, said with computed numbers.

For a model trained on a task, each of a few texts of that task (its example, and the first
sequences of the task's fixed held-out set) is traced; every unit's h and c is ranked against each
of the task's features (`features.rank_units`), and the strongest (feature, unit) pairs become
findings: the text, where to look (the layer, the unit, the step where the feature peaks, the
forget gate) and one sentence whose numbers are measured on that text, such as
"unit 11 counts bracket depth: its c follows it (r = +1.00); f stays at 1.00 while the depth is
above 0". Nothing is written in by hand, so retrained presets get their own findings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..focus import Focus
from ..model import LSTM
from ..tasks import TEXT, get_task
from ..tokens import Vocab, tokenize
from .features import Feature, UnitScore, rank_units, task_features

ALICE_CHARS = 1200  # the opening of the book: quotations, parentheses, lines and words
STRENGTH = ((0.9, "follows it"), (0.6, "tracks it"))  # |r| at least, the verb


@dataclass(frozen=True)
class Finding:
    """A text to load, where to look in it (page numbering: steps from 1), what is there, and
    the name of the feature it is about (`features.Feature.name`)."""

    text: str
    focus: Focus
    sentence: str
    r: float
    feature: str = ""


def heldout_texts(task: str, rows: int) -> list[str]:
    """The first `rows` sequences of the task's fixed held-out set, each cut where its
    scoring ends."""
    t = get_task(task)
    inputs, _, mask = t.heldout()
    texts = []
    for ids, m in zip(inputs[:rows], mask[:rows], strict=True):
        end = int(np.flatnonzero(m)[-1]) + 1
        texts.append("".join(t.vocab[int(j)] for j in ids[:end]))
    return texts


def finding_texts(task: str, example: str) -> list[str]:
    """The texts searched for findings: the example, then texts of the task."""
    if task == "alice":
        return [TEXT.read_text(encoding="utf-8")[:ALICE_CHARS]]
    if task == "anbn":
        return [example, "a" * 10 + "b" * 10 + "."]
    return [example, *heldout_texts(task, 3)]


def forget_words(f: np.ndarray, active: np.ndarray, where: str) -> str:
    """'f stays at 1.00 while ...' or 'f ranges 0.71–1.00 (median 0.99) while ...', measured
    on the steps where the feature is active (on all steps, unqualified, when it never is)."""
    if active.any():
        f, where = f[active], f" {where}"
    else:
        where = ""
    lo, hi, med = (float(np.round(x, 2)) for x in (f.min(), f.max(), np.median(f)))
    if lo == hi:
        return f"f stays at {lo:.2f}{where}"
    return f"f ranges {lo:.2f}–{hi:.2f} (median {med:.2f}){where}"


def sentence(feature: Feature, score: UnitScore, f: np.ndarray, layers: int) -> str:
    """The finding in words, from the numbers of one text."""
    who = f"unit {score.unit}" + (f" of layer {score.layer + 1}" if layers > 1 else "")
    gate = forget_words(f, feature.values > 0, feature.where)
    r = f"r = {score.r:+.2f}"
    for least, verb in STRENGTH:
        if abs(score.r) >= least:
            turned = ", inverted" if score.r < 0 else ""
            return f"{who} {feature.does}: its {score.quantity} {verb}{turned} ({r}); {gate}"
    return (f"{who} is the closest to {feature.title}, and only loosely: its {score.quantity} "
            f"has {r}; {gate}")


def findings(model: LSTM, meta: dict, count: int = 3) -> list[Finding]:
    """Up to `count` findings for a model trained on a task (meta: its model file's meta);
    none for a model without a known task. The best unit of each feature comes first (strongest
    |r| first), then further units, each (feature, unit) once."""
    task = meta.get("task")
    example = meta.get("example", "")
    vocab = Vocab(meta["vocabulary"]) if meta.get("vocabulary") else None
    found = []  # (|r|, order, feature, score, text, trace)
    try:
        texts = finding_texts(task, example)
    except ValueError:
        return []
    for text in texts:
        tokens = tokenize(text, meta.get("tokenizer", "char"))
        features = task_features(task, tokens)
        if not features or vocab is None:
            continue
        trace = model.trace(vocab.encode(tokens)[0])
        for feature, scores in zip(features, rank_units(trace, features), strict=True):
            for rank, s in enumerate(scores):
                found.append((abs(s.r), rank, feature, s, text, trace))
    found.sort(key=lambda item: (item[1] > 0, -item[0]))  # each feature's best first
    out, seen = [], set()
    for _, _, feature, s, text, trace in found:
        key = (feature.name, s.layer, s.unit)
        if key in seen or any(f.focus.unit == s.unit and f.text == text for f in out):
            continue
        seen.add(key)
        f = np.asarray(trace.layers[s.layer].f[:, s.unit])
        step = int(np.argmax(feature.values)) + 1
        out.append(Finding(text, Focus(s.layer, s.unit, step, "f"),
                           sentence(feature, s, f, len(trace.layers)), s.r, feature.name))
        if len(out) == count:
            break
    return out
