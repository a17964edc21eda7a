"""load_weights: every committed foreign fixture against what its framework computed."""

import io
import json
from pathlib import Path

import numpy as np
import pytest

from lstm import modelfile
from lstm.model import LSTM
from lstm.weights import WeightsError, load_weights, sniff

FIXTURES = Path(__file__).parent / "fixtures" / "import"
TOL = {np.float64: 1e-6, np.float32: 1e-5}

# (file, options, reference file or None when the file carries its own, the dtype in which
# the framework computed the reference: a float32 run is compared at 1e-5 whatever we trace in)
CASES = [
    ("torch_char.float64.npz", {}, None, np.float64),
    ("torch_char.float32.npz", {}, None, np.float32),
    ("torch_char.safetensors", {}, None, np.float32),
    ("torch_char.float16.safetensors", {}, None, np.float64),  # float64 on the rounded weights
    ("torch_char.bfloat16.safetensors", {}, None, np.float64),
    ("torch_word.npz", {}, None, np.float64),
    ("torch_bare.npz", {}, None, np.float64),
    ("tf1_cells.npz", {"forget_bias": 1.0}, None, np.float64),
    ("keras_char.keras", {}, "keras_char", np.float32),
    ("keras_char.weights.h5", {}, "keras_char", np.float32),
    ("keras_char.h5", {}, "keras_char", np.float32),
    ("keras_hard64.keras", {}, "keras_hard64", np.float64),
    ("keras2_hard.h5", {}, "keras2_hard", np.float64),
    ("keras2_weights.h5", {}, "keras2_weights", np.float32),
]


def load(name: str, reference: str | None = None, **options):
    ref = None if reference is None else (FIXTURES / f"{reference}.reference.npz").read_bytes()
    return load_weights(name, (FIXTURES / name).read_bytes(), reference=ref, **options)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("name", "options", "reference", "computed"), CASES)
def test_every_fixture_traces_as_its_framework_computed(name, options, reference, computed,
                                                        dtype):
    model, meta = load(name, reference, dtype=dtype, **options)
    assert model.dtype is dtype
    parity = meta["parity"]
    assert set(parity["by_array"]) >= {"outputs", "h_n", "c_n"}
    assert parity["max_abs_diff"] <= max(TOL[dtype], TOL[computed]), parity


def test_parity_is_measured_not_assumed():
    data = bytearray((FIXTURES / "torch_word.npz").read_bytes())
    arrays = dict(np.load(io.BytesIO(bytes(data))))
    arrays["h_n"] = arrays["h_n"] + 0.25
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    _, meta = load_weights("moved.npz", buffer.getvalue())
    assert meta["parity"]["by_array"]["h_n"] == pytest.approx(0.25)
    assert meta["parity"]["by_array"]["outputs"] < 1e-12


def test_float64_fixtures_match_to_float64_precision():
    for name, reference in [("torch_char.float64.npz", None), ("torch_bare.npz", None),
                            ("tf1_cells.npz", None), ("keras2_hard.h5", "keras2_hard")]:
        options = {"forget_bias": 1.0} if name.startswith("tf1") else {}
        _, meta = load(name, reference, **options)
        # Keras 3.15's torch Dense multiplies a float64 model in float32 (its result_type of a
        # tensor and a Variable): only the logits are that far off, h and c are exact.
        by = meta["parity"]["by_array"]
        assert max(by[k] for k in ("outputs", "h_n", "c_n")) < 1e-12, (name, by)


def test_the_meta_says_where_everything_came_from():
    _, meta = load("torch_char.float64.npz")
    assert meta["source"]["format"] == "PyTorch state_dict (.npz)"
    assert meta["source"]["arrays"] == {
        "weight_ih_l0": "lstm.weight_ih_l0", "weight_hh_l0": "lstm.weight_hh_l0",
        "bias_ih_l0": "lstm.bias_ih_l0", "bias_hh_l0": "lstm.bias_hh_l0",
        "weight_ih_l1": "lstm.weight_ih_l1", "weight_hh_l1": "lstm.weight_hh_l1",
        "bias_ih_l1": "lstm.bias_ih_l1", "bias_hh_l1": "lstm.bias_hh_l1",
        "embedding": "embed.weight", "out_weight": "fc.weight", "out_bias": "fc.bias",
    }
    assert meta["vocabulary_from"] == "code points"
    assert meta["vocabulary"][3] == chr(3) and len(meta["vocabulary"]) == 14
    _, keras_meta = load("keras_hard64.keras")
    assert keras_meta["gate_activation"] == "hard_sigmoid_keras3"
    assert keras_meta["source"]["format"] == "Keras 3.15.1 (.keras)"
    _, old = load("keras2_hard.h5")
    assert old["gate_activation"] == "hard_sigmoid_keras2"
    assert "clip(0.2 x + 0.5, 0, 1)" in old["source"]["notes"][0]


def test_a_vocabulary_file_is_used_and_the_tokenizer_follows_it():
    vocab = (FIXTURES / "torch_char.vocab.json").read_bytes()
    _, meta = load_weights("c.npz", (FIXTURES / "torch_char.float64.npz").read_bytes(),
                               vocab=vocab)
    assert meta["vocabulary"] == json.loads(vocab) and meta["tokenizer"] == "char"
    assert meta["vocabulary_from"] == "file"
    words = (FIXTURES / "torch_word.vocab.json").read_bytes()
    _, meta = load_weights("w.npz", (FIXTURES / "torch_word.npz").read_bytes(), vocab=words)
    assert meta["vocabulary"][:3] == ["<unk>", "the", "cat"] and meta["tokenizer"] == "word"
    _, meta = load("torch_bare.npz")
    assert meta["vocabulary"] == [] and meta["vocabulary_from"] == "none"


