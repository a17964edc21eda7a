"""The stats under the controls: timestep k / N, the cell- and hidden-state norms, the token."""

from __future__ import annotations

import numpy as np

from ..focus import Focus
from ..tokens import show


def stats_texts(trace, tokens: list[str], focus: Focus) -> dict[str, str]:
    """The text of each stat element after focus.step tokens (norms of the focused layer,
    2 decimals); trace may be None before one exists."""
    k, n = focus.step, len(tokens)
    if k > 0 and trace is not None:
        layer = trace.layers[min(focus.layer, len(trace.layers) - 1)]
        cell = float(np.linalg.norm(layer.c[k - 1]))
        hidden = float(np.linalg.norm(layer.h[k - 1]))
        token = show(tokens[k - 1])
    else:
        cell, hidden, token = 0.0, 0.0, "-"
    return {"stat-step": f"{k} / {n}", "stat-cell-norm": f"{cell:.2f}",
            "stat-hidden-norm": f"{hidden:.2f}", "stat-token": token}
