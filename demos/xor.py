"""XOR: what one perceptron cannot learn and a 2-4-1 network can.

    python -m demos.xor          # prints both accuracies, draws the 2-4-1's decision boundary
    python -m demos.xor --lang ja   # the same in Japanese, out/xor_boundary_ja.png

A single neuron with a step activation draws one straight line through the plane, and no
line puts (0,1) and (1,0) on one side with (0,0) and (1,1) on the other: searching a grid of
weights, its best accuracy is 3/4. The step also passes back no gradient, so it cannot learn
by gradient descent at all. A hidden layer of 4 tanh units bends the boundary: the 2-4-1
network trained by gradient descent gets all four points right.

Read next: `demos/moons.py` (micrograd's classifier, trained on 100 points).
"""

from __future__ import annotations

import itertools

import numpy as np

import nn
from demos import book_parser, picture_path
from nn import data
from viz.labels import CLI_TEXT, words

GRID = np.linspace(-2.0, 2.0, 9)   # candidate values for each of w0, w1 and b


def best_perceptron_accuracy(X: np.ndarray, y: np.ndarray) -> tuple[float, tuple]:
    """Try every (w0, w1, b) on the grid in a step neuron; return the best accuracy and weights."""
    perceptron = nn.Neuron(2, activation="step")
    best = (-1.0, ())
    for weights in itertools.product(GRID, repeat=3):
        for p, number in zip(perceptron.parameters(), weights):
            p.data = float(number)
        best = max(best, (nn.accuracy(perceptron, X, y), weights))
    return best


def step_gradients(X: np.ndarray, y: np.ndarray) -> list[float]:
    """The gradient of a step neuron's squared error with respect to its weights: all zero."""
    perceptron = nn.Neuron(2, activation="step", seed=0)
    nn.mse_loss(perceptron(nn.as_inputs(X)), y).backward()
    return [p.grad for p in perceptron.parameters()]


def train_network(X: np.ndarray, y: np.ndarray, seed: int) -> nn.MLP:
    """A 2-4-1 network (tanh hidden, sigmoid output) trained with Adam on the mean squared error."""
    model = nn.MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=seed)
    optimizer = nn.Adam(model.parameters(), lr=0.1)
    nn.fit(model, X, y, nn.mse_loss, optimizer, epochs=200, progress=False)
    return model


def main(argv: list[str] | None = None) -> int:
    """Show the perceptron stuck below 1.0 and the 2-4-1 network at 1.0; returns 0."""
    parser = book_parser("xor", __doc__)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    text = words(args.lang)
    X, y = data.xor()
    perceptron_accuracy, weights = best_perceptron_accuracy(X, y)
    print(text["xor perceptron"].format(count=len(GRID) ** 3, accuracy=perceptron_accuracy,
                                        weights=", ".join(f"{w:g}" for w in weights)))
    print(text["xor stuck"].format(gradients=step_gradients(X, y)))
    model = train_network(X, y, args.seed)
    predicted = nn.predict(model, X)
    for point, label, guess in zip(X, y, predicted):
        print(text["xor says"].format(point=tuple(int(v) for v in point), label=label,
                                      guess=guess))
    from viz.plots import plot_decision_boundary
    path = picture_path(args.out, "xor_boundary", args.lang)
    plot_decision_boundary(model, X, y, path, lang=args.lang)
    print(CLI_TEXT[args.lang]["wrote"].format(path=path))
    print(f"accuracy={nn.accuracy(model, X, y):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
