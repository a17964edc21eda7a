"""Vocabulary files and the code point vocabulary."""

import pytest

from lstm.weights import WeightsError
from lstm.weights.vocab import codepoint_vocab, read_vocab, tokenizer_of


def test_a_list_and_a_map_give_the_same_tokens():
    assert read_vocab(b'["a", "b", "<unk>"]', 3) == ["a", "b", "<unk>"]
    assert read_vocab(b'{"b": 1, "<unk>": 2, "a": 0}', 3) == ["a", "b", "<unk>"]
    assert tokenizer_of(["a", "b", "<unk>"]) == "char" and tokenizer_of(["the", "a"]) == "word"


@pytest.mark.parametrize(("data", "rows", "message"), [
    (b'["a", "b"]', 3, "has 2 tokens but the embedding has 3 rows"),
    (b'{"a": 0, "b": 2}', 2, r"ids must be 0 to 1, each once; missing \[1\]"),
    (b'{"a": 0, "b": "1"}', 2, "maps a token to '1', expected an integer id"),
    (b'["a", "a"]', 2, "'a' more than once"),
    (b'["a", ""]', 2, "non-empty strings"),
    (b'"abc"', 3, "a JSON list of tokens or a {token: id} map"),
    (b"\xff\xfe", 1, "not UTF-8 JSON"),
    (b'["a"]', None, "the model has no embedding"),
])
def test_a_vocabulary_that_does_not_fit_says_why(data, rows, message):
    with pytest.raises(WeightsError, match=message):
        read_vocab(data, rows)


def test_code_points_cover_the_characters_below_the_surrogates():
    assert codepoint_vocab(100)[65] == "A"
    with pytest.raises(WeightsError, match="more than a vocabulary by code point covers"):
        codepoint_vocab(60_000)
