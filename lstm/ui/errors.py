"""The one guard every handler of the page runs behind."""

from __future__ import annotations

import functools
from collections.abc import Callable


def guarded(handler: Callable, fail: Callable[[Exception], None]) -> Callable:
    """`handler` made safe for the page: an exception goes to `fail` instead of escaping
    into the browser's event loop, where nobody would see it."""

    @functools.wraps(handler)
    def safe(*args):
        try:
            return handler(*args)
        except Exception as e:
            fail(e)
            return None

    return safe


def error_text(error: Exception) -> str:
    """What the page says of an unexpected error."""
    return f"{type(error).__name__}: {error}"
