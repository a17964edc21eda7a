"""The panel registry: every view of a trace, its canvas, its size, what it draws, its hit test.

A panel is one drawing module (a class in `lstm/draw/`) and one `Panel` line in PANELS:

    Panel(id, size, make, data)
        id      the <canvas> id in index.html (tests check the page against PANELS)
        size    (width, height) in CSS pixels, as index.html declares it
        make    (scene, layer, width, height) -> drawer, made once per trace, layer and size
        data    (scene, view) -> what the drawer draws (default: the view itself)
        tune    (drawer, view) -> None, for a drawer with a setting of its own (optional)
        height  width -> height in CSS pixels, for a panel that lays itself out taller on
                narrow canvases (optional; default: size's height at every width)

A drawer has `draw(canvas, data, focus)`, optionally `draw_step(canvas, data, focus, prev)`
(what moves from step `prev` to focus.step, when the view only advanced), and `hit(x, y)`
(what its last drawing put at a point, a `Hit`, or None). `Frames` keeps the drawers of one
scene and draws every panel from one `ViewState`; the controller, the benchmark, the pictures
and the tests all go through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from .. import colors
from ..analysis.clamp import Clamp, clamped_trace
from ..analysis.equations import equations_at
from ..analysis.features import Feature, task_labels
from ..analysis.gradflow import Flow, gradient_flow
from ..analysis.predict import prediction_at
from ..analysis.saturation import saturation
from ..draw import counterfactual as counterfactual_panel
from ..draw import diagram, heatmap, tokentext
from ..draw import equations as equations_panel
from ..draw import features as features_panel
from ..draw import gradflow as gradflow_panel
from ..draw import memory as memory_panel
from ..draw import prediction as prediction_panel
from ..draw import saturation as saturation_panel
from ..draw.canvas import Canvas, draw_placeholder
from ..draw.diagram import CellDiagram, cell_values
from ..draw.heatmap import GateHeatmaps, token_label
from ..draw.states import StateChart
from ..focus import Hit
from ..model import LSTM, Trace
from .probes import Probes, scene_feature
from .state import ViewState

FLOWS_KEPT = 8  # gradient flows kept per scene: each is (T + 1, H), one per (layer, unit, step)


@dataclass
class Scene:
    """One trace of a text by a model, and what the panels computed from it (memo).

    tokens: T strings; labels: the output layer's names (vocabulary or task labels), or None;
    truth: (T,) the true output label id after each step, -1 where unknown, or None;
    predicts: what the output layer names ("next token", "depth", ...); tokenizer: "char"
    or "word"; task: the task the model was trained on ("" for none); inputs: what the model
    traced (token ids (T,) or vectors (T, E)), which a clamp traces again; probes: what the
    probe controls ask of this trace (`lstm.ui.probes`).
    """

    model: LSTM | None
    trace: Trace
    tokens: list[str]
    labels: list[str] | None = None
    truth: np.ndarray | None = None
    predicts: str = "next token"
    tokenizer: str = "char"
    task: str = ""
    inputs: np.ndarray | None = None
    probes: Probes = field(default_factory=Probes)
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

    def cached(self, key: tuple, make: Callable[[], object], keep: int | None = None) -> object:
        """make(), computed once per scene and key; with `keep`, at most that many keys of the
        same kind (key[0]) are kept, the oldest dropped first."""
        if key not in self.memo:
            if keep is not None:
                same = [k for k in self.memo if k[0] == key[0]]
                for old in same[: max(len(same) - keep + 1, 0)]:
                    del self.memo[old]
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
    tune: Callable[[object, ViewState], None] | None = None
    title: str = ""  # what the canvas shows, for its text alternative
    deferred: bool = False  # costly: drawn just after the others, once the page has painted
    height: Callable[[int], int] | None = None

    def height_for(self, width: int) -> int:
        """The canvas height (CSS px) the panel wants at `width` CSS px."""
        return self.size[1] if self.height is None else int(self.height(width))


def sized(cls) -> Callable[[Scene, int, int, int], object]:
    """`make` for a drawer that needs only its canvas size."""
    return lambda scene, layer, width, height: cls(width, height)


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


def text_data(scene: Scene, view: ViewState) -> tokentext.TextTrace:
    return scene.cached(("text",), lambda: tokentext.TextTrace(scene.tokens, scene.trace,
                                                               scene.tokenizer))


def equations_data(scene: Scene, view: ViewState):
    return equations_at(scene.model, scene.trace, view.focus, scene.tokens)


def prediction_data(scene: Scene, view: ViewState):
    t = view.focus.step - 1
    truth = None
    if scene.truth is not None and 0 <= t < scene.T and scene.truth[t] >= 0:
        truth = int(scene.truth[t])
    return prediction_at(scene.trace, view.focus, scene.tokens, scene.labels, truth,
                         scene.predicts)


def saturation_data(scene: Scene, view: ViewState):
    """Over the steps revealed so far (the whole text once it is complete)."""
    layer, steps = view.focus.layer, max(view.reached, 1)
    return scene.cached(("saturation", layer, steps),
                        lambda: saturation(scene.trace, layer, steps))


@dataclass(frozen=True)
class Inspection:
    """What a time-aligned inspection panel draws (lstm/draw/memory, features, counterfactual,
    gradflow): the trace and its tokens, and the part that panel reads."""

    trace: Trace
    tokens: list[str]
    feature: Feature | None = None
    problem: str = ""  # why there is no feature
    clamped: Trace | None = None
    clamps: tuple[Clamp, ...] = ()
    outputs: list[str] | None = None
    labels: tuple[np.ndarray, np.ndarray] | None = None  # (targets (T,), scored (T,) bool)
    flow: Flow | None = None


def memory_data(scene: Scene, view: ViewState) -> Inspection:
    return Inspection(scene.trace, scene.tokens)


def features_data(scene: Scene, view: ViewState) -> Inspection:
    """The feature chosen (computed once per scene and choice; its ranking the panel keeps)."""
    feature, problem = scene_feature(scene, scene.probes, view.text)
    return Inspection(scene.trace, scene.tokens, feature=feature, problem=problem)


def counterfactual_data(scene: Scene, view: ViewState) -> Inspection:
    """The trace with the clamps applied (re-traced from the first clamp, once per clamps), and
    the task's labels to score both ways (None without a task)."""
    clamps, clamped, labels = scene.probes.clamps, None, None
    if clamps:
        clamped = scene.cached(("clamped", clamps), lambda: clamped_trace(
            scene.model, scene.inputs, scene.trace, list(clamps)), keep=2)
    if scene.labels is not None:
        labels = scene.cached(("task_labels",), lambda: task_labels(scene.task, scene.tokens,
                                                                    scene.labels))
    return Inspection(scene.trace, scene.tokens, clamped=clamped, clamps=clamps,
                      outputs=scene.labels, labels=labels)


