"""Your own model in the page: a model file (chosen or dropped), its vocabulary, its options.

Any format `lstm.weights.load_weights` reads joins the model menu under "file:NAME". A file
that needs an option to load (two LSTMs, TF1's forget bias, Keras hard_sigmoid without a
recorded version) makes the page ask, with the choices that fit; the answer loads it again. A
vocabulary file (JSON list or {token: id} map) goes with the model file shown, or, chosen
before one, with the next. A model without one reads text as characters by code point or as
token ids (the `read-as` menu). An upload is anybody's file: whatever fails while reading it
is only a message, and the page keeps its model and its state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from ..weights import WeightsError
from .models import READ_AS, Entry, file_entry

QUESTIONS = {  # what the page asks when a file needs an option (WeightsError.option)
    "lstm": "the file holds more than one LSTM. Which one?",
    "embedding": "more than one module could be the embedding. Which one?",
    "head": "more than one module could be the output layer. Which one?",
    "forget_bias": "TensorFlow 1 cells add forget_bias to the forget gate when they run, and "
                   "the file does not store it. Which value was the model built with (1.0 is "
                   "the default of BasicLSTMCell and LSTMCell)?",
    "recurrent_activation": "the gates are hard sigmoids, which Keras 2 and 3 compute "
                            "differently, and the file records no version. Which Keras saved it?",
}
CHOICE_LABELS = {
    "": "(top level)",
    "none": "none",
    "hard_sigmoid_keras3": "Keras 3: relu6(x + 3) / 6",
    "hard_sigmoid_keras2": "Keras 2: clip(0.2 x + 0.5, 0, 1)",
}
VOCAB_SUFFIX = ".json"


@dataclass(frozen=True)
class Upload:
    """A model file's bytes and what it is loaded with."""

    name: str
    data: bytes
    vocab: tuple[str, bytes] | None = None  # (file name, bytes) of a vocabulary file
    options: dict = field(default_factory=dict)  # load_weights options given so far
    read_as: str = "chars"  # without a vocabulary: "chars" or "ids" (models.READ_AS)

    @property
    def key(self) -> str:
        return f"file:{self.name}"


