"""What a panel drew where: rectangles, each with the `Hit` it stands for.

A panel fills a HitBoxes while it draws and answers `hit(x, y)` from it. Lookup is one
vectorised test over every box (a hover must cost well under a millisecond); where boxes
overlap, the one added last (drawn on top) wins. A pointer outside every box, or not a finite
number, finds nothing.
"""

from __future__ import annotations

import math

import numpy as np

from ..focus import Hit


class HitBoxes:
    """Boxes (x, y, w, h in CSS pixels) and their Hits, from one draw."""

    def __init__(self):
        self.clear()

    def clear(self) -> None:
        self._boxes: list[tuple[float, float, float, float]] = []
        self._hits: list[Hit] = []
        self._array: np.ndarray | None = None

    def add(self, x: float, y: float, w: float, h: float, hit: Hit) -> None:
        self._boxes.append((x, y, x + w, y + h))
        self._hits.append(hit)
        self._array = None

    def extend(self, boxes: np.ndarray, hits: list[Hit]) -> None:
        """Many boxes at once: boxes (N, 4) as x, y, w, h."""
        b = np.asarray(boxes, float).reshape(-1, 4)
        self._boxes.extend(zip(b[:, 0], b[:, 1], b[:, 0] + b[:, 2], b[:, 1] + b[:, 3],
                               strict=True))
        self._hits.extend(hits)
        self._array = None

    def __len__(self) -> int:
        return len(self._hits)

    def at(self, x: float, y: float) -> Hit | None:
        """The Hit of the topmost box holding (x, y), or None."""
        try:
            x, y = float(x), float(y)
        except (TypeError, ValueError):
            return None
        if not (self._hits and math.isfinite(x) and math.isfinite(y)):
            return None
        if self._array is None:
            self._array = np.array(self._boxes, float).reshape(-1, 4)
        b = self._array
        inside = np.flatnonzero((b[:, 0] <= x) & (x < b[:, 2]) & (b[:, 1] <= y) & (y < b[:, 3]))
        return self._hits[int(inside[-1])] if len(inside) else None
