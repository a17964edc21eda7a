"""Output files written atomically: a temporary file beside the target, then one rename.

A full disk, a killed process or an exception halfway leaves the target as it was (absent, or
the previous file whole) and no temporary file behind; the error names the target's path.
Targets that are not regular files (/dev/stdout, a pipe) are written in place: they cannot be
left half-written, and renaming onto them would replace the device.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class OutputError(ValueError):
    """An output file that cannot be written; the message names it and says why."""


def _refuse(path: Path, error: OSError) -> OutputError:
    return OutputError(f"cannot write {path}: {error.strerror or error}")


def _target(path: str | os.PathLike) -> Path:
    """The file a path names (through symlinks), refused early when it cannot be one."""
    path = Path(path)
    real = Path(os.path.realpath(path))
    if real.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder")
    if not real.parent.is_dir():
        raise OutputError(f"cannot write {path}: the folder {path.parent} does not exist")
    return real


def _in_place(real: Path) -> bool:
    """Whether to write straight into an existing file that is not a regular file."""
    return real.exists() and not real.is_file()


def check_writable(path: str | os.PathLike) -> None:
    """Raise OutputError now if `path` could not be written later (before hours of training):
    a folder, a missing folder, no permission, a read-only file system, an empty name."""
    if not str(path):
        raise OutputError("an output path is empty")
    real = _target(path)
    if _in_place(real):
        if not os.access(real, os.W_OK):
            raise OutputError(f"cannot write {path}: permission denied")
        return
    try:
        fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)
    except OSError as e:
        raise _refuse(Path(path), e) from None


@contextmanager
def atomic_output(path: str | os.PathLike, mode: str = "wb", **options) -> Iterator[IO]:
    """A file object to write `path` through: a temporary file in the same folder, synced and
    renamed onto `path` when the block ends, deleted when it raises. `options` go to open()
    (encoding, newline). OSErrors become OutputError naming `path`."""
    shown, real = Path(path), _target(path)
    if _in_place(real):
        try:
            with open(real, mode, **options) as f:
                yield f
        except OSError as e:
            raise _refuse(shown, e) from None
        return
    try:
        fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    except OSError as e:
        raise _refuse(shown, e) from None
    try:
        with os.fdopen(fd, mode, **options) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as open() would have made it, not mkstemp's 0600
        os.replace(tmp, real)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise _refuse(shown, e) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` atomically (see atomic_output)."""
    with atomic_output(path) as f:
        f.write(data)
