"""assets/style.css against lstm/colors.py: one palette for the cards, the legends and the
canvases, in light and dark mode; the speed label in one format."""

import re
from pathlib import Path

import pytest

from lstm import colors
from lstm.ui import controls

ROOT = Path(__file__).resolve().parent.parent
CSS = (ROOT / "assets" / "style.css").read_text()
QUANTITIES = {"--forget": colors.FORGET, "--input": colors.INPUT, "--output": colors.OUTPUT,
              "--candidate": colors.CANDIDATE, "--negative": colors.NEGATIVE,
              "--cell": colors.CELL, "--hidden": colors.HIDDEN}


def variables(block: str) -> dict[str, str]:
    """The custom properties set in a CSS block: name -> value (comments dropped)."""
    block = re.sub(r"/\*.*?\*/", "", block, flags=re.S)
    return {k: v.strip().lower() for k, v in re.findall(r"(--[a-z0-9-]+)\s*:\s*([^;]+);", block)}


def root_block(css: str) -> str:
    return css[css.index(":root {"):].split("}", 1)[0]


def light() -> dict[str, str]:
    return variables(root_block(CSS))


def dark() -> dict[str, str]:
    media = CSS[CSS.index("@media (prefers-color-scheme: dark)"):]
    return variables(root_block(media))


def test_the_quantities_colours_are_the_palettes():
    assert {k: light()[k] for k in QUANTITIES} == QUANTITIES
    assert not set(QUANTITIES) & set(dark())  # the same in dark mode


@pytest.mark.parametrize(("scheme", "css"), [("light", light), ("dark", dark)])
def test_the_canvas_paper_and_text_are_the_schemes(scheme, css):
    values = css()
    neutral = colors.SCHEMES[scheme]
    assert values["--paper"] == neutral["PAPER"]
    assert values["--text"] == neutral["INK"] and values["--muted"] == neutral["MUTED"]
    assert colors.contrast(values["--muted"], values["--surface"]) >= 4.5


def test_canvases_are_backed_by_the_paper():
    rule = CSS[CSS.index("\ncanvas {"):].split("}", 1)[0]
    assert "background: var(--paper)" in rule


def test_the_speed_label_has_one_format():
    html = (ROOT / "index.html").read_text()
    shown = re.search(r'<output id="speed-value"[^>]*>([^<]*)</output>', html).group(1)
    assert shown == controls.SPEEDS[2][0]  # the page before Python and after say the same
    assert all(re.fullmatch(r"[A-Z][a-z]+ \(\d+ ms\)", label) for label, _ in
               controls.SPEEDS.values())