def gradflow_data(scene: Scene, view: ViewState) -> Inspection:
    """The gradient flow into c_T of the focused unit, T the gradient step or the focused
    step; each (layer, unit, T) computed once while it is among the last FLOWS_KEPT."""
    f = view.focus
    T = min(scene.probes.grad_step or f.step, scene.T)
    flow = None
    if f.unit is not None and T > 0:
        flow = scene.cached(("gradflow", f.layer, f.unit, T), lambda: gradient_flow(
            scene.model, scene.trace, f.layer, f.unit, T - 1), keep=FLOWS_KEPT)
    return Inspection(scene.trace, scene.tokens, flow=flow)


def colour_by(drawer, view: ViewState) -> None:
    drawer.quantity = view.colour_by


PANELS = [
    Panel("diagram", (900, 340), sized(CellDiagram), diagram_data,
          title="Diagram of the LSTM cell", height=diagram.height_for),
    Panel("tokentext", tokentext.SIZE, sized(tokentext.TokenTextPanel), text_data,
          "The text, coloured by the focused unit, will appear here", colour_by,
          title="The input text coloured by the focused unit"),
    Panel("heatmaps", (900, 460),
          lambda s, k, w, h: GateHeatmaps(s.trace.layers[k], s.tokens, w, h, index=k),
          empty="Gate activity heatmaps will appear here",
          title="Heatmaps of the four gates over time", height=heatmap.height_for),
    Panel("states", (900, 300),
          lambda s, k, w, h: StateChart(s.trace.layers[k].c, s.trace.layers[k].h, w, h, index=k),
          empty="Cell state and hidden state evolution will appear here",
          title="Cell state and hidden state over time"),
    Panel("equations", equations_panel.SIZE, sized(equations_panel.EquationsPanel),
          equations_data, "The equations of the focused unit will appear here",
          title="The focused unit's equations", height=equations_panel.height_for),
    Panel("prediction", prediction_panel.SIZE, sized(prediction_panel.PredictionPanel),
          prediction_data, "The model's prediction will appear here",
          title="The model's five most likely outputs"),
    Panel("saturation", saturation_panel.SIZE, sized(saturation_panel.SaturationPanel),
          saturation_data, "Gate saturation will appear here",
          title="Gate saturation of every unit", height=saturation_panel.height_for),
    Panel("memory", memory_panel.SIZE, sized(memory_panel.MemoryPanel), memory_data,
          memory_panel.PLACEHOLDER, title="What the focused unit's cell keeps and writes, and "
          "every unit's memory half-life"),
    Panel("features", features_panel.SIZE, sized(features_panel.FeaturesPanel), features_data,
          "Units that follow a feature of the text will appear here",
          title="A feature of the text and the five units that follow it best"),
    Panel("counterfactual", counterfactual_panel.SIZE,
          sized(counterfactual_panel.CounterfactualPanel), counterfactual_data,
          "What a clamped gate changes will appear here",
          title="The focused unit's states with and without the clamps"),
    Panel("gradflow", gradflow_panel.SIZE, sized(gradflow_panel.GradflowPanel), gradflow_data,
          gradflow_panel.PLACEHOLDER, deferred=True,
          title="How the focused unit's cell state depends on every earlier cell state"),
]
REGISTRY = {p.id: p for p in PANELS}
# Every canvas of index.html and its size in CSS pixels (the loss curve is the training panel's).
CANVAS_SIZES = {**{p.id: p.size for p in PANELS}, "loss": (900, 220)}


