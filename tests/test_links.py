"""Links (lstm/ui/links.py): the page's state in the URL hash and in storage, through FakePage."""

from pathlib import Path

import pytest

from lstm.focus import Focus
from lstm.ui.app import RANDOM, start
from lstm.ui.playback import TRACE_AT_ONCE
from lstm.ui.state import MAX_HASH_CHARS, MAX_STORED_CHARS, ViewState
from tests.fakes import FakePage
from tests.test_app import check_view, page_values, preset_bytes

IMPORT = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture
def models_dir(tmp_path):
    (tmp_path / "brackets.npz").write_bytes(preset_bytes())  # 2 layers of 4 units
    return tmp_path


def open_page(models_dir, hash_: str = "", stored: str | None = None):
    """A fresh page opened at `hash_` with `stored` in its localStorage: (page, app)."""
    page = FakePage(page_values())
    page.hash, page.storage = hash_.removeprefix("#"), stored
    return page, start(page, models_dir)


def link(**fields) -> str:
    view = ViewState(model=fields.pop("model", "brackets"), text=fields.pop("text", "(a(b))"),
                     focus=Focus(**fields), reached=fields.get("step", 0))
    return view.to_hash()


def test_the_page_writes_its_state_to_the_hash_and_storage(models_dir):
    page, _app = open_page(models_dir)
    assert ViewState.from_hash(page.hash) == (ViewState(model="brackets", text="(a(b))"), [])
    page.click("step")
    page.click("step")
    page.choose("unit", "3")
    state = ViewState.from_hash(page.hash)[0]
    assert (state.model, state.text, state.focus.step, state.focus.unit) == (
        "brackets", "(a(b))", 2, 3)
    assert ViewState.from_hash(page.storage, MAX_STORED_CHARS)[0] == state


def test_opening_the_link_restores_what_it_showed(models_dir):
    page, app = open_page(models_dir)
    page.type_text("sequence", "((a)b)")
    page.click("reset")
    for _ in range(4):
        page.click("step")
    page.choose("layer", "1")
    page.choose("unit", "2")
    page.values["colour-by"] = "f"  # its options are in index.html
    page.fire("colour-by", "change")
    page.slide("speed", 3)
    shared = page.hash
    other, app2 = open_page(models_dir, shared)
    assert other.text("message") == ""
    assert app2.view == app.view.but(reached=4)
    assert (other.values["sequence"], other.values["unit"], other.values["layer"]) == (
        "((a)b)", "2", "1")
    assert (other.values["colour-by"], other.values["speed"]) == ("f", "3")
    assert app2.state == "paused" and app2.delay == 150
    check_view(other, app2)
    assert other.hash == shared  # followed, not rewritten


def test_playing_never_writes_the_hash_only_the_rest_does(models_dir):
    page, app = open_page(models_dir)
    writes = page.hash_writes
    page.click("start")
    page.advance(250 * 3)
    assert app.state == "processing" and page.hash_writes == writes
    page.click("pause")
    assert page.hash_writes == writes + 1
    assert ViewState.from_hash(page.hash)[0].focus.step == 3
    page.point("diagram", "move", 10, 10)  # nothing changed: nothing written
    assert page.hash_writes == writes + 1
    page.click("start")
    page.advance(250 * 10)
    assert app.state == "complete" and page.hash_writes == writes + 2
    assert ViewState.from_hash(page.hash)[0].focus.step == 6


def test_a_reload_loses_nothing_not_even_text_being_typed(models_dir):
    page, _app = open_page(models_dir)
    page.type_text("sequence", "(b)")
    page.fire("sequence", "input")
    assert ViewState.from_hash(page.storage, MAX_STORED_CHARS)[0].text == "(b)"
    other, app2 = open_page(models_dir, stored=page.storage)  # the bare address, next visit
    assert other.values["sequence"] == "(b)" and app2.length == 3


def test_the_link_wins_over_the_stored_state(models_dir):
    stored = link(text="(())", step=2)
    page, app = open_page(models_dir, link(text="(a)", step=1), stored)
    assert page.values["sequence"] == "(a)" and app.step == 1


def test_a_hash_edited_by_hand_is_followed(models_dir):
    page, app = open_page(models_dir)
    page.open_hash(link(text="((b))", step=5, unit=1))
    assert (page.values["sequence"], app.step, app.view.focus.unit) == ("((b))", 5, 1)
    page.open_hash("#model=random&text=hello%20world")
    assert app.entry.key == RANDOM and page.values["sequence"] == "hello world"


