"""The probe controls: clamps, the feature units are ranked by, the "Try this" findings and the
gradient flow's step (issue 8 in the page), over the `Page` interface.

What they ask the panels to show is a `Probes` value kept by the scene (`panels.Scene.probes`):
a clamp's step is a step of one trace, so a new trace starts without clamps and with the
gradient flow following the focus again, while the chosen feature and regular expression carry
over. `ProbeControls` reads the controls, refuses bad input with a message in `#message` (and
changes nothing), and redraws through the App. Steps here are the page's (from 1); `Clamp` and
the analyses count from 0.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..analysis.clamp import ZERO, Clamp, ClampError, check_clamp
from ..analysis.features import Feature, regex_feature, task_features
from ..analysis.findings import Finding, findings
from ..analysis.regex import RegexError, compile_pattern
from ..draw.counterfactual import clamp_words
from ..focus import Hit
from .models import sentence

REGEX = "regex"  # the feature menu's value for the typed regular expression
MAX_CLAMPS = 16  # more would make every re-trace slow and the panel's title unreadable
FINDINGS_TITLE = "Try this… (units found when opened)"


class ProbeError(ValueError):
    """Input a probe control refuses; the message says why, as the page counts."""


@dataclass(frozen=True)
class Probes:
    """clamps: applied in order; feature: a task feature's name, REGEX, or "" (the task's
    first); pattern: the accepted regular expression; grad_step: the gradient flow's step T
    (1-based), 0: the focused step."""

    clamps: tuple[Clamp, ...] = ()
    feature: str = ""
    pattern: str = ""
    grad_step: int = 0


def chosen_feature(probes: Probes, task: str, tokens: list[str], text: str, mode: str
                   ) -> tuple[Feature | None, str]:
    """The feature `probes` asks for over this text, or None and why not ("" when the model
    has no task and no expression was typed: the panel says so itself)."""
    if probes.feature == REGEX and probes.pattern:
        try:
            return regex_feature(probes.pattern, text, mode), ""
        except RegexError as e:
            return None, f"/{probes.pattern}/: {e}"
    features = task_features(task, tokens)
    if not features:
        return None, ""
    if probes.feature == REGEX:
        return None, "Type a regular expression beside the feature menu (Enter applies it)"
    return ([f for f in features if f.name == probes.feature] or features)[0], ""


def scene_feature(scene, probes: Probes, text: str) -> tuple[Feature | None, str]:
    """`chosen_feature` over a scene (`panels.Scene`) of `text`, once per scene and choice."""
    return scene.cached(("feature", probes.feature, probes.pattern), lambda: chosen_feature(
        probes, scene.task, scene.tokens, text, scene.tokenizer))


def feature_options(task: str) -> list[tuple[str, str]]:
    """The feature menu: the task's features, then the typed regular expression."""
    return [(f.name, f.title) for f in task_features(task, [])] + [
        (REGEX, "the regular expression typed")]


def findings_options(found: list[Finding], ms: float) -> list[tuple[str, str]]:
    """The "Try this" menu once its findings are computed: a title saying how long they took."""
    if not found:
        return [("", f"No findings: no unit follows this task's features ({ms:.0f} ms)")]
    return [("", f"Try this: {len(found)} found in {ms:.0f} ms")] + [
        (str(j), f.sentence) for j, f in enumerate(found)]


