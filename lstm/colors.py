"""The palette of DESIGN.md and the colour maps that turn value arrays into RGBA bytes.

Every quantity keeps one colour on every panel. Sequential maps (gates, 0..1) run from a
near-white to the gate colour; diverging maps (signed values) are white at exactly 0, the
quantity's colour for positive values and a neutral grey for negative ones. Ramps are
interpolated in OKLab so equal steps in value look like equal steps in colour, and stored as
256-entry lookup tables: mapping an array is one multiply, one clip and one fancy index.
"""

from functools import lru_cache

import numpy as np

FORGET = "#f57c00"
INPUT = "#2e7d32"
OUTPUT = "#1565c0"
CANDIDATE = "#7e57c2"
CELL = "#9c27b0"  # rgb(156, 39, 176)
HIDDEN = "#00bcd4"  # rgb(0, 188, 212)
NEGATIVE = "#5f6368"  # the negative side of every diverging map

# The panels' neutral colours, per colour scheme (the page's prefers-color-scheme; the style
# sheet's --paper and text colours are the same, tests/test_style.py checks). The quantities'
# colours and maps above and below are the same in both: a colour means one thing everywhere.
SCHEMES = {
    "light": {"PAPER": "#ffffff",  # panel background
              "INK": "#1f2933",  # main text, 14.7:1 on PAPER
              "MUTED": "#52606d",  # secondary text, 6.4:1
              "PLACEHOLDER_INK": "#4a5568",  # the seed's colour for "... will appear here"
              "AXIS": "#2d3748",
              "RULE": "#cbd5e0",  # dashed zero lines, frames
              "EMPTY": "#f4f5f7"},  # heatmap cells not reached yet
    "dark": {"PAPER": "#1a2129", "INK": "#e4e9ee", "MUTED": "#a7b3bf",
             "PLACEHOLDER_INK": "#a7b3bf", "AXIS": "#cbd5e0", "RULE": "#4a5568",
             "EMPTY": "#27313b"},
}
SCHEME = "light"
PAPER, INK, MUTED = "#ffffff", "#1f2933", "#52606d"
PLACEHOLDER_INK, AXIS, RULE, EMPTY = "#4a5568", "#2d3748", "#cbd5e0", "#f4f5f7"

GATE_COLORS = {"i": INPUT, "f": FORGET, "g": CANDIDATE, "o": OUTPUT}
GATE_NAMES = {"i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate"}


def rgb(color: str) -> tuple[int, int, int]:
    """'#rrggbb' or 'rgba(r, g, b, a)' -> (r, g, b) ints."""
    if color.startswith("#"):
        return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)
    r, g, b = color[color.index("(") + 1 : color.index(")")].split(",")[:3]
    return int(r), int(g), int(b)


def hex_color(r: float, g: float, b: float) -> str:
    """(r, g, b) in 0..255 -> '#rrggbb'."""
    return f"#{round(r):02x}{round(g):02x}{round(b):02x}"


def rgba(color: str, alpha: float) -> str:
    """A palette colour with transparency, as the Canvas interface takes it."""
    r, g, b = rgb(color)
    return f"rgba({r}, {g}, {b}, {round(alpha, 3)})"


# --- OKLab (Björn Ottosson), vectorised over a trailing axis of 3 -------------------------

def _linear(srgb: np.ndarray) -> np.ndarray:
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _gamma(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(lin, 0.0, 1.0)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


_RGB_LMS = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                     [0.2119034982, 0.6806995451, 0.1073969566],
                     [0.0883024619, 0.2817188376, 0.6299787005]])
_LMS_LAB = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                     [1.9779984951, -2.4285922050, 0.4505937099],
                     [0.0259040371, 0.7827717662, -0.8086757660]])


def oklab(srgb255: np.ndarray) -> np.ndarray:
    """sRGB (..., 3) in 0..255 -> OKLab (..., 3)."""
    lms = _linear(np.asarray(srgb255, float) / 255) @ _RGB_LMS.T
    return np.cbrt(lms) @ _LMS_LAB.T


def srgb(lab: np.ndarray) -> np.ndarray:
    """OKLab (..., 3) -> sRGB (..., 3) floats in 0..255 (gamut-clipped)."""
    lms = (np.asarray(lab, float) @ np.linalg.inv(_LMS_LAB).T) ** 3
    return _gamma(lms @ np.linalg.inv(_RGB_LMS).T) * 255


def ramp(colors: list[str], n: int) -> np.ndarray:
    """n colours (n, 3) uint8 evenly spaced in OKLab through the given stops."""
    stops = oklab(np.array([rgb(c) for c in colors], float))
    pos = np.linspace(0, len(colors) - 1, n)
    k = np.minimum(pos.astype(int), len(colors) - 2)
    t = (pos - k)[:, None]
    lab = stops[k] * (1 - t) + stops[k + 1] * t
    return np.rint(srgb(lab)).astype(np.uint8)


def mix(a: str, b: str, t: float) -> str:
    """The colour t of the way from a to b, in OKLab."""
    return hex_color(*ramp([a, b], 101)[round(t * 100)])


# --- contrast (WCAG 2) ---------------------------------------------------------------------

