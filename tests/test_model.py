"""lstm/model.py against PyTorch's numbers (tests/fixtures/lstm, see tools/make_fixtures.py)."""

from pathlib import Path

import numpy as np
import pytest

from lstm.model import LSTM, ModelError, Tracer, sigmoid

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "lstm").glob("*.npz"))
TOLERANCE = {"float64": 1e-6, "float32": 1e-5}
GATES = ("i", "f", "g", "o")


def load(path: Path) -> tuple[LSTM, dict, str]:
    """The model of a fixture in the fixture's dtype, its arrays and that dtype's name."""
    data = dict(np.load(path, allow_pickle=False))
    dtype = path.name.split(".")[-2]
    names = [k for k in data if k.startswith(("weight_", "bias_")) or k.startswith("out_")]
    names += ["embedding"] if "embedding" in data else []
    return LSTM({k: data[k] for k in names}, dtype=dtype), data, dtype


def inputs(data: dict) -> np.ndarray:
    return data["ids"] if "ids" in data else data["x"]


def test_fixtures_cover_the_cases():
    assert len(FIXTURES) >= 40
    shapes = [load(p)[0] for p in FIXTURES]
    steps = [len(inputs(np.load(p))) for p in FIXTURES]
    assert {1, 500} <= set(steps)
    assert {m.hidden_size for m in shapes} >= {1}
    assert {m.input_size for m in shapes} >= {1}
    assert {m.num_layers for m in shapes} >= {1, 2, 3}
    assert any(m.vocab_size for m in shapes) and any(m.output_size for m in shapes)


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name[:-4] for p in FIXTURES])
def test_trace_matches_torch(path):
    model, data, dtype = load(path)
    tol = TOLERANCE[dtype]
    trace = model.trace(inputs(data), data["h0"], data["c0"])
    assert trace.steps == len(inputs(data))
    for k, layer in enumerate(trace.layers):
        for name in ("h", "c", *GATES):
            got = getattr(layer, name)
            assert got.dtype == np.dtype(dtype)
            np.testing.assert_allclose(got, data[f"{name}_l{k}"], rtol=0, atol=tol, err_msg=name)
    if "logits" in data:
        np.testing.assert_allclose(trace.logits, data["logits"], rtol=0, atol=tol)
    else:
        assert trace.logits is None


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name[:-4] for p in FIXTURES])
def test_stepper_equals_trace_exactly(path):
    model, data, _ = load(path)
    x = inputs(data)
    trace = model.trace(x, data["h0"], data["c0"])
    stepper = model.stepper(data["h0"], data["c0"])
    for t, x_t in enumerate(x):
        step = stepper.step(int(x_t) if x.ndim == 1 else x_t)
        for layer, full in zip(step.layers, trace.layers, strict=True):
            for name in ("x", "pre", *GATES, "c", "h"):
                np.testing.assert_array_equal(getattr(layer, name), getattr(full, name)[t : t + 1])
        if trace.logits is not None:
            np.testing.assert_array_equal(step.logits, trace.logits[t : t + 1])
    np.testing.assert_array_equal(stepper.h, [layer.h[-1] for layer in trace.layers])
    np.testing.assert_array_equal(stepper.c, [layer.c[-1] for layer in trace.layers])


def test_trace_in_chunks_equals_one_trace_exactly():
    model = LSTM.random(4, 6, num_layers=2, vocab_size=9, output_size=9, seed=8)
    ids = np.random.default_rng(0).integers(0, 9, 40)
    whole = model.trace(ids)
    first = model.trace(ids[:15])
    state = [np.stack([layer.h[-1] for layer in first.layers]),
             np.stack([layer.c[-1] for layer in first.layers])]  # fmt: skip
    rest = model.trace(ids[15:], *state)
    for k, layer in enumerate(whole.layers):
        for name in ("pre", "i", "f", "g", "o", "c", "h"):
            joined = np.concatenate([getattr(first.layers[k], name), getattr(rest.layers[k], name)])
            np.testing.assert_array_equal(joined, getattr(layer, name))
    np.testing.assert_array_equal(np.concatenate([first.logits, rest.logits]), whole.logits)


