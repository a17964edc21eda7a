"""A headless Canvas that rasterises into a NumPy RGBA buffer and writes PNG (stdlib zlib only).

Used by the tests (pixels read back at known places), for the README pictures and for export
in the browser. Shapes are filled where pixel centres fall inside (non-zero winding, as the
browser's default); `scale` renders at scale x scale samples per CSS pixel and averages them,
which gives anti-aliased pictures. Text uses a built-in 5x7 bitmap font (ASCII, a few symbols
the panels use; anything else is drawn as a box).
"""

import itertools
import math
import re
import struct
import zlib

import numpy as np

from .canvas import parse_path

# 5x7 font, column-major: five bytes per glyph, bit 0 is the top row (the classic LCD font).
_ASCII = """
00 00 00 00 00 00 00 5f 00 00 00 07 00 07 00 14 7f 14 7f 14 24 2a 7f 2a 12 23 13 08 64 62
36 49 55 22 50 00 05 03 00 00 00 1c 22 41 00 00 41 22 1c 00 08 2a 1c 2a 08 08 08 3e 08 08
00 50 30 00 00 08 08 08 08 08 00 60 60 00 00 20 10 08 04 02 3e 51 49 45 3e 00 42 7f 40 00
42 61 51 49 46 21 41 45 4b 31 18 14 12 7f 10 27 45 45 45 39 3c 4a 49 49 30 01 71 09 05 03
36 49 49 49 36 06 49 49 29 1e 00 36 36 00 00 00 56 36 00 00 08 14 22 41 00 14 14 14 14 14
00 41 22 14 08 02 01 51 09 06 32 49 79 41 3e 7e 11 11 11 7e 7f 49 49 49 36 3e 41 41 41 22
7f 41 41 22 1c 7f 49 49 49 41 7f 09 09 01 01 3e 41 41 51 32 7f 08 08 08 7f 00 41 7f 41 00
20 40 41 3f 01 7f 08 14 22 41 7f 40 40 40 40 7f 02 04 02 7f 7f 04 08 10 7f 3e 41 41 41 3e
7f 09 09 09 06 3e 41 51 21 5e 7f 09 19 29 46 46 49 49 49 31 01 01 7f 01 01 3f 40 40 40 3f
1f 20 40 20 1f 7f 20 18 20 7f 63 14 08 14 63 03 04 78 04 03 61 51 49 45 43 00 00 7f 41 41
02 04 08 10 20 41 41 7f 00 00 04 02 01 02 04 40 40 40 40 40 00 01 02 04 00 20 54 54 54 78
7f 48 44 44 38 38 44 44 44 20 38 44 44 48 7f 38 54 54 54 18 08 7e 09 01 02 08 14 54 54 3c
7f 08 04 04 78 00 44 7d 40 00 20 40 44 3d 00 00 7f 10 28 44 00 41 7f 40 00 7c 04 18 04 78
7c 08 04 04 78 38 44 44 44 38 7c 14 14 14 08 08 14 14 18 7c 7c 08 04 04 08 48 54 54 54 20
04 3f 44 40 20 3c 40 40 20 7c 1c 20 40 20 1c 3c 40 30 40 3c 44 28 10 28 44 0c 50 50 50 3c
44 64 54 4c 44 00 08 36 41 00 00 00 7f 00 00 00 41 36 08 00 02 01 02 04 02
"""
_EXTRA = {  # symbols the panels write
    "σ": "38 44 44 3c 04", "×": "22 14 08 14 22", "−": "08 08 08 08 08", "–": "08 08 08 08 08",
    "…": "40 00 40 00 40", "·": "00 00 08 00 00", "␣": "60 40 40 40 60", "↵": "08 1c 08 08 0f",
    "⇥": "08 2a 1c 08 7f", "ₜ": "00 10 38 50 00", "₋": "00 20 20 20 00", "₁": "00 50 78 40 00",
    "⊙": "1c 22 2a 22 1c", "ᵀ": "01 01 1f 01 01",
}
_BOX = "7f 41 41 41 7f"


def _glyph(hex5: str) -> np.ndarray:
    cols = [int(h, 16) for h in hex5.split()]
    return np.array([[(c >> r) & 1 for c in cols] for r in range(7)], bool)  # (7, 5)


