"""The command line: `python -m lstm <command> ...`.

    python -m lstm trace [MODEL.npz] --text TEXT [--npz PATH] [--csv PATH]
    python -m lstm trace --hidden 16 --embed 8 --layers 1 --seed 0 --text "hello"
    python -m lstm train --task brackets --hidden 16 --steps 1500 --lr 0.01 --seed 0
    python -m lstm explain [MODEL.npz] --text TEXT --step T --unit U [--layer K]
    python -m lstm trace MODEL.npz --text TEXT --clamp 0:11:f=1@10 [--clamp ...]
    python -m lstm grad MODEL.npz --text TEXT --unit 11 [--layer 0] [--step 20] --npz PATH
    python -m lstm features MODEL.npz --text TEXT [--regex PATTERN ...]
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
`explain` works out one unit's step (`analysis.equations`), steps and units counted from 0 as
`trace` prints them, and ends with one `name=value` line per number at full precision.
--clamp K:U:G=V@S holds gate G (i, f, g, o) of unit U in layer K at V from step S on and traces
everything after it again (`lstm.analysis.clamp`); the table and --npz are then the clamped run's.
`grad` writes what `trace --npz` writes plus `dc_l{K}` (T+1, H), row t column j the gradient
d c_T[U] / d c_t[j] within layer K (row T the one-hot of U), and `fprod_l{K}` (T+1,), the product
of U's forget gates after t; it prints both per step. `features` ranks every unit's h and c by
|Pearson r| with each feature of the model's task and each --regex (`lstm.analysis.features`).
Steps and units count from 0, as the table prints them.
MODEL may also be weights of another framework (`lstm.weights`: PyTorch state_dicts in .npz or
.safetensors, TF1 cells, Keras .keras/.h5); --lstm, --embedding, --head, --forget-bias,
--recurrent-activation and --reference go to its importer, and when the file carries reference
outputs the largest absolute difference from them is printed before the table.

Each command is an entry of COMMANDS: a function that adds its arguments to a parser and a
function that runs it and returns the exit code. Errors print one line to stderr and exit 2.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

import numpy as np

from .analysis.clamp import Clamp, clamped_trace
from .analysis.equations import GATE_WORDS, GATES, Equations, equations, term_text
from .analysis.features import rank_units, regex_feature, task_features
from .analysis.gradflow import GradError, cell_gradients, forget_product
from .files import atomic_output, check_writable
from .model import LSTM, MEMORY_LIMIT, trace_nbytes
from .modelfile import save_model
from .tokens import MODES, Vocab, open_embedding, show, tokenize, unknown_listing
from .tracefile import step_rows, trace_arrays, write_rows
from .train import add_train_arguments, run_train
from .weights import MAX_BYTES, WeightsError, load_weights, sniff

RANDOM_DEFAULTS = {"hidden": 16, "embed": 8, "layers": 1, "seed": 0}
RANDOM_LIMITS = {"hidden": 4096, "embed": 4096, "layers": 16}  # and MEMORY_LIMIT for the trace


NOTES: list[str] = []  # what a command noticed: printed once it has succeeded


def say_note(text: str) -> None:
    """A note for stderr, printed after the command's output; a failure prints only its one
    line, never notes that led up to it."""
    NOTES.append(f"note: {text}")


class CommandError(Exception):
    """A problem with the command line itself; printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors."""

    def error(self, message: str):
        raise CommandError(message)


def add_model_arguments(p: argparse.ArgumentParser) -> None:
    """The model (a file or a random one), the text and its tokenizer, the dtype."""
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
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="(float64)")
    add_import_arguments(p)


def add_trace_arguments(p: argparse.ArgumentParser) -> None:
    add_model_arguments(p)
    p.add_argument("--layer", type=int, help="layer shown in the table (default: the top one)")
    p.add_argument("--npz", metavar="PATH", help="write the whole trace to this NPZ file")
    p.add_argument("--csv", metavar="PATH", help="write the per-step values to this CSV")


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
    """The bytes of a file the user named, read no further than the size limit allows."""
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise CommandError(f"cannot read {path}: {e.strerror or e}") from None
    if len(data) > MAX_BYTES:
        raise CommandError(f"{path} is over the limit of {MAX_BYTES:,} bytes")
    return data


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
        say_note(note)
    if meta.get("vocabulary_from") == "code points" and getattr(args, "ids", None) is None:
        say_note("no vocabulary given: token id n is read as the character U+n "
                 "(--vocab FILE or --ids to change)")
    return model, meta


def parse_ids(text: str, model: LSTM) -> np.ndarray:
    """--ids "3,1,4" as token ids (T,), checked against the model's embedding."""
    if model.vocab_size is None:
        raise CommandError("--ids: this model reads vectors, not token ids (it has no embedding)")
    try:
        ids = [int(t) for t in text.replace(" ", "").split(",")]
    except ValueError:
        raise CommandError(f"--ids must be comma-separated integers, got {text!r}") from None
    bad = [j for j in ids if not 0 <= j < model.vocab_size]
    if bad:
        raise CommandError(f"--ids: {bad[0]} is outside the embedding's 0..{model.vocab_size - 1}")
    return np.array(ids, dtype=np.int64)


