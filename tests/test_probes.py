"""The probe controls (lstm/ui/probes.py) in the page: clamps, the feature menu and regular
expression, "Try this" findings and the gradient step, against the recording FakePage; and the
four inspection panels they feed, drawn by the page and followed by a click."""

from pathlib import Path

import numpy as np
import pytest

from lstm import colors
from lstm.analysis.clamp import Clamp, clamped_trace
from lstm.analysis.features import correlations, regex_feature
from lstm.analysis.findings import findings
from lstm.analysis.gradflow import cell_gradients
from lstm.draw.counterfactual import NO_CLAMP
from lstm.draw.features import NO_FEATURE
from lstm.draw.raster import RasterCanvas, encode_png
from lstm.draw.svg import SvgCanvas
from lstm.ui.app import RANDOM, start
from lstm.ui.models import sentence
from lstm.ui.panels import CANVAS_SIZES, Frames
from lstm.ui.probes import FINDINGS_TITLE, MAX_CLAMPS, REGEX, Probes
from tests.fakes import FakePage
from tests.test_app import models_dir, page_values, preset_trace  # noqa: F401  (fixture)
from tests.test_panels import near

OUT = Path(__file__).parent / "output"
INSPECTION = ("memory", "features", "counterfactual", "gradflow")


@pytest.fixture
def page():
    return FakePage(page_values(**{"clamp-gate": "f", "clamp-value": "1"}))


@pytest.fixture
def app(page, models_dir):  # noqa: F811  (the fixture imported above)
    app = start(page, models_dir)
    page.run_later()  # the browser paints after booting, then draws the deferred panels
    return app


def drawn(page, canvas: str) -> list[str]:
    """The strings of the last drawing of a canvas (every drawing starts by filling it)."""
    calls = page.canvases[canvas].calls
    starts = [k for k, (name, args) in enumerate(calls)
              if name == "fill_rect" and args[:2] == (0, 0)]
    last = calls[starts[-1]:] if starts else calls
    return [s for name, args in last if name == "texts" for s, *_ in args[0]]


def clamps(app) -> tuple:
    return app.frames.scene.probes.clamps


def focused(page, app, unit: int, step: int) -> None:
    page.choose("unit", str(unit))
    app.go_to(step)
    page.run_later()  # as after any event: the page paints, then the deferred panels draw


def pick(page, select: str, value: str) -> None:
    """Choose an option of a menu index.html lists itself (the app never sets its options)."""
    page.type_text(select, value)
    page.fire(select, "change")


def add_clamp(page, gate: str, value: str = "", step: str = "") -> None:
    page.type_text("clamp-gate", gate)
    page.type_text("clamp-value", value)
    page.type_text("clamp-step", step)
    page.click("clamp-add")


# --- the panels in the page -------------------------------------------------------------------


def test_the_inspection_panels_are_drawn_with_the_page(page, app):
    for name in INSPECTION:
        assert name in page.canvases and page.canvases[name].calls, name
    assert "What each cell keeps and writes will appear here" not in drawn(page, "memory")
    page.click("step")
    assert any(s.startswith("Units that follow 'bracket depth'") for s in drawn(page, "features"))
    assert " ".join(drawn(page, "counterfactual")) == NO_CLAMP
    assert drawn(page, "gradflow")[0].startswith("Focus a unit and a step")  # the mean: no unit
    focused(page, app, 2, 4)
    assert drawn(page, "gradflow")[0].startswith("Gradient flow: d c_4[2] / d c_t[j]")
    assert any(s.startswith("Memory of unit 2, layer 1") for s in drawn(page, "memory"))


def test_the_gradient_flow_is_computed_once_per_unit_and_step_and_not_on_hover(
        page, app, monkeypatch):
    import lstm.ui.panels as panels

    calls = []
    real = panels.gradient_flow
    monkeypatch.setattr(panels, "gradient_flow", lambda *a: calls.append(a[2:]) or real(*a))
    focused(page, app, 1, 5)
    for x in range(100, 800, 50):
        page.point("gradflow", "move", x, 100)
    page.press("ArrowLeft")
    page.press("ArrowRight")
    pick(page, "colour-by", "c")
    assert calls == [(0, 1, 4), (0, 1, 3)]
    for step in range(1, 7):  # a scene keeps the last FLOWS_KEPT flows, not every one
        app.go_to(step)
    assert sum(k[0] == "gradflow" for k in app.frames.scene.memo) <= panels.FLOWS_KEPT


# --- clamps -----------------------------------------------------------------------------------