_ASCII_BYTES = _ASCII.split()
_GLYPHS = {chr(32 + k): _glyph(" ".join(_ASCII_BYTES[5 * k : 5 * k + 5]))
           for k in range(len(_ASCII_BYTES) // 5)}
_GLYPHS.update({ch: _glyph(h) for ch, h in _EXTRA.items()})
_BOX_GLYPH = _glyph(_BOX)

_RGBA = re.compile(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)")


def parse_color(color: str) -> tuple[float, float, float, float]:
    """'#rrggbb' / 'rgb(...)' / 'rgba(...)' -> (r, g, b, a) floats in 0..1."""
    if color.startswith("#") and len(color) == 7:
        return (int(color[1:3], 16) / 255, int(color[3:5], 16) / 255, int(color[5:7], 16) / 255,
                1.0)
    m = _RGBA.fullmatch(color.strip())
    if not m:
        raise ValueError(f"unknown colour {color!r}")
    a = 1.0 if m.group(4) is None else float(m.group(4))
    return float(m.group(1)) / 255, float(m.group(2)) / 255, float(m.group(3)) / 255, a


def encode_png(rgba: np.ndarray) -> bytes:
    """PNG bytes of an (H, W, 4) uint8 RGBA image (8-bit, no filter, zlib)."""
    h, w = rgba.shape[:2]
    raw = np.zeros((h, 1 + 4 * w), np.uint8)
    raw[:, 1:] = rgba.reshape(h, 4 * w)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6)) + chunk(b"IEND", b""))


def decode_png(data: bytes) -> np.ndarray:
    """(H, W, 4) uint8 from PNG bytes written by encode_png (RGBA, 8-bit, filter 0 only)."""
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            w, h = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + 4 * w)
    if raw[:, 0].any():
        raise ValueError("only filter type 0 is supported")
    return raw[:, 1:].reshape(h, w, 4).copy()


