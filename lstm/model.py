"""The LSTM in NumPy, in PyTorch's conventions, traced gate by gate.

Parameters carry `nn.LSTM`'s names and shapes, so PyTorch weights load unchanged:

    weight_ih_l{k} (4H, In)   In = E for layer 0, H above it
    weight_hh_l{k} (4H, H)
    bias_ih_l{k}, bias_hh_l{k} (4H,)      gate rows in the order i, f, g, o
    embedding (V, E)                      optional: inputs are token ids
    out_weight (O, H), out_bias (O,)      optional: logits from the last layer

One step of layer k, as in PyTorch:

    i, f, g, o = split(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
    i, f, o = sigmoid(i, f, o);  g = tanh(g)
    c_t = f * c_{t-1} + i * g;   h_t = o * tanh(c_t)

Speed comes from calling NumPy as few times per step as possible (the arithmetic is small;
the interpreter's overhead per call is not). Internally the gate columns are reordered to
g, f, i, o and the sigmoid columns scaled by 0.5 (exact), so that one `tanh` covers all four
gates and sigmoid(x) = 0.5 * (1 + tanh(x / 2)) needs two more calls; it never overflows.
A model imported from Keras may use a hard sigmoid for i, f, o instead (`GATE_ACTIVATIONS`):
the same loop then computes it from the halved columns, and g keeps its tanh.
The trace and the `Stepper` run the same loop over the same arithmetic, and the input
projection is one stacked matmul whose rows do not depend on the sequence length, so stepping
token by token, or tracing a long text in chunks (passing each chunk's last h, c on as the next
one's h0, c0), or with a `Tracer` a chunk per call into the arrays of the whole trace, gives
the numbers of one whole trace bit for bit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

LSTM_NAMES = ("weight_ih_l{}", "weight_hh_l{}", "bias_ih_l{}", "bias_hh_l{}")
EXTRA_NAMES = ("embedding", "out_weight", "out_bias")
DTYPES = {"float64": np.float64, "float32": np.float32}
# The activation of the i, f, o gates: PyTorch's sigmoid, or Keras's hard sigmoid as the
# version that saved the model computed it.
GATE_ACTIVATIONS = {
    "sigmoid": "1 / (1 + exp(-x))",
    "hard_sigmoid_keras3": "relu6(x + 3) / 6",
    "hard_sigmoid_keras2": "clip(0.2 x + 0.5, 0, 1)",
}


MEMORY_LIMIT = 2 * 2**30  # bytes a trace may take (Pyodide's wasm32 memory ends at 4 GiB)


class ModelError(ValueError):
    """Parameters or inputs that do not make a valid LSTM run; the message names the problem."""


def trace_nbytes(input_size: int, hidden_size: int, num_layers: int, steps: int,
                 vocab_size: int = 0, output_size: int = 0, itemsize: int = 8) -> int:
    """Bytes a model of these sizes and its trace of `steps` steps take at most: the
    parameters (LSTM.random's float64 draw, the overflow bound's |W| and the internal copies),
    the inputs (T, E), per layer the trace's buffers (T, 4H) + (T+1, 5H) + (T+1, H), and the
    logits (T, O).
    Checked before allocating anything: a request for terabytes is refused, not attempted."""
    E, H, L, T, V, n_out = input_size, hidden_size, num_layers, steps, vocab_size, output_size
    params = 4 * H * (E + H + 2) + (L - 1) * 4 * H * (2 * H + 2) + V * E + n_out * (H + 1)
    trace = T * E + L * (T * 4 * H + (T + 1) * 6 * H) + T * n_out
    return 16 * params + itemsize * (2 * params + trace)


def pre_activation_bound(params: dict) -> float:
    """The largest |W_ih x + b_ih + W_hh h + b_hh| (and |logit|) any input can give, computed
    from the weights: |h| <= 1, and layer 0's inputs are embedding rows. Inf when that could
    overflow; without an embedding, layer 0's input term is not included."""
    a = {name: np.abs(np.asarray(p, np.float64)) for name, p in params.items()}
    largest = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        x = a["embedding"].max(axis=0) if "embedding" in a else None
        for k in range(sum(n.startswith("weight_hh_l") for n in a)):
            bound = a[f"weight_hh_l{k}"].sum(axis=1) + a[f"bias_ih_l{k}"] + a[f"bias_hh_l{k}"]
            if x is not None:
                bound = bound + a[f"weight_ih_l{k}"] @ x
            largest = max(largest, float(bound.max()))
            x = np.ones(bound.shape[0] // 4)
        if "out_weight" in a:
            largest = max(largest, float((a["out_weight"].sum(axis=1) + a["out_bias"]).max()))
    return largest if np.isfinite(largest) else float("inf")


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function as 0.5 * (1 + tanh(x / 2)): no overflow, no warning, any size."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


@dataclass
class LayerTrace:
    """Every value of one layer over a sequence of T steps.

    x (T, In) inputs, pre (T, 4H) pre-activations in i, f, g, o order, i f g o c h (T, H),
    h0 c0 (H,) the state before the first step. The arrays are read-only and may be views
    into one shared buffer (not C-contiguous).
    """

    x: np.ndarray
    pre: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray
    h0: np.ndarray
    c0: np.ndarray


@dataclass
class Trace:
    """A forward run: one LayerTrace per layer, and logits (T, O) when there is an output layer."""

    layers: list[LayerTrace]
    logits: np.ndarray | None

    @property
    def steps(self) -> int:
        """T, the number of steps traced."""
        return len(self.layers[0].h)


def as_dtype(dtype) -> type:
    """np.float64 or np.float32 from a NumPy type or its name; anything else is a ModelError."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = repr(dtype)
    if name not in DTYPES:
        raise ModelError(f"dtype must be float64 or float32, got {name}")
    return DTYPES[name]


def check_array(name: str, value, shape: tuple, dtype) -> np.ndarray:
    """`value` as a finite read-only array of `dtype` and exactly `shape`, or a ModelError."""
    try:
        a = np.asarray(value)
    except (TypeError, ValueError) as e:
        raise ModelError(f"{name} is not a numeric array ({e})") from None
    if a.dtype.kind not in "fiu":
        raise ModelError(f"{name} has dtype {a.dtype}, expected real numbers")
    if a.shape != shape:
        raise ModelError(f"{name} has shape {a.shape}, expected {shape}")
    with np.errstate(over="ignore"):
        a = a.astype(dtype)  # a copy: the caller's array stays theirs
    if not np.isfinite(a).all():
        bad = tuple(int(j) for j in np.argwhere(~np.isfinite(a))[0])
        raise ModelError(
            f"{name} contains NaN or infinite values in {np.dtype(dtype).name} "
            f"(first at index {bad})"
        )
    a.flags.writeable = False
    return a


def check_size(name: str, value) -> int:
    """A positive int, or a ModelError naming the size."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ModelError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _shape_of(name: str, value, what: str) -> tuple:
    try:
        shape = np.shape(value)
    except ValueError:
        shape = None  # ragged nested lists
    if shape is None or len(shape) != 2:
        raise ModelError(f"{name} has shape {shape}, expected a matrix {what}")
    if 0 in shape:
        raise ModelError(f"{name} has shape {shape}: every size must be positive")
    return shape


def _layer_count(names) -> int:
    found = set()
    for name in names:
        m = re.fullmatch(r"(?:weight|bias)_(?:ih|hh)_l(\d+)", name)
        if m:
            found.add(int(m.group(1)))
        elif name not in EXTRA_NAMES:
            raise ModelError(
                f"unexpected array {name!r}: expected weight_ih_l{{k}}, weight_hh_l{{k}}, "
                f"bias_ih_l{{k}}, bias_hh_l{{k}}, embedding, out_weight, out_bias"
            )
    if not found:
        raise ModelError("missing array 'weight_ih_l0': no LSTM layer in the parameters")
    return max(found) + 1


def expected_shapes(params: dict) -> dict:
    """The shape every given array must have, derived from weight_hh_l0 and weight_ih_l0."""
    num_layers = _layer_count(params)
    for k in range(num_layers):
        for pattern in LSTM_NAMES:
            if pattern.format(k) not in params:
                raise ModelError(f"missing array {pattern.format(k)!r} (layer {k} of {num_layers})")
    rows, H = _shape_of("weight_hh_l0", params["weight_hh_l0"], "(4H, H)")
    if rows != 4 * H:
        raise ModelError(f"weight_hh_l0 has shape {(rows, H)}, expected (4H, H) = {(4 * H, H)}")
    In = _shape_of("weight_ih_l0", params["weight_ih_l0"], "(4H, E)")[1]
    shapes = {}
    for k in range(num_layers):
        shapes[f"weight_ih_l{k}"] = (4 * H, In if k == 0 else H)
        shapes[f"weight_hh_l{k}"] = (4 * H, H)
        shapes[f"bias_ih_l{k}"] = (4 * H,)
        shapes[f"bias_hh_l{k}"] = (4 * H,)
    if "embedding" in params:
        V = _shape_of("embedding", params["embedding"], "(V, E)")[0]
        shapes["embedding"] = (V, In)
    if ("out_weight" in params) != ("out_bias" in params):
        missing = "out_bias" if "out_weight" in params else "out_weight"
        raise ModelError(f"missing array {missing!r}: out_weight and out_bias come together")
    if "out_weight" in params:
        n_out = _shape_of("out_weight", params["out_weight"], "(O, H)")[0]
        shapes["out_weight"] = (n_out, H)
        shapes["out_bias"] = (n_out,)
    return shapes


def hard_sigmoid_keras3(half: np.ndarray, out: np.ndarray) -> None:
    """relu6(x + 3) / 6 into `out`, from half = x / 2 (the internal columns), in place."""
    np.multiply(half, 2.0, out)
    np.add(out, 3.0, out)
    np.clip(out, 0.0, 6.0, out)
    np.divide(out, 6.0, out)


def hard_sigmoid_keras2(half: np.ndarray, out: np.ndarray) -> None:
    """clip(0.2 x + 0.5, 0, 1) into `out`, from half = x / 2 (the internal columns), in place."""
    np.multiply(half, 2.0, out)
    np.multiply(out, 0.2, out)
    np.add(out, 0.5, out)
    np.clip(out, 0.0, 1.0, out)


HARD_GATES = {"hard_sigmoid_keras3": hard_sigmoid_keras3,
              "hard_sigmoid_keras2": hard_sigmoid_keras2}


def _internal(w: np.ndarray, H: int) -> np.ndarray:
    """Rows i, f, g, o of (4H, ...) to g, f, i, o with the sigmoid rows halved, transposed."""
    i, f, g, o = w[:H], w[H : 2 * H], w[2 * H : 3 * H], w[3 * H :]
    return np.ascontiguousarray(np.concatenate([g, 0.5 * f, 0.5 * i, 0.5 * o]).T)


def to_torch_order(P: np.ndarray, H: int) -> np.ndarray:
    """Internal pre-activations (T, 4H) g, f/2, i/2, o/2 made PyTorch's i, f, g, o in place."""
    g = P[:, :H].copy()
    np.multiply(P[:, 2 * H : 3 * H], 2, out=P[:, :H])
    np.multiply(P[:, H:], 2, out=P[:, H:])
    P[:, 2 * H : 3 * H] = g
    return P


def project(x: np.ndarray, wT: np.ndarray, b: np.ndarray, out: np.ndarray | None = None
            ) -> np.ndarray:
    """x (T, In) @ wT (In, N) + b as T separate row products, (T, N), into `out` if given.

    One stacked matmul instead of one (T, In) matmul: each row is then computed the same way
    whatever T is, so a single step reproduces the trace's rows exactly.
    """
    if out is None:
        out = np.empty((len(x), wT.shape[1]), np.result_type(x, wT))
    np.matmul(x[:, None, :], wT, out=out[:, None, :])
    np.add(out, b, out=out)
    return out


def recur(whhT: np.ndarray, P: np.ndarray, R: np.ndarray, Hs: np.ndarray, gate=None) -> None:
    """Run the recurrence of one layer in place over T steps.

    whhT (H, 4H) internal hidden weights. P (T, 4H) holds the input projections and receives
    the internal pre-activations. R (T+1, 5H): row t receives [c_{t-1} | g f i o of step t],
    R[0, :H] holds c0 and R[t+1, :H] receives c_t. Hs (T+1, H): Hs[0] is h0, Hs[t+1] gets h_t.
    Nine NumPy calls per step, all writing in place. Outputs are passed positionally and the
    constants 1 and 0.5 as arrays: both save a few hundred nanoseconds per call.
    `gate` (one of HARD_GATES) replaces the sigmoid of f, i, o, computed from the halved
    pre-activations; None is the sigmoid.
    """
    H = Hs.shape[1]
    dot, add, mul, tanh = np.dot, np.add, np.multiply, np.tanh
    hh = np.empty(4 * H, P.dtype)
    prod = np.empty(2 * H, P.dtype)
    fc, ig = prod[:H], prod[H:]
    tc = np.empty(H, P.dtype)
    one, half = np.ones(3 * H, P.dtype), np.full(3 * H, 0.5, P.dtype)
    now = R[:-1]  # row t: c_{t-1} and the gates of step t
    rows = zip(
        P, Hs[:-1], Hs[1:], now[:, H:], now[:, 2 * H :], now[:, 2 * H : 4 * H], now[:, : 2 * H],
        R[1:, :H], now[:, 4 * H :], P[:, H:], strict=True,
    )  # fmt: skip
    for p, h, h_next, gates, sig, fi, cg, c_next, o, p_sig in rows:
        dot(h, whhT, hh)  # hh = W_hh h_{t-1}
        add(p, hh, p)  # pre-activations
        tanh(p, gates)  # g, and tanh(x/2) for f, i, o
        if gate is None:
            add(sig, one, sig)  # sigmoid(x) = 0.5 * (1 + tanh(x/2))
            mul(sig, half, sig)
        else:
            gate(p_sig, sig)
        mul(fi, cg, prod)  # f * c_{t-1}, i * g
        add(fc, ig, c_next)  # c_t
        tanh(c_next, tc)
        mul(o, tc, h_next)  # h_t = o * tanh(c_t)


class LSTM:
    """A stacked LSTM with optional embedding and output layer, parameters as in `nn.LSTM`."""

    def __init__(self, params: dict, dtype=np.float64, gate_activation: str = "sigmoid"):
        if not isinstance(params, dict):
            raise ModelError(f"parameters must be a dict of arrays, got {type(params).__name__}")
        if not isinstance(gate_activation, str) or gate_activation not in GATE_ACTIVATIONS:
            raise ModelError(
                f"gate_activation must be one of {', '.join(GATE_ACTIVATIONS)}, "
                f"got {gate_activation!r}"
            )
        self._dtype = as_dtype(dtype)
        self._gate_activation = gate_activation
        self._gate = HARD_GATES.get(gate_activation)
        shapes = expected_shapes(params)
        self._params = {
            name: check_array(name, params[name], shape, self._dtype)
            for name, shape in shapes.items()
        }
        largest = float(np.finfo(self._dtype).max)
        if not pre_activation_bound(self._params) < largest:
            raise ModelError(
                f"weights so large that the pre-activations can overflow "
                f"{np.dtype(self._dtype).name}: W x + U h + b could pass {largest:.3g}"
            )
        p = self._params
        H = self.hidden_size
        self._layers = [
            (
                _internal(p[f"weight_ih_l{k}"], H),
                _internal(p[f"weight_hh_l{k}"], H),
                _internal((p[f"bias_ih_l{k}"] + p[f"bias_hh_l{k}"])[:, None], H)[0],
            )
            for k in range(self.num_layers)
        ]
        self._out = (
            (np.ascontiguousarray(p["out_weight"].T), p["out_bias"])
            if ("out_weight" in p)
            else None
        )

    @classmethod
    def random(
        cls,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        vocab_size: int | None = None,
        output_size: int | None = None,
        seed: int = 0,
        dtype=np.float64,
    ) -> LSTM:
        """PyTorch's initialisation, deterministic per seed.

        LSTM and output weights uniform(-1/sqrt(H), 1/sqrt(H)); embedding (V, E) normal(0, 1).
        """
        E = check_size("input_size", input_size)
        H = check_size("hidden_size", hidden_size)
        L = check_size("num_layers", num_layers)
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ModelError(f"seed must be a non-negative integer, got {seed!r}")
        rng = np.random.default_rng(int(seed))
        bound = 1.0 / np.sqrt(H)
        params = {}
        for k in range(L):
            params[f"weight_ih_l{k}"] = rng.uniform(-bound, bound, (4 * H, E if k == 0 else H))
            params[f"weight_hh_l{k}"] = rng.uniform(-bound, bound, (4 * H, H))
            params[f"bias_ih_l{k}"] = rng.uniform(-bound, bound, 4 * H)
            params[f"bias_hh_l{k}"] = rng.uniform(-bound, bound, 4 * H)
        if vocab_size is not None:
            params["embedding"] = rng.standard_normal((check_size("vocab_size", vocab_size), E))
        if output_size is not None:
            n_out = check_size("output_size", output_size)
            params["out_weight"] = rng.uniform(-bound, bound, (n_out, H))
            params["out_bias"] = rng.uniform(-bound, bound, n_out)
        return cls(params, dtype=dtype)

    @property
    def params(self) -> dict:
        """The validated parameters (read-only arrays) under their PyTorch names."""
        return dict(self._params)

    @property
    def dtype(self) -> type:
        return self._dtype

    @property
    def gate_activation(self) -> str:
        """The activation of the i, f, o gates, a key of GATE_ACTIVATIONS ("sigmoid")."""
        return self._gate_activation

    @property
    def hidden_size(self) -> int:
        return self._params["weight_hh_l0"].shape[1]

    @property
    def input_size(self) -> int:
        """E: the size of one input vector (the embedding width when there is one)."""
        return self._params["weight_ih_l0"].shape[1]

    @property
    def num_layers(self) -> int:
        return sum(name.startswith("weight_hh_l") for name in self._params)

    @property
    def vocab_size(self) -> int | None:
        """V, the rows of the embedding, or None when inputs are vectors."""
        return self._params["embedding"].shape[0] if "embedding" in self._params else None

    @property
    def output_size(self) -> int | None:
        """O, the number of logits, or None without an output layer."""
        return self._params["out_bias"].shape[0] if self._out is not None else None

    def __repr__(self) -> str:
        return (
            f"LSTM(input_size={self.input_size}, hidden_size={self.hidden_size}, "
            f"num_layers={self.num_layers}, vocab_size={self.vocab_size}, "
            f"output_size={self.output_size}, dtype={np.dtype(self.dtype).name}"
            + ("" if self._gate is None else f", gate_activation={self._gate_activation!r}")
            + ")"
        )

    def inputs(self, x) -> np.ndarray:
        """Layer-0 inputs (T, E) from token ids (T,) or vectors (T, E), checked."""
        if self.vocab_size is not None:
            ids = np.asarray(x)
            if ids.shape == (0,):
                raise ModelError("empty sequence: x has 0 steps")
            if ids.ndim != 1 or ids.dtype.kind not in "iu":
                raise ModelError(
                    f"this model has an embedding: x must be token ids of shape (T,), "
                    f"got {ids.dtype} of shape {ids.shape}"
                )
            bad = (ids < 0) | (ids >= self.vocab_size)
            if bad.any():
                j = int(np.argmax(bad))
                raise ModelError(
                    f"token id {int(ids[j])} at position {j} is outside the vocabulary "
                    f"(0..{self.vocab_size - 1})"
                )
            return self._params["embedding"][ids]
        xs = np.asarray(x)
        if xs.ndim != 2 or xs.shape[1] != self.input_size:
            raise ModelError(f"x has shape {xs.shape}, expected (T, {self.input_size})")
        if xs.shape[0] == 0:
            raise ModelError("empty sequence: x has 0 steps")
        return check_array("x", xs, xs.shape, self._dtype)

    def initial_state(self, h0=None, c0=None) -> tuple[np.ndarray, np.ndarray]:
        """h0 and c0 as (L, H) arrays; None means zeros, (H,) is accepted for one layer."""
        shape = (self.num_layers, self.hidden_size)
        states = []
        for name, s in (("h0", h0), ("c0", c0)):
            if s is None:
                states.append(np.zeros(shape, self._dtype))
                continue
            a = np.asarray(s)
            if a.ndim == 1 and self.num_layers == 1:
                a = a[None]
            states.append(check_array(name, a, shape, self._dtype))
        return states[0], states[1]

    def trace(self, x, h0=None, c0=None) -> Trace:
        """Run the whole sequence and keep every gate of every layer at every step.

        x: token ids (T,) with an embedding, else inputs (T, E). h0, c0: (L, H), or (H,) for a
        single layer; zeros when omitted.
        """
        tracer = Tracer(self, x, h0, c0)
        tracer.run(tracer.steps)
        return tracer.trace()

    def stepper(self, h0=None, c0=None) -> Stepper:
        """A Stepper starting from h0, c0 (as in `trace`)."""
        return Stepper(self, *self.initial_state(h0, c0))


class Tracer:
    """A trace made a chunk of steps at a time, straight into the arrays of the whole trace.

    For a long sequence traced between other work (the page's timer ticks): `run(n)` traces
    the next n steps, `trace()` returns the Trace once all `steps` are done. Every row is
    computed as in one call (`project`, `recur`), so any chunking gives its numbers exactly.
    x, h0, c0 as in `LSTM.trace`.
    """

    def __init__(self, model: LSTM, x, h0=None, c0=None):
        self.model = model
        self.x = model.inputs(x)
        self.steps = len(self.x)  # T
        self.done = 0
        T, H, dtype = self.steps, model.hidden_size, model.dtype
        self._buffers = []  # per layer: P (T, 4H), R (T+1, 5H), Hs (T+1, H), h0, c0 (see recur)
        for h0k, c0k in zip(*model.initial_state(h0, c0), strict=True):
            R, Hs = np.empty((T + 1, 5 * H), dtype), np.empty((T + 1, H), dtype)
            R[0, :H], Hs[0] = c0k, h0k
            self._buffers.append((np.empty((T, 4 * H), dtype), R, Hs, h0k, c0k))
        outputs = model.output_size
        self._logits = None if outputs is None else np.empty((T, outputs), dtype)

    def run(self, n: int, edits: dict | None = None) -> int:
        """Trace the next n steps (fewer at the end); returns the steps done so far.

        edits: {layer k: edit} to change a layer's values as it runs (`lstm.analysis.clamp`).
        That layer then runs one step at a time, and after step t, edit(t, gates, c_prev, c, h)
        receives that step's rows as writable views: gates (4H,) the activations in the
        internal order g, f, i, o; c_prev, c, h (H,). What it writes is what the later steps
        and layers read.
        """
        a, b = self.done, min(self.done + n, self.steps)
        H, xs = self.model.hidden_size, self.x[a:b]
        for k, ((wihT, whhT, bias), (P, R, Hs, _, _)) in enumerate(
            zip(self.model._layers, self._buffers, strict=True)
        ):
            project(xs, wihT, bias, out=P[a:b])
            edit = (edits or {}).get(k)
            if edit is None:
                recur(whhT, P[a:b], R[a : b + 1], Hs[a : b + 1], self.model._gate)
            else:
                for t in range(a, b):
                    recur(whhT, P[t : t + 1], R[t : t + 2], Hs[t : t + 2], self.model._gate)
                    edit(t, R[t, H:], R[t, :H], R[t + 1, :H], Hs[t + 1])
            to_torch_order(P[a:b], H)
            xs = Hs[a + 1 : b + 1]
        if self._logits is not None:
            project(xs, *self.model._out, out=self._logits[a:b])
        self.done = b
        return b

    def reuse(self, trace: Trace, steps: int) -> None:
        """Take the first `steps` steps from `trace`, made from the same inputs and start,
        instead of tracing them again; `run` goes on from there."""
        H = self.model.hidden_size
        for layer, (P, R, Hs, _, _) in zip(trace.layers, self._buffers, strict=True):
            P[:steps] = layer.pre[:steps]
            R[1 : steps + 1, :H] = layer.c[:steps]
            for j, gate in enumerate((layer.g, layer.f, layer.i, layer.o), start=1):
                R[:steps, j * H : (j + 1) * H] = gate[:steps]
            Hs[1 : steps + 1] = layer.h[:steps]
        if self._logits is not None:
            self._logits[:steps] = trace.logits[:steps]
        self.done = steps

    def trace(self) -> Trace:
        """The Trace of every step; a ValueError before they are all traced."""
        if self.done < self.steps:
            raise ValueError(f"traced {self.done} of {self.steps} steps")
        T, H, xs = self.steps, self.model.hidden_size, self.x
        layers = []
        for P, R, Hs, h0, c0 in self._buffers:
            for a in (P, R, Hs):
                a.flags.writeable = False
            # The gates and c stay views into R: copying them out would double the memory.
            g, f, i, o = (R[:T, j * H : (j + 1) * H] for j in range(1, 5))
            layers.append(LayerTrace(xs, P, i, f, g, o, c=R[1:, :H], h=Hs[1:], h0=h0, c0=c0))
            xs = layers[-1].h
        return Trace(layers, self._logits)


class Stepper:
    """The model advanced one token at a time, with the trace's numbers exactly.

    `step(x_t)` takes a token id (with an embedding) or an input vector (E,) and returns the
    new step as a Trace of one step (every array with a leading axis of 1); `h` and `c` (L, H)
    are the state after the last step.
    """

    def __init__(self, model: LSTM, h: np.ndarray, c: np.ndarray):
        self.model = model
        self.h = h
        self.c = c
        self.steps = 0

    def step(self, x_t) -> Trace:
        """Advance one token; returns the new value of every array of every layer, (1, ...)."""
        m = self.model
        if m.vocab_size is None:
            x_t = np.asarray(x_t)
            if x_t.shape != (m.input_size,):
                raise ModelError(f"x_t has shape {x_t.shape}, expected ({m.input_size},)")
        elif isinstance(x_t, bool) or not isinstance(x_t, int | np.integer):
            raise ModelError(f"this model has an embedding: x_t must be a token id, got {x_t!r}")
        trace = m.trace(np.asarray([x_t]), self.h, self.c)
        self.h = np.stack([layer.h[0] for layer in trace.layers])
        self.c = np.stack([layer.c[0] for layer in trace.layers])
        self.steps += 1
        return trace
