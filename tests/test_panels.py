from pathlib import Path

import numpy as np
import pytest

from lstm import colors
from lstm.draw.canvas import RecordingCanvas
from lstm.draw.curve import draw_curve
from lstm.draw.raster import RasterCanvas, decode_png, encode_png
from lstm.model import LSTM
from lstm.ui.panels import CANVAS_SIZES, REGISTRY, Frames, Scene
from lstm.ui.state import ViewState

OUT = Path(__file__).parent / "output"
TEXT = "the cat sat on the mat; (the mat [was] warm)."


def trace(units=16, layers=1, text=TEXT, seed=0):
    tokens = list(text)
    vocab = sorted(set(tokens))
    model = LSTM.random(8, units, num_layers=layers, vocab_size=len(vocab), seed=seed)
    return model.trace(np.array([vocab.index(t) for t in tokens])), tokens, model


def recorders():
    return {k: RecordingCanvas(w, h) for k, (w, h) in CANVAS_SIZES.items()}


def frames(tr, tokens, model) -> Frames:
    return Frames(Scene(model, tr, tokens))


def view(step, unit=None, layer=0) -> ViewState:
    return ViewState().at(step).focused(unit=unit, layer=layer)


def test_draw_all_draws_every_panel_with_plain_values():
    tr, tokens, model = trace()
    canvases = recorders()
    frames(tr, tokens, model).draw(canvases, view(10, unit=2), deferred=None)
    draw_curve(canvases["loss"], [2.0, 1.0], [0.1, 0.5])
    assert canvases["heatmaps"].count("put_rgba") == 4
    assert canvases["states"].count("stroke_path") == 2 * 16 + 3  # lines, axes, zero, marker
    assert "unit 2 (units 0-15) · token 10 of 45" in canvases["diagram"].strings()
    assert canvases["loss"].count("stroke_path") == 4
    assert all(c.count() > 1 for c in canvases.values())
    assert all(c.count("texts") == 1 and c.count("text") == 0 for c in canvases.values())


def test_draw_step_redraws_only_what_moves():
    tr, tokens, model = trace()
    views = frames(tr, tokens, model)
    canvases = recorders()
    views.draw(canvases, view(3))
    for c in canvases.values():
        c.reset()
    views.draw(canvases, view(4), prev=3)
    assert canvases["heatmaps"].count("put_rgba") == 4 and canvases["heatmaps"].count() == 7
    assert canvases["loss"].count() == 0
    assert "mean over 16 units · token 4 of 45" in canvases["diagram"].strings()
    assert [canvases[k].count("texts") for k in ("diagram", "heatmaps", "states")] == [1, 1, 1]
    assert all(c.count("text") == 0 for c in canvases.values())


def test_stepping_through_gives_the_same_pictures_as_drawing_each_frame():
    tr, tokens, model = trace(units=4, text="abcabcabca")
    views = frames(tr, tokens, model)
    stepped = {k: RasterCanvas(w, h) for k, (w, h) in CANVAS_SIZES.items() if k in REGISTRY}
    views.draw(stepped, view(0, unit=1))
    for step in range(1, 11):
        views.draw(stepped, view(step, unit=1), prev=step - 1)
        full = {k: RasterCanvas(c.width, c.height) for k, c in stepped.items()}
        frames(tr, tokens, model).draw(full, view(step, unit=1))
        for k in stepped:
            assert np.array_equal(stepped[k].pixels(), full[k].pixels()), (k, step)


def test_layers_units_and_bad_input():
    tr, tokens, model = trace(units=40, layers=2)
    views = frames(tr, tokens, model)
    canvases = recorders()
    views.draw(canvases, view(45, unit=None, layer=1))
    assert "layer 2 of 2 · mean over 40 units · token 45 of 45" in canvases["diagram"].strings()
    assert canvases["states"].count("fill_path") == 2  # 40 units: bands
    views.draw(canvases, view(0))  # nothing revealed: the placeholder
    assert canvases["states"].strings()[-1].startswith("Cell state and hidden state")
    with pytest.raises(ValueError):
        Scene(None, tr, tokens[:-1])


def test_caches_follow_the_canvas_size():
    tr, tokens, model = trace()
    views = frames(tr, tokens, model)
    a, b = RecordingCanvas(880, 400), RecordingCanvas(600, 300)
    views.draw({"heatmaps": a}, view(5))
    views.draw({"heatmaps": b}, view(5))
    widths = [args[2] for name, args in b.calls if name == "put_rgba"]
    assert widths and all(w < 600 for w in widths)


def near(image, color, tol=24):
    """Whether any pixel of image (h, w, 4) is within tol of color in every channel."""
    diff = np.abs(image[..., :3].astype(int) - np.array(colors.rgb(color)))
    return bool((diff.max(axis=-1) <= tol).any())


def test_pictures_of_every_panel():
    """PNGs of every panel and of the page (seeded random model, fixed text) in tests/output,
    read back: each the canvas's size, opaque, and in its panel's colours."""
    OUT.mkdir(exist_ok=True)
    tr, tokens, model = trace()
    rng = np.random.default_rng(0)
    losses = 3 * np.exp(-np.arange(400) / 80) + 0.5 + 0.1 * rng.standard_normal(400)
    canvases = {k: RasterCanvas(w, h, scale=2) for k, (w, h) in CANVAS_SIZES.items()}
    frames(tr, tokens, model).draw(canvases, view(30), deferred=None)
    draw_curve(canvases["loss"], losses, 1 - losses / 4)
    for name, c in canvases.items():
        c.save(str(OUT / f"{name}.png"))
    page = np.concatenate([canvases[k].pixels() for k in CANVAS_SIZES
                           if CANVAS_SIZES[k][0] == 900], axis=0)
    (OUT / "page.png").write_bytes(encode_png(page))
    images = {k: decode_png((OUT / f"{k}.png").read_bytes()) for k in [*CANVAS_SIZES, "page"]}
    for name, (w, h) in CANVAS_SIZES.items():
        image = images[name]
        assert image.shape == (h, w, 4) and (image[..., 3] == 255).all(), name
        assert near(image, colors.PAPER) and not (image[..., :3] == 255).all(), name
    wide = [h for w, h in CANVAS_SIZES.values() if w == 900]
    assert images["page"].shape == (sum(wide), 900, 4)
    assert all(near(images["heatmaps"], colors.GATE_COLORS[g]) for g in "ifo")
    assert near(images["states"], colors.CELL) and near(images["states"], colors.HIDDEN)
    assert not near(images["heatmaps"], colors.CELL) and not near(images["states"], colors.FORGET)


def test_deferred_panels_are_drawn_apart_from_the_others():
    tr, tokens, model = trace()
    views, canvases = frames(tr, tokens, model), recorders()
    deferred = {p.id for p in REGISTRY.values() if p.deferred}
    assert deferred == {"gradflow"}  # the one that costs more than a frame
    views.draw(canvases, view(10, unit=2))
    assert {k for k, c in canvases.items() if c.count()} == set(REGISTRY) - deferred
    for c in canvases.values():
        c.reset()
    views.draw(canvases, view(10, unit=2), deferred=True)
    assert {k for k, c in canvases.items() if c.count()} == deferred