def test_a_clamp_of_the_focused_unit_feeds_the_counterfactual_panel(page, app):
    focused(page, app, 1, 3)
    add_clamp(page, "f", "1")
    clamp = Clamp(0, 1, "f", 1.0, 2)  # from the focused step, 3 (row 2)
    assert clamps(app) == (clamp,)
    assert page.text("message") == ("Clamped unit 1 of layer 1: f = 1 from step 3 (1 clamp): "
                                    "the counterfactual panel shows what changes.")
    model, trace = app.entry.model, preset_trace(app)
    ids = app.entry.vocab.encode(app.tokens)[0]
    want = clamped_trace(model, ids, trace, [clamp])
    shown = app.frames.shown["counterfactual"]._hits["data"]
    np.testing.assert_array_equal(shown.clamped.layers[1].h, want.layers[1].h)
    words = drawn(page, "counterfactual")
    assert "What if: unit 1 of layer 1: f = 1 from step 3" in words
    line = words[-1]
    a, b = (int(np.argmax(t.logits[2])) for t in (trace, want))
    assert line.startswith(f"step 3: most likely '{a}' ") and f"→ '{b}' " in line
    depth = np.cumsum([{"(": 1, ")": -1}.get(t, 0) for t in app.tokens])
    before, after = (np.mean(t.logits.argmax(axis=1) == depth) for t in (trace, want))
    assert (f"task accuracy on this text {100 * before:.1f}% → {100 * after:.1f}% "
            f"(6 labelled steps)") in line


def test_several_clamps_at_once_and_one_click_removes_them(page, app):
    focused(page, app, 1, 3)
    add_clamp(page, "f", "0")
    page.choose("unit", "3")
    page.choose("layer", "1")
    add_clamp(page, "o", "0", step="5")
    add_clamp(page, "zero", step="2")
    assert clamps(app) == (Clamp(0, 1, "f", 0.0, 2), Clamp(1, 3, "o", 0.0, 4),
                           Clamp(1, 3, "zero", 0.0, 1))
    assert "(3 clamps)" in page.text("message")
    ids = app.entry.vocab.encode(app.tokens)[0]
    want = clamped_trace(app.entry.model, ids, preset_trace(app), list(clamps(app)))
    shown = app.frames.shown["counterfactual"]._hits["data"]
    np.testing.assert_array_equal(shown.clamped.layers[1].c, want.layers[1].c)
    assert shown.clamped.layers[1].c[1, 3] == 0 and shown.clamped.layers[1].h[1, 3] == 0
    assert ("What if: unit 1 of layer 1: f = 0 from step 3; unit 3 of layer 2: o = 0 from step "
            "5; unit 3 of layer 2: c and h zeroed at step 2") in drawn(page, "counterfactual")
    page.click("clamp-clear")
    assert clamps(app) == () and " ".join(drawn(page, "counterfactual")) == NO_CLAMP
    assert page.text("message").startswith("Clamps removed")
    page.click("clamp-clear")
    assert page.text("message") == "No clamps to remove."


@pytest.mark.parametrize("gate, value, step, words", [
    ("f", "1.5", "", "Clamp value 1.5 for gate f is outside [0, 1], the range of f."),
    ("i", "-0.1", "", "Clamp value -0.1 for gate i is outside [0, 1], the range of i."),
    ("o", "nan", "", "Clamp value nan for gate o is outside [0, 1], the range of o."),
    ("g", "-2", "", "Clamp value -2 for gate g is outside [-1, 1], the range of g."),
    ("f", "abc", "", "Clamp value 'abc' is not a number."),
    ("f", "", "", "Clamp value '' is not a number."),
    ("f", "1", "7", "Clamp step 7 is past the end: the text has 6 steps (1 to 6)."),
    ("zero", "", "99", "Clamp step 99 is past the end: the text has 6 steps (1 to 6)."),
    ("f", "1", "0", "Clamp step 0: steps count from 1."),
    ("f", "1", "2.5", "Clamp step '2.5' is not a whole number of steps."),
])
def test_a_refused_clamp_says_why_and_changes_nothing(page, app, gate, value, step, words):
    focused(page, app, 1, 3)
    add_clamp(page, "f", "1", step="2")
    before = app.frames.scene.memo.copy()
    add_clamp(page, gate, value, step)
    assert page.text("message") == words
    assert clamps(app) == (Clamp(0, 1, "f", 1.0, 1),) and app.state == "paused"
    assert app.frames.scene.memo.keys() == before.keys()


