"""Time the inspection panels (equations, saturation, prediction, text) at H=128, T=500.

A focus change recomputes each panel's analysis and redraws it on a RecordingCanvas (which
also checks every argument is a plain Python value, as the browser bridge needs); a hover is
one hit test plus its readout, at pointer positions that find something. Each figure is the
median over focus changes that move the unit and the step (hovers: over pointer positions).
Prints per panel `<name>_ms` (analysis + draw), its bridge calls and hover time, then the
totals `inside_panels_ms_h128_t500=<ms>` and `inside_hover_ms_h128_t500=<ms>` (the slowest
panel's hover).
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

import lstm.draw.saturation as saturation_panel  # noqa: E402
from lstm.analysis.equations import equations_at  # noqa: E402
from lstm.analysis.predict import prediction_at  # noqa: E402
from lstm.analysis.saturation import saturation  # noqa: E402
from lstm.draw import equations, prediction, tokentext  # noqa: E402
from lstm.draw.canvas import RecordingCanvas  # noqa: E402
from lstm.focus import Focus  # noqa: E402
from lstm.model import LSTM  # noqa: E402

H, T, REPEATS = 128, 500, 60


def main() -> None:
    text = (ROOT / "assets/text/alice.txt").read_text(encoding="utf-8")
    tokens = list(text[:T])
    vocab = sorted(set(tokens))
    ids = np.array([vocab.index(t) for t in tokens])
    model = LSTM.random(32, H, vocab_size=len(vocab), output_size=len(vocab), seed=0)
    trace = model.trace(ids)
    text_trace = tokentext.TextTrace(tokens, trace)

    def truth(f: Focus) -> int | None:
        return int(ids[f.step]) if 0 < f.step < T else None

    panels = {  # name: (module, the data of a focus)
        "equations": (equations.EquationsPanel, equations.SIZE,
                      lambda f: equations_at(model, trace, f, tokens)),
        "saturation": (saturation_panel.SaturationPanel, saturation_panel.SIZE,
                       lambda f: saturation(trace, f.layer, f.step)),
        "prediction": (prediction.PredictionPanel, prediction.SIZE,
                       lambda f: prediction_at(trace, f, tokens, vocab, truth(f))),
        "tokentext": (tokentext.TokenTextPanel, tokentext.SIZE, lambda f: text_trace),
    }
    rng = np.random.default_rng(0)
    focuses = [Focus(unit=int(rng.integers(H)), step=int(rng.integers(1, T + 1)))
               for _ in range(REPEATS)]
    total, hovers = np.zeros(REPEATS), []
    print(f"H={H} T={T}, focus changes that move the unit and the step, median of {REPEATS}")
    for name, (cls, size, data_of) in panels.items():
        panel, canvas = cls(*size), RecordingCanvas(*size)
        t0 = time.perf_counter()
        panel.draw(canvas, data_of(focuses[0]), focuses[0])  # builds per-trace layouts
        first_ms = 1e3 * (time.perf_counter() - t0)
        times = np.zeros(REPEATS)
        for k, f in enumerate(focuses):
            canvas.reset()
            t0 = time.perf_counter()
            panel.draw(canvas, data_of(f), f)
            times[k] = time.perf_counter() - t0
        calls = canvas.count()
        hover = []  # over pointer positions where the panel has something
        for x, y in rng.uniform(0, 1, (40 * REPEATS, 2)) * size:
            t0 = time.perf_counter()
            hit = panel.hit(x, y)
            if hit is not None:
                hit.readout()
                hover.append(time.perf_counter() - t0)
        total += times
        hovers.append(1e3 * float(np.median(hover)) if hover else float("nan"))
        print(f"{name}_ms={1e3 * np.median(times):.3f}  (first draw {first_ms:.2f} ms, "
              f"{calls} bridge calls, hover {hovers[-1]:.4f} ms)")
    print(f"inside_panels_ms_h128_t500={1e3 * np.median(total):.3f}")
    print(f"inside_hover_ms_h128_t500={max(hovers):.4f}")


if __name__ == "__main__":
    main()
