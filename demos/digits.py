"""Handwritten digits: the book's three-layer network on scikit-learn's real 8x8 digits.

    python -m demos.digits       # ~10 epochs of minibatches, a loss curve, the digits it got wrong
    python -m demos.digits --lang ja   # the same in Japanese (out/digits_history_ja.png, ...)

Each image is 64 pixels in [0, 1], one input each. Two sigmoid hidden layers (32 units each)
feed 10 outputs, and a softmax turns them into probabilities, scored by the cross-entropy
-log(probability of the right digit). Training runs minibatches of 32 images through the
graph at once (each node holds 32 numbers) and moves the weights by plain SGD. 20% of the
images are held out; the last line is the accuracy on them.

Read next: `demos/mnist.py` (the same network on 28x28 MNIST, if you have the files).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

import nn
from demos import book_parser, picture_path
from nn import data
from viz.labels import CLI_TEXT, words

HIDDEN = [32, 32]
EPOCHS = 10
LEARNING_RATE = 2.0


def build_model(n_inputs: int, seed: int = 0) -> nn.MLP:
    """The book's network shape: sigmoid hidden layers, a softmax over the 10 digits."""
    return nn.MLP(n_inputs, [*HIDDEN, 10], activation="sigmoid", output_activation="softmax",
                  seed=seed)


def train(model: nn.MLP, X_train, y_train, X_test, y_test, epochs: int) -> dict:
    """Minibatch SGD on the cross-entropy, as the book trains its network; the history also
    holds the held-out accuracy. Sigmoid layers learn slowly, hence the large step size."""
    optimizer = nn.SGD(model.parameters(), lr=LEARNING_RATE)
    return nn.fit(model, X_train, y_train, nn.cross_entropy, optimizer, epochs=epochs,
                  batch_size=32, validation=(X_test, y_test))


def report(model: nn.MLP, X_test, y_test, history: dict, out: Path, name: str,
           shape: tuple[int, int], lang: str = "en") -> None:
    """Draw the loss curve and up to 40 misclassified test images; print where they went."""
    from viz.plots import plot_digit_grid, plot_history
    predicted = nn.predict(model, X_test)
    wrong = np.flatnonzero(predicted != y_test)[:40]
    print(words(lang)["digits wrong"].format(wrong=len(np.flatnonzero(predicted != y_test)),
                                             n=len(y_test)))
    history_path = picture_path(out, f"{name}_history", lang)
    grid_path = picture_path(out, f"{name}_misclassified", lang)
    plot_history(history, history_path, lang=lang)
    print(CLI_TEXT[lang]["wrote"].format(path=history_path))
    plot_digit_grid(X_test[wrong], predicted[wrong], y_test[wrong], grid_path, shape=shape,
                    lang=lang)
    print(CLI_TEXT[lang]["wrote"].format(path=grid_path))


def main(argv: list[str] | None = None) -> int:
    """Train on 80% of the digits, test on the rest, draw the results; returns 0."""
    parser = book_parser("digits", __doc__)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    text = words(args.lang)
    X, y = data.digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, 0.2, seed=0)
    model = build_model(X.shape[1], args.seed)
    print(text["digits setup"].format(model=model, train=len(X_train), test=len(X_test)))
    start = time.perf_counter()
    history = train(model, X_train, y_train, X_test, y_test, args.epochs)
    for epoch, (loss, held_out) in enumerate(zip(history["loss"], history["val_accuracy"]), 1):
        print(text["fashion epoch"].format(epoch=epoch, loss=loss, accuracy=held_out))
    print(text["fashion trained"].format(seconds=time.perf_counter() - start))
    report(model, X_test, y_test, history, Path(args.out), "digits", (8, 8), args.lang)
    print(f"accuracy={nn.accuracy(model, X_test, y_test):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
