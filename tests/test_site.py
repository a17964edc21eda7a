"""The static site: pyscript.toml copies every module and model, nothing comes from a CDN,
index.html has every element id of ARCHITECTURE.md and canvases of ui.panels.CANVAS_SIZES, and only
lstm/web.py touches the browser."""

import ast
import base64
import hashlib
import importlib.util
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

from lstm.ui.panels import CANVAS_SIZES

ROOT = Path(__file__).resolve().parent.parent
BROWSER_MODULES = {"js", "pyodide", "pyodide_js", "pyscript"}


class Elements(HTMLParser):
    """Every start tag of a page as (tag, attributes)."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def index() -> list[tuple[str, dict]]:
    return Elements((ROOT / "index.html").read_text()).tags


def by_id() -> dict[str, tuple[str, dict]]:
    return {a["id"]: (t, a) for t, a in index() if "id" in a}


def contract_ids() -> list[str]:
    """The ids listed under "Element ids" in ARCHITECTURE.md."""
    text = (ROOT / "ARCHITECTURE.md").read_text()
    section = text.split("### Element ids", 1)[1].split("\n#", 1)[0]
    return [t for t in re.findall(r"`([a-z][a-z0-9-]*)`", section) if t != "data-state"]


def config() -> dict:
    return tomllib.loads((ROOT / "pyscript.toml").read_text())


def test_pyscript_toml_copies_every_module_and_model_to_the_same_path():
    files = config()["files"]
    wanted = sorted(ROOT.glob("lstm/**/*.py")) + sorted(ROOT.glob("assets/models/*.npz"))
    missing = [f"./{p.relative_to(ROOT)}" for p in wanted]
    missing = [m for m in missing if m not in files]
    assert not missing, f"add to [files] in pyscript.toml: {missing}"
    for source, target in files.items():
        assert source == target, "files keep their repo paths (lstm/ finds assets/ beside it)"
        assert (ROOT / source).is_file(), f"pyscript.toml lists {source}, which does not exist"


def test_pyscript_uses_the_vendored_pyodide_and_does_not_wait_on_numpy():
    cfg = config()
    assert cfg["interpreter"] == "./assets/vendor/pyodide/pyodide.mjs"
    assert "numpy" not in cfg.get("packages", []), "lstm/web.py loads NumPy (see SANDBOX.md)"


def test_no_url_leaves_the_site():
    pages = [ROOT / "index.html", ROOT / "pyscript.toml", ROOT / "assets" / "style.css",
             *sorted((ROOT / "tests" / "browser" / "pages").iterdir())]
    for path in pages:
        urls = re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", path.read_text(), re.I)
        assert urls == [], f"{path.name} refers to {urls}"


def test_index_loads_pyscript_from_assets_vendor_and_boots_with_the_config():
    scripts = [a for t, a in index() if t == "script"]
    assert {"type": "module", "src": "./assets/vendor/pyscript/core.js"} in scripts
    assert any(a.get("type") == "py" and a.get("config") == "./pyscript.toml" for a in scripts)


def test_index_has_every_element_id_of_the_architecture_once():
    ids = [a["id"] for _, a in index() if "id" in a]
    assert len(contract_ids()) > 30
    assert [i for i in contract_ids() if i not in ids] == []
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_controls_have_the_kinds_and_labels_the_controller_expects():
    els = by_id()
    kinds = {"sequence": "textarea", "example": "select", "model": "select", "unit": "select",
             "layer": "select", "train-task": "select", "loading-bar": "progress",
             "train-progress": "progress", "model-file": "input"}
    kinds |= {c: "canvas" for c in ("diagram", "heatmaps", "states", "loss")}
    kinds |= {b: "button" for b in ("start", "pause", "back", "step", "reset", "train-start",
                                      "train-pause", "train-reset", "train-download")}
    assert {i: els[i][0] for i in kinds} == kinds
    assert {k: els["speed"][1][k] for k in ("type", "min", "max")} == {
        "type": "range", "min": "1", "max": "3"}
    assert els["cell-size"][1]["type"] == "range"
    assert els["message"][1]["role"] == "alert"
    labelled = {a["for"] for t, a in index() if t == "label"}
    inputs = [i for i, (t, a) in els.items() if t in ("select", "textarea", "input")]
    assert [i for i in inputs if i not in labelled] == []


def test_canvases_have_the_sizes_the_panels_are_drawn_for():
    canvases = {a["id"]: (int(a["width"]), int(a["height"])) for t, a in index() if t == "canvas"}
    assert canvases == CANVAS_SIZES


def test_only_the_browser_module_imports_browser_modules():
    for path in sorted(ROOT.glob("lstm/**/*.py")):
        tree = ast.parse(path.read_text())
        imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                    for a in n.names}
        imported |= {n.module.split(".")[0] for n in ast.walk(tree)
                     if isinstance(n, ast.ImportFrom) and n.module}
        if path.name == "web.py":
            top = {a.name for n in tree.body if isinstance(n, ast.Import) for a in n.names}
            assert "numpy" not in top, "lstm/web.py must import before NumPy has loaded"
        else:
            assert not imported & BROWSER_MODULES, f"{path} imports {imported & BROWSER_MODULES}"


def csp() -> dict[str, list[str]]:
    """The page's Content-Security-Policy, directive -> sources."""
    metas = [a for t, a in index()
             if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    return {d.split()[0]: d.split()[1:] for d in metas[0]["content"].split(";") if d.strip()}


def test_the_policy_allows_the_inline_script_by_its_hash_and_nothing_else_inline():
    text = (ROOT / "index.html").read_text()
    inline = re.findall(r"<script>(.*?)</script>", text, re.S)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    policy = csp()
    assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'", "'unsafe-eval'",
                                    f"'sha256-{digest}'"]
    assert policy["default-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert text.index("Content-Security-Policy") < text.index("<script")


def test_no_style_attributes_anywhere_the_policy_would_block():
    assert [t for t, a in index() if "style" in a] == []
    set_style = re.compile(r"""set_?[aA]ttr\w*\(\s*[^,]*,\s*["']style["']""")
    for path in sorted(ROOT.glob("lstm/**/*.py")):
        assert not set_style.search(path.read_text()), f"{path} sets a style attribute"


def test_the_service_worker_sits_at_the_root_and_the_page_registers_it():
    assert (ROOT / "sw.js").is_file()
    assert 'navigator.serviceWorker.register("./sw.js"' in (ROOT / "index.html").read_text()
    assert 'importScripts("./assets/vendor/precache.js")' in (ROOT / "sw.js").read_text()


def workflow() -> str:
    return (ROOT / ".github" / "workflows" / "pages.yml").read_text()


def test_the_pages_workflow_deploys_only_after_make_test_and_never_cancels_a_deploy():
    text = workflow()
    assert re.search(r"concurrency:\n  group: pages\n  cancel-in-progress: false\n", text)
    jobs = dict(re.findall(r"\n  (\w+):\n(?:    needs: (\w+)\n)?    runs-on", text))
    assert jobs == {"test": "", "build": "test", "deploy": "build"}
    test_job = text.split("\n  test:\n", 1)[1].split("\n  build:\n", 1)[0]
    assert ".ci/run" in test_job and "make test" in (ROOT / ".ci" / "run").read_text()
    assert "Source: GitHub Actions" in text
    assert "Source: GitHub Actions" in (ROOT / "README.md").read_text()


def test_the_pages_artifact_holds_every_file_the_service_worker_caches():
    assemble = workflow().split("name: Assemble the site", 1)[1].split("- uses:", 1)[0]
    copied = set(re.findall(r"cp (?:-r )?([^\n]+?) _site", assemble))
    sources = {path for line in copied for path in line.split()}
    assert "sw.js" in sources
    spec = importlib.util.spec_from_file_location("vendor", ROOT / "tools" / "vendor.py")
    vendor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vendor)
    for path in [*vendor.site_files(ROOT), "assets/vendor/precache.js"]:
        assert any(path == s or path.startswith(s.rstrip("/") + "/") for s in sources), path
