"""PyTorch state_dicts: the nn.LSTM, its embedding and its linear head, found by name and shape.

A state_dict names each array after the module path that holds it, so the same LSTM comes as
`weight_ih_l0` (a bare nn.LSTM), `lstm.weight_ih_l0`, `rnn.`, `encoder.`, `model.lstm.`... Here:

- The LSTM is every `<prefix>weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}` under
  one prefix; two prefixes are two LSTMs, refused with their names unless `lstm` picks one.
  `bias=False` gives zero biases. Bidirectional (`..._reverse`) and `proj_size` (`weight_hr_l{k}`)
  LSTMs are refused: neither is one cell whose h feeds back into itself.
- The embedding is a module's `weight` (V, E) without a bias, E the LSTM's input size; the head
  a module's `weight` (O, H), H the hidden size, with or without `bias` (O,). Each is taken when
  its shape fits and its module is named like one (EMBEDDING_NAMES, HEAD_NAMES: the last part
  of the module path); more than one is refused with the names, unless `embedding` or `head`
  names the module ("none" for neither). A fitting array under another name is left out and
  said so, with the option that would take it.
"""

from __future__ import annotations

import re

import numpy as np

from .checks import WeightsError, expect, matrix_shape

LSTM_KEY = re.compile(
    r"(?P<prefix>(?:.*\.)?)(?P<kind>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)"
    r"_l(?P<layer>\d+)(?P<reverse>_reverse)?"
)
EMBEDDING_NAMES = ("embed", "embedding", "embeddings", "emb", "encoder", "wte", "tok_emb",
                   "token_embedding", "word_embeddings", "embed_tokens", "lookup")
HEAD_NAMES = ("fc", "head", "decoder", "linear", "out", "output", "proj", "classifier",
              "lm_head", "fc_out", "dense", "readout", "logits")


def lstm_groups(names) -> dict[str, list[re.Match]]:
    """The LSTM parameter names grouped by module prefix ("" for a bare nn.LSTM)."""
    groups: dict[str, list[re.Match]] = {}
    for name in names:
        m = LSTM_KEY.fullmatch(name)
        if m:
            groups.setdefault(m["prefix"], []).append(m)
    return groups


def module_prefix(option: str) -> str:
    """A module named by an option ("encoder.rnn", "encoder.rnn.") as a key prefix."""
    return option if option.endswith(".") or not option else option + "."


def pick_lstm(groups: dict, option: str | None) -> str:
    if option is not None:
        prefix = module_prefix(option)
        if prefix not in groups:
            found = ", ".join(repr(p.rstrip(".") or "(top level)") for p in groups)
            raise WeightsError(f"no LSTM named {option!r} in the file; it has {found}")
        return prefix
    if len(groups) > 1:
        found = ", ".join(repr(p.rstrip(".") or "(top level)") for p in sorted(groups))
        raise WeightsError(
            f"the file holds {len(groups)} LSTMs: {found}; choose one (lstm=NAME, --lstm NAME)",
            "lstm", tuple(p.rstrip(".") for p in sorted(groups)),
        )
    return next(iter(groups))


def lstm_params(arrays: dict, prefix: str, matches: list[re.Match]) -> dict:
    """weight_ih_l{k} ... bias_hh_l{k} under our names, every shape checked in the file's."""
    where = prefix.rstrip(".") or "the LSTM"
    if any(m["reverse"] for m in matches):
        raise WeightsError(
            f"{where} is bidirectional ({prefix}weight_ih_l0_reverse): it reads the text both "
            f"ways and its upper layers take both directions' h, so there is no single cell to "
            f"show; save the forward direction as an nn.LSTM of its own to see it"
        )
    if any(m["kind"] == "weight_hr" for m in matches):
        P = arrays[f"{prefix}weight_hr_l0"].shape[0] if f"{prefix}weight_hr_l0" in arrays else "P"
        raise WeightsError(
            f"{where} has proj_size={P} ({prefix}weight_hr_l0): it feeds back a projection of h "
            f"rather than h, and this visualizer's cell has no projection"
        )
    layers = sorted({int(m["layer"]) for m in matches})
    if layers != list(range(len(layers))):
        raise WeightsError(f"{where} has layers {layers}: expected 0 to {len(layers) - 1}")
    names = {m.string for m in matches}
    has_bias = f"{prefix}bias_ih_l0" in names
    params = {}
    rows, H = matrix_shape(f"{prefix}weight_hh_l0", arrays.get(f"{prefix}weight_hh_l0"), "(4H, H)")
    if rows != 4 * H:
        raise WeightsError(
            f"{prefix}weight_hh_l0 has shape {(rows, H)}, expected (4H, H) = {(4 * H, H)}"
        )
    for k in layers:
        needed = [f"weight_ih_l{k}", f"weight_hh_l{k}"]
        needed += [f"bias_ih_l{k}", f"bias_hh_l{k}"] if has_bias else []
        for name in needed:
            if prefix + name not in names:
                raise WeightsError(f"{where}: {prefix}{name} is missing (layer {k})")
        if not has_bias and f"{prefix}bias_ih_l{k}" in names:
            raise WeightsError(f"{where}: layer {k} has biases but layer 0 has none")
        ih = f"{prefix}weight_ih_l{k}"
        In = matrix_shape(ih, arrays[ih], "(4H, E)")[1] if k == 0 else H
        params[f"weight_ih_l{k}"] = expect(ih, arrays[ih], (4 * H, In),
                                           "(4H, E)" if k == 0 else "(4H, H)")
        hh = f"{prefix}weight_hh_l{k}"
        params[f"weight_hh_l{k}"] = expect(hh, arrays[hh], (4 * H, H), "(4H, H)")
        for b in ("bias_ih", "bias_hh"):
            key = f"{prefix}{b}_l{k}"
            params[f"{b}_l{k}"] = (expect(key, arrays[key], (4 * H,), "(4H,)") if has_bias
                                   else np.zeros(4 * H))
    return params


