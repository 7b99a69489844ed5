"""Fashion-MNIST: the book's two-layer network learns ten kinds of clothes from 28x28 photos.

    python -m demos.fashion_mnist                    # all 60,000 photos, 5 epochs, 784-50-10
    python -m demos.fashion_mnist --lang ja          # the same, pictures in Japanese
    python -m demos.fashion_mnist --subset 2000 --epochs 1 --hidden 20   # a quick look

The photos come from Debian's package dataset-fashion-mnist (`sudo apt-get install
dataset-fashion-mnist`, or `make data`), read by `nn.data.fashion_mnist`; --folder reads the
four IDX files from elsewhere. Each photo is 784 grey pixels in [0, 1], one input each. A relu
hidden layer of 50 units feeds 10 scores, one per class, and `softmax_cross_entropy` scores
them against the right class. Adam moves the weights after each minibatch of 100 photos. The
last line is the accuracy on the 10,000 test photos, which training never sees (about 0.86
after the default 5 epochs). Pictures go under out/: the loss and accuracy per epoch, and test
photos the network got wrong, named by their classes.

--subset N trains on the first N/10 photos of each class (a stratified subset, said in the
output); --test-subset M tests on the same kind of subset of the test photos.

Read next: `demos/mnist.py` (the same kind of network on handwritten digits).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import nn
from nn import data
from viz.labels import CLI_TEXT, words

HIDDEN = 50
EPOCHS = 5
BATCH_SIZE = 100
OPTIMIZERS = {"sgd": nn.SGD, "momentum": nn.Momentum, "adam": nn.Adam}
LEARNING_RATES = {"sgd": 0.1, "momentum": 0.01, "adam": 0.001}   # the defaults of --lr
SHOWN_MISTAKES = 30


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line: data, network and training options (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m demos.fashion_mnist", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=["en", "ja"], default="en",
                        help="language of the pictures (default en)")
    parser.add_argument("--subset", type=int, metavar="N",
                        help="train on N photos: the first N/10 of each class (default all)")
    parser.add_argument("--test-subset", type=int, metavar="M",
                        help="test on M photos: the first M/10 of each class (default all)")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"default {EPOCHS}")
    parser.add_argument("--hidden", type=int, default=HIDDEN, help=f"hidden units ({HIDDEN})")
    parser.add_argument("--activation", choices=["relu", "sigmoid", "tanh"], default="relu")
    parser.add_argument("--optimizer", choices=list(OPTIMIZERS), default="adam")
    parser.add_argument("--lr", type=float, help="learning rate (default: sgd 0.1, "
                        "momentum 0.01, adam 0.001)")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"({BATCH_SIZE})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and batches")
    parser.add_argument("--folder", help=f"folder of the four IDX files "
                        f"(default {data.FASHION_MNIST_FOLDER})")
    parser.add_argument("--out", default="out", help="folder for the pictures (default out)")
    args = parser.parse_args(argv)
    for name in ("subset", "test_subset", "epochs", "hidden", "batch_size"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    return args


def load(folder: str | None):
    """The four Fashion-MNIST arrays, or None after printing why they could not be read."""
    try:
        return data.fashion_mnist(folder)
    except (FileNotFoundError, ValueError) as error:
        print(f"demos.fashion_mnist: {error}", file=sys.stderr)
        return None


def choose(X: np.ndarray, y: np.ndarray, n: int | None, what: str, lang: str = "en"):
    """(X, y) cut to a stratified subset of n samples when n is given; and a line saying so
    ("training" or "test" photos, in lang)."""
    text = words(lang)
    what = text[f"fashion {what}"]
    if n is None or n >= len(y):
        return X, y, text["fashion all"].format(n=len(y), what=what)
    X_part, y_part = data.first_per_class(X, y, n)
    counts = np.unique(y_part, return_counts=True)[1]
    each = f"{counts.min()}" if counts.min() == counts.max() else f"{counts.min()}-{counts.max()}"
    return X_part, y_part, text["fashion subset"].format(k=len(y_part), n=len(y), what=what,
                                                         each=each)


def build(args: argparse.Namespace) -> tuple[nn.MLP, nn.Optimizer]:
    """784 inputs, one hidden layer, 10 class scores (logits); and the chosen optimizer."""
    model = nn.MLP(28 * 28, [args.hidden, 10], activation=args.activation,
                   output_activation="identity", seed=args.seed)
    lr = args.lr if args.lr is not None else LEARNING_RATES[args.optimizer]
    return model, OPTIMIZERS[args.optimizer](model.parameters(), lr=lr)


def train(model: nn.MLP, optimizer: nn.Optimizer, train_set, test_set,
          args: argparse.Namespace) -> dict:
    """Minibatch training on the softmax cross-entropy (nn.fit and its progress bar); prints
    each epoch's loss and test accuracy and returns the history."""
    start = time.perf_counter()
    history = nn.fit(model, *train_set, nn.softmax_cross_entropy, optimizer, epochs=args.epochs,
                     batch_size=args.batch_size, seed=args.seed, validation=test_set)
    text = words(args.lang)
    for epoch, (loss, held_out) in enumerate(zip(history["loss"], history["val_accuracy"]), 1):
        print(text["fashion epoch"].format(epoch=epoch, loss=loss, accuracy=held_out))
    print(text["fashion trained"].format(seconds=time.perf_counter() - start))
    return history


