"""Zip archives from an upload (.npz, .keras), opened without trusting what they declare.

A member is refused before it is read when it is encrypted, when its declared size is over the
limit, or when it claims to inflate more than MAX_RATIO times; reading stops one byte past the
declared size, so a member that lies about its size cannot inflate further. An .npz member's
array header is read and checked against the member's real size before NumPy allocates it.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import numpy as np

from .checks import MAX_BYTES, WeightsError, check_bytes, check_values

MAX_RATIO = 1000  # deflate reaches about 1032 at best; zip bombs nest to go further
MAX_MEMBERS = 10_000


def read_members(data: bytes, what: str) -> dict[str, bytes]:
    """Every member of the zip archive `data` by name; `what` names the archive in messages."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise WeightsError(f"{what}: the zip archive cannot be read ({e})") from None
    if len(infos) > MAX_MEMBERS:
        raise WeightsError(f"{what}: {len(infos):,} members, over the limit of {MAX_MEMBERS:,}")
    check_bytes(f"{what}: the unpacked archive", sum(i.file_size for i in infos))
    members = {}
    for info in infos:
        name = info.filename
        if info.flag_bits & 0x1:
            raise WeightsError(f"{what}: member {name!r} is encrypted; save it without a password")
        if info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise WeightsError(
                f"{what}: member {name!r} claims to inflate {info.compress_size:,} bytes to "
                f"{info.file_size:,} (over {MAX_RATIO}x): refused as a zip bomb"
            )
        if name in members:
            raise WeightsError(f"{what}: member {name!r} appears twice")
        try:
            with archive.open(info) as f:
                body = f.read(min(info.file_size, MAX_BYTES) + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error,
                NotImplementedError) as e:
            raise WeightsError(f"{what}: member {name!r} is damaged ({e})") from None
        if len(body) != info.file_size:
            raise WeightsError(
                f"{what}: member {name!r} declares {info.file_size:,} bytes but holds "
                f"{len(body):,}"
            )
        members[name] = body
    return members


def read_npy(name: str, body: bytes) -> np.ndarray:
    """One .npy member as an array; its header must describe exactly the bytes that follow."""
    f = io.BytesIO(body)
    try:
        version = np.lib.format.read_magic(f)
        readers = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}
        if version not in readers:
            raise ValueError(f".npy version {version[0]}.{version[1]} is not read here")
        shape, fortran, dtype = readers[version](f, max_header_size=10_000)
    except (ValueError, OSError, EOFError, SyntaxError) as e:
        raise WeightsError(f"array {name!r}: not a valid .npy header ({e})") from None
    if dtype.hasobject:
        raise WeightsError(
            f"array {name!r} holds Python objects (it needs pickle, which is never used here): "
            f"save plain numbers, e.g. tensor.numpy()"
        )
    count = check_values(f"array {name!r}", shape)
    if count * dtype.itemsize != len(body) - f.tell():
        raise WeightsError(
            f"array {name!r} declares shape {shape} of {dtype} ({count * dtype.itemsize:,} "
            f"bytes) but the file holds {len(body) - f.tell():,} bytes: truncated or damaged"
        )
    a = np.frombuffer(body, dtype, count=count, offset=f.tell())
    return a.reshape(shape, order="F" if fortran else "C")


def read_npz(data: bytes, what: str = "the .npz file") -> dict[str, np.ndarray]:
    """The arrays of an .npz archive by name (without ".npy"); never unpickles anything."""
    arrays = {}
    for name, body in read_members(data, what).items():
        if not name.endswith(".npy"):
            raise WeightsError(f"{what}: member {name!r} is not an .npy array")
        arrays[name[:-4]] = read_npy(name[:-4], body)
    if not arrays:
        raise WeightsError(f"{what} holds no arrays")
    return arrays
