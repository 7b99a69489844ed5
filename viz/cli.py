"""The command line: draw the computational graph of a formula, with values and gradients.

    python -m viz "1/(1+exp(-x))" --at x=0.5 -o sigmoid.svg
    python -m viz "x*y + exp(x)" --at x=1 --at y=2 --frames out/frames    # also step by step
    python -m viz "-log(y)" --at y=0.7        # a formula may start with "-" (or go after "--")
    python -m viz "1/(1+exp(-x))" --at x=0.5 --html sigmoid.html     # the stepper page
    python -m viz "x*y" --at x=2,y=3 --html q.html --quiz --lang ja   # as a quiz, in Japanese
    python -m viz "重み*x+バイアス" --at 重み=0.5,x=2,バイアス=1 --lang ja  # names, table in Japanese

Prints a table of every input's value and gradient. --lang ja puts the table, the messages,
the page and (where the drawing supports it) the picture in Japanese; the words are in
CLI_TEXT in labels.py. Exit code 0 on success, 2 when the formula
or the arguments are refused or the drawing takes too long (with one short message pointing at
the problem), 1 when dot is missing. Messages show control characters from the input escaped.

Read next: `formula.py`, which does the parsing (safely, without eval).
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
from pathlib import Path

from .formula import (FUNCTIONS, FormulaError, Phrase, Refusal, build, display_width,
                      variable_name)
from .labels import CLI_TEXT, number, visible
from .render import DOT_TIMEOUT, FORMATS, RenderTimeout, backward_frames, render
from .stepper import stepper

PROGRAM = "python -m viz"
TAKES_VALUE = {"--at", "-o", "--output", "--frames", "--max-nodes", "--timeout", "--html",
               "--lang"}
DEFAULT_OUTPUT = "out/formula.svg"
MAX_NODES = {"picture": 1000, "page": 300}   # unless --max-nodes says otherwise
MAX_LINE = 300         # characters in one line of a message; longer lines are cut with "…"


class UsageError(Refusal):
    """Arguments that cannot work: a bad option, or an output that cannot be written."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line with argv (default: sys.argv[1:]); returns the exit code."""
    argv = formula_last(sys.argv[1:] if argv is None else list(argv))
    lang = language(argv)
    try:
        args = _parser(lang).parse_args(argv)
    except SystemExit as exit:                     # --help, or a message printed by _Parser
        return int(exit.code or 0)
    try:
        return _run(args, lang)
    except RenderTimeout:
        return _fail(Phrase("timeout", seconds=f"{args.timeout:g}").text(lang), lang)
    except OSError as error:
        file = error.filename or Phrase("the picture")
        return _fail(Phrase("cannot write", file=file, reason=error.strerror or error).text(lang),
                     lang)
    except Refusal as error:
        return _fail(error.text(lang), lang)
    except ValueError as error:                    # from the drawing, e.g. too many nodes
        return _fail(str(error), lang)
    except RuntimeError as error:                  # Graphviz's dot is missing
        say(f"{PROGRAM}: {error}")
        return 1


def language(argv: list[str]) -> str:
    """The language asked for with --lang ja (or --lang=ja) anywhere before "--"; else "en".

    Read before argparse runs, so that argparse's complaints are framed in that language too.
    """
    for arg, after in zip(argv, argv[1:] + [""]):
        if arg == "--":
            break
        value = after if arg == "--lang" else arg.partition("=")[2]
        if arg.startswith("--lang") and value in CLI_TEXT:
            return value
    return "en"


def say(message: str) -> None:
    """Print message to stderr, each line escaped (no control characters) and cut to MAX_LINE."""
    lines = [visible(line) for line in message.split("\n")]
    show("\n".join(line if len(line) <= MAX_LINE else line[:MAX_LINE - 1] + "…"
                   for line in lines), sys.stderr)


def show(text: str, stream=None) -> None:
    """Print text to stream (stdout by default); a character the stream's encoding cannot
    write (重 on a Latin-1 terminal) is shown as its escape (\\u91cd) rather than failing."""
    stream = stream or sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    print(text.encode(encoding, "backslashreplace").decode(encoding), file=stream)


