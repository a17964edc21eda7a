"""What every importer shares: its error, the stated size limits, and the shape checks.

Limits are checked against what a file *declares* (a header's sizes, a zip member's size)
before anything of that size is allocated, so a small hostile file cannot ask for gigabytes.
"""

from __future__ import annotations

import numpy as np

MAX_BYTES = 200_000_000  # a weights file, and everything unpacked from one
MAX_VALUES = 25_000_000  # numbers in one array (200 MB as float64)


class WeightsError(ValueError):
    """A weights file that cannot be imported; the message names the array or byte at fault.

    When an option of `load_weights` would settle it, `option` names it and `choices` lists
    the values that fit (empty for a number such as forget_bias), so the page can ask.
    """

    def __init__(self, message: str, option: str | None = None, choices: tuple[str, ...] = ()):
        super().__init__(message)
        self.option, self.choices = option, tuple(choices)


def check_values(name: str, shape: tuple) -> int:
    """The number of values of `shape`, or a WeightsError when it is over MAX_VALUES."""
    count = 1
    for n in shape:
        count *= int(n)
    if count > MAX_VALUES:
        raise WeightsError(
            f"{name} declares shape {tuple(shape)} ({count:,} values): over the limit of "
            f"{MAX_VALUES:,} values per array"
        )
    return count


def check_bytes(what: str, size: int) -> None:
    """A WeightsError when `size` bytes are over MAX_BYTES."""
    if size > MAX_BYTES:
        raise WeightsError(f"{what} is {size:,} bytes: over the limit of {MAX_BYTES:,} bytes")


def expect(name: str, array: np.ndarray, shape: tuple, what: str) -> np.ndarray:
    """`array` as float64, finite and of exactly `shape`; else a WeightsError naming `name`.

    `what` is the shape in the file's own terms, e.g. "(4H, E)", for the message.
    """
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "fiu":
        kind = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
        raise WeightsError(f"{name} holds {kind}, expected real numbers")
    if array.shape != tuple(shape):
        raise WeightsError(
            f"{name} has shape {array.shape}, expected {what} = {tuple(shape)}"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        a = array.astype(np.float64)
    bad = ~np.isfinite(a)
    if bad.any():
        at = tuple(int(j) for j in np.argwhere(bad)[0])
        raise WeightsError(f"{name} contains NaN or infinite values (first at index {at})")
    return a


def matrix_shape(name: str, array: np.ndarray, what: str) -> tuple[int, int]:
    """The (rows, columns) of a 2-D array with both sizes positive, or a WeightsError."""
    if not isinstance(array, np.ndarray) or array.ndim != 2 or 0 in array.shape:
        shape = array.shape if isinstance(array, np.ndarray) else type(array).__name__
        raise WeightsError(f"{name} has shape {shape}, expected a matrix {what}")
    return array.shape
