"""Exports: every panel as PNG and SVG, the trace as CSV and NPZ, the model as a model file.

A panel is drawn again, at the size it has on the page, through the same `Frames` onto a
headless canvas (lstm/draw/raster.py, svg.py), so the file shows what the page shows (without
the hover readout). The trace files are those of `python -m lstm trace --npz/--csv`
(lstm/tracefile.py); the model file is this project's format (modelfile.model_bytes), which
the page and the command line load back.
"""

from __future__ import annotations

import re

from .. import modelfile
from ..draw.curve import draw_curve
from ..draw.raster import RasterCanvas
from ..draw.svg import SvgCanvas
from ..tracefile import csv_bytes, npz_bytes, step_rows, trace_arrays
from .models import SEED
from .panels import PANELS, Frames, draw_empty

PNG_SCALE = 2  # samples per CSS pixel each way, averaged: anti-aliased (the PNG is the panel size)
LOSS = "loss"  # the training panel's curve, exported like the others
TITLES = {  # short names for the menu; a panel not named here is listed by its title
    "diagram": "Cell diagram", "tokentext": "Coloured text", "heatmaps": "Gate heatmaps",
    "states": "Cell and hidden states", "equations": "Equations", "prediction": "Prediction",
    "saturation": "Gate saturation", LOSS: "Training loss",
}
NPZ, CSV, PNG, SVG = ("application/octet-stream", "text/csv", "image/png", "image/svg+xml")


def file_stem(key: str) -> str:
    """A model menu key as the start of a file name: "file:my model.keras" -> "my-model"."""
    name = key.removeprefix("file:")
    name = re.sub(r"\.(npz|safetensors|keras|h5|json)$", "", name)
    name = re.sub(r"\.weights$", "", name)
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "model"


class Exports:
    """The Export group: a panel menu, PNG and SVG buttons, trace CSV and NPZ, the model."""

    def __init__(self, page, app):
        self.page, self.app = page, app

    def bind(self) -> None:
        on, g = self.page.on, self.app.guard
        menu = [(p.id, TITLES.get(p.id) or getattr(p, "title", "") or p.id) for p in PANELS]
        self.page.set_options("export-panel", [*menu, (LOSS, TITLES[LOSS])])
        on("export-png", "click", g(lambda: self.panel("png")))
        on("export-svg", "click", g(lambda: self.panel("svg")))
        on("export-csv", "click", g(self.trace_csv))
        on("export-npz", "click", g(self.trace_npz))
        on("export-model", "click", g(self.model))

    def draw(self, panel_id: str, canvas) -> None:
        """Panel `panel_id` as the page shows it now, onto `canvas`."""
        app = self.app
        if panel_id == LOSS:
            history = [] if app.train is None or app.train.trainer is None \
                else app.train.trainer.history
            draw_curve(canvas, [r.loss for r in history], [r.accuracy for r in history])
        elif app.frames is None:
            draw_empty({panel_id: canvas})
        else:
            Frames(app.frames.scene).draw({panel_id: canvas}, app.shown_view(), deferred=None)

    def picture(self, panel_id: str, kind: str) -> bytes:
        """The PNG or SVG bytes of a panel, at its size on the page."""
        size = self.page.canvas(panel_id)
        if kind == "png":
            canvas = RasterCanvas(size.width, size.height, scale=PNG_SCALE)
            self.draw(panel_id, canvas)
            return canvas.png()
        canvas = SvgCanvas(size.width, size.height)
        self.draw(panel_id, canvas)
        return canvas.svg().encode("utf-8")

    def panel(self, kind: str) -> None:
        panel_id = self.page.value("export-panel")
        if panel_id not in {p.id for p in PANELS} | {LOSS}:
            return
        name = f"{file_stem(self.app.entry.key)}-{panel_id}-step{self.app.step}.{kind}"
        self.page.download(name, self.picture(panel_id, kind), PNG if kind == "png" else SVG)

    def trace_rows(self):
        """The trace shown and its tokens, or None with a message when there is none yet."""
        if self.app.trace is None:
            self.page.set_text("message", "No trace yet: press Start or Step first.")
            return None
        return self.app.trace, self.app.tokens

    def trace_csv(self) -> None:
        shown = self.trace_rows()
        if shown is not None:
            trace, tokens = shown
            self.page.download(f"{file_stem(self.app.entry.key)}-trace.csv",
                               csv_bytes(step_rows(tokens, trace)), CSV)

    def trace_npz(self) -> None:
        shown = self.trace_rows()
        if shown is not None:
            trace, tokens = shown
            model = self.app.inputs_of(tokens)[0]
            self.page.download(f"{file_stem(self.app.entry.key)}-trace.npz",
                               npz_bytes(trace_arrays(model, tokens, trace)), NPZ)

    def model(self) -> None:
        """The model shown as a model file (the random one at its cell size, reading tokens
        as fixed random vectors, as the page does)."""
        entry = self.app.entry
        if entry.model is None:
            model = self.app.models.random_model(self.app.cell_size)
            meta = {"task": "", "title": f"Random ({model.hidden_size} units)",
                    "tokenizer": entry.tokenizer, "vocabulary": [], "seed": SEED,
                    "metrics": {}, "training_seconds": 0}
        else:
            model, meta = entry.model, entry.meta
        try:
            data = modelfile.model_bytes(model, meta)
        except modelfile.ModelFileError as e:
            self.page.set_text("message", f"The model cannot be saved as a model file: {e}")
            return
        self.page.download(f"{file_stem(entry.key)}.npz", data, NPZ)
