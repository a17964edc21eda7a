"""The panel registry: every view of a trace, its canvas, its size, what it draws, its hit test.

A panel is one drawing module (a class in `lstm/draw/`) and one `Panel` line in PANELS:

    Panel(id, size, make, data)
        id      the <canvas> id in index.html (tests check the page against PANELS)
        size    (width, height) in CSS pixels, as index.html declares it
        make    (scene, layer, width, height) -> drawer, made once per trace, layer and size
        data    (scene, view) -> what the drawer draws (default: the view itself)

A drawer has `draw(canvas, data, focus)`, optionally `draw_step(canvas, data, focus, prev)`
(what moves from step `prev` to focus.step, when the view only advanced), and `hit(x, y)`
(what its last drawing put at a point, a `Hit`, or None). `Frames` keeps the drawers of one
scene and draws every panel from one `ViewState`; the controller, the benchmark, the pictures
and the tests all go through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..draw.canvas import Canvas, draw_placeholder
from ..draw.diagram import CellDiagram, cell_values
from ..draw.heatmap import GateHeatmaps, token_label
from ..draw.states import StateChart
from ..focus import Hit
from ..model import LSTM, Trace
from .state import ViewState


@dataclass
class Scene:
    """One trace of a text by a model, and what the panels computed from it (memo).

    tokens: T strings; labels: the output layer's names (vocabulary or task labels), or None;
    truth: (T,) the true output label id after each step, -1 where unknown, or None.
    """

    model: LSTM | None
    trace: Trace
    tokens: list[str]
    labels: list[str] | None = None
    truth: np.ndarray | None = None
    memo: dict = field(default_factory=dict)

    def __post_init__(self):
        if len(self.tokens) != self.trace.steps:
            raise ValueError(f"{len(self.tokens)} tokens for a trace of {self.trace.steps} steps")

    @property
    def T(self) -> int:  # noqa: N802  (the paper's name)
        return self.trace.steps

    @property
    def H(self) -> int:  # noqa: N802
        return self.trace.layers[0].h.shape[1]

    def cached(self, key: tuple, make: Callable[[], object]) -> object:
        """make(), computed once per scene and key."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def token(self, step: int) -> str:
        """The step-th token (1-based) as the panels write it; '' at step 0."""
        return token_label(self.tokens[step - 1]) if 0 < step <= self.T else ""


@dataclass(frozen=True)
class Panel:
    id: str
    size: tuple[int, int]
    make: Callable[[Scene, int, int, int], object]
    data: Callable[[Scene, ViewState], object] = lambda scene, view: view
    empty: str = ""  # the placeholder before any trace


def diagram_caption(scene: Scene, view: ViewState) -> str:
    """The diagram's title: whose values, at which token."""
    unit, layer, step, H = view.focus.unit, view.focus.layer, view.focus.step, scene.H
    who = f"mean over {H} units" if unit is None else f"unit {unit} (units 0-{H - 1})"
    if len(scene.trace.layers) > 1:
        who = f"layer {layer + 1} of {len(scene.trace.layers)} · {who}"
    if step <= 0:
        return f"{who} · before the first token (states start at 0)"
    return f"{who} · token {step} of {scene.T}"


def diagram_data(scene: Scene, view: ViewState):
    f = view.focus
    token = f"'{scene.token(f.step)}'" if f.step > 0 else ""
    return (cell_values(scene.trace.layers[f.layer], f.step, f.unit), token,
            diagram_caption(scene, view))


PANELS = [
    Panel("diagram", (900, 340), lambda s, k, w, h: CellDiagram(w, h), diagram_data),
    Panel("heatmaps", (900, 460),
          lambda s, k, w, h: GateHeatmaps(s.trace.layers[k], s.tokens, w, h, index=k),
          empty="Gate activity heatmaps will appear here"),
    Panel("states", (900, 300),
          lambda s, k, w, h: StateChart(s.trace.layers[k].c, s.trace.layers[k].h, w, h, index=k),
          empty="Cell state and hidden state evolution will appear here"),
]
REGISTRY = {p.id: p for p in PANELS}
# Every canvas of index.html and its size in CSS pixels (the loss curve is the training panel's).
CANVAS_SIZES = {**{p.id: p.size for p in PANELS}, "loss": (900, 220)}


def draw_empty(canvases: dict[str, Canvas], caption: str = "no sequence yet") -> None:
    """Every given panel with no trace: the bare diagram and the placeholder messages."""
    for panel in PANELS:
        canvas = canvases.get(panel.id)
        if canvas is None:
            continue
        if panel.id == "diagram":
            CellDiagram(canvas.width, canvas.height).draw(canvas, (None, "", caption), None)
        else:
            draw_placeholder(canvas, panel.empty)


class Frames:
    """The drawers of one scene, drawn from a view: all panels, or what moved since a step."""

    def __init__(self, scene: Scene):
        self.scene = scene
        self.drawers: dict[tuple, object] = {}
        self.shown: dict[str, object] = {}  # panel id -> the drawer that drew it last

    def drawer(self, panel: Panel, layer: int, canvas: Canvas):
        key = (panel.id, layer, canvas.width, canvas.height)
        if key not in self.drawers:
            self.drawers[key] = panel.make(self.scene, layer, canvas.width, canvas.height)
        return self.drawers[key]

    def draw(self, canvases: dict[str, Canvas], view: ViewState, prev: int | None = None) -> None:
        """Every panel that has a canvas; with `prev`, only what moved from step prev (the
        drawers that can tell; the others draw whole)."""
        for panel in PANELS:
            canvas = canvases.get(panel.id)
            if canvas is None:
                continue
            drawer = self.drawer(panel, view.focus.layer, canvas)
            data = panel.data(self.scene, view)
            if prev is not None and hasattr(drawer, "draw_step") and \
                    self.shown.get(panel.id) is drawer:
                drawer.draw_step(canvas, data, view.focus, prev)
            else:
                drawer.draw(canvas, data, view.focus)
            self.shown[panel.id] = drawer

    def hit(self, panel_id: str, x: float, y: float) -> Hit | None:
        """What the panel's last drawing shows at (x, y) CSS pixels; None outside anything."""
        drawer = self.shown.get(panel_id)
        return None if drawer is None else drawer.hit(x, y)
