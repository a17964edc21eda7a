"""The command line: `python -m lstm <command> ...`.

    python -m lstm trace [MODEL.npz] --text TEXT [--npz PATH] [--csv PATH]
    python -m lstm trace --hidden 16 --embed 8 --layers 1 --seed 0 --text "hello"
    python -m lstm train --task brackets --hidden 16 --steps 1500 --lr 0.01 --seed 0
    python -m lstm trace model.safetensors --vocab vocab.json --text "hello"  (or --ids 3,1,4)
    python -m lstm convert model.pt model.npz     (needs torch; any format lstm.weights reads)

`trace` prints one row per step (token, the mean of each gate over the units, the norms |c| and
|h|) for one layer. Errors name the flags (--hidden, not hidden_size), checked here before the
model's own checks would name its parameters.
--npz writes the whole trace: the parameters under their PyTorch names (and `embedding`,
`out_weight`, `out_bias` when present), `tokens` (T,) unicode, `x_l0` (T, E), and per layer k
`pre_l{k}` (T, 4H), `i_l{k} f_l{k} g_l{k} o_l{k} c_l{k} h_l{k}` (T, H); `logits` (T, O) with an
output layer. --csv writes the table's values for every layer, one row per step and layer.
A random model reads each distinct token through `tokens.open_embedding` (seeded by --seed).
MODEL may also be weights of another framework (`lstm.weights`: PyTorch state_dicts in .npz or
.safetensors, TF1 cells, Keras .keras/.h5); --lstm, --embedding, --head, --forget-bias,
--recurrent-activation and --reference go to its importer, and when the file carries reference
outputs the largest absolute difference from them is printed before the table.

Each command is an entry of COMMANDS: a function that adds its arguments to a parser and a
function that runs it and returns the exit code. Errors print one line to stderr and exit 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

import numpy as np

from .model import LSTM
from .modelfile import save_model
from .tokens import MODES, Vocab, open_embedding, show, tokenize, unknown_listing
from .train import add_train_arguments, run_train
from .weights import WeightsError, load_weights, sniff

RANDOM_DEFAULTS = {"hidden": 16, "embed": 8, "layers": 1, "seed": 0}
COLUMNS = ("step", "token", "layer", "mean_i", "mean_f", "mean_g", "mean_o", "norm_c", "norm_h")


class CommandError(Exception):
    """A problem with the command line itself; printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors."""

    def error(self, message: str):
        raise CommandError(message)


def add_trace_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", nargs="?", help="model or weights file; omit for a random model")
    given = p.add_mutually_exclusive_group(required=True)
    given.add_argument("--text", help="the sequence to trace")
    given.add_argument("--ids", help="token ids to trace instead of a text, e.g. 3,1,4")
    p.add_argument(
        "--tokenizer", choices=MODES, help="char or word (default: the model's, or char)"
    )
    p.add_argument(
        "--hidden", type=int, help=f"random model: hidden size H ({RANDOM_DEFAULTS['hidden']})"
    )
    p.add_argument(
        "--embed", type=int, help=f"random model: embedding size E ({RANDOM_DEFAULTS['embed']})"
    )
    p.add_argument(
        "--layers", type=int, help=f"random model: layers L ({RANDOM_DEFAULTS['layers']})"
    )
    p.add_argument("--seed", type=int, help=f"random model: seed ({RANDOM_DEFAULTS['seed']})")
    p.add_argument("--layer", type=int, help="layer shown in the table (default: the top one)")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="(float64)")
    p.add_argument("--npz", metavar="PATH", help="write the whole trace to this NPZ file")
    p.add_argument("--csv", metavar="PATH", help="write the per-step values to this CSV")
    add_import_arguments(p)


def add_import_arguments(p: argparse.ArgumentParser) -> None:
    """The options of `lstm.weights.load_weights`, for weights of another framework."""
    p.add_argument("--vocab", metavar="FILE", help="vocabulary: a JSON list or {token: id} map")
    p.add_argument("--lstm", metavar="NAME", help="which LSTM of the file (its module name)")
    p.add_argument("--embedding", metavar="NAME", help="the embedding's module, or none")
    p.add_argument("--head", metavar="NAME", help="the output layer's module, or none")
    p.add_argument("--forget-bias", type=float, help="TF1 cells: the forget_bias they ran with")
    p.add_argument("--recurrent-activation", metavar="NAME",
                   help="Keras: sigmoid, hard_sigmoid, hard_sigmoid_keras2 or hard_sigmoid_keras3")
    p.add_argument("--reference", metavar="FILE", help="an .npz of reference outputs to compare")


def read_file(path: str | None) -> bytes | None:
    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise CommandError(f"cannot read {path}: {e.strerror or e}") from None


def load_any(args, data: bytes | None = None) -> tuple[LSTM, dict]:
    """The model and meta of args.model (or of `data`, the arrays read from it), in any format
    `lstm.weights` reads; notes on stderr say what it guessed."""
    options = {k: getattr(args, k) for k in ("lstm", "embedding", "head", "forget_bias",
                                             "recurrent_activation")}
    model, meta = load_weights(
        Path(args.model).name, read_file(args.model) if data is None else data,
        dtype=args.dtype, vocab=read_file(args.vocab), reference=read_file(args.reference),
        **{k: v for k, v in options.items() if v is not None},
    )
    for note in meta.get("source", {}).get("notes", []):
        print(f"note: {note}", file=sys.stderr)
    if meta.get("vocabulary_from") == "code points" and getattr(args, "ids", None) is None:
        print("note: no vocabulary given: token id n is read as the character U+n "
              "(--vocab FILE or --ids to change)", file=sys.stderr)
    return model, meta


def parse_ids(text: str, model: LSTM) -> np.ndarray:
    """--ids "3,1,4" as token ids (T,), checked against the model's embedding."""
    if model.vocab_size is None:
        raise CommandError("--ids: this model reads vectors, not token ids (it has no embedding)")
    try:
        ids = np.array([int(t) for t in text.replace(" ", "").split(",")], dtype=np.int64)
    except ValueError:
        raise CommandError(f"--ids must be comma-separated integers, got {text!r}") from None
    bad = (ids < 0) | (ids >= model.vocab_size)
    if bad.any():
        raise CommandError(
            f"--ids: {int(ids[bad][0])} is outside the embedding's 0..{model.vocab_size - 1}"
        )
    return ids