def describe(scene: Scene, view: ViewState) -> str:
    """The focused values in words, for every canvas's text alternative (aria-label)."""
    f = view.focus
    if f.step <= 0:
        return f"before the first of {scene.T} tokens"
    lt, t = scene.trace.layers[f.layer], f.step - 1
    who = "the mean over units" if f.unit is None else f"unit {f.unit}"
    if len(scene.trace.layers) > 1:
        who += f" of layer {f.layer + 1}"

    def at(name: str) -> float:
        row = getattr(lt, name)[t]
        return float(row[f.unit] if f.unit is not None else row.mean())

    gates = ", ".join(f"{g} = {at(g):.4f}" for g in "ifgo")
    return (f"step {f.step} of {scene.T}, token '{scene.token(f.step)}', {who}: {gates}, "
            f"c = {at('c'):+.4f}, h = {at('h'):+.4f}")


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
        """The panel's drawer for a layer at the canvas's size, made on first use; a new size
        drops the panel's drawers of other sizes and colour schemes (a resized window keeps no
        stale ones)."""
        key = (panel.id, layer, canvas.width, canvas.height, colors.SCHEME)
        if key not in self.drawers:
            self.drawers = {k: d for k, d in self.drawers.items()
                            if k[0] != panel.id or k[2:] == key[2:]}
            self.drawers[key] = panel.make(self.scene, layer, canvas.width, canvas.height)
        return self.drawers[key]

    def draw(self, canvases: dict[str, Canvas], view: ViewState, prev: int | None = None,
             deferred: bool | None = False) -> None:
        """Every panel that has a canvas; with `prev`, only what moved from step prev (the
        drawers that can tell; the others draw whole). `deferred`: False draws the panels that
        are not deferred, True only the deferred ones, None all of them."""
        for panel in PANELS:
            canvas = canvases.get(panel.id)
            if canvas is None or deferred not in (None, panel.deferred):
                continue
            drawer = self.drawer(panel, view.focus.layer, canvas)
            if panel.tune is not None:
                panel.tune(drawer, view)
            data = panel.data(self.scene, view)
            if prev is not None and hasattr(drawer, "draw_step") and \
                    self.shown.get(panel.id) is drawer:
                drawer.draw_step(canvas, data, view.focus, prev)
            else:
                drawer.draw(canvas, data, view.focus)
            self.shown[panel.id] = drawer

    def hit(self, panel_id: str, x: float, y: float) -> Hit | None:
        """What the panel's last drawing shows at (x, y) CSS pixels, its token named; None
        outside anything."""
        drawer = self.shown.get(panel_id)
        hit = None if drawer is None else drawer.hit(x, y)
        if hit is not None and hit.token is None and hit.step:
            hit = replace(hit, token=self.scene.token(hit.step) or None)
        return hit
