"""lstm/draw/tokentext.py: the text on the focused unit's colours, the current token outlined,
a window around it, a click on a token jumps there."""

from pathlib import Path

import numpy as np
import pytest

from lstm import colors
from lstm.draw.canvas import RecordingCanvas, label_extent, text_width
from lstm.draw.raster import RasterCanvas
from lstm.draw.tokentext import (
    BOX,
    BOX_PAD,
    EMPTY_MESSAGE,
    FONT,
    LINE,
    PAD,
    SIZE,
    TOP,
    TextTrace,
    TokenTextPanel,
    quantity_map,
    text_layout,
    token_text,
)
from lstm.focus import Focus
from lstm.model import LSTM
from lstm.modelfile import load_model
from lstm.tokens import Vocab, tokenize

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).parent / "output"

CHAR = text_width("a", FONT) + 2 * BOX_PAD  # one character's box


def traced(text, mode="char", hidden=4, layers=1):
    tokens = tokenize(text, mode)
    vocab = Vocab.of(tokens)
    model = LSTM.random(3, hidden, num_layers=layers, vocab_size=len(vocab), seed=5)
    return TextTrace(tokens, model.trace(vocab.encode(tokens)[0]), mode)


def drawn(data, focus, canvas=None, size=SIZE, **kw):
    panel = TokenTextPanel(*size, **kw)
    canvas = canvas or RecordingCanvas(*size)
    panel.draw(canvas, data, focus)
    return panel, canvas


def test_layout_breaks_after_newlines_and_keeps_words_whole():
    labels = [token_text(t) for t in "ab cd\nefgh ij"]
    x, line, w = text_layout(labels, 6 * CHAR, 0)
    assert labels[2] == "␣" and labels[5] == "↵"
    assert line.tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2]  # "ij" moved down whole
    assert x[6] == 0 and x[11] == 0 and w[0] == CHAR
    x, line, _ = text_layout(list("abcdefghij"), 4 * CHAR, 0)  # a word longer than a line
    assert line.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]
    x, line, _ = text_layout(["one", "two"], 400, 4)  # word mode: a gap between tokens
    assert x[1] == text_width("one", FONT) + 2 * BOX_PAD + 4 and line.tolist() == [0, 0]


def test_one_texts_call_with_every_visible_token_and_whitespace_shown():
    data = traced("hi there\nyou")
    _, c = drawn(data, Focus(unit=1, step=4))
    s = c.strings()
    assert c.count("texts") == 1 and c.calls[-1][0] == "texts" and c.count("put_rgba") == 2
    assert s[:12] == ["h", "i", "␣", "t", "h", "e", "r", "e", "↵", "y", "o", "u"]
    assert s[12] == "unit 1 · h, the hidden state" and s[-1].startswith("tokens 1-12 of 12")
    assert min(item[4] for item in c.labels()) >= 11


def test_boxes_take_the_units_colour_up_to_the_current_token_which_is_outlined():
    data = traced("abcabc abc")
    canvas = RasterCanvas(*SIZE)
    panel, _ = drawn(data, Focus(unit=2, step=5), canvas)
    h = data.trace.layers[0].h[:, 2]
    cmap = quantity_map("h")
    for t in range(10):
        x, y = PAD + int(panel.x[t] + 3), TOP + 2  # a box's top-left, clear of text and outline
        want = colors.rgb(cmap.color(h[t])) if t < 5 else colors.rgb(colors.PAPER)
        assert canvas.pixel(x, y)[:3] == want, t
    ink = colors.rgb(colors.INK)
    x4 = PAD + panel.x[4]
    assert canvas.pixel(int(x4 + panel.w[4] / 2), TOP - 1)[:3] == ink  # the outline's top
    assert canvas.pixel(int(x4 + panel.w[4] / 2), TOP + BOX)[:3] == ink  # and bottom
    assert canvas.pixel(int(PAD + panel.x[2] + 3), TOP - 1)[:3] != ink


def test_a_gate_of_the_focus_and_c_on_its_own_symmetric_scale():
    data = traced("abcabcabc")
    canvas = RasterCanvas(*SIZE)
    panel, rec = drawn(data, Focus(unit=0, step=9, gate="f"))
    drawn(data, Focus(unit=0, step=9, gate="f"), canvas)
    f = data.trace.layers[0].f[:, 0]
    assert canvas.pixel(PAD + int(panel.x[3]) + 1, TOP + 2)[:3] == colors.rgb(
        colors.gate_map("f").color(f[3]))
    assert "unit 0 · f, the forget gate" in rec.strings() and "1" in rec.strings()
    _, rec = drawn(data, Focus(unit=0, step=9), quantity="c")
    peak = np.abs(data.trace.layers[0].c[:, 0]).max()
    assert f"{peak:+.2f}" in rec.strings() and f"grey < 0 < purple   {-peak:+.2f}" in rec.strings()


