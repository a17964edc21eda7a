"""The training curve: loss (left axis) and accuracy (right axis, dashed) over training steps.

Loss is drawn raw (faint) and as a moving average; accuracy as a dashed moving average.
Lines are decimated to at most two points per pixel column, so a long run costs the same as
a short one. Colours stay out of the gate palette: loss is ink, accuracy muted and dashed,
and the legend says which is which.
"""

import numpy as np

from .. import colors
from .canvas import (
    Canvas,
    column_bins,
    decimate,
    draw_placeholder,
    fit_text,
    label,
    path,
    text_width,
)

LEFT, RIGHT, TOP, BOTTOM = 56, 52, 30, 36
PLACEHOLDER = "The loss curve will appear here while the model trains"


def nice_ceiling(v: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is >= v (v > 0)."""
    e = 10 ** np.floor(np.log10(v))
    return float(next(m * e for m in (1, 2, 2.5, 5, 10) if m * e >= v * (1 - 1e-9)))


def smooth(v: np.ndarray) -> np.ndarray:
    """A trailing moving average over ~1/50 of the series (noisy per-batch numbers read calmer)."""
    k = max(1, len(v) // 50)
    c = np.cumsum(np.concatenate([[0.0], v]))
    n = np.minimum(np.arange(1, len(v) + 1), k)
    return (c[1:] - c[np.arange(1, len(v) + 1) - n]) / n


def curve_points(v: np.ndarray, x0: float, x1: float, y0: float, y1: float,
                 top: float) -> np.ndarray:
    """Points (N, 2) of a series on [x0, x1] with value 0 at y0 and `top` at y1."""
    n = max(int(x1 - x0), 1)
    if len(v) > n:
        xs = np.repeat(x0 + np.arange(n) + 0.5, 2)
        v = decimate(v[:, None], column_bins(len(v), n))[:, 0]
    else:
        xs = x0 + np.arange(len(v)) * (x1 - x0) / max(len(v) - 1, 1)
    return np.stack([xs, y0 + (y1 - y0) * v / top], axis=1)


def draw_curve(canvas: Canvas, losses, accuracies=None) -> None:
    """Loss per training step (and accuracy in 0..1 if given) on the whole canvas."""
    W, H = canvas.width, canvas.height
    canvas.fill_rect(0, 0, W, H, colors.PAPER)
    loss = np.asarray(losses, np.float64).ravel()
    loss = loss[np.isfinite(loss)]
    if len(loss) == 0:
        draw_placeholder(canvas, PLACEHOLDER)
        return
    x0, x1, y0, y1 = LEFT, W - RIGHT, H - BOTTOM, TOP
    top = nice_ceiling(max(float(loss.max()), 1e-6))
    axes = path([(x0, y1), (x0, y0), (x1, y0)])
    canvas.stroke_path(axes, colors.AXIS, 1.5)
    canvas.stroke_path(path(curve_points(loss, x0, x1, y0, y1, top)), colors.rgba(colors.INK, 0.25))
    canvas.stroke_path(path(curve_points(smooth(loss), x0, x1, y0, y1, top)), colors.INK, 1.5)
    legend = [f"loss (left axis) {loss[-1]:.3f}"]
    labels = []
    if accuracies is not None and len(accuracies):
        acc = np.clip(np.asarray(accuracies, np.float64).ravel(), 0, 1)
        canvas.stroke_path(path([(x1, y1), (x1, y0)]) + path(curve_points(
            smooth(acc), x0, x1, y0, y1, 1.0)), colors.MUTED, 1.5, (4, 3))
        labels += [label("100%", x1 + 6, y1, colors.MUTED, 11, baseline="middle"),
                   label("0%", x1 + 6, y0, colors.MUTED, 11, baseline="middle")]
        legend.append(f"- - accuracy (right axis) {100 * acc[-1]:.1f}%")
        if text_width("   ".join(legend), 12) > x1 - x0:  # a narrow canvas: the short form
            legend = [f"loss {loss[-1]:.3f}", f"- - accuracy {100 * acc[-1]:.1f}% (right)"]
    canvas.texts([
        *labels,
        label(fit_text(legend, W - x0 - 8, 12, "   "), x0, 16, colors.INK, 12,
              baseline="middle"),
        label(f"{top:g}", x0 - 6, y1, colors.MUTED, 11, align="right", baseline="middle"),
        label("0", x0 - 6, y0, colors.MUTED, 11, align="right", baseline="middle"),
        label(f"training step (1-{len(loss)})", (x0 + x1) / 2, H - 10, colors.AXIS, 12,
              align="center", bold=True),
    ])
