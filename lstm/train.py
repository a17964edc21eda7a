"""Training the whole model: backpropagation through time, cross-entropy, clipping and Adam.

Batches are batch-major at the interface, as tasks make them:
    inputs  (B, T) token ids, or (B, T, E) floats for a model without embedding
    targets (B, T) class ids (per-step labels, or the next token for next-token prediction)
    mask    (B, T) 1 where a target counts, 0 elsewhere (padding after a shorter sequence,
            or steps with nothing to predict)
The loss is the mask-weighted mean cross-entropy over the counted steps, in nats.

Inside, everything is time-major: step t of the batch is one contiguous block. The gates of
step t are acts[t] (4, B, H) in the forward pass and dz[t] (B, 4H) in the backward pass, so each
step is one (B, H) x (H, 4H) matmul each way plus a few whole-block NumPy calls. The input
projections of all steps are computed up front (for token input: the V embedding rows are
projected once and gathered), and the weight gradients of all steps are one matmul at the end
(dW_hh = dZ[1:].reshape((T-1)*B, 4H).T @ H[:-1].reshape((T-1)*B, H)). Gate rows are reordered to
i, f, o, g inside (the three sigmoids side by side) and sigmoid(z) is computed as
0.5 * tanh(z / 2) + 0.5, so one tanh call covers all four gates. Parameters and gradients keep
PyTorch's names and its i, f, g, o row order. Training runs in float32 (speed), the gradient
checks in float64: the dtype is that of the parameters. This forward is batched for speed and
`lstm.model.LSTM.trace` runs one sequence for the page; tests/test_train.py checks that both
give the same gates, states and logits (to 1e-12 in float64) on every shipped preset.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8

# Hyperparameters the Trainer accepts: name -> (low, high, low included).
LIMITS = {
    "hidden_size": (1, 512, True),
    "num_layers": (1, 4, True),
    "embed_size": (1, 512, True),
    "lr": (0.0, 1.0, False),
    "batch_size": (1, 1024, True),
    "clip": (0.0, 1000.0, False),
    "length": (1, 10_000, True),
    "dropout": (0.0, 0.9, True),
    "anneal": (0, 10_000_000, True),
}
ANNEAL_FLOOR = 0.1  # an annealed learning rate ends at this share of lr


class TrainingError(RuntimeError):
    """A run that cannot go on (its loss or gradients stopped being finite)."""


def gate_order(H: int) -> np.ndarray:
    """Row indices (4H,) taking PyTorch's i, f, g, o rows to the i, f, o, g order used inside."""
    return np.r_[0 : 2 * H, 3 * H : 4 * H, 2 * H : 3 * H]


def layer_count(params: dict[str, np.ndarray]) -> int:
    """How many stacked layers a parameter dict holds."""
    return sum(1 for name in params if name.startswith("weight_ih_l"))


