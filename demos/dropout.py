"""Overfitting, and two cures (chapter 6, figures 6-20 to 6-23): weight decay and Dropout.

    python -m demos.dropout [--lang ja] [--out DIR] [--epochs 100] [--samples 300]

The book's experiment, on Fashion-MNIST (the book uses MNIST): a deep network (6 hidden layers
of 100 relu units, the book's MultiLayerNetExtend) trained on only 300 photos (30 of each
class) with SGD (lr 0.01, batch 100) learns them by heart: training accuracy climbs towards 1
while accuracy on 1,000 test photos stays far below. Weight decay (the loss plus λ/2·Σw²,
λ = 0.1) and Dropout (ratio 0.2) narrow that gap; Dropout also learns more slowly. The figure
(out/dropout.png) shows training and test accuracy per epoch for the three recipes; Dropout is
switched off for measuring accuracy (`model.eval()`, as `nn.accuracy` does). The photos come
from Debian's dataset-fashion-mnist (`make data`).

Read next: `demos/cnn.py` (chapter 7: the convolutional network).
"""

from __future__ import annotations

import sys

import nn
from demos import book_parser, pad, picture_path
from demos.batchnorm import BookNet

HIDDEN, LAYERS, BATCH, LR, DECAY, RATIO = 100, 6, 100, 0.01, 0.1, 0.2


def train(model: BookNet, X, y, X_test, y_test, epochs: int, decay: float = 0.0,
          seed: int = 0) -> dict[str, list[float]]:
    """SGD on the softmax cross-entropy (+ λ/2·Σw² when decay); accuracy per epoch."""
    weights = [w for layer in model.affines for n in layer.neurons for w in n.w]

    def loss(outputs, labels):
        base = nn.softmax_cross_entropy(outputs, labels)
        return base + (0.5 * decay) * nn.l2_penalty(weights) if decay else base
    optimizer = nn.SGD(model.parameters(), lr=LR)
    history = {"train": [], "test": []}
    for epoch in range(epochs):
        nn.fit(model, X, y, loss, optimizer, epochs=1, batch_size=BATCH, progress=False,
               seed=seed + epoch)
        history["train"].append(nn.accuracy(model, X, y))
        history["test"].append(nn.accuracy(model, X_test, y_test))
    return history


def experiment(epochs: int, samples: int, text: dict, seed: int = 0, tests: int = 1000) -> dict:
    """The three recipes, each from the same initial weights: {panel title: history}."""
    X, y, X_test, y_test = nn.data.fashion_mnist()
    X_train, y_train = nn.data.first_per_class(X, y, samples)
    X_test, y_test = nn.data.first_per_class(X_test, y_test, tests)
    sizes = [X.shape[1]] + [HIDDEN] * LAYERS + [10]
    recipes = {text["dropout plain"]: (0.0, 0.0),
               text["dropout decay"].format(decay=DECAY): (DECAY, 0.0),
               text["dropout dropout"].format(ratio=RATIO): (0.0, RATIO)}
    return {title: train(BookNet(sizes, None, dropout=ratio, seed=seed), X_train, y_train,
                         X_test, y_test, epochs, decay, seed)
            for title, (decay, ratio) in recipes.items()}


def data_problem(program: str, error: Exception, text: dict) -> str:
    """What to print when Fashion-MNIST cannot be read: a line in text's language, then (in
    Japanese) nn.data's English detail, which names the file and the fix."""
    kind = "fashion missing" if isinstance(error, FileNotFoundError) else "fashion corrupt"
    return text[kind].format(program=program, error=error)


def summary(histories: dict, epochs: int, samples: int, text: dict) -> str:
    """The last epoch's training and test accuracy of each recipe, and the gap between them."""
    lines = [text["dropout after"].format(epochs=epochs, samples=samples)]
    for title, curves in histories.items():
        train, test = curves["train"][-1], curves["test"][-1]
        lines.append(f"  {pad(title, 28)} "
                     + text["dropout row"].format(train=train, test=test, gap=train - test))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Train the three recipes, print the final accuracies and draw the figure."""
    from viz.book_plots import plot_overfitting
    from viz.labels import CLI_TEXT, words
    parser = book_parser("dropout", __doc__)
    parser.add_argument("--epochs", type=int, default=100, help="epochs (default 100)")
    parser.add_argument("--samples", type=int, default=300, help="training photos (300)")
    parser.add_argument("--tests", type=int, default=1000, help="test photos (1000)")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.samples < BATCH or args.tests < 10:
        parser.error(f"--epochs must be >= 1, --samples >= {BATCH}, --tests >= 10")
    text = words(args.lang)
    try:
        histories = experiment(args.epochs, args.samples, text, tests=args.tests)
    except (FileNotFoundError, ValueError) as error:
        print(data_problem("demos.dropout", error, text), file=sys.stderr)
        return 2
    print(summary(histories, args.epochs, args.samples, text))
    path = picture_path(args.out, "dropout", args.lang)
    plot_overfitting(histories, args.samples, LAYERS, HIDDEN, path, lang=args.lang)
    print(CLI_TEXT[args.lang]["wrote"].format(path=path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
