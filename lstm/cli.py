"""The command line: `python -m lstm <command> ...`.

    python -m lstm trace [MODEL.npz] --text TEXT [--npz PATH] [--csv PATH]
    python -m lstm trace --hidden 16 --embed 8 --layers 1 --seed 0 --text "hello"
    python -m lstm train --task brackets --hidden 16 --steps 1500 --lr 0.01 --seed 0

`trace` prints one row per step (token, the mean of each gate over the units, the norms |c| and
|h|) for one layer. Errors name the flags (--hidden, not hidden_size), checked here before the
model's own checks would name its parameters.
--npz writes the whole trace: the parameters under their PyTorch names (and `embedding`,
`out_weight`, `out_bias` when present), `tokens` (T,) unicode, `x_l0` (T, E), and per layer k
`pre_l{k}` (T, 4H), `i_l{k} f_l{k} g_l{k} o_l{k} c_l{k} h_l{k}` (T, H); `logits` (T, O) with an
output layer. --csv writes the table's values for every layer, one row per step and layer.
A random model reads each distinct token through `tokens.open_embedding` (seeded by --seed).

Each command is an entry of COMMANDS: a function that adds its arguments to a parser and a
function that runs it and returns the exit code. Errors print one line to stderr and exit 2.
"""

from __future__ import annotations

import argparse
import csv
import sys

import numpy as np

from .files import atomic_output, check_writable
from .model import LSTM, MEMORY_LIMIT, trace_nbytes
from .modelfile import load_model
from .tokens import MODES, Vocab, open_embedding, show, tokenize, unknown_listing
from .train import add_train_arguments, run_train

RANDOM_DEFAULTS = {"hidden": 16, "embed": 8, "layers": 1, "seed": 0}
RANDOM_LIMITS = {"hidden": 4096, "embed": 4096, "layers": 16}  # and MEMORY_LIMIT for the trace
COLUMNS = ("step", "token", "layer", "mean_i", "mean_f", "mean_g", "mean_o", "norm_c", "norm_h")


class CommandError(Exception):
    """A problem with the command line itself; printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors."""

    def error(self, message: str):
        raise CommandError(message)


def add_trace_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", nargs="?", help="model file (.npz); omit for a random model")
    p.add_argument("--text", required=True, help="the sequence to trace")
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


def random_sizes(args) -> dict[str, int]:
    """--hidden, --embed, --layers and --seed of a random model, defaults filled in, the sizes
    checked (--seed is checked for any model)."""
    sizes = dict(RANDOM_DEFAULTS)
    sizes.update({k: getattr(args, k) for k in RANDOM_DEFAULTS if getattr(args, k) is not None})
    for flag, most in RANDOM_LIMITS.items():
        if sizes[flag] < 1:
            raise CommandError(f"--{flag} must be a positive integer, got {sizes[flag]}")
        if sizes[flag] > most:
            raise CommandError(f"--{flag} must be at most {most:,}, got {sizes[flag]:,}")
    return sizes


def check_memory(need: int, sizes: str) -> None:
    """Refuse a trace that would take more than MEMORY_LIMIT bytes, before allocating it."""
    if need > MEMORY_LIMIT:
        raise CommandError(
            f"this trace would take about {need / 2**30:,.1f} GiB, more than the "
            f"{MEMORY_LIMIT / 2**30:.0f} GiB limit: use {sizes} or a shorter --text"
        )


def check_text_arguments(args: argparse.Namespace) -> None:
    """Refuse an argument holding undecodable bytes (surrogate escapes from argv), naming it."""
    for name, value in vars(args).items():
        if not isinstance(value, str):
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            flag = name.upper() if name == "model" else f"--{name.replace('_', '-')}"
            byte = ord(value[e.start]) - 0xDC00
            raise CommandError(f"{flag} is not valid text: byte 0x{byte:02x} at character "
                               f"{e.start} is not UTF-8") from None


def model_and_ids(args) -> tuple[LSTM, list[str], np.ndarray]:
    """The model, the tokens and their ids for `trace`, from a model file or a random model."""
    if not args.text:
        raise CommandError("--text is empty")
    if args.seed is not None and args.seed < 0:
        raise CommandError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.model is None:
        sizes = random_sizes(args)
        tokens = tokenize(args.text, args.tokenizer or "char")
        need = trace_nbytes(sizes["embed"], sizes["hidden"], sizes["layers"], len(tokens),
                            vocab_size=len(set(tokens)))
        check_memory(need, "a smaller --hidden, --embed, --layers")
        init = LSTM.random(sizes["embed"], sizes["hidden"], sizes["layers"], seed=sizes["seed"])
        vocab, table = open_embedding(tokens, sizes["embed"], sizes["seed"])
        model = LSTM({**init.params, "embedding": table}, dtype=args.dtype)
        return model, tokens, vocab.encode(tokens)[0]
    given = [f"--{k}" for k in ("hidden", "embed", "layers") if getattr(args, k) is not None]
    if given:
        raise CommandError(f"{', '.join(given)}: only for a random model, not with a model file")
    model, meta = load_model(args.model, dtype=args.dtype)
    mode = meta["tokenizer"]
    if args.tokenizer not in (None, mode):
        raise CommandError(f"this model reads {mode} tokens, not {args.tokenizer} tokens")
    tokens = tokenize(args.text, mode)
    check_memory(trace_nbytes(model.input_size, model.hidden_size, model.num_layers, len(tokens),
                              model.vocab_size or len(set(tokens)), model.output_size or 0,
                              np.dtype(model.dtype).itemsize), "a smaller model")
    if model.vocab_size is None:
        seed = meta.get("seed", 0) if args.seed is None else args.seed
        _, table = open_embedding(tokens, model.input_size, seed)
        vocab = Vocab.of(tokens)
        model = LSTM({**model.params, "embedding": table}, dtype=args.dtype)
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
    with atomic_output(path) as f:
        np.savez(f, **arrays)


def write_csv(path: str, rows: list[tuple]) -> None:
    with atomic_output(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        out.writerows(row[:3] + tuple(f"{v:.9g}" for v in row[3:]) for row in rows)


def run_trace(args) -> int:
    for path in (args.npz, args.csv):
        if path:
            check_writable(path)
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
        check_text_arguments(args)
        return args.run(args)
    except (CommandError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
    except MemoryError:
        print("error: out of memory: try smaller sizes or a shorter text", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        sys.stderr.close()
        return 0
    except OSError as e:
        print(f"error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
    return 2
