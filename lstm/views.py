"""Frames: every panel of one trace drawn for a step and a selection, with per-trace caches.

The controller makes one `Views` per (trace, tokens) and calls

    views.draw_all(canvases, step, unit=None, layer=0, losses=None, accuracies=None)
    views.draw_step(canvases, prev, step, unit=None, layer=0)

with canvases a dict holding any of "diagram", "heatmaps", "states", "loss" (missing keys are
skipped). `step` counts the tokens processed, 0..T (0: nothing yet); `unit` is a 0-based unit
or None for the mean over units; `layer` is 0-based. draw_all paints every given panel
completely (on load, reset, resize, selection change); draw_step repaints only what moves
from step `prev` to `step`: the heatmap columns in between and the marker, the state chart
and the diagram. Colour images are made once per (layer, canvas size) and reused.
"""

from .draw.canvas import Canvas, draw_placeholder
from .draw.curve import draw_curve
from .draw.diagram import CellDiagram, cell_values
from .draw.heatmap import GateHeatmaps, token_label
from .draw.states import PLACEHOLDER, StateChart

HEATMAPS_PLACEHOLDER = "Gate activity heatmaps will appear here"
# each canvas's width and height in index.html (CSS pixels), for benches, pictures and tests
CANVAS_SIZES = {"diagram": (900, 340), "heatmaps": (900, 460), "states": (900, 300),
                "loss": (900, 220)}


def draw_empty(canvases: dict[str, Canvas], caption: str = "no sequence yet") -> None:
    """Every given panel with no sequence: the bare diagram and the placeholder messages."""
    if "diagram" in canvases:
        canvas = canvases["diagram"]
        CellDiagram(canvas.width, canvas.height).draw(canvas, None, "", caption)
    if "heatmaps" in canvases:
        draw_placeholder(canvases["heatmaps"], HEATMAPS_PLACEHOLDER)
    if "states" in canvases:
        draw_placeholder(canvases["states"], PLACEHOLDER)


class Views:
    """The panels of one trace (a model.Trace) over its tokens (T strings)."""

    def __init__(self, trace, tokens: list[str]):
        self.trace, self.tokens = trace, list(tokens)
        self.T = trace.layers[0].h.shape[0]
        self.H = trace.layers[0].h.shape[1]
        if len(self.tokens) != self.T:
            raise ValueError(f"{len(self.tokens)} tokens for a trace of {self.T} steps")
        self._cache: dict[tuple, object] = {}

    def _get(self, kind: str, layer: int, canvas: Canvas):
        key = (kind, layer, canvas.width, canvas.height)
        if key not in self._cache:
            lt = self.trace.layers[layer]
            if kind == "heatmaps":
                self._cache[key] = GateHeatmaps(lt, self.tokens, canvas.width, canvas.height)
            elif kind == "states":
                self._cache[key] = StateChart(lt.c, lt.h, canvas.width, canvas.height)
            else:
                self._cache[key] = CellDiagram(canvas.width, canvas.height)
        return self._cache[key]

    def caption(self, step: int, unit: int | None, layer: int) -> str:
        """The diagram's title: whose values, at which token."""
        units = f"units 0-{self.H - 1}"
        who = f"mean over {self.H} units" if unit is None else f"unit {unit} ({units})"
        if len(self.trace.layers) > 1:
            who = f"layer {layer + 1} of {len(self.trace.layers)} · {who}"
        if step <= 0:
            return f"{who} · before the first token (states start at 0)"
        return f"{who} · token {step} of {self.T}"

    def draw_diagram(self, canvas: Canvas, step: int, unit: int | None, layer: int) -> None:
        lt = self.trace.layers[layer]
        token = f"'{token_label(self.tokens[step - 1])}'" if step > 0 else ""
        self._get("diagram", layer, canvas).draw(
            canvas, cell_values(lt, step, unit), token, self.caption(step, unit, layer))

    def draw_all(self, canvases: dict[str, Canvas], step: int, unit: int | None = None,
                 layer: int = 0, losses=None, accuracies=None) -> None:
        """Every given panel, complete, after `step` tokens."""
        step = max(0, min(step, self.T))
        if "diagram" in canvases:
            self.draw_diagram(canvases["diagram"], step, unit, layer)
        if "heatmaps" in canvases:
            self._get("heatmaps", layer, canvases["heatmaps"]).draw(canvases["heatmaps"], step)
        if "states" in canvases:
            self._get("states", layer, canvases["states"]).draw(canvases["states"], step, unit)
        if "loss" in canvases:
            draw_curve(canvases["loss"], [] if losses is None else losses, accuracies)

    def draw_step(self, canvases: dict[str, Canvas], prev: int, step: int,
                  unit: int | None = None, layer: int = 0) -> None:
        """Only what changes from `prev` tokens to `step` tokens (the loss panel is untouched)."""
        prev, step = (max(0, min(s, self.T)) for s in (prev, step))
        if "diagram" in canvases:
            self.draw_diagram(canvases["diagram"], step, unit, layer)
        if "heatmaps" in canvases:
            self._get("heatmaps", layer, canvases["heatmaps"]).draw_step(
                canvases["heatmaps"], prev, step)
        if "states" in canvases:
            self._get("states", layer, canvases["states"]).draw(canvases["states"], step, unit)