def test_the_mean_over_units_without_a_focused_unit():
    data = traced("abcd", hidden=6)
    canvas = RasterCanvas(*SIZE)
    panel, _ = drawn(data, Focus(unit=None, step=4), canvas)
    _, rec = drawn(data, Focus(unit=None, step=4))
    mean = data.trace.layers[0].h.mean(axis=1)
    assert canvas.pixel(PAD + int(panel.x[1]) + 1, TOP + 2)[:3] == colors.rgb(
        quantity_map("h").color(mean[1]))
    assert rec.strings()[4] == "mean over units · h, the hidden state"


def test_a_long_text_shows_a_window_around_the_current_token():
    data = traced("the quick brown fox jumps over the lazy dog. " * 40)
    T = len(data.tokens)
    panel, c = drawn(data, Focus(unit=1, step=T - 3))
    caption = c.strings()[-1]
    first = int(caption.split()[1].split("-")[0])
    assert first > 1 and caption.startswith(f"tokens {first}-{T} of {T}")
    assert panel.line[T - 4] - panel.line[first - 1] < panel.lines
    _, c = drawn(data, Focus(unit=1, step=500))
    a, b = (int(v) for v in c.strings()[-1].split()[1].split("-"))
    assert a <= 500 <= b and b < T


def test_hit_names_the_token_and_jumps_to_it():
    data = traced("ab cd", layers=2)
    panel = TokenTextPanel(*SIZE)
    assert panel.hit(PAD + 3, TOP + 5) is None  # nothing drawn yet
    panel.draw(RecordingCanvas(*SIZE), data, Focus(layer=1, unit=3, step=2))
    hit = panel.hit(PAD + panel.x[3] + 2, TOP + 9)
    assert (hit.step, hit.token, hit.action, hit.unit, hit.layer) == (4, "c", "jump", 3, 1)
    assert hit.quantity == "h" and hit.value == data.trace.layers[1].h[3, 3]
    assert panel.hit(PAD + panel.x[2] + 2, TOP + 9).token == "␣"
    assert panel.hit(PAD + 3, TOP + BOX + 1) is None  # between lines
    assert panel.hit(PAD + panel.x[4] + panel.w[4] + 5, TOP + 9) is None  # after the text
    assert panel.hit(-1, -1) is None and panel.hit(float("nan"), TOP + 9) is None
    assert panel.hit(PAD + 2, TOP + LINE * panel.lines + 2) is None


@pytest.mark.parametrize("focus, message", [
    (Focus(layer=2, unit=0, step=1), "No layer 3: this model has 1"),
    (Focus(unit=4, step=1), "No unit 4: this layer has units 0-3"),
])
def test_a_focus_outside_the_trace_is_a_message(focus, message):
    panel, c = drawn(traced("abc"), focus)
    assert c.strings() == [message] and panel.hit(PAD + 2, TOP + 5) is None


def test_no_text_and_odd_steps_never_fail():
    _, c = drawn(None, Focus())
    assert c.strings() == [EMPTY_MESSAGE]
    for step in (-3, 0, 99):
        _, c = drawn(traced("abc"), Focus(unit=0, step=step))
        assert c.count("texts") == 1
    _, c = drawn(traced("abc"), Focus(unit=0, step=0))
    assert c.count("stroke_path") == 0  # no current token before the first step


def test_the_bracket_counter_reads_as_depth_in_the_picture():
    """assets/models/brackets.npz: cell unit 11 counts the depth, so on its c colours the
    deeper a token is nested the stronger its purple (the picture is saved for a look)."""
    model, meta = load_model(ROOT / "assets/models/brackets.npz")
    text = "(a(b(a))b((a(b)))a)b(a)"
    tokens = tokenize(text, "char")
    data = TextTrace(tokens, model.trace(Vocab(meta["vocabulary"]).encode(tokens)[0]))
    canvas = RasterCanvas(*SIZE, scale=2)
    panel, _ = drawn(data, Focus(unit=11, step=len(tokens)), canvas, quantity="c")
    OUT.mkdir(exist_ok=True)
    canvas.save(str(OUT / "tokentext_brackets_unit11_c.png"))
    depth = np.cumsum([{"(": 1, ")": -1}.get(t, 0) for t in tokens])
    green = np.array([canvas.pixel(PAD + int(panel.x[t] + 3), TOP + 2)[1]
                      for t in range(len(tokens))])  # purple: the less green, the more c
    by_depth = [green[depth == d].mean() for d in range(1, depth.max() + 1)]
    assert by_depth == sorted(by_depth, reverse=True) and by_depth[0] > by_depth[-1] + 60


@pytest.mark.parametrize("width", [286, 326, 599])
def test_a_narrow_canvas_puts_the_legend_under_the_title(width):
    tokens = list("the cat sat on the mat " * 6)
    trace = LSTM.random(3, 5, vocab_size=30, seed=1).trace(
        np.array([ord(t) % 30 for t in tokens]))
    panel = TokenTextPanel(width, 220)
    rec = RecordingCanvas(width, 220)
    panel.draw(rec, TextTrace(tokens, trace), Focus(unit=2, step=40))
    assert panel.top == TOP + 18
    for item in rec.labels():
        left, right = label_extent(item)
        assert item[4] >= 11 and left >= 0 and right <= width, item[0]
    bar = [a for n, a in rec.calls if n == "put_rgba"][-1]
    assert bar[1] == 28  # the legend bar on the second row