@pytest.mark.parametrize(("vocab_size", "output_size"), [(9, 9), (None, None)])
def test_a_tracer_in_any_chunks_equals_one_trace_exactly(vocab_size, output_size):
    model = LSTM.random(4, 6, num_layers=2, vocab_size=vocab_size, output_size=output_size, seed=8)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 9, 40) if vocab_size else rng.standard_normal((40, 4))
    h0, c0 = rng.standard_normal((2, 2, 6))
    whole = model.trace(x, h0, c0)
    tracer = Tracer(model, x, h0, c0)
    done = [tracer.run(n) for n in (15, 1, 7, 100)]
    assert done == [15, 16, 23, 40] and tracer.run(5) == 40
    joined = tracer.trace()
    assert joined.steps == 40
    for k, layer in enumerate(whole.layers):
        for name in ("x", "pre", "i", "f", "g", "o", "c", "h", "h0", "c0"):
            np.testing.assert_array_equal(getattr(joined.layers[k], name), getattr(layer, name))
        assert not joined.layers[k].h.flags.writeable
    if output_size is None:
        assert joined.logits is None
    else:
        np.testing.assert_array_equal(joined.logits, whole.logits)


def test_a_tracer_has_no_trace_before_every_step_is_done():
    tracer = Tracer(LSTM.random(3, 4), np.zeros((5, 3)))
    tracer.run(4)
    with pytest.raises(ValueError, match="traced 4 of 5 steps"):
        tracer.trace()


def test_pre_activations_give_the_gates():
    model = LSTM.random(3, 4, num_layers=2, seed=1)
    x = np.random.default_rng(0).standard_normal((9, 3))
    for layer in model.trace(x).layers:
        i, f, g, o = np.split(layer.pre, 4, axis=1)
        np.testing.assert_array_equal(layer.i, sigmoid(i))
        np.testing.assert_array_equal(layer.f, sigmoid(f))
        np.testing.assert_array_equal(layer.g, np.tanh(g))
        np.testing.assert_array_equal(layer.o, sigmoid(o))
        np.testing.assert_allclose(
            layer.c[1:], layer.f[1:] * layer.c[:-1] + layer.i[1:] * layer.g[1:]
        )
        np.testing.assert_array_equal(layer.h, layer.o * np.tanh(layer.c))


def test_trace_keeps_initial_state_and_inputs():
    model = LSTM.random(2, 3, num_layers=2, seed=4)
    h0 = np.arange(6.0).reshape(2, 3) / 10
    trace = model.trace(np.ones((5, 2)), h0=h0)
    np.testing.assert_array_equal(trace.layers[1].h0, h0[1])
    np.testing.assert_array_equal(trace.layers[0].c0, 0)
    np.testing.assert_array_equal(trace.layers[1].x, trace.layers[0].h)
    assert trace.layers[0].pre.shape == (5, 12)


