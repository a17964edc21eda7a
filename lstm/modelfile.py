"""Model files: an NPZ of the parameters under their PyTorch names plus a JSON `meta` entry.

    weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, ... [embedding] [out_weight out_bias]
    meta    a 0-d unicode array holding a JSON object

No entry needs pickle, so `np.load(path, allow_pickle=False)` reads every file, and a file from
anywhere (an upload) can only ever give arrays and text. The meta object holds at least:

    format            "lstm-gates-visualizer/1"
    task              what the model was trained for (free text)
    tokenizer         "char" or "word"
    vocabulary        list of tokens, one per embedding row (empty without an embedding)
    sizes             {"input_size", "hidden_size", "num_layers", "vocab_size", "output_size"}
    seed              int
    metrics           dict of held-out figures
    training_seconds  number
and may hold more (labels, example text, learning rate...). A model whose i, f, o gates are
not the sigmoid (imported from Keras) records it as `gate_activation`, a key of
`model.GATE_ACTIVATIONS`; without the key the gates are sigmoids.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .model import LSTM, ModelError
from .tokens import MODES, TokenError, Vocab

FORMAT = "lstm-gates-visualizer/1"
META_KEYS = ("task", "tokenizer", "vocabulary", "seed", "metrics", "training_seconds")


class ModelFileError(ValueError):
    """A model file that cannot be written or read; the message says why."""


def sizes(model: LSTM) -> dict:
    """The sizes recorded in a model file's meta."""
    return {
        "input_size": model.input_size,
        "hidden_size": model.hidden_size,
        "num_layers": model.num_layers,
        "vocab_size": model.vocab_size,
        "output_size": model.output_size,
    }


