"""Seeded example tasks whose trained gates are worth looking at.

Each `Task` has an input vocabulary (character tokens), output labels, a generator of training
batches at a chosen length, a fixed held-out set, for the counting tasks a long test (`LongTest`:
inputs far longer than the page's default training), an example string for the page, and
`targets_of(text)`: what the generator would ask of a model on any text (the page marks the
true label or next token). Batches are batch-major: inputs (B, T) token ids, targets (B, T)
label ids, mask (B, T) with 1 where a target counts (sequences of unequal length are padded at
the end with mask 0).

- brackets: the nesting depth after every character of a bracket string (a counter appears);
  long test: strings of 1,000 characters.
- recall: remember the one capital letter, say it at "?" after 1-30 lower-case distractors
  (20-30 in the held-out set, 200 in the long test): the forget gate holds the memory open, the
  input gate opens once.
- anbn: next character of aⁿbⁿ. (n <= 10 by default, log-uniform): counting up on a, down on b;
  long test: every n up to 500.
- alice: next character of Alice's Adventures in Wonderland (the whole book, public domain,
  assets/text); the last 10% is held out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lstm.tokens import Vocab, clean, tokenize

HELDOUT_SEED = 20261126
HELDOUT_SIZE = 512
TEXT = Path(__file__).resolve().parent.parent / "assets" / "text" / "alice.txt"

Batch = tuple[np.ndarray, np.ndarray, np.ndarray]
Steps = tuple[np.ndarray, np.ndarray]  # targets (T,) label ids, mask (T,) 1 where one is known
HELDOUT: dict[tuple[Task, str], Batch] = {}  # held-out batches by (task, kind), made once


@dataclass(frozen=True)
class LongTest:
    """Held-out inputs far longer than the training ones: what they ask (for the page), their
    generator (fresh strings from any seed), how many sequences the fixed set has, and the
    accuracy a preset of the task must reach on them."""

    about: str
    make: Callable[[np.random.Generator, int], Batch]
    size: int
    goal: float


@dataclass(frozen=True)
class Task:
    """A task: tokens in, labels out, batches from a seeded generator, a held-out set."""

    name: str
    title: str
    about: str
    vocab: tuple[str, ...]
    labels: tuple[str, ...]
    example: str
    make: Callable[[np.random.Generator, int, int], Batch]  # (rng, batch size, length)
    length: int  # the training length `make` takes unless told (see `batch`)
    make_heldout: Callable[[np.random.Generator, int], Batch]
    label_steps: Callable[[list[str]], Steps] | None = None  # targets_of; default next token
    long: LongTest | None = None
    count: Callable[[np.ndarray], np.ndarray] | None = None  # what a counter unit would hold
    count_name: str = ""  # ... in words: "the depth"
    tokenizer: str = "char"
    next_token: bool = False  # targets are the next input token (a language model)

    def batch(self, rng: np.random.Generator, batch_size: int, length: int | None = None
              ) -> Batch:
        """A training batch of batch_size sequences: inputs, targets, mask, each (B, T).

        length: how long the task's sequences get (default `self.length`): the bracket string
        length, the longest recall delay, the largest n of aⁿbⁿ, the text window. The presets
        are trained longer than the page's default, so that they hold on long inputs."""
        return self.make(rng, batch_size, length or self.length)

    def heldout(self) -> Batch:
        """The fixed held-out batch, the same on every call and machine: made once per task
        (every model added and every evaluation reads it) and read-only, since callers share it."""
        return self.fixed("heldout", self.make_heldout, HELDOUT_SIZE)

    def long_heldout(self) -> Batch | None:
        """The fixed batch of the task's long test (as `heldout`), or None without one."""
        return None if self.long is None else self.fixed("long", self.long.make, self.long.size)

    def fixed(self, kind: str, make: Callable, size: int) -> Batch:
        if (self, kind) not in HELDOUT:
            batch = make(np.random.default_rng(HELDOUT_SEED), size)
            for array in batch:
                array.flags.writeable = False
            HELDOUT[self, kind] = batch
        return HELDOUT[self, kind]

    def encode(self, text: str) -> np.ndarray:
        """Token ids (T,) of a text in this task's vocabulary (TokenError for unknown ones)."""
        return Vocab(list(self.vocab)).encode(tokenize(text, self.tokenizer))[0]

    def targets_of(self, text: str) -> Steps:
        """The targets (T,) and mask (T,) that this task's generator gives `text`, one per token:
        mask 1 where the text determines a target (a token outside the vocabulary never is
        one). TokenError for text that cannot be tokenized."""
        tokens = tokenize(text, self.tokenizer)
        if self.label_steps is not None:
            return self.label_steps(tokens)
        return next_token_steps(self.vocab, tokens)

    def unigram_bits(self) -> float | None:
        """Bits per token of the held-out targets under the training frequencies, for tasks
        whose baseline is that (next-character text); None for the others."""
        return None