def random_sizes(args) -> dict[str, int]:
    """--hidden, --embed, --layers and --seed of a random model, defaults filled in, the sizes
    checked (--seed is checked for any model)."""
    sizes = dict(RANDOM_DEFAULTS)
    sizes.update({k: getattr(args, k) for k in RANDOM_DEFAULTS if getattr(args, k) is not None})
    for flag in ("hidden", "embed", "layers"):
        if sizes[flag] < 1:
            raise CommandError(f"--{flag} must be a positive integer, got {sizes[flag]}")
    return sizes


def model_and_ids(args) -> tuple[LSTM, list[str], np.ndarray]:
    """The model, the tokens and their ids for `trace`, from a model file or a random model."""
    if args.text is not None and not args.text:
        raise CommandError("--text is empty")
    if args.seed is not None and args.seed < 0:
        raise CommandError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.model is None:
        if args.ids is not None:
            raise CommandError("--ids needs a model file")
        sizes = random_sizes(args)
        tokens = tokenize(args.text, args.tokenizer or "char")
        init = LSTM.random(sizes["embed"], sizes["hidden"], sizes["layers"], seed=sizes["seed"])
        vocab, table = open_embedding(tokens, sizes["embed"], sizes["seed"])
        model = LSTM({**init.params, "embedding": table}, dtype=args.dtype)
        return model, tokens, vocab.encode(tokens)[0]
    given = [f"--{k}" for k in ("hidden", "embed", "layers") if getattr(args, k) is not None]
    if given:
        raise CommandError(f"{', '.join(given)}: only for a random model, not with a model file")
    model, meta = load_any(args)
    if "parity" in meta:
        p = meta["parity"]
        print(f"reference: largest absolute difference {p['max_abs_diff']:.3g} over "
              f"{p['steps']} steps ({', '.join(p['by_array'])})")
    if args.ids is not None:
        ids = parse_ids(args.ids, model)
        vocab = meta["vocabulary"] if meta.get("vocabulary_from", "file") == "file" else []
        return model, [vocab[j] if vocab else str(j) for j in ids], ids
    mode = meta["tokenizer"]
    if args.tokenizer not in (None, mode):
        raise CommandError(f"this model reads {mode} tokens, not {args.tokenizer} tokens")
    tokens = tokenize(args.text, mode)
    if model.vocab_size is None:
        seed = meta.get("seed", 0) if args.seed is None else args.seed
        _, table = open_embedding(tokens, model.input_size, seed)
        vocab = Vocab.of(tokens)
        model = LSTM({**model.params, "embedding": table}, dtype=args.dtype,
                     gate_activation=model.gate_activation)
    else:
        vocab = Vocab(meta["vocabulary"])
    ids, unknown = vocab.encode(tokens)
    if unknown:
        listed = unknown_listing(unknown)
        print(f"note: {len(unknown)} unknown token(s) read as <unk>: {listed}", file=sys.stderr)
    return model, tokens, ids


def step_rows(tokens: list[str], trace) -> list[tuple]:
    """One row per step and layer: step, token, layer, the gate means, |c| and |h|."""
    rows = []
    for k, layer in enumerate(trace.layers):
        means = [getattr(layer, g).mean(axis=1) for g in "ifgo"]
        norms = [np.linalg.norm(layer.c, axis=1), np.linalg.norm(layer.h, axis=1)]
        for t, token in enumerate(tokens):
            rows.append((t, token, k, *(float(v[t]) for v in means + norms)))
    rows.sort(key=lambda row: (row[0], row[2]))
    return rows


