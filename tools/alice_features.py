"""Which units of the alice preset follow which feature of the text: |Pearson r| of every
unit's c and h (every layer) with "inside “…” quotes", "inside parentheses", "position in the
line" and "position in the word", on the held-out end of the book traced in one run.

    python3 tools/alice_features.py [MODEL] [--top N]

Prints the top units per feature, then one `name=value` line per feature with the best |r|.
Minimal on purpose: a fuller analysis module may replace it.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lstm import tasks
from lstm.modelfile import load_model

DEFAULT = Path(__file__).resolve().parent.parent / "assets" / "models" / "alice.npz"


def inside(text: str, opening: str, closing: str) -> np.ndarray:
    """1 after each character that leaves the text inside an opening..closing pair, else 0
    (the opening mark counts as inside, the closing one as outside)."""
    depth, out = 0, np.zeros(len(text))
    for t, ch in enumerate(text):
        depth = depth + 1 if ch == opening else max(depth - 1, 0) if ch == closing else depth
        out[t] = depth > 0
    return out


def since(text: str, resets) -> np.ndarray:
    """Characters read since the last one for which resets(ch) is true (0 at that one)."""
    count, out = 0, np.zeros(len(text))
    for t, ch in enumerate(text):
        count = 0 if resets(ch) else count + 1
        out[t] = count
    return out


def features(text: str) -> dict[str, np.ndarray]:
    """Each feature's value (T,) after every character of `text`."""
    return {
        "quotes": inside(text, "“", "”"),
        "parentheses": inside(text, "(", ")"),
        "line_position": since(text, lambda ch: ch == "\n"),
        "word_position": since(text, lambda ch: not ch.isalpha()),
    }


def correlations(values: np.ndarray, feature: np.ndarray) -> np.ndarray:
    """Pearson r (H,) of each column of values (T, H) with feature (T,); 0 for constant ones."""
    v = values - values.mean(0)
    f = feature - feature.mean()
    norm = np.sqrt((v * v).sum(0) * (f * f).sum())
    return np.divide(v.T @ f, norm, out=np.zeros(values.shape[1]), where=norm > 0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", nargs="?", default=str(DEFAULT))
    p.add_argument("--top", type=int, default=3, help="units listed per feature (3)")
    args = p.parse_args()
    model, meta = load_model(args.model)
    vocab = meta["vocabulary"]
    ids = tasks.HELDOUT_IDS
    text = "".join(vocab[j] for j in ids)
    trace = model.trace(ids)
    print(f"{args.model}: {model!r}; held-out text of {len(text):,} characters")
    best = {}
    for name, feature in features(text).items():
        rows = []
        for k, layer in enumerate(trace.layers):
            for state in ("c", "h"):
                r = correlations(np.asarray(getattr(layer, state)), feature)
                rows += [(abs(r[u]), r[u], k, state, u) for u in range(len(r))]
        rows.sort(reverse=True)
        listed = ", ".join(f"layer {k} {s} unit {u}: r = {r:+.3f}" for _, r, k, s, u in
                           rows[: args.top])
        print(f"{name}: {listed}")
        best[name] = rows[0]
    for name, (size, _, k, s, u) in best.items():
        print(f"{name}_best_abs_r={size:.3f}  # layer {k} {s} unit {u}")


if __name__ == "__main__":
    main()
