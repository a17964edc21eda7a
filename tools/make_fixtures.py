"""Write the PyTorch reference fixtures that the tests compare the NumPy LSTM against.

    pip install torch==2.13.0 && python tools/make_fixtures.py

Only this script needs torch; the fixtures it writes are committed. It also writes the training
references of tools/fixtures_train.py into tests/fixtures/train/ and the gradient-flow references
of tools/fixtures_gradflow.py into tests/fixtures/gradflow/. One NPZ per case and dtype
in tests/fixtures/lstm/, `<case>.float64.npz` and (but for one case) `<case>.float32.npz`, holding:

    parameters under nn.LSTM's names, plus embedding (V, E) and out_weight/out_bias when used
    x (T, E) inputs, or ids (T,) int64 token ids when there is an embedding
    h0, c0 (L, H)
    h_l{k}, c_l{k} (T, H)           from nn.LSTM, advanced one step at a time to read every c
    i_l{k}, f_l{k}, g_l{k}, o_l{k}  (T, H) recomputed with torch from its weights and its states
    logits (T, O)                   from nn.Linear, when there is an output layer
    torch_version                   the version that wrote the file
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import fixtures_gradflow
import fixtures_train
import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
DTYPES = {"float64": torch.float64, "float32": torch.float32}


@dataclass
class Case:
    """One reference run: sizes, inputs and how to scale the weights."""

    name: str
    input_size: int
    hidden_size: int
    steps: int
    num_layers: int = 1
    vocab_size: int | None = None
    output_size: int | None = None
    weight_scale: float = 1.0  # multiplies every LSTM weight: large values saturate the gates
    input_scale: float = 1.0
    nonzero_state: bool = False
    forget_bias: float = 0.0  # added to the forget-gate rows of every bias_hh
    dtypes: tuple[str, ...] = ("float64", "float32")


CASES = [
    Case("h1_e1_t1", 1, 1, 1),
    Case("h1_e1_t40", 1, 1, 40),
    Case("h1_e4_t20", 4, 1, 20),
    Case("e1_h6_t20", 1, 6, 20),
    Case("t1_h8_e5", 5, 8, 1),
    Case("t2_h3_e2_state", 2, 3, 2, nonzero_state=True),
    Case("t500_h6_e3", 3, 6, 500),
    Case("h8_e5_t30", 5, 8, 30),
    Case("h32_e16_t50", 16, 32, 50),
    Case("h64_e1_t10", 1, 64, 10),
    Case("layers2_h8_e5_t30", 5, 8, 30, num_layers=2),
    Case("layers3_h6_e4_t25", 4, 6, 25, num_layers=3),
    Case("layers3_h1_e2_t12", 2, 1, 12, num_layers=3),
    Case("state_h8_e5_t20", 5, 8, 20, nonzero_state=True),
    Case("state_layers2_h5_e3_t15", 3, 5, 15, num_layers=2, nonzero_state=True),
    Case("saturated_x20_h8_e5_t30", 5, 8, 30, weight_scale=20.0),
    # float64 only: with weights near 1000 the pre-activations are near 1000 too, and float32
    # rounds them by about 1e-4, so any two float32 implementations differ by more than 1e-5
    # wherever a gate is not fully saturated.
    Case(
        "saturated_x1000_h6_e4_t30",
        4,
        6,
        30,
        weight_scale=1e3,
        nonzero_state=True,
        dtypes=("float64",),
    ),
    Case("big_inputs_x100_h5_e3_t20", 3, 5, 20, input_scale=100.0),
    Case("forget_bias_5_h6_e3_t60", 3, 6, 60, forget_bias=5.0),
    Case("forget_bias_-5_h6_e3_t20", 3, 6, 20, forget_bias=-5.0),
    Case("t200_layers2_h3_e2", 2, 3, 200, num_layers=2),
    Case("embed_v10_e6_h8_t30", 6, 8, 30, vocab_size=10),
    Case("embed_v1_e1_h1_t5", 1, 1, 5, vocab_size=1),
    Case("embed_out_v12_e5_h7_t25", 5, 7, 25, vocab_size=12, output_size=12),
    Case("embed_out_layers2_v9_e4_h6_t20", 4, 6, 20, num_layers=2, vocab_size=9, output_size=3),
    Case("out_o3_h5_e4_t15", 4, 5, 15, output_size=3, nonzero_state=True),
]


def make_modules(case: Case, dtype: torch.dtype, seed: int):
    """nn.LSTM (and nn.Embedding, nn.Linear when the case has them) with the case's weights."""
    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(case.input_size, case.hidden_size, num_layers=case.num_layers)
    embedding = torch.nn.Embedding(case.vocab_size, case.input_size) if case.vocab_size else None
    linear = torch.nn.Linear(case.hidden_size, case.output_size) if case.output_size else None
    H = case.hidden_size
    with torch.no_grad():
        for name, p in lstm.named_parameters():
            p.mul_(case.weight_scale)
            if name.startswith("bias_hh"):
                p[H : 2 * H] += case.forget_bias
    return [m.to(dtype) if m is not None else None for m in (lstm, embedding, linear)]


