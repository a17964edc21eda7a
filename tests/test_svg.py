import base64
import xml.etree.ElementTree as ET

import numpy as np

from lstm.draw.canvas import label, path
from lstm.draw.raster import decode_png
from lstm.draw.svg import SvgCanvas, xml_text

NS = "{http://www.w3.org/2000/svg}"


def test_svg_is_well_formed_with_every_call():
    c = SvgCanvas(200, 100)
    c.fill_rect(0, 0, 200, 100, "#ffffff")
    c.stroke_path(path([(0, 50), (200, 50)]), "#cbd5e0", 1.0, (5, 5))
    c.fill_path(path([(0, 0), (10, 0), (0, 10)], close=True), "rgba(156, 39, 176, 0.3)")
    c.text("State Value", 15, 50, "#2d3748", 12, align="center", baseline="middle", bold=True,
           angle=-np.pi / 2)
    root = ET.fromstring(c.svg())
    assert root.tag == NS + "svg" and root.get("width") == "200"
    kinds = [el.tag.replace(NS, "") for el in root]
    assert kinds == ["rect", "path", "path", "text"]
    line, tri, label = root[1], root[2], root[3]
    assert line.get("stroke-dasharray") == "5 5" and line.get("fill") == "none"
    assert tri.get("fill") == "rgba(156, 39, 176, 0.3)"
    assert label.text == "State Value" and label.get("text-anchor") == "middle"
    assert label.get("transform") == "rotate(-90 15 50)" and label.get("font-weight") == "bold"


def test_text_is_escaped():
    c = SvgCanvas(10, 10)
    nasty = "<script>alert('x')</script> & \"quotes\" \x01 ok"
    c.text(nasty, 0, 0, "#000000")
    root = ET.fromstring(c.svg())
    assert root[0].text == nasty.replace("\x01", "\ufffd")
    assert "<script>" not in c.svg()
    assert xml_text('a<b>&"') == "a&lt;b&gt;&amp;&quot;"


def test_texts_writes_the_same_document_as_one_text_call_per_item():
    items = [label("a < b", 1, 2, "#000000"),
             label("State Value", 15, 50, "#2d3748", 12, "center", "middle", True, -np.pi / 2),
             label("x", 3.25, 4, "rgba(0, 0, 0, 0.5)", 11, "right", "top")]
    one, each = SvgCanvas(100, 60), SvgCanvas(100, 60)
    one.texts(items)
    for item in items:
        each.text(*item)
    assert one.svg() == each.svg() and one.svg().count("<text ") == 3


def test_put_rgba_embeds_the_same_pixels_as_png():
    img = np.random.default_rng(0).integers(0, 256, (3, 4, 4), dtype=np.uint8)
    c = SvgCanvas(10, 10)
    c.put_rgba(2, 3, 4, 3, img.tobytes())
    c.put_rgba(0, 0, 0, 0, b"")  # empty: nothing
    (el,) = ET.fromstring(c.svg())
    assert (el.get("x"), el.get("y"), el.get("width"), el.get("height")) == ("2", "3", "4", "3")
    href = el.get("href")
    assert href.startswith("data:image/png;base64,")
    assert np.array_equal(decode_png(base64.b64decode(href.split(",", 1)[1])), img)


def test_clear_empties_the_document():
    c = SvgCanvas(10, 10)
    c.fill_rect(0, 0, 1, 1, "#000000")
    c.clear()
    assert len(ET.fromstring(c.svg())) == 0


def test_every_panel_renders_to_well_formed_svg():
    from lstm.draw.curve import draw_curve
    from lstm.model import LSTM
    from lstm.ui.panels import Frames, Scene
    from lstm.ui.state import ViewState

    tokens = list("<a & b> \"q\" \x01 é")
    vocab = sorted(set(tokens))
    model = LSTM.random(4, 6, vocab_size=len(vocab), seed=1)
    tr = model.trace([vocab.index(t) for t in tokens])
    canvases = {k: SvgCanvas(640, 300) for k in ("diagram", "heatmaps", "states", "loss")}
    Frames(Scene(model, tr, tokens)).draw(canvases, ViewState().at(5))
    draw_curve(canvases["loss"], [1.0, 0.5])
    for c in canvases.values():
        root = ET.fromstring(c.svg())
        assert len(root) > 3
    labels = [el.text for el in ET.fromstring(canvases["heatmaps"].svg()) if el.tag == NS + "text"]
    assert "<" in labels and "&" in labels and "\ufffd" in labels
