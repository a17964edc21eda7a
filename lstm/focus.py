"""The page's one focus, and what a point on a panel points at.

Every view reads the same `Focus`: a layer, a unit (None: the mean over units), a step and a
gate. Steps are counted as the page counts them: `step` tokens processed, 0..T, so step s shows
the s-th token (index s - 1 of the trace's arrays); the command line counts from 0 instead.

A panel's hit test turns a pointer position into a `Hit`: what is drawn there (any of layer,
unit, step, gate, token), its value, and what a click on it does. Both are plain values with
no NumPy inside, so they cross into the browser module and into tests unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

GATES = ("i", "f", "g", "o")
QUANTITIES = (*GATES, "c", "h")  # what a unit's value over time can be


@dataclass(frozen=True)
class Focus:
    """Layer (0-based), unit (0-based, None: the mean), step (1..T, 0: before the first token),
    gate (one of GATES, or None)."""

    layer: int = 0
    unit: int | None = None
    step: int = 0
    gate: str | None = None

    def but(self, **changes) -> Focus:
        """This focus with some fields changed."""
        return replace(self, **changes)


@dataclass(frozen=True)
class Hit:
    """What a panel draws at a point.

    Any field may be None where it does not apply. `step` is 1-based as in Focus; `quantity`
    names what `value` is (a gate, "c", "h", or another panel's word such as "p" for a
    probability); `token` is the token's text as the page shows it. `action` says what a click
    does: "focus" (unit and step), "jump" (go to the step, pause), or "" (nothing).
    """

    layer: int | None = None
    unit: int | None = None
    step: int | None = None
    gate: str | None = None
    quantity: str | None = None
    value: float | None = None
    token: str | None = None
    action: str = "focus"
    note: str = ""  # anything else the readout should say (a term's name, a label)

    def readout(self) -> list[str]:
        """The lines of a hover readout, in the order DESIGN.md gives: token, step, unit,
        gate, value (to 4 decimals), then the note."""
        lines = []
        if self.token is not None:
            lines.append(f"token '{self.token}'")
        if self.step is not None:
            lines.append(f"step {self.step}")
        if self.unit is not None:
            lines.append(f"unit {self.unit}" + (f" · layer {self.layer + 1}"
                                                if self.layer else ""))
        if self.gate is not None:
            lines.append(f"gate {self.gate}")
        if self.value is not None:
            name = self.quantity or self.gate or "value"
            sign = "" if name in ("i", "f", "o", "p") else "+"  # these never go below 0
            lines.append(f"{name} = {self.value:{sign}.4f}")
        if self.note:
            lines.append(self.note)
        return lines
