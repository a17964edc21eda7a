"""lstm/draw/equations.py: the worked equations drawn with their numbers; terms link back."""

from pathlib import Path

import numpy as np
import pytest

from lstm import colors
from lstm.analysis.equations import GATES, equations, equations_at
from lstm.draw.canvas import RecordingCanvas, label_extent, text_width
from lstm.draw.equations import (
    FIRST_Y,
    SIZE,
    STEP_MESSAGE,
    UNIT_MESSAGE,
    EquationsPanel,
    height_for,
)
from lstm.draw.raster import RasterCanvas
from lstm.focus import Focus
from lstm.model import LSTM
from lstm.modelfile import load_model
from lstm.tokens import Vocab

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).parent / "output"

TOKENS = list("(a(b(a))b")


@pytest.fixture(scope="module")
def model_trace():
    model = LSTM.random(4, 6, num_layers=2, vocab_size=5, seed=4)
    return model, model.trace(np.array([0, 2, 0, 3, 0, 2, 1, 1, 3]))


def drawn(model, trace, focus, size=SIZE, canvas=None):
    panel = EquationsPanel(*size)
    canvas = canvas or RecordingCanvas(*size)
    panel.draw(canvas, equations_at(model, trace, focus, TOKENS), focus)
    return panel, canvas


def test_every_number_is_written_with_four_decimals_in_one_texts_call(model_trace):
    model, trace = model_trace
    _, c = drawn(model, trace, Focus(layer=1, unit=2, step=5))
    eq = equations(model, trace, 1, 2, 4)
    s = c.strings()
    assert c.count("texts") == 1 and c.count("text") == 0 and c.calls[-1][0] == "texts"
    assert s[0] == "unit 2 · layer 2 · step 5, token '('"
    for a in GATES:
        g = eq.gates[a]
        for v in (g.x_part, g.h_part, g.bias, g.pre):
            assert f"{v:+.4f}" in s
        assert (f"{g.value:+.4f}" if a == "g" else f"{g.value:.4f}") in s
        assert any(x.startswith(f"h[{g.h_terms[0].index}] {g.h_terms[0].weight:+.4f} × ")
                   for x in s)
    i, f, g, o = (eq.gates[a].value for a in GATES)
    assert (f"c = f·c_t-1 + i·g = {f:.4f} × {eq.c_prev:+.4f} + {i:.4f} × {g:+.4f} = "
            f"{eq.c:+.4f}") in s
    assert f"h = o·tanh(c) = {o:.4f} × tanh({eq.c:+.4f}) = {eq.h:+.4f}" in s
    assert min(item[4] for item in c.labels()) >= 11


def test_a_term_of_h_focuses_that_unit_a_step_back(model_trace):
    model, trace = model_trace
    panel, c = drawn(model, trace, Focus(layer=1, unit=2, step=5))
    eq = equations(model, trace, 1, 2, 4)
    term = eq.gates["f"].h_terms[0]
    item = next(x for x in c.labels() if x[0].startswith(f"h[{term.index}] {term.weight:+.4f}"))
    hit = panel.hit(item[1] + 3, item[2] - 4)
    assert (hit.unit, hit.step, hit.layer, hit.action) == (term.index, 4, 1, "focus")
    assert hit.value == term.value and "click: unit" in hit.note
    # an x term of layer 1 is unit j of layer 0 at the same step
    xt = eq.gates["i"].x_terms[0]
    item = next(x for x in c.labels() if x[0].startswith(f"x[{xt.index}] {xt.weight:+.4f}"))
    hit = panel.hit(item[1] + 3, item[2] - 4)
    assert (hit.unit, hit.step, hit.layer, hit.action) == (xt.index, 5, 0, "focus")


def test_numbers_are_hits_with_their_full_value(model_trace):
    model, trace = model_trace
    panel, c = drawn(model, trace, Focus(layer=0, unit=3, step=2))
    eq = equations(model, trace, 0, 3, 1)
    pre = eq.gates["o"].pre
    item = next(x for x in c.labels() if x[0] == f"{pre:+.4f}")
    hit = panel.hit(item[1] - 5, item[2] - 4)  # right-aligned: the text ends at x
    assert (hit.gate, hit.quantity, hit.value, hit.action) == ("o", "o pre", pre, "")
    assert hit.note == f"= {pre!r}" and hit.step == 2 and hit.unit == 3
    x_term = panel.hit(*next((x[1] + 3, x[2] - 4) for x in c.labels() if x[0].startswith("x[")))
    assert x_term.action == "" and "embedding" in x_term.note  # layer 0: no link
    assert panel.hit(-3, 5) is None and panel.hit(SIZE[0] - 2, SIZE[1] - 2) is None
    assert panel.hit(float("nan"), 10) is None