def parse_clamp(text: str) -> Clamp:
    """K:U:G=V@S as a Clamp (gate values and steps are checked against the model later)."""
    number = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
    m = re.fullmatch(rf"(\d+):(\d+):([ifgo])=({number})@(\d+)", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected K:U:G=V@S (layer:unit:gate=value@step, gate one of i, f, g, o), "
            f"e.g. 0:3:f=1@10")
    return Clamp(int(m.group(1)), int(m.group(2)), m.group(3), float(m.group(4)),
                 int(m.group(5)))


def add_clamp_arguments(p: argparse.ArgumentParser) -> None:
    """`trace`'s arguments and --clamp."""
    add_trace_arguments(p)
    p.add_argument("--clamp", type=parse_clamp, action="append", default=[],
                   metavar="K:U:G=V@S", help="hold gate G (i, f, g, o) of unit U in layer K at "
                   "V from step S on (repeatable)")


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


def model_and_ids(args) -> tuple[LSTM, dict, list[str], np.ndarray]:
    """The model, its meta ({} for a random model), the tokens and their ids, from a model
    file or a random model."""
    if args.text is not None and not args.text:
        raise CommandError("--text is empty")
    if args.seed is not None and args.seed < 0:
        raise CommandError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.model is None:
        if args.ids is not None:
            raise CommandError("--ids needs a model file")
        sizes = random_sizes(args)
        tokens = tokenize(args.text, args.tokenizer or "char")
        need = trace_nbytes(sizes["embed"], sizes["hidden"], sizes["layers"], len(tokens),
                            vocab_size=len(set(tokens)))
        check_memory(need, "a smaller --hidden, --embed, --layers")
        init = LSTM.random(sizes["embed"], sizes["hidden"], sizes["layers"], seed=sizes["seed"])
        vocab, table = open_embedding(tokens, sizes["embed"], sizes["seed"])
        model = LSTM({**init.params, "embedding": table}, dtype=args.dtype)
        return model, {}, tokens, vocab.encode(tokens)[0]
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
        return model, meta, [vocab[j] if vocab else str(j) for j in ids], ids
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
        model = LSTM({**model.params, "embedding": table}, dtype=args.dtype,
                     gate_activation=model.gate_activation)
    else:
        vocab = Vocab(meta["vocabulary"])
    ids, unknown = vocab.encode(tokens)
    if unknown:
        listed = unknown_listing(unknown)
        say_note(f"{len(unknown)} unknown token(s) read as <unk>: {listed}")
    return model, meta, tokens, ids


def print_table(rows: list[tuple], layer: int, units: int) -> None:
    """The rows of one layer under a header saying what the columns are."""
    print(f"layer {layer}: gate columns are means over its {units} units; |c|, |h|: vector norms")
    print(
        f"{'step':>6}  {'token':<12}"
        + "".join(f"{c:>9}" for c in ("mean i", "mean f", "mean g", "mean o", "|c|", "|h|"))
    )
    for t, token, k, *values in rows:
        if k == layer:
            print(f"{t:>6}  {short_token(token):<12}" + "".join(f"{v:>9.4f}" for v in values))


def short_token(token: str) -> str:
    """A token as a table column shows it: whitespace visible, at most 12 characters."""
    name = show(token)
    return name if len(name) <= 12 else name[:11] + "…"


def write_npz(path: str, model: LSTM, tokens: list[str], trace, extra: dict | None = None
              ) -> None:
    """The parameters, the tokens and every array of the trace (see the module doc), plus
    any `extra` arrays by name."""
    with atomic_output(path) as f:
        np.savez(f, **trace_arrays(model, tokens, trace, extra))