def _json_value(value):
    """NumPy scalars and arrays as plain JSON values (metrics often come as np.float64)."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


TEXT_KEYS = ("task", "title", "about", "example")  # free text the page shows
NUMBER_KEYS = ("training_seconds", "lr", "clip", "final_train_loss")
WHOLE_KEYS = ("seed", "batch_size", "steps")


def type_name(value) -> str:
    """A JSON value's type in JSON's words (an upload's meta is JSON)."""
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string",
             list: "a list", dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_types(meta: dict) -> None:
    """Raise ModelFileError unless every meta field the app reads has the type it expects."""
    for key in TEXT_KEYS:
        if key in meta and not isinstance(meta[key], str):
            raise ModelFileError(f"meta {key} must be a string, got {type_name(meta[key])}")
    for key in NUMBER_KEYS:
        value = meta.get(key)
        if value is not None and not is_number(value):
            raise ModelFileError(f"meta {key} must be a number, got {type_name(value)}")
    for key in WHOLE_KEYS:
        if key in meta and not (is_number(meta[key]) and float(meta[key]).is_integer()):
            raise ModelFileError(f"meta {key} must be a whole number, got {meta[key]!r}")
    for key in ("vocabulary", "labels"):
        value = meta.get(key, [])
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise ModelFileError(f"meta {key} must be a list of strings")
    for key in ("metrics", "sizes"):
        if key in meta and not isinstance(meta[key], dict):
            raise ModelFileError(f"meta {key} must be a dict, got {type_name(meta[key])}")
    if "next_token" in meta and not isinstance(meta["next_token"], bool):
        raise ModelFileError(f"meta next_token must be true or false, got {meta['next_token']!r}")


def check_meta(meta: dict, model: LSTM) -> None:
    """Raise ModelFileError unless `meta` fits `model`: the types of its fields, tokenizer,
    vocabulary, labels, sizes. An upload's meta is anybody's JSON, so nothing is assumed."""
    if not isinstance(meta, dict):
        raise ModelFileError(f"meta must be a JSON object, got {type(meta).__name__}")
    if meta.get("format") != FORMAT:
        raise ModelFileError(f"format is {meta.get('format')!r}, expected {FORMAT!r}")
    if meta.get("tokenizer") not in MODES:
        raise ModelFileError(
            f"meta tokenizer is {meta.get('tokenizer')!r}, expected one of {', '.join(MODES)}"
        )
    if "vocabulary" not in meta:
        raise ModelFileError("meta vocabulary is missing")
    check_types(meta)
    vocab = meta["vocabulary"]
    rows = model.vocab_size or 0
    if len(vocab) != rows:
        raise ModelFileError(
            f"the vocabulary has {len(vocab)} tokens but the embedding has {rows} rows"
        )
    if vocab:
        try:
            Vocab(vocab)
        except TokenError as e:
            raise ModelFileError(f"meta vocabulary: {e}") from None
    labels = meta.get("labels")
    if labels is not None and len(labels) != (model.output_size or 0):
        raise ModelFileError(
            f"meta lists {len(labels)} labels but the output layer has "
            f"{model.output_size or 0} outputs"
        )
    gate = meta.get("gate_activation", "sigmoid")
    if gate != model.gate_activation:
        raise ModelFileError(
            f"meta gate_activation is {gate!r} but the model's is {model.gate_activation!r}"
        )
    recorded = meta.get("sizes")
    if recorded is not None and recorded != sizes(model):
        raise ModelFileError(f"meta sizes {recorded} do not match the arrays: {sizes(model)}")


def model_bytes(model: LSTM, meta: dict) -> bytes:
    """The model file of `model` and `meta` as bytes (a download, a preset)."""
    missing = [key for key in META_KEYS if key not in meta]
    if missing:
        raise ModelFileError(f"meta is missing {', '.join(missing)}")
    full = {**meta, "format": FORMAT, "sizes": sizes(model)}
    if model.gate_activation != "sigmoid":
        full["gate_activation"] = model.gate_activation
    check_meta(full, model)
    try:
        text = json.dumps(full, default=_json_value, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise ModelFileError(f"meta cannot be written as JSON: {e}") from None
    buffer = io.BytesIO()
    np.savez_compressed(buffer, meta=np.array(text), **model.params)
    return buffer.getvalue()


def save_model(file, model: LSTM, meta: dict) -> None:
    """Write the model file to a path or a binary file object."""
    data = model_bytes(model, meta)
    if isinstance(file, str | Path):
        Path(file).write_bytes(data)
    else:
        file.write(data)


def load_model(file, dtype=np.float64) -> tuple[LSTM, dict]:
    """The model and its meta from a path, bytes (an upload) or a binary file object."""
    if isinstance(file, str | Path):
        try:
            data = Path(file).read_bytes()
        except OSError as e:
            raise ModelFileError(f"cannot read {file}: {e.strerror or e}") from None
    elif isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
    else:
        data = file.read()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ModelFileError("not a model file: expected an NPZ (zip) archive of arrays")
    try:
        npz = np.load(io.BytesIO(data), allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise ModelFileError(f"the NPZ archive cannot be read: {e}") from None
    arrays = {}
    with npz:
        for name in npz.files:
            try:
                arrays[name] = npz[name]
            except ValueError as e:
                why = "it needs pickle, which model files never use" if "pickle" in str(e) else e
                raise ModelFileError(f"array {name!r} cannot be read: {why}") from None
            except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as e:
                raise ModelFileError(f"the NPZ archive is damaged at {name!r}: {e}") from None
    if "meta" not in arrays:
        raise ModelFileError("no 'meta' entry: not a model file of this app")
    raw = arrays.pop("meta")
    if not isinstance(raw, np.ndarray) or raw.dtype.kind != "U" or raw.ndim != 0:
        raise ModelFileError("the 'meta' entry must be a JSON string")
    try:
        meta = json.loads(str(raw))
    except json.JSONDecodeError as e:
        raise ModelFileError(f"the 'meta' entry is not valid JSON: {e}") from None
    if not isinstance(meta, dict):
        raise ModelFileError(f"meta must be a JSON object, got {type(meta).__name__}")
    if meta.get("format") != FORMAT:
        raise ModelFileError(f"format is {meta.get('format')!r}, expected {FORMAT!r}")
    try:
        model = LSTM(arrays, dtype=dtype, gate_activation=meta.get("gate_activation", "sigmoid"))
    except ModelError as e:
        raise ModelFileError(f"bad parameters: {e}") from None
    check_meta(meta, model)
    return model, meta