def run_case(case: Case, dtype: torch.dtype, seed: int) -> dict[str, np.ndarray]:
    """Every array of one fixture, computed by torch."""
    lstm, embedding, linear = make_modules(case, dtype, seed)
    g = torch.Generator().manual_seed(seed + 1)
    L, H, T = case.num_layers, case.hidden_size, case.steps
    out: dict[str, np.ndarray] = {}
    with torch.no_grad():
        if embedding is not None:
            ids = torch.randint(0, case.vocab_size, (T,), generator=g)
            x = embedding(ids)
            out["ids"] = ids.numpy().astype(np.int64)
        else:
            x = torch.randn(T, case.input_size, generator=g, dtype=dtype) * case.input_scale
            out["x"] = x.numpy()
        if case.nonzero_state:
            h0 = torch.randn(L, H, generator=g, dtype=dtype)
            c0 = 3 * torch.randn(L, H, generator=g, dtype=dtype)
        else:
            h0 = torch.zeros(L, H, dtype=dtype)
            c0 = torch.zeros(L, H, dtype=dtype)

        hs, cs = [], []
        state = (h0[:, None], c0[:, None])
        for t in range(T):
            _, state = lstm(x[t : t + 1, None], state)
            hs.append(state[0][:, 0])
            cs.append(state[1][:, 0])
        h = torch.stack(hs, 1)  # (L, T, H)
        c = torch.stack(cs, 1)
        full, _ = lstm(x[:, None], (h0[:, None], c0[:, None]))
        assert torch.allclose(full[:, 0], h[-1], atol=1e-5), case.name

        params = {k: v.numpy() for k, v in lstm.state_dict().items()}
        layer_in = x
        for k in range(L):
            h_prev = torch.cat([h0[k : k + 1], h[k, :-1]])
            pre = (
                layer_in @ lstm.state_dict()[f"weight_ih_l{k}"].T
                + lstm.state_dict()[f"bias_ih_l{k}"]
                + h_prev @ lstm.state_dict()[f"weight_hh_l{k}"].T
                + lstm.state_dict()[f"bias_hh_l{k}"]
            )
            i, f, gg, o = pre.split(H, dim=1)
            out[f"i_l{k}"] = torch.sigmoid(i).numpy()
            out[f"f_l{k}"] = torch.sigmoid(f).numpy()
            out[f"g_l{k}"] = torch.tanh(gg).numpy()
            out[f"o_l{k}"] = torch.sigmoid(o).numpy()
            out[f"h_l{k}"] = h[k].numpy()
            out[f"c_l{k}"] = c[k].numpy()
            layer_in = h[k]
        if embedding is not None:
            params["embedding"] = embedding.weight.numpy()
        if linear is not None:
            params["out_weight"] = linear.weight.numpy()
            params["out_bias"] = linear.bias.numpy()
            out["logits"] = linear(h[-1]).numpy()
    out.update(params)
    out["h0"] = h0.numpy()
    out["c0"] = c0.numpy()
    out["torch_version"] = np.array(torch.__version__)
    return out


def write_lstm_cases(folder: Path) -> int:
    """Write every case in its dtypes into `folder`; returns the number of files."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for seed, case in enumerate(CASES):
        for dtype_name in case.dtypes:
            arrays = run_case(case, DTYPES[dtype_name], seed)
            np.savez_compressed(folder / f"{case.name}.{dtype_name}.npz", **arrays)
    return sum(len(case.dtypes) for case in CASES)


def main() -> None:
    torch.set_num_threads(1)
    n = write_lstm_cases(FIXTURES / "lstm")
    print(f"wrote {n} LSTM fixtures to {FIXTURES / 'lstm'}")
    fixtures_train.write(FIXTURES / "train")
    fixtures_gradflow.write(FIXTURES / "gradflow")
    print(f"wrote training fixtures to {FIXTURES / 'train'}")
    size = sum(p.stat().st_size for p in FIXTURES.rglob("*.npz"))
    print(f"fixtures total {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
