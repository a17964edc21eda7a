"""Text to tokens to ids: character and word tokenizers, `Vocab`, the unknown-token policy.

Policy, so the page can say exactly what happened to the user's text:
- "\\r\\n" and "\\r" become "\\n". Control characters other than "\\n" and "\\t" (NUL, escape,
  ...) are dropped: they have no visible form and no model was trained on them. Everything
  else is kept, emoji included; a character token is one Unicode code point, so an emoji
  built from several code points (skin tone, joiners) is several tokens.
- Word mode: runs of letters/digits/underscores (with inner apostrophes, "don't"), and every
  other non-space character as a token of its own; whitespace only separates. Case is kept.
- Empty text, text without tokens, and text longer than MAX_CHARS are errors.
- A token missing from a Vocab maps to "<unk>" when the vocabulary has it; `encode` returns the
  (position, token) pairs it mapped so the caller can show them. Without "<unk>" the unknown
  tokens are an error that lists them.
- A random-init model has no vocabulary of its own: `open_embedding` gives any token a vector
  drawn from a generator seeded with (seed, crc32 of its UTF-8 bytes), the same on every run
  and platform (Python's hash() is salted per process, so it is not used).
"""

from __future__ import annotations

import re
import unicodedata
import zlib

import numpy as np

MAX_CHARS = 100_000
MODES = ("char", "word")
UNK = "<unk>"
WORD = re.compile(r"\w+(?:'\w+)*|[^\w\s]")
SHOWN = 10  # unknown tokens listed in a message


class TokenError(ValueError):
    """Text or tokens that cannot be used; the message says why in the user's terms."""


def clean(text: str) -> str:
    """`text` with newlines made "\\n" and control characters other than "\\n", "\\t" dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def tokenize(text: str, mode: str = "char") -> list[str]:
    """The tokens of `text`: one per character ("char") or per word and punctuation ("word")."""
    if not isinstance(text, str):
        raise TokenError(f"text must be a string, got {type(text).__name__}")
    if mode not in MODES:
        raise TokenError(f"tokenizer must be one of {', '.join(MODES)}, got {mode!r}")
    if not text:
        raise TokenError("the text is empty: type or choose a sequence first")
    if len(text) > MAX_CHARS:
        raise TokenError(
            f"the text has {len(text):,} characters; the limit is {MAX_CHARS:,} characters"
        )
    text = clean(text)
    tokens = list(text) if mode == "char" else WORD.findall(text)
    if not tokens:
        raise TokenError(f"the text has no {mode} tokens (only spaces or control characters)")
    return tokens


def show(token: str) -> str:
    """A token as the page writes it: whitespace made visible, everything else as is."""
    return {"\n": "↵", "\t": "⇥", " ": "␣"}.get(token, token)


def unknown_listing(unknown: list[tuple[int, str]]) -> str:
    """The (position, token)s a vocabulary does not know as messages list them: the first
    SHOWN, whitespace made visible, then how many more ("'x' at 3, '␣' at 6 and 4 more")."""
    listed = ", ".join(f"{show(t)!r} at {j}" for j, t in unknown[:SHOWN])
    return listed + (f" and {len(unknown) - SHOWN} more" if len(unknown) > SHOWN else "")


class Vocab:
    """Tokens and their ids, in order; unknown tokens map to "<unk>" when it is present."""

    def __init__(self, tokens: list[str]):
        tokens = list(tokens)
        if not tokens:
            raise TokenError("the vocabulary is empty")
        bad = [t for t in tokens if not isinstance(t, str) or not t]
        if bad:
            raise TokenError(f"vocabulary entries must be non-empty strings, got {bad[0]!r}")
        self.tokens = tokens
        self.ids = {t: j for j, t in enumerate(tokens)}
        if len(self.ids) != len(tokens):
            dup = next(t for j, t in enumerate(tokens) if self.ids[t] != j)
            raise TokenError(f"the vocabulary lists {dup!r} more than once")
        self.unk = self.ids.get(UNK)

    @classmethod
    def of(cls, tokens: list[str]) -> Vocab:
        """The distinct tokens of a sequence, in order of first appearance."""
        return cls(list(dict.fromkeys(tokens)))

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: str) -> bool:
        return token in self.ids

    def encode(self, tokens: list[str]) -> tuple[np.ndarray, list[tuple[int, str]]]:
        """Ids (T,) int64 and the (position, token) pairs that were not in the vocabulary.

        Unknown tokens become "<unk>" if the vocabulary has it; otherwise TokenError lists them.
        """
        get = self.ids.get
        ids = [get(t, -1) for t in tokens]
        unknown = [(j, t) for j, (t, i) in enumerate(zip(tokens, ids, strict=True)) if i < 0]
        if unknown and self.unk is None:
            raise TokenError(
                f"{len(unknown)} token(s) are not in this model's vocabulary of {len(self)}: "
                f"{unknown_listing(unknown)}"
            )
        out = np.array(ids, dtype=np.int64)
        if unknown:
            out[out < 0] = self.unk
        return out, unknown

    def decode(self, ids) -> list[str]:
        """The tokens of ids (T,)."""
        return [self.tokens[int(j)] for j in ids]


def token_vector(token: str, size: int, seed: int) -> np.ndarray:
    """A deterministic normal(0, 1) vector (size,) for any token under a given seed."""
    key = zlib.crc32(token.encode("utf-8", "surrogatepass"))
    return np.random.default_rng([seed, key]).standard_normal(size)


def open_embedding(tokens: list[str], size: int, seed: int) -> tuple[Vocab, np.ndarray]:
    """The Vocab of the distinct tokens and their embedding (V, size) for a random-init model."""
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise TokenError(f"embedding size must be a positive integer, got {size!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise TokenError(f"seed must be a non-negative integer, got {seed!r}")
    vocab = Vocab.of(tokens)
    return vocab, np.stack([token_vector(t, size, seed) for t in vocab.tokens])