def write_csv(path: str, rows: list[tuple]) -> None:
    with atomic_output(path, "w", newline="", encoding="utf-8") as f:
        write_rows(f, rows)


def layer_of(args, model: LSTM) -> int:
    """--layer, checked against the model; the top layer when it is not given."""
    layer = model.num_layers - 1 if args.layer is None else args.layer
    if not 0 <= layer < model.num_layers:
        raise CommandError(f"--layer {layer}: the model has layers 0..{model.num_layers - 1}")
    return layer


def run_trace(args) -> int:
    for path in (args.npz, args.csv):
        if path is not None:
            check_writable(path)
    if args.npz is not None and args.npz == args.csv:
        raise CommandError(f"--npz and --csv both name {args.npz}: give each its own file")
    model, _, tokens, ids = model_and_ids(args)
    layer = layer_of(args, model)
    trace = model.trace(ids)
    if args.clamp:
        trace = clamped_trace(model, ids, trace, args.clamp)
        for clamp in args.clamp:
            print(f"clamped {clamp.describe()}")
    rows = step_rows(tokens, trace)
    if args.npz:
        write_npz(args.npz, model, tokens, trace)
    if args.csv:
        write_csv(args.csv, rows)
    print_table(rows, layer, model.hidden_size)
    return 0


def add_explain_arguments(p: argparse.ArgumentParser) -> None:
    add_model_arguments(p)
    p.add_argument("--step", type=int, required=True, help="the step, from 0 as trace prints it")
    p.add_argument("--unit", type=int, required=True, help="the unit, from 0")
    p.add_argument("--layer", type=int, help="the layer, from 0 (default: the top one)")


def worked_lines(eq: Equations) -> list[str]:
    """The worked equations of one unit's step, four decimals, as `explain` prints them."""
    H, u = eq.units, eq.unit
    x_name = {"embedding": f"the embedding of '{show(eq.token)}'", "input": "the input vector",
              "layer below": f"h_t of layer {eq.layer - 1}"}[eq.source]
    lines = [f"unit {u} of layer {eq.layer} at step {eq.t}, token '{show(eq.token)}' "
             "(steps, units and rows counted from 0)",
             f"x_t: {x_name} ({eq.inputs} numbers); h_t-1: the {H} units' h at "
             + (f"step {eq.t - 1}" if eq.t else "the start (h0)")]
    for k, a in enumerate(GATES):
        s, act = eq.gates[a], "tanh" if a == "g" else "σ"
        lines.append(f"{a} ({GATE_WORDS[a]}) = {act}(x part + h part + bias) = {act}("
                     f"{s.x_part:+.4f} + {s.h_part:+.4f} + {s.bias:+.4f}) = {act}({s.pre:+.4f})"
                     f" = {s.value:{'+' if a == 'g' else ''}.4f}")
        for part, name, terms in (("x part", "x_t", s.x_terms), ("h part", "h_t-1", s.h_terms)):
            w = "W_ih" if part == "x part" else "W_hh"
            listed = "; ".join(term_text(term, name[0]) for term in terms)
            lines.append(f"    {part} = {w}[{k * H + u}] · {name}; "
                         + (f"largest terms: {listed}" if terms else "every term is 0"))
    i, f, g, o = (eq.gates[a].value for a in GATES)
    lines.append(f"c = f·c_t-1 + i·g = {f:.4f} × {eq.c_prev:+.4f} + {i:.4f} × {g:+.4f}"
                 f" = {eq.c:+.4f}")
    lines.append(f"h = o·tanh(c) = {o:.4f} × tanh({eq.c:+.4f}) = {eq.h:+.4f}")
    return lines


def run_explain(args) -> int:
    model, _, tokens, ids = model_and_ids(args)
    layer = layer_of(args, model)
    if not 0 <= args.step < len(tokens):
        raise CommandError(f"--step {args.step}: the text has steps 0..{len(tokens) - 1}")
    if not 0 <= args.unit < model.hidden_size:
        raise CommandError(f"--unit {args.unit}: the model has units 0..{model.hidden_size - 1}")
    eq = equations(model, model.trace(ids), layer, args.unit, args.step, token=tokens[args.step])
    print("\n".join(worked_lines(eq)))
    print("\n".join(f"{name}={value!r}" for name, value in eq.quantities().items()))
    return 0


