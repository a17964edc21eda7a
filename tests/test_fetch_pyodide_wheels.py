"""tools/fetch_pyodide_wheels.py against a local server of fake wheels standing in for the CDN:
the dependency closure, the sha256 check, the refusal (and deletion) of a file that does not
match the lock, and what `make serve` runs: fetched once, one line when unreachable."""

import functools
import hashlib
import http.server
import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("fetch", ROOT / "tools" / "fetch_pyodide_wheels.py")
fetch = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fetch)

WHEELS = {"a": b"wheel a", "b": b"wheel b", "c": b"wheel c", "d": b"wheel d"}
DEPENDS = {"a": ["B"], "b": ["c"], "c": [], "d": ["a"]}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def server(tmp_path):
    """A 127.0.0.1 server of the fake wheels; yields (base_url, served dir, requested paths)."""
    served = tmp_path / "served"
    served.mkdir()
    for name, data in WHEELS.items():
        (served / f"{name}-1.0-py3-none-any.whl").write_bytes(data)
    requested = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            requested.append(self.path)

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(served)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", served, requested
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def dest(tmp_path):
    """A vendored Pyodide folder holding only the lock file."""
    folder = tmp_path / "vendor"
    folder.mkdir()
    packages = {name.upper() if name == "b" else name: {
        "name": name, "depends": DEPENDS[name], "file_name": f"{name}-1.0-py3-none-any.whl",
        "sha256": sha(data)} for name, data in WHEELS.items()}
    (folder / "pyodide-lock.json").write_text(json.dumps({"info": {}, "packages": packages}))
    return folder


def test_closure_follows_depends_case_insensitively(dest):
    packages = fetch.lock_packages(dest / "pyodide-lock.json")
    assert fetch.closure(packages, ["a"]) == ["a", "b", "c"]
    assert fetch.closure(packages, ["d", "c"]) == ["a", "b", "c", "d"]
    with pytest.raises(KeyError, match="nope"):
        fetch.closure(packages, ["nope"])


def test_fetches_the_closure_and_checks_each_file(server, dest):
    url, _, requested = server
    assert fetch.fetch_wheels(["a"], url, dest) == [f"{n}-1.0-py3-none-any.whl" for n in "abc"]
    for name in "abc":
        assert (dest / f"{name}-1.0-py3-none-any.whl").read_bytes() == WHEELS[name]
    assert not (dest / "d-1.0-py3-none-any.whl").exists()
    assert not list(dest.glob("*.part"))
    requested.clear()
    fetch.fetch_wheels(["a"], url + "/", dest)
    assert requested == []  # present and correct: nothing fetched again


def test_a_mismatching_file_is_refused_and_deleted(server, dest):
    url, served, _ = server
    (served / "c-1.0-py3-none-any.whl").write_bytes(b"tampered")
    with pytest.raises(fetch.ChecksumError, match=r"c-1\.0-py3-none-any\.whl: sha256"):
        fetch.fetch_wheels(["c"], url, dest)
    assert not (dest / "c-1.0-py3-none-any.whl").exists()
    assert not list(dest.glob("*.part"))


def test_a_wrong_file_already_present_is_replaced(server, dest):
    url, _, _ = server
    (dest / "c-1.0-py3-none-any.whl").write_bytes(b"stale")
    fetch.fetch_wheels(["c"], url, dest)
    assert (dest / "c-1.0-py3-none-any.whl").read_bytes() == WHEELS["c"]


def test_main_fails_with_a_message_on_mismatch_and_on_a_missing_file(server, dest):
    url, served, _ = server
    (served / "b-1.0-py3-none-any.whl").write_bytes(b"tampered")
    with pytest.raises(SystemExit, match="sha256"):
        fetch.main(["a", "--base-url", url, "--dest", str(dest)])
    (served / "b-1.0-py3-none-any.whl").unlink()
    with pytest.raises(SystemExit, match="404"):
        fetch.main(["b", "--base-url", url, "--dest", str(dest)])


def test_pyodide_dist_is_read_as_a_local_folder(server, dest, monkeypatch):
    _, served, _ = server
    monkeypatch.setenv("PYODIDE_DIST", str(served))
    fetch.main(["a", "--dest", str(dest)])
    assert (dest / "a-1.0-py3-none-any.whl").read_bytes() == WHEELS["a"]


def test_default_location_is_the_pinned_release(monkeypatch):
    monkeypatch.delenv("PYODIDE_DIST", raising=False)
    assert fetch.default_base_url() == "https://cdn.jsdelivr.net/pyodide/v314.0.7/full/"


def test_the_real_lock_names_numpy_and_its_dependencies():
    lock = ROOT / "node_modules" / "pyodide" / "pyodide-lock.json"
    if not lock.exists():
        pytest.skip("node_modules/pyodide is missing: run `npm ci`")
    packages = fetch.lock_packages(lock)
    names = fetch.closure(packages, ["numpy"])
    assert "numpy" in names
    assert all(len(packages[n]["sha256"]) == 64 for n in names)


def run_script(dest: Path, base_url: str, *args: str) -> subprocess.CompletedProcess:
    """The script as `make serve` runs it, its source given by PYODIDE_BASE_URL."""
    env = {**os.environ, "PYODIDE_BASE_URL": base_url}
    env.pop("PYODIDE_DIST", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "tools/fetch_pyodide_wheels.py"), "--dest", str(dest), *args],
        env=env, capture_output=True, text=True, timeout=60)


def test_make_serve_fetches_from_the_stand_in_cdn_once(server, dest):
    url, _, requested = server
    done = run_script(dest, url, "a", "--if-reachable")
    assert done.returncode == 0, done.stderr
    assert (dest / "a-1.0-py3-none-any.whl").read_bytes() == WHEELS["a"]
    assert sorted(requested) == [f"/{n}-1.0-py3-none-any.whl" for n in "abc"]
    requested.clear()
    again = run_script(dest, url, "a", "--if-reachable")
    assert (again.returncode, again.stderr, requested) == (0, "", [])  # present and valid


def test_unreachable_is_one_line_and_serving_goes_on(dest):
    with socket.socket() as s:  # a port nobody listens on: the CDN unreachable
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/"
    done = run_script(dest, closed, "a", "--if-reachable")
    assert done.returncode == 0
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "NumPy for the browser is missing" in lines[0]
    assert "a-1.0-py3-none-any.whl" in lines[0] and "refused" in lines[0]
    assert "`make serve` again with internet" in lines[0] and "PYODIDE_DIST=" in lines[0]
    assert not list(dest.glob("*.whl")) and not list(dest.glob("*.part"))
    assert run_script(dest, closed, "a").returncode == 1  # without --if-reachable: a failure


def test_a_mismatch_under_make_serve_is_one_line_too(server, dest):
    url, served, _ = server
    (served / "c-1.0-py3-none-any.whl").write_bytes(b"tampered")
    done = run_script(dest, url, "c", "--if-reachable")
    assert done.returncode == 0 and len(done.stderr.splitlines()) == 1
    assert "sha256" in done.stderr and not (dest / "c-1.0-py3-none-any.whl").exists()


def test_make_serve_fetches_the_wheels_and_lists_them_before_serving():
    dry = subprocess.run(["make", "-n", "serve"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60).stdout.splitlines()
    steps = ["fetch_pyodide_wheels.py --if-reachable", "vendor.py --precache-only", "http.server"]
    at = [next(i for i, line in enumerate(dry) if step in line) for step in steps]
    assert at == sorted(at)
