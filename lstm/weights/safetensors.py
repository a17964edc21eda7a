"""The .safetensors format read with NumPy from its specification (the browser has no torch).

    8 bytes      N, little-endian unsigned 64-bit: the header's length
    N bytes      a JSON object {name: {"dtype", "shape", "data_offsets": [begin, end]}, ...,
                 "__metadata__": {str: str}}, starting with "{", maybe padded with spaces
    the rest     the byte buffer; offsets are relative to its start, little-endian values

Everything the header says is checked against the bytes before an array is made: its own
length, each dtype, each shape against its byte count, each range inside the buffer, and the
ranges covering the buffer exactly with no overlap (as the specification requires).
BF16 has no NumPy type: its 16 bits are the top half of a float32, so it becomes float32.
"""

from __future__ import annotations

import json

import numpy as np

from .checks import WeightsError, check_values

MAX_HEADER = 100_000_000  # the specification's own limit
DTYPES = {
    "F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2",
    "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?",
}  # fmt: skip


def _unique_object(pairs: list) -> dict:
    keys = [k for k, _ in pairs]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup is not None:
        raise WeightsError(f"safetensors header lists {dup!r} twice")
    return dict(pairs)


def read_header(data: bytes) -> tuple[dict, int]:
    """The header object and the byte offset where the buffer starts."""
    if len(data) < 8:
        raise WeightsError(f"safetensors file of {len(data)} bytes: truncated before its header")
    n = int.from_bytes(data[:8], "little")
    if n > MAX_HEADER:
        raise WeightsError(f"safetensors header claims {n:,} bytes: over the format's 100 MB")
    if 8 + n > len(data):
        raise WeightsError(
            f"safetensors header claims {n:,} bytes but the file has only {len(data) - 8:,} "
            f"after the length: truncated, or the length lies"
        )
    raw = data[8 : 8 + n]
    if not raw.startswith(b"{"):
        raise WeightsError("safetensors header does not start with '{': not a safetensors file")
    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_object)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise WeightsError(f"safetensors header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise WeightsError("safetensors header is not a JSON object")
    return header, 8 + n


def whole(v) -> bool:
    """A non-negative JSON integer (not a boolean)."""
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _entry(name: str, entry) -> tuple[str, tuple, int, int]:
    """dtype, shape and the [begin, end) byte range of one tensor, checked for form."""
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise WeightsError(
            f"safetensors tensor {name!r}: expected exactly dtype, shape and data_offsets"
        )
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if dtype not in DTYPES:
        raise WeightsError(
            f"safetensors tensor {name!r} has dtype {dtype!r}; read here: {', '.join(DTYPES)}"
        )
    if not isinstance(shape, list) or not all(whole(d) for d in shape) or len(shape) > 8:
        raise WeightsError(f"safetensors tensor {name!r} has shape {shape!r}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(whole(v) for v in offsets)
            and offsets[0] <= offsets[1]):
        raise WeightsError(f"safetensors tensor {name!r} has data_offsets {offsets!r}")
    return dtype, tuple(shape), offsets[0], offsets[1]


def read_safetensors(data: bytes) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The tensors by name (BF16 as float32) and the header's `__metadata__`."""
    header, start = read_header(data)
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise WeightsError("safetensors __metadata__ must map strings to strings")
    size = len(data) - start
    entries = {name: _entry(name, e) for name, e in header.items()}
    end = 0
    for name, (dtype, shape, a, b) in sorted(entries.items(), key=lambda kv: kv[1][2:]):
        count = check_values(f"safetensors tensor {name!r}", shape)
        itemsize = np.dtype(DTYPES[dtype]).itemsize
        if b > size:
            raise WeightsError(
                f"safetensors tensor {name!r} ends at byte {b:,} of a buffer of {size:,}: "
                f"truncated, or the offsets lie"
            )
        if b - a != count * itemsize:
            raise WeightsError(
                f"safetensors tensor {name!r}: shape {list(shape)} of {dtype} needs "
                f"{count * itemsize:,} bytes but its offsets span {b - a:,}"
            )
        if a != end:
            what = "overlaps the tensor before it" if a < end else "leaves a hole before it"
            raise WeightsError(f"safetensors tensor {name!r} starts at byte {a:,}: {what}")
        end = b
    if end != size:
        raise WeightsError(
            f"safetensors buffer has {size - end:,} bytes that no tensor covers"
        )
    arrays = {}
    for name, (dtype, shape, a, _) in entries.items():
        count = check_values(name, shape)
        if count == 0:
            array = np.zeros(shape, DTYPES[dtype])
        else:
            array = np.frombuffer(data, DTYPES[dtype], count, start + a).reshape(shape)
        if dtype == "BF16":
            array = (array.astype(np.uint32) << 16).view(np.float32)
        arrays[name] = array
    return arrays, metadata
