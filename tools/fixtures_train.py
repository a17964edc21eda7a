"""Write torch autograd references for lstm/train.py: losses, gradients, Adam steps.

    python tools/fixtures_train.py     (needs torch 2.13)
    tools/make_fixtures.py: fixtures_train.write(FIXTURES / "train"), where tests/test_train.py
    looks for them

One NPZ per case in tests/fixtures/train/, named train_<case>.npz, in float64, holding:

    the parameters under nn.LSTM's names, plus embedding (V, E) when used, out_weight, out_bias
    inputs (B, T) token ids, or (B, T, E) vectors without an embedding
    targets (B, T), mask (B, T)       sequences of unequal length: mask 0 after each one's end
    loss                               masked mean cross-entropy, (mask * ce).sum() / mask.sum()
    grad_<name>                        d loss / d parameter, from autograd
    lr, clip, adam_steps               then Adam with clip_grad_norm_ for adam_steps batches on
    after_<name>                       the same batch: the parameters afterwards
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "tests" / "fixtures" / "train"


@dataclass
class Case:
    name: str
    input_size: int
    hidden_size: int
    output_size: int
    batch: int
    steps: int
    num_layers: int = 1
    vocab_size: int | None = None  # None: vector inputs, no embedding
    next_token: bool = False  # targets are the next input token
    clip: float = 1.0


CASES = [
    Case("l1_embed", 3, 4, 6, batch=3, steps=7, vocab_size=5),
    Case("l2_embed_next", 4, 5, 6, batch=4, steps=9, num_layers=2, vocab_size=6, next_token=True),
    Case("l1_vectors", 3, 4, 5, batch=3, steps=6, clip=0.05),
    Case("l2_h8", 5, 8, 7, batch=5, steps=12, num_layers=2, vocab_size=7),
]


def run_case(case: Case, seed: int) -> dict[str, np.ndarray]:
    """Parameters, a masked batch, torch's loss and gradients, and parameters after Adam."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    dt = torch.float64
    lstm = torch.nn.LSTM(case.input_size, case.hidden_size, case.num_layers).to(dt)
    head = torch.nn.Linear(case.hidden_size, case.output_size).to(dt)
    B, T = case.batch, case.steps
    emb = torch.nn.Embedding(case.vocab_size, case.input_size).to(dt) if case.vocab_size else None
    if emb is not None:
        inputs = rng.integers(0, case.vocab_size, (B, T))
    else:
        inputs = rng.standard_normal((B, T, case.input_size))
    time_major = torch.as_tensor(np.swapaxes(inputs, 0, 1).copy())  # (T, B) or (T, B, E)
    if case.next_token:
        targets = np.concatenate([inputs[:, 1:], inputs[:, :1]], axis=1) % case.output_size
    else:
        targets = rng.integers(0, case.output_size, (B, T))
    lengths = np.r_[T, rng.integers(1, T, B - 1)]
    mask = (np.arange(T) < lengths[:, None]).astype(np.float64)

    named = {name: p for name, p in lstm.named_parameters()}
    if emb is not None:
        named["embedding"] = emb.weight
    named["out_weight"], named["out_bias"] = head.weight, head.bias

    def loss_fn():
        x = emb(time_major) if emb is not None else time_major
        logits = head(lstm(x)[0])  # (T, B, O)
        ce = torch.nn.functional.cross_entropy(
            logits.reshape(T * B, -1), torch.as_tensor(targets.T.reshape(-1)), reduction="none"
        )
        m = torch.as_tensor(mask.T.reshape(-1))
        return (ce * m).sum() / m.sum()

    out = {name: p.detach().numpy().copy() for name, p in named.items()}
    loss = loss_fn()
    loss.backward()
    out.update({f"grad_{name}": p.grad.numpy().copy() for name, p in named.items()})
    out.update(inputs=inputs, targets=targets, mask=mask, loss=np.float64(loss.item()))

    lr, adam_steps = 0.05, 3
    opt = torch.optim.Adam(list(named.values()), lr=lr)
    for _ in range(adam_steps):
        opt.zero_grad()
        loss_fn().backward()
        torch.nn.utils.clip_grad_norm_(list(named.values()), case.clip)
        opt.step()
    out.update({f"after_{name}": p.detach().numpy().copy() for name, p in named.items()})
    out.update(lr=np.float64(lr), clip=np.float64(case.clip), adam_steps=np.int64(adam_steps))
    out["torch_version"] = np.array(torch.__version__)
    return out


def write(out_dir: Path) -> None:
    """Write every case as out_dir/train_<case>.npz."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for seed, case in enumerate(CASES):
        np.savez_compressed(out_dir / f"train_{case.name}.npz", **run_case(case, seed))


if __name__ == "__main__":
    torch.set_num_threads(1)
    write(FOLDER)
    print(f"wrote {len(CASES)} training fixtures to {FOLDER}")
