"""lstm/analysis/equations.py: every worked number equals the trace's, on several models."""

from pathlib import Path

import numpy as np
import pytest

from lstm.analysis.equations import GATES, equations, equations_at
from lstm.focus import Focus
from lstm.model import LSTM

FIXTURES = Path(__file__).parent / "fixtures" / "lstm"
NAMES = ["embed_out_layers2_v9_e4_h6_t20", "embed_v10_e6_h8_t30", "layers3_h6_e4_t25",
         "state_layers2_h5_e3_t15", "saturated_x20_h8_e5_t30", "h1_e1_t1"]
TOL = 1e-12


def fixture(name: str):
    """A float64 fixture's model, its inputs and its trace from the fixture's h0, c0."""
    data = dict(np.load(FIXTURES / f"{name}.float64.npz", allow_pickle=False))
    params = {k: v for k, v in data.items() if k.startswith(("weight_", "bias_", "out_"))}
    if "embedding" in data:
        params["embedding"] = data["embedding"]
    model = LSTM(params)
    x = data["ids"] if "ids" in data else data["x"]
    return model, x, model.trace(x, data["h0"], data["c0"])


def positions(trace):
    """Every (layer, unit, t) of a small trace: first, second and last steps, every unit."""
    T, H = trace.layers[0].h.shape
    return [(k, u, t) for k in range(len(trace.layers)) for u in range(H)
            for t in sorted({0, min(1, T - 1), T - 1})]


@pytest.mark.parametrize("name", NAMES)
def test_every_number_equals_the_trace(name):
    model, _, trace = fixture(name)
    H = model.hidden_size
    for k, u, t in positions(trace):
        eq = equations(model, trace, k, u, t)
        lt = trace.layers[k]
        for j, a in enumerate(GATES):
            s = eq.gates[a]
            assert s.pre == s.x_part + s.h_part + s.bias  # the sum as printed
            assert abs(s.pre - lt.pre[t, j * H + u]) < TOL, (a, k, u, t)
            assert abs(s.value - getattr(lt, a)[t, u]) < TOL, (a, k, u, t)
        c_prev = lt.c[t - 1, u] if t else lt.c0[u]
        assert eq.c_prev == c_prev
        assert abs(eq.c - lt.c[t, u]) < TOL and abs(eq.h - lt.h[t, u]) < TOL
        i, f, g, o = (eq.gates[a].value for a in GATES)
        assert eq.c == f * eq.c_prev + i * g and eq.h == o * np.tanh(eq.c)


@pytest.mark.parametrize("name", NAMES)
def test_the_parts_are_the_rows_of_the_parameters(name):
    model, x, trace = fixture(name)
    p, H = model.params, model.hidden_size
    for k, u, t in positions(trace):
        eq = equations(model, trace, k, u, t)
        if k == 0:
            x_t = p["embedding"][x[t]] if model.vocab_size else x[t]
            assert eq.source == ("embedding" if model.vocab_size else "input")
        else:
            x_t = trace.layers[k - 1].h[t]
            assert eq.source == "layer below"
        h_prev = trace.layers[k].h[t - 1] if t else trace.layers[k].h0
        for j, a in enumerate(GATES):
            r, s = j * H + u, eq.gates[a]
            assert abs(s.x_part - p[f"weight_ih_l{k}"][r] @ x_t) < TOL
            assert abs(s.h_part - p[f"weight_hh_l{k}"][r] @ h_prev) < TOL
            assert s.bias == p[f"bias_ih_l{k}"][r] + p[f"bias_hh_l{k}"][r]


def test_top_terms_are_the_largest_products_and_all_of_them_sum_to_the_part():
    model, _, trace = fixture("embed_out_layers2_v9_e4_h6_t20")
    p = model.params
    eq = equations(model, trace, 1, 2, 7)
    all_terms = equations(model, trace, 1, 2, 7, top=model.hidden_size)
    for j, a in enumerate(GATES):
        top, every = eq.gates[a], all_terms.gates[a]
        assert len(top.h_terms) == 3 and len(every.h_terms) == model.hidden_size
        assert abs(sum(term.product for term in every.h_terms) - every.h_part) < TOL
        assert abs(sum(term.product for term in every.x_terms) - every.x_part) < TOL
        sizes = [abs(term.product) for term in every.h_terms]
        assert sizes == sorted(sizes, reverse=True) and top.h_terms == every.h_terms[:3]
        for term in top.h_terms:  # weight and value are the real row entry and h_{t-1}[j]
            assert term.weight == p["weight_hh_l1"][j * 6 + 2, term.index]
            assert term.value == trace.layers[1].h[6, term.index]
            assert term.product == term.weight * term.value


def test_a_random_model_with_an_embedding_works_out_as_traced():
    model = LSTM.random(5, 7, num_layers=2, vocab_size=11, seed=3)
    ids = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3])
    trace = model.trace(ids)
    for t in (0, 4, 9):
        eq = equations(model, trace, 0, 6, t)
        assert abs(eq.h - trace.layers[0].h[t, 6]) < TOL
        assert eq.gates["i"].x_terms[0].value in model.params["embedding"][ids[t]]


def test_the_first_step_starts_from_h0_and_c0():
    model, _, trace = fixture("state_layers2_h5_e3_t15")
    eq = equations(model, trace, 1, 4, 0)
    assert eq.h_prev == trace.layers[1].h0[4] != 0 and eq.c_prev == trace.layers[1].c0[4] != 0


def test_quantities_are_named_in_the_printed_order():
    model, _, trace = fixture("embed_v10_e6_h8_t30")
    q = equations(model, trace, 0, 3, 5).quantities()
    assert list(q)[:5] == ["x_part_i", "h_part_i", "bias_i", "pre_i", "i"]
    assert list(q)[-3:] == ["c_prev", "c", "h"] and len(q) == 23
    assert all(type(v) is float for v in q.values())


@pytest.mark.parametrize("where, message", [
    ((2, 0, 0), "layer 2 is out of range: there are layers 0..1"),
    ((0, 6, 0), "unit 6 is out of range: there are units 0..5"),
    ((0, 0, 20), "step 20 is out of range: there are steps 0..19"),
    ((0, -1, 0), "unit -1 is out of range"),
    ((0, None, 0), "unit None is out of range"),
])
def test_out_of_range_names_what(where, message):
    model, _, trace = fixture("embed_out_layers2_v9_e4_h6_t20")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        equations(model, trace, *where)


def test_the_page_focus_gives_equations_or_none():
    model, _, trace = fixture("embed_out_layers2_v9_e4_h6_t20")
    tokens = [f"t{j}" for j in range(20)]
    eq = equations_at(model, trace, Focus(layer=1, unit=2, step=8), tokens)
    assert (eq.layer, eq.unit, eq.t, eq.token) == (1, 2, 7, "t7")
    assert eq == equations(model, trace, 1, 2, 7, token="t7")
    for focus in (Focus(unit=None, step=3), Focus(unit=1, step=0), Focus(unit=1, step=21),
                  Focus(layer=2, unit=1, step=3), Focus(unit=6, step=3)):
        assert equations_at(model, trace, focus, tokens) is None
