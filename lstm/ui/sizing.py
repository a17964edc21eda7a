"""Canvas sizes: every panel drawn at the width the page offers it, at its height for that width.

The page says how wide each canvas's panel is (`Page.canvas_width`), the registry how tall the
panel wants to be at that width (`Panel.height_for`), and `Page.size_canvas` shows the canvas at
that size with a backing store of that size times the device pixel ratio. The page's colour
scheme (light or dark) picks the panels' palette in `lstm.colors`. The drawers of `Frames` are
cached per size and scheme, so a new size makes new drawers, laid out for it.
"""

from __future__ import annotations

from .. import colors
from .panels import CANVAS_SIZES, REGISTRY


def canvas_height(id_: str, width: int) -> int:
    """The height (CSS px) of canvas `id_` at `width` CSS px."""
    panel = REGISTRY.get(id_)
    return CANVAS_SIZES[id_][1] if panel is None else panel.height_for(width)


def fit_canvases(page) -> bool:
    """Size every canvas for the width its panel offers now, in the page's colour scheme; True
    when a size or the scheme changed (the panels need drawing again). A panel not shown
    (width 0) keeps its canvas as it is."""
    changed = colors.use_scheme(page.color_scheme())
    for id_ in CANVAS_SIZES:
        width = page.canvas_width(id_)
        if width <= 0:
            continue
        changed |= page.size_canvas(id_, width, canvas_height(id_, width))
    return changed
