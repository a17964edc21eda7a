"""Time one full frame of every panel at H=256, T=2000, as the browser would draw it.

A frame is the NumPy work plus the Canvas calls the browser module would receive, counted
through RecordingCanvas (which also checks every argument is a plain Python value). The
per-trace colour images are built once before timing (that cost is printed too, as is the
cost of a Step, which redraws only what changed). Ends with the lines
`frame_ms_h256_t2000=<ms>` and `bridge_calls_per_frame=<n>`.
"""

import os
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402  (after the thread limits, which it reads at import)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lstm.draw.canvas import RecordingCanvas  # noqa: E402
from lstm.model import LSTM  # noqa: E402
from lstm.views import CANVAS_SIZES, Views  # noqa: E402

H, T, REPEATS = 256, 2000, 30


def median_ms(fn, n: int = REPEATS) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times))


def main() -> None:
    text = (ROOT / "assets/text/alice.txt").read_text(encoding="utf-8")
    tokens = list(text[:T])
    vocab = sorted(set(tokens))
    model = LSTM.random(32, H, vocab_size=len(vocab), seed=0)
    trace = model.trace(np.array([vocab.index(t) for t in tokens]))
    rng = np.random.default_rng(0)
    losses = (2.5 * np.exp(-np.arange(T) / 400) + 1.2 + 0.1 * rng.standard_normal(T)).tolist()
    accuracies = (0.6 - 0.5 * np.exp(-np.arange(T) / 500)).tolist()
    canvases = {k: RecordingCanvas(w, h) for k, (w, h) in CANVAS_SIZES.items()}
    views = Views(trace, tokens)
    step = T // 2

    t0 = time.perf_counter()
    views.draw_all(canvases, step, unit=3, losses=losses, accuracies=accuracies)
    first_ms = 1e3 * (time.perf_counter() - t0)

    def clear() -> None:
        for c in canvases.values():
            c.reset()

    def frame() -> None:
        clear()
        views.draw_all(canvases, step, unit=3, losses=losses, accuracies=accuracies)

    def step_frame() -> None:
        clear()
        views.draw_step(canvases, step, step + 1, unit=3)

    frame_ms = median_ms(frame)
    frame()
    per_panel = {k: c.count() for k, c in canvases.items()}
    calls = sum(per_panel.values())
    step_ms = median_ms(step_frame)
    step_frame()
    step_calls = sum(c.count() for c in canvases.values())
    panel_ms = {}
    for k in CANVAS_SIZES:
        one = {k: canvases[k]}
        panel_ms[k] = median_ms(lambda one=one: views.draw_all(one, step, unit=3, losses=losses,
                                                               accuracies=accuracies))
    print(f"H={H} T={T}, canvases {CANVAS_SIZES}")
    print(f"first frame (builds the per-trace colour images): {first_ms:.2f} ms")
    print("full frame per panel: " + ", ".join(
        f"{k} {panel_ms[k]:.2f} ms / {per_panel[k]} calls" for k in CANVAS_SIZES))
    print(f"step_ms_h256_t2000={step_ms:.3f}")
    print(f"bridge_calls_per_step={step_calls}")
    print(f"frame_ms_h256_t2000={frame_ms:.3f}")
    print(f"bridge_calls_per_frame={calls}")


if __name__ == "__main__":
    main()
