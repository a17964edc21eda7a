"""The Canvas interface every panel draws through, a recording canvas, and path strings.

Arguments crossing the interface are plain Python values only (str, int, float, bool, bytes
and lists/tuples of those) so the browser module never meets a NumPy object. Every call is one
crossing of the Python-to-JavaScript bridge in the browser, so a panel batches: its paths are
one string per style, its labels one `texts` call (items made by `label`). Paths are SVG path
strings using M, L and Z only; `path` builds them from a (N, 2) array without a Python loop
per point.
"""

import math
import re
from typing import Protocol

import numpy as np

from .. import colors


class Canvas(Protocol):
    """What a panel may do to a drawing surface (CSS pixels; colours '#rrggbb' or 'rgba(...)')."""

    width: int
    height: int

    def clear(self) -> None: ...
    def fill_rect(self, x: float, y: float, w: float, h: float, color: str) -> None: ...
    def put_rgba(self, x: int, y: int, w: int, h: int, data: bytes) -> None: ...
    def stroke_path(self, d: str, color: str, width: float = 1.0, dash: tuple = ()) -> None: ...
    def fill_path(self, d: str, color: str) -> None: ...
    def text(self, s: str, x: float, y: float, color: str, size: float = 12,
             align: str = "left", baseline: str = "alphabetic", bold: bool = False,
             angle: float = 0.0) -> None: ...
    def texts(self, items: list[tuple]) -> None:
        """Several labels in one call; each item holds text()'s nine arguments in order
        (s, x, y, color, size, align, baseline, bold, angle), as `label` makes them."""


def label(s: str, x: float, y: float, color: str, size: float = 12, align: str = "left",
          baseline: str = "alphabetic", bold: bool = False, angle: float = 0.0) -> tuple:
    """One item for Canvas.texts: text()'s arguments, defaults filled in."""
    return (s, x, y, color, size, align, baseline, bold, angle)


CHAR_WIDTH = 0.6  # estimated advance per character, in units of the font size


def text_width(s: str, size: float = 12) -> float:
    """Estimated text width in CSS pixels (a monospace advance; proportional fonts are narrower)."""
    return CHAR_WIDTH * size * len(s)


def label_extent(item: tuple) -> tuple[float, float]:
    """(left, right) x of an unrotated texts() item, from its estimated width (a monospace
    advance: an upper bound for the page's proportional font, which is about 0.9 of it)."""
    s, x, _, _, size, align = item[:6]
    w = text_width(s, size) * 0.9
    left = x - w if align == "right" else x - w / 2 if align == "center" else x
    return left, left + w


def fit_text(pieces: list[str], width: float, size: float = 12, sep: str = " · ") -> str:
    """The first pieces joined by sep, as many as fit in width (the first always)."""
    out = pieces[0] if pieces else ""
    for piece in pieces[1:]:
        if text_width(out + sep + piece, size) > width:
            break
        out += sep + piece
    return out


_PLAIN = (str, int, float, bool, bytes)
_FLAT = frozenset(_PLAIN)


def check_plain(value: object, where: str = "argument") -> None:
    """Raise TypeError unless value is a plain Python value (NumPy scalars are not)."""
    if type(value) in _PLAIN:
        if type(value) is float and value != value:
            raise TypeError(f"{where} is NaN")
        return
    if type(value) in (list, tuple):
        types = set(map(type, value))
        if types <= _FLAT and not (float in types and any(
                map(math.isnan, filter(float.__instancecheck__, value)))):
            return  # a flat list of plain values without NaN: the common case, checked fast
        for k, item in enumerate(value):
            check_plain(item, f"{where}[{k}]")
        return
    kind = f"{type(value).__module__}.{type(value).__name__}"
    raise TypeError(f"{where} is {kind}, not a plain value")