def confusions(predicted: np.ndarray, true: np.ndarray, top: int = 3,
               lang: str = "en") -> list[str]:
    """The `top` most frequent mistakes as lines "Shirt taken for T-shirt/top: 12 times"."""
    pairs, counts = np.unique(np.column_stack([true, predicted])[predicted != true], axis=0,
                              return_counts=True)
    order = np.argsort(-counts, kind="stable")[:top]
    text = words(lang)
    names = [text[f"class {name}"] for name in data.FASHION_CLASSES]
    return [text["fashion confusion"].format(true=names[pairs[i, 0]],
                                             predicted=names[pairs[i, 1]], count=counts[i])
            for i in order]


def report(model: nn.MLP, X_test, y_test, history: dict, args: argparse.Namespace) -> None:
    """Print the mistakes, most frequent first; draw the curves and the first wrong photos."""
    from viz.plots import plot_digit_grid, plot_history
    predicted = nn.predict(model, X_test)
    wrong = np.flatnonzero(predicted != y_test)
    print(words(args.lang)["fashion mistakes"].format(wrong=len(wrong), n=len(y_test)))
    for line in confusions(predicted, y_test, lang=args.lang):
        print(f"  {line}")
    suffix = "" if args.lang == "en" else f"_{args.lang}"
    out = Path(args.out)
    history_path = out / f"fashion_mnist_history{suffix}.png"
    grid_path = out / f"fashion_mnist_misclassified{suffix}.png"
    plot_history(history, history_path, lang=args.lang)
    print(CLI_TEXT[args.lang]["wrote"].format(path=history_path))
    shown = wrong[:SHOWN_MISTAKES]
    plot_digit_grid(X_test[shown], predicted[shown], y_test[shown], grid_path, shape=(28, 28),
                    columns=6, lang=args.lang, class_names=data.FASHION_CLASSES)
    print(CLI_TEXT[args.lang]["wrote"].format(path=grid_path))


def main(argv: list[str] | None = None) -> int:
    """Train on Fashion-MNIST, test, draw; returns 0, or 2 without the data files."""
    args = parse(argv)
    arrays = load(args.folder)
    if arrays is None:
        return 2
    text = words(args.lang)
    X_train, y_train, train_text = choose(*arrays[:2], args.subset, "training", args.lang)
    X_test, y_test, test_text = choose(*arrays[2:], args.test_subset, "test", args.lang)
    model, optimizer = build(args)
    print(text["fashion setup"].format(model=model, optimizer=type(optimizer).__name__,
                                       lr=optimizer.lr, batch=args.batch_size))
    print(text["fashion data"].format(train=train_text, test=test_text))
    history = train(model, optimizer, (X_train, y_train), (X_test, y_test), args)
    report(model, X_test, y_test, history, args)
    print(f"accuracy={nn.accuracy(model, X_test, y_test):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
