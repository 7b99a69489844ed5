"""The textbook sigmoid graph, built by hand from primitives, drawn, and checked three ways.

    python -m demos.sigmoid_graph     # out/sigmoid_graph.svg and .png, out/sigmoid_frames/,
                                      # and out/sigmoid_stepper.html (open it in a browser)

The seed draws z = 1 / (1 + exp(-x)) with the constant -1 as a node, c. Here c feeds BOTH
c·x (so exp(c·x) = exp(-x)) and c² (= 1, which is both the numerator and the addend):

    z = c² / (c² + exp(c·x))

so c and c² are branch points where gradients add. Backprop gives dz/dx = z(1 - z) and
dz/dc = -(x + 2) z(1 - z) at c = -1; sympy derives the second, autograd.numerical_grad confirms.

Read next: `demos/derivatives.py` (every rule of the graph checked the same way).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import autograd
import viz
from autograd import Value


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


def symbolic_check() -> tuple[str, bool]:
    """Derive dz/dc with sympy and compare it with -(x + 2) z(1 - z) at c = -1."""
    try:
        import sympy
    except ImportError:
        return "sympy is not installed (pip install sympy): symbolic check skipped", True
    x, c = sympy.symbols("x c")
    z = c**2 / (c**2 + sympy.exp(c * x))
    derivative = sympy.factor(sympy.together(sympy.diff(z, c).subs(c, -1)))
    at_minus_one = z.subs(c, -1)
    claim = -(x + 2) * at_minus_one * (1 - at_minus_one)
    same = sympy.simplify(sympy.together(derivative - claim)) == 0
    verdict = "equals" if same else "DIFFERS FROM"
    return f"sympy: dz/dc at c=-1 = {derivative}  {verdict}  -(x+2)·z(1-z)", same


def check_table(x: Value, c: Value, z: Value) -> tuple[str, bool]:
    """Engine vs numerical vs closed form for dz/dx and dz/dc, and whether all agree."""
    numerical = autograd.numerical_grad(sigmoid_from_primitives, [x.data, c.data])
    closed = closed_forms(x.data, z.data)
    lines = [f"{'derivative':<12}{'engine':>12}{'numerical':>12}{'closed form':>14}  ok"]
    good = True
    for label, engine, numeric, formula in zip(("dz/dx", "dz/d(-1)"), (x.grad, c.grad),
                                               numerical, closed):
        ok = abs(engine - numeric) < 1e-6 and abs(engine - formula) < 1e-12
        good &= ok
        lines.append(f"{label:<12}{engine:>12.6f}{numeric:>12.6f}{formula:>14.6f}  "
                     f"{'yes' if ok else 'NO'}")
    lines.append("closed forms: dz/dx = z(1-z), dz/d(-1) = -(x+2)·z(1-z)")
    return "\n".join(lines), good


def main(argv: list[str] | None = None) -> int:
    """Build, draw and check the graph; returns 0 when every check agrees."""
    parser = argparse.ArgumentParser(prog="python -m demos.sigmoid_graph", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--x", type=float, default=0.5, help="the input (default 0.5)")
    parser.add_argument("--out", default="out", help="folder for the pictures (default out)")
    args = parser.parse_args(argv)
    x, c = Value(args.x, name="x"), Value(-1.0, name="-1")
    z = sigmoid_from_primitives(x, c)
    z.backward()
    print(f"z = sigmoid({args.x:g}) = {z.data:.6f}")
    table, numbers_agree = check_table(x, c, z)
    symbolic, symbols_agree = symbolic_check()
    print(table, symbolic, sep="\n")
    out = Path(args.out)
    for format in ("svg", "png"):
        print(f"wrote {viz.render(z, out / f'sigmoid_graph.{format}', format=format)}")
    frames = viz.backward_frames(z, out / "sigmoid_frames", gif=True)
    print(f"wrote {len(frames) - 1} frames to {out / 'sigmoid_frames'}/ "
          f"({frames[0].name} ... {frames[-2].name}) and the animation {frames[-1]}")
    page = viz.stepper(z).save(out / "sigmoid_stepper.html")
    print(f"wrote {page} (open it in a browser: step through backprop, change x, take the quiz)")
    return 0 if numbers_agree and symbols_agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
