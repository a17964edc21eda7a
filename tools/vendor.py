"""Copy the browser runtime the site needs from node_modules into assets/vendor/.

    npm ci && python3 tools/vendor.py

PyScript's dist (without source maps) goes to assets/vendor/pyscript/, Pyodide's core files to
assets/vendor/pyodide/. Files already identical are left alone, so running it twice does nothing;
chunks of an older PyScript are removed; wheels placed in assets/vendor/pyodide/ by
tools/fetch_pyodide_wheels.py are kept.

Then it writes assets/vendor/precache.js, the list of files the service worker (sw.js) caches
for offline visits, and their version: a hash of every listed file's bytes, so that a deploy
that changes any file installs a new worker and replaces the old cache. The site's own files
(index.html, pyscript.toml, assets/style.css, everything pyscript.toml copies), the runtime, and
the wheels present in assets/vendor/pyodide/ are listed; run it again after fetching wheels
(`make serve` does).

    python3 tools/vendor.py --precache-only    # just rewrite precache.js
"""

import argparse
import filecmp
import hashlib
import json
import shutil
import sys
import tomllib
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


def site_files(root: Path) -> list[str]:
    """The site's own files, as paths relative to the root (the page, its config and styles,
    and what pyscript.toml copies into Python's file system)."""
    config = tomllib.loads((root / "pyscript.toml").read_text())
    copied = [source.removeprefix("./") for source in config.get("files", {})]
    return ["index.html", "pyscript.toml", "assets/style.css", *sorted(copied)]


def precache(root: Path = ROOT) -> dict:
    """{"version", "files", "optional"}: what sw.js caches. `files` must all be cached for the
    worker to install; `optional` (the wheels) are cached when the server has them."""
    vendor_dir = root / "assets" / "vendor"
    files = site_files(root) + sorted(
        str(p.relative_to(root)) for p in vendor_dir.glob("py*/*")
        if p.is_file() and p.suffix not in (".whl", ".part"))
    optional = sorted(str(p.relative_to(root)) for p in vendor_dir.glob("pyodide/*.whl"))
    missing = [f for f in files if not (root / f).is_file()]
    if missing:
        raise SystemExit(f"cannot list for the service worker, missing: {', '.join(missing)}")
    digest = hashlib.sha256()
    for name in files + optional:
        digest.update(name.encode() + b"\0" + hashlib.sha256((root / name).read_bytes()).digest())
    return {"version": digest.hexdigest()[:16], "files": files, "optional": optional}


def write_precache(root: Path = ROOT) -> dict:
    """Write assets/vendor/precache.js (read by sw.js through importScripts); returns its data."""
    data = precache(root)
    text = ("// Written by tools/vendor.py: what sw.js caches, and the cache's version.\n"
            f"self.PRECACHE = {json.dumps(data, indent=1)};\n")
    path = root / "assets" / "vendor" / "precache.js"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return data


def vendor(root: Path = ROOT) -> int:
    """Copy what changed and drop stale PyScript chunks; returns how many files were copied."""
    pairs = runtime_files(root)
    pyscript_dir = root / "assets" / "vendor" / "pyscript"
    wanted = {dst for _, dst in pairs}
    for stale in set(pyscript_dir.glob("*")) - wanted:
        stale.unlink()
    copied = sum(copy_if_changed(src, dst) for src, dst in pairs)
    write_precache(root)
    return copied


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project root (default: this repo)")
    parser.add_argument("--precache-only", action="store_true",
                        help="only rewrite assets/vendor/precache.js (after fetching wheels)")
    args = parser.parse_args(argv)
    if args.precache_only:
        write_precache(args.root)
        return
    copied = vendor(args.root)
    print(f"assets/vendor: {copied} file(s) copied", file=sys.stderr)


if __name__ == "__main__":
    main()