def test_a_clamp_needs_a_trace_and_a_unit_and_stops_at_the_limit(page, app):
    page.type_text("sequence", "(" * 3000)  # traced on the first Start or Step
    page.click("reset")
    add_clamp(page, "f", "1")
    assert page.text("message") == "Trace the text first (Start or Step)."
    page.click("step")
    page.advance(10)
    add_clamp(page, "f", "1")  # the mean is focused
    assert page.text("message").startswith("Focus a unit first")
    assert clamps(app) == ()
    page.choose("unit", "0")
    for _ in range(MAX_CLAMPS):
        add_clamp(page, "f", "1")
    add_clamp(page, "f", "1")
    assert len(clamps(app)) == MAX_CLAMPS and page.text("message").startswith("At most 16")


def test_clamps_belong_to_their_trace(page, app):
    focused(page, app, 1, 3)
    add_clamp(page, "f", "1")
    page.click("reset")  # the same text: the same trace, the clamps kept
    assert len(clamps(app)) == 1
    page.choose("example", "1")  # another text: a new trace, without clamps
    assert clamps(app) == ()


# --- the feature ------------------------------------------------------------------------------


def test_the_feature_menu_lists_the_task_s_features_and_the_expression(page, app):
    assert page.options["feature"] == [("depth", "bracket depth"),
                                       (REGEX, "the regular expression typed")]
    assert page.values["feature"] == "depth"
    page.choose("model", RANDOM)  # no task: regular expressions only
    assert page.options["feature"] == [(REGEX, "the regular expression typed")]
    page.click("step")
    assert drawn(page, "features") == [NO_FEATURE]
    page.type_text("feature-regex", "the")
    page.fire("feature-regex", "change")
    words = drawn(page, "features")
    assert words[-1].startswith("Units that follow '/the/'")
    assert page.text("message") == ("/the/ covers 2 of 6 steps; the features panel ranks the "
                                    "units by it.")


def test_a_regular_expression_becomes_the_feature(page, app):
    page.click("step")
    page.type_text("feature-regex", r"\(")
    page.fire("feature-regex", "change")
    scene = app.frames.scene
    assert (scene.probes.feature, scene.probes.pattern) == (REGEX, r"\(")
    assert page.values["feature"] == REGEX
    shown = app.frames.shown["features"]._hits["feature"]
    np.testing.assert_array_equal(shown.values, regex_feature(r"\(", "(a(b))").values)
    assert page.text("message") == (r"/\(/ covers 2 of 6 steps; the features panel ranks the "
                                    "units by it.")
    page.choose("feature", "depth")  # back to the task's feature, the expression kept
    assert app.frames.shown["features"]._hits["feature"].name == "depth"
    page.choose("feature", REGEX)
    assert app.frames.shown["features"]._hits["feature"] is shown  # computed once per scene


@pytest.mark.parametrize("pattern, words", [
    ("(ab", "Invalid regular expression at position 0: missing ), unterminated subpattern."),
    (r"(a)\1", "Backreferences (\\1, (?P=name)) need backtracking, which could freeze the page: "
               "not supported here."),
    ("a{1000}{1000}", "Invalid regular expression at position 7: multiple repeat."),
])
def test_an_invalid_expression_says_where_and_keeps_the_feature(page, app, pattern, words):
    page.click("step")
    page.type_text("feature-regex", r"\(")
    page.fire("feature-regex", "change")
    page.type_text("feature-regex", pattern)
    page.fire("feature-regex", "change")
    assert page.text("message") == words
    assert app.frames.scene.probes.pattern == r"\(" and app.state == "paused"
    assert app.frames.shown["features"]._hits["feature"].title == r"/\(/"


def test_a_catastrophic_expression_is_bounded_and_says_so(page, app):
    page.type_text("sequence", "a" * 10_000)
    page.click("reset")
    page.click("step")
    page.advance(50)  # traced in chunks
    assert app.length == 10_000 and app.trace is not None
    page.type_text("feature-regex", "(a+)+$")  # linear here, not exponential
    page.fire("feature-regex", "change")
    assert page.text("message") == ("/(a+)+$/ covers 10000 of 10000 steps: nothing to rank the "
                                    "units by.")
    page.type_text("feature-regex", "a.*b|a")  # quadratic in re: stopped by the work bound
    page.fire("feature-regex", "change")
    assert page.text("message").startswith("/a.*b|a/: matching stopped at character ")
    assert "the work is bounded so the page cannot freeze" in page.text("message")
    assert app.frames.scene.probes.pattern == "(a+)+$" and app.state == "paused"


def test_an_expression_typed_before_a_trace_is_matched_once_there_is_one(page, app):
    page.type_text("sequence", "(b" * 1500)  # traced on the first Start or Step
    page.click("reset")
    page.type_text("feature-regex", "b")
    page.fire("feature-regex", "change")
    assert page.text("message") == "/b/ will be matched once the text is traced."
    page.click("step")
    page.advance(10)
    assert app.trace is not None
    assert app.frames.shown["features"]._hits["feature"].title == "/b/"


