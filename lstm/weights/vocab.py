"""Vocabularies for imported models: a JSON file, or the characters by code point.

A vocabulary file is a JSON list of tokens (row j of the embedding is token j) or a
{token: id} map whose ids are exactly 0 .. V-1. Without one, token id n is read as the
character with code point n, and the page says so.
"""

from __future__ import annotations

import json

from ..tokens import TokenError, Vocab
from .checks import WeightsError

MAX_VOCAB_BYTES = 50_000_000
SURROGATES = 0xD800  # code points from here on are not characters of a text


def read_vocab(data: bytes, rows: int | None) -> list[str]:
    """The tokens of a vocabulary file, one per embedding row (`rows`, None: no embedding)."""
    if rows is None:
        raise WeightsError("a vocabulary was given but the model has no embedding (it reads "
                           "vectors, not token ids)")
    if len(data) > MAX_VOCAB_BYTES:
        raise WeightsError(f"the vocabulary file is over {MAX_VOCAB_BYTES:,} bytes")
    try:
        value = json.loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise WeightsError(f"the vocabulary is not UTF-8 JSON ({e})") from None
    if isinstance(value, dict):
        ids = list(value.values())
        if not all(isinstance(j, int) and not isinstance(j, bool) for j in ids):
            bad = next(j for j in ids if not isinstance(j, int) or isinstance(j, bool))
            raise WeightsError(f"the vocabulary maps a token to {bad!r}, expected an integer id")
        if sorted(ids) != list(range(len(ids))):
            missing = sorted(set(range(len(ids))) - set(ids))[:5]
            raise WeightsError(
                f"the vocabulary's ids must be 0 to {len(ids) - 1}, each once; missing {missing}"
            )
        tokens = [None] * len(ids)
        for token, j in value.items():
            tokens[j] = token
    elif isinstance(value, list):
        tokens = value
    else:
        raise WeightsError("the vocabulary must be a JSON list of tokens or a {token: id} map")
    try:
        Vocab(tokens)
    except TokenError as e:
        raise WeightsError(f"vocabulary: {e}") from None
    if len(tokens) != rows:
        raise WeightsError(
            f"the vocabulary has {len(tokens)} tokens but the embedding has {rows} rows"
        )
    return tokens


def codepoint_vocab(rows: int) -> list[str]:
    """Token id n as the character U+n, for an embedding of `rows` rows."""
    if rows > SURROGATES:
        raise WeightsError(
            f"the embedding has {rows:,} rows: more than a vocabulary by code point covers "
            f"({SURROGATES:,}); give a vocabulary file or token ids"
        )
    return [chr(n) for n in range(rows)]


def tokenizer_of(tokens: list[str]) -> str:
    """"char" when every token is one character (or a marker like "<unk>"), else "word"."""
    single = all(len(t) == 1 or (t.startswith("<") and t.endswith(">")) for t in tokens)
    return "char" if single else "word"
