"""Batch Normalization and Dropout (chapter 6 of ゼロから作るDeep Learning), built from primitives.

A batch Value holds one number per sample, so "over the batch" means over a Value's samples:
`x.mean()` is the batch mean (one float node). Batch Normalization of one feature is then the
book's formula written node by node, the graph Kratzert's blog draws:

    mu = mean(x)               the mean            xc = x - mu         the centred value
    var = mean(xc²)            the variance        std = sqrt(var + eps)
    xn = xc / std              the normalised value
    out = gamma * xn + beta    scale, then shift

and backprop through those nodes is the book's `BatchNormalization.backward`, node by node.
In training the running averages of mu and var are updated (the book's momentum form:
running = momentum·running + (1 − momentum)·batch); in evaluation (`model.eval()`) x is
normalised with them instead. `BatchNorm` works on a flat list of Values (one per feature),
`BatchNorm2d` on a feature map (one gamma and beta per channel; mean and variance over the
batch and every position, as PyTorch's batch_norm).

`Dropout` is the book's: in training each input of each sample is kept where a uniform draw
is above `ratio` (x times a mask of 0s and 1s); in evaluation every input is scaled by
1 − ratio. The mask comes from the layer's own generator, so a seed reproduces it.

Read next: `sequential.py` (these layers chained in one expression), then `convnet.py`.
"""

from __future__ import annotations

import numpy as np

import autograd
from autograd import Value
from autograd.groups import mark

from .conv import FeatureMap, map_shape
from .modules import Module, as_generator, check_size, Seed


def batch_norm(x: Value, gamma: Value, beta: Value, eps: float) -> tuple[Value, float, float]:
    """gamma · (x − mean(x)) / sqrt(var(x) + eps) + beta over x's samples, node by node.
    Returns the output, and the batch mean and variance (numbers, for the running averages)."""
    mu = x.mean()                              # the mean over the batch
    xc = x - mu                                # the centred value
    var = (xc * xc).mean()                     # the variance (the book's: biased, 1/N)
    std = (var + eps).sqrt()
    xn = xc / std                              # the normalised value
    out = gamma * xn + beta                    # scale, then shift
    mark("batchnorm", out, (x, gamma, beta))
    return out, mu.data, var.data


def normalised_with(x, mean: float, var: float, gamma: Value, beta: Value, eps: float) -> Value:
    """Evaluation: gamma · (x − mean) / sqrt(var + eps) + beta with the running averages."""
    return gamma * ((x - mean) / float(np.sqrt(var + eps))) + beta


class BatchNorm(Module):
    """Batch Normalization of n_features inputs (a flat list of batch Values), the book's form.

    >>> bn = BatchNorm(3)
    >>> out = bn(nn.as_inputs(np.random.randn(4, 3), values=True))   # 3 Values, 4 samples each
    """

    def __init__(self, n_features: int, momentum: float = 0.9, eps: float = 1e-7,
                 name: str = "BN") -> None:
        check_size("n_features", n_features)
        check_fraction("momentum", momentum, upper_open=False)
        if not eps > 0:
            raise ValueError(f"eps must be > 0, got {eps!r}")
        self.momentum, self.eps, self.name = float(momentum), float(eps), name
        self.gamma = [Value(1.0, name=f"{name}.gamma{j}") for j in range(n_features)]
        self.beta = [Value(0.0, name=f"{name}.beta{j}") for j in range(n_features)]
        self.running_mean = np.zeros(n_features)
        self.running_var = np.zeros(n_features)    # the book starts both at 0

    def forward(self, x: list) -> list[Value]:
        """Each feature normalised: over the batch in training, by the running averages in
        evaluation."""
        if isinstance(x, (Value, np.ndarray, str)) or len(x) != len(self.gamma):
            raise ValueError(f"{self.name} expects a list of {len(self.gamma)} inputs "
                             f"(one per feature)")
        return [self.normalise(j, [x[j]])[0] for j in range(len(x))]

    def normalise(self, j: int, xs: list) -> list[Value]:
        """Feature (or channel) j, whose samples are those of every Value in xs."""
        gamma, beta = self.gamma[j], self.beta[j]
        if not self.training:
            return [normalised_with(v, self.running_mean[j], self.running_var[j], gamma, beta,
                                    self.eps) for v in xs]
        if len(xs) == 1:
            out, mu, var = batch_norm(as_value(xs[0]), gamma, beta, self.eps)
            outs = [out]
        else:
            outs, mu, var = batch_norm_2d([as_value(v) for v in xs], gamma, beta, self.eps)
        m = self.momentum
        self.running_mean[j] = m * self.running_mean[j] + (1 - m) * mu
        self.running_var[j] = m * self.running_var[j] + (1 - m) * var
        return outs

    def parameters(self) -> list[Value]:
        """The gammas, then the betas."""
        return self.gamma + self.beta

    def named_arrays(self):
        """gamma and beta, one entry per feature (the running averages are not parameters)."""
        return [("gamma", self.gamma, (len(self.gamma),)), ("beta", self.beta, (len(self.beta),))]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.gamma)}, momentum={self.momentum}, eps={self.eps})"


