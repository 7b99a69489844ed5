"""The command line: draw the computational graph of a formula, with values and gradients.

    python -m viz "1/(1+exp(-x))" --at x=0.5 -o sigmoid.svg
    python -m viz "x*y + exp(x)" --at x=1 --at y=2 --frames out/frames    # also step by step
    python -m viz --at x=1 -- "-x*2"       # a formula starting with "-" goes after "--"

Prints a table of every input's value and gradient. Exit code 0 on success, 2 when the formula
or the arguments are refused (with a message pointing at the problem), 1 when dot is missing.

Read next: `formula.py`, which does the parsing (safely, without eval).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from .formula import VARIABLE, FormulaError, build
from .render import FORMATS, backward_frames, render


def main(argv: list[str] | None = None) -> int:
    """Run the command line with argv (default: sys.argv[1:]); returns the exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit:                     # argparse has printed its message
        return int(exit.code or 0)
    try:
        return _run(args)
    except (FormulaError, ValueError) as error:
        print(f"python -m viz: error: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:                  # Graphviz's dot is missing
        print(f"python -m viz: {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m viz", description="Draw the computational graph of a formula, "
        "with forward values, gradients and local partials.")
    parser.add_argument("formula", help='e.g. "1/(1+exp(-x))"; functions: exp, log, sigmoid, '
                        'tanh, relu, step. One starting with "-" goes last, after "--"')
    parser.add_argument("--at", action="append", default=[], metavar="NAME=NUMBER",
                        help="a variable's value (repeat, or separate with commas)")
    parser.add_argument("-o", "--output", default="out/formula.svg",
                        help="the picture to write: .svg, .png or .pdf (default: %(default)s)")
    parser.add_argument("--frames", metavar="DIR", help="also write the step-by-step frames")
    parser.add_argument("--no-grad", action="store_true", help="values only: no backward pass")
    parser.add_argument("--max-nodes", type=int, default=1000, help="refuse larger graphs")
    return parser


def _run(args: argparse.Namespace) -> int:
    output = Path(args.output)
    format = output.suffix.lstrip(".").lower()
    if format not in FORMATS:
        raise FormulaError(f"the output {output} must end in " + ", ".join("." + f for f in
                                                                            FORMATS))
    root, inputs = build(args.formula, parse_assignments(args.at))
    if not args.no_grad:
        root.backward()
    render(root, output, format=format, max_nodes=args.max_nodes)
    print(table(args.formula, root, inputs, show_grad=not args.no_grad))
    print(f"wrote {output}")
    if args.frames:
        frames = backward_frames(root, args.frames, max_nodes=min(args.max_nodes, 100))
        print(f"wrote {len(frames)} frames to {args.frames}/ ({frames[0].name} ... "
              f"{frames[-1].name})")
    return 0


def parse_assignments(texts: list[str]) -> dict[str, float]:
    """{"x": 0.5, ...} from ["x=0.5", "y=2,z=3"]; a FormulaError for anything else."""
    values: dict[str, float] = {}
    for item in (part.strip() for text in texts for part in text.split(",")):
        name, equals, number = item.partition("=")
        name = name.strip()
        if not equals or not VARIABLE.fullmatch(name) or name.startswith("_"):
            raise FormulaError(f"--at {item!r}: write NAME=NUMBER, e.g. --at x=0.5")
        if name in values:
            raise FormulaError(f"--at gives {name} twice")
        values[name] = _finite_number(name, number.strip())
    return values


def _finite_number(name: str, text: str) -> float:
    try:
        value = float(text) if len(text) <= 50 else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise FormulaError(f"--at {name}={text[:50]!r}: the value must be a finite number")
    return value


def table(formula: str, root, inputs: dict, show_grad: bool = True) -> str:
    """The formula's value, and each input's value and gradient, in aligned columns."""
    rows = [("input", "value", "gradient" if show_grad else "")]
    for name, leaf in inputs.items():
        rows.append((name, f"{leaf.data:.6g}", f"{leaf.grad:.6g}" if show_grad else ""))
    width = max(len(row[0]) for row in rows)
    lines = [f"{formula} = {root.data:.6g}"] if len(formula) <= 80 else [f"value = {root.data:.6g}"]
    lines += [f"  {a:<{width}}  {b:>12}  {c:>12}".rstrip() for a, b, c in rows]
    return "\n".join(lines)
