"""Pixel helpers for the browser tests: what a recorded canvas should show, what a page shows."""

import base64
import math

import numpy as np


def composed(calls: list[tuple[str, tuple]], width: int, height: int):
    """The pixels a recorded canvas ends with where its images decide them: RGBA (H, W, 4) and a
    (H, W) mask of the pixels last written by put_rgba (clear() and fill_rect() unset them)."""
    rgba = np.zeros((height, width, 4), np.uint8)
    known = np.zeros((height, width), bool)
    for name, args in calls:
        if name == "clear":
            known[:] = False
        elif name == "put_rgba":
            x, y, w, h, data = args
            rgba[y:y + h, x:x + w] = np.frombuffer(data, np.uint8).reshape(h, w, 4)
            known[y:y + h, x:x + w] = True
        elif name == "fill_rect":
            x, y, w, h, _ = args
            rows = slice(max(math.floor(y), 0), max(math.ceil(y + h), 0))
            known[rows, max(math.floor(x), 0):max(math.ceil(x + w), 0)] = False
    return rgba, known


# A canvas's backing store as [width, height, base64 RGBA] (one string: no per-byte transfer).
READ_CANVAS = """c => {
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let s = "";
  for (let i = 0; i < d.length; i += 32768)
    s += String.fromCharCode.apply(null, d.subarray(i, i + 32768));
  return [c.width, c.height, btoa(s)];
}"""


def rgba_array(result: list) -> np.ndarray:
    width, height, data = result
    return np.frombuffer(base64.b64decode(data), np.uint8).reshape(height, width, 4)


def canvas_pixels(page, id: str) -> np.ndarray:
    """A canvas's backing store as RGBA (H, W, 4), read with getImageData."""
    return rgba_array(page.evaluate(f"id => ({READ_CANVAS})(document.getElementById(id))", id))


def shown_pixels(page, selector: str) -> np.ndarray:
    """What the screen shows of an element (CSS backgrounds included) as RGBA (H, W, 4): its
    screenshot, decoded by the page itself into a scratch canvas."""
    png = base64.b64encode(page.locator(selector).screenshot()).decode()
    return rgba_array(page.evaluate(f"""async png => {{
        const img = new Image();
        img.src = "data:image/png;base64," + png;
        await img.decode();
        const c = document.createElement("canvas");
        c.width = img.width; c.height = img.height;
        c.getContext("2d").drawImage(img, 0, 0);
        return ({READ_CANVAS})(c);
      }}""", png))
