"""MNIST-scale speed: zerograd against the book's numpy network, PyTorch and scikit-learn.

    python -m bench mnist            # short: step times, memory, a 20-second Fashion-MNIST race
    python -m bench mnist --full     # more rounds, and a 5-minute budget per engine in the race

(1) step: one training step (forward, softmax cross-entropy, backward, SGD update) of the book's
784-50-10 sigmoid network at batch 32, 100, 300 and 1000, in zerograd (nn.MLP, the public API),
in `NumpyNet` below (the book's Affine / Sigmoid / SoftmaxWithLoss layers on float64 matrices)
and in PyTorch float64. All three start from the same weights on the same batch, and are first
checked to give the same loss and the same gradients.
(2) memory: the peak of one batch-100 step: tracemalloc (Python objects and numpy arrays), and
how far the step lifts the process's peak resident memory (Linux only).
(3) race: Fashion-MNIST (Debian's dataset-fashion-mnist) to a test accuracy within a time
budget: zerograd and NumpyNet with the same recipe (784-100-10 relu, Momentum, batch 100, the
same initial weights and batch order), and scikit-learn's MLPClassifier(hidden_layer_sizes=
(100,)) with its own defaults. The racers take turns, a stretch of training each; only training
is timed, and test accuracy is measured (clock stopped) every `eval_every` steps, or every
epoch for scikit-learn.
zerograd runs on one core, so numpy's BLAS, PyTorch and scikit-learn get one thread too
(--threads to change it): on a shared machine, extra threads mostly wait for each other.
Figures are medians over rounds that take the engines in turns, all in one run: read the ratios,
not the times. Nothing here is asserted; tests/test_bench.py checks the pieces.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import math
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

import nn
from bench.bench_engine import seconds_per_call
from nn import data

FASHION_FOLDER = data.FASHION_MNIST_FOLDER   # apt-get install dataset-fashion-mnist
STEP_SIZES = (784, 50, 10)          # the book's two-layer network (chapter 5)
STEP_BATCHES = (32, 100, 300, 1000)
STEP_LR = 0.1
RACE_SIZES = (784, 100, 10)
RACE_RECIPE = {"activation": "relu", "optimizer": "momentum", "lr": 0.05, "batch_size": 100}
SEED = 0

Weights = list[tuple[np.ndarray, np.ndarray]]    # per layer: W of shape (nin, nout), b (nout,)


# ----------------------------------------------------------------- the book's network in numpy

class Affine:
    """x @ W + b; backward keeps dW and db and returns dout @ W.T."""

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W, self.b = W, b

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.dW, self.db = self.x.T @ dout, dout.sum(axis=0)
        return dout @ self.W.T


class Sigmoid:
    """1 / (1 + exp(-x)); its derivative is out * (1 - out)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = 1.0 / (1.0 + np.exp(-x))
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (1.0 - self.out) * self.out


class Relu:
    """max(x, 0); no gradient where x <= 0."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x <= 0
        return np.where(self.mask, 0.0, x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.where(self.mask, 0.0, dout)


class SoftmaxWithLoss:
    """The mean cross-entropy of softmax(x) against int labels t; backward is (y - t) / n.

    The book adds 1e-7 inside the log; this takes log-softmax instead, as zerograd does, so the
    two losses agree to rounding.
    """

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        shifted = x - x.max(axis=1, keepdims=True)
        log_y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.y, self.t = np.exp(log_y), t
        return float(-log_y[np.arange(len(t)), t].mean())

    def backward(self) -> np.ndarray:
        dx = self.y.copy()
        dx[np.arange(len(self.t)), self.t] -= 1.0
        return dx / len(self.t)


class LayerStack:
    """The book's way of writing a network: `layers` in order, then `last` (SoftmaxWithLoss);
    forward through them, backward through them in reverse."""

    layers: list
    last: SoftmaxWithLoss

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The scores (logits) of every class, one row per sample."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def forward_backward(self, x: np.ndarray, t: np.ndarray) -> float:
        """The loss; every layer keeps its gradients (an Affine its dW and db)."""
        loss = self.last.forward(self.predict(x), t)
        dout = self.last.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return loss


class NumpyNet(LayerStack):
    """The book's layered network: (Affine, activation) * k, Affine, then SoftmaxWithLoss."""

    def __init__(self, weights: Weights, activation: str = "sigmoid", optimizer: str = "sgd",
                 lr: float = STEP_LR) -> None:
        self.affines = [Affine(W.copy(), b.copy()) for W, b in weights]
        self.layers = []
        for affine in self.affines[:-1]:
            self.layers += [affine, {"sigmoid": Sigmoid, "relu": Relu}[activation]()]
        self.layers.append(self.affines[-1])
        self.last = SoftmaxWithLoss()
        self.optimizer = NumpyMomentum(lr, 0.9 if optimizer == "momentum" else 0.0)

    def gradients(self) -> list[np.ndarray]:
        """dW1, db1, dW2, db2, ... of the last forward_backward."""
        return [g for affine in self.affines for g in (affine.dW, affine.db)]

    def update(self) -> None:
        """One optimizer step on every W and b."""
        params = [p for affine in self.affines for p in (affine.W, affine.b)]
        self.optimizer.update(params, self.gradients())

    def classes(self, x: np.ndarray) -> np.ndarray:
        """The predicted class of every sample."""
        return np.argmax(self.predict(x), axis=1)


