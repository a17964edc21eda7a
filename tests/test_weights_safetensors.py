"""The safetensors reader: files from safetensors.torch, and headers that lie."""

import json
from pathlib import Path

import numpy as np
import pytest

from lstm.weights import WeightsError
from lstm.weights.safetensors import read_safetensors

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def st(header: dict, buffer: bytes, length: int | None = None) -> bytes:
    raw = json.dumps(header).encode()
    return (len(raw) if length is None else length).to_bytes(8, "little") + raw + buffer


def test_reads_the_files_safetensors_wrote_in_every_float_type():
    f32, _ = read_safetensors((FIXTURES / "torch_char.safetensors").read_bytes())
    ref = np.load(FIXTURES / "torch_char.float32.npz")
    for name in ("lstm.weight_ih_l1", "embed.weight", "fc.bias", "ids", "logits"):
        np.testing.assert_array_equal(f32[name], ref[name])
    for kind in ("float16", "bfloat16"):
        rounded, _ = read_safetensors((FIXTURES / f"torch_char.{kind}.safetensors").read_bytes())
        w = rounded["lstm.weight_hh_l0"]
        assert w.dtype == (np.float16 if kind == "float16" else np.float32)
        # rounding float64 weights to 16 bits moves them by at most half a unit in the last place
        exact = np.load(FIXTURES / "torch_char.float64.npz")["lstm.weight_hh_l0"]
        step = 2.0 ** -10 if kind == "float16" else 2.0 ** -7
        assert np.all(np.abs(w - exact) <= step * np.abs(exact) + 1e-7)


def test_bfloat16_is_the_top_half_of_a_float32():
    bits = np.array([0x3F80, 0xC000, 0x3EAA], "<u2").tobytes()  # 1.0, -2.0, 0.33203125
    arrays, meta = read_safetensors(st(
        {"w": {"dtype": "BF16", "shape": [3], "data_offsets": [0, 6]},
         "__metadata__": {"format": "pt"}}, bits))
    np.testing.assert_array_equal(arrays["w"], [1.0, -2.0, 0.33203125])
    assert meta == {"format": "pt"}


W = {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}
LYING = [
    (b"\x05\x00", "truncated before its header"),
    ((10**9).to_bytes(8, "little") + b"{}", "over the format's 100 MB"),
    (st({"w": W}, bytes(16), length=500), "claims 500 bytes but the file has only"),
    (b"\x04\x00\x00\x00\x00\x00\x00\x00[1] ", "does not start with '{'"),
    (b"\x06\x00\x00\x00\x00\x00\x00\x00{nope}", "not valid JSON"),
    (st({"w": {**W, "dtype": "F8_E5M2"}}, bytes(16)), "has dtype 'F8_E5M2'"),
    (st({"w": {**W, "shape": [2, -2]}}, bytes(16)), r"has shape \[2, -2\]"),
    (st({"w": {**W, "data_offsets": [16, 0]}}, bytes(16)), r"has data_offsets \[16, 0\]"),
    (st({"w": {**W, "data_offsets": [0, 8]}}, bytes(8)), "needs 16 bytes but its offsets span 8"),
    (st({"w": {**W, "data_offsets": [0, 64]}}, bytes(16)), "ends at byte 64 of a buffer of 16"),
    (st({"w": W, "v": {**W, "data_offsets": [8, 24]}}, bytes(24)), "overlaps the tensor before"),
    (st({"w": {**W, "data_offsets": [4, 20]}}, bytes(20)), "leaves a hole before it"),
    (st({"w": W}, bytes(20)), "4 bytes that no tensor covers"),
    (st({"w": {**W, "shape": [10**5, 10**5]}}, bytes(16)), "over the limit of 25,000,000"),
    (st({"w": {"dtype": "F32", "shape": [1]}}, bytes(4)), "expected exactly dtype, shape"),
    (st({"__metadata__": {"a": 1}}, b""), "__metadata__ must map strings to strings"),
]


@pytest.mark.parametrize(("data", "message"), LYING)
def test_a_header_that_lies_is_refused_with_what_it_claimed(data, message):
    with pytest.raises(WeightsError, match=message):
        read_safetensors(data)


def test_duplicate_names_are_refused():
    raw = b'{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "w": {}}'
    with pytest.raises(WeightsError, match="lists 'w' twice"):
        read_safetensors(len(raw).to_bytes(8, "little") + raw + bytes(4))