def test_the_picture_has_the_gate_swatches_and_link_underlines(model_trace):
    model, trace = model_trace
    canvas = RasterCanvas(*SIZE)
    panel, _ = drawn(model, trace, Focus(layer=1, unit=2, step=5), canvas=canvas)
    rec = RecordingCanvas(*SIZE)
    panel.draw(rec, equations_at(model, trace, Focus(layer=1, unit=2, step=5), TOKENS),
               Focus(layer=1, unit=2, step=5))
    eq = equations(model, trace, 1, 2, 4)
    swatches = [a for n, a in rec.calls if n == "fill_rect"][1:]
    assert len(swatches) == 4
    for a, (x, y, w, h, color) in zip(GATES, swatches, strict=True):
        assert color == colors.gate_map(a).color(eq.gates[a].value)
        assert canvas.pixel(int(x + w / 2), int(y + h / 2))[:3] == colors.rgb(color)
    # the first h term's name is underlined in the link colour
    term = eq.gates["i"].h_terms[0]
    item = next(x for x in rec.labels() if x[0].startswith(f"h[{term.index}] "))
    under = canvas.pixels()[int(item[2] + 2), int(item[1]):int(item[1] + 15), :3]
    assert (under == colors.rgb(colors.text_color(colors.HIDDEN))).all(axis=1).sum() >= 10


def test_without_a_unit_or_a_step_it_says_what_to_do(model_trace):
    model, trace = model_trace
    for focus, message in ((Focus(unit=None, step=3), UNIT_MESSAGE),
                           (Focus(unit=4, step=0), STEP_MESSAGE.format(u=4))):
        panel, c = drawn(model, trace, focus)
        assert c.strings() == [message] and panel.hit(400, 150) is None


def test_small_panels_drop_terms_never_text_size(model_trace):
    model, trace = model_trace
    panel, c = drawn(model, trace, Focus(layer=1, unit=2, step=5), size=(660, 200))
    assert panel.term_lines == 0 and not any(s.startswith("h[") for s in c.strings())
    panel, c = drawn(model, trace, Focus(layer=1, unit=2, step=5), size=(660, 260))
    assert panel.term_lines == 1
    for s, x, _y, _ink, size, align, *_ in c.labels():
        if align == "left":
            assert x + text_width(s, size) <= 660 - 11, s  # nothing runs off the right
        assert size >= 11


@pytest.mark.parametrize("width", [286, 326, 386, 639])
def test_narrow_panels_write_each_gate_on_two_rows(model_trace, width):
    model, trace = model_trace
    size = (width, height_for(width))
    panel, c = drawn(model, trace, Focus(layer=1, unit=2, step=5), size=size)
    assert not panel.wide and (panel.term_lines >= 1) == (width >= 320)
    eq = equations(model, trace, 1, 2, 4)
    s = c.strings()
    for a in "ifgo":
        gate = eq.gates[a]
        assert f"x {gate.x_part:+.4f}" in s and f"b {gate.bias:+.4f}" in s
    assert f"c = f·c_t-1 + i·g = {eq.c:+.4f}" in s
    for item in c.labels():
        left, right = label_extent(item)
        assert item[4] >= 11 and left >= 0 and right <= width + 1, item[0]
        assert item[2] <= size[1]
    hit = panel.hit(*next((x + 2, y - 4) for t, x, y, *_ in c.labels()
                          if t == f"h {eq.gates['f'].h_part:+.4f}"))
    assert (hit.gate, hit.quantity, hit.value) == ("f", "f h part", eq.gates["f"].h_part)


def test_the_bracket_counter_writes_up_on_open_and_down_on_close():
    """assets/models/brackets.npz's counter unit (its meta names it) over "(a(b))": what i·g
    writes is positive at each '(', negative at each ')', about nothing at a letter; the
    picture at the second '(' is saved for a look."""
    model, meta = load_model(ROOT / "assets/models/brackets.npz")
    unit = meta["metrics"]["counter_unit"]
    tokens = list("(a(b))")
    trace = model.trace(Vocab(meta["vocabulary"]).encode(tokens)[0])
    written = {}
    for step in range(1, len(tokens) + 1):
        eq = equations_at(model, trace, Focus(unit=unit, step=step), tokens)
        written[step] = eq.c - eq.gates["f"].value * eq.c_prev  # i·g, as the panel writes it
    sign = 1 if written[1] > 0 else -1  # a counter may count down as well as up
    assert all(sign * written[s] > 0.2 for s in (1, 3))  # "("
    assert all(sign * written[s] < -0.5 for s in (5, 6))  # ")"
    assert all(abs(written[s]) < 0.1 for s in (2, 4))  # letters
    focus = Focus(unit=unit, step=3)
    eq = equations_at(model, trace, focus, tokens)
    canvas = RasterCanvas(*SIZE, scale=2)
    panel, _ = drawn(model, trace, focus, canvas=canvas)
    OUT.mkdir(exist_ok=True)
    canvas.save(str(OUT / "equations_brackets_counter_step3.png"))
    y = FIRST_Y + 2 * panel.gate_h - 5  # through g's swatch (CSS px)
    swatch = canvas.pixels()[y, :, :3]
    assert (swatch == colors.rgb(colors.gate_map("g").color(eq.gates["g"].value))).all(
        axis=1).sum() >= 8