class Workspace:
    """Preallocated arrays reused across batches of the same shape."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        a = self.arrays.get(name)
        if a is None or a.shape != shape or a.dtype != dtype:
            a = self.arrays[name] = np.empty(shape, dtype)
        return a

    def zeros(self, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        a = self.get(name, shape, dtype)
        a.fill(0)
        return a


def cross_entropy(
    logits: np.ndarray, targets: np.ndarray, weights: np.ndarray
) -> tuple[float, np.ndarray, int]:
    """Weighted cross-entropy of logits (N, V) against targets (N,) with weights (N,) summing to 1.

    Returns the loss, its gradient with respect to the logits (N, V) (written over `logits`),
    and how many rows with a nonzero weight have the target as their top logit.
    """
    rows = np.arange(len(targets))
    used = weights > 0
    z = logits
    z -= z.max(1, keepdims=True)
    picked = z[rows, targets]
    correct = int(np.count_nonzero((picked == 0) & used))  # the target has the top logit
    np.exp(z, out=z)
    sums = z.sum(1)
    loss = -float(np.dot(weights[used], picked[used] - np.log(sums[used])))
    z *= (weights / sums)[:, None]
    z[rows, targets] -= weights
    return loss, z, correct


def forward(
    params: dict[str, np.ndarray],
    inputs: np.ndarray,
    ws: Workspace | None = None,
    drops: list[np.ndarray] | None = None,
) -> tuple[np.ndarray, list]:
    """Logits (T*B, O), time-major (a transposed view), of a batch, and what `backward` needs.

    params: PyTorch-named arrays, all of one float dtype (float32 to train, float64 to check).
    drops: dropout while training, one (T, B, H) array per layer of 0 and 1/(1-p), multiplying
    each layer's h where it goes up (into the next layer or the output layer), never the
    recurrent path (Zaremba et al. 2014); None: no dropout.
    """
    ws = ws or Workspace()
    dtype = params["weight_hh_l0"].dtype
    L = layer_count(params)
    H = params["weight_hh_l0"].shape[1]
    embedding = params.get("embedding")
    if embedding is not None:
        B, T = inputs.shape
        ids = np.ascontiguousarray(inputs.T)  # (T, B)
        x = None
    else:
        B, T = inputs.shape[:2]
        x = np.ascontiguousarray(inputs.transpose(1, 0, 2), dtype=dtype)
    order = gate_order(H)
    scale = np.repeat(np.array([0.5, 0.5, 0.5, 1.0], dtype), H)  # sigmoid(z) = tanh(z/2)/2 + 1/2
    rec = ws.get("rec", (B, 4 * H), dtype)
    rec_gates = rec.reshape(B, 4, H).transpose(1, 0, 2)  # the same numbers as (4, B, H)
    tmp = ws.get("tmp", (B, H), dtype)

    # Forward, storing what the backward pass needs. acts (T, 4, B, H): each step's gates are
    # one contiguous block, each gate over all steps is a strided (T, B, H) view.
    saved = []
    for k in range(L):
        w_ih = params[f"weight_ih_l{k}"][order]  # (4H, In), rows i f o g
        w_hh = params[f"weight_hh_l{k}"][order]  # (4H, H)
        bias = (params[f"bias_ih_l{k}"] + params[f"bias_hh_l{k}"])[order] * scale
        w_ih_t = (w_ih * scale[:, None]).T  # (In, 4H)
        w_hh_t = (w_hh * scale[:, None]).T.copy()  # (H, 4H)
        acts = ws.get(f"acts{k}", (T, 4, B, H), dtype)  # pre-activations, then i f o g
        cs = ws.get(f"c{k}", (T + 1, B, H), dtype)  # cs[0] = c0 = 0, cs[t + 1] = c_t
        hs = ws.get(f"h{k}", (T + 1, B, H), dtype)
        tcs = ws.get(f"tc{k}", (T, B, H), dtype)  # tanh(c_t)
        cs[0] = 0
        hs[0] = 0
        if x is None:  # token input: project the V embedding rows once, then gather
            table = (embedding @ w_ih_t + bias).reshape(-1, 4, H).transpose(1, 0, 2)  # (4, V, H)
            rows = ids[:, None, :] + len(embedding) * np.arange(4)[:, None]  # (T, 4, B)
            np.take(table.reshape(-1, H), rows, axis=0, out=acts)
        else:
            projected = x.reshape(T * B, -1) @ w_ih_t + bias  # (T*B, 4H)
            acts[...] = projected.reshape(T, B, 4, H).transpose(0, 2, 1, 3)
        i, f, o, g = acts.transpose(1, 0, 2, 3)
        for t in range(T):
            a = acts[t]
            if t:
                np.dot(hs[t], w_hh_t, out=rec)
                a += rec_gates
            np.tanh(a, out=a)
            sig = a[:3]
            sig *= 0.5
            sig += 0.5
            np.multiply(f[t], cs[t], out=cs[t + 1])
            np.multiply(i[t], g[t], out=tmp)
            cs[t + 1] += tmp
            np.tanh(cs[t + 1], out=tcs[t])
            np.multiply(o[t], tcs[t], out=hs[t + 1])
        saved.append((x, w_ih, w_hh, acts, cs, hs, tcs))
        x = hs[1:] if drops is None else hs[1:] * drops[k]
    # Logits are stored (O, T*B) and returned as their (T*B, O) transpose: the softmax's
    # reductions over O then run along contiguous memory.
    logits_t = ws.get("logits", (len(params["out_bias"]), T * B), dtype)
    np.dot(params["out_weight"], x.reshape(T * B, H).T, out=logits_t)
    logits_t += params["out_bias"][:, None]
    return logits_t.T, [ids if embedding is not None else None, drops, *saved]


def backward(
    params: dict[str, np.ndarray],
    saved: list,
    dlogits: np.ndarray,
    grads: dict[str, np.ndarray],
    ws: Workspace,
) -> None:
    """Gradients of every parameter, written into `grads`, from the logits' gradient (T*B, O)."""
    ids, drops, *saved = saved
    dtype = params["weight_hh_l0"].dtype
    L = layer_count(params)
    H = params["weight_hh_l0"].shape[1]
    T, _, B, _ = saved[0][3].shape
    order = gate_order(H)
    tmp = ws.get("tmp", (B, H), dtype)
    embedding = params.get("embedding")
    if embedding is not None:
        onehot = (np.arange(len(embedding))[:, None] == ids.reshape(-1)).astype(dtype)  # (V, TB)
    w_out = params["out_weight"]
    top = saved[-1][5][1:] if drops is None else saved[-1][5][1:] * drops[-1]
    top = top.reshape(T * B, H)
    np.dot(dlogits.T, top, out=grads["out_weight"])
    dlogits.sum(0, out=grads["out_bias"])
    dh_all = ws.get("dh_top", (T, B, H), dtype)
    np.dot(dlogits, w_out, out=dh_all.reshape(T * B, H))
    if drops is not None:
        dh_all *= drops[-1]

    # Backward through time, top layer first. dz (T, B, 4, H): each step's (B, 4H) block goes
    # through one matmul, and the weight gradients of all steps through one matmul each.
    for k in reversed(range(L)):
        x, w_ih, w_hh, acts, cs, hs, tcs = saved[k]
        i, f, o, g = acts.transpose(1, 0, 2, 3)
        # mult: the factor turning dc (dh for o) into each gate's pre-activation gradient.
        mult = ws.get("mult", (T, 4, B, H), dtype)
        sig, msig = acts[:, :3], mult[:, :3]
        np.multiply(sig, sig, out=msig)
        np.subtract(sig, msig, out=msig)  # sigmoid' = s - s^2
        mi, mf, mo, mg = mult.transpose(1, 0, 2, 3)
        mi *= g
        mf *= cs[:-1]
        mo *= tcs
        np.multiply(g, g, out=mg)
        np.subtract(1, mg, out=mg)
        mg *= i
        dc_from_h = ws.get("dc_from_h", (T, B, H), dtype)  # o * (1 - tanh(c)^2)
        np.multiply(tcs, tcs, out=dc_from_h)
        np.subtract(1, dc_from_h, out=dc_from_h)
        dc_from_h *= o
        dz = ws.get("dz", (T, B, 4, H), dtype)
        dc = ws.get("dc", (B, H), dtype)
        dc_next = ws.zeros("dc_next", (B, H), dtype)
        for t in reversed(range(T)):
            dh = dh_all[t]
            np.multiply(dh, dc_from_h[t], out=dc)
            dc += dc_next
            np.multiply(mult[t], dc, out=dz[t].transpose(1, 0, 2))
            np.multiply(mo[t], dh, out=dz[t, :, 2])
            np.multiply(dc, f[t], out=dc_next)
            if t:
                np.dot(dz[t].reshape(B, 4 * H), w_hh, out=tmp)
                dh_all[t - 1] += tmp
        dz2 = dz.reshape(T * B, 4 * H)
        grads[f"weight_hh_l{k}"][order] = dz2[B:].T @ hs[1:T].reshape(-1, H)
        if x is None:  # token input: sum dz per token first, (V, 4H), then tiny matmuls
            dz_tok = onehot @ dz2
            grads[f"weight_ih_l{k}"][order] = dz_tok.T @ embedding
            grads["embedding"][...] = dz_tok @ w_ih
            db = dz_tok.sum(0)
        else:
            grads[f"weight_ih_l{k}"][order] = dz2.T @ x.reshape(T * B, -1)
            db = dz2.sum(0)
            if k:
                dh_all = (dz2 @ w_ih).reshape(T, B, H)
                if drops is not None:
                    dh_all *= drops[k - 1]
        grads[f"bias_ih_l{k}"][order] = db
        grads[f"bias_hh_l{k}"][order] = db


