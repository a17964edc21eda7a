"""Your own model in the page (lstm/ui/uploads.py, models.file_entry): every format, its
vocabulary, the question a file asks, and bad files that change nothing, through FakePage."""

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from lstm.ui.app import start
from lstm.weights import checks
from tests.fakes import FakePage
from tests.test_app import check_view, page_values, preset_bytes
from tests.test_weights_keras import rezip
from tests.test_weights_safetensors import LYING

IMPORT = Path(__file__).parent / "fixtures" / "import"


def small_app(page: FakePage, folder: Path):
    """The app on `page` with one small bracket preset (2 layers of 4 units) in `folder`."""
    (folder / "brackets.npz").write_bytes(preset_bytes())
    return start(page, folder)


@pytest.fixture
def page():
    return FakePage(page_values())


@pytest.fixture
def app(page, tmp_path):
    return small_app(page, tmp_path)


def fixture(name: str) -> bytes:
    return (IMPORT / name).read_bytes()


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def torch_arrays(**change) -> dict:
    """torch_char.float64.npz's arrays, some changed (None: removed)."""
    with np.load(IMPORT / "torch_char.float64.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays.update(change)
    return {k: v for k, v in arrays.items() if v is not None}


def ids_text(ids) -> str:
    return " ".join(str(int(j)) for j in ids)


# --- formats that load -------------------------------------------------------------------------

FORMATS = [
    ("torch_char.float64.npz", "PyTorch state_dict (.npz), 2 layers of 8 units", 1e-12),
    ("torch_char.float32.npz", "PyTorch state_dict (.npz)", 1e-5),
    ("torch_char.safetensors", "PyTorch state_dict (.safetensors)", 1e-5),
    ("torch_char.bfloat16.safetensors", "PyTorch state_dict (.safetensors)", 1e-6),
    ("torch_word.npz", "PyTorch state_dict (.npz)", 1e-12),
    ("torch_bare.npz", "Reads vectors: it has no embedding", 1e-12),
    ("keras_char.keras", "Keras 3.15.1 (.keras), 2 layers of 6 units", None),
    ("keras_char.weights.h5", "Keras 3 weights (.weights.h5)", None),
    ("keras_char.h5", "(.h5)", None),
    ("keras2_hard.h5", "Gates: hard_sigmoid_keras2, clip(0.2 x + 0.5, 0, 1)", None),
    ("keras_hard64.keras", "Gates: hard_sigmoid_keras3, relu6(x + 3) / 6", None),
]


@pytest.mark.parametrize(("name", "info", "parity"), FORMATS)
def test_every_format_joins_the_menu_and_says_what_it_is(page, app, name, info, parity):
    page.upload("model-file", name, fixture(name))
    assert app.entry.key == f"file:{name}" and page.values["model"] == f"file:{name}"
    assert (f"file:{name}", f"{name} ({app.entry.model.hidden_size} units, loaded)") in \
        page.options["model"]
    assert page.text("model-info").startswith(f"{name}: ")
    assert info in page.text("model-info")
    if parity is not None:  # the file carries reference outputs: the page shows the difference
        found = re.search(r"largest absolute difference (\S+) over", page.text("model-info"))
        assert float(found.group(1)) < parity
    assert app.state == "ready"


@pytest.mark.parametrize(("name", "reference", "tol"), [
    ("keras_char.keras", "keras_char", 1e-5),  # Keras computed in float32
    ("keras_char.h5", "keras_char", 1e-5),
    ("keras2_hard.h5", "keras2_hard", 1e-6),
    ("keras_hard64.keras", "keras_hard64", 1e-6),
    ("torch_char.float64.npz", None, 1e-6),
])
def test_the_page_traces_a_loaded_model_as_its_framework_computed(page, app, name, reference,
                                                                  tol):
    page.upload("model-file", name, fixture(name))
    ref = np.load(IMPORT / (f"{reference}.reference.npz" if reference else name))
    page.choose("read-as", "ids")
    page.type_text("sequence", ids_text(ref["ids"]))
    page.click("reset")
    page.click("step")
    assert app.length == len(ref["ids"]) and app.tokens[0] == str(ref["ids"][0])
    np.testing.assert_allclose(app.trace.layers[-1].h, ref["outputs"], atol=tol, rtol=0)
    np.testing.assert_allclose(app.trace.logits, ref["logits"], atol=tol * 10, rtol=0)
    assert page.text("stat-token") == str(ref["ids"][0])


def test_without_a_vocabulary_the_page_says_it_reads_code_points_or_ids(page, app):
    page.upload("model-file", "torch_char.float64.npz", fixture("torch_char.float64.npz"))
    assert "Reads characters by code point (token id n is the character U+n)" in \
        page.text("model-info")
    assert page.attr("read-as", "disabled") is None and page.values["read-as"] == "chars"
    page.choose("read-as", "ids")
    assert "Reads token ids (whole numbers separated by spaces" in page.text("model-info")
    assert page.values["sequence"] == "0 1 2 3 4 5 6 7" and app.tokens[:2] == ["0", "1"]
    page.type_text("sequence", "3 1 x 14")
    page.click("step")
    message = page.text("message")
    assert "2 token(s) are not in this model's vocabulary of 14: 'x' at 2, '14' at 3" in message
    assert "Token ids are whole numbers from 0 to 13, separated by spaces." in message
    page.choose("model", "brackets")
    assert page.attr("read-as", "disabled") == "" and page.text("model-info") == ""


def test_a_vocabulary_file_goes_with_the_model_shown_or_the_next(page, app):
    vocab = fixture("torch_word.vocab.json")
    page.upload("vocab-file", "words.json", vocab)
    assert page.text("message") == "words.json will be the vocabulary of the next model file."
    page.upload("model-file", "torch_word.npz", fixture("torch_word.npz"))
    assert "Reads the vocabulary of words.json (" in page.text("model-info")
    assert app.entry.tokenizer == "word" and page.attr("read-as", "disabled") == ""
    page.upload("model-file", "torch_char.float64.npz", fixture("torch_char.float64.npz"))
    assert "code point" in page.text("model-info")  # the vocabulary went with the first file
    page.upload("vocab-file", "chars.json", fixture("torch_char.vocab.json"))
    assert app.entry.key == "file:torch_char.float64.npz"
    assert "Reads the vocabulary of chars.json (14 tokens)" in page.text("model-info")
    tokens = json.loads(fixture("torch_char.vocab.json"))
    page.type_text("sequence", "".join(t for t in tokens[:5] if len(t) == 1))
    page.click("step")
    assert app.trace is not None and page.text("message") == ""


def test_a_vocabulary_dropped_with_its_model_is_used_with_it(page, app):
    page.drop([("torch_word.vocab.json", fixture("torch_word.vocab.json")),
               ("torch_word.npz", fixture("torch_word.npz"))])
    assert app.entry.key == "file:torch_word.npz" and app.entry.tokenizer == "word"
    page.drop([("a.npz", b"1"), ("b.npz", b"2")])
    assert page.text("message") == ("Drop one model file (and at most one vocabulary .json) at "
                                    "a time; got a.npz, b.npz.")
    assert app.entry.key == "file:torch_word.npz"


# --- the question a file asks -----------------------------------------------------------------

def test_a_tf1_file_asks_for_its_forget_bias(page, app):
    page.upload("model-file", "tf1_cells.npz", fixture("tf1_cells.npz"))
    assert app.entry.key == "brackets"
    assert page.attr("import-options", "hidden") is None
    assert page.attr("import-number-row", "hidden") is None
    assert page.attr("import-choice-row", "hidden") == ""
    assert "forget_bias to the forget gate" in page.text("import-question")
    for bad in ("one", "nan", "inf", ""):
        page.type_text("import-number", bad)
        page.click("import-apply")
        assert page.text("message") == f"forget_bias must be a number, got {bad!r}."
        assert app.entry.key == "brackets" and page.attr("import-options", "hidden") is None
    page.type_text("import-number", "1.0")
    page.click("import-apply")
    assert app.entry.key == "file:tf1_cells.npz" and page.attr("import-options", "hidden") == ""
    assert "forget_bias 1.0 added" in page.text("model-info")
    assert "largest absolute difference" in page.text("model-info")


def test_two_lstms_ask_which_one_with_their_names(page, app):
    page.upload("model-file", "torch_two_lstms.npz", fixture("torch_two_lstms.npz"))
    assert page.options["import-choice"] == [("decoder.lstm", "decoder.lstm"),
                                             ("encoder.lstm", "encoder.lstm")]
    assert page.attr("import-number-row", "hidden") == ""
    page.values["import-choice"] = "encoder.lstm"
    page.click("import-apply")
    assert app.entry.key == "file:torch_two_lstms.npz"
    assert app.entry.meta["source"]["arrays"]["weight_ih_l0"] == "encoder.lstm.weight_ih_l0"


def test_keras_hard_sigmoid_without_a_version_asks_which_keras(page, app):
    def unversioned(raw: bytes) -> bytes:
        return json.dumps({k: v for k, v in json.loads(raw).items()
                           if k != "keras_version"}).encode()

    data = rezip("keras_hard64.keras", "metadata.json", unversioned)
    page.upload("model-file", "hard.keras", data)
    assert page.options["import-choice"] == [
        ("hard_sigmoid_keras3", "Keras 3: relu6(x + 3) / 6"),
        ("hard_sigmoid_keras2", "Keras 2: clip(0.2 x + 0.5, 0, 1)")]
    assert "Which Keras saved it?" in page.text("import-question")
    page.values["import-choice"] = "hard_sigmoid_keras3"
    page.click("import-apply")
    assert app.entry.model.gate_activation == "hard_sigmoid_keras3"


def test_another_file_replaces_an_unanswered_question(page, app):
    page.upload("model-file", "tf1_cells.npz", fixture("tf1_cells.npz"))
    page.upload("model-file", "junk.bin", b"junk")
    assert page.attr("import-options", "hidden") == ""
    page.click("import-apply")  # nothing is asked any more
    assert app.entry.key == "brackets"


# --- bad files: a clear message, nothing lost ----------------------------------------------

def truncated(name: str, keep: float = 0.5) -> bytes:
    data = fixture(name)
    return data[: int(len(data) * keep)]


BAD = [
    ("empty.npz", b"", "empty.npz is empty"),
    ("text.npz", b"hello, world", "is not a known format"),
    ("random.bin", bytes(range(256)) * 4, "is not a known format"),
    ("model.pt", fixture("torch_char.pt"), "python -m lstm convert model.pt model.npz"),
    ("module.pt", fixture("torch_lstm_module.pt"), "unpickling can run code"),
    ("half.npz", truncated("torch_char.float64.npz"), "cannot be read"),
    ("half.safetensors", truncated("torch_char.safetensors"), "truncated, or the offsets lie"),
    ("half.keras", truncated("keras_char.keras"), "cannot be read"),
    ("half.h5", truncated("keras_char.h5"), "lie past the end of the file (25,016 bytes): "
                                            "truncated or damaged"),
    ("tiny.h5", truncated("keras_char.h5", 0.01), "HDF5 object header of /: "),
    ("keys.npz", npz(foo=np.ones(3), bar=np.zeros((2, 2))),
     "no LSTM weights found (expected names like lstm.weight_ih_l0); the file has foo, bar"),
    ("shape.npz", npz(**torch_arrays(**{"lstm.weight_hh_l1": np.ones((32, 7))})),
     "lstm.weight_hh_l1 has shape (32, 7), expected (4H, H) = (32, 8)"),
    ("missing.npz", npz(**torch_arrays(**{"lstm.bias_hh_l1": None})),
     "lstm.bias_hh_l1 is missing (layer 1)"),
    ("nan.npz", npz(**torch_arrays(**{"lstm.weight_ih_l0": np.full((32, 5), np.nan)})),
     "lstm.weight_ih_l0 contains NaN or infinite values (first at index (0, 0))"),
    ("inf.npz", npz(**torch_arrays(**{"fc.bias": np.array([np.inf] * 14)})),
     "contains NaN or infinite values"),
    ("text-array.npz", npz(**torch_arrays(**{"lstm.weight_hh_l0": np.array(["a"] * 3)})),
     "lstm.weight_hh_l0"),
    ("bidi.npz", fixture("torch_bidirectional.npz"), "is bidirectional"),
    ("proj.npz", fixture("torch_proj.npz"), "has proj_size="),
    ("nogroups.keras", rezip("keras_char.keras", "model.weights.h5",
                             lambda h5: h5.replace(b"layers\0", b"layerz\0")),
     "has no 'layers' group"),
    ("nocell.keras", rezip("keras_char.keras", "model.weights.h5",
                           lambda h5: h5.replace(b"cell\0", b"cexl\0")),
     "the weights file has no layers/lstm/cell"),
    ("nonames.h5", fixture("keras_char.weights.h5").replace(b"layers\0", b"layerz\0"),
     "no 'layer_names' attribute"),
    ("badconfig.keras", rezip("keras_char.keras", "config.json", lambda b: b[:20]),
     "JSON is damaged"),
    *[(f"lying{j}.safetensors", data, message.replace("\\", ""))
      for j, (data, message) in enumerate(LYING) if len(data) > 8 and b"{" in data[8:9]],
]


@pytest.mark.parametrize(("name", "data", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_is_a_clear_message_and_the_page_keeps_its_model(page, app, name, data,
                                                                    message):
    page.click("start")
    page.advance(250)
    options = list(page.options["model"])
    page.upload("model-file", name, data)
    text = page.text("message")
    assert text.startswith(f"Could not load {name}: ") and message in text, text
    assert len(text) < 600 and "Traceback" not in text
    assert app.entry.key == "brackets" and page.options["model"] == options
    assert app.state == "processing" and len(page.intervals) == 1
    page.advance(250)
    assert app.step == 2
    check_view(page, app)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(page, app, monkeypatch):
    monkeypatch.setattr(checks, "MAX_BYTES", 1000)
    page.upload("model-file", "big.npz", fixture("torch_char.float64.npz"))
    assert "bytes: over the limit of 1,000 bytes" in page.text("message")
    assert app.entry.key == "brackets"


BAD_VOCABS = [
    (b"[1, 2]", "vocabulary entries must be non-empty strings"),
    (b"not json", "the vocabulary is not UTF-8 JSON"),
    (b"\xff\xfe", "the vocabulary is not UTF-8 JSON"),
    (b'"abc"', "must be a JSON list of tokens or a {token: id} map"),
    (json.dumps(list("abc")).encode(), "the vocabulary has 3 tokens but the embedding has 14"),
    (json.dumps({"a": 0, "b": 5}).encode(), "the vocabulary's ids must be 0 to 1, each once"),
    (json.dumps(["a", "a", *list("bcdefghijklm")]).encode(), "lists 'a' more than once"),
]


@pytest.mark.parametrize(("vocab", "message"), BAD_VOCABS)
def test_a_vocabulary_that_does_not_fit_is_refused_and_the_model_stays(page, app, vocab,
                                                                       message):
    page.upload("model-file", "m.npz", fixture("torch_char.float64.npz"))
    info = page.text("model-info")
    page.upload("vocab-file", "v.json", vocab)
    assert page.text("message").startswith("Could not load m.npz with v.json: ")
    assert message in page.text("message"), page.text("message")
    assert app.entry.key == "file:m.npz" and page.text("model-info") == info


def test_a_vocabulary_for_a_model_file_of_this_app_is_refused_with_the_reason(page, app):
    page.upload("vocab-file", "v.json", b'["a"]')
    page.upload("model-file", "mine.npz", preset_bytes(layers=1, hidden=3))
    assert "is a model file of this app" in page.text("message")
    page.upload("model-file", "mine.npz", preset_bytes(layers=1, hidden=3))  # used up
    assert app.entry.key == "file:mine.npz"


def test_a_model_loaded_again_under_its_name_replaces_its_entry(page, app):
    page.upload("model-file", "m.npz", fixture("torch_char.float64.npz"))
    page.upload("model-file", "m.npz", fixture("torch_word.npz"))
    assert [v for v, _ in page.options["model"]].count("file:m.npz") == 1
    assert app.entry.model.vocab_size == len(json.loads(fixture("torch_word.vocab.json")))
