"""Conv2d on data and MaxPool2d on Values, vectorised: the same nodes, made layer by layer.

When a convolution reads constants (images, as `as_images` gives them: the first layer of a
CNN), only the filters' weights and biases are Values. Each output pixel is still one node of
op "dot" whose parents are its filter's weights and bias, whose partials are its window's
pixels (d/dw_i = x_i, d/db = 1) and whose operands are the weights, the window and the bias,
exactly the node `autograd.dot` makes. What changes is how the numbers are computed:

- forward: the windows of every image are gathered once (the book's im2col, `windows`), and
  every output pixel of every filter comes from one matrix product;
- backward: each pixel's step only files its upstream gradient in the layer's `ConvBackward`;
  when a weight's gradient is asked for (graph.py keeps the leaves after the pass), one product
  of the filed gradients with the windows gives every weight's gradient at once (the book's
  dW = colᵀ · dout), handed to each weight as batch.Stack hands over its rows.
A pixel's partials and operands are views made when something reads them (`WindowPartials`,
`WindowOperands`: drawing, create_graph, detect_anomaly), not per node on the hot path.

MaxPool2d's trees of `maximum` nodes are made level by level for every window of a layer at
once (`max_pool_values`): one numpy call per level for the values and the partials, then the
nodes, exactly those `autograd.maximum` makes; backward is the generic chain rule.

Read next: `normalization.py`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import Value, arith
from autograd.batch import Waiting
from autograd.value import make_node


def constant_images(fmap) -> np.ndarray | None:
    """The feature map as a (C, H, W, N) array if every entry is a batch array of one size
    (constants), else None (Values, floats or mixed sizes take the node-by-node path)."""
    first = fmap[0][0][0]
    if type(first) is not np.ndarray or first.ndim != 1:
        return None
    if any(type(x) is not np.ndarray for ch in fmap for row in ch for x in row):
        return None
    try:
        images = np.array(fmap, dtype=float)
    except ValueError:
        return None
    return images if images.ndim == 4 else None


def padded_array(images: np.ndarray, pad: int) -> np.ndarray:
    """(C, H, W, N) images with pad zeros around each channel."""
    return np.pad(images, [(0, 0), (pad, pad), (pad, pad), (0, 0)]) if pad else images


def windows(images: np.ndarray, kernel: int, stride: int, out_h: int, out_w: int) -> np.ndarray:
    """Every window of every image: (positions, C·k·k, N), a window's pixels in channel, row,
    column order (the order of a filter's weights): the book's im2col."""
    channels, _, _, n = images.shape
    col = np.empty((channels, kernel, kernel, out_h, out_w, n))
    for a in range(kernel):
        for b in range(kernel):
            col[:, a, b] = images[:, a:a + stride * out_h:stride, b:b + stride * out_w:stride]
    return np.ascontiguousarray(col.reshape(-1, out_h * out_w, n).transpose(1, 0, 2))


def convolve_images(conv, images: np.ndarray, out_h: int, out_w: int) -> list:
    """conv's output feature map for constant images: out[o][i][j], one dot node each."""
    cols = windows(images, conv.kernel_size, conv.stride, out_h, out_w)      # (P, K, N)
    positions, size, n = cols.shape
    weights = np.array([[w.data for w in f] for f in conv.filters])          # (F, K)
    biases = np.array([b.data for b in conv.biases])
    flat = cols.transpose(1, 0, 2).reshape(size, positions * n)
    out = (weights @ flat).reshape(len(weights), positions, n) + biases[:, None, None]
    backward = ConvBackward(cols, conv.filters, conv.biases)
    return [_pixels(out[o], o, backward, out_h, out_w) for o in range(len(weights))]


def _pixels(values: np.ndarray, o: int, backward: ConvBackward, out_h: int, out_w: int):
    """Filter o's output pixels as dot nodes, row by row."""
    parents = (*backward.filters[o], backward.biases[o])      # shared by all of o's pixels
    pixels = []
    for p, data in enumerate(values):
        node = make_node(data, "dot", parents, WindowPartials(backward.cols, p),
                     WindowOperands(backward, o, p))
        if node.parents:                                      # (under no_grad: no history)
            node.stacks = Pixel(backward, o, p)
        pixels.append(node)
    return [pixels[i * out_w:(i + 1) * out_w] for i in range(out_h)]


class WindowPartials(Sequence):
    """A pixel's partials, aligned with its parents: its window's pixels, then 1 (the bias)."""

    __slots__ = ("cols", "position")

    def __init__(self, cols: np.ndarray, position: int) -> None:
        self.cols, self.position = cols, position

    def __len__(self) -> int:
        return self.cols.shape[1] + 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[k] for k in range(*i.indices(len(self))))
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        return 1.0 if i == len(self) - 1 else self.cols[self.position, i]   # d/db, d/dw_i


class WindowOperands(Sequence):
    """A pixel's operands as `dot` lists them: the filter's weights, the window, the bias."""

    __slots__ = ("backward", "filter", "position")

    def __init__(self, backward: ConvBackward, o: int, position: int) -> None:
        self.backward, self.filter, self.position = backward, o, position

    def __len__(self) -> int:
        return 2 * self.backward.cols.shape[1] + 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[k] for k in range(*i.indices(len(self))))
        size = self.backward.cols.shape[1]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        if i < size:
            return self.backward.filters[self.filter][i]
        if i < 2 * size:
            return self.backward.cols[self.position, i - size]
        return self.backward.biases[self.filter]


