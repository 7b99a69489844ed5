"""Convolution and pooling (chapter 7 of ゼロから作るDeep Learning) on feature maps of Values.

Images come in the book's layout, a numpy array of shape (N, C, H, W). `as_images` turns them
into a *feature map*: a nested list `fmap[channel][row][column]` whose entries are batch Values
(or plain arrays: constants), one number per image. Every layer here takes and returns one:

- `Conv2d`: each output pixel is ONE weighted-sum node (`autograd.dot`) over its window,
  w·x + b. A filter's weights are the same Values at every position, so a weight is "used N
  times" and its gradient is the sum of its uses (the book's im2col does the same sum with one
  matrix product). The window's inputs are stacked once per position and shared by every
  filter, so on a batch a pixel costs one small matrix-vector product, forward and backward.
- `MaxPool2d`: the largest value of each window, built from `autograd.maximum` (pairwise, so
  ties share the gradient as maximum's rule says: ½ each for two, ¼ each for four).
- `AvgPool2d`: the window's mean, one weighted-sum node with constant weights 1/size².
- `Flatten`: a feature map as the flat list that `nn.Layer` and `nn.MLP` take (C, H, W order,
  as numpy's reshape of (N, C, H, W) to (N, C·H·W)).

Read next: `normalization.py` (BatchNorm and Dropout), then `convnet.py` (the book's CNN).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

import autograd
from autograd import Value

from .convolve import constant_images, convolve_images, max_pool_values, padded_array
from .modules import Module, as_generator, check_size, Seed

FeatureMap = list  # fmap[channel][row][column]: Values, arrays (a batch) or floats


def as_images(X: np.ndarray, values: bool = False) -> FeatureMap:
    """Images of shape (N, C, H, W) as a feature map of batches: fmap[c][i][j] holds pixel
    (i, j) of channel c of every image. One image of shape (C, H, W) gives floats.

    values=False gives plain arrays (constants: no gradient is computed for the data, as
    `as_inputs` does); values=True gives Values, whose .grad backward fills.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim not in (3, 4) or 0 in X.shape:
        raise ValueError(f"images must have shape (N, C, H, W), or (C, H, W) for one image; "
                         f"got shape {X.shape}")
    if X.ndim == 3:
        pixels = X.tolist()                                 # floats: one sample
    else:
        pixels = list(np.ascontiguousarray(np.moveaxis(X, 0, -1)))   # (C, H, W, N)
        pixels = [[list(row) for row in channel] for channel in pixels]
    if not values:
        return pixels
    return [[[Value(x) for x in row] for row in channel] for channel in pixels]


def map_shape(fmap: FeatureMap) -> tuple[int, int, int]:
    """(channels, height, width) of a feature map, or a ValueError saying what is wrong."""
    if isinstance(fmap, (Value, np.ndarray, str)) or not isinstance(fmap, Sequence) or not fmap:
        raise ValueError(f"a feature map is a nested list fmap[channel][row][column] "
                         f"(see nn.as_images); got {type(fmap).__name__}")
    rows = fmap[0]
    if not isinstance(rows, Sequence) or not rows or not isinstance(rows[0], Sequence):
        raise ValueError("a feature map is a nested list fmap[channel][row][column] "
                         "(see nn.as_images); got a flat list")
    shape = (len(fmap), len(rows), len(rows[0]))
    if any(len(ch) != shape[1] or any(len(row) != shape[2] for row in ch) for ch in fmap):
        raise ValueError("the channels of a feature map must all have the same rows and "
                         "columns")
    return shape


def output_size(size: int, kernel: int, stride: int, pad: int) -> int:
    """(size + 2 pad - kernel) // stride + 1, or a ValueError if the window does not fit."""
    if size + 2 * pad < kernel:
        raise ValueError(f"a window of {kernel} does not fit in {size} pixels with pad {pad}")
    return (size + 2 * pad - kernel) // stride + 1


