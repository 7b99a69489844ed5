"""SGD, Momentum, AdaGrad and Adam on f(x, y) = x²/20 + y², the book's chapter 6 comparison,
with zerograd's nn optimizers updating two Values and backward giving every gradient.

    python -m demos.optimizers [--lang ja] [--out DIR]   # final points, out/optimizers.png

f is 20 times steeper in y than in x, so the gradient points mostly along y, not at the
minimum (0, 0). From (−7, 2), 30 steps each, with the book's learning rates: SGD zigzags in y
and crawls in x; Momentum rolls along x like a ball, overshooting; AdaGrad shrinks the steep
direction's steps at once and glides in; Adam combines the two (the book's figures 6-3 to 6-7).

Read next: `demos/weight_init.py` (chapter 6's other experiment: the initial weights).
"""

from __future__ import annotations

import numpy as np

import nn
from autograd import Value
from demos import book_parser, picture_path
from viz.book_plots import plot_optimizer_paths
from viz.labels import CLI_TEXT, words

START, STEPS = (-7.0, 2.0), 30
FORMULA = "f(x, y) = x²/20 + y²"
OPTIMIZERS = {"SGD": (nn.SGD, 0.95), "Momentum": (nn.Momentum, 0.1),   # the book's rates
              "AdaGrad": (nn.AdaGrad, 1.5), "Adam": (nn.Adam, 0.3)}


def function(x, y):
    """f(x, y) = x²/20 + y², for Values (the graph) and numpy grids (the contour lines)."""
    return x ** 2 / 20 + y ** 2


def optimizer_path(optimizer_class, lr: float, start=START, steps: int = STEPS) -> np.ndarray:
    """Every point visited, the start first: f as a graph, backward, optimizer.step()."""
    x, y = Value(start[0], name="x"), Value(start[1], name="y")
    optimizer = optimizer_class([x, y], lr=lr)
    points = [(x.data, y.data)]
    for _ in range(steps):
        optimizer.zero_grad()
        function(x, y).backward()           # x.grad = x/10, y.grad = 2y, by backprop
        optimizer.step()
        points.append((x.data, y.data))
    return np.array(points)


def all_paths(steps: int = STEPS) -> dict[str, np.ndarray]:
    """The path of every optimizer in OPTIMIZERS, from START."""
    return {name: optimizer_path(optimizer_class, lr, steps=steps)
            for name, (optimizer_class, lr) in OPTIMIZERS.items()}


def main(argv: list[str] | None = None) -> int:
    """Run every optimizer, print where each ends and draw the four paths; returns 0."""
    args = book_parser("optimizers", __doc__).parse_args(argv)
    text = words(args.lang)
    paths = all_paths()
    for name, points in paths.items():
        x, y = points[-1]
        print(text["final point"].format(name=name, steps=STEPS, x=x, y=y, f=function(x, y)))
    path = picture_path(args.out, "optimizers", args.lang)
    rates = {name: lr for name, (_, lr) in OPTIMIZERS.items()}
    plot_optimizer_paths(paths, rates, function, FORMULA, path, lang=args.lang)
    print(CLI_TEXT[args.lang]["wrote"].format(path=path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
