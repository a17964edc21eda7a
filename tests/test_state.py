"""ViewState (lstm/ui/state.py): the page's state and its link, round trips and hostile hashes."""

from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm.focus import GATES, QUANTITIES, Focus
from lstm.tokens import MAX_CHARS
from lstm.ui.state import MAX_HASH_CHARS, MAX_STORED_CHARS, ViewState

DEFAULT = ViewState()

views = st.builds(
    lambda model, text, layer, unit, step, gate, speed, colour: ViewState(
        model=model, text=text, focus=Focus(layer, unit, step, gate), reached=step,
        speed=speed, colour_by=colour),
    model=st.text(max_size=40),
    text=st.text(max_size=300),
    layer=st.integers(0, 10**9 - 1),
    unit=st.none() | st.integers(0, 10**9 - 1),
    step=st.integers(0, 10**9 - 1),
    gate=st.none() | st.sampled_from(GATES),
    speed=st.integers(1, 3),
    colour=st.sampled_from(QUANTITIES),
)


@settings(max_examples=300)
@given(views)
def test_every_state_round_trips_through_its_hash(view):
    link = view.to_hash()
    assert ViewState.from_hash(link) == (view, [])
    assert ViewState.from_hash("#" + link) == (view, [])


@given(views)
def test_a_hash_is_plain_ascii_without_spaces_or_hash_signs(view):
    link = view.to_hash()
    assert link.isascii() and " " not in link and "#" not in link
    assert all(part.count("=") == 1 for part in link.split("&"))


def test_the_link_reads_as_its_fields_with_the_text_last():
    view = ViewState(model="brackets", text="(a b)&#", focus=Focus(0, 11, 3, "f"), reached=5,
                     colour_by="f")
    assert view.to_hash() == ("v=1&model=brackets&step=3&layer=0&unit=11&gate=f&speed=2"
                              "&colour=f&text=%28a%20b%29%26%23")
    # reached is not carried: a link opens at its step
    assert ViewState.from_hash(view.to_hash())[0] == view.but(reached=3)


def test_a_text_too_long_for_a_link_is_left_out_and_said_so():
    view = ViewState(model="alice", text="é" * 5000)
    link = view.to_hash()
    assert len(link) <= MAX_HASH_CHARS and "textchars=5000" in link and "text=" not in link
    state, problems = ViewState.from_hash(link)
    assert state.text == "" and state.model == "alice"
    assert problems == ["it leaves out its text (5000 characters, too long for a link), so "
                        "the model's example is shown"]
    # the stored copy keeps any text the page takes
    stored = ViewState(text="é" * MAX_CHARS).to_hash(MAX_STORED_CHARS)
    assert ViewState.from_hash(stored, MAX_STORED_CHARS)[0].text == "é" * MAX_CHARS


def test_a_lone_surrogate_in_the_text_cannot_break_the_link():
    link = ViewState(text="a\ud800b").to_hash()
    assert ViewState.from_hash(link) == (ViewState(text="a?b"), [])


def test_a_missing_field_is_its_default_and_an_empty_hash_is_no_link():
    assert ViewState.from_hash("") == (DEFAULT, [])
    assert ViewState.from_hash("#") == (DEFAULT, [])
    assert ViewState.from_hash("model=alice&step=4") == (
        ViewState(model="alice", focus=Focus(step=4), reached=4), [])


WHOLE_LINK_REFUSED = [
    ("garbage", "'garbage' is not part of a link of this page"),
    ("<script>alert(1)</script>", "is not part of a link of this page"),
    ("%%%", "'%%%' is not part of a link of this page"),
    ("step=1&step=2", "it gives step twice"),
    ("model=a&bogus=1", "'bogus=1' is not part of a link of this page"),
    ("model=a&&step=1", "'' is not part of a link of this page"),
    ("=x", "'=x' is not part of a link of this page"),
    ("text=%FF%FE", "its text is not percent-encoded UTF-8"),
    ("text=%C3", "its text is not percent-encoded UTF-8"),
    ("v=2&model=a", "it is a version '2' link and this page reads version 1"),
    ("v=&model=a", "it is a version '' link"),
    ("x" * (MAX_HASH_CHARS + 1), f"it is {MAX_HASH_CHARS + 1:,} characters long, over the "
                                 f"limit of {MAX_HASH_CHARS:,}"),
    ("model=a&" + "step=1&" * 5000, "characters long, over the limit"),
    ("a" * 100, "'" + "a" * 39 + "…' is not part of a link"),
]


