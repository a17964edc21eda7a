"""Exports (lstm/ui/exports.py): panels as PNG and SVG, the trace as CSV and NPZ, the model."""

import csv
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from lstm import modelfile
from lstm.draw.raster import RasterCanvas, decode_png
from lstm.tracefile import COLUMNS
from lstm.ui.app import RANDOM
from lstm.ui.exports import file_stem
from lstm.ui.panels import PANELS, Frames
from tests.fakes import FakePage
from tests.test_app import page_values
from tests.test_uploads import fixture, small_app

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def page():
    return FakePage(page_values())


@pytest.fixture
def app(page, tmp_path):
    return small_app(page, tmp_path)


def export(page, button: str, panel: str | None = None) -> tuple[str, bytes, str]:
    if panel is not None:
        assert panel in [v for v, _ in page.options["export-panel"]]
        page.values["export-panel"] = panel  # read when a button is pressed
    before = len(page.downloads)
    page.click(button)
    assert len(page.downloads) == before + 1, page.text("message")
    return page.downloads[-1]


def test_the_panel_menu_lists_every_panel_of_the_registry_and_the_loss_curve(page, app):
    assert [v for v, _ in page.options["export-panel"]] == [p.id for p in PANELS] + ["loss"]


@pytest.mark.parametrize("panel", [p.id for p in PANELS] + ["loss"])
def test_every_panel_exports_as_a_png_that_decodes_and_an_svg_that_parses(page, app, panel):
    for _ in range(3):
        page.click("step")
    page.choose("unit", "1")  # the equations panel works out one unit
    name, data, mime = export(page, "export-png", panel)
    assert (name, mime) == (f"brackets-{panel}-step3.png", "image/png")
    pixels = decode_png(data)
    width, height = page.canvas(panel).width, page.canvas(panel).height
    assert pixels.shape == (height, width, 4)
    assert len(np.unique(pixels.reshape(-1, 4), axis=0)) > 3  # a picture, not a blank
    name, data, mime = export(page, "export-svg", panel)
    assert (name, mime) == (f"brackets-{panel}-step3.svg", "image/svg+xml")
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == (str(width), str(height))
    assert len(list(root.iter())) > 2  # at least the paper and a text (or a placeholder's)


def test_the_png_is_the_panel_the_page_shows(page, app):
    for _ in range(4):
        page.click("step")
    page.choose("unit", "2")
    _, data, _ = export(page, "export-png", "heatmaps")
    expected = RasterCanvas(900, 460, scale=2)
    Frames(app.frames.scene).draw({"heatmaps": expected}, app.shown_view())
    np.testing.assert_array_equal(decode_png(data), expected.pixels())


def test_before_any_trace_a_panel_exports_its_placeholder(page, app):
    page.choose("model", RANDOM)
    page.type_text("sequence", "x " * 3000)  # long: traced only on Start or Step
    page.click("reset")
    assert app.trace is None
    _, data, _ = export(page, "export-svg", "states")
    assert b"will appear here" in data
    before = len(page.downloads)
    page.click("export-csv")
    page.click("export-npz")
    assert len(page.downloads) == before
    assert page.text("message") == "No trace yet: press Start or Step first."


def test_the_trace_exports_with_the_keys_and_columns_of_trace_npz_and_csv(page, app):
    page.click("step")
    name, data, mime = export(page, "export-npz")
    assert (name, mime) == ("brackets-trace.npz", "application/octet-stream")
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    T, layers = app.length, len(app.trace.layers)
    expected = {"tokens", "x_l0", "logits", "embedding", "out_weight", "out_bias"}
    for k in range(layers):
        expected |= {f"{n}_l{k}" for n in ("pre", "i", "f", "g", "o", "c", "h")}
        expected |= {f"{n}_l{k}" for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    assert set(arrays) == expected
    assert list(arrays["tokens"]) == app.tokens
    np.testing.assert_array_equal(arrays["h_l1"], app.trace.layers[1].h)
    assert arrays["i_l0"].shape == (T, 4) and arrays["pre_l0"].shape == (T, 16)

    name, data, mime = export(page, "export-csv")
    assert (name, mime) == ("brackets-trace.csv", "text/csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 1 + T * layers
    assert rows[1][:3] == ["0", app.tokens[0], "0"]
    assert float(rows[1][3]) == pytest.approx(app.trace.layers[0].i[0].mean(), abs=1e-8)


def test_the_model_exports_as_a_model_file_that_loads_back(page, app):
    name, data, mime = export(page, "export-model")
    assert (name, mime) == ("brackets.npz", "application/octet-stream")
    model, meta = modelfile.load_model(data)
    for key, value in app.entry.model.params.items():
        np.testing.assert_array_equal(model.params[key], value)
    assert meta["vocabulary"] == app.entry.vocab.tokens
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        assert "meta" in z.files


def test_the_random_model_exports_and_traces_the_same_once_loaded_back(page, app):
    page.choose("model", RANDOM)
    page.click("step")
    shown = app.trace.layers[0].h.copy()
    _, data, _ = export(page, "export-model")
    page.upload("model-file", "random.npz", data)
    assert app.entry.key == "file:random.npz" and app.entry.vocab is None
    page.click("step")
    np.testing.assert_array_equal(app.trace.layers[0].h, shown)


def test_an_imported_model_exports_as_a_model_file_keeping_its_gates_and_reading(page, app):
    page.upload("model-file", "hard.keras", fixture("keras_hard64.keras"))
    page.choose("read-as", "ids")
    name, data, _ = export(page, "export-model")
    assert name == "hard.npz"
    model, meta = modelfile.load_model(data)
    assert model.gate_activation == "hard_sigmoid_keras3"
    assert meta["vocabulary_from"] == "ids" and meta["tokenizer"] == "word"
    page.upload("model-file", "again.npz", data)
    assert app.entry.model.gate_activation == "hard_sigmoid_keras3"
    assert "Reads token ids" in page.text("model-info")


@pytest.mark.parametrize(("key", "stem"), [
    ("brackets", "brackets"), ("file:my model.keras", "my-model"),
    ("file:x.weights.h5", "x"), ("file:../../etc/passwd", "etc-passwd"),
    ("file:<b>.npz", "b"), ("file:", "model"), ("file:日本.npz", "model"),
])
def test_file_names_are_safe(key, stem):
    assert file_stem(key) == stem
