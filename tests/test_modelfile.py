"""lstm/modelfile.py: NPZ model files round-trip, and every broken file gets a clear error."""

import io
import json
import zipfile

import numpy as np
import pytest

from lstm.model import LSTM
from lstm.modelfile import FORMAT, ModelFileError, load_model, model_bytes, save_model

VOCAB = ["<unk>", "a", "b", "c", " "]


def make_model(**kwargs) -> LSTM:
    args = {"vocab_size": len(VOCAB), "output_size": len(VOCAB), "num_layers": 2, "seed": 5}
    return LSTM.random(3, 4, **{**args, **kwargs})


def make_meta(**changes) -> dict:
    meta = {
        "task": "next character",
        "tokenizer": "char",
        "vocabulary": VOCAB,
        "seed": 5,
        "metrics": {"accuracy": np.float64(0.75), "loss": 0.5},
        "training_seconds": 1.25,
        "example": "abc ab",
    }
    meta.update(changes)
    return meta


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def test_round_trip_through_bytes_path_and_file(tmp_path):
    model = make_model()
    data = model_bytes(model, make_meta())
    loaded, meta = load_model(data)
    for name, p in model.params.items():
        np.testing.assert_array_equal(loaded.params[name], p)
    assert meta["format"] == FORMAT
    assert meta["metrics"] == {"accuracy": 0.75, "loss": 0.5}
    assert meta["sizes"] == {
        "input_size": 3, "hidden_size": 4, "num_layers": 2, "vocab_size": 5, "output_size": 5,
    }  # fmt: skip
    assert meta["example"] == "abc ab"

    path = tmp_path / "model.npz"
    save_model(path, model, make_meta())
    assert load_model(path)[1] == meta
    assert load_model(str(path))[1] == meta
    with path.open("rb") as f:
        assert load_model(f)[1] == meta
    buffer = io.BytesIO()
    save_model(buffer, model, make_meta())
    assert buffer.getvalue() == data


def test_files_load_without_pickle(tmp_path):
    path = tmp_path / "m.npz"
    save_model(path, make_model(), make_meta())
    with np.load(path, allow_pickle=False) as npz:
        assert set(npz.files) == {"meta", "embedding", "out_weight", "out_bias"} | {
            f"{kind}_l{k}"
            for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            for k in (0, 1)
        }
        assert json.loads(str(npz["meta"]))["tokenizer"] == "char"


def test_a_model_without_embedding_has_an_empty_vocabulary():
    model = LSTM.random(3, 4, seed=0)
    loaded, meta = load_model(model_bytes(model, make_meta(vocabulary=[])))
    assert loaded.vocab_size is None and meta["vocabulary"] == []


def test_float32_on_request():
    loaded, _ = load_model(model_bytes(make_model(), make_meta()), dtype="float32")
    assert loaded.dtype is np.float32


