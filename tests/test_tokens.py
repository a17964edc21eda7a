"""lstm/tokens.py: tokenizers, Vocab, the unknown-token policy, the open-vocabulary embedding."""

import numpy as np
import pytest

from lstm.tokens import (
    MAX_CHARS,
    SHOWN,
    UNK,
    TokenError,
    Vocab,
    open_embedding,
    show,
    token_vector,
    tokenize,
    unknown_listing,
)


def test_char_tokens_keep_every_visible_character():
    assert tokenize("ab c\n\td", "char") == ["a", "b", " ", "c", "\n", "\t", "d"]


def test_word_tokens_split_punctuation_and_keep_case():
    text = "Alice said: don't  stop,\nthe Queen's 2 cards!"
    assert tokenize(text, "word") == [
        "Alice", "said", ":", "don't", "stop", ",", "the", "Queen's", "2", "cards", "!",
    ]  # fmt: skip


def test_newlines_are_normalised_and_control_characters_dropped():
    assert tokenize("a\r\nb\rc", "char") == ["a", "\n", "b", "\n", "c"]
    assert tokenize("a\x00b\x1b[0m\x7f", "char") == ["a", "b", "[", "0", "m"]
    with pytest.raises(TokenError, match="the text has no char tokens"):
        tokenize("\x00\x01", "char")
    with pytest.raises(TokenError, match="the text has no word tokens"):
        tokenize(" \n\t ", "word")


def test_emoji_and_other_scripts_do_not_crash():
    text = "héllo 👍🏽 世界 👨‍👩‍👧"
    chars = tokenize(text, "char")
    assert "👍" in chars and "🏽" in chars and "\u200d" in chars and "世" in chars
    assert "".join(chars) == text
    words = tokenize(text, "word")
    assert words[0] == "héllo" and "世界" in words and "👍" in words


def test_limits_are_errors_that_name_them():
    with pytest.raises(TokenError, match="the text is empty"):
        tokenize("", "char")
    with pytest.raises(TokenError, match=r"1,048,576 characters; the limit is 100,000 characters"):
        tokenize("x" * 2**20, "char")
    assert len(tokenize("x" * MAX_CHARS, "char")) == MAX_CHARS
    with pytest.raises(TokenError, match="tokenizer must be one of char, word, got 'bpe'"):
        tokenize("abc", "bpe")
    with pytest.raises(TokenError, match="text must be a string, got bytes"):
        tokenize(b"abc", "char")


def test_vocab_encodes_and_decodes():
    vocab = Vocab(["a", "b", "c"])
    ids, unknown = vocab.encode(["c", "a", "b", "a"])
    assert ids.dtype == np.int64 and ids.tolist() == [2, 0, 1, 0]
    assert unknown == []
    assert vocab.decode(ids) == ["c", "a", "b", "a"]
    assert len(vocab) == 3 and "b" in vocab and "z" not in vocab


def test_unknown_tokens_map_to_unk_and_are_reported():
    vocab = Vocab([UNK, "a", "b"])
    ids, unknown = vocab.encode(list("abzaé"))
    assert ids.tolist() == [1, 2, 0, 1, 0]
    assert unknown == [(2, "z"), (4, "é")]


def test_unknown_tokens_without_unk_are_listed_in_the_error():
    vocab = Vocab(list("ab "))
    with pytest.raises(
        TokenError,
        match=r"^2 token\(s\) are not in this model's vocabulary of 3: 'z' at 1, '↵' at 3$",
    ):
        vocab.encode(list("az \n"))
    many = list("0123456789xyz")
    with pytest.raises(TokenError, match=r"13 token\(s\) .*'9' at 9 and 3 more$"):
        vocab.encode(many)


def test_the_unknown_listing_shows_the_first_ones_and_counts_the_rest():
    unknown = [(0, "\t"), (1, " ")] + [(j, "z") for j in range(2, SHOWN + 2)]
    assert unknown_listing(unknown[:2]) == "'⇥' at 0, '␣' at 1"
    assert unknown_listing(unknown) == unknown_listing(unknown[:SHOWN]) + " and 2 more"


def test_bad_vocabularies_are_errors():
    with pytest.raises(TokenError, match="the vocabulary is empty"):
        Vocab([])
    with pytest.raises(TokenError, match="lists 'a' more than once"):
        Vocab(["a", "b", "a"])
    with pytest.raises(TokenError, match="non-empty strings, got 3"):
        Vocab(["a", 3])


def test_vocab_of_keeps_first_appearance_order():
    assert Vocab.of(list("hello")).tokens == ["h", "e", "l", "o"]


def test_show_makes_whitespace_visible():
    assert [show(t) for t in ["\n", "\t", " ", "a"]] == ["↵", "⇥", "␣", "a"]


def test_token_vectors_are_deterministic_per_seed():
    a = token_vector("the", 8, seed=0)
    np.testing.assert_array_equal(a, token_vector("the", 8, seed=0))
    assert not np.array_equal(a, token_vector("the", 8, seed=1))
    assert not np.array_equal(a, token_vector("The", 8, seed=0))
    # Fixed numbers: the same on every run, process and platform (no salted hash()).
    np.testing.assert_allclose(
        token_vector("a", 2, seed=0), [-0.186_768_40, -1.399_290_39], atol=1e-8
    )


def test_open_embedding_gives_every_token_a_row():
    vocab, table = open_embedding(["b", "a", "b", "👍", "\x00x"], 4, seed=3)
    assert vocab.tokens == ["b", "a", "👍", "\x00x"]
    assert table.shape == (4, 4)
    np.testing.assert_array_equal(table[2], token_vector("👍", 4, seed=3))
    with pytest.raises(TokenError, match="embedding size must be a positive integer, got 0"):
        open_embedding(["a"], 0, seed=0)
    with pytest.raises(TokenError, match="seed must be a non-negative integer, got -2"):
        open_embedding(["a"], 3, seed=-2)