def print_table(rows: list[tuple], layer: int, units: int) -> None:
    """The rows of one layer under a header saying what the columns are."""
    print(f"layer {layer}: gate columns are means over its {units} units; |c|, |h|: vector norms")
    print(
        f"{'step':>6}  {'token':<12}"
        + "".join(f"{c:>9}" for c in ("mean i", "mean f", "mean g", "mean o", "|c|", "|h|"))
    )
    for t, token, k, *values in rows:
        if k == layer:
            name = show(token)
            name = name if len(name) <= 12 else name[:11] + "…"
            print(f"{t:>6}  {name:<12}" + "".join(f"{v:>9.4f}" for v in values))


def write_npz(path: str, model: LSTM, tokens: list[str], trace) -> None:
    arrays = dict(model.params)
    arrays["tokens"] = np.array(tokens, dtype=str)
    arrays["x_l0"] = trace.layers[0].x
    for k, layer in enumerate(trace.layers):
        for name in ("pre", "i", "f", "g", "o", "c", "h"):
            arrays[f"{name}_l{k}"] = getattr(layer, name)
    if trace.logits is not None:
        arrays["logits"] = trace.logits
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def write_csv(path: str, rows: list[tuple]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        out.writerows(row[:3] + tuple(f"{v:.9g}" for v in row[3:]) for row in rows)


def run_trace(args) -> int:
    model, tokens, ids = model_and_ids(args)
    layer = model.num_layers - 1 if args.layer is None else args.layer
    if not 0 <= layer < model.num_layers:
        raise CommandError(f"--layer {layer}: the model has layers 0..{model.num_layers - 1}")
    trace = model.trace(ids)
    rows = step_rows(tokens, trace)
    if args.npz:
        write_npz(args.npz, model, tokens, trace)
    if args.csv:
        write_csv(args.csv, rows)
    print_table(rows, layer, model.hidden_size)
    return 0


def add_convert_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", help="a .pt/.pth file (needs torch), or any file trace reads")
    p.add_argument("target", help="the model file to write (.npz)")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="(float64)")
    p.add_argument("--unsafe-pickle", action="store_true",
                   help="allow a whole-module .pt: unpickling it runs code from the file")
    add_import_arguments(p)


def pt_arrays(path: str, unsafe: bool) -> bytes:
    """A .pt/.pth state_dict (or whole module) as the bytes of an .npz of its tensors."""
    try:
        import torch
    except ImportError:
        raise CommandError("convert needs torch to read a .pt file: pip install torch") from None
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=not unsafe)
    except Exception as e:  # torch raises many kinds; one line is what the user needs
        why = re.sub(r"\x1b\[[0-9;]*m", "", str(e).strip().splitlines()[0])  # no terminal codes
        hint = "" if unsafe else " (a whole module needs --unsafe-pickle, if you trust the file)"
        raise CommandError(f"torch cannot load {path}: {why}{hint}") from None
    if isinstance(loaded, torch.nn.Module):
        loaded = loaded.state_dict()
    for key in ("state_dict", "model_state_dict", "model"):
        if isinstance(loaded, dict) and isinstance(loaded.get(key), dict):
            loaded = loaded[key]
    tensors = {k: v for k, v in loaded.items() if isinstance(v, torch.Tensor)} if isinstance(
        loaded, dict) else {}
    if not tensors:
        raise CommandError(f"{path} holds no tensors (expected a state_dict or an nn.Module)")
    arrays = {k: (v.float() if v.dtype == torch.bfloat16 else v).detach().cpu().numpy()
              for k, v in tensors.items()}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def run_convert(args) -> int:
    args.model, args.ids = args.source, None
    data = read_file(args.source)
    try:
        pickled = sniff(args.source, data) == "torch-pickle"
    except WeightsError:
        pickled = False  # load_any says what the file is not
    if pickled:
        data = pt_arrays(args.source, args.unsafe_pickle)
    model, meta = load_any(args, data)
    save_model(args.target, model, meta)
    parity = meta.get("parity")
    checked = "" if parity is None else f"; reference max abs diff {parity['max_abs_diff']:.3g}"
    print(f"wrote {args.target}: {model!r} from {meta['source']['format']}{checked}")
    return 0


COMMANDS = {
    "trace": (
        "trace a text through a model file or a random model",
        add_trace_arguments,
        run_trace,
    ),
    "train": (
        "train a model on a task and write its model file",
        add_train_arguments,
        run_train,
    ),
    "convert": (
        "convert weights of another framework (.pt, .safetensors, .keras, .h5...) to a model file",
        add_convert_arguments,
        run_convert,
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m lstm", description="The LSTM Gates Visualizer's command line.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name, (help_text, add_arguments, run) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        add_arguments(sub)
        sub.set_defaults(run=run)
    try:
        args = parser.parse_args(argv)
        return args.run(args)
    except (CommandError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        sys.stderr.close()
        return 0
    except OSError as e:
        print(f"error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
    return 2