def broken_files() -> list:
    model = make_model()
    good = dict(model.params)
    meta = json.dumps({**make_meta(metrics={}), "format": FORMAT})
    nan = good["weight_hh_l1"].copy()
    nan[0, 0] = np.nan
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("readme.txt", "hello")
    truncated = model_bytes(model, make_meta())
    npy = io.BytesIO()
    np.save(npy, np.zeros(3))
    wrong_sizes = json.dumps({**json.loads(meta), "sizes": {"hidden_size": 8}})
    return [
        (b"hello, not a model", "not a model file: expected an NPZ \\(zip\\) archive"),
        (npy.getvalue(), "not a model file: expected an NPZ"),
        (zipped.getvalue(), "no 'meta' entry: not a model file of this app"),
        (npz_bytes(**good), "no 'meta' entry"),
        (npz_bytes(meta=np.array("{oops"), **good), "the 'meta' entry is not valid JSON"),
        (npz_bytes(meta=np.array(3.0), **good), "the 'meta' entry must be a JSON string"),
        (npz_bytes(meta=np.array("[1, 2]"), **good), "meta must be a JSON object, got list"),
        (
            npz_bytes(meta=np.array(json.dumps({"format": "other/2"})), **good),
            "format is 'other/2', expected 'lstm-gates-visualizer/1'",
        ),
        (
            npz_bytes(meta=np.array(meta), **{k: v for k, v in good.items() if k != "bias_ih_l1"}),
            "bad parameters: missing array 'bias_ih_l1'",
        ),
        (
            npz_bytes(meta=np.array(meta), extra=np.zeros(2), **good),
            "bad parameters: unexpected array 'extra'",
        ),
        (
            npz_bytes(meta=np.array(meta), **{**good, "weight_hh_l1": np.zeros((16, 3))}),
            r"bad parameters: weight_hh_l1 has shape \(16, 3\), expected \(16, 4\)",
        ),
        (
            npz_bytes(meta=np.array(meta), **{**good, "weight_hh_l1": nan}),
            r"bad parameters: weight_hh_l1 contains NaN or infinite values",
        ),
        (
            npz_bytes(meta=np.array(meta), **{**good, "embedding": np.zeros((6, 3))}),
            "the vocabulary has 5 tokens but the embedding has 6 rows",
        ),
        (
            npz_bytes(meta=np.array(wrong_sizes), **good),
            r"meta sizes \{'hidden_size': 8\} do not match the arrays",
        ),
        (
            npz_bytes(meta=np.array(meta), obj=np.array([{}], dtype=object), **good),
            "array 'obj' cannot be read: it needs pickle, which model files never use",
        ),
        (truncated[: len(truncated) // 2], "not a model file|cannot be read|damaged"),
    ]


@pytest.mark.parametrize(("data", "message"), broken_files())
def test_broken_files_name_the_problem(data, message):
    with pytest.raises(ModelFileError, match=message):
        load_model(data)


def test_meta_that_does_not_fit_is_refused():
    model = make_model()
    cases = [
        (make_meta(vocabulary=VOCAB[:4]), "the vocabulary has 4 tokens but the embedding has 5"),
        (make_meta(vocabulary=["a", "a", "b", "c", "d"]), "meta vocabulary: .*'a' more than once"),
        (make_meta(tokenizer="bpe"), "meta tokenizer is 'bpe', expected one of char, word"),
        (make_meta(labels=["x", "y"]), "meta lists 2 labels but the output layer has 5 outputs"),
        (make_meta(metrics={"loss": float("nan")}), "meta cannot be written as JSON"),
        (make_meta(metrics=[1]), "meta metrics must be a dict, got a list"),
        ({"tokenizer": "char", "vocabulary": VOCAB}, "meta is missing task, seed, metrics"),
    ]
    for meta, message in cases:
        with pytest.raises(ModelFileError, match=message):
            model_bytes(model, meta)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ModelFileError, match=r"cannot read .*nope\.npz: No such file"):
        load_model(tmp_path / "nope.npz")


def meta_file(model: LSTM, meta: dict) -> bytes:
    """A model file with `meta` written as is (model_bytes would refuse a malformed one)."""
    full = {**meta, "format": FORMAT}
    return npz_bytes(meta=np.array(json.dumps(full)), **model.params)


MALFORMED_METAS = [
    ({"labels": 5}, "meta labels must be a list of strings"),
    ({"labels": [1, 2, 3, 4, 5]}, "meta labels must be a list of strings"),
    ({"vocabulary": "<unk>abc "}, "meta vocabulary must be a list of strings"),
    ({"vocabulary": [0, 1, 2, 3, 4]}, "meta vocabulary must be a list of strings"),
    ({"title": 5}, "meta title must be a string, got a number"),
    ({"example": ["abc"]}, "meta example must be a string, got a list"),
    ({"task": None}, "meta task must be a string, got null"),
    ({"tokenizer": ["char"]}, r"meta tokenizer is \['char'\], expected one of char, word"),
    ({"seed": "five"}, "meta seed must be a whole number, got 'five'"),
    ({"seed": 1.5}, "meta seed must be a whole number, got 1.5"),
    ({"training_seconds": "1s"}, "meta training_seconds must be a number, got a string"),
    ({"training_seconds": True}, "meta training_seconds must be a number, got a boolean"),
    ({"metrics": [1]}, "meta metrics must be a dict, got a list"),
    ({"sizes": 4}, "meta sizes must be a dict, got a number"),
    ({"next_token": "yes"}, "meta next_token must be true or false"),
]


@pytest.mark.parametrize(("change", "message"), MALFORMED_METAS)
def test_meta_fields_of_the_wrong_type_are_refused_with_a_reason(change, message):
    model = make_model()
    with pytest.raises(ModelFileError, match=message):
        load_model(meta_file(model, make_meta(**change)))


def test_a_meta_without_vocabulary_is_refused():
    model = make_model()
    meta = make_meta()
    del meta["vocabulary"]
    with pytest.raises(ModelFileError, match="meta vocabulary is missing"):
        load_model(meta_file(model, meta))


def test_a_hard_sigmoid_model_round_trips_and_sigmoid_files_stay_as_they_were():
    base = make_model()
    hard = LSTM(base.params, gate_activation="hard_sigmoid_keras2")
    model, meta = load_model(model_bytes(hard, make_meta()))
    assert model.gate_activation == "hard_sigmoid_keras2"
    assert meta["gate_activation"] == "hard_sigmoid_keras2"
    ids = np.array([1, 2, 3, 0])
    np.testing.assert_array_equal(model.trace(ids).layers[1].h, hard.trace(ids).layers[1].h)
    _, plain = load_model(model_bytes(base, make_meta()))
    assert "gate_activation" not in plain


def test_a_gate_activation_that_is_unknown_or_does_not_fit_is_refused():
    model = make_model()
    with pytest.raises(ModelFileError, match="gate_activation must be one of sigmoid"):
        load_model(meta_file(model, make_meta(gate_activation=["relu"])))
    with pytest.raises(ModelFileError, match="meta gate_activation is 'hard_sigmoid_keras3'"):
        model_bytes(model, make_meta(gate_activation="hard_sigmoid_keras3"))
