"""lstm/analysis/predict.py: softmax, the top outputs, the truth's rank; no output layer."""

from types import SimpleNamespace

import numpy as np
import pytest

from lstm.analysis.predict import NO_OUTPUT, prediction, prediction_at, softmax
from lstm.focus import Focus
from lstm.model import LSTM


def logits_trace(rows):
    return SimpleNamespace(logits=np.array(rows, float))


def test_top_five_most_probable_first_with_their_probabilities():
    z = [0.0, 3.0, 1.0, 2.0, -1.0, 0.5, 4.0]
    pred = prediction(logits_trace([z]), 0, labels=list("abcdefg"))
    e = np.exp(z) / np.exp(z).sum()
    assert [c.label for c in pred.top] == ["g", "b", "d", "c", "f"]
    assert [c.index for c in pred.top] == [6, 1, 3, 2, 5]
    assert [c.p for c in pred.top] == pytest.approx(e[[6, 1, 3, 2, 5]], abs=1e-15)
    assert pred.truth is None and pred.rank is None and pred.outputs == 7 and not pred.message


def test_the_truth_is_marked_with_its_rank_in_or_out_of_the_top():
    z = [[0.0, 3.0, 1.0, 2.0, -1.0, 0.5, 4.0]]
    inside = prediction(logits_trace(z), 0, truth=3)
    assert inside.rank == 3 and inside.truth.index == 3 and inside.truth.label == "3"
    outside = prediction(logits_trace(z), 0, truth=4)
    assert outside.rank == 7 and outside.truth.p == pytest.approx(np.exp(-1) / np.exp(z).sum())
    with pytest.raises(ValueError, match="truth 7 is not an output index"):
        prediction(logits_trace(z), 0, truth=7)


def test_large_logits_do_not_overflow():
    p = softmax(np.array([1000.0, 1000.0, -1000.0]))
    assert p.tolist() == [0.5, 0.5, 0.0]


def test_a_model_with_an_output_layer():
    model = LSTM.random(3, 4, vocab_size=5, output_size=5, seed=2)
    trace = model.trace(np.array([0, 1, 2, 3]))
    pred = prediction(trace, 2, labels=list("vwxyz"), truth=4)
    p = softmax(trace.logits[2])
    assert pred.top[0].p == p.max() and sum(c.p for c in pred.top) == pytest.approx(
        np.sort(p)[::-1].sum())
    assert len(pred.top) == 5 and pred.truth.p == p[4]


def test_no_output_layer_and_steps_outside_say_so():
    model = LSTM.random(3, 4, vocab_size=5, seed=2)
    trace = model.trace(np.array([0, 1]))
    assert prediction(trace, 0).message == NO_OUTPUT and prediction(trace, 0).top == ()
    with_out = LSTM.random(3, 4, vocab_size=5, output_size=2, seed=2).trace(np.array([0, 1]))
    assert prediction(with_out, -1).message == "no prediction before the first token"
    assert prediction(with_out, 2).message == "no prediction past the last step (1)"
    assert len(prediction(with_out, 1).top) == 2  # fewer outputs than five
    with pytest.raises(ValueError, match="3 labels for an output layer of 2"):
        prediction(with_out, 0, labels=list("abc"))


def test_the_page_focus_counts_steps_from_1():
    trace = logits_trace([[0.0, 1.0], [2.0, 0.0]])
    pred = prediction_at(trace, Focus(step=2), ["x", "y"], ["a", "b"], truth=1, what="label")
    assert (pred.t, pred.token, pred.what, pred.top[0].label, pred.rank) == (1, "y", "label",
                                                                             "a", 2)
    assert prediction_at(trace, Focus(step=0), ["x", "y"]).message == (
        "no prediction before the first token")
    assert prediction_at(trace, Focus(step=5), ["x", "y"]).message.startswith("no prediction past")