def test_an_imported_model_saves_as_a_model_file_and_loads_back():
    model, meta = load("keras_hard64.keras")
    again, meta2 = modelfile.load_model(modelfile.model_bytes(model, meta))
    assert again.gate_activation == "hard_sigmoid_keras3"
    ids = np.array([1, 2, 3, 6, 0])
    np.testing.assert_array_equal(again.trace(ids).logits, model.trace(ids).logits)
    assert meta2["source"]["format"] == meta["source"]["format"]
    # and load_weights reads this project's own files too
    own, _ = load_weights("own.npz", modelfile.model_bytes(model, meta))
    assert own.gate_activation == "hard_sigmoid_keras3"


def test_options_settle_ambiguity_and_name_the_choices():
    with pytest.raises(WeightsError, match=r"2 LSTMs: 'decoder.lstm', 'encoder.lstm'"):
        load("torch_two_lstms.npz")
    model, meta = load("torch_two_lstms.npz", lstm="decoder.lstm")
    assert model.input_size == 4 and meta["source"]["arrays"]["weight_ih_l0"].startswith("dec")
    model, _ = load("torch_two_lstms.npz", lstm="encoder.lstm", embedding="none", head="none")
    assert model.vocab_size is None and model.output_size is None
    with pytest.raises(WeightsError, match="the reference input does not fit the model"):
        load("torch_char.float64.npz", embedding="none")


BAD_FILES = [
    (b"", "is empty"),
    (b"hello, world, this is text", "not a known format"),
    (b"\x80\x04\x95pickled", "PyTorch pickle .* python -m lstm convert"),
    (b"PK\x03\x04 and then nothing", "zip archive that cannot be read"),
]


@pytest.mark.parametrize(("data", "message"), BAD_FILES)
def test_unknown_and_unsafe_files_are_refused_by_what_they_are(data, message):
    with pytest.raises(WeightsError, match=message):
        load_weights("upload.bin", data)


def test_a_torch_zip_pt_is_recognised_and_refused():
    assert sniff("x.pt", (FIXTURES / "torch_char.pt").read_bytes()) == "torch-pickle"
    with pytest.raises(WeightsError, match="unpickling can run code"):
        load_weights("x.pt", (FIXTURES / "torch_char.pt").read_bytes())


def test_options_that_do_not_apply_are_refused():
    with pytest.raises(WeightsError, match="forget_bias does not apply to a PyTorch"):
        load("torch_word.npz", forget_bias=1.0)
    with pytest.raises(WeightsError, match="recurrent_activation does not apply"):
        load("torch_word.npz", recurrent_activation="sigmoid")
    with pytest.raises(WeightsError, match="head does not apply"):
        load("keras_char.keras", head="fc")
    with pytest.raises(TypeError, match="unknown options"):
        load("torch_word.npz", heads="fc")
    data = modelfile.model_bytes(LSTM.random(2, 3), {
        "task": "t", "tokenizer": "char", "vocabulary": [], "seed": 0, "metrics": {},
        "training_seconds": 0})
    with pytest.raises(WeightsError, match="model file of this app: options do not apply"):
        load_weights("own.npz", data, lstm="x")


def test_a_vocabulary_that_does_not_fit_the_embedding_is_refused():
    with pytest.raises(WeightsError, match="has 9 tokens but the embedding has 14 rows"):
        load_weights("c.npz", (FIXTURES / "torch_char.float64.npz").read_bytes(),
                     vocab=(FIXTURES / "torch_word.vocab.json").read_bytes())
    with pytest.raises(WeightsError, match="the model has no embedding"):
        load_weights("b.npz", (FIXTURES / "torch_bare.npz").read_bytes(), vocab=b'["a"]')


def test_reference_outputs_of_the_wrong_shape_or_without_input_are_refused():
    arrays = dict(np.load(FIXTURES / "torch_word.npz"))
    for change, message in [
        ({"h_n": np.zeros((3, 6))}, r"reference h_n has shape \(3, 6\), expected \(1, 6\)"),
        ({"ids": None}, "come without their input"),
        ({"h_n": np.full((1, 6), np.nan)}, "reference h_n contains NaN"),
        ({"ids": np.array([0, 99])}, "token id 99 at position 1 is outside"),
    ]:
        bad = {**arrays, **change}
        bad = {k: v for k, v in bad.items() if v is not None}
        buffer = io.BytesIO()
        np.savez(buffer, **bad)
        with pytest.raises(WeightsError, match=message):
            load_weights("w.npz", buffer.getvalue())


def test_declared_sizes_over_the_limit_are_refused_before_reading(monkeypatch):
    import lstm.weights as weights
    import lstm.weights.checks as checks

    monkeypatch.setattr(checks, "MAX_BYTES", 1000)
    with pytest.raises(WeightsError, match="over the limit of 1,000 bytes"):
        weights.load_weights("big.npz", (FIXTURES / "torch_word.npz").read_bytes())


def test_an_ambiguity_names_the_option_and_the_choices_that_settle_it():
    """WeightsError.option and .choices: the page turns them into a question."""
    with pytest.raises(WeightsError) as e:
        load("torch_two_lstms.npz")
    assert (e.value.option, e.value.choices) == ("lstm", ("decoder.lstm", "encoder.lstm"))
    with pytest.raises(WeightsError) as e:
        load("tf1_cells.npz")
    assert (e.value.option, e.value.choices) == ("forget_bias", ())
    with pytest.raises(WeightsError) as e:
        load_weights("x.npz", b"junk")
    assert (e.value.option, e.value.choices) == (None, ())
