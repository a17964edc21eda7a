"""The page's state as one plain value that every view reads.

`ViewState` says what is shown: the model, the text, the focus (layer, unit, step, gate),
how far the sequence has been revealed, the playback speed and what the coloured text is
coloured by. Handlers make a new ViewState (it is frozen) and the panels draw from it.
It is also what a link carries: `to_hash` and `from_hash` (see there for the format).
Playback's own state (ready, tracing, processing, paused, complete, error) lives with the
timer in `lstm.ui.playback`, since it is about what runs, not about what is shown.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from urllib.parse import quote, unquote

from ..focus import GATES, QUANTITIES, Focus
from ..tokens import MAX_CHARS

LINK_VERSION = "1"
MAX_HASH_CHARS = 16_000  # a link's state: longer ones are refused, and never written
MAX_STORED_CHARS = 2_000_000  # the copy kept in localStorage (any text up to MAX_CHARS)
LINK_FIELDS = ("v", "model", "step", "layer", "unit", "gate", "speed", "colour", "text",
               "textchars")
WHOLE = re.compile(r"[0-9]{1,9}")  # ASCII digits only: int() would take "²", "1_0", " 1"


@functools.lru_cache(maxsize=8)
def quoted(value: str) -> str:
    """`value` percent-encoded as UTF-8, every reserved character too (a lone surrogate, which
    UTF-8 cannot hold, becomes "?"). Cached: a long text is written again at every step."""
    return quote(value, safe="", errors="replace")


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

    def to_hash(self, limit: int = MAX_HASH_CHARS) -> str:
        """The state as a URL hash (without the "#"), e.g.

            v=1&model=brackets&step=3&layer=0&unit=11&gate=f&speed=2&colour=f&text=%28a%28b%29%29

        Each value percent-encoded (UTF-8), the text last; `reached` is not kept (a link
        opens at its step). When the hash would be over `limit` characters, the text is left
        out and `textchars=N` says how long it was.
        """
        f = self.focus
        pairs = [("v", LINK_VERSION), ("model", self.model), ("step", str(f.step)),
                 ("layer", str(f.layer)), ("unit", "mean" if f.unit is None else str(f.unit))]
        if f.gate is not None:
            pairs.append(("gate", f.gate))
        pairs += [("speed", str(self.speed)), ("colour", self.colour_by)]
        head = "&".join(f"{k}={quoted(v)}" for k, v in pairs)
        text = f"&text={quoted(self.text)}" if self.text else ""
        if len(head) + len(text) > limit:
            text = f"&textchars={len(self.text)}"
        return head + text

    @classmethod
    def from_hash(cls, link: str, limit: int = MAX_HASH_CHARS) -> tuple[ViewState, list[str]]:
        """The state a hash (with or without its "#") describes, and what was wrong with it.

        Pure: nothing is checked against a model here (links.py does that). A hash that is
        not one of ours as a whole (too long, not `key=value` pairs of LINK_FIELDS, a key
        twice, bad percent-encoding, another version) gives the default state; a value that
        does not parse gives that field's default. Each problem is a phrase naming what was
        wrong and what is shown instead. model "" and text "": none given.
        """
        link = link[1:] if link.startswith("#") else link
        if not link:
            return cls(), []
        if len(link) > limit:
            return cls(), [f"it is {len(link):,} characters long, over the limit of "
                           f"{limit:,}, so it was not read"]
        values: dict[str, str] = {}
        for part in link.split("&"):
            key, eq, raw = part.partition("=")
            if not eq or key not in LINK_FIELDS:
                shown = part if len(part) <= 40 else part[:39] + "…"
                return cls(), [f"{shown!r} is not part of a link of this page, so it was not "
                               f"read"]
            if key in values:
                return cls(), [f"it gives {key} twice, so it was not read"]
            try:
                values[key] = unquote(raw, errors="strict")
            except UnicodeDecodeError:
                return cls(), [f"its {key} is not percent-encoded UTF-8, so it was not read"]
        version = values.get("v", LINK_VERSION)
        if version != LINK_VERSION:
            return cls(), [f"it is a version {version[:20]!r} link and this page reads "
                           f"version {LINK_VERSION}, so it was not read"]
        problems: list[str] = []

        def whole(key: str, default: int, low: int = 0, high: int = 10**9) -> int:
            raw = values.get(key)
            if raw is None:
                return default
            if WHOLE.fullmatch(raw) and low <= int(raw) <= high:
                return int(raw)
            bound = f"from {low} to {high}" if high < 10**9 else f"from {low} on"
            problems.append(f"{key} {raw[:20]!r} is not a whole number {bound}, so {key} "
                            f"{default} is shown")
            return default

        def one_of(key: str, allowed: tuple[str, ...], default: str | None) -> str | None:
            raw = values.get(key)
            if raw is None or raw in allowed:
                return raw if raw is not None else default
            problems.append(f"{key} {raw[:20]!r} is not one of {', '.join(allowed)}, so "
                            f"{default or 'none'} is shown")
            return default

        step, layer = whole("step", 0), whole("layer", 0)
        unit = values.get("unit", "mean")
        if unit == "mean":
            unit = None
        elif WHOLE.fullmatch(unit):
            unit = int(unit)
        else:
            problems.append(f"unit {unit[:20]!r} is neither 'mean' nor a whole number from 0 "
                            f"on, so the mean over units is shown")
            unit = None
        gate = one_of("gate", GATES, None)
        speed = whole("speed", 2, 1, 3)
        colour = one_of("colour", QUANTITIES, "h")
        text = values.get("text", "")
        if len(text) > MAX_CHARS:
            problems.append(f"its text has {len(text):,} characters, over the limit of "
                            f"{MAX_CHARS:,}, so the model's example is shown")
            text = ""
        if "textchars" in values:
            problems.append(f"it leaves out its text ({values['textchars'][:12]} characters, "
                            f"too long for a link), so the model's example is shown")
        return cls(model=values.get("model", ""), text=text,
                   focus=Focus(layer=layer, unit=unit, step=step, gate=gate), reached=step,
                   speed=speed, colour_by=colour), problems
