"""Time batched training steps of lstm/train.py against torch on the same sizes, one thread.

A step is: embedding, LSTM, linear head, cross-entropy over every step, backward, gradient
clipping and Adam; B=32 sequences of T=50 tokens from a vocabulary of V=65, E=H.
Ends with `train_vs_torch_h32=<ratio>` and `train_vs_torch_h128=<ratio>`: our steps per second
over torch's (above 1.0 means faster).
"""

import os
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402  (after the thread limits, which it reads at import)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lstm.train import Adam, Workspace, clip_gradients, flat_views, forward_backward  # noqa: E402

B, T, V = 32, 50, 65
REPEATS = 5


def best_ms(steps: dict, n: int) -> dict:
    """Best of REPEATS timings of n steps of each closure, in ms per step. The closures take
    turns, so that load from elsewhere on a shared machine falls on both alike."""
    for step in steps.values():
        step()
    best = dict.fromkeys(steps, float("inf"))
    for _ in range(REPEATS):
        for name, step in steps.items():
            start = time.perf_counter()
            for _ in range(n):
                step()
            best[name] = min(best[name], (time.perf_counter() - start) / n * 1000)
    return best


def numpy_step(H: int, inputs, targets, mask):
    """One training step of ours, as a closure."""
    rng = np.random.default_rng(0)
    k = 1 / np.sqrt(H)
    shapes = {
        "embedding": (V, H),
        "weight_ih_l0": (4 * H, H),
        "weight_hh_l0": (4 * H, H),
        "bias_ih_l0": (4 * H,),
        "bias_hh_l0": (4 * H,),
        "out_weight": (V, H),
        "out_bias": (V,),
    }
    flat, params = flat_views(shapes, np.float32)
    flat[:] = rng.uniform(-k, k, flat.size)
    flat_grad, grads = flat_views(shapes, np.float32)
    adam, ws = Adam(flat, 0.01), Workspace()

    def step():
        forward_backward(params, inputs, targets, mask, grads, ws)
        clip_gradients(flat_grad, 1.0)
        adam.update(flat_grad)

    return step


def torch_step(H: int, inputs, targets):
    """The same step in torch, as a closure."""
    import torch

    torch.manual_seed(0)
    emb, lstm, head = torch.nn.Embedding(V, H), torch.nn.LSTM(H, H), torch.nn.Linear(H, V)
    params = [*emb.parameters(), *lstm.parameters(), *head.parameters()]
    opt = torch.optim.Adam(params, lr=0.01)
    x = torch.as_tensor(inputs.T.copy())  # (T, B)
    y = torch.as_tensor(targets.T.reshape(-1).copy())

    def step():
        opt.zero_grad()
        out, _ = lstm(emb(x))
        loss = torch.nn.functional.cross_entropy(head(out).reshape(-1, V), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()

    return step


def main() -> None:
    import torch

    torch.set_num_threads(1)
    rng = np.random.default_rng(1)
    inputs = rng.integers(0, V, (B, T))
    targets = rng.integers(0, V, (B, T))
    mask = np.ones((B, T), np.float32)
    print(f"B={B} T={T} V={V} E=H, one thread, best of {REPEATS}; numpy {np.__version__}, "
          f"torch {torch.__version__}")
    ratios = {}
    for H, n in ((32, 40), (128, 10)):
        ms = best_ms({"numpy": numpy_step(H, inputs, targets, mask),
                      "torch": torch_step(H, inputs, targets)}, n)
        ours, theirs = ms["numpy"], ms["torch"]
        ratios[H] = theirs / ours
        print(f"H={H}: numpy {ours:.2f} ms/batch, torch {theirs:.2f} ms/batch")
    print("Limits: at H=32 the per-step NumPy calls (about 16 per step forward and backward,")
    print("~1 us each) weigh as much as the arithmetic; at H=128 the (B, H) x (H, 4H) matmuls of")
    print("each step and the weight-gradient matmuls at the end (one BLAS thread) dominate.")
    for H, ratio in ratios.items():
        print(f"train_vs_torch_h{H}={ratio:.2f}")


if __name__ == "__main__":
    main()
