"""The spiral: three intertwined arms, one class each, which no straight lines can separate.

    python -m demos.spiral       # trains a 2-32-32-3 relu network, draws its decision regions

The network has three outputs, one score (logit) per class; `softmax_cross_entropy` turns them
into probabilities with a softmax and takes -log of the right class's probability. Its gradient
with respect to each score is simply (probability - [right class]) / batch size. The points are
split 80/20: the network trains on 240 of them and is tested on the 60 it never saw.

Read next: `demos/digits.py` (real handwriting, 10 classes, minibatches).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import nn
from nn import data

EPOCHS = 150


def main(argv: list[str] | None = None) -> int:
    """Train the spiral classifier; print train and held-out accuracy; returns 0."""
    parser = argparse.ArgumentParser(prog="python -m demos.spiral", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="full-batch Adam steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="out", help="folder for the pictures (default out)")
    args = parser.parse_args(argv)
    X, y = data.spiral(n_per_class=100, classes=3)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, 0.2, seed=0)
    model = nn.MLP(2, [32, 32, 3], activation="relu", seed=args.seed)
    optimizer = nn.Adam(model.parameters(), lr=0.02)
    start = time.perf_counter()
    history = nn.fit(model, X_train, y_train, nn.softmax_cross_entropy, optimizer,
                     epochs=args.epochs)
    print(f"{model}: {args.epochs} epochs in {time.perf_counter() - start:.1f} s, "
          f"final loss {history['loss'][-1]:.4f}")
    print(f"training accuracy {nn.accuracy(model, X_train, y_train):.4f}")
    from viz.plots import plot_decision_boundary, plot_history
    boundary, curves = Path(args.out) / "spiral_boundary.png", Path(args.out) / "spiral_history.png"
    plot_decision_boundary(model, X, y, boundary)
    plot_history(history, curves)
    print(f"wrote {boundary}\nwrote {curves}")
    print(f"accuracy={nn.accuracy(model, X_test, y_test):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