def test_a_click_on_a_unit_of_the_features_panel_focuses_it(page, app):
    page.click("step")
    panel = app.frames.shown["features"]
    score, lane = panel._hits["lanes"][2]
    page.point("features", "click", float(panel.axis.x(4)), lane.top + 2)
    f = app.view.focus
    assert (f.layer, f.unit, f.step) == (score.layer, score.unit, 5)
    assert page.values["unit"] == str(score.unit) and page.values["layer"] == str(score.layer)


# --- the other panels' clicks -----------------------------------------------------------------


def test_a_click_on_the_memory_strip_focuses_that_unit_and_step(page, app):
    focused(page, app, 0, 6)
    panel = app.frames.shown["memory"]
    row = 2
    y = panel.strip_top + (row + 0.5) * panel._hits["row_h"]
    page.point("memory", "click", float(panel.axis.x(3)), y)
    assert (app.view.focus.unit, app.view.focus.step) == (int(panel.order[row]), 4)


def test_the_counterfactual_change_lane_jumps_and_gradflow_clicks_only_read(page, app):
    focused(page, app, 1, 2)
    add_clamp(page, "f", "0")
    panel = app.frames.shown["counterfactual"]
    page.point("counterfactual", "click", float(panel.axis.x(4)),
               panel._hits["lanes"]["change"].top + 2)
    assert (app.view.focus.unit, app.view.focus.step) == (1, 5)
    grad = app.frames.shown["gradflow"]
    x, y = float(grad.axis.x(1)), grad.map_top + 0.5 * grad._hits["row_h"]
    page.point("gradflow", "move", x, y)
    dc = cell_gradients(app.entry.model, preset_trace(app), 0, 1, 4)
    assert f"dc = {dc[1, 0]:+.4f}" in page.overlays["gradflow"].strings()
    page.point("gradflow", "click", x, y)
    assert (app.view.focus.unit, app.view.focus.step) == (1, 5)


# --- the gradient step ------------------------------------------------------------------------


def test_the_gradient_step_fixes_t_and_refuses_past_the_end(page, app):
    focused(page, app, 1, 2)
    page.type_text("grad-step", "5")
    page.fire("grad-step", "change")
    assert drawn(page, "gradflow")[0].startswith("Gradient flow: d c_5[1] / d c_t[j]")
    app.go_to(6)  # the focus moves on; T stays
    assert drawn(page, "gradflow")[0].startswith("Gradient flow: d c_5[1] / d c_t[j]")
    for bad, words in (("9", "Gradient step 9 is past the end: the text has 6 steps (1 to 6)."),
                       ("x", "Gradient step 'x' is not a whole number of steps.")):
        page.type_text("grad-step", bad)
        page.fire("grad-step", "change")
        assert page.text("message") == words and page.values["grad-step"] == "5"
        assert app.frames.scene.probes.grad_step == 5
    page.type_text("grad-step", "")
    page.fire("grad-step", "change")
    assert drawn(page, "gradflow")[0].startswith("Gradient flow: d c_6[1] / d c_t[j]")
    page.type_text("grad-step", "3")
    page.fire("grad-step", "change")
    page.choose("example", "1")  # a new trace follows the focus again
    assert page.values["grad-step"] == "" and app.frames.scene.probes.grad_step == 0


# --- findings ---------------------------------------------------------------------------------


def test_findings_are_computed_when_the_menu_opens_and_one_choice_sets_the_page():
    page = FakePage(page_values())
    app = start(page)  # the shipped presets
    assert page.options["findings"] == [("", FINDINGS_TITLE)] and app.probes.found is None
    page.fire("findings", "focus")
    want = findings(app.entry.model, app.entry.meta)
    assert page.options["findings"] == [("", "Try this: 3 found in 0 ms")] + [
        (str(j), f.sentence) for j, f in enumerate(want)]
    found = app.probes.found
    page.fire("findings", "pointerdown")
    assert app.probes.found is found  # once per model
    page.choose("findings", "1")
    f = want[1]
    assert page.values["sequence"] == f.text and page.values["findings"] == ""
    assert app.view.focus == f.focus and page.values["unit"] == str(f.focus.unit)
    assert page.values["colour-by"] == "f" and app.state == "paused"
    assert page.text("message") == sentence(f.sentence)
    assert f.sentence.startswith(f"unit {f.focus.unit} counts bracket depth")
    page.choose("model", "recall")
    assert page.options["findings"] == [("", FINDINGS_TITLE)]
    page.fire("findings", "focus")
    f = app.probes.found[1]
    page.choose("findings", "1")
    assert page.values["feature"] == f.feature == "held_C"
    assert app.frames.shown["features"]._hits["feature"].name == "held_C"
    page.choose("model", RANDOM)
    assert page.options["findings"] == [("", "No findings: this model has no task")]
    page.fire("findings", "focus")
    assert app.probes.found is None