def test_trace_arrays_are_read_only():
    layer = LSTM.random(2, 3, seed=0).trace(np.ones((4, 2))).layers[0]
    for name in ("pre", "i", "f", "g", "o", "c", "h"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(layer, name)[0, 0] = 1.0


def test_sigmoid_never_overflows_or_warns():
    x = np.array([-1e308, -800.0, -40.0, 0.0, 40.0, 800.0, 1e308])
    with np.errstate(all="raise"):
        s = sigmoid(x)
        s32 = sigmoid(x[1:-1].astype(np.float32))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert s32.dtype == np.float32 and np.all((s32 >= 0) & (s32 <= 1))


def test_saturated_model_runs_without_warnings():
    model = LSTM({k: v * 1e6 for k, v in LSTM.random(3, 4, seed=2).params.items()})
    with np.errstate(all="raise"):
        trace = model.trace(np.random.default_rng(1).standard_normal((20, 3)))
    assert set(np.unique(trace.layers[0].i)) <= {0.0, 1.0}


def test_float32_on_request():
    model = LSTM.random(3, 4, vocab_size=5, output_size=5, seed=0, dtype="float32")
    trace = model.trace([0, 4, 2])
    assert model.dtype is np.float32
    assert all(v.dtype == np.float32 for v in model.params.values())
    assert trace.layers[0].h.dtype == np.float32 and trace.logits.dtype == np.float32


def test_random_is_pytorch_style_and_deterministic():
    a = LSTM.random(5, 16, num_layers=2, vocab_size=7, output_size=3, seed=3)
    b = LSTM.random(5, 16, num_layers=2, vocab_size=7, output_size=3, seed=3)
    c = LSTM.random(5, 16, num_layers=2, vocab_size=7, output_size=3, seed=4)
    for name, p in a.params.items():
        np.testing.assert_array_equal(p, b.params[name])
        assert not np.array_equal(p, c.params[name])
        if name != "embedding":
            assert np.abs(p).max() <= 1 / np.sqrt(16)
    assert a.params["weight_ih_l1"].shape == (64, 16)
    assert (a.input_size, a.hidden_size, a.num_layers) == (5, 16, 2)
    assert (a.vocab_size, a.output_size) == (7, 3)
    plain = LSTM.random(2, 3)
    assert plain.vocab_size is None and plain.output_size is None


def test_model_copies_and_freezes_its_parameters():
    params = {k: v.copy() for k, v in LSTM.random(2, 3, seed=0).params.items()}
    model = LSTM(params)
    before = model.trace(np.ones((4, 2))).layers[0].h
    params["weight_hh_l0"][:] = 5.0
    np.testing.assert_array_equal(model.trace(np.ones((4, 2))).layers[0].h, before)
    with pytest.raises(ValueError, match="read-only"):
        model.params["weight_hh_l0"][0, 0] = 1.0


def test_single_layer_accepts_state_vectors():
    model = LSTM.random(2, 3, seed=0)
    a = model.trace(np.ones((4, 2)), h0=np.ones(3), c0=np.ones(3))
    b = model.trace(np.ones((4, 2)), h0=np.ones((1, 3)), c0=np.ones((1, 3)))
    np.testing.assert_array_equal(a.layers[0].h, b.layers[0].h)


def good_params(**changes) -> dict:
    params = LSTM.random(3, 4, num_layers=2, vocab_size=6, output_size=6, seed=0).params
    params.update(changes)
    return {k: v for k, v in params.items() if v is not None}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            good_params(weight_hh_l1=np.zeros((16, 5))),
            r"weight_hh_l1 has shape \(16, 5\), expected \(16, 4\)",
        ),
        (
            good_params(weight_ih_l1=np.zeros((16, 3))),
            r"weight_ih_l1 has shape \(16, 3\), expected \(16, 4\)",
        ),
        (
            good_params(weight_hh_l0=np.zeros((12, 4))),
            r"weight_hh_l0 has shape \(12, 4\), expected \(4H, H\) = \(16, 4\)",
        ),
        (good_params(bias_ih_l0=np.zeros(15)), r"bias_ih_l0 has shape \(15,\), expected \(16,\)"),
        (
            good_params(embedding=np.zeros((6, 2))),
            r"embedding has shape \(6, 2\), expected \(6, 3\)",
        ),
        (
            good_params(out_weight=np.zeros((6, 3))),
            r"out_weight has shape \(6, 3\), expected \(6, 4\)",
        ),
        (good_params(out_bias=np.zeros(5)), r"out_bias has shape \(5,\), expected \(6,\)"),
        (good_params(out_bias=None), r"missing array 'out_bias'"),
        (good_params(bias_hh_l1=None), r"missing array 'bias_hh_l1' \(layer 1 of 2\)"),
        (
            good_params(weight_hh_l0=np.zeros((0, 0))),
            r"weight_hh_l0 has shape \(0, 0\): every size must be positive",
        ),
        (
            good_params(embedding=np.zeros((0, 3))),
            r"embedding has shape \(0, 3\): every size must be positive",
        ),
        (
            good_params(weight_hh_l0=np.zeros(16)),
            r"weight_hh_l0 has shape \(16,\), expected a matrix \(4H, H\)",
        ),
        (good_params(weight_ih_l2=np.zeros((16, 4))), r"missing array 'weight_hh_l2'"),
        (good_params(decoder=np.zeros(3)), r"unexpected array 'decoder'"),
        ({}, r"missing array 'weight_ih_l0'"),
    ],
)
def test_bad_shapes_are_named(params, message):
    with pytest.raises(ModelError, match=message):
        LSTM(params)


