"""Keras models of Embedding, LSTM and Dense layers: Keras 3 `.keras` and `.weights.h5`, and the
legacy `.h5` of Keras 2 / tf.keras (which Keras 3 can still write).

    Embedding  embeddings (V, E)
    LSTM       kernel (E, 4U), recurrent_kernel (U, 4U), bias (4U,), gate columns i, f, c, o
    Dense      kernel (U, O), bias (O,)

Keras's c is PyTorch's g, so the gates keep their order: weight_ih = kernel.T, weight_hh =
recurrent_kernel.T, bias_ih = bias (`unit_forget_bias` only sets the initial value; the stored
bias is used as is), bias_hh = 0. `recurrent_activation` comes from the model's config: sigmoid,
or hard_sigmoid as the saving version computed it (Keras 3: relu6(x + 3) / 6; Keras 2:
clip(0.2 x + 0.5, 0, 1)), told apart by the recorded `keras_version`.

Where the weights live:
- `.keras` (a zip): `config.json`, `metadata.json` (keras_version), `model.weights.h5` with
  `layers/<name>/vars/0..` and an LSTM's at `layers/<name>/cell/vars/0..2`.
- `.weights.h5`: the same HDF5 file alone, without config: the layers are told apart by their
  arrays and stacked LSTMs ordered by name (lstm, lstm_1, ...); recurrent_activation is taken
  as Keras's default, sigmoid, and said so, unless given.
- legacy `.h5`: attributes `keras_version`, `model_config` (JSON) at the root; the layers under
  `model_weights/` (a whole model) or the root (save_weights), listed by the `layer_names`
  attribute, each group listing its arrays in `weight_names` (paths such as
  `lstm/lstm_cell/kernel:0`). Attributes over 64 KB are split by Keras into `layer_names0`, ...
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np

from ..model import GATE_ACTIVATIONS
from .checks import WeightsError, expect, matrix_shape
from .hdf5 import Dataset, Group, read_hdf5
from .zipped import read_members

PASS_THROUGH = ("InputLayer", "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout")
VARS = {"Embedding": ("embeddings",), "LSTM": ("kernel", "recurrent_kernel", "bias"),
        "Dense": ("kernel", "bias")}
REQUIRED = {"Embedding": ("embeddings",), "LSTM": ("kernel", "recurrent_kernel"),
            "Dense": ("kernel",)}  # a bias may be absent (use_bias=False)


@dataclass
class Layer:
    """One Keras layer: its class, name, config (empty when unknown) and arrays by role."""

    kind: str
    name: str
    config: dict
    arrays: dict  # role ("kernel", ...) -> (the file's name for it, np.ndarray)


def activation_name(value) -> str | None:
    """An activation as a config stores it: a name, or (Keras 3) a serialized function."""
    if isinstance(value, dict):
        value = value.get("config", value.get("class_name"))
    return value if isinstance(value, str | None) else repr(value)


def gate_activation(layers: list[Layer], version: str | None, option: str | None,
                    notes: list) -> str:
    """The model's gate activation from the LSTMs' configs, the version, or the option."""
    if option in GATE_ACTIVATIONS:
        return option
    if option not in (None, "hard_sigmoid"):
        raise WeightsError(
            f"recurrent_activation {option!r}: expected sigmoid, hard_sigmoid, "
            f"hard_sigmoid_keras2 or hard_sigmoid_keras3"
        )
    names = {activation_name(layer.config.get("recurrent_activation", option))
             for layer in layers if layer.kind == "LSTM"}
    if names == {None}:
        notes.append("no config in the file: recurrent_activation taken as sigmoid (Keras's "
                     "default); set recurrent_activation if the model used hard_sigmoid")
        return "sigmoid"
    if len(names) > 1:
        raise WeightsError(f"the LSTM layers use different recurrent activations: {names}")
    name = names.pop()
    if name == "sigmoid":
        return "sigmoid"
    if name != "hard_sigmoid":
        raise WeightsError(
            f"recurrent_activation {name!r}: only sigmoid and hard_sigmoid gates are shown"
        )
    if version is None:
        raise WeightsError(
            "hard_sigmoid gates, but the file records no Keras version, and Keras 2 and 3 "
            "compute hard_sigmoid differently: set recurrent_activation to "
            "hard_sigmoid_keras2 (clip(0.2 x + 0.5, 0, 1)) or hard_sigmoid_keras3 "
            "(relu6(x + 3) / 6)", "recurrent_activation",
            ("hard_sigmoid_keras3", "hard_sigmoid_keras2"),
        )
    major = version.split(".")[0]
    if major not in ("2", "3"):
        raise WeightsError(f"keras_version {version!r}: Keras 2 and 3 files are read")
    gate = f"hard_sigmoid_keras{major}"
    notes.append(f"hard_sigmoid as Keras {version} computes it: {GATE_ACTIVATIONS[gate]}")
    return gate


def check_layer_config(layer: Layer) -> None:
    c = layer.config
    if layer.kind == "LSTM":
        if activation_name(c.get("activation", "tanh")) != "tanh":
            raise WeightsError(
                f"LSTM {layer.name!r} uses activation {activation_name(c['activation'])!r}: "
                f"the visualizer's cell uses tanh"
            )
        if c.get("go_backwards"):
            raise WeightsError(f"LSTM {layer.name!r} reads backwards (go_backwards=True)")


def from_layers(layers: list[Layer], *, version: str | None,
                recurrent_activation: str | None = None) -> tuple[dict, dict]:
    """Parameters under this project's names, and the info dict (with "gate_activation")."""
    notes: list[str] = []
    kinds = [layer.kind for layer in layers if layer.kind not in PASS_THROUGH]
    order = "".join({"Embedding": "E", "LSTM": "L", "Dense": "D", "Activation": "A"}.get(k, "?")
                    for k in kinds)
    if "?" in order:
        other = next(layer for layer in layers
                     if layer.kind not in (*PASS_THROUGH, *VARS, "Activation"))
        raise WeightsError(
            f"layer {other.name!r} is a {other.kind}: only Embedding, LSTM and Dense layers "
            f"(and {', '.join(PASS_THROUGH)}) are read"
        )
    if not re.fullmatch(r"E?L+D?A?", order):
        raise WeightsError(
            f"layers {' -> '.join(kinds)}: expected an optional Embedding, one or more LSTMs, "
            f"an optional Dense"
        )
    for layer in layers:
        for role in REQUIRED.get(layer.kind, ()):
            if role not in layer.arrays:
                raise WeightsError(f"{layer.kind} {layer.name!r} has no {role} in the file")
    gate = gate_activation(layers, version, recurrent_activation, notes)
    params, sources = {}, {}
    lstms = [layer for layer in layers if layer.kind == "LSTM"]
    units = {matrix_shape(layer.arrays["recurrent_kernel"][0],
                          layer.arrays["recurrent_kernel"][1], "(U, 4U)")[0] for layer in lstms}
    if len(units) > 1:
        raise WeightsError(
            f"LSTM layers of {sorted(units)} units: the visualizer's stacked LSTM has one size"
        )
    U = units.pop()
    for k, layer in enumerate(lstms):
        check_layer_config(layer)
        (kn, kernel), (rn, recurrent) = layer.arrays["kernel"], layer.arrays["recurrent_kernel"]
        E = matrix_shape(kn, kernel, "(E, 4U)")[0] if k == 0 else U
        params[f"weight_ih_l{k}"] = expect(kn, kernel, (E, 4 * U), "(E, 4U)").T
        params[f"weight_hh_l{k}"] = expect(rn, recurrent, (U, 4 * U), "(U, 4U)").T
        sources[f"weight_ih_l{k}"], sources[f"weight_hh_l{k}"] = kn, rn
        if "bias" in layer.arrays:
            bn, bias = layer.arrays["bias"]
            params[f"bias_ih_l{k}"] = expect(bn, bias, (4 * U,), "(4U,)")
            sources[f"bias_ih_l{k}"] = bn
        else:
            params[f"bias_ih_l{k}"] = np.zeros(4 * U)
        params[f"bias_hh_l{k}"] = np.zeros(4 * U)
        if k < len(lstms) - 1 and layer.config and not layer.config.get("return_sequences"):
            raise WeightsError(f"LSTM {layer.name!r} feeds another LSTM without return_sequences")
    E = params["weight_ih_l0"].shape[1]
    for layer in layers:
        if layer.kind == "Embedding":
            name, table = layer.arrays["embeddings"]
            V = matrix_shape(name, table, "(V, E)")[0]
            params["embedding"] = expect(name, table, (V, E), "(V, E)")
            sources["embedding"] = name
        elif layer.kind == "Dense":
            name, kernel = layer.arrays["kernel"]
            n_out = matrix_shape(name, kernel, "(U, O)")[1]
            params["out_weight"] = expect(name, kernel, (U, n_out), "(U, O)").T
            sources["out_weight"] = name
            if "bias" in layer.arrays:
                bn, bias = layer.arrays["bias"]
                params["out_bias"] = expect(bn, bias, (n_out,), "(O,)")
                sources["out_bias"] = bn
            else:
                params["out_bias"] = np.zeros(n_out)
            act = activation_name(layer.config.get("activation", "linear"))
            if act != "linear":
                notes.append(f"Dense {layer.name!r} applies {act}: the logits shown come before")
            if lstms[-1].config and not lstms[-1].config.get("return_sequences"):
                notes.append("the last LSTM returns only its last step: Keras applies the Dense "
                             "there alone; the logits are shown at every step")
    info = {"arrays": sources, "gate_activation": gate, "notes": notes,
            "keras_version": version}
    return params, info