# --- a picture of the composition -------------------------------------------------------------


def test_picture_of_the_probe_panels_as_the_page_composes_them(page, app):
    """The four panels one under another, as the page draws them for a clamped, focused unit
    and a regular expression (PNG and SVG in tests/output): each the canvas's size and in its
    panel's colours, the clamped line dashed, the gradient heatmap filled."""
    focused(page, app, 1, 4)
    add_clamp(page, "f", "0", step="2")
    page.type_text("feature-regex", "a|b")
    page.fire("feature-regex", "change")
    scene = app.frames.scene
    assert scene.probes == Probes(clamps=(Clamp(0, 1, "f", 0.0, 1),), feature=REGEX,
                                  pattern="a|b")
    view = app.view
    frames = Frames(scene)
    rasters = {k: RasterCanvas(*CANVAS_SIZES[k], scale=2) for k in INSPECTION}
    frames.draw(rasters, view, deferred=None)
    svgs = {k: SvgCanvas(*CANVAS_SIZES[k]) for k in INSPECTION}
    Frames(scene).draw(svgs, view, deferred=None)
    OUT.mkdir(exist_ok=True)
    for k in INSPECTION:
        w, h = CANVAS_SIZES[k]
        assert rasters[k].pixels().shape == (h, w, 4) and (rasters[k].pixels()[..., 3] == 255).all()
        (OUT / f"probes_{k}.svg").write_text(svgs[k].svg())
    picture = np.concatenate([rasters[k].pixels() for k in INSPECTION], axis=0)
    (OUT / "probes_page.png").write_bytes(encode_png(picture))
    assert near(rasters["memory"].pixels(), colors.FORGET)
    assert near(rasters["features"].pixels(), colors.HIDDEN) or near(
        rasters["features"].pixels(), colors.CELL)
    assert near(rasters["counterfactual"].pixels(), colors.CELL)
    assert 'stroke-dasharray="5 3"' in svgs["counterfactual"].svg()
    assert near(rasters["gradflow"].pixels(), colors.CELL)


def test_shutting_the_counter_s_forget_gate_breaks_the_trained_bracket_model():
    """On the shipped bracket preset, the unit its findings name as the depth counter is the
    one that matters: f = 0 from step 5 costs task accuracy; the same clamp on a unit the
    ranking puts last costs less."""
    page = FakePage(page_values(**{"clamp-gate": "f", "clamp-value": "0", "clamp-step": "5"}))
    app = start(page)
    page.fire("findings", "focus")
    page.choose("findings", "0")
    counter = app.view.focus.unit

    def accuracy_after_clamp(unit: int) -> tuple[float, float]:
        page.choose("unit", str(unit))
        page.click("clamp-clear")
        page.click("clamp-add")
        line = drawn(page, "counterfactual")[-1]
        before, after = line.split("task accuracy on this text ")[1].split(" (")[0].split(" → ")
        return float(before.rstrip("%")), float(after.rstrip("%"))

    before, after = accuracy_after_clamp(counter)
    assert after < before - 10, (before, after)
    panel = app.frames.shown["features"]
    scene = app.frames.scene
    ranked = panel._hits["lanes"]
    assert (ranked[0][0].layer, ranked[0][0].unit) == (0, counter)
    r = np.abs(correlations(scene.trace, panel._hits["feature"].values)[0, 0, 1])  # c, layer 1
    weakest = int(np.argmin(r))
    _, after_weak = accuracy_after_clamp(weakest)
    assert after_weak > after, (before, after, after_weak)


def test_a_refusal_goes_once_the_input_is_fixed(page, app):
    page.click("step")
    page.type_text("grad-step", "0")
    page.fire("grad-step", "change")
    assert "steps count from 1" in page.text("message")
    page.type_text("grad-step", "1")
    page.fire("grad-step", "change")
    assert "steps count from 1" not in page.text("message")
    page.type_text("feature-regex", "(")
    page.fire("feature-regex", "change")
    assert "missing )" in page.text("message")
    page.type_text("feature-regex", "a")
    page.fire("feature-regex", "change")
    assert "missing )" not in page.text("message")