class NumpyMomentum:
    """The book's Momentum, as zerograd's: v = momentum * v - lr * grad; p += v (0: plain SGD)."""

    def __init__(self, lr: float, momentum: float) -> None:
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Move every array of params in place (the velocities start at 0)."""
        if self.v is None:
            self.v = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.v):
            v *= self.momentum
            v -= self.lr * g
            p += v


# ----------------------------------------------------------------- zerograd and PyTorch, alike

def initial_weights(sizes: tuple[int, ...], activation: str, seed: int = SEED) -> Weights:
    """The weights nn.MLP(seed=seed) starts from, as the book's (W, b) arrays."""
    return zerograd_weights(nn.MLP(sizes[0], list(sizes[1:]), activation=activation, seed=seed))


def zerograd_weights(model: nn.MLP, field: str = "data") -> Weights:
    """A zerograd MLP's parameters (or with field="grad" their gradients) as (W, b) arrays."""
    arrays = [np.array([getattr(v, field) for v in values], dtype=float).reshape(shape)
              for _, values, shape in model.named_arrays()]   # weights (nout, nin), biases
    return [(W.T, b) for W, b in zip(arrays[::2], arrays[1::2])]


class ZerogradNet:
    """nn.MLP with a linear output, nn.softmax_cross_entropy and nn.SGD or nn.Momentum."""

    def __init__(self, weights: Weights, activation: str = "sigmoid", optimizer: str = "sgd",
                 lr: float = STEP_LR) -> None:
        sizes = [weights[0][0].shape[0]] + [W.shape[1] for W, _ in weights]
        self.model = nn.MLP(sizes[0], sizes[1:], activation=activation)
        arrays = [a for W, b in weights for a in (W.T, b)]
        for (_, values, _), array in zip(self.model.named_arrays(), arrays):
            for value, number in zip(values, array.ravel()):
                value.data = float(number)
        params = self.model.parameters()
        self.optimizer = (nn.Momentum(params, lr) if optimizer == "momentum"
                          else nn.SGD(params, lr))

    def forward_backward(self, x: np.ndarray, t: np.ndarray) -> float:
        """The loss; every parameter's .grad holds its gradient."""
        loss = nn.softmax_cross_entropy(self.model(nn.as_inputs(x, values=False)), t)
        self.optimizer.zero_grad()
        loss.backward()
        return loss.data

    def gradients(self) -> list[np.ndarray]:
        """dW1, db1, dW2, db2, ... laid out as NumpyNet's."""
        return [g for W, b in zerograd_weights(self.model, "grad") for g in (W, b)]

    def update(self) -> None:
        """One optimizer step."""
        self.optimizer.step()

    def classes(self, x: np.ndarray) -> np.ndarray:
        """The predicted class of every sample (nn.predict, under no_grad)."""
        return nn.predict(self.model, x)