class BatchNorm2d(BatchNorm):
    """Batch Normalization of a feature map: one gamma and beta per channel, the mean and
    variance over the batch and every position of the channel (PyTorch's batch_norm)."""

    def __init__(self, channels: int, momentum: float = 0.9, eps: float = 1e-7,
                 name: str = "BN") -> None:
        super().__init__(channels, momentum, eps, name)

    def forward(self, x: FeatureMap) -> FeatureMap:
        """Each channel normalised over its samples and positions."""
        channels, height, width = map_shape(x)
        if channels != len(self.gamma):
            raise ValueError(f"{self.name} expects {len(self.gamma)} channels, got {channels}")
        out = []
        for c, channel in enumerate(x):
            flat = self.normalise(c, [v for row in channel for v in row])
            out.append([flat[i * width:(i + 1) * width] for i in range(height)])
        return out


def batch_norm_2d(xs: list[Value], gamma: Value, beta: Value, eps: float):
    """batch_norm over the samples of several Values (a channel's positions) at once."""
    n = len(xs)
    mu = autograd.sum([v.mean() for v in xs]) / n          # the mean over samples and positions
    centred = [v - mu for v in xs]
    var = autograd.sum([(c * c).mean() for c in centred]) / n
    std = (var + eps).sqrt()
    outs = [gamma * (c / std) + beta for c in centred]
    for out, v in zip(outs, xs):
        mark("batchnorm", out, (v, gamma, beta))
    return outs, mu.data, var.data


def as_value(x) -> Value:
    """x as a Value (data given as arrays or numbers becomes a leaf)."""
    return x if type(x) is Value else Value(x)


class Dropout(Module):
    """The book's Dropout: in training, each input of each sample is dropped (times 0) where a
    uniform draw is at most `ratio`, kept (times 1) elsewhere; in evaluation, every input is
    scaled by 1 − ratio. `last_mask` is the last mask, shape (samples, inputs) as the book's.

    >>> drop = Dropout(0.5, seed=0)
    >>> out = drop(nn.as_inputs(np.ones((4, 3)), values=True))    # about half of them 0
    """

    def __init__(self, ratio: float = 0.5, seed: Seed = None) -> None:
        check_fraction("ratio", ratio, upper_open=True)
        self.ratio = float(ratio)
        self.rng = as_generator(seed)
        self.last_mask: np.ndarray | None = None

    def forward(self, x):
        """x (a list of inputs, a feature map or one Value) with each entry masked or scaled."""
        if type(x) is Value:
            return self.forward([x])[0]
        if x and isinstance(x[0], list):         # a feature map: flatten, mask, put back
            shape = map_shape(x)
            flat = self.forward([v for channel in x for row in channel for v in row])
            h, w = shape[1], shape[2]
            return [[flat[(c * h + i) * w:(c * h + i + 1) * w] for i in range(h)]
                    for c in range(shape[0])]
        if not self.training:
            return [v * (1.0 - self.ratio) for v in x]
        samples = max(np.size(v.data if type(v) is Value else v) for v in x)
        self.last_mask = self.rng.random((samples, len(x))) > self.ratio   # the book's draw
        keep = self.last_mask.astype(float)
        if all(type(v.data if type(v) is Value else v) is float for v in x):
            return [v * float(k) for v, k in zip(x, keep[0])]
        return [v * np.ascontiguousarray(k) for v, k in zip(x, keep.T)]

    def __repr__(self) -> str:
        return f"Dropout({self.ratio})"


def check_fraction(what: str, x: float, upper_open: bool) -> None:
    """Raise ValueError unless 0 <= x < 1 (upper_open) or 0 <= x <= 1."""
    ok = isinstance(x, (int, float, np.floating)) and not isinstance(x, bool) and (
        0 <= x < 1 if upper_open else 0 <= x <= 1)
    if not ok:
        bound = "< 1" if upper_open else "<= 1"
        raise ValueError(f"{what} must be a number with 0 <= {what} {bound}, got {x!r}")