def padded(fmap: FeatureMap, pad: int) -> FeatureMap:
    """The feature map with `pad` rows and columns of zeros (constants) around each channel."""
    if pad == 0:
        return fmap
    width = len(fmap[0][0]) + 2 * pad
    zeros = [0.0] * width
    return [[zeros] * pad + [[0.0] * pad + list(row) + [0.0] * pad for row in channel]
            + [zeros] * pad for channel in fmap]


def windows(fmap: FeatureMap, kernel: int, stride: int, out_h: int, out_w: int):
    """Each output position (i, j) with its window: channel by channel, row by row."""
    for i in range(out_h):
        rows = [channel[i * stride:i * stride + kernel] for channel in fmap]
        for j in range(out_w):
            left = j * stride
            yield i, j, [x for channel in rows for row in channel
                         for x in row[left:left + kernel]]


class Conv2d(Module):
    """A convolution layer: out_channels filters of shape (in_channels, k, k), each with a bias.

    Output pixel (o, i, j) is dot(filter o, window at (i·stride, j·stride)) + b_o, one node.
    Weights start as normal(0, std), std = sqrt(2 / (in_channels·k·k)) (He, for a relu
    after it; init="xavier" gives sqrt(1 / n)), the biases at 0; `seed` makes it reproducible.

    >>> conv = Conv2d(1, 2, kernel_size=3, seed=0)
    >>> out = conv(as_images(np.zeros((5, 1, 6, 6))))      # out[o][i][j]: a batch of 5
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 pad: int = 0, seed: Seed = None, init: str = "he", name: str = "C1") -> None:
        for what, size in (("in_channels", in_channels), ("out_channels", out_channels),
                           ("kernel_size", kernel_size), ("stride", stride)):
            check_size(what, size)
        check_pad(pad)
        if init not in ("he", "xavier"):
            raise ValueError(f"init must be 'he' or 'xavier'; got {init!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.pad, self.name = kernel_size, stride, pad, name
        n = in_channels * kernel_size * kernel_size
        std = np.sqrt((2.0 if init == "he" else 1.0) / n)
        weights = as_generator(seed).normal(0.0, std, size=(out_channels, n))
        self.filters = [[Value(float(w), name=f"{name}.F{o}.w{_where(k, kernel_size)}")
                         for k, w in enumerate(row)] for o, row in enumerate(weights)]
        self.biases = [Value(0.0, name=f"{name}.F{o}.b") for o in range(out_channels)]

    def forward(self, x: FeatureMap) -> FeatureMap:
        """The feature map of the filters' responses: out[o][i][j], one dot node each."""
        channels, height, width = map_shape(x)
        if channels != self.in_channels:
            raise ValueError(f"{self.name} expects {self.in_channels} input channels, "
                             f"got {channels}")
        k, s = self.kernel_size, self.stride
        out_h, out_w = (output_size(n, k, s, self.pad) for n in (height, width))
        images = constant_images(x)
        if images is not None:                    # data (constants): the vectorised path
            return convolve_images(self, padded_array(images, self.pad), out_h, out_w)
        out = [[[None] * out_w for _ in range(out_h)] for _ in range(self.out_channels)]
        filters = [autograd.stack(f) for f in self.filters]     # each filter stacked once
        for i, j, window in windows(padded(x, self.pad), k, s, out_h, out_w):
            window = autograd.stack(window)       # shared by every filter at this position
            for o, (weights, bias) in enumerate(zip(filters, self.biases)):
                out[o][i][j] = autograd.dot(weights, window, bias)
        return out

    def parameters(self) -> list[Value]:
        """Filter by filter: its weights (channel, row, column order), then its bias."""
        return [p for f, b in zip(self.filters, self.biases) for p in (*f, b)]

    def weight_array(self) -> np.ndarray:
        """The filters' current weights as an array of shape (out, in, k, k), as in the book."""
        k = self.kernel_size
        return np.array([[w.data for w in f] for f in self.filters]).reshape(
            self.out_channels, self.in_channels, k, k)

    def named_arrays(self):
        """The weights as (out, in, k, k) and the biases as (out,)."""
        k = self.kernel_size
        return [("weights", [w for f in self.filters for w in f],
                 (self.out_channels, self.in_channels, k, k)),
                ("biases", self.biases, (self.out_channels,))]

    def __repr__(self) -> str:
        return (f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size="
                f"{self.kernel_size}, stride={self.stride}, pad={self.pad})")