class TorchNet:
    """The same network on float64 tensors: x @ W + b, F.cross_entropy, torch.optim.SGD."""

    def __init__(self, weights: Weights, activation: str = "sigmoid", lr: float = STEP_LR) -> None:
        import torch
        self.torch = torch
        self.params = [torch.tensor(a, dtype=torch.float64, requires_grad=True)
                       for W, b in weights for a in (W, b)]
        self.activation = getattr(torch, activation)
        self.optimizer = torch.optim.SGD(self.params, lr=lr)

    def forward_backward(self, x: np.ndarray, t: np.ndarray) -> float:
        """The loss; every parameter's .grad holds its gradient."""
        torch = self.torch
        h = torch.from_numpy(x)
        for i in range(0, len(self.params), 2):
            h = h @ self.params[i] + self.params[i + 1]
            h = self.activation(h) if i + 2 < len(self.params) else h
        loss = torch.nn.functional.cross_entropy(h, torch.from_numpy(t))
        self.optimizer.zero_grad()
        loss.backward()
        return loss.item()

    def gradients(self) -> list[np.ndarray]:
        """dW1, db1, dW2, db2, ... as numpy arrays."""
        return [p.grad.numpy() for p in self.params]

    def update(self) -> None:
        """One optimizer step."""
        self.optimizer.step()


def step_engines(weights: Weights, with_torch: bool = True) -> dict[str, object]:
    """zerograd, numpy and (when importable) pytorch, all holding the same weights."""
    engines = {"zerograd": ZerogradNet(weights), "numpy": NumpyNet(weights)}
    if with_torch:
        try:
            engines["pytorch"] = TorchNet(weights)
        except ImportError:
            pass
    return engines


def train_step(engine, x: np.ndarray, t: np.ndarray) -> float:
    """One training step: forward, loss, backward, update. Returns the loss."""
    loss = engine.forward_backward(x, t)
    engine.update()
    return loss


# ----------------------------------------------------------------- (1) one training step

def agreement(engines: dict[str, object], x: np.ndarray, t: np.ndarray) -> tuple[bool, str]:
    """Whether every engine computes numpy's loss and gradients (allclose), and a line saying so.

    Runs forward and backward only: the weights stay as they are.
    """
    losses = {name: engine.forward_backward(x, t) for name, engine in engines.items()}
    grads = {name: engine.gradients() for name, engine in engines.items()}
    reference = grads["numpy"]
    loss_gap = max(abs(loss - losses["numpy"]) for loss in losses.values())
    grad_gap = max(float(np.max(np.abs(g - r))) for gs in grads.values()
                   for g, r in zip(gs, reference))
    same = all(math.isclose(loss, losses["numpy"], rel_tol=1e-9) for loss in losses.values())
    same = same and all(len(gs) == len(reference) and all(
        g.shape == r.shape and np.allclose(g, r, rtol=1e-7, atol=1e-12)
        for g, r in zip(gs, reference)) for gs in grads.values())
    verdict = "agree" if same else "DO NOT agree (timing skipped)"
    n_params = sum(r.size for r in reference)
    return same, (f"batch {len(t)}: {', '.join(engines)} {verdict}: loss {losses['numpy']:.6f} "
                  f"(largest difference {loss_gap:.1e}), gradients of {n_params} parameters "
                  f"(largest difference {grad_gap:.1e})")


def time_steps(engines: dict[str, object], x: np.ndarray, t: np.ndarray,
               rounds: int) -> dict[str, float]:
    """The median seconds per training step of every engine, the engines taking turns.

    Each round runs every engine for about 0.1 s or one step (many steps for a fast engine).
    The collector is left as a user has it: a full collection before each engine's turn,
    outside the clock, and inside it the collections the steps cause. (None of these engines
    leaves cyclic garbage to bill. Freezing the objects made before, as bench_engine does,
    would stop zerograd from moving its graphs to the collector's oldest generation, which
    no user's program stops: see autograd/collector.py.)
    """
    def seconds(engine, calls: int) -> float:
        gc.collect()
        return seconds_per_call(lambda: train_step(engine, x, t), calls, collect=False)

    calls = {name: max(1, round(0.1 / seconds(engine, 1))) for name, engine in engines.items()}
    times = {name: [] for name in engines}                   # (a warm-up, and the calibration)
    for _ in range(rounds):
        for name, engine in engines.items():
            times[name].append(seconds(engine, calls[name]))
    return {name: statistics.median(seconds) for name, seconds in times.items()}


