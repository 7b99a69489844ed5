"""The command line: draw the computational graph of a formula, with values and gradients.

    python -m viz "1/(1+exp(-x))" --at x=0.5 -o sigmoid.svg
    python -m viz "x*y + exp(x)" --at x=1 --at y=2 --frames out/frames    # also step by step
    python -m viz "-log(y)" --at y=0.7        # a formula may start with "-" (or go after "--")
    python -m viz "1/(1+exp(-x))" --at x=0.5 --html sigmoid.html     # the stepper page
    python -m viz "x*y" --at x=2,y=3 --html q.html --quiz --lang ja   # as a quiz, in Japanese

Prints a table of every input's value and gradient. Exit code 0 on success, 2 when the formula
or the arguments are refused or the drawing takes too long (with one short message pointing at
the problem), 1 when dot is missing. Messages show control characters from the input escaped.

Read next: `formula.py`, which does the parsing (safely, without eval).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from .formula import VARIABLE, FormulaError, build
from .labels import number, visible
from .render import DOT_TIMEOUT, FORMATS, RenderTimeout, backward_frames, render
from .stepper import stepper

PROGRAM = "python -m viz"
TAKES_VALUE = {"--at", "-o", "--output", "--frames", "--max-nodes", "--timeout", "--html",
               "--lang"}
DEFAULT_OUTPUT = "out/formula.svg"
MAX_NODES = {"picture": 1000, "page": 300}   # unless --max-nodes says otherwise
MAX_LINE = 300         # characters in one line of a message; longer lines are cut with "…"


class UsageError(ValueError):
    """Arguments that cannot work: a bad option, or an output that cannot be written."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line with argv (default: sys.argv[1:]); returns the exit code."""
    argv = formula_last(sys.argv[1:] if argv is None else list(argv))
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit:                     # --help, or a message printed by _Parser
        return int(exit.code or 0)
    try:
        return _run(args)
    except RenderTimeout:
        return _fail(f"drawing took longer than {args.timeout:g} s, so Graphviz's dot was "
                     f"stopped: try --no-partials, a smaller formula, or a larger --timeout")
    except OSError as error:
        return _fail(f"cannot write {error.filename or 'the picture'}: {error.strerror or error}")
    except (FormulaError, ValueError) as error:
        return _fail(str(error))
    except RuntimeError as error:                  # Graphviz's dot is missing
        say(f"{PROGRAM}: {error}")
        return 1


def say(message: str) -> None:
    """Print message to stderr, each line escaped (no control characters) and cut to MAX_LINE."""
    lines = [visible(line) for line in message.split("\n")]
    print("\n".join(line if len(line) <= MAX_LINE else line[:MAX_LINE - 1] + "…"
                    for line in lines), file=sys.stderr)


def _fail(message: str) -> int:
    say(f"{PROGRAM}: error: {message}")
    return 2


def formula_last(argv: list[str]) -> list[str]:
    """argv with a formula that starts with "-" ("-log(y)") moved after "--", so argparse reads
    it as the formula rather than as an unknown option."""
    for k, arg in enumerate(argv):
        if arg == "--":
            return argv
        if _looks_like_formula(arg) and (k == 0 or argv[k - 1] not in TAKES_VALUE):
            return argv[:k] + argv[k + 1:] + ["--", arg]
    return argv


def _looks_like_formula(arg: str) -> bool:
    """True for "-x", "-log(y)", "-2*x"; False for options: "--at", "-o", "-oout.svg", "-h"."""
    if not arg.startswith("-") or arg.startswith("--") or arg in ("-", "-h", "-o"):
        return False
    return not arg.startswith("-o") or any(char in arg for char in "()*/+- ^")


class _Parser(argparse.ArgumentParser):
    """argparse, with its complaints as one short, escaped line and exit code 2."""

    def error(self, message: str):
        say(f"{PROGRAM}: error: {message} (see {PROGRAM} --help)")
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROGRAM, description="Draw the computational graph of a formula, "
        "with forward values, gradients and local partials.")
    parser.add_argument("formula", help='e.g. "1/(1+exp(-x))" or "-log(y)"; functions: exp, '
                        'log, sigmoid, tanh, relu, step')
    parser.add_argument("--at", action="append", default=[], metavar="NAME=NUMBER",
                        help="a variable's value (repeat, or separate with commas)")
    parser.add_argument("-o", "--output",
                        help=f"the picture to write: .svg, .png or .pdf (default: "
                        f"{DEFAULT_OUTPUT}, unless --html is given)")
    parser.add_argument("--frames", metavar="DIR", help="also write the step-by-step frames")
    parser.add_argument("--html", metavar="PATH", help="write the stepper page: one .html file "
                        "that steps through backprop, explains each rule, and takes new inputs")
    parser.add_argument("--quiz", action="store_true",
                        help="with --html: open the page as a quiz (gradients hidden)")
    parser.add_argument("--lang", choices=("en", "ja"), help="with --html: the page's language")
    parser.add_argument("--no-grad", action="store_true", help="values only: no backward pass")
    parser.add_argument("--no-partials", action="store_true",
                        help="no local partials on the arrows (quicker for large graphs)")
    parser.add_argument("--max-nodes", type=int, help="refuse larger graphs (default: 1000 for "
                        "a picture, 300 for --html)")
    parser.add_argument("--timeout", type=_seconds, default=DOT_TIMEOUT, metavar="SECONDS",
                        help="stop Graphviz after this long (default: %(default)g)")
    return parser


