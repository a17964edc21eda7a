"""Write torch autograd references for lstm/analysis/gradflow.py: d c_T[u] / d c_t of a layer.

    python3 tools/fixtures_gradflow.py     (needs torch 2.13; tests/test_gradflow.py reads them)

One NPZ per case in tests/fixtures/gradflow/, float64, holding:

    the parameters under nn.LSTM's names, plus embedding (V, E) when used
    x (T, E) inputs, or ids (T,) int64 token ids with an embedding
    layer, unit, step              the target c_step[unit] of that layer (0-based)
    dc (step + 1, H)               its gradient with respect to c_t, t = 0..step, from autograd:
                                   the layer's steps written out in torch (checked against
                                   nn.LSTM's output), c_t kept with retain_grad, and
                                   h_t = o_t tanh(c_t) computed from it, so its path counts
    c (T, H)                       the layer's cell states, for checking the forward pass
    torch_version
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "tests" / "fixtures" / "gradflow"


@dataclass
class Case:
    name: str
    input_size: int
    hidden_size: int
    steps: int
    layer: int
    unit: int
    step: int
    num_layers: int = 1
    vocab_size: int | None = None
    forget_bias: float = 0.0  # added to the forget rows of bias_hh: long memories


CASES = [
    Case("h6_e3_t20", 3, 6, 20, layer=0, unit=2, step=17),
    Case("layers2_v7_e4_h5_t16", 4, 5, 16, layer=1, unit=4, step=15, num_layers=2, vocab_size=7),
    Case("forget_bias_3_h8_e2_t40", 2, 8, 40, layer=0, unit=0, step=39, forget_bias=3.0),
]


def run_case(case: Case, seed: int) -> dict[str, np.ndarray]:
    torch.manual_seed(seed)
    dt = torch.float64
    lstm = torch.nn.LSTM(case.input_size, case.hidden_size, case.num_layers).to(dt)
    H = case.hidden_size
    with torch.no_grad():
        for k in range(case.num_layers):
            getattr(lstm, f"bias_hh_l{k}")[H : 2 * H] += case.forget_bias
    out = {name: p.detach().numpy().copy() for name, p in lstm.named_parameters()}
    rng = np.random.default_rng(seed)
    if case.vocab_size:
        emb = torch.nn.Embedding(case.vocab_size, case.input_size).to(dt)
        ids = rng.integers(0, case.vocab_size, case.steps)
        out["embedding"], out["ids"] = emb.weight.detach().numpy().copy(), ids
        xs = emb(torch.as_tensor(ids)).detach()
    else:
        out["x"] = rng.standard_normal((case.steps, case.input_size))
        xs = torch.as_tensor(out["x"])
    reference = lstm(xs)[0].detach()  # nn.LSTM's own h of the top layer, to check against
    for k in range(case.num_layers):
        w_ih, w_hh, b_ih, b_hh = (getattr(lstm, f"{name}_l{k}")
                                  for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
        h, c = torch.zeros(H, dtype=dt), torch.zeros(H, dtype=dt)
        hs, cs = [], []
        for t in range(case.steps):
            i, f, g, o = (xs[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh).chunk(4)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            c.retain_grad()
            h = torch.sigmoid(o) * torch.tanh(c)  # h_t depends on c_t: its path is counted
            hs.append(h)
            cs.append(c)
        if k == case.layer:
            cs[case.step][case.unit].backward()
            out["dc"] = torch.stack([cs[t].grad for t in range(case.step + 1)]).numpy().copy()
            out["c"] = torch.stack(cs).detach().numpy().copy()
        xs = torch.stack(hs).detach()
    assert torch.allclose(xs, reference, rtol=0, atol=1e-12), "the steps differ from nn.LSTM"
    out.update(layer=np.int64(case.layer), unit=np.int64(case.unit), step=np.int64(case.step))
    out["torch_version"] = np.array(torch.__version__)
    return out


def write(out_dir: Path) -> None:
    """Write every case as out_dir/<case>.npz."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for seed, case in enumerate(CASES):
        np.savez_compressed(out_dir / f"{case.name}.npz", **run_case(case, seed))


if __name__ == "__main__":
    torch.set_num_threads(1)
    write(FOLDER)
    print(f"wrote {len(CASES)} gradient-flow fixtures to {FOLDER}")
