"""Model files: an NPZ of the parameters under their PyTorch names plus a JSON `meta` entry.

    weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, ... [embedding] [out_weight out_bias]
    meta    a 0-d unicode array holding a JSON object

No entry needs pickle, so `np.load(path, allow_pickle=False)` reads every file. A file from
anywhere (an upload) is read here without np.load, and can only ever give arrays and text:
one zip archive and nothing else (no data before, between or after its entries: a file that is
also another format is refused), every entry a stored or deflated, unencrypted `.npy` of real
numbers (text for `meta`), each header's shape checked against the size limits and the entry's
size before anything is read; meta is JSON of bounded size and nesting. The meta object holds
at least:

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
import itertools
import json
import math
import re
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .files import write_bytes
from .model import LSTM, ModelError
from .tokens import MODES, TokenError, Vocab

FORMAT = "lstm-gates-visualizer/1"
META_KEYS = ("task", "tokenizer", "vocabulary", "seed", "metrics", "training_seconds")
MAX_FILE_BYTES = 256 * 2**20  # a 4-layer H=512 float64 model is about 70 MB
MAX_ARRAY_BYTES = 256 * 2**20  # what all the headers together may declare
MAX_ENTRIES = 128
MAX_META_CHARS = 8 * 2**20
MAX_META_DEPTH = 32
ZIP_ENTRY = b"PK\x03\x04"
ZIP_END = b"PK\x05\x06"


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


TEXT_KEYS = ("task", "title", "about", "example", "description", "command")  # free text
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
    """Write the model file to a path (atomically: see lstm/files.py) or a binary file object."""
    data = model_bytes(model, meta)
    if isinstance(file, str | Path):
        write_bytes(file, data)
    else:
        file.write(data)


def file_data(file) -> bytes:
    """The bytes of a path, bytes (an upload) or a binary file object, at most MAX_FILE_BYTES."""
    if isinstance(file, str | Path):
        try:
            with open(file, "rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)
        except OSError as e:
            raise ModelFileError(f"cannot read {file}: {e.strerror or e}") from None
    elif isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
    else:
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ModelFileError(f"the file is larger than the {MAX_FILE_BYTES // 2**20} MB limit")
    return data


def check_layout(data: bytes, entries: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip with anything besides its entries: data before the first, between two, or
    after the central directory (a comment, or another format sharing the file)."""
    if not data.startswith(ZIP_ENTRY if entries else ZIP_END):
        raise ModelFileError("the file holds other data before its zip archive: it is also "
                             "another format, which model files never are")
    if data[-22:-18] != ZIP_END:
        raise ModelFileError("the file holds data after its zip archive (a comment or another "
                             "format), which model files never do")
    at = 0
    for info in sorted(entries, key=lambda i: i.header_offset):
        if info.header_offset != at or data[at : at + 4] != ZIP_ENTRY:
            raise ModelFileError(f"entry {info.filename!r} is not where the archive's entries "
                                 "follow each other: overlapping or hidden data")
        name_len, extra_len = struct.unpack("<HH", data[at + 26 : at + 30])
        at += 30 + name_len + extra_len + info.compress_size
        if info.flag_bits & 0x08:  # a data descriptor follows: 12 or 16 bytes
            at += 16 if data[at : at + 4] == b"PK\x07\x08" else 12