def _seconds(text: str) -> float:
    """A positive, finite number of seconds, for --timeout."""
    try:
        seconds = float(text[:50])
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(f"{text[:50]!r}: give a positive number of seconds")
    return seconds


def _run(args: argparse.Namespace) -> int:
    output = Path(args.output or DEFAULT_OUTPUT) if args.output or not args.html else None
    page = _check_page_options(args)
    if output is not None:
        check_output(output, args.frames)
    format = output.suffix.lstrip(".").lower() if output else "svg"
    if format not in FORMATS:
        raise UsageError(f"the output {output} must end in " + ", ".join("." + f for f in
                                                                          FORMATS))
    root, inputs = build(args.formula, parse_assignments(args.at))
    if not args.no_grad:
        root.backward()
    options = dict(show_partials=not args.no_partials, timeout=args.timeout)
    if output is not None:
        render(root, output, format=format, max_nodes=_max_nodes(args, "picture"), **options)
    if page is not None:
        stepper(root, lang=args.lang or "en", quiz=args.quiz, max_nodes=_max_nodes(args, "page"),
                timeout=args.timeout).save(page)
    print(table(args.formula, root, inputs, show_grad=not args.no_grad))
    for written in (output, page):
        if written is not None:
            print(visible(f"wrote {written}"))
    if args.frames:
        frames = backward_frames(root, args.frames, max_nodes=min(_max_nodes(args, "picture"), 100),
                                 **options)
        print(visible(f"wrote {len(frames)} frames to {args.frames}/ ({frames[0].name} ... "
                      f"{frames[-1].name})"))
    return 0


def _max_nodes(args: argparse.Namespace, kind: str) -> int:
    return args.max_nodes if args.max_nodes is not None else MAX_NODES[kind]


def _check_page_options(args: argparse.Namespace) -> Path | None:
    """The stepper page's path (None without --html); a UsageError for options that need it."""
    if args.html is None:
        if args.quiz or args.lang:
            raise UsageError("--quiz and --lang are options of the stepper page: add --html PATH")
        return None
    page = Path(args.html)
    if page.is_dir() or page.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--html {page}: name a file ending in .html")
    _check_folder(page.parent, f"--html {page}")
    return page


def check_output(output: Path, frames: str | None) -> None:
    """A UsageError, before any work, when the picture or the frames cannot be written there."""
    if output.is_dir():
        raise UsageError(f"-o {output} is a folder: name a file ending in .svg, .png or .pdf")
    _check_folder(output.parent, f"-o {output}")
    if frames is not None:
        if Path(frames).exists() and not Path(frames).is_dir():
            raise UsageError(f"--frames {frames} is a file: name a folder (made if missing)")
        _check_folder(Path(frames), f"--frames {frames}")


def _check_folder(folder: Path, option: str) -> None:
    """A UsageError if folder, or the nearest part of it that exists, is not a folder."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{option}: {folder} is not a folder")


def parse_assignments(texts: list[str]) -> dict[str, float]:
    """{"x": 0.5, ...} from ["x=0.5", "y=2,z=3"]; a FormulaError for anything else."""
    values: dict[str, float] = {}
    for item in (part.strip() for text in texts for part in text.split(",")):
        name, equals, number = item.partition("=")
        name = name.strip()
        if not equals or not VARIABLE.fullmatch(name) or name.startswith("_"):
            raise FormulaError(f"--at {item[:50]!r}: write NAME=NUMBER, e.g. --at x=0.5")
        if name in values:
            raise FormulaError(f"--at gives {name[:50]} twice")
        values[name] = _finite_number(name, number.strip())
    return values


def _finite_number(name: str, text: str) -> float:
    try:
        value = float(text) if len(text) <= 50 else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise FormulaError(f"--at {name[:50]}={text[:50]!r}: the value must be a finite number")
    return value


def table(formula: str, root, inputs: dict, show_grad: bool = True) -> str:
    """The formula's value, and each input's value and gradient, in aligned columns.

    Numbers never show as "-0", and control characters in the formula show escaped.
    """
    rows = [("input", "value", "gradient" if show_grad else "")]
    for name, leaf in inputs.items():
        rows.append((name, number(leaf.data, 6), number(leaf.grad, 6) if show_grad else ""))
    width = max(len(row[0]) for row in rows)
    result = number(root.data, 6)
    shown = visible(formula)
    lines = [f"{shown} = {result}"] if len(shown) <= 80 else [f"value = {result}"]
    lines += [f"  {a:<{width}}  {b:>12}  {c:>12}".rstrip() for a, b, c in rows]
    return "\n".join(lines)
