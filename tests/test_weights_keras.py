"""Keras layers to the LSTM: the gate activation by version, and what a config can refuse."""

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from lstm.weights import WeightsError, load_weights
from lstm.weights.keras import Layer, from_layers

FIXTURES = Path(__file__).parent / "fixtures" / "import"
U, E, V = 3, 2, 4


def lstm_layer(name="lstm", units=U, inputs=E, **config) -> Layer:
    """An LSTM layer with a config: recurrent_activation is unset (as without a config)."""
    rng = np.random.default_rng(1)
    shapes = {"kernel": (inputs, 4 * units), "recurrent_kernel": (units, 4 * units),
              "bias": (4 * units,)}
    arrays = {k: (f"{name}/{k}", rng.standard_normal(shape)) for k, shape in shapes.items()}
    return Layer("LSTM", name, {"return_sequences": True, **config}, arrays)


def dense(units=V) -> Layer:
    arrays = {"kernel": ("dense/kernel", np.ones((U, units))),
              "bias": ("dense/bias", np.zeros(units))}
    return Layer("Dense", "dense", {"activation": "softmax"}, arrays)


def test_keras_columns_become_pytorch_rows_in_the_same_gate_order():
    layer = lstm_layer()
    params, info = from_layers([layer, dense()], version="3.15.1")
    np.testing.assert_array_equal(params["weight_ih_l0"], layer.arrays["kernel"][1].T)
    np.testing.assert_array_equal(params["weight_hh_l0"], layer.arrays["recurrent_kernel"][1].T)
    assert not params["bias_hh_l0"].any()
    assert info["gate_activation"] == "sigmoid"
    assert "applies softmax: the logits shown come before" in info["notes"][1]


@pytest.mark.parametrize(("version", "option", "gate"), [
    ("3.15.1", None, "hard_sigmoid_keras3"), ("2.4.0", None, "hard_sigmoid_keras2"),
    ("2.1.6-tf", None, "hard_sigmoid_keras2"), (None, "hard_sigmoid_keras2", "hard_sigmoid_keras2"),
])
def test_hard_sigmoid_is_read_as_the_saving_version_computed_it(version, option, gate):
    layers = [lstm_layer(recurrent_activation="hard_sigmoid")]
    _, info = from_layers(layers, version=version, recurrent_activation=option)
    assert info["gate_activation"] == gate


REFUSED = [
    ([lstm_layer(recurrent_activation="hard_sigmoid")], {}, "records no Keras version"),
    ([lstm_layer(recurrent_activation="hard_sigmoid")], {"version": "1.2.2"}, "Keras 2 and 3"),
    ([lstm_layer(recurrent_activation="relu")], {}, "recurrent_activation 'relu'"),
    ([lstm_layer(activation="relu")], {}, "uses activation 'relu'"),
    ([lstm_layer(go_backwards=True)], {}, "reads backwards"),
    ([lstm_layer(), lstm_layer("lstm_1", units=5, inputs=U)], {}, r"LSTM layers of \[3, 5\] units"),
    ([lstm_layer(return_sequences=False), lstm_layer("lstm_1", inputs=U)], {},
     "feeds another LSTM without return_sequences"),
    ([Layer("GRU", "gru", {}, {}), lstm_layer()], {}, "layer 'gru' is a GRU"),
    ([dense(), lstm_layer()], {}, "expected an optional Embedding, one or more LSTMs"),
    ([lstm_layer(), Layer("LSTM", "lstm_1", {}, {})], {}, "LSTM 'lstm_1' has no kernel"),
    ([lstm_layer(inputs=E)], {"recurrent_activation": "swish"}, "recurrent_activation 'swish'"),
]


@pytest.mark.parametrize(("layers", "options", "message"), REFUSED)
def test_what_the_cell_cannot_show_is_refused_with_the_reason(layers, options, message):
    with pytest.raises(WeightsError, match=message):
        from_layers(layers, **{"version": None, **options})


def test_wrong_shapes_name_the_keras_array():
    bad = lstm_layer()
    bad.arrays["bias"] = ("lstm/bias", np.ones(5))
    message = r"lstm/bias has shape \(5,\), expected \(4U,\) = \(12,\)"
    with pytest.raises(WeightsError, match=message):
        from_layers([bad], version="3.0.0")


def rezip(name: str, member: str, change) -> bytes:
    """The .keras fixture `name` with `member` changed by `change(bytes) -> bytes`."""
    with zipfile.ZipFile(FIXTURES / name) as z:
        members = {info.filename: z.read(info) for info in z.infolist()}
    members[member] = change(members[member])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for path, body in members.items():
            z.writestr(path, body)
    return buffer.getvalue()


def keras_with_config(change) -> bytes:
    def edit(raw: bytes) -> bytes:
        config = json.loads(raw)
        change(config)
        return json.dumps(config).encode()

    return rezip("keras_char.keras", "config.json", edit)


def test_a_keras_archive_config_is_what_decides():
    def bidirectional(config):
        config["config"]["layers"][2]["class_name"] = "Bidirectional"

    with pytest.raises(WeightsError, match="is a Bidirectional"):
        load_weights("m.keras", keras_with_config(bidirectional))

    def no_layers(config):
        del config["config"]["layers"]

    with pytest.raises(WeightsError, match="lists no layers"):
        load_weights("m.keras", keras_with_config(no_layers))


def test_a_keras_file_without_the_expected_groups_names_what_is_missing():
    def renamed(old: bytes, new: bytes) -> bytes:
        return rezip("keras_char.keras", "model.weights.h5", lambda h5: h5.replace(old, new))

    with pytest.raises(WeightsError, match="LSTM 'lstm': the weights file has no layers/lstm/cell"):
        load_weights("m.keras", renamed(b"cell\0", b"cexl\0"))
    with pytest.raises(WeightsError, match="has no 'layers' group"):
        load_weights("m.keras", renamed(b"layers\0", b"layerz\0"))
    weights = (FIXTURES / "keras_char.weights.h5").read_bytes()
    with pytest.raises(WeightsError, match="no 'layer_names' attribute"):
        load_weights("m.h5", weights.replace(b"layers\0", b"layerz\0"))
