"""The pure-Python HDF5 reader: h5py's files as h5py reads them, and damaged or hostile ones."""

import re
from pathlib import Path

import numpy as np
import pytest

from lstm.weights import WeightsError, load_weights
from lstm.weights.hdf5 import Dataset, Group, read_hdf5

FIXTURES = Path(__file__).parent / "fixtures" / "import"
WEIGHTS = (FIXTURES / "keras_char.weights.h5").read_bytes()  # superblock 0, symbol tables
EMBEDDING = (14, 4)  # layers/embedding/vars/0, float32


def test_reads_the_tree_attributes_and_values_h5py_wrote():
    root = read_hdf5(WEIGHTS)
    paths = [node.path for node in root.walk()]
    assert "/layers/lstm_1/cell/vars/2" in paths and "/layers/dense/vars/1" in paths
    kernel = root.get("layers/lstm/cell/vars/0")
    assert isinstance(kernel, Dataset) and kernel.shape == (4, 24)
    assert root.get("layers/lstm/cell/vars").attrs == {"name": "lstm_cell"}
    reference = np.load(FIXTURES / "keras_char.reference.npz")
    table = root.get("layers/embedding/vars/0").read()
    assert table.dtype == np.float32 and table.shape == EMBEDDING
    # the embedding rows of the probe's ids are what Keras fed its first LSTM
    assert np.isfinite(table[reference["ids"]]).all()


def test_reads_keras_2_attributes_fixed_and_variable_length_strings():
    root = read_hdf5((FIXTURES / "keras2_hard.h5").read_bytes())
    assert root.attrs["keras_version"] == "2.4.0"  # variable-length (global heap)
    weights = root.get("model_weights")
    names = weights.attrs["layer_names"]  # fixed-length strings
    assert [n.rstrip("_0123456789") for n in names] == ["embedding", "lstm", "dense"]
    lstm = weights.get(names[1])
    assert lstm.attrs["weight_names"][0] == f"{names[1]}/lstm_cell/kernel:0"
    assert isinstance(lstm.get(f"{names[1]}/lstm_cell"), Group)


def patched(data: bytes, at: int, new: bytes) -> bytes:
    return data[:at] + new + data[at + len(new) :]


def u64(n: int) -> bytes:
    return n.to_bytes(8, "little")


def dataspace_at(data: bytes, shape: tuple) -> int:
    """The offset of the first dimension of a dataspace message of `shape`."""
    return data.index(b"".join(u64(n) for n in shape))


def layout_at(data: bytes, nbytes: int) -> int:
    """The offset of a contiguous layout message (version 3) of `nbytes` of storage."""
    m = re.search(rb"\x03\x01(.{8})" + re.escape(u64(nbytes)), data, re.S)
    return m.start()


ROOT_HEADER = int.from_bytes(WEIGHTS[64:72], "little")  # in the root group's symbol entry
SNOD = WEIGHTS.index(b"SNOD")
TREE = WEIGHTS.index(b"TREE")
HOSTILE = [
    (b"\x00" + WEIGHTS[1:], "no HDF5 signature"),
    (WEIGHTS[: len(WEIGHTS) // 3], "past the end of the file"),
    (WEIGHTS[:60], "past the end of the file"),
    (patched(WEIGHTS, 8, b"\x09"), "superblock version 9"),
    (patched(WEIGHTS, 13, b"\x03"), "sizes of offsets 3"),
    (patched(WEIGHTS, SNOD + 8 + 8, u64(ROOT_HEADER)), "group cycle"),
    (patched(patched(WEIGHTS, TREE + 5, b"\x01"), TREE + 32, u64(TREE)),
     "B-tree links back to itself"),
    (patched(WEIGHTS, SNOD, b"XXXX"), "expected SNOD signature"),
    (patched(WEIGHTS, dataspace_at(WEIGHTS, EMBEDDING), u64(10**6) + u64(10**6)),
     "over the limit of 25,000,000 values"),
    (patched(WEIGHTS, layout_at(WEIGHTS, 14 * 4 * 4) + 1, b"\x02"), "stored chunked"),
    (patched(WEIGHTS, layout_at(WEIGHTS, 14 * 4 * 4) + 2, u64(10**12)), "past the end"),
]


@pytest.mark.parametrize(("data", "message"), HOSTILE)
def test_damaged_and_hostile_files_end_in_a_clear_error(data, message):
    with pytest.raises(WeightsError, match=message):
        root = read_hdf5(data)
        for node in root.walk():
            if isinstance(node, Dataset):
                node.read()


def test_a_shape_larger_than_its_storage_is_refused():
    at = dataspace_at(WEIGHTS, EMBEDDING)
    data = patched(WEIGHTS, at, u64(14_000))
    with pytest.raises(WeightsError, match=r"needs 224,000 bytes but its storage holds 224"):
        load_weights("w.weights.h5", data)


def test_nan_weights_are_refused_naming_the_array():
    at = layout_at(WEIGHTS, 14 * 4 * 4)
    address = int.from_bytes(WEIGHTS[at + 2 : at + 10], "little")
    data = patched(WEIGHTS, address + 4 * 5, np.float32(np.nan).tobytes())
    with pytest.raises(WeightsError, match=r"layers/embedding/vars/0 \(embeddings\) contains "
                                           r"NaN or infinite values \(first at index \(1, 1\)\)"):
        load_weights("w.weights.h5", data)
