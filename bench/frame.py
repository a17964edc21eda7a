"""Time the page's frames: every registered panel drawn from one view, a Step, a focus change,
and a hover, as the browser would run them.

The work timed is the Python (NumPy, analysis, drawing) plus the Canvas calls the browser
module would receive, counted through RecordingCanvas, which also checks every argument is a
plain Python value. Panels and canvas sizes come from the registry (lstm/ui/panels.py), so a
new panel is timed here without any edit. Per-trace images and layouts are built before timing
(that first frame is printed too). Figures are medians over focus changes that move the unit
and the step (hovers: over pointer positions that find something). Ends with the lines

    frame_ms_h256_t2000=<ms>        every panel, complete, H=256, T=2000
    floor_frame_ms_h256_t2000=<ms>  the seed's panels alone (diagram, heatmaps, states, loss)
    bridge_calls_per_frame=<n>
    step_ms_h256_t2000=<ms>         a Step (what moved), and its bridge calls
    inside_frame_ms_h128_t500=<ms>  a focus change: every panel redrawn, H=128, T=500 (the
                                    deferred ones, drawn after the page paints, included)
    inside_first_paint_ms_h128_t500=<ms>   the part before the page paints (deferred left out)
    hover_ms_h128_t500=<ms>         one hover: the hit test and its readout card
    bridge_calls_per_hover=<n>
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
from lstm.draw.curve import draw_curve  # noqa: E402
from lstm.draw.readout import draw_readout  # noqa: E402
from lstm.model import LSTM  # noqa: E402
from lstm.ui.panels import PANELS, Frames, Scene  # noqa: E402
from lstm.ui.state import ViewState  # noqa: E402

REPEATS = 30


def median_ms(times: list[float]) -> float:
    return 1e3 * float(np.median(times))


def timed(fn, n: int = REPEATS) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return median_ms(times)


def scene(H: int, T: int) -> Scene:
    """A random model with an output layer over the first T characters of the alice text."""
    text = (ROOT / "assets/text/alice.txt").read_text(encoding="utf-8")
    tokens = list(text[:T])
    vocab = sorted(set(tokens))
    ids = np.array([vocab.index(t) for t in tokens])
    model = LSTM.random(32, H, vocab_size=len(vocab), output_size=len(vocab), seed=0)
    return Scene(model, model.trace(ids), tokens, vocab, np.append(ids[1:], -1))


def canvases() -> dict[str, RecordingCanvas]:
    return {p.id: RecordingCanvas(*p.size) for p in PANELS}


def calls(cs: dict[str, RecordingCanvas]) -> int:
    return sum(c.count() for c in cs.values())


def reset(cs: dict[str, RecordingCanvas]) -> None:
    for c in cs.values():
        c.reset()


def full_frame(H: int = 256, T: int = 2000) -> None:
    """Every panel complete, and a Step, at H=256, T=2000 (the loss curve beside them)."""
    frames, cs = Frames(scene(H, T)), canvases()
    loss = RecordingCanvas(900, 220)
    rng = np.random.default_rng(0)
    losses = (2.5 * np.exp(-np.arange(T) / 400) + 1.2 + 0.1 * rng.standard_normal(T)).tolist()
    accuracies = (0.6 - 0.5 * np.exp(-np.arange(T) / 500)).tolist()
    view = ViewState().at(T // 2).focused(unit=3)
    t0 = time.perf_counter()
    frames.draw(cs, view, deferred=None)
    first_ms = 1e3 * (time.perf_counter() - t0)

    def frame() -> None:
        reset(cs)
        loss.reset()
        frames.draw(cs, view, deferred=None)
        draw_curve(loss, losses, accuracies)

    frame_ms = timed(frame)
    floor = {k: cs[k] for k in ("diagram", "heatmaps", "states")}

    def floor_frame() -> None:
        reset(floor)
        loss.reset()
        frames.draw(floor, view, deferred=None)
        draw_curve(loss, losses, accuracies)

    floor_ms = timed(floor_frame)
    frame()
    per_panel = {k: c.count() for k, c in cs.items()}
    frame_calls = calls(cs) + loss.count()
    after = view.at(T // 2 + 1)

    steps = []
    for _ in range(REPEATS):
        frames.draw(cs, view, deferred=None)
        reset(cs)
        t0 = time.perf_counter()
        frames.draw(cs, after, prev=T // 2, deferred=None)
        steps.append(time.perf_counter() - t0)
    step_calls = calls(cs)
    panel_ms = {}
    for p in PANELS:
        one = {p.id: cs[p.id]}
        panel_ms[p.id] = timed(lambda one=one: frames.draw(one, view, deferred=None))
    print(f"H={H} T={T}, canvases {dict((p.id, p.size) for p in PANELS)}")
    print(f"first frame (builds the per-trace images and layouts): {first_ms:.2f} ms")
    print("full frame per panel: " + ", ".join(
        f"{k} {panel_ms[k]:.2f} ms / {per_panel[k]} calls" for k in panel_ms))
    print(f"step_ms_h{H}_t{T}={median_ms(steps):.3f}")
    print(f"bridge_calls_per_step={step_calls}")
    print(f"frame_ms_h{H}_t{T}={frame_ms:.3f}")
    print(f"floor_frame_ms_h{H}_t{T}={floor_ms:.3f}")
    print(f"bridge_calls_per_frame={frame_calls}")


def inside(H: int = 128, T: int = 500) -> None:
    """Focus changes (every panel redrawn, analyses included) and hovers at H=128, T=500."""
    frames, cs = Frames(scene(H, T)), canvases()
    rng = np.random.default_rng(1)
    views = [ViewState().at(T).at(int(rng.integers(1, T + 1))).focused(unit=int(rng.integers(H)))
             for _ in range(REPEATS)]
    frames.draw(cs, views[0], deferred=None)  # per-trace images and layouts
    times, first, per_panel = [], [], {p.id: [] for p in PANELS}
    for view in views:
        reset(cs)
        t0 = time.perf_counter()
        frames.draw(cs, view)
        t1 = time.perf_counter()
        frames.draw(cs, view, deferred=True)
        times.append(time.perf_counter() - t0)
        first.append(t1 - t0)
        for p in PANELS:
            t1 = time.perf_counter()
            frames.draw({p.id: cs[p.id]}, view, deferred=None)
            per_panel[p.id].append(time.perf_counter() - t1)
    overlays = canvases()
    hovers, hover_calls = [], []
    points = rng.uniform(0, 1, (4000, 2))
    for p in PANELS:
        frames.draw(cs, views[-1], deferred=None)
        found = 0
        for fx, fy in points:
            x, y = fx * p.size[0], fy * p.size[1]
            overlay = overlays[p.id]
            overlay.reset()
            t0 = time.perf_counter()
            hit = frames.hit(p.id, x, y)
            if hit is not None:
                draw_readout(overlay, x, y, hit.readout())
                hovers.append(time.perf_counter() - t0)
                hover_calls.append(overlay.count() + 1)  # and the cursor, when it changes
                found += 1
                if found >= REPEATS:
                    break
    print(f"H={H} T={T}, a focus change redraws every panel (median of {REPEATS}): " + ", ".join(
        f"{k} {median_ms(v):.2f} ms" for k, v in per_panel.items()))
    print(f"inside_frame_ms_h{H}_t{T}={median_ms(times):.3f}")
    print(f"inside_first_paint_ms_h{H}_t{T}={median_ms(first):.3f}")
    print(f"hover_ms_h{H}_t{T}={median_ms(hovers):.4f}")
    print(f"bridge_calls_per_hover={int(np.median(hover_calls))}")


if __name__ == "__main__":
    full_frame()
    inside()