def wrap_text(pieces: list[str], width: float, size: float, sep: str = " ",
              lines: int = 99) -> list[str]:
    """Pieces joined by `sep` into lines of at most `width` px at `size` (a longer piece keeps a
    line to itself); at most `lines` lines, the last taking the rest."""
    out: list[str] = []
    for piece in pieces:
        if out and (len(out) >= lines or text_width(out[-1] + sep + piece, size) * 0.9 <= width):
            out[-1] += sep + piece
        else:
            out.append(piece)
    return out or [""]


def draw_placeholder(canvas: Canvas, message: str) -> None:
    """A blank panel with `message` in its middle, as the seed shows before any data; wrapped
    onto lines where the canvas is narrow."""
    canvas.fill_rect(0, 0, canvas.width, canvas.height, colors.PAPER)
    lines = wrap_text(message.split(), canvas.width - 24, 14)
    y0 = canvas.height / 2 - 9 * (len(lines) - 1)
    canvas.texts([label(s, canvas.width / 2, y0 + 18 * k, colors.PLACEHOLDER_INK, 14,
                        align="center", baseline="middle") for k, s in enumerate(lines)])


class RecordingCanvas:
    """A Canvas that records every call as (name, args) and checks every argument is plain."""

    def __init__(self, width: int = 800, height: int = 300):
        self.width, self.height = width, height
        self.calls: list[tuple[str, tuple]] = []

    def _record(self, name: str, *args: object) -> None:
        for k, a in enumerate(args):
            check_plain(a, f"{name} argument {k}")
        self.calls.append((name, args))

    def clear(self) -> None:
        self._record("clear")

    def fill_rect(self, x, y, w, h, color):
        self._record("fill_rect", x, y, w, h, color)

    def put_rgba(self, x, y, w, h, data):
        self._record("put_rgba", x, y, w, h, data)
        if type(x) is not int or type(y) is not int or len(data) != w * h * 4:
            raise ValueError(f"put_rgba({x}, {y}, {w}, {h}) with {len(data)} bytes")

    def stroke_path(self, d, color, width=1.0, dash=()):
        self._record("stroke_path", d, color, width, dash)

    def fill_path(self, d, color):
        self._record("fill_path", d, color)

    def text(self, s, x, y, color, size=12, align="left", baseline="alphabetic", bold=False,
             angle=0.0):
        self._record("text", s, x, y, color, size, align, baseline, bold, angle)

    def texts(self, items):
        """One recorded call (one bridge crossing), however many labels it holds."""
        self._record("texts", items)
        if type(items) is not list:
            raise ValueError(f"texts items are a {type(items).__name__}, not a list")
        for k, item in enumerate(items):
            if type(item) is not tuple or len(item) != 9:
                raise ValueError(f"texts item {k} is not a tuple of text()'s nine arguments")

    def count(self, name: str | None = None) -> int:
        """Number of calls recorded (of one method, or all)."""
        return sum(1 for n, _ in self.calls if name is None or n == name)

    def labels(self) -> list[tuple]:
        """Every label drawn with text() or texts(), as text()'s nine arguments, in order."""
        out = []
        for n, a in self.calls:
            if n == "text":
                out.append(a)
            elif n == "texts":
                out.extend(a[0])
        return out

    def strings(self) -> list[str]:
        """Every string drawn with text() or texts(), in order."""
        return [a[0] for a in self.labels()]

    def reset(self) -> None:
        self.calls.clear()