def _where(k: int, size: int) -> str:
    """A filter weight's index as "c,i,j" (channel, row, column)."""
    c, rest = divmod(k, size * size)
    return f"{c},{rest // size},{rest % size}"


def check_pad(pad: int) -> None:
    """Raise ValueError unless pad is a whole number >= 0."""
    if isinstance(pad, bool) or not isinstance(pad, (int, np.integer)) or pad < 0:
        raise ValueError(f"pad must be a whole number >= 0, got {pad!r}")


class _Pool(Module):
    """What both poolings share: the window size and stride (default: the size), no weights."""

    kind = "pool"

    def __init__(self, size: int, stride: int | None = None) -> None:
        check_size("size", size)
        check_size("stride", size if stride is None else stride)
        self.size, self.stride = size, size if stride is None else stride

    def forward(self, x: FeatureMap) -> FeatureMap:
        """Each channel pooled window by window."""
        _, height, width = map_shape(x)
        k, s = self.size, self.stride
        out_h, out_w = output_size(height, k, s, 0), output_size(width, k, s, 0)
        out = []
        for channel in x:
            pooled = [[None] * out_w for _ in range(out_h)]
            for i, j, window in windows([channel], k, s, out_h, out_w):
                pooled[i][j] = self.pool(window)
            out.append(pooled)
        return out

    def pool(self, window: list):
        """One window's output (subclasses)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.size}, stride={self.stride})"


class MaxPool2d(_Pool):
    """The largest value of each size×size window, stride defaulting to size.

    Built from `autograd.maximum`, pairwise: max(max(a, b), max(c, d)) for a 2×2 window, so a
    tie shares the gradient (½ each between two, ¼ each when all four are equal)."""

    def forward(self, x: FeatureMap) -> FeatureMap:
        """Each channel pooled window by window (on batch Values, every window at once)."""
        _, height, width = map_shape(x)
        out_h = output_size(height, self.size, self.stride, 0)
        out_w = output_size(width, self.size, self.stride, 0)
        pooled = max_pool_values(x, self.size, self.stride, out_h, out_w)
        return pooled if pooled is not None else super().forward(x)

    def pool(self, window: list):
        """max over the window, as a tree of maximum nodes."""
        while len(window) > 1:
            pairs = [autograd.maximum(a, b) for a, b in zip(window[::2], window[1::2])]
            window = pairs + window[len(pairs) * 2:]
        return window[0]


class AvgPool2d(_Pool):
    """The mean of each size×size window, stride defaulting to size: one dot node with the
    constant weights 1/size² (its partial for each input)."""

    def forward(self, x: FeatureMap) -> FeatureMap:
        """Each channel averaged window by window."""
        self._weights = [1.0 / self.size ** 2] * self.size ** 2
        return super().forward(x)

    def pool(self, window: list):
        """The window's mean as one weighted-sum node."""
        if not any(type(x) is Value for x in window):
            return float(np.mean(window)) if type(window[0]) is float else np.mean(window, 0)
        return autograd.dot(self._weights, window)


class Flatten(Module):
    """A feature map fmap[c][i][j] as one flat list, channel by channel, row by row."""

    def forward(self, x: FeatureMap) -> list:
        """The flat list of the feature map's entries."""
        map_shape(x)
        return [v for channel in x for row in channel for v in row]

    def __repr__(self) -> str:
        return "Flatten()"