def _modules(arrays: dict, used: set) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """Every module with a 2-D `weight` not used yet: {module: (weight, bias or None)}."""
    out = {}
    for name, a in arrays.items():
        if name in used or not name.endswith("weight") or not isinstance(a, np.ndarray):
            continue
        module = name[: -len("weight")]
        if a.ndim == 2:
            out[module.rstrip(".")] = (a, arrays.get(module + "bias"))
    return out


def _choose(role: str, fits: list[str], names: tuple, option: str | None,
            modules: dict, shape: str, notes: list) -> str | None:
    """The module playing `role` among those whose shape fits, by option or by name."""
    if option is not None:
        if option == "none":
            return None
        chosen = option.removesuffix(".weight").rstrip(".")
        if chosen not in modules:
            raise WeightsError(f"no module {option!r} with a weight in the file (for the {role})")
        return chosen
    named = [m for m in fits if m.rsplit(".", 1)[-1].lower() in names]
    for m in fits:
        if m not in named:
            notes.append(
                f"{m}.weight {modules[m][0].shape} fits the {role} {shape} but is not named "
                f"like one: left out ({role}={m} would take it)"
            )
    if len(named) > 1:
        raise WeightsError(
            f"{len(named)} candidates for the {role}: {', '.join(named)}; choose one "
            f"({role}=NAME or none, --{role} NAME)", role, (*named, "none"),
        )
    return named[0] if named else None


def from_state_dict(arrays: dict, *, lstm: str | None = None, embedding: str | None = None,
                    head: str | None = None) -> tuple[dict, dict]:
    """Parameters under this project's names, and what was found where.

    arrays: the state_dict as NumPy arrays. Returns (params, info) where info holds
    "arrays" {our name: the file's name}, "ignored" (the file's names left unused), "notes".
    """
    groups = lstm_groups(arrays)
    if not groups:
        shown = ", ".join(list(arrays)[:8]) + (" ..." if len(arrays) > 8 else "")
        raise WeightsError(
            f"no LSTM weights found (expected names like lstm.weight_ih_l0); the file has {shown}"
        )
    prefix = pick_lstm(groups, lstm)
    params = lstm_params(arrays, prefix, groups[prefix])
    used = {m.string for m in groups[prefix]}
    sources = {ours: prefix + ours for ours in params if prefix + ours in used}
    notes = []
    E, H = params["weight_ih_l0"].shape[1], params["weight_hh_l0"].shape[1]
    modules = _modules(arrays, used)
    fits = [m for m, (w, b) in modules.items() if b is None and w.shape[1] == E]
    chosen = _choose("embedding", fits, EMBEDDING_NAMES, embedding, modules, "(V, E)", notes)
    if chosen is not None:
        name = f"{chosen}.weight"
        V = matrix_shape(name, arrays[name], "(V, E)")[0]
        params["embedding"] = expect(name, arrays[name], (V, E), "(V, E)")
        sources["embedding"] = name
        used.add(name)
        del modules[chosen]
    fits = [m for m, (w, _) in modules.items() if w.shape[1] == H]
    chosen = _choose("head", fits, HEAD_NAMES, head, modules, "(O, H)", notes)
    if chosen is not None:
        name, bias = f"{chosen}.weight", f"{chosen}.bias"
        n_out = matrix_shape(name, arrays[name], "(O, H)")[0]
        params["out_weight"] = expect(name, arrays[name], (n_out, H), "(O, H)")
        sources["out_weight"] = name
        used.add(name)
        if bias in arrays:
            params["out_bias"] = expect(bias, arrays[bias], (n_out,), "(O,)")
            sources["out_bias"] = bias
            used.add(bias)
        else:
            params["out_bias"] = np.zeros(n_out)
    if not has_biases(arrays, prefix):
        notes.append(f"{prefix.rstrip('.') or 'the LSTM'} has no biases (bias=False): zeros used")
    info = {"arrays": sources, "ignored": sorted(set(arrays) - used), "notes": notes}
    return params, info


def has_biases(arrays: dict, prefix: str) -> bool:
    return f"{prefix}bias_ih_l0" in arrays
