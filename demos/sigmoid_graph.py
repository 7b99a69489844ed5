"""The textbook sigmoid graph, built by hand from primitives, drawn, and checked three ways.

    python -m demos.sigmoid_graph     # out/sigmoid_graph.svg and .png, out/sigmoid_frames/,
                                      # and out/sigmoid_stepper.html (open it in a browser)
    python -m demos.sigmoid_graph --lang ja   # the same in Japanese: out/sigmoid_graph_ja.png,
                                              # out/sigmoid_frames_ja/, sigmoid_stepper_ja.html

The seed draws z = 1 / (1 + exp(-x)) with the constant -1 as a node, c. Here c feeds BOTH
c·x (so exp(c·x) = exp(-x)) and c² (= 1, which is both the numerator and the addend):

    z = c² / (c² + exp(c·x))

so c and c² are branch points where gradients add. Backprop gives dz/dx = z(1 - z) and
dz/dc = -(x + 2) z(1 - z) at c = -1; sympy derives the second, autograd.numerical_grad confirms.

Read next: `demos/derivatives.py` (every rule of the graph checked the same way).
"""

from __future__ import annotations

import autograd
import viz
from autograd import Value
from demos import book_parser, pad, pad_left, picture_path
from viz.labels import CLI_TEXT, words


def sigmoid_from_primitives(x: Value, c: Value) -> Value:
    """z = c² / (c² + exp(c·x)), each intermediate node named as the seed labels it."""
    cx = _named(c * x, "-1·x")
    e = _named(cx.exp(), "exp(-x)")
    one = _named(c ** 2, "1 = (-1)²")
    denominator = _named(one + e, "1 + exp(-x)")
    return _named(one / denominator, "z")


def _named(node: Value, name: str) -> Value:
    node.name = name
    return node


def closed_forms(x: float, z: float) -> tuple[float, float]:
    """dz/dx = z(1 - z) and dz/dc = -(x + 2) z(1 - z), both at c = -1."""
    slope = z * (1 - z)
    return slope, -(x + 2) * slope


def symbolic_check(lang: str = "en") -> tuple[str, bool]:
    """Derive dz/dc with sympy and compare it with -(x + 2) z(1 - z) at c = -1."""
    text = words(lang)
    try:
        import sympy
    except ImportError:
        return text["sympy missing"], True
    x, c = sympy.symbols("x c")
    z = c**2 / (c**2 + sympy.exp(c * x))
    derivative = sympy.factor(sympy.together(sympy.diff(z, c).subs(c, -1)))
    at_minus_one = z.subs(c, -1)
    claim = -(x + 2) * at_minus_one * (1 - at_minus_one)
    same = sympy.simplify(sympy.together(derivative - claim)) == 0
    verdict = text["sympy equals" if same else "sympy differs"]
    return verdict.format(derivative=derivative), same


def check_table(x: Value, c: Value, z: Value, lang: str = "en") -> tuple[str, bool]:
    """Engine vs numerical vs closed form for dz/dx and dz/dc, and whether all agree."""
    numerical = autograd.numerical_grad(sigmoid_from_primitives, [x.data, c.data])
    closed = closed_forms(x.data, z.data)
    text = words(lang)
    lines = [pad(text["rules derivative"], 12) + pad_left(text["rules engine"], 12)
             + pad_left(text["rules numerical"], 12) + pad_left(text["rules closed"], 14)
             + "  " + text["sigmoid ok"]]
    good = True
    for label, engine, numeric, formula in zip(("dz/dx", "dz/d(-1)"), (x.grad, c.grad),
                                               numerical, closed):
        ok = abs(engine - numeric) < 1e-6 and abs(engine - formula) < 1e-12
        good &= ok
        lines.append(f"{label:<12}{engine:>12.6f}{numeric:>12.6f}{formula:>14.6f}  "
                     + text["sigmoid yes" if ok else "sigmoid no"])
    lines.append(text["sigmoid closed forms"])
    return "\n".join(lines), good


def main(argv: list[str] | None = None) -> int:
    """Build, draw and check the graph; returns 0 when every check agrees."""
    parser = book_parser("sigmoid_graph", __doc__)
    parser.add_argument("--x", type=float, default=0.5, help="the input (default 0.5)")
    args = parser.parse_args(argv)
    x, c = Value(args.x, name="x"), Value(-1.0, name="-1")
    z = sigmoid_from_primitives(x, c)
    z.backward()
    print(f"z = sigmoid({args.x:g}) = {z.data:.6f}")
    table, numbers_agree = check_table(x, c, z, args.lang)
    symbolic, symbols_agree = symbolic_check(args.lang)
    print(table, symbolic, sep="\n")
    draw(z, args.out, args.lang)
    return 0 if numbers_agree and symbols_agree else 1


def draw(z: Value, out: str, lang: str) -> None:
    """The graph (SVG and PNG), the backprop frames and GIF, the stepper page; prints each."""
    text, wrote = words(lang), CLI_TEXT[lang]["wrote"]
    picture = picture_path(out, "sigmoid_graph", lang)
    for format in ("svg", "png"):
        path = picture.with_suffix(f".{format}")
        print(wrote.format(path=viz.render(z, path, format=format, lang=lang)))
    folder = picture_path(out, "sigmoid_frames", lang).with_suffix("")
    frames = viz.backward_frames(z, folder, gif=True, lang=lang)
    print(text["sigmoid frames"].format(count=len(frames) - 1, folder=folder,
                                        first=frames[0].name, last=frames[-2].name,
                                        gif=frames[-1]))
    page = picture_path(out, "sigmoid_stepper", lang).with_suffix(".html")
    print(text["sigmoid page"].format(page=viz.stepper(z, lang=lang).save(page)))


if __name__ == "__main__":
    raise SystemExit(main())