# Where the layers come from ---------------------------------------------------------------

def config_layers(config) -> list[dict]:
    """The layer entries of a model config (Sequential or Functional, Keras 2 or 3)."""
    if not isinstance(config, dict):
        raise WeightsError("the model config is not a JSON object")
    inner = config.get("config")
    layers = inner if isinstance(inner, list) else (inner or {}).get("layers")
    if not isinstance(layers, list) or not all(isinstance(e, dict) for e in layers):
        raise WeightsError(
            f"the model config ({config.get('class_name')!r}) lists no layers: "
            f"expected a Sequential or Functional model"
        )
    return layers


def layer_name(entry: dict) -> str:
    config = entry.get("config")
    name = (config.get("name") if isinstance(config, dict) else None) or entry.get("name")
    if not isinstance(name, str):
        raise WeightsError(f"a {entry.get('class_name')!r} layer in the config has no name")
    return name


def keras3_vars(group: Group | None, name: str, kind: str) -> dict:
    """A Keras 3 layer's arrays from `layers/<name>/vars` (an LSTM's from `cell/vars`)."""
    path = "cell/vars" if kind == "LSTM" else "vars"
    vars_group = group.get(path) if group is not None else None
    if not isinstance(vars_group, Group):
        raise WeightsError(f"{kind} {name!r}: the weights file has no layers/{name}/{path}")
    arrays = {}
    for j, role in enumerate(VARS[kind]):
        node = vars_group.members.get(str(j))
        where = f"layers/{name}/{path}/{j}"
        if isinstance(node, Dataset):
            arrays[role] = (f"{where} ({role})", node.read())
        elif not (role == "bias" and j == len(VARS[kind]) - 1):  # use_bias=False: no bias
            raise WeightsError(f"{kind} {name!r}: {where} ({role}) is missing")
    return arrays