def masked_targets(targets: np.ndarray, mask: np.ndarray, dtype) -> tuple[np.ndarray, np.ndarray]:
    """Time-major flat targets (T*B,) (0 where masked) and loss weights (T*B,) summing to 1."""
    m = np.asarray(mask, dtype).T.reshape(-1)
    total = m.sum()
    if total <= 0:
        raise ValueError("mask: no step of the batch is counted (mask is all zeros)")
    return np.where(m > 0, np.asarray(targets).T.reshape(-1), 0), m / total


def forward_backward(
    params: dict[str, np.ndarray],
    inputs: np.ndarray,
    targets: np.ndarray,
    mask: np.ndarray,
    grads: dict[str, np.ndarray],
    ws: Workspace | None = None,
    drops: list[np.ndarray] | None = None,
) -> tuple[float, int, int]:
    """Loss of one batch and the gradient of every parameter, written into `grads`.

    grads: arrays shaped like params (written, not accumulated); drops as in `forward`. Returns
    (loss in nats, correct predictions, counted steps).
    """
    ws = ws or Workspace()
    logits, saved = forward(params, inputs, ws, drops)
    tgt, weights = masked_targets(targets, mask, logits.dtype)
    loss, dlogits, correct = cross_entropy(logits, tgt, weights)
    backward(params, saved, dlogits, grads, ws)
    return loss, correct, int(np.count_nonzero(weights))