def _fail(message: str, lang: str = "en") -> int:
    say(Phrase("error", program=PROGRAM, message=message).text(lang))
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
    """argparse, with its complaints as one short, escaped line and exit code 2.

    argparse's own words stay English; the frame around them is in the chosen language.
    """

    lang = "en"

    def error(self, message: str):
        said = Phrase("see help", message=message, program=PROGRAM)
        _fail(said.text(self.lang), self.lang)
        raise SystemExit(2)

    def _print_message(self, message: str, file=None) -> None:
        if message:                            # --help: through `show`, like everything else
            show(message.rstrip("\n"), file)


class _Help(argparse.HelpFormatter):
    """argparse's help layout, with the word before the usage line in the chosen language."""

    def __init__(self, prog: str, usage: str = "usage: ") -> None:
        super().__init__(prog)
        self.usage_word = usage

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, prefix or self.usage_word)


def _parser(lang: str = "en") -> argparse.ArgumentParser:
    text = CLI_TEXT[lang]
    parser = _Parser(prog=PROGRAM, description=text["help description"], add_help=False,
                     formatter_class=functools.partial(_Help, usage=text["help usage"]))
    parser._positionals.title = text["help positionals"]     # argparse's headings, translated
    parser._optionals.title = text["help options"]
    parser.add_argument("-h", "--help", action="help", help=text["help help"])
    parser.add_argument("formula", help=text["help formula"].format(
        functions=", ".join(FUNCTIONS)))
    parser.add_argument("--at", action="append", default=[], metavar="NAME=NUMBER",
                        help=text["help at"])
    parser.add_argument("-o", "--output", help=text["help output"].format(default=DEFAULT_OUTPUT))
    parser.add_argument("--frames", metavar="DIR", help=text["help frames"])
    parser.add_argument("--html", metavar="PATH", help=text["help html"])
    parser.add_argument("--quiz", action="store_true", help=text["help quiz"])
    parser.add_argument("--lang", choices=tuple(CLI_TEXT), help=text["help lang"])
    parser.add_argument("--no-grad", action="store_true", help=text["help no grad"])
    parser.add_argument("--no-partials", action="store_true", help=text["help no partials"])
    parser.add_argument("--collapse", action="store_true", help=text["help collapse"])
    parser.add_argument("--rules", action="store_true", help=text["help rules"])
    parser.add_argument("--max-nodes", type=int, help=text["help max nodes"])
    parser.add_argument("--timeout", type=functools.partial(_seconds, lang=lang),
                        default=DOT_TIMEOUT, metavar="SECONDS",
                        help=text["help timeout"].format(default=DOT_TIMEOUT))
    parser.lang = lang
    return parser


def _seconds(text: str, lang: str = "en") -> float:
    """A positive, finite number of seconds, for --timeout."""
    try:
        seconds = float(text[:50])
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(Phrase("seconds", text=repr(text[:50])).text(lang))
    return seconds


def _run(args: argparse.Namespace, lang: str = "en") -> int:
    output = Path(args.output or DEFAULT_OUTPUT) if args.output or not args.html else None
    page = _check_page_options(args)
    if output is not None:
        check_output(output, args.frames)
    format = output.suffix.lstrip(".").lower() if output else "svg"
    if format not in FORMATS:
        raise UsageError("format", output=output, suffixes=", ".join("." + f for f in FORMATS))
    root, inputs = build(args.formula, parse_assignments(args.at))
    if not args.no_grad:
        root.backward()
    options = dict(show_partials=not args.no_partials, timeout=args.timeout, lang=lang)
    if output is not None:
        render(root, output, format=format, max_nodes=_max_nodes(args, "picture"),
               collapse=args.collapse, show_rules=args.rules, **options)
    if page is not None:
        stepper(root, lang=lang, quiz=args.quiz, max_nodes=_max_nodes(args, "page"),
                timeout=args.timeout, collapse=args.collapse).save(page)
    show(table(args.formula, root, inputs, show_grad=not args.no_grad, lang=lang))
    for written in (output, page):
        if written is not None:
            show(visible(Phrase("wrote", path=written).text(lang)))
    if args.frames:
        _write_frames(root, args, options, lang)
    return 0


