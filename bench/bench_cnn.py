"""The book's SimpleConvNet: zerograd against a numpy im2col network and PyTorch float64.

    python -m bench cnn               # one batch-100 training step, engines taking turns
    python -m bench.bench_cnn --train 300   # also a training run on Fashion-MNIST (seconds)

(1) step: one training step (forward, softmax cross-entropy, backward, SGD update) of
conv(30 filters 5x5) - relu - max pool 2x2 - affine(100) - relu - affine(10) on 1x28x28 images
at batch 100, in zerograd (nn.SimpleConvNet, the public API), in `NumpyConvNet` below (the
book's im2col Convolution and Pooling, Relu, Affine and SoftmaxWithLoss on float64 arrays) and
in PyTorch float64 when it is installed. All start from the same weights on the same batch and
are first checked to give the same loss and gradients; then the engines take turns, and the
median of the rounds is reported with the ratios.
(2) --train SECONDS: zerograd and the numpy network trained with the same recipe (Adam,
lr 0.001, batch 100, the same initial weights and batches) on Debian's Fashion-MNIST, each for
at most SECONDS of training, the test accuracy measured (clock stopped) every --eval-every steps.
numpy and PyTorch run on one thread, like zerograd. Nothing here is asserted;
tests/test_bench_cnn.py checks the pieces.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import time

import numpy as np

import nn
from bench.bench_engine import seconds_per_call
from bench.bench_mnist import Affine, LayerStack, Relu, SoftmaxWithLoss, thread_limit
from nn import data

SEED = 0
LR = 0.01
Params = dict[str, np.ndarray]    # W1 (F, C, k, k), b1, W2 (in, hidden), b2, W3, b3


# ----------------------------------------------------------------- the book's im2col layers

def im2col(x: np.ndarray, kernel: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """(N, C, H, W) images as one row per output position: (N·out_h·out_w, C·k·k)."""
    n, c, h, w = x.shape
    out_h, out_w = (h + 2 * pad - kernel) // stride + 1, (w + 2 * pad - kernel) // stride + 1
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((n, c, kernel, kernel, out_h, out_w))
    for y in range(kernel):
        for x_ in range(kernel):
            col[:, :, y, x_] = img[:, :, y:y + stride * out_h:stride, x_:x_ + stride * out_w:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1)


def col2im(col: np.ndarray, shape: tuple, kernel: int, stride: int = 1, pad: int = 0):
    """The inverse of im2col's gathering: each row's entries added back to their pixels."""
    n, c, h, w = shape
    out_h, out_w = (h + 2 * pad - kernel) // stride + 1, (w + 2 * pad - kernel) // stride + 1
    col = col.reshape(n, out_h, out_w, c, kernel, kernel).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for y in range(kernel):
        for x_ in range(kernel):
            img[:, :, y:y + stride * out_h:stride,
                x_:x_ + stride * out_w:stride] += col[:, :, y, x_]
    return img[:, :, pad:h + pad, pad:w + pad]


class Convolution:
    """The book's Convolution: im2col, one matrix product, col2im in backward."""

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0) -> None:
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x: np.ndarray) -> np.ndarray:
        f, _, k, _ = self.W.shape
        n, _, h, w = x.shape
        out_h = (h + 2 * self.pad - k) // self.stride + 1
        out_w = (w + 2 * self.pad - k) // self.stride + 1
        self.x, self.col = x, im2col(x, k, self.stride, self.pad)
        self.col_W = self.W.reshape(f, -1).T
        out = self.col @ self.col_W + self.b
        return out.reshape(n, out_h, out_w, -1).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        f, c, k, _ = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, f)
        self.db = dout.sum(axis=0)
        self.dW = (self.col.T @ dout).transpose(1, 0).reshape(f, c, k, k)
        return col2im(dout @ self.col_W.T, self.x.shape, k, self.stride, self.pad)


