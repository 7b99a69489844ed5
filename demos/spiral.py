"""The spiral: three intertwined arms, one class each, which no straight lines can separate.

    python -m demos.spiral       # trains a 2-32-32-3 relu network, draws its decision regions
    python -m demos.spiral --lang ja   # the same in Japanese (out/spiral_boundary_ja.png, ...)

The network has three outputs, one score (logit) per class; `softmax_cross_entropy` turns them
into probabilities with a softmax and takes -log of the right class's probability. Its gradient
with respect to each score is simply (probability - [right class]) / batch size. The points are
split 80/20: the network trains on 240 of them and is tested on the 60 it never saw.

Read next: `demos/digits.py` (real handwriting, 10 classes, minibatches).
"""

from __future__ import annotations

import time

import nn
from demos import book_parser, picture_path
from nn import data
from viz.labels import CLI_TEXT, words

EPOCHS = 150


def main(argv: list[str] | None = None) -> int:
    """Train the spiral classifier; print train and held-out accuracy; returns 0."""
    parser = book_parser("spiral", __doc__)
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="full-batch Adam steps")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    text = words(args.lang)
    X, y = data.spiral(n_per_class=100, classes=3)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, 0.2, seed=0)
    model = nn.MLP(2, [32, 32, 3], activation="relu", seed=args.seed)
    optimizer = nn.Adam(model.parameters(), lr=0.02)
    start = time.perf_counter()
    history = nn.fit(model, X_train, y_train, nn.softmax_cross_entropy, optimizer,
                     epochs=args.epochs)
    print(text["spiral trained"].format(model=model, epochs=args.epochs,
                                        seconds=time.perf_counter() - start,
                                        loss=history["loss"][-1]))
    print(text["spiral training accuracy"].format(
        accuracy=nn.accuracy(model, X_train, y_train)))
    from viz.plots import plot_decision_boundary, plot_history
    boundary = picture_path(args.out, "spiral_boundary", args.lang)
    curves = picture_path(args.out, "spiral_history", args.lang)
    plot_decision_boundary(model, X, y, boundary, lang=args.lang)
    plot_history(history, curves, lang=args.lang)
    for path in (boundary, curves):
        print(CLI_TEXT[args.lang]["wrote"].format(path=path))
    print(f"accuracy={nn.accuracy(model, X_test, y_test):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