class ProbeControls:
    """The clamp, feature, findings and gradient-step controls of one App."""

    def __init__(self, page, app):
        self.page, self.app = page, app
        self.feature, self.pattern = "", ""  # carried from trace to trace
        self.found: list[Finding] | None = None  # the findings of `found_for`, once computed
        self.found_for: tuple | None = None  # (entry key, weights version)
        self.refused = self.said = False  # the last input was refused; a handler said something

    def bind(self) -> None:
        on, g = self.page.on, self.app.guard
        on("clamp-add", "click", g(self.refusing(self.add_clamp)))
        on("clamp-clear", "click", g(self.clear_clamps))
        on("feature", "change", g(self.choose_feature))
        on("feature-regex", "change", g(self.refusing(self.apply_pattern)))
        on("grad-step", "change", g(self.refusing(self.choose_grad_step)))
        for event in ("focus", "pointerdown"):  # before the menu opens: compute its entries
            on("findings", event, g(self.open_findings))
        on("findings", "change", g(self.try_finding))

    def refusing(self, handler):
        """`handler` whose refusals (ProbeError, ClampError, RegexError) become the message."""
        def run():
            refused, self.refused, self.said = self.refused, False, False
            try:
                handler()
            except (ProbeError, ClampError, RegexError) as e:
                self.refused = True
                self.say(sentence(str(e)))
                return
            if refused and not self.said:  # the input is fixed: the old refusal goes
                self.say(self.app.note)
        return run

    # --- what the App calls -------------------------------------------------------------------
    def model_changed(self, entry) -> None:
        """A new model: its task's features in the menu (the first chosen, or the expression
        when it has none), and the "Try this" menu to be computed for it."""
        options = feature_options(entry.task)
        self.feature = options[0][0]
        self.page.set_options("feature", options)
        self.page.set_value("feature", self.feature)
        self.found = self.found_for = None
        has_task = entry.model is not None and len(options) > 1
        self.page.set_options("findings", [("", FINDINGS_TITLE if has_task else
                                             "No findings: this model has no task")])

    def for_new_scene(self) -> Probes:
        """The probes a new trace starts with: the feature carried over, no clamps, the
        gradient flow at the focused step."""
        self.page.set_value("grad-step", "")
        return Probes(feature=self.feature, pattern=self.pattern)

    # --- helpers ------------------------------------------------------------------------------
    @property
    def scene(self):
        return None if self.app.frames is None else self.app.frames.scene

    def say(self, text: str) -> None:
        self.said = True
        self.app.show_message(text)

    def update(self, **changes) -> None:
        """Change the scene's probes and redraw."""
        if self.set_probes(**changes):
            self.app.show()

    def set_probes(self, **changes) -> bool:
        """Change the scene's probes (True), or nothing when there is no trace (False)."""
        scene = self.scene
        if scene is not None:
            scene.probes = replace(scene.probes, **changes)
        return scene is not None

    def traced(self):
        """The scene shown; ProbeError when there is no trace yet."""
        if self.scene is None:
            raise ProbeError("trace the text first (Start or Step)")
        return self.scene

    def page_step(self, field: str, what: str, T: int) -> int | None:
        """The step typed in `field` (1..T), None when it is blank; ProbeError otherwise."""
        text = self.page.value(field).strip()
        if not text:
            return None
        try:
            step = int(text)
        except ValueError:
            raise ProbeError(f"{what} {text!r} is not a whole number of steps") from None
        if step < 1:
            raise ProbeError(f"{what} {step}: steps count from 1")
        if step > T:
            raise ProbeError(f"{what} {step} is past the end: the text has {T} steps (1 to {T})")
        return step

    # --- clamps -------------------------------------------------------------------------------
    def add_clamp(self) -> None:
        """Hold the chosen gate of the focused unit at the value from the step on (or zero its
        c and h at that step), on top of the clamps already applied."""
        scene = self.traced()
        unit = self.app.unit()
        if unit is None:
            raise ProbeError("focus a unit first (the unit menu, ] or a click on a heatmap row): "
                             "a clamp holds one unit's gate")
        clamps = scene.probes.clamps
        if len(clamps) >= MAX_CLAMPS:
            raise ProbeError(f"at most {MAX_CLAMPS} clamps at once: remove them to start again")
        gate = self.page.value("clamp-gate")
        step = self.page_step("clamp-step", "clamp step", scene.T) or max(self.app.step, 1)
        value = 0.0
        if gate != ZERO:
            text = self.page.value("clamp-value").strip()
            try:
                value = float(text)
            except ValueError:
                raise ProbeError(f"clamp value {text!r} is not a number") from None
        clamp = Clamp(self.app.layer(), unit, gate, value, step - 1)
        check_clamp(clamp, scene.model, scene.T)
        self.update(clamps=(*clamps, clamp))
        n = len(clamps) + 1
        self.say(f"Clamped {clamp_words(clamp, len(scene.trace.layers))} "
                 f"({n} clamp{'s' if n > 1 else ''}): the counterfactual panel shows what changes.")

    def clear_clamps(self) -> None:
        scene = self.scene
        if scene is None or not scene.probes.clamps:
            self.say("No clamps to remove.")
            return
        self.update(clamps=())
        self.say("Clamps removed: the panels show the trace as the model computed it.")

    # --- the feature --------------------------------------------------------------------------
    def choose_feature(self) -> None:
        choice = self.page.value("feature")
        self.feature = choice
        self.update(feature=choice)
        if choice == REGEX and not self.pattern:
            self.say("Type a regular expression beside the menu; Enter applies it.")

    def apply_pattern(self) -> None:
        """The typed regular expression becomes the feature: 1 on the steps inside a match.
        An invalid one, or one whose matching hit the work bound, is refused and said."""
        pattern = self.page.value("feature-regex")
        if not pattern:
            self.pattern = ""
            self.update(pattern="")
            return
        compile_pattern(pattern)  # says where an invalid one is wrong, before any text
        scene = self.scene
        probes = Probes(feature=REGEX, pattern=pattern)
        feature = None
        if scene is not None:
            feature, problem = scene_feature(scene, probes, self.app.view.text)
            if feature is None:
                raise ProbeError(problem)
        self.feature, self.pattern = REGEX, pattern
        self.page.set_value("feature", REGEX)
        self.update(feature=REGEX, pattern=pattern)
        if feature is None:
            self.say(f"/{pattern}/ will be matched once the text is traced.")
        else:
            hits = int((feature.values > 0).sum())
            self.say(f"/{pattern}/ covers {hits} of {len(feature.values)} steps"
                     + (": nothing to rank the units by." if hits in (0, len(feature.values))
                        else "; the features panel ranks the units by it."))

    # --- findings -----------------------------------------------------------------------------
    def open_findings(self) -> None:
        """Compute the model's findings the first time its menu is opened (not at boot)."""
        entry = self.app.entry
        key = (entry.key, entry.version)
        if self.found_for == key or entry.model is None or not entry.task:
            return
        start = self.page.now_ms()
        self.found = findings(entry.model, entry.meta)
        self.found_for = key
        self.page.set_options("findings", findings_options(self.found,
                                                          self.page.now_ms() - start))
        self.page.set_value("findings", "")

    def try_finding(self) -> None:
        """Load a finding: its text, its unit and step focused, its feature chosen, its
        sentence in the message line."""
        choice = self.page.value("findings")
        if self.found is None or not choice.isdigit() or int(choice) >= len(self.found):
            return
        found = self.found[int(choice)]
        self.page.set_value("findings", "")
        self.page.set_value("sequence", found.text)
        if found.feature:
            self.feature = found.feature
            self.page.set_value("feature", found.feature)
        self.app.reset()
        if not self.set_probes(feature=self.feature):
            return  # refused or too long to trace at once: the message says so
        f = found.focus
        self.app.focus_hit(Hit(layer=f.layer, unit=f.unit, step=f.step, gate=f.gate))
        self.say(sentence(found.sentence))

    # --- gradient flow ------------------------------------------------------------------------
    def choose_grad_step(self) -> None:
        """The step T whose cell state the gradient flow follows back; blank: the focused step.
        A refused step puts the field back."""
        scene = self.scene
        try:
            if scene is None and self.page.value("grad-step").strip():
                raise ProbeError("trace the text first (Start or Step)")
            step = 0 if scene is None else self.page_step("grad-step", "gradient step", scene.T)
        except ProbeError:
            shown = 0 if scene is None else scene.probes.grad_step
            self.page.set_value("grad-step", str(shown) if shown else "")
            raise
        self.update(grad_step=step or 0)