def snake_case(name: str) -> str:
    """A class name as Keras 3 names its group: "SpatialDropout1D" -> "spatial_dropout1d"."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", re.sub(r"\W+", "", name))
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def natural(name: str) -> tuple:
    """lstm < lstm_1 < lstm_2 < lstm_10."""
    m = re.fullmatch(r"(.*?)(?:_(\d+))?", name)
    return (m[1], int(m[2] or 0))


def keras3_layers(root: Group, config: dict | None) -> list[Layer]:
    """The layers of a Keras 3 weights file, in the config's order or told apart by arrays."""
    top = root.get("layers")
    if not isinstance(top, Group):
        raise WeightsError("the Keras weights file has no 'layers' group")
    if config is not None:
        layers, used = [], {}
        for entry in config_layers(config):
            kind, name = str(entry.get("class_name")), layer_name(entry)
            c = entry.get("config") if isinstance(entry.get("config"), dict) else {}
            if kind == "InputLayer":
                continue
            group = snake_case(kind)  # Keras 3 names the groups by class: lstm, lstm_1, ...
            used[group] = used.get(group, -1) + 1
            group += f"_{used[group]}" if used[group] else ""
            arrays = keras3_vars(top.members.get(group), group, kind) if kind in VARS else {}
            layers.append(Layer(kind, name, c, arrays))
        return layers
    layers = []
    for name in sorted(top.members, key=natural):
        group = top.members[name]
        if isinstance(group.get("cell/vars"), Group):
            kind = "LSTM"
        else:
            count = len(group.get("vars").members) if isinstance(group.get("vars"), Group) else 0
            kind = {0: None, 1: "Embedding", 2: "Dense"}.get(count, "?")
        if kind == "?":
            raise WeightsError(f"layers/{name} is not an Embedding, LSTM or Dense layer")
        if kind is not None:
            layers.append(Layer(kind, name, {}, keras3_vars(group, name, kind)))
    layers.sort(key=lambda layer: "ELD".index(layer.kind[0]))  # stable: LSTMs keep name order
    return layers