def array_header(f, name: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) from a .npy header, refused unless real numbers (or the
    meta text) of a sane shape."""
    try:
        version = np.lib.format.read_magic(f)
        if version not in ((1, 0), (2, 0)):
            raise ValueError(f".npy format version {version} is not supported")
        read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                else np.lib.format.read_array_header_2_0)
        shape, fortran, dtype = read(f, max_header_size=4096)
    except (ValueError, SyntaxError, RecursionError, MemoryError, EOFError) as e:
        raise ModelFileError(f"entry {name!r} is not a readable .npy array: {e}") from None
    if dtype.hasobject:
        raise ModelFileError(f"array {name!r} cannot be read: it needs pickle, which model files "
                             "never use")
    kinds = "U" if name == "meta" else "fiu"
    if dtype.kind not in kinds or dtype.fields is not None or dtype.itemsize == 0:
        raise ModelFileError(f"array {name!r} has dtype {dtype}, expected "
                             f"{'text' if name == 'meta' else 'real numbers'}")
    if len(shape) > 2 or any(n < 0 for n in shape):
        raise ModelFileError(f"array {name!r} has shape {shape}: model arrays have at most two "
                             "dimensions")
    return shape, fortran, dtype


def read_arrays(data: bytes) -> dict[str, np.ndarray]:
    """Every entry of a model file's zip as an array, checked before it is read (see above)."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ModelFileError("not a model file: expected an NPZ (zip) archive of arrays")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise ModelFileError(f"the NPZ archive cannot be read: {e}") from None
    arrays: dict[str, np.ndarray] = {}
    declared = 0
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise ModelFileError(f"the archive has {len(entries)} entries; a model file has at "
                                 f"most {MAX_ENTRIES}")
        check_layout(data, entries)
        for info in entries:
            name = info.filename.removesuffix(".npy")
            if not info.filename.endswith(".npy") or name in arrays:
                what = "a second" if name in arrays else "not an array (.npy)"
                raise ModelFileError(f"entry {info.filename!r} is {what}: not a model file")
            if info.flag_bits & 0x01:
                raise ModelFileError(f"entry {info.filename!r} is encrypted: model files never "
                                     "are")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ModelFileError(f"entry {info.filename!r} uses zip compression method "
                                     f"{info.compress_type}; model files are stored or deflated")
            try:
                with archive.open(info) as f:
                    shape, fortran, dtype = array_header(f, name)
                    nbytes = math.prod(shape) * dtype.itemsize
                    declared += nbytes
                    if declared > MAX_ARRAY_BYTES:
                        raise ModelFileError(
                            f"array {name!r} declares shape {shape} of {dtype}: the arrays would "
                            f"take more than the {MAX_ARRAY_BYTES // 2**20} MB limit")
                    holds = info.file_size - f.tell()
                    raw = f.read(nbytes + 1) if holds == nbytes else b""
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError,
                    RuntimeError) as e:
                raise ModelFileError(f"the NPZ archive is damaged at {name!r}: {e}") from None
            if holds != nbytes or len(raw) != nbytes:
                raise ModelFileError(f"array {name!r} declares shape {shape} of {dtype} "
                                     f"({nbytes:,} bytes) but holds {max(holds, 0):,} bytes")
            flat = np.frombuffer(raw, dtype)
            arrays[name] = flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
    return arrays


def meta_json(raw: np.ndarray) -> dict:
    """The meta entry's JSON object, of bounded size and nesting (deep nesting would exhaust
    the parser's stack: refused by counting brackets outside strings first)."""
    if raw.dtype.kind != "U" or raw.ndim != 0:
        raise ModelFileError("the 'meta' entry must be a JSON string")
    text = str(raw)
    if len(text) > MAX_META_CHARS:
        raise ModelFileError(f"the 'meta' entry has {len(text):,} characters; the limit is "
                             f"{MAX_META_CHARS:,}")
    brackets = re.sub(r'"(?:[^"\\]|\\.)*"|[^][{}]', "", text)
    steps = (1 if c in "[{" else -1 for c in brackets)
    if max(itertools.accumulate(steps, initial=0)) > MAX_META_DEPTH:
        raise ModelFileError(f"the 'meta' entry nests deeper than {MAX_META_DEPTH} levels")
    try:
        meta = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise ModelFileError(f"the 'meta' entry is not valid JSON: {e}") from None
    if not isinstance(meta, dict):
        raise ModelFileError(f"meta must be a JSON object, got {type(meta).__name__}")
    return meta


def load_model(file, dtype=np.float64) -> tuple[LSTM, dict]:
    """The model and its meta from a path, bytes (an upload) or a binary file object."""
    arrays = read_arrays(file_data(file))
    if "meta" not in arrays:
        raise ModelFileError("no 'meta' entry: not a model file of this app")
    meta = meta_json(arrays.pop("meta"))
    if meta.get("format") != FORMAT:
        raise ModelFileError(f"format is {meta.get('format')!r}, expected {FORMAT!r}")
    try:
        model = LSTM(arrays, dtype=dtype, gate_activation=meta.get("gate_activation", "sigmoid"))
    except ModelError as e:
        raise ModelFileError(f"bad parameters: {e}") from None
    check_meta(meta, model)
    return model, meta
