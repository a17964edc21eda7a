from pathlib import Path

import numpy as np
import pytest

from lstm.draw.canvas import RecordingCanvas
from lstm.draw.raster import RasterCanvas, encode_png
from lstm.model import LSTM
from lstm.views import Views

OUT = Path(__file__).parent / "output"
SIZES = {"diagram": (880, 300), "heatmaps": (880, 400), "states": (880, 300), "loss": (880, 220)}
TEXT = "the cat sat on the mat; (the mat [was] warm)."


def trace(units=16, layers=1, text=TEXT, seed=0):
    tokens = list(text)
    vocab = sorted(set(tokens))
    model = LSTM.random(8, units, num_layers=layers, vocab_size=len(vocab), seed=seed)
    return model.trace(np.array([vocab.index(t) for t in tokens])), tokens


def recorders():
    return {k: RecordingCanvas(w, h) for k, (w, h) in SIZES.items()}


def test_draw_all_draws_every_panel_with_plain_values():
    tr, tokens = trace()
    canvases = recorders()
    Views(tr, tokens).draw_all(canvases, 10, unit=2, losses=[2.0, 1.0], accuracies=[0.1, 0.5])
    assert canvases["heatmaps"].count("put_rgba") == 4
    assert canvases["states"].count("stroke_path") == 2 * 16 + 3  # lines, axes, zero, marker
    assert "unit 3 of 16 · token 10 of 45" in canvases["diagram"].strings()
    assert canvases["loss"].count("stroke_path") == 4
    assert all(c.count() > 1 for c in canvases.values())
    assert all(c.count("texts") == 1 and c.count("text") == 0 for c in canvases.values())


def test_draw_step_redraws_only_what_moves():
    tr, tokens = trace()
    views = Views(tr, tokens)
    canvases = recorders()
    views.draw_all(canvases, 3)
    for c in canvases.values():
        c.reset()
    views.draw_step(canvases, 3, 4, unit=None)
    assert canvases["heatmaps"].count("put_rgba") == 4 and canvases["heatmaps"].count() == 5
    assert canvases["loss"].count() == 0
    assert "mean over 16 units · token 4 of 45" in canvases["diagram"].strings()
    assert [canvases[k].count("texts") for k in ("diagram", "heatmaps", "states")] == [1, 0, 1]
    assert all(c.count("text") == 0 for c in canvases.values())


def test_stepping_through_gives_the_same_pictures_as_drawing_each_frame():
    tr, tokens = trace(units=4, text="abcabcabca")
    views = Views(tr, tokens)
    stepped = {k: RasterCanvas(w, h) for k, (w, h) in SIZES.items() if k != "loss"}
    views.draw_all(stepped, 0)
    for step in range(1, 11):
        views.draw_step(stepped, step - 1, step, unit=1)
        full = {k: RasterCanvas(c.width, c.height) for k, c in stepped.items()}
        views.draw_all(full, step, unit=1)
        for k in stepped:
            assert np.array_equal(stepped[k].pixels(), full[k].pixels()), (k, step)


def test_layers_units_and_bad_input():
    tr, tokens = trace(units=40, layers=2)
    views = Views(tr, tokens)
    canvases = recorders()
    views.draw_all(canvases, 45, unit=None, layer=1)
    assert "layer 2 of 2 · mean over 40 units · token 45 of 45" in canvases["diagram"].strings()
    assert canvases["states"].count("fill_path") == 2  # 40 units: bands
    views.draw_all(canvases, 999)  # clamped to the end
    views.draw_all(canvases, -5)  # clamped to the start: placeholder
    assert canvases["states"].strings()[-1].startswith("Cell state and hidden state")
    with pytest.raises(ValueError):
        Views(tr, tokens[:-1])


def test_caches_follow_the_canvas_size():
    tr, tokens = trace()
    views = Views(tr, tokens)
    a, b = RecordingCanvas(880, 400), RecordingCanvas(600, 300)
    views.draw_all({"heatmaps": a}, 5)
    views.draw_all({"heatmaps": b}, 5)
    widths = [args[2] for name, args in b.calls if name == "put_rgba"]
    assert widths and all(w < 600 for w in widths)


def test_pictures_of_every_panel():
    """PNGs of every panel and of the page (seeded random model, fixed text) in tests/output."""
    OUT.mkdir(exist_ok=True)
    tr, tokens = trace()
    views = Views(tr, tokens)
    rng = np.random.default_rng(0)
    losses = 3 * np.exp(-np.arange(400) / 80) + 0.5 + 0.1 * rng.standard_normal(400)
    canvases = {k: RasterCanvas(w, h, scale=2) for k, (w, h) in SIZES.items()}
    views.draw_all(canvases, 30, unit=None, losses=losses, accuracies=1 - losses / 4)
    for name, c in canvases.items():
        c.save(str(OUT / f"{name}.png"))
    page = np.concatenate([canvases[k].pixels() for k in SIZES], axis=0)
    (OUT / "page.png").write_bytes(encode_png(page))
    assert page.shape == (sum(h for _, h in SIZES.values()), 880, 4)