def _write_frames(root, args: argparse.Namespace, options: dict, lang: str) -> None:
    """The step-by-step pictures in args.frames, and a line saying where they went."""
    frames = backward_frames(root, args.frames, max_nodes=min(_max_nodes(args, "picture"), 100),
                             **options)
    show(visible(Phrase("wrote frames", count=len(frames), folder=args.frames,
                        first=frames[0].name, last=frames[-1].name).text(lang)))


def _max_nodes(args: argparse.Namespace, kind: str) -> int:
    return args.max_nodes if args.max_nodes is not None else MAX_NODES[kind]


def _check_page_options(args: argparse.Namespace) -> Path | None:
    """The stepper page's path (None without --html); a UsageError for options that need it."""
    if args.html is None:
        if args.quiz:
            raise UsageError("quiz needs html")
        return None
    page = Path(args.html)
    if page.is_dir() or page.suffix.lower() not in (".html", ".htm"):
        raise UsageError("html suffix", page=page)
    _check_folder(page.parent, f"--html {page}")
    return page


def check_output(output: Path, frames: str | None) -> None:
    """A UsageError, before any work, when the picture or the frames cannot be written there."""
    if output.is_dir():
        raise UsageError("output is folder", output=output)
    _check_folder(output.parent, f"-o {output}")
    if frames is not None:
        if Path(frames).exists() and not Path(frames).is_dir():
            raise UsageError("frames is file", frames=frames)
        _check_folder(Path(frames), f"--frames {frames}")


def _check_folder(folder: Path, option: str) -> None:
    """A UsageError if folder, or the nearest part of it that exists, is not a folder."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if folder.exists() and not folder.is_dir():
        raise UsageError("not a folder", option=option, folder=folder)


def parse_assignments(texts: list[str]) -> dict[str, float]:
    """{"x": 0.5, ...} from ["x=0.5", "y=2,z=3"]; a FormulaError for anything else."""
    values: dict[str, float] = {}
    for item in (part.strip() for text in texts for part in text.split(",")):
        name, equals, number = item.partition("=")
        name = variable_name(name.strip())
        if not equals or name is None:
            raise FormulaError("name=number", item=repr(item[:50]))
        if name in values:
            raise FormulaError("twice", name=name[:50])
        values[name] = _finite_number(name, number.strip())
    return values


def _finite_number(name: str, text: str) -> float:
    try:
        value = float(text) if len(text) <= 50 else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise FormulaError("not finite", name=name[:50], text=repr(text[:50]))
    return value


def table(formula: str, root, inputs: dict, show_grad: bool = True, lang: str = "en") -> str:
    """The formula's value, and each input's value and gradient, in aligned columns, headed
    in lang ("en" or "ja"). Numbers never show as "-0"; control characters show escaped.
    """
    words = CLI_TEXT[lang]
    rows = [(words["input"], words["value"], words["gradient"] if show_grad else "")]
    for name, leaf in inputs.items():
        rows.append((name, number(leaf.data, 6), number(leaf.grad, 6) if show_grad else ""))
    width = max(display_width(row[0]) for row in rows)
    result = number(root.data, 6)
    shown = visible(formula)
    lines = [f"{shown} = {result}"] if len(shown) <= 80 else [f"{words['value']} = {result}"]
    lines += [f"  {pad(a, width)}  {pad(b, 12, left=True)}  {pad(c, 12, left=True)}".rstrip()
              for a, b, c in rows]
    return "\n".join(lines)


def pad(text: str, width: int, left: bool = False) -> str:
    """text padded with spaces to width terminal columns (a wide character such as 重 takes 2),
    on the right, or on the left when left is true (for numbers)."""
    spaces = " " * max(width - display_width(text), 0)
    return spaces + text if left else text + spaces