class Uploads:
    """The model-file and vocabulary inputs, drops onto the page, the question a file asks."""

    def __init__(self, page, app):
        self.page, self.app = page, app
        self.files: dict[str, Upload] = {}  # menu key -> the upload it was loaded from
        self.asking: tuple[Upload, str, tuple[str, ...]] | None = None  # (upload, option, choices)
        self.vocab: tuple[str, bytes] | None = None  # waiting for the next model file

    def bind(self) -> None:
        page, g = self.page, self.app.guard
        page.on_file("model-file", self.app.load_model_file)
        page.on_file("vocab-file", g(self.vocab_file))
        page.on_drop(g(self.dropped))
        page.on("import-apply", "click", g(self.answer))
        page.on("read-as", "change", g(self.choose_read_as))
        page.set_options("read-as", list(READ_AS.items()))
        self.hide_question()

    # --- what arrives -------------------------------------------------------------------------
    def model_file(self, name: str, data: bytes) -> None:
        """A model file chosen or dropped: load it, with the vocabulary waiting, if any."""
        vocab, self.vocab = self.vocab, None
        self.load(Upload(name, bytes(data), vocab))

    def vocab_file(self, name: str, data: bytes) -> None:
        """A vocabulary file: for the file question open, else the model file shown, else the
        next model file."""
        vocab = (name, bytes(data))
        if self.asking is not None:
            upload, option, choices = self.asking
            self.asking = (replace(upload, vocab=vocab), option, choices)
            self.page.set_text("message", f"{name} will be the vocabulary of {upload.name}.")
            return
        shown = self.files.get(self.app.entry.key)
        if shown is not None:
            self.load(replace(shown, vocab=vocab))
            return
        self.vocab = vocab
        self.page.set_text("message", f"{name} will be the vocabulary of the next model file.")

    def dropped(self, files: list[tuple[str, bytes]]) -> None:
        """Files dropped onto the page: a .json is a vocabulary, anything else a model file."""
        vocabs = [f for f in files if f[0].lower().endswith(VOCAB_SUFFIX)]
        models = [f for f in files if not f[0].lower().endswith(VOCAB_SUFFIX)]
        if len(models) > 1 or len(vocabs) > 1:
            names = ", ".join(name for name, _ in files)
            self.page.set_text("message", f"Drop one model file (and at most one vocabulary "
                                          f".json) at a time; got {names}.")
            return
        if vocabs and models:
            self.vocab = None
            (name, data), (vocab_name, vocab) = models[0], vocabs[0]
            self.load(Upload(name, bytes(data), (vocab_name, bytes(vocab))))
        elif vocabs:
            self.vocab_file(*vocabs[0])
        elif models:
            self.model_file(*models[0])

    def answer(self) -> None:
        """The question's answer (import-choice or import-number): load the file with it."""
        if self.asking is None:
            return
        upload, option, choices = self.asking
        if choices:
            value = self.page.value("import-choice")
            if value not in choices:
                self.page.set_text("message", f"Choose one of: {', '.join(choices)}.")
                return
        else:
            text = self.page.value("import-number").strip()
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                self.page.set_text("message", f"{option} must be a number, got {text!r}.")
                return
        self.load(replace(upload, options={**upload.options, option: value}))

    def choose_read_as(self) -> None:
        """Characters by code point or token ids, for the imported model shown."""
        shown = self.files.get(self.app.entry.key)
        read_as = self.page.value("read-as")
        if shown is not None and read_as in READ_AS and read_as != shown.read_as:
            self.load(replace(shown, read_as=read_as))

    # --- loading ------------------------------------------------------------------------------
    def load(self, upload: Upload) -> None:
        """Load `upload` into the menu and show it; ask when it needs an option; else a
        message saying why not, and nothing else changes."""
        try:
            vocab_name, vocab = upload.vocab or ("", None)
            entry = file_entry(upload.name, upload.data, vocab, vocab_name, upload.read_as,
                               **upload.options)
        except WeightsError as e:
            if e.option in QUESTIONS and e.option not in upload.options:
                self.ask(upload, e.option, e.choices)
                return
            self.refuse(upload, e)
            return
        except Exception as e:  # the file's fault, whatever it is: see the module docstring
            self.refuse(upload, e)
            return
        self.hide_question()
        self.files[entry.key] = upload
        self.app.add_entry(entry)
        self.app.links.model_added(entry.key)

    def refuse(self, upload: Upload, error: Exception) -> None:
        self.hide_question()
        with_vocab = f" with {upload.vocab[0]}" if upload.vocab is not None else ""
        self.page.set_text("message", f"Could not load {upload.name}{with_vocab}: {error}")

    def ask(self, upload: Upload, option: str, choices: tuple[str, ...]) -> None:
        """Show the question `option` asks of `upload`, and its choices (none: a number)."""
        self.asking = (upload, option, choices)
        self.page.set_text("import-question", f"{upload.name}: {QUESTIONS[option]}")
        if choices:
            self.page.set_options("import-choice",
                                  [(c, CHOICE_LABELS.get(c, c)) for c in choices])
            self.page.remove_attr("import-choice-row", "hidden")
            self.page.set_attr("import-number-row", "hidden", "")
        else:
            self.page.set_value("import-number", "1.0")
            self.page.set_attr("import-choice-row", "hidden", "")
            self.page.remove_attr("import-number-row", "hidden")
        self.page.remove_attr("import-options", "hidden")
        self.page.set_text("message", f"{upload.name} needs one more answer to load: see "
                                      f"the question under the model menu.")

    def hide_question(self) -> None:
        self.asking = None
        self.page.set_attr("import-options", "hidden", "")

    # --- what the page says of the model shown -----------------------------------------------
    def show_entry(self, entry: Entry) -> None:
        """The model info line, and the read-as menu (only for an imported model that came
        without a vocabulary)."""
        self.page.set_text("model-info", entry.info)
        upload = self.files.get(entry.key)
        if upload is not None and entry.meta.get("vocabulary_from") in ("code points", "ids"):
            self.page.remove_attr("read-as", "disabled")
            self.page.set_value("read-as", upload.read_as)
        else:
            self.page.set_attr("read-as", "disabled", "")