def step_table(batches: tuple[int, ...], x_pool: np.ndarray, t_pool: np.ndarray, rounds: int,
               sizes: tuple[int, ...] = STEP_SIZES, with_torch: bool = True) -> dict[int, dict]:
    """For every batch size: check the engines agree, then time them. Prints as it goes."""
    results = {}
    for batch in batches:
        engines = step_engines(initial_weights(sizes, "sigmoid"), with_torch)
        x, t = x_pool[:batch], t_pool[:batch]
        same, line = agreement(engines, x, t)
        print(line, flush=True)
        if same:
            results[batch] = time_steps(engines, x, t, rounds)
    return results


def print_steps(results: dict[int, dict]) -> None:
    """The median ms per step of every engine, and zerograd's time over the others'."""
    names = list(next(iter(results.values()), {}))
    others = [name for name in names if name != "zerograd"]
    print(f"{'batch':>6}" + "".join(f"{name:>14}" for name in names)
          + "".join(f"{'zerograd/' + name:>18}" for name in others))
    for batch, times in results.items():
        print(f"{batch:>6}" + "".join(f"{times[name] * 1e3:>11.2f} ms" for name in names)
              + "".join(f"{times['zerograd'] / times[name]:>17.1f}x" for name in others))


# ----------------------------------------------------------------- (2) memory of one step

def peak_memory(step: Callable[[], object], trace: bool = True) -> tuple[int | None, int | None]:
    """Bytes: the tracemalloc peak of one step(), and how far a second step lifts the peak RSS.

    Call after a warm-up step. Before each measurement the garbage is collected and the C
    library asked to hand freed memory back (so the RSS growth is the step's own).
    """
    traced = None
    if trace:
        _release()
        tracemalloc.start()
        step()
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    _release()
    return traced, rss_growth(step)


def _release() -> None:
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def rss_growth(step: Callable[[], object]) -> int | None:
    """How many bytes the process's peak resident memory rises above its current RSS during
    step(), or None where Linux's /proc/self/clear_refs cannot reset the peak."""
    try:
        before = _status_bytes("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")      # peak RSS := current RSS
    except OSError:
        return None
    step()
    return max(0, _status_bytes("VmHWM") - before)