def luminance(color: str) -> float:
    """Relative luminance of a colour, 0 (black) .. 1 (white)."""
    r, g, b = _linear(np.array(rgb(color), float) / 255)
    return float(0.2126 * r + 0.7152 * g + 0.0722 * b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours, 1 .. 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def use_scheme(name: str) -> bool:
    """Draw in colour scheme `name` ("light" or "dark") from now on; True when it changed.

    The panels read PAPER, INK, ... from this module when they draw, so the next frame follows.
    """
    global SCHEME, PAPER, INK, MUTED, PLACEHOLDER_INK, AXIS, RULE, EMPTY
    if name not in SCHEMES:
        raise ValueError(f"no colour scheme {name!r}: {', '.join(SCHEMES)}")
    if name == SCHEME:
        return False
    SCHEME = name
    c = SCHEMES[name]
    PAPER, INK, MUTED, PLACEHOLDER_INK = c["PAPER"], c["INK"], c["MUTED"], c["PLACEHOLDER_INK"]
    AXIS, RULE, EMPTY = c["AXIS"], c["RULE"], c["EMPTY"]
    return True


def text_color(color: str, background: str | None = None, ratio: float = 4.5) -> str:
    """The colour itself if text in it is legible on background (default: PAPER), else darkened
    (on a light background) or lightened (on a dark one) until it is."""
    return _text_color(color, PAPER if background is None else background, ratio, INK)


@lru_cache(maxsize=128)
def _text_color(color: str, background: str, ratio: float, fallback: str) -> str:
    lab = oklab(np.array(rgb(color), float))
    dark = luminance(background) < 0.2
    for _ in range(100):
        out = hex_color(*np.rint(srgb(lab)))
        if contrast(out, background) >= ratio:
            return out
        lab = lab + np.array([0.02, 0, 0]) if dark else lab * np.array([0.97, 1.0, 1.0])
    return fallback


def ink_on(background: str) -> str:
    """Text colour for a filled background: INK, else white, else black (the first at 4.5:1;
    one of white and black always reaches it)."""
    return _ink_on(background, INK)


@lru_cache(maxsize=2048)
def _ink_on(background: str, ink: str) -> str:
    for choice in (ink, "#ffffff"):
        if contrast(choice, background) >= 4.5:
            return choice
    return "#000000"


# --- colour maps ---------------------------------------------------------------------------

class ColorMap:
    """A 256-entry RGBA lookup table plus the affine map from values to table rows.

    Sequential: lo -> row 0, hi -> row 255. Diverging: 0 -> row 128 (white, exactly),
    +-limit -> rows 255 / 1 (row 0 repeats row 1 so the scale stays symmetric).
    """

    def __init__(self, lut: np.ndarray, lo: float, hi: float, diverging: bool):
        self.lut, self.lo, self.hi, self.diverging = lut, float(lo), float(hi), diverging
        if diverging:
            self.scale, self.offset, self.first = 127 / hi, 128.0, 1
        else:
            self.scale = 255 / (hi - lo)
            self.offset, self.first = -lo * self.scale, 0

    def index(self, values: np.ndarray) -> np.ndarray:
        """Table rows (uint8, same shape) for an array of values."""
        x = np.asarray(values, np.float32) * np.float32(self.scale)
        x += np.float32(self.offset + 0.5)
        np.clip(x, self.first, 255.5, out=x)
        return x.astype(np.uint8)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        """RGBA (..., 4) uint8 for an array of values."""
        return self.lut[self.index(values)]

    def color(self, value: float) -> str:
        """'#rrggbb' for one value (the diagram's gate boxes)."""
        r, g, b, _ = self.lut[int(self.index(np.array([value]))[0])]
        return hex_color(r, g, b)

    def legend(self, w: int, h: int) -> np.ndarray:
        """A left-to-right gradient bar (h, w, 4) uint8 from lo to hi."""
        row = self(np.linspace(self.lo, self.hi, w))
        return np.broadcast_to(row, (h, w, 4))


def _lut(colors: np.ndarray) -> np.ndarray:
    out = np.full((256, 4), 255, np.uint8)
    out[:, :3] = colors
    return out


def sequential(color: str, lo: float = 0.0, hi: float = 1.0) -> ColorMap:
    """Near-white (a zero still reads as a cell) to color; 'darker = closer to hi'."""
    return ColorMap(_lut(ramp([mix("#ffffff", color, 0.07), color], 256)), lo, hi, False)


def diverging(color: str, limit: float = 1.0) -> ColorMap:
    """NEGATIVE grey at -limit, white at exactly 0, color at +limit."""
    colors = np.empty((256, 3), np.uint8)
    colors[128:] = ramp(["#ffffff", color], 128)
    colors[1:129] = ramp([NEGATIVE, "#ffffff"], 128)
    colors[0] = colors[1]
    return ColorMap(_lut(colors), -limit, limit, True)


_GATE_MAPS: dict[str, ColorMap] = {}


def gate_map(gate: str) -> ColorMap:
    """The map of one gate: i, f, o sequential on 0..1; g diverging on -1..1 (cached)."""
    if gate not in _GATE_MAPS:
        c = GATE_COLORS[gate]
        _GATE_MAPS[gate] = diverging(c) if gate == "g" else sequential(c)
    return _GATE_MAPS[gate]