class Pooling:
    """The book's max Pooling: im2col, the max of each row; backward to the argmax."""

    def __init__(self, size: int, stride: int) -> None:
        self.size, self.stride = size, stride

    def forward(self, x: np.ndarray) -> np.ndarray:
        n, c, h, w = x.shape
        out_h, out_w = (h - self.size) // self.stride + 1, (w - self.size) // self.stride + 1
        col = im2col(x, self.size, self.stride).reshape(-1, self.size * self.size)
        self.x, self.arg_max = x, np.argmax(col, axis=1)
        return col.max(axis=1).reshape(n, out_h, out_w, c).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = dout.transpose(0, 2, 3, 1)
        pool = self.size * self.size
        dmax = np.zeros((dout.size, pool))
        dmax[np.arange(self.arg_max.size), self.arg_max] = dout.ravel()
        dcol = dmax.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        return col2im(dcol, self.x.shape, self.size, self.stride)


class Flat:
    """(N, C, H, W) to (N, C·H·W) and back."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout.reshape(self.shape)


class NumpyConvNet(LayerStack):
    """The book's SimpleConvNet on numpy arrays, plain SGD."""

    def __init__(self, params: Params, lr: float = LR) -> None:
        self.params = {name: p.copy() for name, p in params.items()}
        p = self.params
        self.conv = Convolution(p["W1"], p["b1"])
        self.affine1, self.affine2 = Affine(p["W2"], p["b2"]), Affine(p["W3"], p["b3"])
        self.layers = [self.conv, Relu(), Pooling(2, 2), Flat(), self.affine1, Relu(),
                       self.affine2]
        self.last, self.lr = SoftmaxWithLoss(), lr

    def gradients(self) -> list[np.ndarray]:
        return [self.conv.dW, self.conv.db, self.affine1.dW, self.affine1.db,
                self.affine2.dW, self.affine2.db]

    def update(self) -> None:
        for p, g in zip(self.params.values(), self.gradients()):
            p -= self.lr * g


# ----------------------------------------------------------------- zerograd and PyTorch, alike

def zerograd_params(model: nn.SimpleConvNet) -> Params:
    """The model's weights as the book's arrays (W of the affine layers as (in, out))."""
    def affine(layer):
        return (np.array([[w.data for w in n.w] for n in layer.neurons]).T,
                np.array([n.b.data for n in layer.neurons]))
    W2, b2 = affine(model.hidden)
    W3, b3 = affine(model.out)
    return {"W1": model.conv.weight_array(), "b1": np.array([b.data for b in model.conv.biases]),
            "W2": W2, "b2": b2, "W3": W3, "b3": b3}


class ZerogradConvNet:
    """nn.SimpleConvNet with plain SGD, through the public API."""

    def __init__(self, seed: int = SEED, lr: float = LR) -> None:
        self.model = nn.SimpleConvNet(seed=seed)
        self.optimizer = nn.SGD(self.model.parameters(), lr=lr)

    def forward_backward(self, x: np.ndarray, t: np.ndarray) -> float:
        outputs = self.model(nn.as_images(x))
        loss = nn.softmax_cross_entropy(outputs, t)
        self.model.zero_grad()
        loss.backward()
        return loss.data

    def gradients(self) -> list[np.ndarray]:
        m = self.model
        conv = m.conv
        k = conv.kernel_size
        dW1 = np.array([[w.grad for w in f] for f in conv.filters]).reshape(-1, 1, k, k)
        out = [dW1, np.array([b.grad for b in conv.biases])]
        for layer in (m.hidden, m.out):
            out += [np.array([[w.grad for w in n.w] for n in layer.neurons]).T,
                    np.array([n.b.grad for n in layer.neurons])]
        return out

    def update(self) -> None:
        self.optimizer.step()


class TorchConvNet:
    """The same network in PyTorch float64 (conv2d, max_pool2d, linear), plain SGD."""

    def __init__(self, params: Params, lr: float = LR) -> None:
        import torch
        self.torch, self.lr = torch, lr
        self.p = {name: torch.tensor(a, requires_grad=True) for name, a in params.items()}

    def forward_backward(self, x: np.ndarray, t: np.ndarray) -> float:
        torch, p = self.torch, self.p
        F = torch.nn.functional
        for q in p.values():
            q.grad = None
        h = F.max_pool2d(F.relu(F.conv2d(torch.from_numpy(x), p["W1"], p["b1"])), 2)
        h = F.relu(h.reshape(len(x), -1) @ p["W2"] + p["b2"])
        loss = F.cross_entropy(h @ p["W3"] + p["b3"], torch.from_numpy(t))
        loss.backward()
        return loss.item()

    def gradients(self) -> list[np.ndarray]:
        return [q.grad.numpy() for q in self.p.values()]

    def update(self) -> None:
        with self.torch.no_grad():
            for q in self.p.values():
                q -= self.lr * q.grad


