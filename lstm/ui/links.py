"""Links: the page's state in the URL hash, and the last state kept in the browser.

After every handler (App.guard) the shown state is remembered: written to the hash with
history.replaceState (no history entry) and to localStorage, both only when it changed and
never while playing or tracing, so a paused, stepped or refocused page is always a link. On
start the hash is followed, or else the stored state; a hash edited by hand is followed when
it changes. What cannot be followed falls back to the default and the message says what was
wrong: the parsing is `ViewState.from_hash`, the checks against the models are here.

A model loaded from a file cannot ride in a link: the link names it ("model=file:NAME"), the
page says which file to load, and once that file is loaded the rest of the link is applied.
"""

from __future__ import annotations

from .state import MAX_STORED_CHARS, ViewState
from .training import TRAINED

FILE_PREFIX = "file:"


class Links:
    """Writes the state to the hash and storage; applies a hash or a stored state."""

    def __init__(self, page, app):
        self.page, self.app = page, app
        self.default = app.entry.key  # the model a page without a link opens on
        self.remembered: ViewState | None = None
        self.written = ""  # the hash last written (or found)
        self.waiting: ViewState | None = None  # a link's state, until its model file is loaded
        self.started = False  # nothing is remembered before the link has been read
        self.typing = False  # the text box may differ from the text shown (typed since)

    def bind(self) -> None:
        self.page.on_hash_change(self.app.guard(self.follow))
        self.page.on("sequence", "input", self.app.guard(self.typed))

    def typed(self) -> None:
        self.typing = True  # remembered by the guard, as the text being typed at step 0

    def restore(self) -> None:
        """On start: the link, or else the state kept from the last visit, or the default."""
        self.started = True
        if self.page.get_hash().lstrip("#"):
            self.follow()
            return
        stored = self.page.load_state()
        if stored:
            self.apply(*ViewState.from_hash(stored, MAX_STORED_CHARS), what="The last visit")

    def follow(self) -> None:
        """Apply the hash (on start, and when it is changed by hand)."""
        link = self.page.get_hash().lstrip("#")
        if link == self.written:
            return
        self.written = link
        self.apply(*ViewState.from_hash(link), what="The link")

    # --- applying a state ---------------------------------------------------------------------
    def apply(self, state: ViewState, problems: list[str], what: str) -> None:
        """Show `state`: its model, text, speed, colouring, then its focus and step, each
        checked against the model and the text; what fails falls back and is named."""
        app, problems = self.app, list(problems)
        self.waiting = None
        entry = app.models.entries.get(state.model or self.default)
        if entry is None:
            if state.model.startswith(FILE_PREFIX):
                self.waiting = state
                problems.append(
                    f"it shows {state.model[len(FILE_PREFIX):]!r}, a model loaded from a file, "
                    f"which a link cannot carry: load that file (the model file input, or drop "
                    f"it on the page) to see it"
                )
            elif state.model == TRAINED:
                problems.append("it shows a model trained in the tab, which a link cannot "
                                "carry: download it from the training panel and load its file")
            else:
                problems.append(f"it names the model {state.model[:40]!r}, which this page does "
                                f"not have, so the default is shown")
            state, entry = ViewState(), app.models.entries[self.default]
        app.playback.stop()
        app.select(entry)
        if state.text:
            self.page.set_value("sequence", state.text)
        self.page.set_value("speed", str(state.speed))
        app.show_speed()
        self.page.set_value("colour-by", state.colour_by)
        app.view = app.view.but(colour_by=state.colour_by)
        app.reset()
        app.view = app.view.focused(**self.checked_focus(state, problems))
        app.sync_unit_menu()
        if state.focus.step:
            self.go_to_step(state.focus.step, problems)
        app.show()
        if problems:
            app.show_message(" ".join(t for t in (app.note, f"{what} could not be followed "
                                                  f"exactly: {'; '.join(problems)}.") if t))
        self.remember()

    def checked_focus(self, state: ViewState, problems: list[str]) -> dict:
        """The state's layer, unit and gate, each within the model shown."""
        app, f = self.app, state.focus
        layers = 1 if app.entry.model is None else app.entry.model.num_layers
        layer, unit = f.layer, f.unit
        if layer >= layers:
            problems.append(f"layer {layer} is not one of the model's layers 0 to {layers - 1}, "
                            f"so layer 0 is shown")
            layer = 0
        hidden = app.hidden_size()
        if unit is not None and unit >= hidden:
            problems.append(f"unit {unit} is not one of the model's units 0 to {hidden - 1}, "
                            f"so the mean over units is shown")
            unit = None
        return {"layer": layer, "unit": unit, "gate": f.gate}

    def go_to_step(self, step: int, problems: list[str]) -> None:
        app = self.app
        if app.trace is None:
            why = ("the text is traced only on Start or Step" if app.tokens
                   else "the text could not be read")
            problems.append(f"step {step} cannot be shown before the text is traced ({why}), "
                            f"so step 0 is shown")
        elif step > app.length:
            problems.append(f"step {step} is past the end of the text ({app.length} tokens), "
                            f"so step 0 is shown")
        else:
            app.go_to(step)

    def model_added(self, key: str) -> None:
        """A model was loaded from a file: the link waiting for it is applied now."""
        if self.waiting is not None and self.waiting.model == key:
            self.apply(self.waiting, [], what="The link")

    # --- remembering --------------------------------------------------------------------------
    def shown_state(self) -> ViewState:
        """What a link to the page now would show: the view, or the text being typed at step 0
        (the text box is read only after typing: it can hold 100,000 characters)."""
        view = self.app.shown_view()
        if self.typing:
            typed = self.page.value("sequence")
            self.typing = typed != view.text
            if self.typing:
                view = view.but(text=typed, reached=0, focus=view.focus.but(step=0))
        return view

    def remember(self) -> None:
        """Write the shown state to the hash and to storage when it changed and the page
        rests (not playing, tracing or failed). While a link waits for its model file, its
        hash stays, so it still says which file it needs."""
        if not self.started or self.app.state in ("processing", "tracing", "error"):
            return
        state = self.shown_state()
        if state == self.remembered:
            return
        self.remembered = state
        if self.waiting is None:
            link = state.to_hash()
            if link != self.written:
                self.page.set_hash(link)
                self.written = link
        self.page.save_state(state.to_hash(MAX_STORED_CHARS))
