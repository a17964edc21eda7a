"""lstm/modelfile.py: NPZ model files round-trip, and every broken file gets a clear error."""

import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
        (zipped.getvalue(), "entry 'readme.txt' is not an array \\(.npy\\): not a model file"),
        (npz_bytes(**good), "no 'meta' entry"),
        (npz_bytes(meta=np.array("{oops"), **good), "the 'meta' entry is not valid JSON"),
        (npz_bytes(meta=np.array(3.0), **good), "array 'meta' has dtype float64, expected text"),
        (npz_bytes(meta=np.array(["{}"]), **good), "the 'meta' entry must be a JSON string"),
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


# --- hostile files: checked before anything large is read or allocated ----------------------


def npy_header(shape: tuple, descr: str = "<f8") -> bytes:
    """A .npy header declaring `shape` of `descr`, without its data."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buffer.getvalue()


def valid_entries() -> dict[str, bytes]:
    """The entries (name -> .npy bytes) of a valid, uncompressed model file."""
    with zipfile.ZipFile(io.BytesIO(meta_file(make_model(), make_meta()))) as z:
        return {name: z.read(name) for name in z.namelist()}


def with_entry(name: str, data: bytes) -> bytes:
    return zip_of({**valid_entries(), name: data})


def encrypted(data: bytes) -> bytes:
    """`data` (a zip) with the 'encrypted' flag set on every entry, local and central."""
    out = bytearray(data)
    for signature, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := out.find(signature, start)) != -1:
            out[start + at] |= 0x01
            start += 4
    return bytes(out)


def hostile_files() -> list:
    valid = meta_file(make_model(), make_meta())
    npy = io.BytesIO()
    np.save(npy, np.zeros(3))
    commented = io.BytesIO(valid)
    with zipfile.ZipFile(commented, "a") as z:
        z.comment = b"and something else"
    deep = "[" * 100_000 + "]" * 100_000
    nested_meta = json.dumps({**make_meta(), "format": FORMAT})[:-1] + ', "x": ' + deep + "}"
    lzma = zip_of(valid_entries(), zipfile.ZIP_LZMA)
    return [
        ("huge shape", with_entry("weight_hh_l0.npy", npy_header((10**6, 10**6)) + b"\0" * 64),
         r"array 'weight_hh_l0' declares shape \(1000000, 1000000\) of float64: the arrays would "
         r"take more than the 256 MB limit"),
        ("short data", with_entry("bias_hh_l0.npy", npy_header((16,)) + b"\0" * 8),
         r"array 'bias_hh_l0' declares shape \(16,\) of float64 \(128 bytes\) but holds 8 bytes"),
        ("long data", with_entry("bias_hh_l0.npy", npy_header((16,)) + b"\0" * 200),
         r"declares shape \(16,\) of float64 \(128 bytes\) but holds 200 bytes"),
        ("negative shape", with_entry("bias_hh_l0.npy", npy_header((-16,))),
         "not a readable .npy array|has shape"),
        ("3-d", with_entry("bias_hh_l0.npy", npy_header((2, 2, 4)) + b"\0" * 128),
         r"has shape \(2, 2, 4\): model arrays have at most two dimensions"),
        ("object dtype", with_entry("out_bias.npy", npy_header((5,), "|O") + b"\0" * 40),
         "array 'out_bias' cannot be read: it needs pickle, which model files never use"),
        ("void dtype", with_entry("out_bias.npy", npy_header((5,), "|V8") + b"\0" * 40),
         "array 'out_bias' has dtype .*expected real numbers"),
        ("bad header", with_entry("out_bias.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': 1}   \n"),
         "entry 'out_bias' is not a readable .npy array"),
        ("not npy", with_entry("out_bias.npy", b"hello"),
         "entry 'out_bias' is not a readable .npy array"),
        ("encrypted", encrypted(valid), "entry 'meta.npy' is encrypted: model files never are"),
        ("lzma", lzma, "entry 'meta.npy' uses zip compression method 14; model files are stored "
         "or deflated"),
        ("npy then zip", npy.getvalue() + valid,
         "other data before its zip archive: it is also another format"),
        ("html then zip", b"<html><body>hi</body></html>" + valid, "other data before"),
        ("zip then more", valid + b"<html>also a page</html>",
         "not a model file|data after its zip archive"),
        ("zip comment", commented.getvalue(), "data after its zip archive"),
        ("two metas", valid[:-22] + b"", "not a model file"),
        ("deep meta", npz_bytes(meta=np.array(nested_meta), **make_model().params),
         "the 'meta' entry nests deeper than 32 levels"),
        ("huge int meta", npz_bytes(meta=np.array('{"format": ' + "9" * 5000 + "}"),
                                    **make_model().params),
         "the 'meta' entry is not valid JSON"),
    ]


@pytest.mark.parametrize(("data", "message"), [(d, m) for _, d, m in hostile_files()],
                         ids=[name for name, _, _ in hostile_files()])
def test_hostile_files_are_refused_with_a_reason(data, message):
    with pytest.raises(ModelFileError, match=message) as refused:
        load_model(data)
    assert "allow_pickle" not in str(refused.value)


def test_duplicate_entries_are_refused():
    entries = valid_entries()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z, pytest.warns(UserWarning, match="Duplicate name"):
        for name, data in [*entries.items(), ("out_bias.npy", entries["out_bias.npy"])]:
            z.writestr(name, data)
    with pytest.raises(ModelFileError, match=r"entry 'out_bias\.npy' is a second"):
        load_model(buffer.getvalue())


def test_overlapping_entries_are_refused():
    """A zip bomb's trick: two central-directory records pointing at the same bytes."""
    data = bytearray(zip_of({"a.npy": npy_header((1,)) + b"\0" * 8,
                             "b.npy": npy_header((1,)) + b"\0" * 8}))
    central = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)
    data[central + 42 : central + 46] = (0).to_bytes(4, "little")  # b's offset := a's
    with pytest.raises(ModelFileError, match=r"overlapping or hidden data|cannot be read"):
        load_model(bytes(data))