@pytest.mark.parametrize(("link", "message"), WHOLE_LINK_REFUSED)
def test_a_hash_that_is_not_ours_as_a_whole_gives_the_default(link, message):
    state, problems = ViewState.from_hash(link)
    assert state == DEFAULT
    assert len(problems) == 1 and message in problems[0], problems
    assert "not read" in problems[0]


FIELD_REFUSED = [
    ("step=-1", "step '-1' is not a whole number from 0 on, so step 0 is shown"),
    ("step=abc", "step 'abc' is not a whole number from 0 on"),
    ("step=1.5", "step '1.5' is not a whole number"),
    ("step=%C2%B2", "step '²' is not a whole number"),  # int() would take it
    ("step=1_0", "step '1_0' is not a whole number"),
    ("step=%201", "step ' 1' is not a whole number"),
    ("step=" + "9" * 30, "step '99999999999999999999' is not a whole number"),
    ("layer=x", "layer 'x' is not a whole number from 0 on, so layer 0 is shown"),
    ("unit=-3", "unit '-3' is neither 'mean' nor a whole number from 0 on, so the mean"),
    ("unit=1e3", "unit '1e3' is neither 'mean'"),
    ("speed=0", "speed '0' is not a whole number from 1 to 3, so speed 2 is shown"),
    ("speed=9", "speed '9' is not a whole number from 1 to 3"),
    ("gate=q", "gate 'q' is not one of i, f, g, o, so none is shown"),
    ("gate=", "gate '' is not one of i, f, g, o"),
    ("colour=red", "colour 'red' is not one of i, f, g, o, c, h, so h is shown"),
    ("text=" + "a" * (MAX_CHARS + 1), "its text has 100,001 characters, over the limit"),
]


@pytest.mark.parametrize(("link", "message"), FIELD_REFUSED)
def test_a_bad_value_gives_that_field_s_default_and_keeps_the_rest(link, message):
    state, problems = ViewState.from_hash(f"model=alice&{link}", MAX_STORED_CHARS)
    assert state.model == "alice"
    assert len(problems) == 1 and message in problems[0], problems
    field = link.split("=")[0]
    assert getattr_field(state, field) == getattr_field(DEFAULT, field)


def getattr_field(state: ViewState, field: str):
    return {"step": state.focus.step, "layer": state.focus.layer, "unit": state.focus.unit,
            "gate": state.focus.gate, "speed": state.speed, "colour": state.colour_by,
            "text": state.text}[field]


def test_several_bad_values_are_each_named():
    state, problems = ViewState.from_hash("step=x&unit=y&speed=7&colour=z&gate=w&layer=-1")
    assert state == DEFAULT
    assert [p.split()[0] for p in problems] == ["step", "layer", "unit", "gate", "speed",
                                                "colour"]


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_no_hash_makes_it_raise_and_every_result_is_a_valid_state(link):
    state, problems = ViewState.from_hash(link)
    assert isinstance(state, ViewState) and all(isinstance(p, str) for p in problems)
    assert state.speed in (1, 2, 3) and state.colour_by in QUANTITIES
    assert state.focus.gate in (None, *GATES) and state.focus.step >= 0
    assert len(state.text) <= MAX_CHARS


@given(st.lists(st.tuples(st.sampled_from(["v", "model", "step", "layer", "unit", "gate",
                                             "speed", "colour", "text", "textchars"]),
                          st.text(max_size=20)), max_size=8, unique_by=lambda kv: kv[0]))
def test_any_mix_of_known_fields_is_read_field_by_field(pairs):
    link = "&".join(f"{k}={quote(v, safe='')}" for k, v in pairs)
    state, problems = ViewState.from_hash(link)
    values = dict(pairs)
    if values.get("v", "1") != "1":
        assert state == DEFAULT and len(problems) == 1
    else:
        assert state.model == values.get("model", "")
        assert state.text == values.get("text", "")


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