HOSTILE = [
    ("garbage", "'garbage' is not part of a link of this page, so it was not read"),
    ("#%00%00", "is not part of a link of this page"),
    ("x" * (MAX_HASH_CHARS + 1), "characters long, over the limit of 16,000"),
    (link(step=99), "step 99 is past the end of the text (6 tokens), so step 0 is shown"),
    (link(unit=4), "unit 4 is not one of the model's units 0 to 3, so the mean over units"),
    (link(unit=10**8), "unit 100000000 is not one of the model's units 0 to 3"),
    (link(layer=2), "layer 2 is not one of the model's layers 0 to 1, so layer 0 is shown"),
    (link(model="gpt5"), "it names the model 'gpt5', which this page does not have"),
    (link(model="trained"), "a model trained in the tab, which a link cannot carry"),
    ("model=brackets&step=two", "step 'two' is not a whole number from 0 on"),
    ("v=9&model=brackets", "it is a version '9' link"),
    ("model=brackets&text=%E2%82", "its text is not percent-encoded UTF-8"),
    ("model=brackets&step=1&step=2", "it gives step twice"),
]


@pytest.mark.parametrize(("hash_", "message"), HOSTILE)
def test_a_damaged_or_impossible_link_falls_back_and_says_what_was_wrong(models_dir, hash_,
                                                                          message):
    page, app = open_page(models_dir, hash_)
    assert message in page.text("message"), page.text("message")
    assert page.text("message").startswith("The link could not be followed exactly: ")
    assert app.entry.key == "brackets" and app.state in ("ready", "paused")
    assert app.step == 0 and app.trace is not None
    check_view(page, app)


def test_an_impossible_field_falls_back_alone(models_dir):
    page, app = open_page(models_dir, link(text="(a)", step=2, unit=9, gate="f"))
    assert (page.values["sequence"], app.step, app.view.focus.gate) == ("(a)", 2, "f")
    assert app.view.focus.unit is None and "unit 9" in page.text("message")


def test_link_text_is_only_ever_text(models_dir):
    evil = "<img src=x onerror=alert(1)>"
    page, _app = open_page(models_dir, link(model=RANDOM, text=evil, step=1))
    assert page.values["sequence"] == evil and page.text("stat-token") == "<"
    assert not any(c[0] not in ("value", "set_value", "set_text", "set_attr", "remove_attr",
                                "set_options", "canvas", "on", "on_pointer", "overlay",
                                "set_cursor", "later", "set_interval", "clear_interval", "now_ms",
                                "on_file", "set_hash", "save_state", "canvas_width", "size_canvas",
                                "on_resize", "color_scheme") for c in page.calls)


def test_a_stored_state_that_is_damaged_is_named_as_the_last_visit(models_dir):
    page, _app = open_page(models_dir, stored="model=brackets&unit=77")
    assert page.text("message").startswith("The last visit could not be followed exactly: ")
    assert "unit 77" in page.text("message")


def test_a_long_text_cannot_open_at_a_step_before_it_is_traced(models_dir):
    long_text = "(a)" * (TRACE_AT_ONCE // 3 + 1)
    page, app = open_page(models_dir, ViewState(model="brackets", text=long_text,
                                                focus=Focus(step=5)).to_hash())
    assert page.values["sequence"] == long_text and app.step == 0
    assert "step 5 cannot be shown before the text is traced (the text is traced only on " \
           "Start or Step)" in page.text("message")


def test_a_model_from_a_file_is_named_by_the_link_and_applied_once_loaded(models_dir):
    data = (IMPORT / "torch_word.npz").read_bytes()
    vocab = (IMPORT / "torch_word.vocab.json").read_bytes()
    page, app = open_page(models_dir)
    page.drop([("torch_word.npz", data), ("torch_word.vocab.json", vocab)])
    assert app.entry.key == "file:torch_word.npz"
    words = app.entry.vocab.tokens[1:4]
    page.type_text("sequence", " ".join(words))
    page.click("reset")
    page.click("step")
    page.choose("unit", "1")
    shared = page.hash
    assert "model=file%3Atorch_word.npz" in shared

    other, app2 = open_page(models_dir, shared)
    message = other.text("message")
    assert "it shows 'torch_word.npz', a model loaded from a file, which a link cannot carry: " \
           "load that file" in message
    assert app2.entry.key == "brackets" and other.hash == shared  # the link still names it
    other.click("step")
    assert other.hash == shared
    other.drop([("torch_word.npz", data), ("torch_word.vocab.json", vocab)])
    assert app2.entry.key == "file:torch_word.npz"
    assert (other.values["sequence"], app2.step, app2.view.focus.unit) == (
        " ".join(words), 1, 1)
    assert other.hash == shared