def gradients(
    params: dict[str, np.ndarray],
    inputs: np.ndarray,
    targets: np.ndarray,
    mask: np.ndarray,
    drops: list[np.ndarray] | None = None,
) -> tuple[float, dict[str, np.ndarray]]:
    """Loss and fresh gradient arrays of one batch (the plain entry point for checks)."""
    grads = {name: np.empty_like(p) for name, p in params.items()}
    loss, _, _ = forward_backward(params, inputs, targets, mask, grads, drops=drops)
    return loss, grads


def clip_gradients(flat_grad: np.ndarray, max_norm: float) -> float:
    """Scale gradients in place to a global norm of at most max_norm, as torch's
    clip_grad_norm_ does; returns the norm before clipping."""
    norm = math.sqrt(float(np.dot(flat_grad, flat_grad)))
    coef = max_norm / (norm + 1e-6)
    if coef < 1.0:
        flat_grad *= coef
    return norm


class Adam:
    """Adam (as torch.optim.Adam with default betas and eps) on one flat parameter array."""

    def __init__(self, flat: np.ndarray, lr: float) -> None:
        self.flat, self.lr, self.t = flat, lr, 0
        self.m = np.zeros_like(flat)
        self.v = np.zeros_like(flat)
        self.tmp = np.empty_like(flat)

    def update(self, grad: np.ndarray) -> None:
        b1, b2 = ADAM_BETAS
        self.t += 1
        m, v, tmp = self.m, self.v, self.tmp
        m *= b1
        np.multiply(grad, 1 - b1, out=tmp)
        m += tmp
        v *= b2
        np.multiply(grad, grad, out=tmp)
        tmp *= 1 - b2
        v += tmp
        np.sqrt(v, out=tmp)
        tmp /= math.sqrt(1 - b2**self.t)
        tmp += ADAM_EPS
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr / (1 - b1**self.t)
        self.flat -= tmp