def from_keras_zip(data: bytes, **options) -> tuple[dict, dict]:
    """A Keras 3 `.keras` archive."""
    members = read_members(data, "the .keras archive")
    for needed in ("config.json", "model.weights.h5"):
        if needed not in members:
            raise WeightsError(f"the .keras archive has no {needed}")
    try:
        config = json.loads(members["config.json"])
        metadata = json.loads(members.get("metadata.json", b"{}"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise WeightsError(f"the .keras archive's JSON is damaged ({e})") from None
    version = metadata.get("keras_version") if isinstance(metadata, dict) else None
    layers = keras3_layers(read_hdf5(members["model.weights.h5"]), config)
    return from_layers(layers, version=version if isinstance(version, str) else None, **options)


def split_attribute(group: Group, name: str) -> list | None:
    """An attribute Keras may have split into name0, name1, ... (over 64 KB); None if absent."""
    if name in group.attrs:
        value = group.attrs[name]
        return [] if isinstance(value, np.ndarray) and value.size == 0 else value
    parts, j = [], 0
    while f"{name}{j}" in group.attrs:
        parts += group.attrs[f"{name}{j}"]
        j += 1
    return parts if j else None


def legacy_layers(root: Group) -> tuple[list[Layer], str | None]:
    """The layers of a Keras 2 / tf.keras (or Keras 3 legacy) `.h5` file, and its version."""
    weights = root.members.get("model_weights", root)
    names = split_attribute(weights, "layer_names")
    if not isinstance(weights, Group) or not isinstance(names, list):
        raise WeightsError("the HDF5 file has no Keras layers: no 'layer_names' attribute")
    version = weights.attrs.get("keras_version", root.attrs.get("keras_version"))
    entries = {}
    if isinstance(root.attrs.get("model_config"), str):
        try:
            config = json.loads(root.attrs["model_config"])
        except json.JSONDecodeError as e:
            raise WeightsError(f"the file's model_config is not valid JSON ({e})") from None
        entries = {layer_name(e): e for e in config_layers(config)}
    layers = []
    for name in names:
        group = weights.members.get(name)
        weight_names = split_attribute(group, "weight_names") if isinstance(group, Group) else None
        if weight_names is None:
            raise WeightsError(f"layer {name!r} is listed but its group or weight_names is missing")
        arrays = {}
        for wname in weight_names:
            node = group.get(wname)
            if not isinstance(node, Dataset):
                raise WeightsError(f"layer {name!r}: array {wname!r} is missing")
            role = wname.split("/")[-1].split(":")[0]
            if re.fullmatch(r"[WUb]_[ifco]", role):
                raise WeightsError(f"layer {name!r} has Keras 1 weights ({wname}): not read")
            arrays[role] = (f"{name}/{wname}", node.read())
        entry = entries.get(name, {})
        kind = entry.get("class_name") or guess_kind(arrays)
        config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
        if kind in VARS and set(arrays) - set(VARS[kind]):
            extra = ", ".join(sorted(set(arrays) - set(VARS[kind])))
            raise WeightsError(f"{kind} {name!r} has arrays this reader does not know: {extra}")
        if kind in VARS or arrays or entry:
            layers.append(Layer(str(kind), name, config, arrays))
    return layers, version if isinstance(version, str) else None


def guess_kind(arrays: dict) -> str | None:
    """A layer's class from its array names when the file has no config."""
    if not arrays:
        return None
    if "recurrent_kernel" in arrays:
        return "LSTM"
    if set(arrays) == {"embeddings"}:
        return "Embedding"
    return "Dense" if {"kernel", "bias"}.issuperset(arrays) else "unknown layer"


def from_keras_h5(data: bytes, **options) -> tuple[dict, dict]:
    """A Keras HDF5 file: Keras 3 `.weights.h5`, or a legacy Keras 2 / tf.keras `.h5`."""
    root = read_hdf5(data)
    if isinstance(root.get("layers"), Group) and "layer_names" not in root.attrs:
        if options.get("recurrent_activation") == "hard_sigmoid":  # the file is Keras 3's
            options["recurrent_activation"] = "hard_sigmoid_keras3"
        return from_layers(keras3_layers(root, None), version=None, **options)
    layers, version = legacy_layers(root)
    return from_layers(layers, version=version, **options)
