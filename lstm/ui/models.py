"""The model menu: trained presets, models loaded from files or trained in the tab, and the
seed's random model; how each reads a text (its tokenizer, vocabulary and examples)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import modelfile
from ..model import GATE_ACTIVATIONS, LSTM
from ..tasks import TASKS
from ..tokens import UNK, TokenError, Vocab, open_embedding, show, unknown_listing
from ..weights import load_weights

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
    """One choice of the model menu: a model (None: the random model) and how it reads text.

    vocab None: the model has no embedding and each token is read as a fixed random vector
    (`open_embedding`, seeded). meta: the model file's metadata, as the entry reads text (what
    an export writes); info: what the page says about where it came from.
    """

    key: str
    label: str
    model: LSTM | None
    tokenizer: str
    vocab: Vocab | None
    examples: list[tuple[str, str]]
    version: int = 0  # bumped when the weights change (training), so cached traces are redone
    task: str = ""  # the task it was trained on, if any
    info: str = ""  # what the page says of the model: what it learnt, or where it came from
    text: str = ""  # the text last shown with it: switching back to it brings it back
    labels: list[str] | None = None  # the output layer's names
    meta: dict = field(default_factory=dict)  # its model file's metadata (findings read it)


def entry_from_model(key: str, label: str, model: LSTM, meta: dict) -> Entry:
    """A menu entry for a model with its metadata (task, tokenizer, vocabulary, example)."""
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
        vocab=None if model.vocab_size is None else Vocab(list(meta["vocabulary"])),
        examples=examples + task_examples(task),
        task=task,
        labels=[str(v) for v in labels] if labels is not None else None,
        info=str(meta.get("description") or ""),
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
        if entry.vocab is None:  # the random model, or a model without an embedding
            model = self.random_model(cell_size) if entry.model is None else entry.model
            vocab, embedding = open_embedding(tokens, model.input_size,
                                              int(entry.meta.get("seed", SEED)))
            ids, unknown = vocab.encode(tokens)
            return model, embedding[ids], unknown
        try:
            ids, unknown = entry.vocab.encode(tokens)
        except TokenError as e:  # unknown tokens, and no "<unk>" to read them as
            advice = "Remove them, or choose the random model, which reads any token."
            if entry.meta.get("vocabulary_from") == "ids":
                advice = (f"Token ids are whole numbers from 0 to {len(entry.vocab) - 1}, "
                          f"separated by spaces.")
            raise TokenError(f"{sentence(str(e))} {advice}") from None
        return entry.model, ids, unknown


READ_AS = {  # how the page reads text for an imported model that came without a vocabulary
    "chars": "characters by code point (token id n is the character U+n)",
    "ids": "token ids (whole numbers separated by spaces, e.g. 3 1 4)",
}


def file_entry(filename: str, data: bytes, vocab: bytes | None = None, vocab_name: str = "",
               read_as: str = "chars", **options) -> Entry:
    """The menu entry of a file's bytes: a model file of this app or any format
    `lstm.weights.load_weights` reads, with a vocabulary file's bytes and its options.

    An imported model without a vocabulary file reads text as `read_as` (READ_AS). Errors are
    WeightsError (a ValueError) saying what is wrong; its `option` names what would settle it.
    """
    model, meta = load_weights(filename, data, vocab=vocab, **options)
    source = meta.get("vocabulary_from")
    if source == "code points" and read_as == "ids":
        meta = {**meta, "vocabulary": [str(j) for j in range(model.vocab_size)],
                "tokenizer": "word", "vocabulary_from": "ids"}
    label = f"{filename} ({model.hidden_size} units, loaded)"
    entry = entry_from_model(f"file:{filename}", label, model, meta)
    if meta.get("vocabulary_from") == "ids":
        ids = " ".join(str(j) for j in range(min(model.vocab_size, 8)))
        entry.examples.insert(0, (example_label("Token ids", ids), ids))
    entry.info = file_info(filename, model, meta, vocab_name)
    return entry


def file_info(filename: str, model: LSTM, meta: dict, vocab_name: str = "") -> str:
    """What the page says of a loaded file: its format, sizes, vocabulary, parity, notes."""
    source = meta.get("source", {})
    layers = f"{model.num_layers} layers" if model.num_layers > 1 else "1 layer"
    parts = [f"{filename}: {source.get('format', 'a model file of this app')}, {layers} of "
             f"{model.hidden_size} units."]
    reads = {
        "file": f"the vocabulary of {vocab_name or 'the file'} ({model.vocab_size} tokens)",
        "code points": READ_AS["chars"],
        "ids": READ_AS["ids"],
        "none": "vectors: it has no embedding, so each token is given a fixed random vector",
    }.get(meta.get("vocabulary_from"), f"its own vocabulary ({model.vocab_size or 0} tokens)")
    parts.append(f"Reads {reads}.")
    if "parity" in meta:
        p = meta["parity"]
        parts.append(f"Parity with the file's reference outputs: largest absolute difference "
                     f"{p['max_abs_diff']:.3g} over {p['steps']} steps "
                     f"({', '.join(p['by_array'])}).")
    if model.gate_activation != "sigmoid":
        parts.append(f"Gates: {model.gate_activation}, {GATE_ACTIVATIONS[model.gate_activation]}.")
    parts.extend(note if note.endswith(".") else f"{note}." for note in source.get("notes", []))
    return " ".join(parts)