def _winding_mask(edges: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, int, int]:
    """Pixels whose centres are inside edges (E, 4: x0 y0 x1 y1), non-zero rule.

    Returns (mask, row0, col0): the mask covers only the edges' bounding box.
    """
    H, W = shape
    x0, y0, x1, y1 = edges.T
    keep = (y0 != y1) & np.isfinite(edges).all(axis=1)
    x0, y0, x1, y1 = x0[keep], y0[keep], x1[keep], y1[keep]
    if len(x0) == 0:
        return np.zeros((0, 0), bool), 0, 0
    r_lo = np.clip(np.ceil(np.minimum(y0, y1) - 0.5), 0, H).astype(np.int64)
    r_hi = np.clip(np.ceil(np.maximum(y0, y1) - 0.5), 0, H).astype(np.int64)
    row0, row1 = int(r_lo.min()), int(r_hi.max())
    col0 = int(np.clip(np.floor(min(x0.min(), x1.min())), 0, W))
    col1 = int(np.clip(np.ceil(max(x0.max(), x1.max())) + 1, 0, W))
    if row1 <= row0 or col1 <= col0:
        return np.zeros((0, 0), bool), 0, 0
    counts = r_hi - r_lo
    e = np.repeat(np.arange(len(x0)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    rows = np.repeat(r_lo, counts) + (np.arange(len(e)) - starts)
    yc = rows + 0.5
    xc = x0[e] + (yc - y0[e]) * (x1[e] - x0[e]) / (y1[e] - y0[e])
    cols = np.clip(np.ceil(xc - 0.5), col0, col1).astype(np.int64) - col0
    diff = np.zeros((row1 - row0, col1 - col0 + 1), np.int32)
    np.add.at(diff, (rows - row0, cols), np.where(y1 > y0, 1, -1)[e])
    return np.cumsum(diff[:, :-1], axis=1) != 0, row0, col0


def _polygon_edges(polygons: list[np.ndarray]) -> np.ndarray:
    """Edges (E, 4) of closed polygons."""
    parts = [np.concatenate([p, np.roll(p, -1, axis=0)], axis=1) for p in polygons if len(p) > 1]
    return np.concatenate(parts) if parts else np.zeros((0, 4))


def _dashed(points: np.ndarray, dash: tuple[float, ...]) -> list[np.ndarray]:
    """The 'on' pieces of a polyline under a dash pattern (lengths in the points' units)."""
    pieces, pattern = [], [float(v) for v in dash] * (2 if len(dash) % 2 else 1)
    k, left, on, current = 0, pattern[0], True, [points[0]]
    for a, b in itertools.pairwise(points):
        seg = float(np.hypot(*(b - a)))
        pos = 0.0
        while seg - pos > left:
            pos += left
            p = a + (b - a) * (pos / seg)
            if on:
                current.append(p)
                pieces.append(np.array(current))
            current = [p]
            on = not on
            k = (k + 1) % len(pattern)
            left = pattern[k]
        left -= seg - pos
        if on:
            current.append(b)
    if on and len(current) > 1:
        pieces.append(np.array(current))
    return pieces


class RasterCanvas:
    """Canvas into an RGBA buffer; `pixels()` gives (height, width, 4) uint8, `png()` its PNG."""

    def __init__(self, width: int, height: int, scale: int = 1):
        self.width, self.height, self.scale = int(width), int(height), int(scale)
        self._buf = np.zeros((self.height * scale, self.width * scale, 4), np.float32)

    # -- Canvas ----------------------------------------------------------------------------
    def clear(self) -> None:
        self._buf[:] = 0

    def fill_rect(self, x: float, y: float, w: float, h: float, color: str) -> None:
        s = self.scale
        x0, x1 = sorted((x * s, (x + w) * s))
        y0, y1 = sorted((y * s, (y + h) * s))
        H, W = self._buf.shape[:2]
        c0, c1 = (int(np.clip(math.ceil(v - 0.5), 0, W)) for v in (x0, x1))
        r0, r1 = (int(np.clip(math.ceil(v - 0.5), 0, H)) for v in (y0, y1))
        self._blend(np.ones((r1 - r0, c1 - c0), bool), r0, c0, color)

    def put_rgba(self, x: int, y: int, w: int, h: int, data: bytes) -> None:
        img = np.frombuffer(data, np.uint8).reshape(h, w, 4).astype(np.float32) / 255
        img[..., :3] *= img[..., 3:]
        s = self.scale
        if s > 1:
            img = img.repeat(s, axis=0).repeat(s, axis=1)
        H, W = self._buf.shape[:2]
        r0, c0 = y * s, x * s
        rr0, cc0 = max(r0, 0), max(c0, 0)
        rr1, cc1 = min(r0 + h * s, H), min(c0 + w * s, W)
        if rr1 > rr0 and cc1 > cc0:
            self._buf[rr0:rr1, cc0:cc1] = img[rr0 - r0 : rr1 - r0, cc0 - c0 : cc1 - c0]

    def fill_path(self, d: str, color: str) -> None:
        polys = [pts * self.scale for pts, _ in parse_path(d)]
        self._fill_edges(_polygon_edges(polys), color)

    def stroke_path(self, d: str, color: str, width: float = 1.0, dash: tuple = ()) -> None:
        s = self.scale
        lines = []
        for pts, closed in parse_path(d):
            pts = np.concatenate([pts, pts[:1]]) if closed else pts
            lines.extend(_dashed(pts, dash) if dash and any(dash) else [pts])
        segs = [np.concatenate([p[:-1], p[1:]], axis=1) for p in lines if len(p) > 1]
        if not segs:
            return
        seg = np.concatenate(segs) * s  # (S, 4)
        a, b = seg[:, :2], seg[:, 2:]
        length = np.hypot(*(b - a).T)
        a, b, length = a[length > 0], b[length > 0], length[length > 0]
        hw = max(float(width), 1.0) * s / 2
        u = (b - a) / length[:, None] * hw
        n = np.stack([-u[:, 1], u[:, 0]], axis=1)
        a, b = a - u, b + u  # square caps also cover the joins
        quad = np.stack([a + n, b + n, b - n, a - n], axis=1)  # (S, 4, 2), all one orientation
        edges = np.concatenate([quad, np.roll(quad, -1, axis=1)], axis=2).reshape(-1, 4)
        self._fill_edges(edges, color)

    def text(self, s: str, x: float, y: float, color: str, size: float = 12,
             align: str = "left", baseline: str = "alphabetic", bold: bool = False,
             angle: float = 0.0) -> None:
        if not s:
            return
        k = size * self.scale / 10  # device pixels per font unit (a glyph cell is 6 x 10 units)
        glyphs = [_GLYPHS.get(ch, _BOX_GLYPH) for ch in s]
        font = np.zeros((7, 6 * len(s)), bool)
        for i, g in enumerate(glyphs):
            font[:, 6 * i : 6 * i + 5] = g
        rows, cols = max(1, math.ceil(7 * k)), max(1, math.ceil((6 * len(s) - 1) * k))
        r = np.minimum(((np.arange(rows) + 0.5) // k).astype(int), 6)
        c = np.minimum(((np.arange(cols) + 0.5) // k).astype(int), font.shape[1] - 1)
        mask = font[r][:, c]
        if bold:
            shift = max(1, round(k / 2))
            mask[:, shift:] |= mask[:, :-shift].copy()
        ox = {"left": 0.0, "start": 0.0, "center": -cols / 2, "right": -cols, "end": -cols}[align]
        top = {"alphabetic": -7, "top": 1, "hanging": 1, "middle": -4, "bottom": -9,
               "ideographic": -9}[baseline]
        self._blend_rotated(mask, x * self.scale, y * self.scale, ox, top * k, angle, color)

    def texts(self, items: list[tuple]) -> None:
        for item in items:
            self.text(*item)

    # -- reading back ----------------------------------------------------------------------
    def pixels(self) -> np.ndarray:
        """The picture (height, width, 4) uint8, straight (not premultiplied) alpha."""
        s, buf = self.scale, self._buf
        if s > 1:
            buf = buf.reshape(self.height, s, self.width, s, 4).mean(axis=(1, 3))
        a = buf[..., 3:]
        rgb = np.where(a > 0, buf[..., :3] / np.maximum(a, 1e-6), 0)
        return np.rint(np.concatenate([rgb, a], axis=2) * 255).clip(0, 255).astype(np.uint8)

    def pixel(self, x: int, y: int) -> tuple[int, int, int, int]:
        """(r, g, b, a) at CSS pixel (x, y)."""
        s = self.scale
        block = self._buf[y * s : (y + 1) * s, x * s : (x + 1) * s].reshape(-1, 4).mean(axis=0)
        a = block[3]
        rgb = block[:3] / a if a > 0 else block[:3]
        return (*(round(float(v) * 255) for v in rgb), round(float(a) * 255))

    def png(self) -> bytes:
        return encode_png(self.pixels())

    def save(self, filename: str) -> None:
        with open(filename, "wb") as f:
            f.write(self.png())

    # -- internals -------------------------------------------------------------------------
    def _fill_edges(self, edges: np.ndarray, color: str) -> None:
        mask, r0, c0 = _winding_mask(edges, self._buf.shape[:2])
        self._blend(mask, r0, c0, color)

    def _blend(self, mask: np.ndarray, r0: int, c0: int, color: str) -> None:
        if mask.size == 0:
            return
        r, g, b, a = parse_color(color)
        src = np.array([r * a, g * a, b * a, a], np.float32)
        region = self._buf[r0 : r0 + mask.shape[0], c0 : c0 + mask.shape[1]]
        region[mask] = src + region[mask] * (1 - a)

    def _blend_rotated(self, mask, x, y, ox, oy, angle, color) -> None:
        """Blend mask (top-left at (ox, oy) in text space) rotated by angle about (x, y)."""
        c, s = math.cos(angle), math.sin(angle)
        h, w = mask.shape
        corners = np.array([[ox, oy], [ox + w, oy], [ox, oy + h], [ox + w, oy + h]])
        X = x + corners[:, 0] * c - corners[:, 1] * s
        Y = y + corners[:, 0] * s + corners[:, 1] * c
        H, W = self._buf.shape[:2]
        c0, c1 = int(max(math.floor(X.min()), 0)), int(min(math.ceil(X.max()), W))
        r0, r1 = int(max(math.floor(Y.min()), 0)), int(min(math.ceil(Y.max()), H))
        if c1 <= c0 or r1 <= r0:
            return
        dx = np.arange(c0, c1) + 0.5 - x
        dy = (np.arange(r0, r1) + 0.5 - y)[:, None]
        u = np.floor(dx * c + dy * s - ox).astype(np.int64)
        v = np.floor(-dx * s + dy * c - oy).astype(np.int64)
        inside = (u >= 0) & (u < w) & (v >= 0) & (v < h)
        out = np.zeros(inside.shape, bool)
        out[inside] = mask[v[inside], u[inside]]
        self._blend(out, r0, c0, color)