def test_non_finite_weights_are_named():
    w = LSTM.random(3, 4, seed=0).params["weight_hh_l0"].copy()
    w[2, 1] = np.nan
    with pytest.raises(
        ModelError, match=r"weight_hh_l0 contains NaN or infinite values .*\(2, 1\)"
    ):
        LSTM(good_params(weight_hh_l0=w))
    with pytest.raises(ModelError, match=r"out_bias contains NaN or infinite"):
        LSTM(good_params(out_bias=np.full(6, np.inf)))
    with pytest.raises(ModelError, match=r"embedding contains NaN or infinite values in float32"):
        LSTM(good_params(embedding=np.full((6, 3), 1e300)), dtype="float32")


def test_bad_types_are_named():
    with pytest.raises(ModelError, match="parameters must be a dict"):
        LSTM([1, 2])
    with pytest.raises(ModelError, match=r"bias_ih_l0 has dtype <U1, expected real numbers"):
        LSTM(good_params(bias_ih_l0=np.array(["a"] * 16)))
    with pytest.raises(ModelError, match="dtype must be float64 or float32, got int32"):
        LSTM(good_params(), dtype="int32")
    with pytest.raises(ModelError, match="dtype must be float64 or float32"):
        LSTM(good_params(), dtype="nonsense")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hidden_size": 0}, "hidden_size must be a positive integer, got 0"),
        ({"hidden_size": -3}, "hidden_size must be a positive integer, got -3"),
        ({"input_size": 2.5}, "input_size must be a positive integer, got 2.5"),
        ({"num_layers": 0}, "num_layers must be a positive integer, got 0"),
        ({"vocab_size": 0}, "vocab_size must be a positive integer, got 0"),
        ({"output_size": -1}, "output_size must be a positive integer, got -1"),
        ({"seed": -1}, "seed must be a non-negative integer, got -1"),
    ],
)
def test_bad_sizes_are_named(kwargs, message):
    args = {"input_size": 3, "hidden_size": 4, **kwargs}
    with pytest.raises(ModelError, match=message):
        LSTM.random(**args)


def test_bad_inputs_are_named():
    vectors = LSTM.random(3, 4, seed=0)
    tokens = LSTM.random(3, 4, vocab_size=5, seed=0)
    cases = [
        (vectors, np.zeros((0, 3)), "empty sequence: x has 0 steps"),
        (vectors, np.zeros((4, 2)), r"x has shape \(4, 2\), expected \(T, 3\)"),
        (vectors, np.zeros(3), r"x has shape \(3,\), expected \(T, 3\)"),
        (vectors, np.full((2, 3), np.nan), "x contains NaN or infinite values"),
        (tokens, [], "empty sequence: x has 0 steps"),
        (tokens, [0, 5], r"token id 5 at position 1 is outside the vocabulary \(0..4\)"),
        (tokens, [-1], "token id -1 at position 0 is outside the vocabulary"),
        (tokens, [0.5, 1.0], r"x must be token ids of shape \(T,\), got float64"),
    ]
    for model, x, message in cases:
        with pytest.raises(ModelError, match=message):
            model.trace(x)
    with pytest.raises(ModelError, match=r"h0 has shape \(1, 3\), expected \(1, 4\)"):
        vectors.trace(np.zeros((2, 3)), h0=np.zeros(3))
    with pytest.raises(ModelError, match="c0 contains NaN"):
        vectors.trace(np.zeros((2, 3)), c0=np.full(4, np.inf))
    with pytest.raises(ModelError, match=r"x_t has shape \(2,\), expected \(3,\)"):
        vectors.stepper().step(np.zeros(2))
    with pytest.raises(ModelError, match="x_t must be a token id, got 'a'"):
        tokens.stepper().step("a")