def engines(with_torch: bool = True) -> dict[str, object]:
    """zerograd, numpy and (when importable) pytorch, all holding the same weights."""
    zerograd = ZerogradConvNet()
    params = zerograd_params(zerograd.model)
    found = {"zerograd": zerograd, "numpy": NumpyConvNet(params)}
    if with_torch:
        try:
            found["pytorch"] = TorchConvNet(params)
        except ImportError:
            pass
    return found


def agreement(found: dict[str, object], x: np.ndarray, t: np.ndarray) -> tuple[bool, str]:
    """Whether every engine gives numpy's loss and gradients, and a line saying so."""
    losses = {name: e.forward_backward(x, t) for name, e in found.items()}
    grads = {name: e.gradients() for name, e in found.items()}
    reference = grads["numpy"]
    gap = max(float(np.max(np.abs(g - r) / (np.abs(r).max() + 1e-300)))
              for gs in grads.values() for g, r in zip(gs, reference))
    same = all(math.isclose(v, losses["numpy"], rel_tol=1e-9) for v in losses.values()) and \
        gap < 1e-9
    verdict = "agree" if same else "DO NOT agree (timing skipped)"
    return same, (f"batch {len(t)}: {', '.join(found)} {verdict}: loss {losses['numpy']:.6f}, "
                  f"largest gradient difference {gap:.1e} of the largest gradient")


def time_steps(found: dict[str, object], x: np.ndarray, t: np.ndarray,
               rounds: int) -> dict[str, float]:
    """The median seconds per training step of every engine, the engines taking turns."""
    def seconds(engine, calls: int) -> float:
        gc.collect()
        return seconds_per_call(lambda: (engine.forward_backward(x, t), engine.update()),
                                calls, collect=False)

    calls = {name: max(1, round(0.2 / seconds(e, 1))) for name, e in found.items()}
    times = {name: [] for name in found}
    for _ in range(rounds):
        for name, e in found.items():
            times[name].append(seconds(e, calls[name]))
    return {name: statistics.median(s) for name, s in times.items()}


def step_batch(size: int = 100) -> tuple[np.ndarray, np.ndarray, str]:
    """The first `size` Fashion-MNIST training images (N, 1, 28, 28), or seeded random ones."""
    try:
        x, t, _, _ = data.fashion_mnist()
        return x[:size].reshape(-1, 1, 28, 28), t[:size].astype(np.int64), "Fashion-MNIST"
    except (FileNotFoundError, OSError):
        rng = np.random.default_rng(SEED)
        return rng.random((size, 1, 28, 28)), rng.integers(0, 10, size), "random"


def run(rounds: int = 5, batch: int = 100, with_torch: bool = True) -> dict:
    """Check the engines agree, time them, print the table; return the medians."""
    x, t, source = step_batch(batch)
    found = engines(with_torch)
    same, line = agreement(found, x, t)
    print(line, flush=True)
    if not same:
        return {}
    times = time_steps(found, x, t, rounds)
    print(f"one SimpleConvNet training step at batch {batch} on {source} images, "
          f"the median of {rounds} rounds:")
    for name, seconds in times.items():
        ratio = times["zerograd"] / seconds
        print(f"  {name:9s} {seconds * 1000:9.1f} ms   zerograd takes {ratio:6.1f}x its time")
    return times


def summary(times: dict) -> list[str]:
    """The headline ratios."""
    return [f"SimpleConvNet step at batch 100, zerograd/{name}: "
            f"{times['zerograd'] / times[name]:.1f}x the time ({times['zerograd'] * 1000:.0f} "
            f"against {times[name] * 1000:.1f} ms)" for name in times if name != "zerograd"]


# ----------------------------------------------------------------- (2) a training run