def flat_views(
    shapes: dict[str, tuple[int, ...]], dtype
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One contiguous array and named views into it, so Adam and clipping touch one array."""
    flat = np.zeros(sum(math.prod(s) for s in shapes.values()), dtype)
    views, at = {}, 0
    for name, shape in shapes.items():
        n = math.prod(shape)
        views[name] = flat[at : at + n].reshape(shape)
        at += n
    return flat, views


def check_range(name: str, value) -> None:
    """Refuse a hyperparameter outside LIMITS with a message naming it and its range."""
    low, high, low_ok = LIMITS[name]
    whole = isinstance(low, int)
    ok_type = isinstance(value, int) if whole else isinstance(value, int | float)
    inside = ok_type and (value >= low if low_ok else value > low) and value <= high
    if isinstance(value, bool) or not inside:
        kind = "an integer" if whole else "a number"
        brackets = "[" if low_ok else "("
        raise ValueError(
            f"{name}={value!r} is out of range: must be {kind} in {brackets}{low}, {high}]"
        )


def scores(
    params: dict[str, np.ndarray], batch: tuple, rows: int = 64
) -> tuple[float, int, int, int]:
    """Summed loss (nats) over the counted steps of a batch, how many of them have the target as
    the top logit, how many are counted, and how many sequences are right at every counted step.
    Runs `rows` sequences at a time, each group only up to its last counted step (the forward
    pass is causal), so that long held-out sets fit in memory."""
    loss, right, counted, whole = 0.0, 0, 0, 0
    for a in range(0, len(batch[0]), rows):
        inputs, targets, mask = (array[a : a + rows] for array in batch)
        end = int(np.flatnonzero(mask.any(0))[-1]) + 1
        inputs, targets, mask = inputs[:, :end], targets[:, :end], mask[:, :end] > 0
        logits, _ = forward(params, inputs)
        z = logits.reshape(end, len(inputs), -1)  # (T, B, O)
        picked = np.take_along_axis(z, targets.T[:, :, None], 2)[:, :, 0]  # (T, B)
        top = z.max(2)
        lse = top + np.log(np.exp(z - top[:, :, None]).sum(2))
        loss += float((lse - picked)[mask.T].sum())
        ok = (picked == top) | ~mask.T
        right += int(np.count_nonzero(ok & mask.T))
        counted += int(np.count_nonzero(mask))
        whole += int(np.count_nonzero(ok.all(0)))
    return loss, right, counted, whole


def evaluate(task, model) -> dict:
    """Held-out metrics of an `lstm.model.LSTM` on a `lstm.tasks.Task`: loss (nats), accuracy of
    the counted steps; for next-token tasks also bits per token (and the unigram baseline in
    bits per token where the task has one); for tasks with a long test (`task.long`) what it
    asks, its accuracy and the share of its sequences right at every counted step."""
    params = {name: np.array(p, np.float64) for name, p in model.params.items()}
    batch = task.heldout()
    loss, right, counted, _ = scores(params, batch)
    metrics = {
        "heldout_sequences": len(batch[0]),
        "heldout_steps": counted,
        "loss_nats": round(loss / counted, 5),
        "accuracy": round(right / counted, 5),
    }
    if task.next_token:
        metrics["bits_per_token"] = round(loss / counted / math.log(2), 4)
    baseline = task.unigram_bits()
    if baseline is not None:
        metrics["unigram_bits_per_token"] = round(baseline, 4)
    if task.long is not None:
        long = task.long_heldout()
        _, right, counted, whole = scores(params, long)
        metrics["long_test"] = task.long.about
        metrics["long_sequences"] = len(long[0])
        metrics["long_steps"] = counted
        metrics["long_accuracy"] = round(right / counted, 5)
        metrics["long_sequences_right"] = round(whole / len(long[0]), 5)
    if task.count is not None:
        metrics.update(counter_unit(task, model))
    return metrics


def counter_unit(task, model) -> dict:
    """The layer and unit whose cell state c best follows `task.count` (Pearson r) over the
    longest sequence of the task's long test, up to its last scored step."""
    inputs, _, mask = task.long_heldout()
    row = int(np.argmax(mask.sum(1)))
    ids = inputs[row, : int(np.flatnonzero(mask[row])[-1]) + 1]
    count = task.count(ids) - task.count(ids).mean()
    best = (0.0, 0.0, 0, 0)  # |r|, r, layer, unit
    for k, layer in enumerate(model.trace(ids).layers):
        c = layer.c - layer.c.mean(0)
        norm = np.sqrt((c * c).sum(0) * (count * count).sum())
        r = np.divide(c.T @ count, norm, out=np.zeros(c.shape[1]), where=norm > 0)
        u = int(np.argmax(np.abs(r)))
        best = max(best, (abs(float(r[u])), float(r[u]), k, u))
    _, r, k, u = best
    return {"counter_layer": k, "counter_unit": u, "counter_r": round(r, 4),
            "counter_steps": len(ids)}


def description(task, metrics: dict) -> str:
    """What a model of `task` does and how well, in words, from its `evaluate` metrics (the
    page shows it); the task's one-line summary alone when there are no metrics yet."""
    if "accuracy" not in metrics:
        return task.about
    unit = "character" if task.tokenizer == "char" else "word"
    if "bits_per_token" in metrics and "unigram_bits_per_token" in metrics:
        held = (f"{metrics['bits_per_token']:.2f} bits per {unit} (a guess from {unit} "
                f"frequencies alone: {metrics['unigram_bits_per_token']:.2f} bits); the next "
                f"{unit} ranked first {metrics['accuracy']:.1%} of the time")
    else:
        held = (f"right at {metrics['accuracy']:.2%} of {metrics['heldout_steps']:,} scored "
                f"steps in {metrics['heldout_sequences']:,} sequences")
    text = f"{task.about} Held-out test: {held}."
    if "long_accuracy" in metrics:
        right = round(metrics["long_sequences_right"] * metrics["long_sequences"])
        text += (f" Long inputs ({metrics['long_test']}): right at "
                 f"{metrics['long_accuracy']:.2%} of {metrics['long_steps']:,} steps; "
                 f"{right} of {metrics['long_sequences']} sequences right throughout.")
    if "counter_unit" in metrics:
        layer = f" of layer {metrics['counter_layer']}" if metrics["counter_layer"] else ""
        text += (f" It counts with cell unit {metrics['counter_unit']}{layer}: over "
                 f"{metrics['counter_steps']:,} steps its c follows {task.count_name} "
                 f"(correlation {metrics['counter_r']:+.3f}).")
    return text


@dataclass
class Record:
    """One training step: its number, loss (nats), accuracy on the batch, gradient norm."""

    step: int
    loss: float
    accuracy: float
    grad_norm: float


@dataclass
class Trainer:
    """Trains a model on a task one batch at a time, so that a page can train in slices.

    task: a `lstm.tasks.Task`. `step()` trains one batch and returns its Record; `history` keeps
    every Record. If the loss or the gradients stop being finite, the weights of the last step
    with a finite loss are kept, `diverged` is set, `message` says what happened and `step()`
    raises TrainingError (now and on every later call).
    """

    task: object
    hidden_size: int = 32
    num_layers: int = 1
    embed_size: int | None = None
    lr: float = 0.01
    batch_size: int = 32
    clip: float = 1.0
    seed: int = 0
    length: int | None = None  # the task's training length (`Task.batch`); None: its default
    dropout: float = 0.0  # the share of each layer's h dropped on its way up (see `forward`)
    anneal: int = 0  # steps over which lr falls to ANNEAL_FLOOR * lr (half a cosine); 0: never
    history: list[Record] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0
    diverged: bool = False

    def __post_init__(self) -> None:
        from lstm.model import LSTM

        if self.embed_size is None:
            self.embed_size = self.hidden_size
        if self.length is None:
            self.length = self.task.length
        for name in LIMITS:
            check_range(name, getattr(self, name))
        init = LSTM.random(
            self.embed_size,
            self.hidden_size,
            num_layers=self.num_layers,
            vocab_size=len(self.task.vocab),
            output_size=len(self.task.labels),
            seed=self.seed,
        )
        shapes = {name: p.shape for name, p in init.params.items()}
        self.flat, self.params = flat_views(shapes, np.float32)
        for name, p in init.params.items():
            self.params[name][...] = p
        self.flat_grad, self.grads = flat_views(shapes, np.float32)
        self.last_good = self.flat.copy()
        self.adam = Adam(self.flat, self.lr)
        self.rng = np.random.default_rng(self.seed)
        self.drop_rng = np.random.default_rng([self.seed, 1])  # its own: the batches stay
        self.ws = Workspace()

    def step(self) -> Record:
        """Train on one new batch; returns its Record."""
        if self.diverged:
            raise TrainingError(self.message)
        start = time.perf_counter()
        inputs, targets, mask = self.task.batch(self.rng, self.batch_size, self.length)
        with np.errstate(all="ignore"):  # overflow shows up as a non-finite loss, checked next
            loss, correct, count = forward_backward(
                self.params, inputs, targets, mask, self.grads, self.ws, self.drops(inputs)
            )
            norm = clip_gradients(self.flat_grad, self.clip)
        n = len(self.history) + 1
        if not (math.isfinite(loss) and math.isfinite(norm)):
            self.flat[:] = self.last_good
            self.diverged = True
            what = f"loss {loss}" if not math.isfinite(loss) else f"gradient norm {norm}"
            self.message = (
                f"training diverged at step {n} ({what}); kept the last weights with a finite "
                f"loss (step {n - 1}). Try a smaller learning rate than lr={self.lr}."
            )
            raise TrainingError(self.message)
        self.last_good[:] = self.flat
        self.adam.lr = self.lr_at(n)
        self.adam.update(self.flat_grad)
        record = Record(n, loss, correct / max(count, 1), norm)
        self.history.append(record)
        self.seconds += time.perf_counter() - start
        return record

    def lr_at(self, n: int) -> float:
        """The learning rate of step n: lr, or with `anneal` half a cosine from lr down to
        ANNEAL_FLOOR * lr at step `anneal`, and that floor after it."""
        if not self.anneal:
            return self.lr
        done = min(n - 1, self.anneal) / self.anneal
        return self.lr * (ANNEAL_FLOOR + (1 - ANNEAL_FLOOR) * 0.5 * (1 + math.cos(math.pi * done)))

    def drops(self, inputs: np.ndarray) -> list[np.ndarray] | None:
        """Fresh dropout arrays (T, B, H) per layer for a batch (B, T), or None without."""
        if not self.dropout:
            return None
        shape = (inputs.shape[1], inputs.shape[0], self.hidden_size)
        keep = 1.0 - self.dropout
        return [(self.drop_rng.random(shape, np.float32) < keep) / np.float32(keep)
                for _ in range(self.num_layers)]

    def run(self, steps: int, seconds: float | None = None) -> list[Record]:
        """Train up to `steps` batches, stopping early once `seconds` have passed (a slice of
        training between two frames of a page). Returns the new Records."""
        start = time.perf_counter()
        records = []
        for _ in range(steps):
            records.append(self.step())
            if seconds is not None and time.perf_counter() - start >= seconds:
                break
        return records

    def model(self):
        """The current weights as an `lstm.model.LSTM` in float64."""
        from lstm.model import LSTM

        return LSTM({name: p.astype(np.float64) for name, p in self.params.items()})

    def evaluate(self) -> dict:
        """Held-out metrics of the current weights (see `evaluate`)."""
        return evaluate(self.task, self.model())

    def meta(self, metrics: dict | None = None, command: str | None = None) -> dict:
        """The JSON-able metadata saved beside the weights in a model file (with the command
        line that trained it, when one did)."""
        task = self.task
        metrics = metrics if metrics is not None else self.evaluate()
        return {
            "task": task.name,
            "title": task.title,
            "about": task.about,
            "tokenizer": task.tokenizer,
            "vocabulary": list(task.vocab),
            "labels": list(task.labels),
            "next_token": task.next_token,
            "example": task.example,
            "seed": self.seed,
            "lr": self.lr,
            "batch_size": self.batch_size,
            "clip": self.clip,
            "length": self.length,
            "dropout": self.dropout,
            "anneal": self.anneal,
            "steps": len(self.history),
            "final_train_loss": self.history[-1].loss if self.history else None,
            "metrics": metrics,
            "description": description(task, metrics),
            "training_seconds": round(self.seconds, 3),
        } | ({"command": command} if command else {})

    def file_bytes(self, metrics: dict | None = None, command: str | None = None) -> bytes:
        """The trained model as a model file (NPZ bytes), for a download or a preset."""
        from lstm.modelfile import model_bytes

        return model_bytes(self.model(), self.meta(metrics, command))


MAX_STEPS = 1_000_000  # --steps; each step's Record is kept


def training_nbytes(trainer: Trainer) -> int:
    """About the most bytes training takes: a batch's forward and backward in float32, or the
    held-out evaluation in float64, each counted as a trace of B*T steps (model.trace_nbytes)."""
    from lstm.model import trace_nbytes
    from lstm.tasks import HELDOUT_SIZE

    task = trainer.task
    T = task.batch(np.random.default_rng(0), 64)[0].shape[1]  # padded to the longest of 64
    sizes = (trainer.embed_size, trainer.hidden_size, trainer.num_layers)
    V, n_out = len(task.vocab), len(task.labels)
    batch = 2 * trace_nbytes(*sizes, T * trainer.batch_size, V, n_out, itemsize=4)
    return max(batch, trace_nbytes(*sizes, T * HELDOUT_SIZE, V, n_out, itemsize=8))


def add_train_arguments(p) -> None:
    """The options of `python -m lstm train`."""
    p.add_argument("--task", required=True, help="brackets, recall, anbn or alice")
    p.add_argument("--hidden", type=int, default=32, help="hidden size H (32)")
    p.add_argument("--layers", type=int, default=1, help="stacked layers (1)")
    p.add_argument("--embed", type=int, help="embedding size E (default: H)")
    p.add_argument("--steps", type=int, default=2000, help="training batches (2000)")
    p.add_argument("--lr", type=float, default=0.01, help="Adam learning rate (0.01)")
    p.add_argument("--batch", type=int, default=32, help="sequences per batch (32)")
    p.add_argument("--clip", type=float, default=1.0, help="gradient norm limit (1.0)")
    p.add_argument("--seed", type=int, default=0, help="initialisation and data seed (0)")
    p.add_argument("--dropout", type=float, help="share of h dropped between layers and "
                   "before the output layer while training (0)")
    p.add_argument("--anneal", type=int, help="steps over which the learning rate falls to a "
                   "tenth (half a cosine; 0: constant, the default)")
    p.add_argument("--length", type=int, help="training length: bracket string length (48), "
                   "longest recall delay (30), largest n of aⁿbⁿ (10), text window (64)")
    p.add_argument("--out", help="model file to write (default: TASK.npz here; the shipped "
                   "presets are assets/models/TASK.npz)")


def run_train(args) -> int:
    """Train as the options say, print progress and held-out figures, write the model file."""
    from lstm.files import check_writable, write_bytes
    from lstm.model import MEMORY_LIMIT
    from lstm.tasks import get_task

    if not 1 <= args.steps <= MAX_STEPS:
        raise ValueError(f"--steps={args.steps} is out of range: must be in [1, {MAX_STEPS:,}]")
    out = args.out or f"{args.task}.npz"
    check_writable(out)  # before training, not after
    options = {"hidden_size": "hidden", "num_layers": "layers", "embed_size": "embed",
               "lr": "lr", "batch_size": "batch", "clip": "clip", "seed": "seed",
               "length": "length", "dropout": "dropout", "anneal": "anneal"}
    try:
        given = {name: getattr(args, flag) for name, flag in options.items()}
        trainer = Trainer(get_task(args.task),
                          **{name: value for name, value in given.items() if value is not None})
    except ValueError as e:  # name the command-line flag, not the Trainer's parameter
        name, _, rest = str(e).partition("=")
        raise ValueError(f"--{options[name]}={rest}" if name in options else str(e)) from None
    need = training_nbytes(trainer)
    if need > MEMORY_LIMIT:
        raise ValueError(f"training would take about {need / 2**30:.1f} GiB, more than the "
                         f"{MEMORY_LIMIT / 2**30:.0f} GiB limit: use a smaller --hidden, "
                         "--layers, --embed or --batch")
    given = [flag for flag in [*options.values(), "steps"] if getattr(args, flag) is not None]
    command = " ".join([f"python -m lstm train --task {args.task}",
                        *(f"--{flag} {getattr(args, flag)}" for flag in given), f"--out {out}"])
    every = max(1, args.steps // 20)
    for n in range(1, args.steps + 1):
        record = trainer.step()
        if n % every == 0 or n == args.steps:
            say(f"step {n:>6}  loss {record.loss:.4f}  accuracy {record.accuracy:.3f}  "
                f"{trainer.seconds:.1f} s")
    metrics = trainer.evaluate()
    say("held-out: " + ", ".join(f"{k} {v}" for k, v in metrics.items()))
    write_bytes(out, trainer.file_bytes(metrics, command))
    say(f"wrote {out}")
    return 0


def say(line: str) -> None:
    """Print a line of progress; once the reader has gone (`| head`), print nothing more but
    go on: the model file is what the command is for."""
    import os
    import sys

    try:
        print(line, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