def test_tracer_reuse_and_a_no_op_edit_give_the_whole_trace_bit_for_bit():
    model = LSTM.random(3, 5, 2, vocab_size=6, output_size=4, seed=1)
    ids = np.arange(40) % 6
    whole = model.trace(ids)
    seen = []

    def edit(t, gates, c_prev, c, h):
        assert gates.shape == (20,) and c_prev.shape == c.shape == h.shape == (5,)
        seen.append(t)

    tracer = Tracer(model, ids)
    tracer.reuse(whole, 17)
    assert tracer.run(100, {1: edit}) == 40 and seen == list(range(17, 40))
    again = tracer.trace()
    for a, b in zip(again.layers, whole.layers, strict=True):
        for name in ("x", "pre", "i", "f", "g", "o", "c", "h"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert np.array_equal(again.logits, whole.logits)


def keras_reference(model, ids, gate):
    """Keras's LSTM step written out plainly: z = x K + h R + b, gates i, f, c, o."""
    p = model.params
    H = model.hidden_size
    h, c = np.zeros(H), np.zeros(H)
    hs = []
    for x in p["embedding"][ids]:
        z = p["weight_ih_l0"] @ x + p["weight_hh_l0"] @ h + p["bias_ih_l0"] + p["bias_hh_l0"]
        i, f, g, o = gate(z[:H]), gate(z[H : 2 * H]), np.tanh(z[2 * H : 3 * H]), gate(z[3 * H :])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.array(hs)


@pytest.mark.parametrize(
    "name, gate",
    [
        ("hard_sigmoid_keras3", lambda x: np.clip(x + 3, 0, 6) / 6),
        ("hard_sigmoid_keras2", lambda x: np.clip(0.2 * x + 0.5, 0, 1)),
    ],
)
def test_hard_sigmoid_gates_trace_step_and_chunk_alike(name, gate):
    base = LSTM.random(3, 5, vocab_size=6, seed=4)
    params = {k: 3 * v for k, v in base.params.items()}  # large enough to reach the clips
    model = LSTM(params, gate_activation=name)
    ids = np.array([0, 5, 2, 2, 1, 4, 3, 0, 5])
    trace = model.trace(ids)
    layer = trace.layers[0]
    np.testing.assert_allclose(layer.h, keras_reference(model, ids, gate), rtol=0, atol=1e-12)
    assert ((layer.i == 0) | (layer.i == 1)).any()  # the clip was reached
    np.testing.assert_array_equal(layer.f, gate(layer.pre[:, 5:10]))
    stepper = model.stepper()
    steps = [stepper.step(int(t)).layers[0].h[0] for t in ids]
    np.testing.assert_array_equal(np.array(steps), layer.h)
    tracer = Tracer(model, ids)
    tracer.run(4)
    tracer.run(100)
    np.testing.assert_array_equal(tracer.trace().layers[0].o, layer.o)
    assert model.gate_activation == name and name in repr(model)


def test_sigmoid_default_is_unchanged_and_unknown_gates_refused():
    model = LSTM.random(2, 3, seed=1)
    same = LSTM(model.params, gate_activation="sigmoid")
    x = np.linspace(-2, 2, 8).reshape(4, 2)
    np.testing.assert_array_equal(model.trace(x).layers[0].h, same.trace(x).layers[0].h)
    assert model.gate_activation == "sigmoid" and "gate_activation" not in repr(model)
    for bad in ("relu", ["sigmoid"], None):
        with pytest.raises(ModelError, match="gate_activation must be one of sigmoid"):
            LSTM(model.params, gate_activation=bad)