def next_token_steps(vocab: tuple[str, ...], tokens: list[str]) -> Steps:
    """Each token's next token as the target; none after the last token or an unknown one."""
    ids = {t: j for j, t in enumerate(vocab)}
    nxt = np.array([ids.get(t, -1) for t in tokens[1:]] + [-1], np.int64)
    return np.maximum(nxt, 0), (nxt >= 0).astype(np.float32)


def random_lengths(rng: np.random.Generator, batch_size: int, low: int, high: int) -> np.ndarray:
    return rng.integers(low, high + 1, batch_size)


# Brackets: depth after each character.
BRACKET_VOCAB = ("(", ")", "a", "b")
MAX_DEPTH = 8
BRACKET_T = 48
BRACKET_LONG = 1000


def bracket_batch(
    rng: np.random.Generator, batch_size: int, T: int = BRACKET_T, shortest: int | None = None
) -> Batch:
    """Random bracket strings of T characters (never below depth 0 nor above MAX_DEPTH),
    letters between, each scored up to a random length in shortest..T (default T // 2..T)."""
    B = batch_size
    inputs = np.zeros((B, T), np.int64)
    targets = np.zeros((B, T), np.int64)
    depth = np.zeros(B, np.int64)
    for t in range(T):
        u = rng.random(B)
        opens = (u < 0.4) & (depth < MAX_DEPTH)
        closes = (u >= 0.4) & (u < 0.8) & (depth > 0)
        letter = 2 + (rng.random(B) < 0.5)
        inputs[:, t] = np.where(opens, 0, np.where(closes, 1, letter))
        depth += opens.astype(np.int64) - closes
        targets[:, t] = depth
    lengths = random_lengths(rng, B, T // 2 if shortest is None else shortest, T)
    mask = (np.arange(T) < lengths[:, None]).astype(np.float32)
    return inputs, targets, mask


def bracket_depth(ids: np.ndarray) -> np.ndarray:
    """The depth (T,) after each token of bracket ids (T,)."""
    return np.cumsum((ids == 0).astype(np.int64) - (ids == 1))


def bracket_heldout_batch(rng: np.random.Generator, batch_size: int) -> Batch:
    return bracket_batch(rng, batch_size, BRACKET_T)


def bracket_long_batch(rng: np.random.Generator, batch_size: int) -> Batch:
    return bracket_batch(rng, batch_size, BRACKET_LONG, BRACKET_LONG)


def bracket_steps(tokens: list[str]) -> Steps:
    """The depth after every token (anything but a bracket leaves it); none outside 0..8."""
    depth = np.cumsum([(t == "(") - (t == ")") for t in tokens])
    known = (depth >= 0) & (depth <= MAX_DEPTH)
    return np.where(known, depth, 0).astype(np.int64), known.astype(np.float32)


# Delayed recall: the capital letter, said back at "?".
SYMBOLS = ("A", "B", "C", "D")
NOISE = ("a", "b", "c", "d")
TRAIN_DELAY = 30  # delays 1..30 by default: short ones teach the mechanism
HELDOUT_DELAY = (20, 30)
RECALL_LONG = 200  # the delay of the long test
RECALL_LEAD = 4  # distractors before the capital letter: 0..RECALL_LEAD


def recall_batch(rng: np.random.Generator, batch_size: int, longest: int) -> Batch:
    """Recall after delays of 1..longest noise letters."""
    return recall_strings(rng, batch_size, (1, longest))


def recall_strings(rng: np.random.Generator, batch_size: int, delays: tuple[int, int]) -> Batch:
    """Noise, one capital letter, `delays` noise letters, "?"; only the "?" step is scored."""
    B = batch_size
    lo, hi = delays
    T = RECALL_LEAD + hi + 2
    q = len(NOISE) + len(SYMBOLS)  # id of "?"
    inputs = rng.integers(0, len(NOISE), (B, T))
    lead = rng.integers(0, RECALL_LEAD + 1, B)
    delay = rng.integers(lo, hi + 1, B)
    symbol = rng.integers(0, len(SYMBOLS), B)
    rows = np.arange(B)
    inputs[rows, lead] = len(NOISE) + symbol
    ask = lead + delay + 1
    inputs[rows, ask] = q
    targets = np.zeros((B, T), np.int64)
    targets[rows, ask] = symbol
    mask = np.zeros((B, T), np.float32)
    mask[rows, ask] = 1
    return inputs, targets, mask


def recall_heldout_batch(rng: np.random.Generator, batch_size: int) -> Batch:
    return recall_strings(rng, batch_size, HELDOUT_DELAY)


def recall_long_batch(rng: np.random.Generator, batch_size: int) -> Batch:
    return recall_strings(rng, batch_size, (RECALL_LONG, RECALL_LONG))


def recall_steps(tokens: list[str]) -> Steps:
    """At each "?" the last capital letter before it (none before the first capital)."""
    targets, mask = np.zeros(len(tokens), np.int64), np.zeros(len(tokens), np.float32)
    held = None
    for j, t in enumerate(tokens):
        if t in SYMBOLS:
            held = SYMBOLS.index(t)
        elif t == "?" and held is not None:
            targets[j], mask[j] = held, 1
    return targets, mask


# a^n b^n: the b's and the end are predictable once the first b is seen.
ANBN_MAX = 10
ANBN_LONG = 500


def anbn_strings(n: np.ndarray) -> Batch:
    """a^n b^n . for each n (B,), padded with "."; next character, scored from the first b on
    (inputs, targets, mask (B, 2 max(n) + 1))."""
    t = np.arange(2 * n.max() + 1)
    seq = np.where(t < n[:, None], 0, np.where(t < 2 * n[:, None], 1, 2))  # a=0 b=1 .=2
    targets = np.concatenate([seq[:, 1:], np.full((len(n), 1), 2)], axis=1)
    mask = ((t >= n[:, None]) & (t < 2 * n[:, None])).astype(np.float32)
    return seq, targets, mask


def anbn_batch(rng: np.random.Generator, batch_size: int, largest: int) -> Batch:
    """a^n b^n . with n in 1..largest, log-uniform: every scale of n is seen as often (short
    strings teach the mechanism, long ones its precision)."""
    n = np.exp(rng.uniform(0, np.log(largest + 1), batch_size)).astype(np.int64)
    return anbn_strings(np.clip(n, 1, largest))


def anbn_count(ids: np.ndarray) -> np.ndarray:
    """The a's not yet matched by b's (T,) after each token of aⁿbⁿ ids (T,)."""
    return np.cumsum((ids == 0).astype(np.int64) - (ids == 1))


def anbn_heldout_batch(rng: np.random.Generator, batch_size: int) -> Batch:
    return anbn_batch(rng, batch_size, ANBN_MAX)


def anbn_long_batch(rng: np.random.Generator, batch_size: int) -> Batch:
    """a^n b^n . for batch_size different n from 1..ANBN_LONG (all of them at ANBN_LONG)."""
    return anbn_strings(rng.permutation(np.arange(1, ANBN_LONG + 1))[:batch_size])


def anbn_steps(tokens: list[str]) -> Steps:
    """At the k-th b after n a's (k <= n) the next character: b while k < n, "." at k = n.
    Anything else (an a, ".", another token, a b too many) predicts nothing."""
    targets, mask = np.zeros(len(tokens), np.int64), np.zeros(len(tokens), np.float32)
    a = b = 0
    for j, t in enumerate(tokens):
        if t == "a":
            a, b = (a + 1, 0) if b == 0 else (1, 0)
        elif t == "b" and b < a:
            b += 1
            targets[j], mask[j] = (1 if b < a else 2), 1
        else:
            a = b = 0
    return targets, mask


# Next character of Alice.
TEXT_T = 64  # training windows by default
HELDOUT_TEXT_T = 256  # the held-out text in windows this long, each from a zero state
BOOK = list(clean(TEXT.read_text(encoding="utf-8")))  # its characters (beyond MAX_CHARS)
ALICE_VOCAB = tuple(sorted(set(BOOK)))
ALL_IDS = Vocab(list(ALICE_VOCAB)).encode(BOOK)[0]
SPLIT = int(len(ALL_IDS) * 0.9)
TRAIN_IDS, HELDOUT_IDS = ALL_IDS[:SPLIT], ALL_IDS[SPLIT:]


def alice_batch(rng: np.random.Generator, batch_size: int, T: int) -> Batch:
    """Windows of T training characters at random offsets; targets are the next characters."""
    starts = rng.integers(0, len(TRAIN_IDS) - T - 1, batch_size)
    windows = TRAIN_IDS[starts[:, None] + np.arange(T + 1)]
    return windows[:, :-1], windows[:, 1:], np.ones((batch_size, T), np.float32)


def alice_heldout_batch(rng: np.random.Generator, batch_size: int) -> Batch:
    """The last 10% of the text in consecutive windows (the held-out set ignores rng, size)."""
    T = HELDOUT_TEXT_T
    n = (len(HELDOUT_IDS) - 1) // T
    windows = HELDOUT_IDS[: n * T + 1]
    return windows[:-1].reshape(n, T), windows[1:].reshape(n, T), np.ones((n, T), np.float32)


@dataclass(frozen=True)
class TextTask(Task):
    """A next-character task, whose held-out figures include the unigram baseline."""

    def unigram_bits(self) -> float:
        _, targets, _ = self.heldout()
        return unigram_bits(TRAIN_IDS, targets)


def unigram_bits(train_ids: np.ndarray, targets: np.ndarray) -> float:
    """Bits per token of the best context-free guess: training frequencies (add-one)."""
    counts = np.bincount(train_ids, minlength=len(ALICE_VOCAB)) + 1.0
    return float(-np.log2(counts / counts.sum())[targets].mean())


TASKS = {
    "brackets": Task(
        name="brackets",
        title="Bracket depth",
        about="After every character, say how deeply nested it is (0-8).",
        vocab=BRACKET_VOCAB,
        labels=tuple(str(d) for d in range(MAX_DEPTH + 1)),
        example="(a(b(a))b((a(b)))a)b(a)",
        make=bracket_batch,
        length=BRACKET_T,
        make_heldout=bracket_heldout_batch,
        label_steps=bracket_steps,
        long=LongTest(f"depth after each character of {BRACKET_LONG:,}-character strings",
                      bracket_long_batch, 64, 0.99),
        count=bracket_depth,
        count_name="the depth",
    ),
    "recall": Task(
        name="recall",
        title="Delayed recall",
        about="Remember the capital letter across the distractors; say it at '?'.",
        vocab=NOISE + SYMBOLS + ("?",),
        labels=SYMBOLS,
        example="caCdbadcbbacdabcadbcdab?",
        make=recall_batch,
        length=TRAIN_DELAY,
        make_heldout=recall_heldout_batch,
        label_steps=recall_steps,
        long=LongTest(f"the capital letter after {RECALL_LONG} distractors", recall_long_batch,
                      HELDOUT_SIZE, 0.99),
    ),
    "anbn": Task(
        name="anbn",
        title="aⁿbⁿ",
        about="Predict the next character of aⁿbⁿ. — as many b's as there were a's, then '.'",
        vocab=("a", "b", "."),
        labels=("a", "b", "."),
        example="aaaaaabbbbbb.",
        make=anbn_batch,
        length=ANBN_MAX,
        make_heldout=anbn_heldout_batch,
        label_steps=anbn_steps,
        long=LongTest(f"every predictable step of aⁿbⁿ. for n = 1..{ANBN_LONG}",
                      anbn_long_batch, ANBN_LONG, 1.0),
        count=anbn_count,
        count_name="the a's not yet matched by b's",
        next_token=True,
    ),
    "alice": TextTask(
        name="alice",
        title="Alice, next character",
        about="Predict the next character of Alice's Adventures in Wonderland (Carroll, 1865).",
        vocab=ALICE_VOCAB,
        labels=ALICE_VOCAB,
        example="Alice was beginning to get very tired of sitting by her sister on the bank.",
        make=alice_batch,
        length=TEXT_T,
        make_heldout=alice_heldout_batch,
        next_token=True,
    ),
}


def get_task(name: str) -> Task:
    """The task called `name`; ValueError listing the known ones otherwise."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}: choose one of {', '.join(TASKS)}")
    return TASKS[name]
