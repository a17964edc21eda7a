"""Copy the browser runtime the site needs from node_modules into assets/vendor/.

    npm ci && python3 tools/vendor.py

PyScript's dist (without source maps) goes to assets/vendor/pyscript/, Pyodide's core files to
assets/vendor/pyodide/. Files already identical are left alone, so running it twice does nothing;
chunks of an older PyScript are removed; wheels placed in assets/vendor/pyodide/ by
tools/fetch_pyodide_wheels.py are kept.
"""

import argparse
import filecmp
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)


def installed_version(package_dir: Path) -> str:
    """The version field of an npm package's package.json."""
    return json.loads((package_dir / "package.json").read_text())["version"]


def pinned_version(root: Path, name: str) -> str:
    """The exact version package.json pins for `name`."""
    return json.loads((root / "package.json").read_text())["dependencies"][name]


def copy_if_changed(src: Path, dst: Path) -> bool:
    """Copy src to dst unless dst already holds the same bytes; True when it copied."""
    if dst.exists() and filecmp.cmp(src, dst, shallow=False):
        return False
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return True


def runtime_files(root: Path) -> list[tuple[Path, Path]]:
    """(source, destination) pairs for every file the site serves from assets/vendor/."""
    modules, vendor = root / "node_modules", root / "assets" / "vendor"
    for name in ("@pyscript/core", "pyodide"):
        package = modules / name
        if not package.is_dir():
            raise SystemExit(f"{package} is missing: run `npm ci` first")
        have, want = installed_version(package), pinned_version(root, name)
        if have != want:
            raise SystemExit(f"{name} {have} is installed but package.json pins {want}: "
                             "run `npm ci`")
    dist = modules / "@pyscript" / "core" / "dist"
    pairs = [(f, vendor / "pyscript" / f.name) for f in sorted(dist.iterdir())
             if f.is_file() and not f.name.endswith(".map")]
    pairs += [(modules / "pyodide" / f, vendor / "pyodide" / f) for f in PYODIDE_FILES]
    return pairs


def vendor(root: Path = ROOT) -> int:
    """Copy what changed and drop stale PyScript chunks; returns how many files were copied."""
    pairs = runtime_files(root)
    pyscript_dir = root / "assets" / "vendor" / "pyscript"
    wanted = {dst for _, dst in pairs}
    for stale in set(pyscript_dir.glob("*")) - wanted:
        stale.unlink()
    return sum(copy_if_changed(src, dst) for src, dst in pairs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project root (default: this repo)")
    args = parser.parse_args(argv)
    copied = vendor(args.root)
    print(f"assets/vendor: {copied} file(s) copied", file=sys.stderr)


if __name__ == "__main__":
    main()
