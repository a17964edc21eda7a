import itertools

import numpy as np
import pytest

from lstm import colors


def test_palette_is_the_design_palette():
    assert colors.FORGET == "#f57c00"
    assert colors.INPUT == "#2e7d32"
    assert colors.OUTPUT == "#1565c0"
    assert colors.rgb(colors.CELL) == (156, 39, 176)
    assert colors.rgb(colors.HIDDEN) == (0, 188, 212)
    assert colors.rgb("rgba(1, 2, 3, 0.5)") == (1, 2, 3)
    assert colors.rgba(colors.CELL, 0.25) == "rgba(156, 39, 176, 0.25)"


@pytest.mark.parametrize("gate", ["i", "f", "o"])
def test_sequential_maps_run_from_near_white_to_the_gate_colour(gate):
    m = colors.gate_map(gate)
    lo, hi = m(np.array([0.0, 1.0]))
    assert tuple(hi[:3]) == colors.rgb(colors.GATE_COLORS[gate])
    assert min(lo[:3]) >= 230 and tuple(lo[:3]) != (255, 255, 255)  # a zero still reads as a cell
    lum = [colors.luminance(colors.hex_color(*c[:3])) for c in m.lut]
    assert all(a >= b for a, b in itertools.pairwise(lum))  # darker = closer to 1
    assert lum[0] > 0.8 and lum[0] - lum[-1] > 0.5
    assert (m.lut[:, 3] == 255).all()


def test_ramp_steps_are_perceptually_even():
    lab = colors.oklab(colors.gate_map("o").lut[:, :3].astype(float))
    steps = np.linalg.norm(np.diff(lab, axis=0), axis=1)
    assert steps.max() < 2.5 * np.median(steps)


def test_diverging_map_is_white_at_exactly_zero_and_symmetric():
    m = colors.diverging(colors.CELL, limit=3.0)
    zero, top, bottom = m(np.array([0.0, 3.0, -3.0]))
    assert tuple(zero) == (255, 255, 255, 255)
    assert tuple(top[:3]) == colors.rgb(colors.CELL)
    assert tuple(bottom[:3]) == colors.rgb(colors.NEGATIVE)
    v = np.random.default_rng(0).uniform(0, 3, 1000)
    assert (m.index(v).astype(int) - 128 == 128 - m.index(-v).astype(int)).all()
    assert tuple(m(np.array([1e9]))[0]) == tuple(top) and tuple(m(np.array([-1e9]))[0]) == tuple(
        bottom)


def test_candidate_map_is_diverging_on_minus_one_to_one():
    m = colors.gate_map("g")
    assert (m.lo, m.hi, m.diverging) == (-1.0, 1.0, True)
    assert m.color(0.0) == "#ffffff"


def test_map_shape_dtype_and_clipping():
    m = colors.gate_map("f")
    out = m(np.linspace(-5, 5, 24).reshape(2, 3, 4))
    assert out.shape == (2, 3, 4, 4) and out.dtype == np.uint8
    flat = out.reshape(-1, 4)
    assert (flat[0] == m.lut[0]).all() and (flat[-1] == m.lut[255]).all()
    assert m.index(np.array([0.5]))[0] in (127, 128)


def test_oklab_round_trip():
    rgb = np.random.default_rng(1).integers(0, 256, (200, 3)).astype(float)
    assert np.abs(colors.srgb(colors.oklab(rgb)) - rgb).max() < 1e-6


def test_text_colours_are_legible():
    for c in (colors.FORGET, colors.INPUT, colors.OUTPUT, colors.CANDIDATE, colors.CELL,
              colors.HIDDEN, colors.INK, colors.MUTED):
        assert colors.contrast(colors.text_color(c), colors.PAPER) >= 4.5
    assert colors.text_color(colors.INPUT) == colors.INPUT  # already legible: unchanged
    for gate in "ifgo":
        for row in colors.gate_map(gate).lut:
            fill = colors.hex_color(*row[:3])
            assert colors.contrast(colors.ink_on(fill), fill) >= 4.5


@pytest.fixture
def dark():
    colors.use_scheme("dark")
    yield
    colors.use_scheme("light")


def test_each_scheme_keeps_text_legible_and_the_quantities_colours(dark):
    for name in colors.SCHEMES:
        colors.use_scheme(name)
        assert name == colors.SCHEME and colors.SCHEMES[name]["PAPER"] == colors.PAPER
        for ink in (colors.INK, colors.MUTED, colors.PLACEHOLDER_INK, colors.AXIS):
            assert colors.contrast(ink, colors.PAPER) >= 4.5, (name, ink)
        for c in (colors.FORGET, colors.INPUT, colors.OUTPUT, colors.CANDIDATE, colors.CELL,
                  colors.HIDDEN):
            shown = colors.text_color(c)
            assert colors.contrast(shown, colors.PAPER) >= 4.5, (name, c)
            assert colors.oklab(np.array(colors.rgb(shown), float))[1:] == pytest.approx(
                colors.oklab(np.array(colors.rgb(c), float))[1:], abs=0.06)  # the same hue
        for gate in "ifgo":
            for row in colors.gate_map(gate).lut[::15]:
                fill = colors.hex_color(*row[:3])
                assert colors.contrast(colors.ink_on(fill), fill) >= 4.5
    assert colors.GATE_COLORS["f"] == colors.FORGET == "#f57c00"  # unchanged by the scheme
    assert not colors.use_scheme("dark") and colors.use_scheme("light")
    with pytest.raises(ValueError, match="no colour scheme 'sepia'"):
        colors.use_scheme("sepia")
