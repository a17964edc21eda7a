"""tools/vendor.py: copies just what the site needs from node_modules, idempotently."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("vendor", ROOT / "tools" / "vendor.py")
vendor = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vendor)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project with package.json pins and a fake node_modules."""
    pins = {"@pyscript/core": "0.7.31", "pyodide": "314.0.7"}
    write(tmp_path / "package.json", json.dumps({"dependencies": pins}))
    for name, version in pins.items():
        write(tmp_path / "node_modules" / name / "package.json", json.dumps({"version": version}))
    dist = tmp_path / "node_modules" / "@pyscript" / "core" / "dist"
    for name in ("core.js", "core.css", "chunk-abc.js", "core.js.map"):
        write(dist / name, f"/* {name} */")
    for name in vendor.PYODIDE_FILES:
        write(tmp_path / "node_modules" / "pyodide" / name, name)
    write(tmp_path / "node_modules" / "pyodide" / "console.html", "not needed")
    for name in ("index.html", "assets/style.css", "lstm/app.py"):
        write(tmp_path / name, name)
    write(tmp_path / "pyscript.toml", '[files]\n"./lstm/app.py" = "./lstm/app.py"\n')
    return tmp_path


def precache_js(root: Path) -> dict:
    text = (root / "assets/vendor/precache.js").read_text()
    return json.loads(text.split("self.PRECACHE = ", 1)[1].rstrip().rstrip(";"))


def test_copies_the_runtime_without_source_maps(root):
    assert vendor.vendor(root) == 3 + len(vendor.PYODIDE_FILES)
    out = root / "assets" / "vendor"
    assert sorted(p.name for p in (out / "pyscript").iterdir()) == [
        "chunk-abc.js", "core.css", "core.js"]
    assert sorted(p.name for p in (out / "pyodide").iterdir()) == sorted(vendor.PYODIDE_FILES)
    assert (out / "pyodide" / "pyodide.mjs").read_text() == "pyodide.mjs"


def test_a_second_run_copies_nothing_and_a_change_is_copied(root):
    vendor.vendor(root)
    assert vendor.vendor(root) == 0
    write(root / "node_modules" / "pyodide" / "pyodide.mjs", "new")
    assert vendor.vendor(root) == 1
    assert (root / "assets/vendor/pyodide/pyodide.mjs").read_text() == "new"


def test_stale_pyscript_chunks_go_and_fetched_wheels_stay(root):
    vendor.vendor(root)
    write(root / "assets/vendor/pyscript/chunk-old.js", "old")
    write(root / "assets/vendor/pyodide/numpy-2.4.6-cp314-cp314-x.whl", "wheel")
    vendor.vendor(root)
    assert not (root / "assets/vendor/pyscript/chunk-old.js").exists()
    assert (root / "assets/vendor/pyodide/numpy-2.4.6-cp314-cp314-x.whl").exists()


def test_lists_the_site_runtime_and_wheels_for_the_service_worker(root):
    vendor.vendor(root)
    data = precache_js(root)
    assert data == vendor.precache(root)
    assert data["files"][:4] == ["index.html", "pyscript.toml", "assets/style.css", "lstm/app.py"]
    assert "assets/vendor/pyodide/pyodide.asm.wasm" in data["files"]
    assert "assets/vendor/pyscript/core.js" in data["files"]
    assert data["optional"] == []
    write(root / "assets/vendor/pyodide/numpy-2.4.6-cp314-cp314-x.whl", "wheel")
    vendor.main(["--root", str(root), "--precache-only"])
    assert precache_js(root)["optional"] == ["assets/vendor/pyodide/numpy-2.4.6-cp314-cp314-x.whl"]


def test_the_version_changes_with_any_file_and_only_then(root):
    vendor.vendor(root)
    first = vendor.precache(root)["version"]
    assert vendor.precache(root)["version"] == first
    for changed in ("lstm/app.py", "assets/vendor/pyodide/pyodide.mjs"):
        write(root / changed, "changed " + changed)
        assert vendor.precache(root)["version"] != first
        first = vendor.precache(root)["version"]


def test_refuses_to_list_a_missing_site_file(root):
    (root / "lstm/app.py").unlink()
    with pytest.raises(SystemExit, match=r"missing: lstm/app\.py"):
        vendor.vendor(root)


def test_refuses_an_install_that_does_not_match_the_pins(root):
    write(root / "node_modules/pyodide/package.json", json.dumps({"version": "314.0.2"}))
    with pytest.raises(SystemExit, match=r"pyodide 314\.0\.2 is installed but package\.json pins"):
        vendor.vendor(root)


def test_says_to_run_npm_ci_without_node_modules(tmp_path):
    write(tmp_path / "package.json", json.dumps({"dependencies": {}}))
    with pytest.raises(SystemExit, match="npm ci"):
        vendor.vendor(tmp_path)


def test_the_repo_pins_exact_versions():
    pins = json.loads((ROOT / "package.json").read_text())["dependencies"]
    assert pins == {"@pyscript/core": "0.7.31", "pyodide": "314.0.7"}
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/pyodide"]["version"] == "314.0.7"
    assert lock["packages"]["node_modules/@pyscript/core"]["version"] == "0.7.31"
