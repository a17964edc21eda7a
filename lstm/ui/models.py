"""The model menu: trained presets, models loaded from files or trained in the tab, and the
seed's random model; how each reads a text (its tokenizer, vocabulary and examples)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import modelfile
from ..model import LSTM
from ..tasks import TASKS
from ..tokens import UNK, TokenError, Vocab, open_embedding, show, unknown_listing

MODELS_DIR = Path(__file__).resolve().parent.parent.parent / "assets" / "models"
RANDOM = "random"
DEFAULT_PRESET = "brackets"  # the page opens on it: its counter cell is the clearest picture
RANDOM_EMBED = 8  # embedding width of the random model
SEED = 0
RANDOM_EXAMPLES = [
    ("Simple sentence", "the cat sat on the mat"),
    ("Repetition", "hello world hello world hello world"),
    ("Counting", "one two three four five six seven eight nine ten"),
    ("Long dependency", "the keys that the man near the wooden cabinets holds are on the table"),
]


@dataclass
class Entry:
    """One choice of the model menu: a model (None: the random model) and how it reads text."""

    key: str
    label: str
    model: LSTM | None
    tokenizer: str
    vocab: Vocab | None
    examples: list[tuple[str, str]]
    version: int = 0  # bumped when the weights change (training), so cached traces are redone
    task: str = ""  # the task it was trained on, if any
    labels: list[str] | None = None  # the output layer's names
    description: str = ""  # what it learnt, in words
    meta: dict = field(default_factory=dict)  # its model file's metadata (findings read it)


def entry_from_model(key: str, label: str, model: LSTM, meta: dict) -> Entry:
    """A menu entry for a model with its metadata (task, tokenizer, vocabulary, example)."""
    if model.vocab_size is None:
        raise ValueError("this model reads vectors, not tokens (it has no embedding)")
    example = str(meta.get("example") or "")
    examples = [(example_label("Example", example), example)] if example else []
    task = str(meta.get("task") or "")
    labels = meta.get("labels")
    if labels is None and model.output_size is not None and task in TASKS:
        labels = list(TASKS[task].labels)
    return Entry(
        key=key,
        label=label,
        model=model,
        tokenizer=str(meta["tokenizer"]),
        vocab=Vocab(list(meta["vocabulary"])),
        examples=examples + task_examples(task),
        task=task,
        labels=[str(v) for v in labels] if labels is not None else None,
        description=str(meta.get("description") or ""),
        meta=meta,
    )


def task_examples(name: str, count: int = 3) -> list[tuple[str, str]]:
    """Sequences of a known task's held-out set, each up to its last scored step."""
    task = TASKS.get(name)
    if task is None:
        return []
    inputs, _, mask = task.heldout()
    join = "" if task.tokenizer == "char" else " "
    examples = []
    for r in range(min(count, len(inputs))):
        end = int(np.flatnonzero(mask[r])[-1]) + 1 if mask[r].any() else inputs.shape[1]
        text = join.join(task.vocab[j] for j in inputs[r, :end])
        examples.append((example_label(f"Held-out {r + 1}", text), text))
    return examples


def example_label(kind: str, text: str, width: int = 28) -> str:
    """A menu label: the kind of example and the start of its text, whitespace made visible."""
    shown = "".join(show(ch) if ch in "\n\t" else ch for ch in text[: width + 1])
    return f"{kind}: {shown if len(shown) <= width else shown[: width - 1] + '…'}"


def load_presets(folder: Path) -> tuple[list[Entry], list[str]]:
    """Menu entries for every model file in `folder`, and a note for each file that failed."""
    entries, problems = [], []
    for path in sorted(Path(folder).glob("*.npz")):
        try:
            model, meta = modelfile.load_model(path)
            title = str(meta.get("title") or meta.get("task") or path.stem)
            label = f"{title} ({model.hidden_size} units, trained)"
            entries.append(entry_from_model(path.stem, label, model, meta))
        except Exception as e:
            problems.append(f"{path.name}: {e}")
    return entries, problems


def random_entry() -> Entry:
    return Entry(RANDOM, "Random (seed behaviour)", None, "word", None, list(RANDOM_EXAMPLES))


def unknown_note(unknown: list[tuple[int, str]]) -> str:
    """What the message says of the tokens read as "<unk>"."""
    return (
        f"{len(unknown)} token(s) are not in this model's vocabulary and are read as {UNK}: "
        f"{unknown_listing(unknown)}."
    )


def sentence(text: str) -> str:
    """`text` with a capital first letter and a full stop."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


class Models:
    """The menu's entries in order, and the random model of each cell size (fixed seed: the
    same text shows the same noise)."""

    def __init__(self, entries: list[Entry]):
        self.entries = {e.key: e for e in entries}
        self._random: dict[int, LSTM] = {}

    def options(self) -> list[tuple[str, str]]:
        return [(e.key, e.label) for e in self.entries.values()]

    def add(self, entry: Entry) -> None:
        self.entries[entry.key] = entry

    def random_model(self, hidden: int) -> LSTM:
        if hidden not in self._random:
            self._random[hidden] = LSTM.random(RANDOM_EMBED, hidden, seed=SEED)
        return self._random[hidden]

    def inputs_of(self, entry: Entry, tokens: list[str], cell_size: int
                  ) -> tuple[LSTM, np.ndarray, list[tuple[int, str]]]:
        """The entry's model, its inputs for `tokens` (ids (T,) or vectors (T, E)), and the
        unknown (position, token)s; TokenError when the vocabulary cannot read them."""
        if entry.model is None:
            vocab, embedding = open_embedding(tokens, RANDOM_EMBED, SEED)
            ids, unknown = vocab.encode(tokens)
            return self.random_model(cell_size), embedding[ids], unknown
        try:
            ids, unknown = entry.vocab.encode(tokens)
        except TokenError as e:  # unknown tokens, and no "<unk>" to read them as
            advice = "Remove them, or choose the random model, which reads any token."
            raise TokenError(f"{sentence(str(e))} {advice}") from None
        return entry.model, ids, unknown


def file_entry(filename: str, data: bytes) -> Entry:
    """The menu entry of a model file's bytes; ValueError-like errors say what is wrong."""
    model, meta = modelfile.load_model(data)
    label = f"{filename} ({model.hidden_size} units, loaded)"
    return entry_from_model(f"file:{filename}", label, model, meta)