def test_what_all_headers_declare_together_is_limited(monkeypatch):
    monkeypatch.setattr("lstm.modelfile.MAX_ARRAY_BYTES", 1000)
    with pytest.raises(ModelFileError, match=r"array '\w+' declares shape .* the arrays "
                       "would take more than the 0 MB limit"):
        load_model(meta_file(make_model(), make_meta()))


def test_a_file_over_the_size_limit_is_refused_before_reading_it_all(tmp_path, monkeypatch):
    monkeypatch.setattr("lstm.modelfile.MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.npz"
    path.write_bytes(b"\0" * 5000)
    with pytest.raises(ModelFileError, match="larger than the 0 MB limit"):
        load_model(path)


def test_brackets_inside_strings_do_not_count_as_nesting():
    deep_text = "[" * 1000 + "]" * 1000
    model = make_model()
    _, meta = load_model(meta_file(model, make_meta(example="x", about=deep_text)))
    assert meta["about"] == deep_text


def test_fortran_order_and_big_endian_arrays_read_as_numpy_would():
    model = make_model()
    params = {k: np.asfortranarray(v).astype(">f8") for k, v in model.params.items()}
    loaded, _ = load_model(npz_bytes(meta=np.array(json.dumps({**make_meta(), "format": FORMAT})),
                                     **params))
    for name, p in model.params.items():
        np.testing.assert_array_equal(loaded.params[name], p)


def scaled(model: LSTM, factor: float) -> dict:
    return {k: v * factor for k, v in model.params.items()}


def test_weights_large_enough_to_overflow_the_trace_are_refused():
    model = make_model()
    data = npz_bytes(meta=np.array(json.dumps({**make_meta(), "format": FORMAT})),
                     **scaled(model, 1e160))
    with pytest.raises(ModelFileError, match="weights so large that the pre-activations can "
                       r"overflow float64: W x \+ U h \+ b could pass 1\.8e\+308") as refused:
        load_model(data)
    assert "nan" not in str(refused.value).lower()  # the page shows this message
    float32_only = npz_bytes(meta=np.array(json.dumps({**make_meta(), "format": FORMAT})),
                             **scaled(model, 1e20))
    load_model(float32_only)
    with pytest.raises(ModelFileError, match="overflow float32"):
        load_model(float32_only, dtype="float32")


def test_the_largest_weights_accepted_trace_without_nan():
    model = make_model()
    data = npz_bytes(meta=np.array(json.dumps({**make_meta(), "format": FORMAT})),
                     **scaled(model, 1e150))
    loaded, _ = load_model(data)
    with np.errstate(all="raise"):
        trace = loaded.trace(np.array([0, 1, 2, 3, 4, 3, 2, 1]))
    for layer in trace.layers:
        for name in ("pre", "i", "f", "g", "o", "c", "h"):
            assert np.isfinite(getattr(layer, name)).all(), name
    assert np.isfinite(trace.logits).all()


# --- property: whatever the bytes, a ModelFileError or a valid model ---------------------------

VALID_STORED = meta_file(make_model(), make_meta())  # headers readable where mutations land
VALID_COMPRESSED = model_bytes(make_model(), make_meta())


def loads_or_refuses(data: bytes) -> None:
    try:
        model, meta = load_model(data)
    except ModelFileError as e:
        assert "allow_pickle" not in str(e) and "\n" not in str(e)
        return
    assert isinstance(model, LSTM) and meta["format"] == FORMAT


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_random_bytes_are_refused_clearly(data):
    loads_or_refuses(data)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([VALID_STORED, VALID_COMPRESSED]), st.data())
def test_mutations_of_a_valid_file_are_refused_clearly_or_load(valid, data):
    out = bytearray(valid)
    for _ in range(data.draw(st.integers(1, 8), label="mutations")):
        kind = data.draw(st.sampled_from(["flip", "set", "cut", "insert", "delete"]))
        at = data.draw(st.integers(0, len(out) - 1))
        if kind == "flip":
            out[at] ^= 1 << data.draw(st.integers(0, 7))
        elif kind == "set":
            out[at] = data.draw(st.sampled_from([0x00, 0xFF, 0x7F, 0x80, ord("9"), ord("[")]))
        elif kind == "cut":
            del out[at:]
        elif kind == "insert":
            out[at:at] = data.draw(st.binary(min_size=1, max_size=16))
        else:
            del out[at : at + data.draw(st.integers(1, 64))]
        if not out:
            break
    loads_or_refuses(bytes(out))


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
