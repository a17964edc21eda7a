"""tools/alice_text.py: the edition's `…' quotation marks made curly, apostrophes kept."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).parent.parent
spec = importlib.util.spec_from_file_location("alice_text", ROOT / "tools" / "alice_text.py")
alice_text = importlib.util.module_from_spec(spec)
spec.loader.exec_module(alice_text)


def test_quotes_become_curly_and_apostrophes_stay():
    text, opened, reopened = alice_text.curly_quotes("`I won't,' said the pigs' Queen. `Off--'")
    assert text == "“I won't,” said the pigs' Queen. “Off--”"
    assert (opened, reopened) == (2, 0)


def test_a_quotation_running_on_into_the_next_verse_is_counted():
    text, opened, reopened = alice_text.curly_quotes("`Soup!\n\n`Beautiful Soup!'")
    assert text == "“Soup!\n\n“Beautiful Soup!”" and (opened, reopened) == (2, 1)


def test_the_shipped_text_is_whole_and_its_quotes_pair_up():
    text = (ROOT / "assets" / "text" / "alice.txt").read_text(encoding="utf-8")
    assert "CHAPTER I\n" in text and "CHAPTER XII\n" in text and text.rstrip().endswith("THE END")
    assert "`" not in text and "\r" not in text
    depth = 0
    for ch in text:
        if ch == "”":
            assert depth == 1
        depth = 1 if ch == "“" else 0 if ch == "”" else depth
