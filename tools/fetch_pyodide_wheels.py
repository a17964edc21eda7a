"""Download the Pyodide wheels the app needs, checked against pyodide-lock.json.

    python3 tools/fetch_pyodide_wheels.py            # numpy and what it depends on
    python3 tools/fetch_pyodide_wheels.py numpy micropip
    PYODIDE_DIST=/path/to/full/pyodide python3 tools/fetch_pyodide_wheels.py   # from a local copy
    python3 tools/fetch_pyodide_wheels.py --if-reachable   # what `make serve` runs

For machines with internet (and the GitHub Pages job). The npm `pyodide` package holds only the
core; NumPy's wheel lives in the full distribution on Pyodide's CDN. Each wheel named by the
vendored lock file is fetched from the release location of the pinned version into
assets/vendor/pyodide/ (run tools/vendor.py first), and its sha256 is compared with the lock's:
a file that does not match is deleted and the command fails. Wheels already present and correct
are not fetched again. With PYODIDE_DIST naming a full distribution folder (the same version),
the wheels are copied from there instead, with the same checks; PYODIDE_BASE_URL (or --base-url)
names any other location serving the same files (the tests use a server on 127.0.0.1). The page
loads them from its own origin; nothing else is downloaded.

With --if-reachable (`make serve`), a failure is one line saying what is missing and how to get
it, and the exit code is 0: the site is served anyway and the page explains the same.
"""

import argparse
import hashlib
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "assets" / "vendor" / "pyodide"
CHUNK = 1 << 16
TIMEOUT_S = 20  # per socket operation: an unreachable CDN must not hold `make serve` for long


class FetchError(Exception):
    """A wheel that could not be had; the message names the file and the reason."""


class ChecksumError(FetchError):
    """A downloaded file's sha256 differs from the one in pyodide-lock.json."""


def pinned_pyodide_version(root: Path = ROOT) -> str:
    """The pyodide version package.json pins, e.g. '314.0.7'."""
    return json.loads((root / "package.json").read_text())["dependencies"]["pyodide"]


def release_url(version: str) -> str:
    """Where Pyodide publishes the full distribution of `version` (wheels included)."""
    return f"https://cdn.jsdelivr.net/pyodide/v{version}/full/"


def default_base_url() -> str:
    """PYODIDE_BASE_URL when set, else PYODIDE_DIST as a file:// URL, else the release location
    of the pinned version."""
    if os.environ.get("PYODIDE_BASE_URL"):
        return os.environ["PYODIDE_BASE_URL"]
    dist = os.environ.get("PYODIDE_DIST")
    if dist:
        return Path(dist).resolve().as_uri() + "/"
    return release_url(pinned_pyodide_version())


def lock_packages(lock_path: Path) -> dict[str, dict]:
    """The `packages` table of a pyodide-lock.json, keyed by lower-case name."""
    packages = json.loads(lock_path.read_text())["packages"]
    return {name.lower(): entry for name, entry in packages.items()}


def closure(packages: dict[str, dict], names: list[str]) -> list[str]:
    """`names` and everything they depend on, transitively, sorted; KeyError for an unknown name."""
    seen: set[str] = set()
    todo = [n.lower() for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            raise KeyError(f"{name!r} is not in pyodide-lock.json")
        seen.add(name)
        todo.extend(d.lower() for d in packages[name]["depends"])
    return sorted(seen)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(url: str, dest: Path, sha256: str) -> bool:
    """Download url to dest unless dest already has the sha256; True when it downloaded.

    The bytes go to `dest.part` first; on a mismatch that file is deleted and ChecksumError
    raised, so a wrong file never sits under the wheel's name.
    """
    if dest.exists() and sha256_of(dest) == sha256:
        return False
    part = dest.with_name(dest.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response, part.open("wb") as out:
            while chunk := response.read(CHUNK):
                out.write(chunk)
        got = sha256_of(part)
        if got != sha256:
            raise ChecksumError(f"{url}: sha256 {got} but pyodide-lock.json says {sha256}")
        part.replace(dest)
    finally:
        part.unlink(missing_ok=True)
    return True


def fetch_wheels(names: list[str], base_url: str, dest_dir: Path, quiet: bool = False
                 ) -> list[str]:
    """Fetch the closure of `names` from base_url into dest_dir; returns the wheel file names.

    Each file is reported on stderr, except (quiet) those already present and correct."""
    lock = dest_dir / "pyodide-lock.json"
    if not lock.exists():
        raise SystemExit(f"{lock} is missing: run `npm ci && python3 tools/vendor.py` first")
    packages = lock_packages(lock)
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    files = []
    for name in closure(packages, names):
        entry = packages[name]
        file_name = entry["file_name"]
        try:
            done = fetch(base_url + file_name, dest_dir / file_name, entry["sha256"])
        except urllib.error.HTTPError as e:
            raise FetchError(f"{file_name}: {e}") from e
        except urllib.error.URLError as e:  # no network, no such host, refused
            raise FetchError(f"{file_name}: {e.reason}") from e
        except OSError as e:  # a timeout mid-download, a full disk
            raise FetchError(f"{file_name}: {e}") from e
        if done or not quiet:
            print(f"{file_name}: {'downloaded' if done else 'already present'}, sha256 ok",
                  file=sys.stderr)
        files.append(file_name)
    return files


def unavailable_line(base_url: str, error: Exception) -> str:
    """The one line `make serve` prints when a wheel cannot be had: what, why, and the fix."""
    return (f"NumPy for the browser is missing, so the page will say so: {error} (from "
            f"{base_url}). To get it run `make serve` again with internet, or "
            "PYODIDE_DIST=/path/to/full/pyodide make serve")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=["numpy"],
                        help="Pyodide package names (default: numpy)")
    parser.add_argument("--base-url", default=None,
                        help="where the wheels are (default: $PYODIDE_BASE_URL, else "
                             "$PYODIDE_DIST, else Pyodide's CDN for the pinned version)")
    parser.add_argument("--dest", type=Path, default=VENDOR,
                        help="folder holding pyodide-lock.json (default: assets/vendor/pyodide)")
    parser.add_argument("--if-reachable", action="store_true",
                        help="on failure print one line and exit 0 (the site is served anyway)")
    args = parser.parse_args(argv)
    base_url = args.base_url or default_base_url()
    try:
        fetch_wheels(args.packages, base_url, args.dest, quiet=args.if_reachable)
    except (FetchError, KeyError, OSError) as e:
        if args.if_reachable:
            print(unavailable_line(base_url, e), file=sys.stderr)
            return
        raise SystemExit(f"fetch_pyodide_wheels: {e}") from e


if __name__ == "__main__":
    main()
