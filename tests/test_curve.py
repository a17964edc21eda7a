from pathlib import Path

import numpy as np
import pytest

from lstm import colors
from lstm.draw.canvas import RecordingCanvas, parse_path
from lstm.draw.curve import PLACEHOLDER, draw_curve, nice_ceiling, smooth
from lstm.draw.raster import RasterCanvas

OUT = Path(__file__).parent / "output"
W, H = 600, 220


def test_placeholder_without_losses():
    c = RecordingCanvas(W, H)
    draw_curve(c, [])
    assert c.strings() == [PLACEHOLDER] and c.count("texts") == 1 and c.count("text") == 0
    c.reset()
    draw_curve(c, [float("nan")])
    assert c.strings() == [PLACEHOLDER]


def test_loss_and_accuracy_lines_with_axes_and_legend():
    c = RecordingCanvas(W, H)
    draw_curve(c, [2.0, 1.5, 1.2, 1.0], [0.1, 0.3, 0.5, 0.6])
    strokes = [a for n, a in c.calls if n == "stroke_path"]
    assert len(strokes) == 4  # axes, raw loss, smoothed loss, accuracy (dashed, with its axis)
    assert strokes[-1][3] != () and strokes[2][1] == colors.INK
    texts = c.strings()
    assert any("loss" in t and "1.000" in t for t in texts) and any("60.0%" in t for t in texts)
    assert "100%" in texts and "2" in texts and "training step (1-4)" in texts
    assert c.count("texts") == 1 and c.count("text") == 0 and c.calls[-1][0] == "texts"
    c.reset()
    draw_curve(c, [2.0, 1.5])  # no accuracy: still one call
    assert c.count("texts") == 1 and "100%" not in c.strings()


def test_long_runs_are_decimated():
    c = RecordingCanvas(W, H)
    draw_curve(c, np.random.default_rng(0).random(100_000))
    for n, a in c.calls:
        if n == "stroke_path":
            assert all(len(p) <= 2 * W for p, _ in parse_path(a[0]))


def test_the_line_is_where_the_values_are():
    img = RasterCanvas(W, H)
    draw_curve(img, [1.0] * 50)
    # top of the axis is 1 (nice ceiling of 1.0): a constant 1 runs along the top
    assert img.pixel(W // 2, 30)[:3] != (255, 255, 255)
    assert img.pixel(W // 2, 100)[:3] == (255, 255, 255)


def test_helpers():
    assert [nice_ceiling(v) for v in (0.7, 1.0, 1.3, 2.2, 3.0, 7, 42)] == [1, 1, 2, 2.5, 5, 10, 50]
    assert np.allclose(smooth(np.full(500, 3.0)), 3.0)
    s = smooth(np.arange(100.0))
    assert s[0] == 0 and s[-1] == pytest.approx(98.5)


def test_picture():
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    n = 3000
    loss = 3 * np.exp(-np.arange(n) / 600) + 0.4 + 0.15 * rng.standard_normal(n)
    acc = 1 - 0.9 * np.exp(-np.arange(n) / 800) + 0.03 * rng.standard_normal(n)
    img = RasterCanvas(W, H, scale=2)
    draw_curve(img, loss, acc)
    img.save(str(OUT / "loss_curve.png"))
