"""Gradient descent on f(x0, x1) = x0² + x1², the book's chapter 4 example, with the gradient
from zerograd's backward pass instead of numerical differentiation.

    python -m demos.gradient_descent [--lang ja] [--out DIR]   # table, out/gradient_descent.png

From (−3.0, 4.0) with learning rate 0.1, each step is x ← x − 0.1 · 2x = 0.8 x, so the point
slides straight to the minimum (0, 0): x_k = x_0 · 0.8^k. The table prints every step; the
picture draws the path over the contour lines (the book's figure 4-10).

Read next: `demos/optimizers.py` (the same idea with chapter 6's optimizers).
"""

from __future__ import annotations

import numpy as np

import nn
from autograd import Value
from demos import book_parser, picture_path
from viz.book_plots import plot_descent_path, point_text
from viz.labels import CLI_TEXT, words

START, LR, STEPS = (-3.0, 4.0), 0.1, 20
FORMULA = "f(x0, x1) = x0² + x1²"


def function(x0, x1):
    """f(x0, x1) = x0² + x1², for Values (the graph) and numpy grids (the contour lines)."""
    return x0 ** 2 + x1 ** 2


def descend(start=START, lr: float = LR, steps: int = STEPS) -> np.ndarray:
    """Every point visited, the start first: f built as a graph, backward, one nn.SGD step."""
    x0, x1 = Value(start[0], name="x0"), Value(start[1], name="x1")
    optimizer = nn.SGD([x0, x1], lr=lr)
    points = [(x0.data, x1.data)]
    for _ in range(steps):
        optimizer.zero_grad()
        function(x0, x1).backward()         # x0.grad = 2 x0, x1.grad = 2 x1, by backprop
        optimizer.step()
        points.append((x0.data, x1.data))
    return np.array(points)


def table(points: np.ndarray, text: dict) -> str:
    """One line per step: step, x0, x1, f."""
    lines = [f"{text['step']:>6} {'x0':>12} {'x1':>12} {'f':>14}"]
    for step, (x0, x1) in enumerate(points):
        lines.append(f"{step:>6} {x0:>12.6f} {x1:>12.6f} {function(x0, x1):>14.8f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Descend, print every step and draw the path; returns 0."""
    args = book_parser("gradient_descent", __doc__).parse_args(argv)
    text = words(args.lang)
    points = descend()
    print(text["descent title"].format(formula=FORMULA))
    print(text["descent subtitle"].format(lr=LR, steps=STEPS, start=point_text(START)))
    print(table(points, text))
    last = np.array(START) * (1 - 2 * LR) ** STEPS
    print(text["closed form"] + f" → x_{STEPS} = ({last[0]:.6f}, {last[1]:.6f})")
    path = picture_path(args.out, "gradient_descent", args.lang)
    plot_descent_path(points, function, FORMULA, LR, path, lang=args.lang)
    print(CLI_TEXT[args.lang]["wrote"].format(path=path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
