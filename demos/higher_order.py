"""Derivatives of derivatives: `grad(y, [x], create_graph=True)` returns dy/dx as a Value, a
graph of its own, which zerograd can differentiate again (DeZero, volume 3, steps 33 to 36).

    python -m demos.higher_order [--lang ja] [--out DIR]

1. tanh and its first four derivatives on [−3, 3] (step 35's figure): x is one batch Value of
   601 points, and each derivative is `grad` of the one before, so no formula is written here.
   Picture: out/higher_order_derivatives.png.
2. The graph that `grad` builds for d²tanh/dx² at x = 1, drawn with `draw_graph(collapse=True)`
   (out/higher_order_d2_graph.png and .svg), with the smaller graph of dtanh/dx next to it
   (out/higher_order_d1_graph.png and .svg) and y = tanh(x) itself as one tanh box with its
   rule ∂ = 1−y² (out/higher_order_tanh_graph.png). tanh stays expanded in the derivatives'
   graphs: they reuse tanh's inner nodes (e^-2|x|, 1 + e^-2|x|), so it cannot be one box there.
3. Newton's method on f(x) = x⁴ − 2x² from x = 2 (steps 33 and 34): x ← x − f′(x)/f″(x), with
   f′ and f″ from zerograd. It reaches the minimum x = 1 in a handful of iterations.

Read next: `autograd/graph.py` (`grad` and create_graph), then `autograd/rules.py`.
"""

from __future__ import annotations

import numpy as np

from autograd import Value, grad, tanh, topological_order
from demos import book_parser, picture_path
from viz.book_plots import plot_derivatives
from viz.labels import CLI_TEXT, words
from viz.render import render

ORDERS = 4                            # y', y'', y''', y''''
GRAPH_AT = 1.0                        # where the derivatives' graphs are drawn
START, TOLERANCE, MAX_ITERATIONS = 2.0, 1e-12, 10
FORMULA = "f(x) = x⁴ − 2x²"
SEED_NAMES = ("∂y/∂y", "∂y′/∂y′")      # the 1 that each grad starts the chain rule from
TANH_INSIDE = {"mul": "−2|x|", "exp": "e", "sub": "1 − e", "add": "1 + e", "neg": "−(1 − e)"}


def derivatives(function, x: Value, orders: int = ORDERS) -> list[Value]:
    """[y, dy/dx, d²y/dx², ...]: each one grad of the one before, with create_graph=True.

    For a batch x, y[k] depends on x[k] only, so each entry is the derivative at that point.
    """
    values = [function(x)]
    for _ in range(orders):
        [derivative] = grad(values[-1], [x], create_graph=True)
        values.append(derivative)
    return values


def tanh_curves(x: np.ndarray, orders: int = ORDERS) -> list[np.ndarray]:
    """tanh and its first `orders` derivatives at every x, as arrays shaped like x."""
    return [np.broadcast_to(value.data, x.shape) for value in derivatives(tanh, Value(x), orders)]


def derivative_graphs(at: float = GRAPH_AT) -> list[Value]:
    """[y, dy/dx, d²y/dx²] of tanh at one x, named for the drawings: the seed, and tanh's
    inner nodes, which the derivatives' graphs use again (e = e^-2|x|, 1 − e, 1 + e)."""
    x = Value(at, name="x")
    values = derivatives(tanh, x, orders=2)
    for value, name in zip(values, ("y", "dy/dx", "d²y/dx²")):
        value.name = name
    for node in topological_order(values[0])[:-1]:
        node.name = node.name or TANH_INSIDE.get(node.op)
    for value, seed_name in zip(values[1:], SEED_NAMES):
        for node in topological_order(value):
            if not node.parents and node.name is None:
                node.name = seed_name         # the only unnamed leaf: grad's starting 1
    return values


def f(x):
    """f(x) = x⁴ − 2x², the function Newton's method minimises (minimum at x = ±1)."""
    return x ** 4 - 2 * x ** 2


def newton(start: float = START, tolerance: float = TOLERANCE,
           max_iterations: int = MAX_ITERATIONS) -> list[tuple[float, float, float]]:
    """Every iterate (x, f′(x), f″(x)), the start first: x ← x − f′(x)/f″(x) until the step
    is below tolerance or after max_iterations steps. f′ and f″ are zerograd's."""
    x, rows = start, []
    for _ in range(max_iterations + 1):
        _, first, second = (float(v.data) for v in derivatives(f, Value(x), orders=2))
        rows.append((x, first, second))
        step = first / second
        if abs(step) < tolerance or len(rows) > max_iterations:
            break
        x -= step
    return rows


def curve_table(text: dict, points=(-2.0, -1.0, 0.0, 0.5, 1.0, 2.0)) -> str:
    """tanh and its derivatives at a few points, one row per point."""
    names = ["y", "y′", "y″", "y‴", "y⁗"]
    columns = tanh_curves(np.array(points))
    lines = [text["derivatives at"], f"{'x':>6}" + "".join(f"{name:>12}" for name in names)]
    for k, x in enumerate(points):
        numbers = (round(column[k], 6) + 0.0 for column in columns)    # + 0.0: no "-0.000000"
        lines.append(f"{x:>6g}" + "".join(f"{number:>12.6f}" for number in numbers))
    return "\n".join(lines)


def newton_table(rows, text: dict) -> str:
    """One line per iterate: its number, x, f′(x), f″(x) and the step f′/f″."""
    lines = [text["newton title"].format(formula=FORMULA, start=START),
             f"{text['iteration']:>6} {'x':>20} {'f′(x)':>12} {'f″(x)':>12} "
             f"{text['newton update']:>12}"]
    for k, (x, first, second) in enumerate(rows):
        lines.append(f"{k:>6} {x:>20.16f} {first:>12.4e} {second:>12.4e} {first / second:>12.4e}")
    lines.append(text["newton stop"].format(n=len(rows) - 1, tolerance=TOLERANCE,
                                            limit=MAX_ITERATIONS))
    return "\n".join(lines)


def draw_graphs(out, lang: str, text: dict) -> list:
    """The graphs of y, dy/dx and d²y/dx² at x = 1, collapse=True; the paths written."""
    y, first, second = derivative_graphs()
    paths = [render(y, picture_path(out, "higher_order_tanh_graph", lang), format="png",
                    collapse=True, show_rules=True, lang=lang)]
    for value, name in ((first, "higher_order_d1_graph"), (second, "higher_order_d2_graph")):
        print(text["graph nodes"].format(what=value.name, at=GRAPH_AT,
                                         nodes=len(topological_order(value))))
        png = picture_path(out, name, lang)
        paths.append(render(value, png, format="png", collapse=True, lang=lang))
        paths.append(render(value, png.with_suffix(".svg"), format="svg", collapse=True,
                            lang=lang))
    print(text["tanh expanded"])
    return paths


def main(argv: list[str] | None = None) -> int:
    """Plot tanh's derivatives, draw the derivative graphs, run Newton's method; returns 0."""
    args = book_parser("higher_order", __doc__).parse_args(argv)
    text, wrote = words(args.lang), CLI_TEXT[args.lang]["wrote"]
    print(curve_table(text))
    x = np.linspace(-3.0, 3.0, 601)
    path = picture_path(args.out, "higher_order_derivatives", args.lang)
    plot_derivatives(x, tanh_curves(x), path, lang=args.lang)
    print(wrote.format(path=path) + "\n")
    for path in draw_graphs(args.out, args.lang, text):
        print(wrote.format(path=path))
    print("\n" + newton_table(newton(), text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