class NumpyAdam:
    """Adam as nn.Adam writes it (m_hat / (sqrt(v_hat) + eps)), on the numpy network's arrays."""

    def __init__(self, params: list[np.ndarray], lr: float = 0.001, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.params, self.lr, self.beta1, self.beta2, self.eps = params, lr, beta1, beta2, eps
        self.m, self.v, self.t = [np.zeros_like(p) for p in params], [np.zeros_like(p)
                                                                       for p in params], 0

    def update(self, grads: list[np.ndarray]) -> None:
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[:] = self.beta1 * m + (1 - self.beta1) * g
            v[:] = self.beta2 * v + (1 - self.beta2) * g * g
            m_hat, v_hat = m / (1 - self.beta1 ** self.t), v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def training_run(budget: float, eval_every: int, lr: float = 0.001, target: float = 0.88,
                 batch: int = 100, check: int = 10_000) -> dict:
    """zerograd trained with Adam until its accuracy on the first `check` test images (every
    eval_every steps, the clock stopped) reaches target, or for at most `budget` seconds (only
    steps are timed); then the numpy network the same number of steps on the same batches.
    Returns both (seconds, steps, accuracy on the 10,000 test images)."""
    X, t, X_test, t_test = data.fashion_mnist()
    X, X_test = X.reshape(-1, 1, 28, 28), X_test.reshape(-1, 1, 28, 28)
    zerograd = ZerogradConvNet()
    numpy_net = NumpyConvNet(zerograd_params(zerograd.model))
    adam = nn.Adam(zerograd.model.parameters(), lr=lr)
    batches = _batches(len(X), batch)
    seconds, steps, accuracy = 0.0, 0, 0.0
    while seconds < budget and accuracy < target:
        idx = next(batches)
        start = time.perf_counter()
        zerograd.forward_backward(X[idx], t[idx])
        adam.step()
        seconds += time.perf_counter() - start
        steps += 1
        if steps % eval_every == 0:
            accuracy = _test_accuracy(zerograd.model, X_test[:check], t_test[:check])
            print(f"  zerograd: {steps} steps, {seconds:.0f} s, accuracy on {check} test "
                  f"images {accuracy:.4f}", flush=True)
    result = {"zerograd": (seconds, steps, _test_accuracy(zerograd.model, X_test, t_test))}
    result["numpy"] = _numpy_run(numpy_net, X, t, X_test, t_test, steps, batch, lr)
    return result


def _batches(n: int, batch: int, seed: int = SEED):
    """Index arrays of shuffled minibatches, epoch after epoch."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(n)
        for start in range(0, n - batch + 1, batch):
            yield order[start:start + batch]


def _test_accuracy(model: nn.SimpleConvNet, X: np.ndarray, t: np.ndarray) -> float:
    """The accuracy on the whole test set, 500 images at a time."""
    right = sum(int(np.sum(nn.predict(model, X[i:i + 500]) == t[i:i + 500]))
                for i in range(0, len(X), 500))
    return right / len(X)


def _numpy_run(net: NumpyConvNet, X, t, X_test, t_test, steps: int, batch: int, lr: float):
    """The numpy network trained `steps` steps on the same batches; (seconds, steps, accuracy)."""
    adam = NumpyAdam(list(net.params.values()), lr)
    batches, seconds = _batches(len(X), batch), 0.0
    for _ in range(steps):
        idx = next(batches)
        start = time.perf_counter()
        net.forward_backward(X[idx], t[idx])
        adam.update(net.gradients())
        seconds += time.perf_counter() - start
    right = sum(int(np.sum(net.predict(X_test[i:i + 500]).argmax(1) == t_test[i:i + 500]))
                for i in range(0, len(X_test), 500))
    return seconds, steps, right / len(X_test)


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.bench_cnn [--rounds N] [--train SECONDS]`."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_cnn",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="step rounds")
    parser.add_argument("--train", type=float, default=0.0, help="seconds of training (0: none)")
    parser.add_argument("--eval-every", type=int, default=100, help="steps between checks")
    parser.add_argument("--no-step", action="store_true", help="skip the step timing")
    args = parser.parse_args(argv)
    with thread_limit(1):
        if not args.no_step:
            print("\n".join(summary(run(args.rounds))))
        if args.train:
            for name, (seconds, steps, accuracy) in training_run(args.train,
                                                                 args.eval_every).items():
                print(f"{name}: {steps} steps of Adam (lr 0.001, batch 100) in {seconds:.0f} s "
                      f"of training: test accuracy {accuracy:.4f} (10,000 images)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