def add_grad_arguments(p: argparse.ArgumentParser) -> None:
    """`trace`'s arguments, --unit and --step."""
    add_trace_arguments(p)
    p.add_argument("--unit", type=int, required=True, help="U: the unit of c_T[U]")
    p.add_argument("--step", type=int, help="T: the step of c_T[U] (default: the last)")


def run_grad(args) -> int:
    model, _, tokens, ids = model_and_ids(args)
    layer = layer_of(args, model)
    trace = model.trace(ids)
    T = trace.steps - 1 if args.step is None else args.step
    try:
        dc = cell_gradients(model, trace, layer, args.unit, T)
    except GradError as e:  # its messages start with the layer, unit or step: name the flag
        raise CommandError(f"--{e}") from None
    fprod = forget_product(trace, layer, args.unit, T)
    if args.npz:
        write_npz(args.npz, model, tokens, trace, {f"dc_l{layer}": dc, f"fprod_l{layer}": fprod})
    if args.csv:
        write_csv(args.csv, step_rows(tokens, trace))
    U = args.unit
    print(f"layer {layer}: d c_{T}[{U}] / d c_t through every path; cell path = the product of "
          f"unit {U}'s forget gates after t; largest = the unit j with the largest |d/d c_t[j]|")
    print(f"{'step':>6}  {'token':<12}{'d/dc_t[U]':>12}{'cell path':>12}{'largest':>9}"
          f"{'d/dc_t[j]':>12}")
    for t in range(T + 1):
        j = int(np.argmax(np.abs(dc[t])))
        print(f"{t:>6}  {short_token(tokens[t]):<12}{dc[t, U]:>12.4g}{fprod[t]:>12.4g}"
              f"{j:>9}{dc[t, j]:>12.4g}")
    return 0


def add_features_arguments(p: argparse.ArgumentParser) -> None:
    """`trace`'s arguments, --regex and --top."""
    add_trace_arguments(p)
    p.add_argument("--regex", action="append", default=[], metavar="PATTERN",
                   help="a feature that is 1 on the steps inside a match (repeatable)")
    p.add_argument("--top", type=int, default=5, help="units listed per feature (5)")


def run_features(args) -> int:
    model, meta, tokens, ids = model_and_ids(args)
    if args.top < 1:
        raise CommandError(f"--top must be a positive integer, got {args.top}")
    features = task_features(meta.get("task"), tokens)
    mode = meta.get("tokenizer") or args.tokenizer or "char"
    text = args.text if args.text is not None else ("" if mode == "char" else " ").join(tokens)
    for pattern in args.regex:
        try:
            features.append(regex_feature(pattern, text, mode))
        except ValueError as e:
            raise CommandError(f"--regex {pattern!r}: {e}") from None
    if not features:
        whose = "a random model" if args.model is None else "this model"
        raise CommandError(f"{whose} has no task, so no task features: give --regex PATTERN")
    trace = model.trace(ids)
    ranked = rank_units(trace, features, args.top)
    if args.npz:
        write_npz(args.npz, model, tokens, trace, {f"feature_{f.name}": f.values
                                                   for f in features})
    if args.csv:
        write_csv(args.csv, step_rows(tokens, trace))
    for f, scores in zip(features, ranked, strict=True):
        print(f"{f.name}: {f.title}, over {len(tokens)} steps")
        if not scores:
            print("    the same at every step of this text: no correlation to rank")
        for n, s in enumerate(scores, start=1):
            print(f"  {n:>3}. layer {s.layer} unit {s.unit:<4} {s.quantity}  r = {s.r:+.4f}")
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
    source = meta.get("source", {}).get("format", "a model file of this app")
    print(f"wrote {args.target}: {model!r} from {source}{checked}")
    return 0


COMMANDS = {
    "trace": (
        "trace a text through a model file or a random model",
        add_clamp_arguments,
        run_trace,
    ),
    "train": (
        "train a model on a task and write its model file",
        add_train_arguments,
        run_train,
    ),
    "explain": (
        "work out one unit's step of a trace: every gate's parts, then c and h",
        add_explain_arguments,
        run_explain,
    ),
    "grad": (
        "d c_T[U] / d c_t for every earlier step and unit of a layer, and the forget product",
        add_grad_arguments,
        run_grad,
    ),
    "features": (
        "rank units by how well they follow the task's features and regular expressions",
        add_features_arguments,
        run_features,
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
    NOTES.clear()
    try:
        args = parser.parse_args(argv)
        check_text_arguments(args)
        code = args.run(args)
        for line in NOTES:
            print(line, file=sys.stderr)
        return code
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
