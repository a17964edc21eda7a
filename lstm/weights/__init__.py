"""Weights from other frameworks, from the bytes of a file: `load_weights(name, data)`.

    PyTorch state_dict   .npz (np.savez of tensor.numpy()), .safetensors   torch.py
    TensorFlow 1 cells   .npz, .safetensors of BasicLSTMCell / LSTMCell    tf1.py
    Keras 3              .keras, .weights.h5                               keras.py
    Keras 2 / tf.keras   .h5                                               keras.py
    this project         .npz model files                                  ../modelfile.py

The format is told by the bytes (zip, HDF5 signature, safetensors header), not by the name;
a PyTorch pickle (.pt) is refused here, since unpickling runs code: `python -m lstm convert`
turns it into a model file where torch is installed. Nothing needs a file path, so the page
calls the same function on an upload's bytes. Every failure is a WeightsError (a ValueError)
whose message names the array, byte or option at fault.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np

from .. import modelfile
from ..model import LSTM, ModelError
from .checks import MAX_BYTES, MAX_VALUES, WeightsError, check_bytes
from .hdf5 import find_signature
from .keras import from_keras_h5, from_keras_zip
from .reference import parity, split_reference
from .safetensors import read_safetensors
from .tf1 import from_tf1, is_tf1
from .torch import from_state_dict
from .vocab import codepoint_vocab, read_vocab, tokenizer_of
from .zipped import read_npz

__all__ = ["MAX_BYTES", "MAX_VALUES", "WeightsError", "load_weights", "sniff"]

CONVERT = "python -m lstm convert model.pt model.npz"
OPTIONS = {  # which formats each option applies to
    "lstm": ("npz", "safetensors"),
    "embedding": ("npz", "safetensors"),
    "head": ("npz", "safetensors"),
    "forget_bias": ("npz", "safetensors"),
    "recurrent_activation": ("keras", "hdf5"),
}


def sniff(name: str, data: bytes) -> str:
    """The container of `data`: "npz", "keras", "safetensors", "hdf5" or "torch-pickle"."""
    if not data:
        raise WeightsError(f"{name} is empty")
    if data[:2] == b"PK":
        try:
            members = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
            raise WeightsError(f"{name} is a zip archive that cannot be read: {e}") from None
        if "config.json" in members and "model.weights.h5" in members:
            return "keras"
        if any(m.endswith("data.pkl") for m in members):
            return "torch-pickle"
        return "npz"
    if find_signature(data) >= 0:
        return "hdf5"
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "torch-pickle"
    if len(data) > 8 and data[8:9] == b"{":
        return "safetensors"
    raise WeightsError(
        f"{name} is not a known format (first bytes {data[:8]!r}): expected .npz, "
        f".safetensors, .keras, .weights.h5 or .h5"
    )


def _arrays_model(kind: str, data: bytes, options: dict) -> tuple[dict, dict, dict]:
    """(params, info, reference arrays) of a .npz or .safetensors file of foreign weights."""
    arrays = read_npz(data) if kind == "npz" else read_safetensors(data)[0]
    weights, reference = split_reference(arrays)
    if is_tf1(weights):
        params, info = from_tf1(weights, forget_bias=options.get("forget_bias"),
                                lstm=options.get("lstm"))
        unused = [k for k in ("embedding", "head") if options.get(k) is not None]
        info["format"] = f"TensorFlow 1 LSTM cell (.{kind})"
    else:
        params, info = from_state_dict(weights, lstm=options.get("lstm"),
                                       embedding=options.get("embedding"),
                                       head=options.get("head"))
        unused = ["forget_bias"] if options.get("forget_bias") is not None else []
        info["format"] = f"PyTorch state_dict (.{kind})"
    if unused:
        raise WeightsError(f"{', '.join(unused)} does not apply to a {info['format']} file")
    return params, info, reference


def load_weights(name: str, data: bytes, *, dtype=np.float64, vocab: bytes | None = None,
                 reference: bytes | None = None, **options) -> tuple[LSTM, dict]:
    """The model in the file `data` (named `name`), and a meta dict as model files have.

    options: lstm, embedding, head (module names, "none": without) and forget_bias (float)
    for PyTorch / TF1 arrays; recurrent_activation (sigmoid, hard_sigmoid,
    hard_sigmoid_keras2, hard_sigmoid_keras3) for Keras. vocab: the bytes of a JSON vocabulary
    file; reference: the bytes of an .npz of reference outputs (see reference.py), for files
    that do not carry their own. The meta holds, beside a model file's fields:
    "vocabulary_from" ("file", "code points": id n is the character U+n, "none": no
    embedding), "source" {"file", "format", "arrays" (our name: the file's), "ignored",
    "notes"}, "parity" {"max_abs_diff", "by_array", "steps"} when reference outputs were there,
    and "gate_activation" when the gates are not sigmoids. `modelfile.model_bytes(model,
    meta)` saves it as a model file of this project.
    """
    data = bytes(data)
    check_bytes(name, len(data))
    kind = sniff(name, data)
    if kind == "torch-pickle":
        raise WeightsError(
            f"{name} is a PyTorch pickle (.pt/.pth): unpickling can run code, so it is not "
            f"opened here; convert it where torch is installed: {CONVERT}"
        )
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise TypeError(f"load_weights() got unknown options {sorted(unknown)}")
    given = [k for k, v in options.items() if v is not None]
    refs = {}
    if kind == "npz" and "meta" in read_npz(data):
        if given or vocab is not None:
            raise WeightsError(f"{name} is a model file of this app: options do not apply "
                               f"(nor a vocabulary file: it carries its own)")
        try:
            return modelfile.load_model(data, dtype=dtype)
        except modelfile.ModelFileError as e:
            raise WeightsError(str(e)) from None
    for key in given:
        if kind not in OPTIONS[key]:
            raise WeightsError(f"{key} does not apply to this file ({kind})")
    if kind in ("npz", "safetensors"):
        params, info, refs = _arrays_model(kind, data, options)
    else:
        load = from_keras_zip if kind == "keras" else from_keras_h5
        params, info = load(data, recurrent_activation=options.get("recurrent_activation"))
        info["format"] = keras_format(kind, info.pop("keras_version"))
    gate = info.pop("gate_activation", "sigmoid")
    try:
        model = LSTM(params, dtype=dtype, gate_activation=gate)
    except ModelError as e:
        raise WeightsError(f"the weights do not make an LSTM: {e}") from None
    meta = imported_meta(name, model, info, vocab)
    if reference is not None:
        refs = split_reference(read_npz(reference, "the reference file"))[1]
    checked = parity(model, refs)
    if checked is not None:
        meta["parity"] = checked
    return model, meta


def keras_format(kind: str, version: str | None) -> str:
    if kind == "keras":
        return f"Keras {version or '3'} (.keras)"
    if version is None:
        return "Keras 3 weights (.weights.h5)"
    return f"Keras {version} (.h5)"


def imported_meta(name: str, model: LSTM, info: dict, vocab: bytes | None) -> dict:
    """A model file's meta for an imported model, with where each part came from."""
    if vocab is not None:
        tokens, source = read_vocab(vocab, model.vocab_size), "file"
    elif model.vocab_size is not None:
        tokens, source = codepoint_vocab(model.vocab_size), "code points"
    else:
        tokens, source = [], "none"
    meta = {
        "task": f"imported from {name} ({info['format']})",
        "title": name,
        "tokenizer": tokenizer_of(tokens) if source == "file" else "char",
        "vocabulary": tokens,
        "vocabulary_from": source,
        "seed": 0,
        "metrics": {},
        "training_seconds": 0,
        "source": {"file": name, **info},
    }
    if model.gate_activation != "sigmoid":
        meta["gate_activation"] = model.gate_activation
    return meta
