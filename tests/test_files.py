"""lstm/files.py: outputs appear whole or not at all; failures name the path."""

import errno
import os
from pathlib import Path

import pytest

from lstm.files import OutputError, atomic_output, check_writable, write_bytes


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_the_file_with_ordinary_permissions(tmp_path):
    path = tmp_path / "out.bin"
    write_bytes(path, b"data")
    assert path.read_bytes() == b"data"
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert leftovers(tmp_path) == ["out.bin"]


def test_a_failure_halfway_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old")
    with pytest.raises(RuntimeError, match="later failure"), atomic_output(path, "w") as f:
        f.write("half of the new")
        raise RuntimeError("later failure")
    assert path.read_text() == "old"
    assert leftovers(tmp_path) == ["out.csv"]


def test_a_full_disk_is_one_message_naming_the_path(tmp_path, monkeypatch):
    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("lstm.files.os.fsync", full)
    path = tmp_path / "model.npz"
    with pytest.raises(OutputError, match=rf"cannot write {path}: No space left on device"):
        write_bytes(path, b"x" * 1000)
    assert leftovers(tmp_path) == []


def test_a_device_is_written_in_place_and_never_replaced():
    with pytest.raises(OutputError, match="cannot write /dev/full: No space left on device"):
        write_bytes("/dev/full", b"x" * 100_000)
    assert Path("/dev/full").is_char_device()
    write_bytes("/dev/null", b"fine")
    assert Path("/dev/null").is_char_device()


def test_impossible_targets_are_refused_before_any_work(tmp_path):
    with pytest.raises(OutputError, match="it is a folder"):
        check_writable(tmp_path)
    with pytest.raises(OutputError, match=r"the folder .*nope does not exist"):
        check_writable(tmp_path / "nope" / "out.npz")
    check_writable(tmp_path / "fine.npz")
    assert leftovers(tmp_path) == []


def test_a_folder_without_permission_is_refused_early(tmp_path, monkeypatch):
    def denied(**_options):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr("lstm.files.tempfile.mkstemp", denied)  # as for a user, not root
    with pytest.raises(OutputError, match=r"cannot write .*out\.npz: Permission denied"):
        check_writable(tmp_path / "out.npz")


def test_a_symlink_is_followed_not_replaced(tmp_path):
    target = tmp_path / "real.npz"
    target.write_bytes(b"old")
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    write_bytes(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
