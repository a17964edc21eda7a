"""Render the README's picture of the page: the default preset's panels, drawn headless.

    python3 tools/picture.py    ->  assets/picture.png

The same Views and panels as the page, on the raster backend (2x for a sharp picture), so the
picture shows what the page draws: the bracket-depth preset on its example, its counter unit
selected in the diagram, the marker two thirds of the way through.
"""

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lstm import modelfile
from lstm.draw.raster import RasterCanvas, encode_png
from lstm.tokens import Vocab, tokenize
from lstm.views import CANVAS_SIZES, Views

PANELS = ("diagram", "heatmaps", "states")


def picture(model_path: Path, unit: int | None) -> np.ndarray:
    """The panels of a preset's example stacked top to bottom, (rows, 900, 4) RGBA."""
    model, meta = modelfile.load_model(model_path)
    tokens = tokenize(meta["example"], meta["tokenizer"])
    ids, _ = Vocab(list(meta["vocabulary"])).encode(tokens)
    views = Views(model.trace(ids), tokens)
    canvases = {k: RasterCanvas(*CANVAS_SIZES[k], scale=2) for k in PANELS}
    views.draw_all(canvases, step=2 * len(tokens) // 3, unit=unit)
    return np.concatenate([canvases[k].pixels() for k in PANELS], axis=0)


def counter_unit(model_path: Path) -> int:
    """The unit whose cell state follows the bracket depth most closely."""
    model, meta = modelfile.load_model(model_path)
    tokens = tokenize(meta["example"], meta["tokenizer"])
    ids, _ = Vocab(list(meta["vocabulary"])).encode(tokens)
    depth = np.cumsum([{"(": 1, ")": -1}.get(t, 0) for t in tokens])
    c = model.trace(ids).layers[0].c
    r = [abs(np.corrcoef(c[:, u], depth)[0, 1]) for u in range(c.shape[1])]
    return int(np.argmax(r))


if __name__ == "__main__":
    preset = ROOT / "assets" / "models" / "brackets.npz"
    out = ROOT / "assets" / "picture.png"
    out.write_bytes(encode_png(picture(preset, counter_unit(preset))))
    print(f"wrote {out}")