def _status_bytes(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise OSError(f"no {field} in /proc/self/status")


def memory_table(x: np.ndarray, t: np.ndarray, sizes: tuple[int, ...] = STEP_SIZES,
                 with_torch: bool = True) -> dict[str, tuple]:
    """(tracemalloc peak, RSS growth) of one training step per engine; tracemalloc does not see
    PyTorch's C++ memory, so its figure is None."""
    results = {}
    for name, engine in step_engines(initial_weights(sizes, "sigmoid"), with_torch).items():
        train_step(engine, x, t)
        results[name] = peak_memory(lambda: train_step(engine, x, t), trace=name != "pytorch")
    return results


def print_memory(results: dict[str, tuple]) -> None:
    print(f"{'engine':<10} {'tracemalloc peak':>17} {'peak RSS growth':>16}")
    for name, (traced, rss) in results.items():
        print(f"{name:<10} {_megabytes(traced, 'n/a (C++)'):>17} {_megabytes(rss, 'n/a'):>16}")
    traced = {name: r[0] for name, r in results.items()}
    if traced.get("zerograd") and traced.get("numpy"):
        print(f"tracemalloc peak, zerograd/numpy: {traced['zerograd'] / traced['numpy']:.0f}x")


def _megabytes(figure: int | None, missing: str) -> str:
    return missing if figure is None else f"{figure / 1e6:.2f} MB"


# ----------------------------------------------------------------- (3) the Fashion-MNIST race

def _load_fashion(folder: Path = FASHION_FOLDER):
    """Fashion-MNIST as X_train, y_train, X_test, y_test (pixels in [0, 1]), or None if missing."""
    try:
        return data.fashion_mnist(folder)
    except (FileNotFoundError, ValueError) as error:
        print(f"Fashion-MNIST is not readable: {error}")
        return None


Progress = Iterator[tuple[float, int, float]]     # (seconds of training, steps or epochs, accuracy)


def engine_racer(engine, x: np.ndarray, t: np.ndarray, x_test: np.ndarray, t_test: np.ndarray,
                 budget: float, batch_size: int = 100, eval_every: int = 100) -> Progress:
    """Train in minibatches (shuffled with the epoch's number as seed) and yield the training
    seconds so far, the steps taken and the test accuracy: every eval_every steps, and when
    the budget is spent. Only the steps are timed."""
    seconds, steps, epoch = 0.0, 0, 0
    while True:
        for x_batch, t_batch in data.batches(x, t, batch_size, seed=epoch):
            start = time.perf_counter()
            train_step(engine, x_batch, t_batch)
            seconds, steps = seconds + time.perf_counter() - start, steps + 1
            if steps % eval_every == 0 or seconds >= budget:
                yield seconds, steps, float(np.mean(engine.classes(x_test) == t_test))
        epoch += 1


def sklearn_racer(x: np.ndarray, t: np.ndarray, x_test: np.ndarray, t_test: np.ndarray,
                  seed: int = SEED) -> Progress:
    """MLPClassifier(hidden_layer_sizes=(100,)), its defaults (relu, Adam, batch 200): yield
    the training seconds so far, the epochs and the test accuracy after every epoch."""
    from sklearn.neural_network import MLPClassifier
    model = MLPClassifier(hidden_layer_sizes=(100,), random_state=seed)
    seconds, epochs = 0.0, 0
    while True:
        start = time.perf_counter()
        model.partial_fit(x, t, classes=np.arange(10))
        seconds, epochs = seconds + time.perf_counter() - start, epochs + 1
        yield seconds, epochs, float(model.score(x_test, t_test))


def race(racers: dict[str, Progress], target: float, budget: float) -> dict[str, tuple]:
    """Let the racers take turns until each reaches the target accuracy or spends its budget;
    print every measurement; return each racer's last (seconds, steps, accuracy)."""
    last, running = {}, dict(racers)
    while running:
        for name in list(running):
            last[name] = seconds, steps, accuracy = next(running[name])
            print(f"  {name:<9} {seconds:8.1f} s  {steps:>6} {_unit(name)}  "
                  f"test accuracy {accuracy:.4f}", flush=True)
            if accuracy >= target or seconds >= budget:
                del running[name]
    return last


def recipe_text() -> str:
    """RACE_SIZES and RACE_RECIPE in words."""
    return (f"{'-'.join(map(str, RACE_SIZES))} {RACE_RECIPE['activation']}, "
            f"{RACE_RECIPE['optimizer']} lr {RACE_RECIPE['lr']}, batch {RACE_RECIPE['batch_size']}")


def _unit(name: str) -> str:
    return "epochs" if name == "sklearn" else "steps "


def print_race(results: dict[str, tuple], target: float, budget: float) -> None:
    """Each racer's time to the target, or the accuracy it reached within the budget."""
    for name, (seconds, steps, accuracy) in results.items():
        outcome = (f"reached {target} in {seconds:.1f} s" if accuracy >= target
                   else f"did not reach {target} in {budget:.0f} s")
        print(f"{name:<9} {outcome} ({steps} {_unit(name).strip()}, test accuracy {accuracy:.4f})")
    reached = {name: r[0] for name, r in results.items() if r[2] >= target}
    for other in ("numpy", "sklearn"):
        if "zerograd" in reached and other in reached:
            ratio = reached["zerograd"] / reached[other]
            print(f"time to {target}, zerograd/{other}: {ratio:.1f}x")


def race_racers(fashion, budget: float, eval_every: int, sizes: tuple[int, ...] = RACE_SIZES,
                with_sklearn: bool = True) -> dict[str, Progress]:
    """zerograd and numpy on RACE_RECIPE from the same weights, and scikit-learn when importable."""
    x, t, x_test, t_test = fashion
    recipe = dict(RACE_RECIPE)
    batch_size = recipe.pop("batch_size")
    weights = initial_weights(sizes, recipe["activation"])
    racers = {name: engine_racer(net(weights, **recipe), x, t, x_test, t_test, budget,
                                 batch_size, eval_every)
              for name, net in (("zerograd", ZerogradNet), ("numpy", NumpyNet))}
    if with_sklearn:
        try:
            import sklearn  # noqa: F401
            racers["sklearn"] = sklearn_racer(x, t, x_test, t_test)
        except ImportError:
            print("scikit-learn is not installed: skipped")
    return racers


# ----------------------------------------------------------------- the command line

def step_batch(fashion, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The first `size` Fashion-MNIST training images, or seeded random images without it."""
    if fashion is not None:
        return fashion[0][:size], fashion[1][:size]
    rng = np.random.default_rng(SEED)
    return rng.random((size, STEP_SIZES[0])), rng.integers(0, STEP_SIZES[-1], size)


@contextlib.contextmanager
def thread_limit(threads: int) -> Iterator[None]:
    """Inside the block numpy's BLAS (and so scikit-learn) and PyTorch use at most `threads`."""
    try:
        import torch
        previous = torch.get_num_threads()
        torch.set_num_threads(threads)
    except ImportError:
        torch = None
    try:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(threads)
    except ImportError:
        print("threadpoolctl is not installed: numpy's BLAS uses all its threads")
        limits = contextlib.nullcontext()
    try:
        with limits:
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(previous)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The options of `python -m bench mnist`."""
    parser = argparse.ArgumentParser(prog="python -m bench mnist",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="15 rounds; a 300-second race budget")
    parser.add_argument("--quick", action="store_true", help="3 rounds; a 10-second race budget")
    parser.add_argument("--rounds", type=int, help="step rounds (default 5)")
    parser.add_argument("--budget", type=float, help="race seconds per engine (default 20)")
    parser.add_argument("--target", type=float, default=0.85, help="race test accuracy")
    parser.add_argument("--eval-every", type=int, default=100, help="race steps between tests")
    parser.add_argument("--batches", type=int, nargs="+", default=list(STEP_BATCHES))
    parser.add_argument("--threads", type=int, default=1, help="numpy, PyTorch and sklearn")
    parser.add_argument("--no-race", action="store_true", help="skip the Fashion-MNIST race")
    args = parser.parse_args(argv)
    preset = "full" if args.full else "quick" if args.quick else "default"
    args.rounds = args.rounds or {"full": 15, "quick": 3, "default": 5}[preset]
    args.budget = args.budget or {"full": 300.0, "quick": 10.0, "default": 20.0}[preset]
    return args


def run(args: argparse.Namespace) -> dict:
    """Run the three parts, printing their figures as they come; return the figures."""
    fashion = _load_fashion()
    x_pool, t_pool = step_batch(fashion, max(args.batches + [100]))
    print(f"numpy, PyTorch and scikit-learn limited to {args.threads} thread(s)")
    with thread_limit(args.threads):
        print(f"\n(1) one training step of {'-'.join(map(str, STEP_SIZES))} sigmoid, softmax "
              f"cross-entropy, SGD, float64,\n    on {'Fashion-MNIST' if fashion else 'random'} "
              f"images; the median of {args.rounds} rounds")
        result = {"steps": step_table(tuple(args.batches), x_pool, t_pool, args.rounds)}
        print_steps(result["steps"])
        print("\n(2) memory of one batch-100 training step")
        result["memory"] = memory_table(x_pool[:100], t_pool[:100])
        print_memory(result["memory"])
        if fashion is not None and not args.no_race:
            print(f"\n(3) Fashion-MNIST to test accuracy {args.target}, at most "
                  f"{args.budget:.0f} s of training each;\n    zerograd and numpy: "
                  f"{recipe_text()}; sklearn: MLPClassifier(hidden_layer_sizes=(100,))")
            racers = race_racers(fashion, args.budget, args.eval_every)
            result["race"] = race(racers, args.target, args.budget)
            result["target"] = args.target
            print_race(result["race"], args.target, args.budget)
    return result


def summary(result: dict) -> list[str]:
    """The headline ratios of a run: step time and memory at batch 100, the race."""
    lines = []
    times = result["steps"].get(100)
    if times:
        lines += [f"784-50-10 step at batch 100, zerograd/{name}: "
                  f"{times['zerograd'] / times[name]:.1f}x the time" for name in times
                  if name != "zerograd"]
    traced = {name: r[0] for name, r in result["memory"].items()}
    if traced.get("zerograd") and traced.get("numpy"):
        lines.append(f"784-50-10 step at batch 100, zerograd/numpy: "
                     f"{traced['zerograd'] / traced['numpy']:.0f}x the memory (tracemalloc)")
    for name, (seconds, steps, accuracy) in result.get("race", {}).items():
        verdict = "reached" if accuracy >= result["target"] else "did not reach"
        lines.append(f"Fashion-MNIST, {name} {verdict} {result['target']}: test accuracy "
                     f"{accuracy:.4f} after {seconds:.1f} s of training")
    return lines


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.bench_mnist [options]`: run, print, return 0."""
    run(parse(argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