def path(points: np.ndarray, close: bool = False) -> str:
    """'M x y L x y ... [Z]' for points (N, 2), to half a pixel, built in one vectorised pass.

    Numbers have a fixed width ('0123.5', leading zeros, |v| <= 9999.5) so the text is made
    by NumPy arithmetic on bytes instead of one Python str() per coordinate.
    """
    p = np.asarray(points, np.float64).reshape(-1, 2)
    n = len(p)
    if n == 0:
        return ""
    q = np.rint(np.clip(p, -9999.5, 9999.5) * 2).astype(np.int32)
    a = np.abs(q)
    whole = a >> 1
    buf = np.empty((n, 15), np.uint8)
    for col, k in ((0, 1), (1, 8)):  # x after 'L', y after it
        buf[:, k] = np.where(q[:, col] < 0, 45, 32)  # '-' or ' '
        w = whole[:, col]
        buf[:, k + 1] = w // 1000 % 10 + 48
        buf[:, k + 2] = w // 100 % 10 + 48
        buf[:, k + 3] = w // 10 % 10 + 48
        buf[:, k + 4] = w % 10 + 48
        buf[:, k + 5] = 46  # '.'
        buf[:, k + 6] = (a[:, col] & 1) * 5 + 48
    buf[:, 0] = 76  # 'L'
    buf[0, 0] = 77  # 'M'
    d = buf.tobytes().decode("ascii")
    return d + "Z" if close else d


def subpaths(points: np.ndarray, close: bool = False) -> str:
    """N subpaths of K points each, points (N, K, 2), in one pass (no loop per subpath)."""
    p = np.asarray(points, np.float64)
    n, k = p.shape[:2]
    if n == 0:
        return ""
    d = np.frombuffer(path(p.reshape(-1, 2)).encode("ascii"), np.uint8).reshape(n, 15 * k)
    d = np.concatenate([d, np.full((n, 1), ord("Z"), np.uint8)], axis=1) if close else d.copy()
    d[:, 0] = ord("M")  # each subpath's first point moves (a point is 15 bytes)
    return d.tobytes().decode("ascii")


def paths(polylines: list[np.ndarray], close: bool = False) -> str:
    """Several subpaths in one path string (one stroke_path / fill_path call)."""
    return "".join(path(p, close) for p in polylines if len(p))


def column_bins(S: int, n: int) -> np.ndarray:
    """The first of S steps in each of n pixel columns (n,), for S > n."""
    return np.arange(n) * S // n


def decimate(v: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Min then max of v (S, K) over each bin that starts at `starts`: (2 * bins, K).

    A polyline through these points looks like the full one at one pixel per bin.
    """
    lo, hi = np.minimum.reduceat(v, starts), np.maximum.reduceat(v, starts)
    return np.stack([lo, hi], axis=1).reshape(2 * len(starts), -1)


def rect_path(x: float, y: float, w: float, h: float) -> str:
    """A closed rectangle."""
    return path([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], close=True)


def circle_points(cx: float, cy: float, r: float, n: int = 32) -> np.ndarray:
    """A circle as a polygon (n, 2)."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], axis=1)


_TOKEN = re.compile(r"[MLZ]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|\S")


def parse_path(d: str) -> list[tuple[np.ndarray, bool]]:
    """Subpaths of an M/L/Z path string as (points (N, 2), closed) pairs; ValueError otherwise."""
    tokens = _TOKEN.findall(d)
    subpaths: list[list] = []  # [points, closed]
    cmd, pen, k = None, None, 0
    while k < len(tokens):
        t = tokens[k]
        if t in ("M", "L", "Z"):
            if t == "Z":
                if not subpaths:
                    raise ValueError("Z before any point")
                subpaths[-1][1] = True
                pen = subpaths[-1][0][0]
            cmd, k = t, k + 1
            continue
        if cmd not in ("M", "L") or k + 1 >= len(tokens):
            raise ValueError(f"bad path near {t!r}")
        try:
            xy = (float(t), float(tokens[k + 1]))
        except ValueError:
            raise ValueError(f"bad number near {t!r}") from None
        if cmd == "M":
            subpaths.append([[xy], False])
            cmd = "L"  # pairs after M are implicit L
        elif subpaths and not subpaths[-1][1]:
            subpaths[-1][0].append(xy)
        elif pen is not None:  # L after Z starts from the closed subpath's first point
            subpaths.append([[pen, xy], False])
        else:
            raise ValueError("L before M")
        k += 2
    return [(np.array(pts, float), closed) for pts, closed in subpaths]
