"""Training speed: micrograd's moons recipe here and in micrograd, and digits to 95% accuracy.

    python -m bench.bench_nn                     # or: make bench
    python -m bench.bench_nn --micrograd-runs 3  # the median of 3 micrograd runs (minutes each)

(a) moons: the same data, network (2-16-16-1 relu), loss (hinge + 1e-4 L2), schedule and 100
full-batch SGD steps in both engines; only the training loop is timed. micrograd builds one
graph per sample, its way; zerograd runs the batch through one graph whose nodes hold vectors.
(b) digits: `demos/digits.py`'s network and optimizer, epoch after epoch until the held-out
accuracy reaches 0.95; prints the time and the number of epochs.
Figures are printed, never asserted: they depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np

import nn
from demos import digits as digits_demo
from demos import moons as moons_demo
from nn import data

MICROGRAD_SEED = 1337   # micrograd's demo seeds its random module with 1337


def time_zerograd_moons(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[float, float]:
    """Seconds for demos.moons' 100 training steps, and the training accuracy reached."""
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=seed)
    start = time.perf_counter()
    moons_demo.train(model, X, y)
    return time.perf_counter() - start, nn.accuracy(model, X, y)


def time_micrograd_moons(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[float, float]:
    """Seconds for the same 100 steps as micrograd's demo writes them (a graph per sample)."""
    from micrograd.engine import Value
    from micrograd.nn import MLP
    random.seed(seed)
    model, signs = MLP(2, [16, 16, 1]), [2.0 * label - 1.0 for label in y]
    start = time.perf_counter()
    for step in range(moons_demo.STEPS):
        scores = [model([Value(float(a)), Value(float(b))]) for a, b in X]
        losses = [(1 + -sign * score).relu() for sign, score in zip(signs, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        total = data_loss + moons_demo.ALPHA * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= moons_demo.learning_rate(step) * p.grad
    seconds = time.perf_counter() - start
    correct = [(sign > 0) == (score.data > 0) for sign, score in zip(signs, scores)]
    return seconds, sum(correct) / len(correct)


def median_run(timer, X, y, seed: int, runs: int) -> tuple[float, float]:
    """The median time of several identical runs, and the accuracy they reach."""
    results = sorted(timer(X, y, seed) for _ in range(runs))
    return results[len(results) // 2]


def digits_to_target(target: float = 0.95, max_epochs: int = 30) -> tuple[float, int, float]:
    """Train demos.digits' network epoch by epoch until held-out accuracy >= target."""
    X, y = data.digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, 0.2, seed=0)
    model = digits_demo.build_model(X.shape[1])
    optimizer = nn.SGD(model.parameters(), lr=digits_demo.LEARNING_RATE)
    start, held_out, epoch = time.perf_counter(), 0.0, 0
    while held_out < target and epoch < max_epochs:
        nn.fit(model, X_train, y_train, nn.cross_entropy, optimizer, epochs=1, batch_size=32,
               progress=False, seed=epoch)
        held_out, epoch = nn.accuracy(model, X_test, y_test), epoch + 1
    return time.perf_counter() - start, epoch, held_out


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print their figures; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="zerograd moons runs (median)")
    parser.add_argument("--micrograd-runs", type=int, default=1,
                        help="micrograd moons runs (median; each takes minutes)")
    args = parser.parse_args(argv)
    X, y = data.moons(n=100, noise=0.1)
    ours, our_accuracy = median_run(time_zerograd_moons, X, y, moons_demo.SEED, args.runs)
    print(f"moons, 100 steps, zerograd:  {ours:8.2f} s  (median of {args.runs}; "
          f"training accuracy {our_accuracy:.2f})", flush=True)
    if args.micrograd_runs > 0:
        theirs, their_accuracy = median_run(time_micrograd_moons, X, y, MICROGRAD_SEED,
                                            args.micrograd_runs)
        print(f"moons, 100 steps, micrograd: {theirs:8.2f} s  (median of {args.micrograd_runs}; "
              f"training accuracy {their_accuracy:.2f})")
        print(f"micrograd / zerograd: {theirs / ours:.0f}x")
    seconds, epochs, held_out = digits_to_target()
    print(f"digits to >= 0.95 test accuracy: {seconds:.1f} s, {epochs} epochs "
          f"(test accuracy {held_out:.4f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
