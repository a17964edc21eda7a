"""A headless Canvas that writes SVG: the same drawings as the browser, as a vector file.

put_rgba becomes an embedded PNG image (pixelated, so heatmap cells stay crisp). Unlike
putImageData it draws over what is below instead of replacing it.
"""

import base64
import math
import re

import numpy as np

from .raster import encode_png

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ANCHOR = {"left": "start", "start": "start", "center": "middle", "right": "end", "end": "end"}
_BASELINE = {"alphabetic": "alphabetic", "top": "text-before-edge", "hanging": "hanging",
             "middle": "central", "bottom": "text-after-edge", "ideographic": "ideographic"}
FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace"


def xml_text(s: str) -> str:
    """s escaped for XML text and attribute values; characters XML forbids become U+FFFD."""
    s = _NOT_XML.sub("\ufffd", s)
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _num(v: float) -> str:
    return f"{float(v):.2f}".rstrip("0").rstrip(".")


class SvgCanvas:
    """Canvas that collects SVG elements; `svg()` gives the document."""

    def __init__(self, width: int, height: int):
        self.width, self.height = int(width), int(height)
        self._parts: list[str] = []

    def clear(self) -> None:
        self._parts.clear()

    def fill_rect(self, x, y, w, h, color):
        x, w = (x + w, -w) if w < 0 else (x, w)
        y, h = (y + h, -h) if h < 0 else (y, h)
        self._parts.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" '
                           f'height="{_num(h)}" fill="{xml_text(color)}"/>')

    def put_rgba(self, x, y, w, h, data):
        if w == 0 or h == 0:
            return
        img = np.frombuffer(data, np.uint8).reshape(h, w, 4)
        uri = "data:image/png;base64," + base64.b64encode(encode_png(img)).decode("ascii")
        self._parts.append(f'<image x="{x}" y="{y}" width="{w}" height="{h}" '
                           f'style="image-rendering:pixelated" href="{uri}"/>')

    def stroke_path(self, d, color, width=1.0, dash=()):
        dash_attr = f' stroke-dasharray="{" ".join(_num(v) for v in dash)}"' if dash else ""
        self._parts.append(f'<path d="{xml_text(d)}" fill="none" stroke="{xml_text(color)}" '
                           f'stroke-width="{_num(width)}"{dash_attr}/>')

    def fill_path(self, d, color):
        self._parts.append(f'<path d="{xml_text(d)}" fill="{xml_text(color)}"/>')

    def text(self, s, x, y, color, size=12, align="left", baseline="alphabetic", bold=False,
             angle=0.0):
        rotate = (f' transform="rotate({_num(math.degrees(angle))} {_num(x)} {_num(y)})"'
                  if angle else "")
        weight = ' font-weight="bold"' if bold else ""
        self._parts.append(
            f'<text x="{_num(x)}" y="{_num(y)}" fill="{xml_text(color)}" font-size="{_num(size)}" '
            f'text-anchor="{_ANCHOR[align]}" dominant-baseline="{_BASELINE[baseline]}"'
            f'{weight}{rotate} xml:space="preserve">{xml_text(s)}</text>')

    def texts(self, items):
        for item in items:
            self.text(*item)

    def svg(self) -> str:
        """The SVG document."""
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" '
                f'height="{self.height}" viewBox="0 0 {self.width} {self.height}" '
                f'font-family="{xml_text(FONT)}">\n' + "\n".join(self._parts) + "\n</svg>\n")
