"""MNIST: the digits demo's network on the real 28x28 MNIST images, read from files you have.

    python -m demos.mnist FOLDER                 # FOLDER holds the four MNIST IDX files
    python -m demos.mnist FOLDER --limit 60000   # all 60,000 (slow: 10-15 min an epoch)

FOLDER must contain train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
and t10k-labels-idx1-ubyte (each may end in .gz); nothing is downloaded. The network is the
one of `demos/digits.py` with 784 inputs. A scalar engine builds a node per multiplication,
so by default it trains on the first 10,000 images (a few minutes an epoch) for 3 epochs;
the test uses all of the test images. Without the files it says what is missing and exits
with status 2.

Read next: `bench/bench_nn.py` (how fast all of this runs).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nn
from nn import data

from .digits import build_model, report, train


def load(folder: str | None):
    """The four MNIST arrays, or None after printing why they could not be read."""
    if folder is None:
        print("usage: python -m demos.mnist FOLDER: give the folder that holds the MNIST files "
              f"({', '.join(data.MNIST_FILES.values())})", file=sys.stderr)
        return None
    try:
        return data.mnist(folder)
    except (FileNotFoundError, ValueError) as error:
        print(f"demos.mnist: {error}", file=sys.stderr)
        return None


def main(argv: list[str] | None = None) -> int:
    """Train on MNIST from FOLDER and test on its test set; returns 0, or 2 without the files."""
    parser = argparse.ArgumentParser(prog="python -m demos.mnist", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", help="folder holding the four MNIST IDX files")
    parser.add_argument("--limit", type=int, default=10_000, help="training images to use")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="out", help="folder for the pictures (default out)")
    args = parser.parse_args(argv)
    arrays = load(args.folder)
    if arrays is None:
        return 2
    X_train, y_train, X_test, y_test = arrays
    X_train, y_train = X_train[:args.limit], y_train[:args.limit]
    model = build_model(X_train.shape[1], args.seed)
    print(f"{model}: {len(X_train)} training and {len(X_test)} test images")
    start = time.perf_counter()
    history = train(model, X_train, y_train, X_test, y_test, args.epochs)
    print(f"trained {args.epochs} epochs in {time.perf_counter() - start:.1f} s")
    report(model, X_test, y_test, history, Path(args.out), "mnist", (28, 28))
    print(f"accuracy={nn.accuracy(model, X_test, y_test):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
