"""Speed of `LSTM.trace` against torch `nn.LSTM`: T=1000 tokens, E=64, batch 1, one thread.

    python bench/trace.py [--repeats N]

Prints tokens/s for H = 32, 128, 512 in float64 and float32, the ratio NumPy / torch when
torch is installed, and last the line `trace_vs_torch_h128=<ratio>` (float64). Each figure is
the best of N runs in CPU time of this process (the machine may be shared: time spent
waiting for a core is not counted), numpy and torch runs interleaved so both see the same load.
"""

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before NumPy (and torch) load their BLAS
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lstm.model import LSTM

try:
    import torch
except ImportError:
    torch = None

T, E, SIZES = 1000, 64, (32, 128, 512)


def best_seconds(run, repeats: int) -> float:
    """The fastest of `repeats` calls of run(), in CPU seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def bench(H: int, dtype: str, repeats: int) -> tuple[float, float | None]:
    """Tokens/s of the NumPy trace and of torch nn.LSTM (None without torch) at one size."""
    model = LSTM.random(E, H, seed=0, dtype=dtype)
    x = np.random.default_rng(0).standard_normal((T, E)).astype(dtype)
    model.trace(x)  # warm up
    if torch is None:
        return T / best_seconds(lambda: model.trace(x), repeats), None
    net = torch.nn.LSTM(E, H).to(getattr(torch, dtype))
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.copy_(torch.from_numpy(model.params[name].copy()))
    xt = torch.from_numpy(x)[:, None, :]

    def run_torch():
        with torch.no_grad():
            net(xt)

    run_torch()
    ours = theirs = float("inf")
    for _ in range(repeats):
        ours = min(ours, best_seconds(lambda: model.trace(x), 1))
        theirs = min(theirs, best_seconds(run_torch, 1))
    return T / ours, T / theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    if torch is not None:
        torch.set_num_threads(1)
    print(f"T={T} E={E} batch 1, one thread; numpy {np.__version__}", end="")
    print(f", torch {torch.__version__}" if torch else ", torch not installed")
    speeds = {}
    for H in SIZES:
        for dtype in ("float64", "float32"):
            ours, theirs = bench(H, dtype, args.repeats if H < 512 else max(2, args.repeats // 2))
            speeds[H, dtype] = ours, theirs
            line = f"H={H:<4} {dtype}  numpy {ours:>9,.0f} tok/s"
            if theirs is not None:
                line += f"  torch {theirs:>9,.0f} tok/s  ratio {ours / theirs:.2f}"
            print(line, flush=True)
    ours, theirs = speeds[128, "float64"]
    if theirs is None:
        print("trace_vs_torch_h128=nan")
        return
    # torch's default dtype is float32: the app's float64 trace against that, for reference.
    print(f"numpy float64 / torch float32 at H=128: {ours / speeds[128, 'float32'][1]:.2f}")
    print(f"trace_vs_torch_h128={ours / theirs:.3f}")


if __name__ == "__main__":
    main()
