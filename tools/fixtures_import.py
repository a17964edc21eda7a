"""Write the foreign-weights fixtures that tests/test_weights_*.py import and compare against.

    KERAS_BACKEND=torch python3 tools/fixtures_import.py     (torch 2.13, keras 3.15, h5py,
                                                              safetensors)
Only this script needs those packages; what it writes into tests/fixtures/import/ is committed.
Every weights file carries (or comes with a `<name>.reference.npz` holding) the input of one
run and the outputs the framework computed for it, under the names of lstm/weights/reference.py:
ids or x, h0 c0, outputs (T, H) the last layer's h, h_n c_n (L, H), logits (T, O).

    torch_char.{float64,float32}.npz    a char LM (embed, lstm 2 layers, fc) trained by torch
    torch_char.safetensors              the same in float32 (safetensors.torch.save_file), and
    torch_char.{float16,bfloat16}.safetensors  its weights rounded to half / bfloat16, with
                                        outputs torch computed from the rounded weights
    torch_char.vocab.json               its vocabulary (a JSON list); torch_char.pt its
                                        state_dict for `convert`; torch_lstm_module.pt a whole
                                        nn.LSTM module
    torch_word.npz, .vocab.json         pytorch/examples' word_language_model names
                                        (encoder, rnn, decoder); its vocabulary as {token: id}
    torch_bare.npz                      a bare nn.LSTM(bias=False) state_dict, vector inputs,
                                        a non-zero start state
    torch_two_lstms.npz, torch_bidirectional.npz, torch_proj.npz   for the refusals
    tf1_cells.npz                       TF1 MultiRNNCell of BasicLSTMCells under TF1's variable
                                        names (PTB tutorial layout). TensorFlow is not
                                        installed here: the outputs are computed with torch from
                                        TF1's BasicLSTMCell equations (i, j, f, o; forget_bias
                                        1.0 added at run time), written out below
    keras_char.{keras,weights.h5,h5}    Keras 3 (float32, sigmoid, 2 LSTMs) trained by fit()
    keras_hard64.keras                  Keras 3, float64, hard_sigmoid, weights scaled up so
                                        that the gates reach the clips
    keras2_hard.h5                      the tf.keras 2 `.h5` layout (see keras2_h5), written
                                        with h5py since Keras 3 cannot write Keras 2 files;
                                        float64, hard_sigmoid, outputs from Keras 3 running its
                                        LSTM with Keras 2's hard_sigmoid, clip(0.2 x + 0.5, 0, 1)
    keras2_weights.h5                   the Keras 2 save_weights layout (no config)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import h5py
import keras
import numpy as np
import torch
from safetensors.torch import save_file

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "import"
TEXT = "the cat sat on the mat. the dog sat on the log. "


class CharLM(torch.nn.Module):
    def __init__(self, V, E, H, L):
        super().__init__()
        self.embed = torch.nn.Embedding(V, E)
        self.lstm = torch.nn.LSTM(E, H, num_layers=L)
        self.fc = torch.nn.Linear(H, V)

    def forward(self, ids, state=None):
        out, state = self.lstm(self.embed(ids)[:, None], state)
        return out[:, 0], state, self.fc(out[:, 0])


def torch_reference(model, ids=None, x=None, h0=None, c0=None) -> dict:
    """The run's input and the outputs torch computes for it (no grad, the model's dtype)."""
    with torch.no_grad():
        inputs = model.embed(ids) if ids is not None else x
        lstm = model.lstm if hasattr(model, "lstm") else model
        state = None if h0 is None else (h0[:, None], c0[:, None])
        out, (h_n, c_n) = lstm(inputs[:, None], state)
        ref = {"outputs": out[:, 0], "h_n": h_n[:, 0], "c_n": c_n[:, 0]}
        if hasattr(model, "fc"):
            ref["logits"] = model.fc(out[:, 0])
    ref = {k: v.numpy() for k, v in ref.items()}
    if ids is not None:
        ref["ids"] = ids.numpy()
    else:
        ref["x"] = x.numpy()
    if h0 is not None:
        ref["h0"], ref["c0"] = h0.numpy(), c0.numpy()
    return ref


def arrays(module) -> dict:
    return {k: v.detach().numpy() for k, v in module.state_dict().items()}


def train_char_lm() -> tuple[CharLM, list[str]]:
    """A small char LM trained by torch for 150 Adam steps on TEXT."""
    torch.manual_seed(0)
    vocab = sorted(set(TEXT))
    ids = torch.tensor([vocab.index(ch) for ch in TEXT])
    model = CharLM(len(vocab), 5, 8, 2).double()
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        _, _, logits = model(ids[:-1])
        loss = torch.nn.functional.cross_entropy(logits, ids[1:])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"torch_char: final loss {loss.item():.3f}")
    return model, vocab


def write_torch() -> None:
    model, vocab = train_char_lm()
    ids = torch.tensor([vocab.index(ch) for ch in "the cat sat on the log."])
    np.savez(OUT / "torch_char.float64.npz", **arrays(model), **torch_reference(model, ids))
    m32 = CharLM(len(vocab), 5, 8, 2)
    m32.load_state_dict({k: v.float() for k, v in model.state_dict().items()})
    np.savez(OUT / "torch_char.float32.npz", **arrays(m32), **torch_reference(m32, ids))
    ref32 = {k: torch.from_numpy(v) for k, v in torch_reference(m32, ids).items()}
    save_file({**m32.state_dict(), **ref32}, OUT / "torch_char.safetensors")
    for name, dtype in (("float16", torch.float16), ("bfloat16", torch.bfloat16)):
        rounded = {k: v.to(dtype) for k, v in model.state_dict().items()}
        m = CharLM(len(vocab), 5, 8, 2).double()
        m.load_state_dict({k: v.double() for k, v in rounded.items()})
        ref = {k: torch.from_numpy(v) for k, v in torch_reference(m, ids).items()}
        save_file({**rounded, **ref}, OUT / f"torch_char.{name}.safetensors")
    (OUT / "torch_char.vocab.json").write_text(json.dumps(vocab))
    torch.save(m32.state_dict(), OUT / "torch_char.pt")

    torch.manual_seed(1)
    whole = torch.nn.LSTM(3, 4).double()
    torch.save(whole, OUT / "torch_lstm_module.pt")

    class WordLM(torch.nn.Module):  # pytorch/examples word_language_model's names
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Embedding(9, 6)
            self.rnn = torch.nn.LSTM(6, 6)
            self.decoder = torch.nn.Linear(6, 9)
            self.embed, self.lstm, self.fc = self.encoder, self.rnn, self.decoder

    torch.manual_seed(2)
    word = WordLM().double()
    words = ["<unk>", "the", "cat", "sat", "on", "mat", "dog", ".", "<eos>"]
    state = {k: v for k, v in arrays(word).items() if k.split(".")[0] in ("encoder", "rnn",
                                                                           "decoder")}
    ref = torch_reference(word, torch.tensor([1, 2, 3, 4, 1, 5, 7, 8]))
    np.savez(OUT / "torch_word.npz", **state, **ref)
    (OUT / "torch_word.vocab.json").write_text(json.dumps({w: j for j, w in enumerate(words)}))

    torch.manual_seed(3)
    bare = torch.nn.LSTM(3, 5, num_layers=2, bias=False).double()
    g = torch.Generator().manual_seed(4)
    x = torch.randn(12, 3, generator=g, dtype=torch.float64)
    h0 = torch.randn(2, 5, generator=g, dtype=torch.float64)
    c0 = torch.randn(2, 5, generator=g, dtype=torch.float64)
    np.savez(OUT / "torch_bare.npz", **arrays(bare), **torch_reference(bare, x=x, h0=h0, c0=c0))

    torch.manual_seed(5)
    two = {**{f"encoder.lstm.{k}": v for k, v in arrays(torch.nn.LSTM(3, 4)).items()},
           **{f"decoder.lstm.{k}": v for k, v in arrays(torch.nn.LSTM(4, 4)).items()}}
    np.savez(OUT / "torch_two_lstms.npz", **two)
    bi = arrays(torch.nn.LSTM(3, 4, bidirectional=True))
    np.savez(OUT / "torch_bidirectional.npz", **{f"lstm.{k}": v for k, v in bi.items()})
    proj = arrays(torch.nn.LSTM(3, 4, proj_size=2))
    np.savez(OUT / "torch_proj.npz", **{f"rnn.{k}": v for k, v in proj.items()})


def tf1_step(kernel, bias, x, h, c, forget_bias):
    """TF1 BasicLSTMCell.call: gates = [x, h] @ kernel + bias; i, j, f, o = split(gates, 4);
    c' = c * sigmoid(f + forget_bias) + sigmoid(i) * tanh(j); h' = tanh(c') * sigmoid(o)."""
    i, j, f, o = torch.split(torch.cat([x, h]) @ kernel + bias, kernel.shape[1] // 4)
    c = c * torch.sigmoid(f + forget_bias) + torch.sigmoid(i) * torch.tanh(j)
    return torch.tanh(c) * torch.sigmoid(o), c


def write_tf1() -> None:
    g = torch.Generator().manual_seed(6)
    V, E, H, L, T = 7, 3, 4, 2, 15
    names = "Model/RNN/multi_rnn_cell/cell_{}/basic_lstm_cell/{}:0"
    cells = []
    out = {"Model/embedding:0": torch.randn(V, E, generator=g, dtype=torch.float64)}
    for k in range(L):
        kernel = torch.randn((E if k == 0 else H) + H, 4 * H, generator=g, dtype=torch.float64)
        bias = 0.5 * torch.randn(4 * H, generator=g, dtype=torch.float64)
        out[names.format(k, "kernel")], out[names.format(k, "bias")] = kernel, bias
        cells.append((kernel, bias))
    out["Model/softmax_w:0"] = torch.randn(H, V, generator=g, dtype=torch.float64)
    out["Model/softmax_b:0"] = torch.randn(V, generator=g, dtype=torch.float64)
    ids = torch.randint(0, V, (T,), generator=g)
    hs = [torch.zeros(H, dtype=torch.float64) for _ in range(L)]
    cs = [torch.zeros(H, dtype=torch.float64) for _ in range(L)]
    outputs = []
    for t in range(T):
        x = out["Model/embedding:0"][ids[t]]
        for k, (kernel, bias) in enumerate(cells):
            hs[k], cs[k] = tf1_step(kernel, bias, x, hs[k], cs[k], forget_bias=1.0)
            x = hs[k]
        outputs.append(x)
    outputs = torch.stack(outputs)
    ref = {"ids": ids, "outputs": outputs, "h_n": torch.stack(hs), "c_n": torch.stack(cs),
           "logits": outputs @ out["Model/softmax_w:0"] + out["Model/softmax_b:0"]}
    np.savez(OUT / "tf1_cells.npz", **{k: v.numpy() for k, v in {**out, **ref}.items()})


def keras2_hard_sigmoid(x):
    """Keras 2's backend.hard_sigmoid: clip(0.2 x + 0.5, 0, 1)."""
    point_two = keras.ops.cast(0.2, x.dtype)  # as tf.keras 2: constants in x's dtype
    return keras.ops.clip(point_two * x + keras.ops.cast(0.5, x.dtype), 0.0, 1.0)


def keras_reference(model, ids: np.ndarray, recurrent_activation=None) -> dict:
    """The outputs Keras computes: each LSTM re-run with return_state on the same weights."""
    x = keras.ops.convert_to_tensor(ids[None], dtype="int32")
    ref = {"ids": ids}
    hs, cs = [], []
    for layer in model.layers:
        if isinstance(layer, keras.layers.LSTM):
            twin = keras.layers.LSTM(
                layer.units, return_sequences=True, return_state=True, dtype=layer.dtype,
                recurrent_activation=recurrent_activation or layer.recurrent_activation,
            )
            twin.build(x.shape)
            twin.set_weights(layer.get_weights())
            x, h, c = twin(x)  # backend tensors between layers: no rounding to float32
            hs.append(keras.ops.convert_to_numpy(h)[0])
            cs.append(keras.ops.convert_to_numpy(c)[0])
            ref["outputs"] = keras.ops.convert_to_numpy(x)[0]
        else:
            x = layer(x)
    ref.update(logits=keras.ops.convert_to_numpy(x)[0], h_n=np.stack(hs), c_n=np.stack(cs))
    return ref


def scaled(model, embedding: float, weights: float):
    """The model with its embedding and other weights multiplied, so the gates reach the
    hard sigmoid's clips (Keras's small initial values stay in its linear part)."""
    model.set_weights([w * (embedding if j == 0 else weights)
                       for j, w in enumerate(model.get_weights())])
    return model


def keras_model(V, E, U, layers, dtype, recurrent_activation="sigmoid"):
    model = keras.Sequential(
        [keras.Input((None,), dtype="int32"), keras.layers.Embedding(V, E, dtype=dtype)]
        + [keras.layers.LSTM(U, return_sequences=True, dtype=dtype,
                             recurrent_activation=recurrent_activation) for _ in range(layers)]
        + [keras.layers.Dense(V, dtype=dtype)]
    )
    return model


def write_keras() -> None:
    keras.utils.set_random_seed(7)
    vocab = sorted(set(TEXT))
    ids = np.array([vocab.index(ch) for ch in TEXT])
    model = keras_model(len(vocab), 4, 6, 2, "float32")
    model.compile(optimizer=keras.optimizers.Adam(0.02),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(ids[None, :-1], ids[None, 1:], epochs=60, verbose=0)
    print(f"keras_char: final loss {history.history['loss'][-1]:.3f}")
    probe = np.array([vocab.index(ch) for ch in "the dog sat on the mat."])
    ref = keras_reference(model, probe)
    np.testing.assert_allclose(ref["logits"], model.predict(probe[None], verbose=0)[0],
                               atol=1e-6)
    model.save(OUT / "keras_char.keras")
    model.save_weights(OUT / "keras_char.weights.h5")
    model.save(OUT / "keras_char.h5")  # Keras 3's legacy HDF5 writer (keras_version 3.x)
    np.savez(OUT / "keras_char.reference.npz", **ref)
    keras2_h5(OUT / "keras2_weights.h5", model, "2.2.5", with_config=False)
    np.savez(OUT / "keras2_weights.reference.npz", **ref)

    keras.utils.set_random_seed(8)
    hard = scaled(keras_model(7, 3, 5, 1, "float64", "hard_sigmoid"), 40.0, 3.0)
    probe = np.array([0, 3, 1, 6, 6, 2, 5, 4, 0, 1, 3, 3])
    ref = keras_reference(hard, probe)
    np.testing.assert_allclose(ref["logits"], hard.predict(probe[None], verbose=0)[0],
                               atol=1e-12)
    hard.save(OUT / "keras_hard64.keras")
    np.savez(OUT / "keras_hard64.reference.npz", **ref)

    keras.utils.set_random_seed(9)
    old = scaled(keras_model(6, 3, 4, 1, "float64", "hard_sigmoid"), 40.0, 3.0)
    probe = np.array([5, 0, 2, 2, 1, 4, 3, 0, 5, 1])
    ref = keras_reference(old, probe, recurrent_activation=keras2_hard_sigmoid)
    keras2_h5(OUT / "keras2_hard.h5", old, "2.4.0")
    np.savez(OUT / "keras2_hard.reference.npz", **ref)


def keras2_config(model) -> dict:
    """The model_config tf.keras 2.4 writes for a Sequential of Embedding, LSTM, Dense."""
    layers = []
    for layer in model.layers:
        config = {"name": layer.name, "trainable": True, "dtype": layer.dtype}
        if isinstance(layer, keras.layers.Embedding):
            config.update(input_dim=layer.input_dim, output_dim=layer.output_dim,
                          mask_zero=False, input_length=None)
        elif isinstance(layer, keras.layers.LSTM):
            config.update(return_sequences=layer.return_sequences, return_state=False,
                          go_backwards=False, stateful=False, unroll=False, time_major=False,
                          units=layer.units, activation="tanh",
                          recurrent_activation=keras.activations.serialize(
                              layer.recurrent_activation),
                          use_bias=True, unit_forget_bias=True, dropout=0.0,
                          recurrent_dropout=0.0, implementation=2)
        else:
            config.update(units=layer.units, activation="linear", use_bias=True)
        layers.append({"class_name": type(layer).__name__, "config": config})
    return {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}


def keras2_h5(path: Path, model, version: str, with_config: bool = True) -> None:
    """A file in tf.keras 2's HDF5 layout (tensorflow/python/keras/saving/hdf5_format.py):

    save_model_to_hdf5: root attrs keras_version and backend (str, so variable-length),
    model_config (json.dumps(...).encode('utf8'), so fixed-length bytes), then group
    model_weights. save_weights_to_hdf5_group: attrs layer_names (an array of utf-8 bytes),
    backend and keras_version (bytes); a group per layer with attr weight_names (bytes) and
    one dataset per weight at its weight name, e.g. lstm/lstm_cell/kernel:0 (the '/' makes
    subgroups). Without a config (save_weights), the weight groups sit at the root.
    """
    names = {"embedding": ["embeddings"], "lstm": ["lstm_cell/kernel",
             "lstm_cell/recurrent_kernel", "lstm_cell/bias"], "dense": ["kernel", "bias"]}
    with h5py.File(path, "w") as f:
        if with_config:
            f.attrs["keras_version"] = version
            f.attrs["backend"] = "tensorflow"
            f.attrs["model_config"] = json.dumps(keras2_config(model)).encode("utf8")
            group = f.create_group("model_weights")
        else:
            group = f
        layers = model.layers
        group.attrs["layer_names"] = np.array([layer.name.encode("utf8") for layer in layers])
        group.attrs["backend"] = b"tensorflow"
        group.attrs["keras_version"] = version.encode("utf8")
        for layer in sorted(layers, key=lambda layer: layer.name):
            g = group.create_group(layer.name)
            kind = layer.name.rstrip("_0123456789")
            weight_names = [f"{layer.name}/{w}:0" for w in names[kind]]
            g.attrs["weight_names"] = np.array([w.encode("utf8") for w in weight_names])
            for name, value in zip(weight_names, layer.get_weights(), strict=True):
                g.create_dataset(name, data=value)


if __name__ == "__main__":
    torch.set_num_threads(1)
    OUT.mkdir(parents=True, exist_ok=True)
    write_torch()
    write_tf1()
    write_keras()
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files to {OUT}, {total / 1e3:.0f} kB")