class Pixel:
    """node.stacks of a pixel: its backward step files the upstream gradient in the layer."""

    __slots__ = ("backward", "filter", "position")

    def __init__(self, backward: ConvBackward, o: int, position: int) -> None:
        self.backward, self.filter, self.position = backward, o, position

    def chain(self, upstream, backward_pass) -> None:
        """The chain rule, deferred: every parent's share is computed at once in flush."""
        self.backward.file(self.filter, self.position, upstream, backward_pass)


class ConvBackward:
    """One layer's backward pass: the pixels' upstream gradients, then (flush) every weight's
    and bias's gradient from one product, dW = sum over positions and images of dout · window."""

    __slots__ = ("cols", "filters", "biases", "upstream", "backward_pass", "waiting")

    def __init__(self, cols: np.ndarray, filters: list, biases: list) -> None:
        self.cols, self.filters, self.biases = cols, filters, biases
        self.upstream, self.backward_pass, self.waiting = None, None, []

    def file(self, o: int, position: int, upstream, backward_pass) -> None:
        """Keep a pixel's upstream gradient; the first of a pass tells the parameters to wait."""
        if self.upstream is None or self.backward_pass is not backward_pass:
            positions, _, n = self.cols.shape
            self.upstream = np.zeros((len(self.filters), positions, n))
            self.backward_pass = backward_pass
            self.waiting = [v for v in self.parameters() if v.mark is backward_pass]
            for value in self.waiting:             # the parameters this pass reached
                if type(value.upstream) is Waiting:
                    value.upstream.stacks.append(self)
                else:
                    value.upstream = Waiting(value.upstream, self)
        self.upstream[o, position] += upstream

    def parameters(self) -> list[Value]:
        return [p for f, b in zip(self.filters, self.biases) for p in (*f, b)]

    def flush(self) -> None:
        """Every weight's and bias's gradient at once, handed to each (as batch.Stack does)."""
        upstream, self.upstream = self.upstream, None
        if upstream is None:
            return
        positions, size, n = self.cols.shape
        flat = self.cols.transpose(0, 2, 1).reshape(positions * n, size)
        weights = (upstream.reshape(len(self.filters), -1) @ flat).tolist()    # (F, K)
        biases = upstream.sum(axis=(1, 2)).tolist()
        gradients = [g for row, bias in zip(weights, biases) for g in (*row, bias)]
        waiting_ones, self.waiting = set(self.waiting), []
        for value, gradient in zip(self.parameters(), gradients):
            if value in waiting_ones:
                waiting = value.upstream
                waiting.stacks.remove(self)
                waiting.arrived = waiting.arrived + gradient
                if not waiting.stacks:
                    value.upstream = waiting.arrived


# ---------------------------------------------------------------- max pooling, vectorised

def max_pool_values(fmap, size: int, stride: int, out_h: int, out_w: int) -> list | None:
    """MaxPool2d of a feature map of batch Values, every window's tree of maximum nodes made
    level by level with one numpy call per level (the nodes `autograd.maximum` makes: the same
    values and partials, from the same arith functions). None if some entry is not a Value
    holding a batch of the common size (then each window is built node by node)."""
    data = pixel_data(fmap)
    if data is None:
        return None
    channels = len(fmap)
    level = np.empty((channels, out_h, out_w, size * size, data.shape[-1]))
    for a in range(size):
        for b in range(size):
            level[:, :, :, a * size + b] = data[:, a:a + stride * out_h:stride,
                                                b:b + stride * out_w:stride]
    level = level.reshape(channels * out_h * out_w, size * size, -1)
    operands = [[fmap[c][i * stride + a][j * stride + b] for a in range(size)
                 for b in range(size)]
                for c in range(channels) for i in range(out_h) for j in range(out_w)]
    while level.shape[1] > 1:
        level, operands = _maximum_level(level, operands)
    pooled = [window[0] for window in operands]
    return [[pooled[(c * out_h + i) * out_w:(c * out_h + i + 1) * out_w] for i in range(out_h)]
            for c in range(channels)]


def pixel_data(fmap) -> np.ndarray | None:
    """The data of a feature map of Values as (C, H, W, N), or None."""
    first = fmap[0][0][0]
    if type(first) is not Value or type(first.data) is not np.ndarray:
        return None
    if any(type(v) is not Value for ch in fmap for row in ch for v in row):
        return None
    try:
        data = np.array([[[v.data for v in row] for row in ch] for ch in fmap], dtype=float)
    except ValueError:
        return None
    return data if data.ndim == 4 else None


def _maximum_level(level: np.ndarray, operands: list) -> tuple[np.ndarray, list]:
    """One level of every window's tree: max(x0, x1), max(x2, x3), ... (an odd last one
    waits for the next level), one node each; partials d max(a, b)/da = 1, ½ at a tie, 0."""
    pairs = level.shape[1] // 2
    a, b = level[:, 0:2 * pairs:2], level[:, 1:2 * pairs:2]
    values = arith.maximum(a, b)
    left, right = arith.larger(a, b), arith.larger(b, a)
    new_operands = []
    for w, window in enumerate(operands):
        nodes = [make_node(values[w, t], "maximum", (window[2 * t], window[2 * t + 1]),
                       (left[w, t], right[w, t]), (window[2 * t], window[2 * t + 1]))
                 for t in range(pairs)]
        new_operands.append(nodes + window[2 * pairs:])
    return np.concatenate([values, level[:, 2 * pairs:]], axis=1), new_operands
