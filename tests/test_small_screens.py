"""Every panel as a phone shows it: drawn by the app (FakePage) at the width a 320 or 360 px
screen offers a panel (tests/browser/test_screens.py measures it in Chromium), for every preset
and the random model. No text under 11 CSS px, no label past the canvas's edges (estimated
widths), and a picture of each in tests/output/screens/ to look at."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from lstm import modelfile
from lstm.analysis.clamp import Clamp, clamped_trace
from lstm.analysis.features import task_features
from lstm.analysis.gradflow import gradient_flow
from lstm.draw.canvas import RecordingCanvas, label_extent
from lstm.draw.counterfactual import CounterfactualPanel
from lstm.draw.features import FeaturesPanel
from lstm.draw.gradflow import GradflowPanel
from lstm.draw.memory import MemoryPanel
from lstm.draw.raster import RasterCanvas
from lstm.focus import Focus
from lstm.tokens import Vocab, tokenize
from lstm.ui.app import RANDOM, start
from lstm.ui.models import MODELS_DIR
from tests.fakes import FakePage

OUT = Path(__file__).parent / "output" / "screens"
PHONES = {320: 286, 360: 326}  # screen width -> the width a panel offers its canvas (CSS px)
MIN_TEXT = 11
MODELS = [*sorted(p.stem for p in MODELS_DIR.glob("*.npz")), RANDOM]


def problems(canvas: RecordingCanvas) -> list[str]:
    """What is too small or outside the canvas among the labels it was given."""
    out = []
    for item in canvas.labels():
        if item[4] < MIN_TEXT:
            out.append(f"{item[0]!r} at {item[4]} px")
        left, right = label_extent(item)
        if not item[8] and (left < -1 or right > canvas.width + 1):
            out.append(f"{item[0]!r} spans {left:.0f}..{right:.0f} of {canvas.width}")
        if not 0 <= item[2] <= canvas.height:
            out.append(f"{item[0]!r} at y {item[2]} of {canvas.height}")
    return out


def picture(canvas: RecordingCanvas, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    raster = RasterCanvas(canvas.width, canvas.height, scale=2)
    for call, args in canvas.calls:
        getattr(raster, call)(*args)
    raster.save(str(OUT / f"{name}.png"))


@pytest.mark.parametrize("phone", PHONES)
@pytest.mark.parametrize("model", MODELS)
def test_every_panel_of_the_app_on_a_phone(model, phone):
    page = FakePage(values={"speed": "3"})
    app = start(page)
    page.choose("model", model)
    page.resize(PHONES[phone])
    for _ in range(12):
        page.click("step")
    page.choose("unit", "1")
    for canvas in page.canvases.values():
        canvas.reset()
    app.show()  # one whole frame of every panel, recorded afresh
    page.run_later()  # and the deferred one, after the page has painted
    app.train.show_progress()
    smallest = {}
    for id_, canvas in page.canvases.items():
        assert canvas.width == PHONES[phone], id_
        assert canvas.count("texts") == 1, id_
        assert problems(canvas) == [], (id_, problems(canvas))
        smallest[id_] = min(item[4] for item in canvas.labels())
        picture(canvas, f"{model}_{phone}_{id_}")
    assert min(smallest.values()) >= MIN_TEXT, smallest


@pytest.mark.parametrize("phone", PHONES)
def test_every_inspection_panel_on_a_phone(phone):
    """The part-2 panels, drawn directly (their data is a plain object)."""
    model, meta = modelfile.load_model(MODELS_DIR / "brackets.npz")
    tokens = tokenize(meta["example"], meta["tokenizer"])
    ids, _ = Vocab(list(meta["vocabulary"])).encode(tokens)
    trace = model.trace(ids)
    clamps = [Clamp(0, 3, "f", 1.0, 5)]
    step = len(tokens) * 2 // 3
    data = SimpleNamespace(trace=trace, tokens=tokens, model=model,
                           feature=task_features(meta["task"], tokens)[0],
                           clamped=clamped_trace(model, ids, trace, clamps), clamps=clamps,
                           outputs=list(meta["labels"]), labels=None,
                           flow=gradient_flow(model, trace, 0, 3, step - 1))
    width = PHONES[phone]
    for cls in (MemoryPanel, FeaturesPanel, CounterfactualPanel, GradflowPanel):
        height = cls.__module__ and __import__(cls.__module__, fromlist=["SIZE"]).SIZE[1]
        canvas = RecordingCanvas(width, height)
        cls(width, height).draw(canvas, data, Focus(unit=3, step=step))
        assert canvas.count("texts") == 1 and problems(canvas) == [], cls.__name__
        picture(canvas, f"inspection_{phone}_{cls.__name__}")
