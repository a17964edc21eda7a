"""Time the probe panels as the page draws them (memory, features, counterfactual, gradient flow
through the registry's data functions), at H=128, T=500, and the "Try this" findings of each
shipped preset.

    python bench/probes.py

Each figure is the median over REPEATS focus changes that move the unit and the step, in wall
milliseconds (one BLAS thread), drawing on a RecordingCanvas (which also checks every argument
is plain Python, as the browser bridge needs). Prints, per panel, `<name>_ms` (data + draw) and
its bridge calls, then:

    probes_focus_ms_h128_t500   the four panels after a focus change (gradient flow recomputed)
    probes_step_ms_h128_t500    the four panels one step on while playing, the unit kept
    probes_revisit_ms_h128_t500 the four panels at a focus seen before (every analysis cached)
    probes_clamp_ms_h128_t500   a clamp at step 250 added: re-trace and counterfactual redraw
    probes_hover_ms_h128_t500   the slowest panel's hit test and readout
    findings_ms_<preset>        the findings of each shipped preset the first time (computed
                                when the menu opens, not at boot)
"""

import os
import sys
import time
from dataclasses import replace
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402  (after the thread limits, which it reads at import)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lstm import modelfile  # noqa: E402
from lstm.analysis.clamp import Clamp  # noqa: E402
from lstm.analysis.findings import findings  # noqa: E402
from lstm.draw.canvas import RecordingCanvas  # noqa: E402
from lstm.model import LSTM  # noqa: E402
from lstm.ui.panels import REGISTRY, Frames, Scene  # noqa: E402
from lstm.ui.probes import REGEX, Probes  # noqa: E402
from lstm.ui.state import ViewState  # noqa: E402

H, T, REPEATS = 128, 500, 40
PANELS = ("memory", "features", "counterfactual", "gradflow")


def ms(run, *args) -> float:
    """The wall milliseconds of run(*args)."""
    t0 = time.perf_counter()
    run(*args)
    return 1e3 * (time.perf_counter() - t0)


def main() -> None:
    text = (ROOT / "assets/text/alice.txt").read_text(encoding="utf-8")[:T]
    tokens = list(text)
    vocab = sorted(set(tokens))
    ids = np.array([vocab.index(t) for t in tokens])
    model = LSTM.random(32, H, vocab_size=len(vocab), output_size=len(vocab), seed=0)
    trace = model.trace(ids)
    truth = np.append(ids[1:], -1)
    scene = Scene(model, trace, tokens, vocab, truth, tokenizer="char", task="alice",
                  inputs=ids, probes=Probes(feature=REGEX, pattern=r"\b[Tt]he\b"))
    frames = Frames(scene)
    canvases = {k: RecordingCanvas(*REGISTRY[k].size) for k in PANELS}
    rng = np.random.default_rng(0)
    views = [ViewState(text=text).at(int(rng.integers(1, T + 1))).focused(
        unit=int(rng.integers(H))) for _ in range(REPEATS)]
    frames.draw(canvases, views[0])  # the per-trace analyses (half-lives, the feature)
    scene.probes = replace(scene.probes, clamps=(Clamp(0, 7, "f", 1.0, 250),))

    def draw_one(name: str, view: ViewState) -> None:
        canvases[name].reset()
        frames.draw({name: canvases[name]}, view)

    print(f"H={H} T={T}, median of {REPEATS} focus changes that move the unit and the step")
    totals = np.zeros(REPEATS)
    for name in PANELS:
        times = np.array([ms(draw_one, name, v) for v in views])
        totals += times
        print(f"{name}_ms={np.median(times):.3f}  ({canvases[name].count()} bridge calls)")
    revisit = [ms(frames.draw, canvases, v) for v in views[-8:]]
    step = []
    for v in views:
        nxt = v.at(min(v.focus.step + 1, T))
        frames.draw(canvases, v)
        step.append(ms(frames.draw, canvases, nxt, v.focus.step))
    clamp = []
    for k in range(REPEATS):
        scene.probes = replace(scene.probes, clamps=(Clamp(0, k % H, "f", 0.0, 250),))
        clamp.append(ms(draw_one, "counterfactual", views[k]))
    hover = []
    for name in PANELS:
        frames.draw(canvases, views[0])
        w, h = REGISTRY[name].size
        times = []
        for x, y in rng.uniform(0, 1, (400, 2)) * (w, h):
            t0 = time.perf_counter()
            hit = frames.hit(name, x, y)
            if hit is not None:
                hit.readout()
                times.append(1e3 * (time.perf_counter() - t0))
        hover.append(float(np.median(times)) if times else 0.0)
    print(f"probes_focus_ms_h128_t500={np.median(totals):.3f}")
    print(f"probes_step_ms_h128_t500={np.median(step):.3f}")
    print(f"probes_revisit_ms_h128_t500={np.median(revisit):.3f}")
    print(f"probes_clamp_ms_h128_t500={np.median(clamp):.3f}")
    print(f"probes_hover_ms_h128_t500={max(hover):.4f}")
    for path in sorted((ROOT / "assets/models").glob("*.npz")):
        preset, meta = modelfile.load_model(path)
        first = ms(findings, preset, meta)  # what the first opening of the menu costs
        again = min(ms(findings, preset, meta) for _ in range(3))
        print(f"findings_ms_{path.stem}={first:.1f}  (again, the held-out set made: {again:.1f})")


if __name__ == "__main__":
    main()
