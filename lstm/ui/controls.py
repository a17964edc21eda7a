"""The controls' values: speeds, the cell-size range, the unit and layer menus, the keys."""

from __future__ import annotations

SPEEDS = {1: ("Slow (400 ms)", 400), 2: ("Medium (250 ms)", 250), 3: ("Fast (150 ms)", 150)}
CELL_SIZES = (2, 64)  # the cell-size slider's range (index.html)
# Keyboard: key (KeyboardEvent.key) -> (action, what the help says).
KEYS = {
    " ": ("play_pause", "Space: play / pause"),
    "ArrowRight": ("forward", "→: step forward"),
    "ArrowLeft": ("back", "←: step back"),
    "Home": ("home", "Home: first step"),
    "End": ("end", "End: last step"),
    "r": ("reset", "R: reset"),
    "R": ("reset", ""),
    "]": ("next_unit", "]: next unit"),
    "[": ("prev_unit", "[: previous unit"),
    "?": ("help", "?: list the keys"),
}
KEYS_HELP = "Keys — " + " · ".join(text for _, text in KEYS.values() if text)


def parse_int(text: str, low: int, high: int, default: int) -> int:
    """An int from a control's value, clamped to [low, high]; `default` when it is not a number."""
    try:
        return min(max(int(float(text)), low), high)
    except (TypeError, ValueError, OverflowError):
        return default


def unit_options(hidden: int) -> list[tuple[str, str]]:
    """The unit menu: the mean, then every unit, numbered from 0 as everywhere on the page."""
    return [("mean", "Mean over units")] + [(str(u), f"Unit {u}") for u in range(hidden)]


def layer_options(layers: int) -> list[tuple[str, str]]:
    return [(str(k), f"Layer {k + 1}") for k in range(layers)]
