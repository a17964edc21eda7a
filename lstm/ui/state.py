"""The page's state as one plain value that every view reads.

`ViewState` says what is shown: the model, the text, the focus (layer, unit, step, gate),
how far the sequence has been revealed, the playback speed and what the coloured text is
coloured by. Handlers make a new ViewState (it is frozen) and the panels draw from it.
Playback's own state (ready, tracing, processing, paused, complete, error) lives with the
timer in `lstm.ui.playback`, since it is about what runs, not about what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..focus import QUANTITIES, Focus


@dataclass(frozen=True)
class ViewState:
    """model: the model menu's key; text: the sequence's text; focus.step: the step shown
    (the marker), 0..T; reached: the steps revealed so far (columns drawn), >= focus.step;
    speed: 1..3 (slow, medium, fast); colour_by: the quantity the token text is coloured by."""

    model: str = ""
    text: str = ""
    focus: Focus = field(default_factory=Focus)
    reached: int = 0
    speed: int = 2
    colour_by: str = "h"

    def __post_init__(self):
        if self.colour_by not in QUANTITIES:
            raise ValueError(f"colour_by must be one of {', '.join(QUANTITIES)}")

    def but(self, **changes) -> ViewState:
        """This state with some fields changed."""
        return replace(self, **changes)

    def at(self, step: int) -> ViewState:
        """The view at `step` (the marker moves; the revealed steps never shrink)."""
        return replace(self, focus=self.focus.but(step=step), reached=max(self.reached, step))

    def focused(self, **changes) -> ViewState:
        """The view with some focus fields changed (a step changed this way moves the marker)."""
        view = replace(self, focus=self.focus.but(**changes))
        return view.at(view.focus.step)
