"""Speed of the part-2 analyses: a clamped re-trace, gradient flow, unit ranking by features.

    python bench/inside.py [--repeats N]

Prints, each the best of N runs in CPU milliseconds of this process (one BLAS thread):

    trace_ms_h128_t500        the whole trace at H=128, T=500, E=64: the baseline
    clamp_ms_h128_t500        a clamp at step 250 re-traced (goal: at most 30)
    clamp_vs_trace_h128_t500  the two above as a ratio
    gradflow_ms_h128_t500     d c_T[u] / d c_t for one unit, T = the last step, with the forget
                              product (goal: at most 150)
    features_ms_h128_t2000    every unit's h and c ranked for 5 features over 2,000 characters
                              of Alice: the 4 alice features and one regular expression
                              (goal: at most 50)
    features_with_text_ms_h128_t2000   the same plus computing the 5 features from the text
"""

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before NumPy loads its BLAS
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lstm.analysis.clamp import Clamp, clamped_trace
from lstm.analysis.features import rank_units, regex_feature, task_features
from lstm.analysis.gradflow import cell_gradients, forget_product
from lstm.model import LSTM
from lstm.tasks import TEXT
from lstm.tokens import open_embedding, tokenize

H, E = 128, 64
REGEX = r"\b[Tt]he\b"


def best_ms(run, repeats: int) -> float:
    """The fastest of `repeats` calls of run(), in CPU milliseconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    n = parser.parse_args().repeats

    model = LSTM.random(E, H, seed=0)
    x = np.random.default_rng(0).standard_normal((500, E))
    trace = model.trace(x)
    clamps = [Clamp(0, 7, "f", 1.0, 250)]
    trace_ms = best_ms(lambda: model.trace(x), n)
    clamp_ms = best_ms(lambda: clamped_trace(model, x, trace, clamps), n)
    grad_ms = best_ms(lambda: (cell_gradients(model, trace, 0, 7, 499),
                               forget_product(trace, 0, 7, 499)), n)

    text = TEXT.read_text(encoding="utf-8")[:2000]
    tokens = tokenize(text, "char")
    vocab, table = open_embedding(tokens, E, seed=0)
    reader = LSTM({**model.params, "embedding": table})
    long = reader.trace(vocab.encode(tokens)[0])

    def features():
        return [*task_features("alice", tokens), regex_feature(REGEX, text)]

    five = features()
    assert len(five) == 5
    rank_ms = best_ms(lambda: rank_units(long, five), n)
    both_ms = best_ms(lambda: rank_units(long, features()), n)

    print(f"trace_ms_h128_t500={trace_ms:.2f}")
    print(f"clamp_ms_h128_t500={clamp_ms:.2f}")
    print(f"clamp_vs_trace_h128_t500={clamp_ms / trace_ms:.2f}")
    print(f"gradflow_ms_h128_t500={grad_ms:.2f}")
    print(f"features_ms_h128_t2000={rank_ms:.2f}")
    print(f"features_with_text_ms_h128_t2000={both_ms:.2f}")


if __name__ == "__main__":
    main()
