import pytest

from lstm.focus import Focus
from lstm.ui.state import ViewState


def test_moving_the_marker_never_hides_what_was_revealed():
    view = ViewState().at(7)
    assert (view.focus.step, view.reached) == (7, 7)
    back = view.at(3)
    assert (back.focus.step, back.reached) == (3, 7)
    assert back.at(9).reached == 9


def test_focused_changes_the_focus_and_keeps_the_rest():
    view = ViewState(model="brackets", text="(a)", speed=3).at(2)
    moved = view.focused(unit=4, gate="f")
    assert moved.focus == Focus(unit=4, step=2, gate="f")
    assert (moved.model, moved.text, moved.speed, moved.reached) == ("brackets", "(a)", 3, 2)
    assert view.focus.unit is None  # frozen: the old value is unchanged


def test_colour_by_is_a_quantity():
    with pytest.raises(ValueError, match="colour_by"):
        ViewState(colour_by="x")
