"""Two moons: micrograd's classifier demo, step for step, on zerograd's batch graphs.

    python -m demos.moons        # trains for 100 steps, prints the loss, draws the boundary
                                 # and the trained network in the layer view (one box a neuron)
    python -m demos.moons --lang ja   # the same in Japanese (out/moons_boundary_ja.png, ...)

The recipe is micrograd's: 100 noisy points, a 2-16-16-1 relu network, the max-margin (hinge)
loss plus 1e-4 * sum(p^2) (L2), and plain gradient descent with a learning rate falling from
1.0 to 0.1 over 100 full-batch steps. One difference in how it runs: micrograd builds a graph
per sample; here every node carries the whole batch, so each step is one graph. As in
micrograd, the accuracy reported is on the training points.

Read next: `demos/spiral.py` (three classes, softmax cross-entropy).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

import nn
from demos import book_parser, picture_path
from nn import data
from viz.labels import CLI_TEXT, words

STEPS = 100
ALPHA = 1e-4     # weight of the L2 penalty
SEED = 2         # the network's initial weights (the data set is moons' default, seed 0)


def learning_rate(step: int) -> float:
    """micrograd's schedule: 1.0 at step 0, falling linearly by 0.009 per step."""
    return 1.0 - 0.9 * step / 100


def train(model: nn.MLP, X: np.ndarray, y: np.ndarray, steps: int = STEPS,
          report: bool = False, lang: str = "en") -> float:
    """micrograd's loop: hinge loss + L2, backward, SGD with the schedule; returns the last loss.
    report=True prints the loss and accuracy every 10 steps, in lang."""
    inputs = nn.as_inputs(X)                  # the whole data set as one batch
    optimizer = nn.SGD(model.parameters(), lr=learning_rate(0))
    for step in range(steps):
        loss = nn.hinge_loss(model(inputs), y) + ALPHA * nn.l2_penalty(model.parameters())
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = learning_rate(step)
        optimizer.step()
        if report and step % 10 == 0:
            print(words(lang)["moons step"].format(step=step, loss=loss.data,
                                                   accuracy=nn.accuracy(model, X, y)))
    return loss.data


def draw_layers(model: nn.MLP, point: np.ndarray, path: Path, lang: str = "en") -> Path:
    """The network on one point in the layer view: a box per neuron, a frame per layer, each
    neuron's value and its gradient d score / d neuron (no partials: 272 arrows would hide it)."""
    from autograd import Value
    from viz import render
    x = [Value(float(point[0]), name="x0"), Value(float(point[1]), name="x1")]
    score = model(x)
    score.name = "score"
    score.backward()
    return render(score, path, format=path.suffix[1:], collapse=["neuron"],
                  show_partials=False, lang=lang)


def main(argv: list[str] | None = None) -> int:
    """Train micrograd's moons classifier, draw its decision boundary; returns 0."""
    parser = book_parser("moons", __doc__)
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the initial weights")
    args = parser.parse_args(argv)
    text, wrote = words(args.lang), CLI_TEXT[args.lang]["wrote"]
    X, y = data.moons(n=100, noise=0.1)
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=args.seed)
    print(text["moons setup"].format(model=model, parameters=len(model.parameters()),
                                     points=len(X)))
    start = time.perf_counter()
    train(model, X, y, report=True, lang=args.lang)
    print(text["moons trained"].format(steps=STEPS, seconds=time.perf_counter() - start))
    from viz.plots import plot_decision_boundary
    path = picture_path(args.out, "moons_boundary", args.lang)
    plot_decision_boundary(model, X, y, path, lang=args.lang)
    print(wrote.format(path=path))
    layers = draw_layers(model, X[0], picture_path(args.out, "moons_layers", args.lang),
                         lang=args.lang)
    print(wrote.format(path=layers))
    print(f"accuracy={nn.accuracy(model, X, y):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
