"""Zip archives (.npz, .keras) that are damaged, lie about sizes, are encrypted or are bombs."""

import io
import zipfile

import numpy as np
import pytest

from lstm.weights import WeightsError
from lstm.weights.zipped import read_members, read_npz


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def archive(members: dict, compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return buffer.getvalue()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_reads_arrays_as_saved_and_never_needs_pickle():
    a = np.arange(6.0).reshape(2, 3)
    got = read_npz(npz(a=a, b=np.asfortranarray(a), c=np.float16([1, 2])))
    np.testing.assert_array_equal(got["a"], a)
    np.testing.assert_array_equal(got["b"], a)
    assert got["c"].dtype == np.float16


def test_object_arrays_are_refused_without_unpickling():
    with pytest.raises(WeightsError, match=r"Python objects .*never used here"):
        read_npz(npz(a=np.array([{"x": 1}], dtype=object)))


def npy_claiming(shape: tuple, body: bytes) -> bytes:
    """An .npy member whose header claims `shape` of float64, followed by `body`."""
    f = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        f, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return f.getvalue() + body


def test_an_npy_header_that_lies_about_its_shape_is_refused_before_allocating():
    with pytest.raises(WeightsError, match=r"declares shape \(9,\).*holds 32 bytes"):
        read_npz(archive({"w.npy": npy_claiming((9,), bytes(32))}))
    with pytest.raises(WeightsError, match="over the limit of 25,000,000 values"):
        read_npz(archive({"w.npy": npy_claiming((10**6, 10**6), bytes(32))}))


def test_damaged_archives_and_members_are_named():
    good = npz(w=np.ones(100))
    with pytest.raises(WeightsError, match="cannot be read"):
        read_npz(good[: len(good) // 2])
    with pytest.raises(WeightsError, match=r"not a valid .npy header"):
        read_npz(archive({"w.npy": b"\x93NUMPY garbage"}))
    with pytest.raises(WeightsError, match=r"member 'notes.txt' is not an .npy array"):
        read_npz(archive({"notes.txt": b"hi"}))
    with pytest.raises(WeightsError, match="holds no arrays"):
        read_npz(archive({}))
    crc = bytearray(archive({"w.npy": npy(np.ones(3))}))
    at = crc.index(b"\x93NUMPY") + 60  # a byte of the data
    crc[at] ^= 0xFF
    with pytest.raises(WeightsError, match=r"member 'w.npy' is damaged"):
        read_npz(bytes(crc))


def test_encrypted_members_are_refused():
    data = bytearray(archive({"model.weights.h5": b"x" * 10}))
    data[6] |= 1  # the "encrypted" flag, in the local header and the central directory
    data[data.index(b"PK\x01\x02") + 8] |= 1
    with pytest.raises(WeightsError, match=r"'model.weights.h5' is encrypted"):
        read_members(bytes(data), "the .keras archive")


def test_a_zip_bomb_is_refused_from_its_declared_sizes():
    data = archive({"w.npy": bytes(50_000_000)}, zipfile.ZIP_BZIP2)
    assert len(data) < 1000
    with pytest.raises(WeightsError, match="zip bomb"):
        read_members(data, "the .npz file")


def test_declared_sizes_over_the_limit_are_refused():
    data = bytearray(archive({"w.npy": b"abc"}))
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = (4_000_000_000).to_bytes(4, "little")  # file size
    with pytest.raises(WeightsError, match="over the limit of 200,000,000 bytes"):
        read_members(bytes(data), "the .npz file")
