"""The weighted-sum node: `dot(weights, inputs, bias)` is w0*x0 + w1*x1 + ... + b as ONE node.

A neuron's weighted sum could be built from one mul node per weight and one add node, and
backprop through them is the chain rule you already know. This primitive records the same
thing in one node, whose parents are the weights, the inputs (and the bias), and whose local
partials are

    d(sum)/d(w_i) = x_i        d(sum)/d(x_i) = w_i        d(sum)/d(b) = 1

so it draws, checks and differentiates like every other primitive (`rules.py` has its line).

Why a node of its own: on a batch, one mul node per weight means one numpy call per weight and
per pass. Here the inputs of a layer are stacked once into a matrix (`stack`), a neuron's
forward pass is one matrix-vector product, and its backward pass is the same chain rule,
vectorised: one product `X @ upstream` gives every weight's batch-summed gradient, and the
gradients that go back to the inputs of a whole layer add up in one matrix (`Stack.gradient`)
that is handed to the inputs, row by row, once every neuron of the layer has added its share.
On single samples (floats) the node is plain Python and the generic loop of `graph.py` runs it.

Read next: `functions.py` (sigmoid, tanh, softmax, ... built from the primitives).
"""

from __future__ import annotations

from operator import mul
from typing import Sequence

import numpy as np

from . import arith
from .graph import reduce_like
from .value import Value, _node, constant

Operand = Value | float | np.ndarray


class Stack:
    """A list of operands (Values and constants) with their numbers stacked once.

    `numbers` is an (n,) array when every operand is a float, else an (n, batch) matrix, one
    row per operand. `values` are the operands that are Values and `rows` their positions. In a
    backward pass, the weighted-sum nodes that read this stack leave their shares of its
    gradient in `gradient`, and `flush` adds them up and hands each row to its Value.
    """

    __slots__ = ("operands", "numbers", "values", "rows", "gradient", "backward_pass")

    def __init__(self, operands: Sequence[Operand]) -> None:
        operands = tuple(operands)
        kinds = set(map(type, operands))
        if kinds == {Value}:                  # a neuron's weights, a hidden layer's outputs
            self.operands = self.values = operands
            self.rows = range(len(operands))
            self.numbers = _stacked([x.data for x in operands])
        elif kinds == {np.ndarray} and _same_shape_reals(operands):   # a batch of data
            self.numbers = np.array(operands, dtype=float)   # one copy, one row per feature
            arith.quiet_batch_warnings()
            self.operands = tuple(self.numbers)              # the rows of our copy
            self.values, self.rows = (), []
        else:
            self.operands = tuple(x if type(x) is Value else _constant(x) for x in operands)
            self.values = tuple(x for x in self.operands if type(x) is Value)
            self.rows = [i for i, x in enumerate(self.operands) if type(x) is Value]
            self.numbers = _stacked([x.data if type(x) is Value else x for x in self.operands])
        self.gradient = None        # this pass's shares of the gradient, until it is flushed
        self.backward_pass = None   # the pass that gradient belongs to (its `visited` mark)

    def __len__(self) -> int:
        return len(self.operands)

    def __iter__(self):
        return iter(self.operands)

    def add_gradient(self, partials: np.ndarray, upstream: np.ndarray, visited,
                     stacks: list) -> None:
        """Remember one node's share of the gradient for the stacked operands: its partials
        (the other side's numbers) times its upstream gradient. The first share of a pass
        also tells each Value that a gradient waits for it here, and joins `stacks`, which
        the pass flushes at its end for the leaves (see graph.py)."""
        if self.backward_pass is visited and self.gradient is not None:
            self.gradient.append((partials, upstream))
            return
        self.gradient, self.backward_pass = [(partials, upstream)], visited
        stacks.append(self)
        for value in self.values:
            waiting = value.mark
            value.mark = [self] if waiting is visited else waiting + [self]

    def flush(self) -> None:
        """Add up the shares (one matrix product for a layer) and give each Value its row."""
        shares, self.gradient = self.gradient, None
        if shares is None:
            return                  # already handed over
        gradient = _sum_of_outer_products(shares)
        for value, row in zip(self.values, self.rows):
            value.upstream += reduce_like(value, gradient[row])


def stack(operands: Sequence[Operand]) -> Stack | Sequence[Operand]:
    """Stack a layer's inputs once, so that every neuron's `dot` reads the same matrix.

    Inputs without a batch (single numbers) are returned as they are: one sample is summed in
    plain Python, which is quicker than numpy for a handful of numbers.
    """
    if type(operands) is Stack or not any(type(x.data if type(x) is Value else x) is np.ndarray
                                          for x in operands):
        return operands
    return Stack(operands)


def dot(weights: Sequence[Operand] | Stack, inputs: Sequence[Operand] | Stack,
        bias: Value | float | None = None) -> Value:
    """w0*x0 + w1*x1 + ... (+ bias) as one node with partials x_i, w_i and 1.

    >>> w, x = [Value(2.0), Value(-1.0)], [Value(3.0), Value(4.0)]
    >>> dot(w, x, Value(0.5)).data      # 2*3 - 1*4 + 0.5
    2.5
    """
    if type(inputs) is not Stack and len(weights) == len(inputs) > 0:
        operands = (*weights, *inputs) if bias is None else (*weights, *inputs, bias)
        if set(map(type, operands)) == {Value}:      # a neuron on one sample: the hot path
            node = _dot_of_float_values(operands, len(weights))
            if node is not None:
                return node
        numbers = _one_sample(operands)
        if numbers is not None:                      # one sample: plain Python
            return _dot_of_floats(operands, numbers, len(weights))
    w, x = _as_stack(weights), _as_stack(inputs)
    if len(w) != len(x) or not len(w):
        raise ValueError(f"dot needs as many weights as inputs, at least one; got {len(w)} "
                         f"weights and {len(x)} inputs")
    sizes = {m.shape[1] for m in (w.numbers, x.numbers) if m.ndim == 2 and m.shape[1] != 1}
    if len(sizes) > 1:
        raise ValueError(f"the weights and inputs of dot hold batches of different sizes: "
                         f"{sorted(sizes)}")
    b = () if bias is None else (bias if type(bias) is Value else _constant(bias),)
    total = _weighted_sum(w.numbers, x.numbers)
    if b:
        total = total + (b[0].data if type(b[0]) is Value else b[0])
    if type(total) is not np.ndarray:
        total = float(total)
    parents = w.values + x.values + tuple(v for v in b if type(v) is Value)
    partials = WeightedSumPartials(w, x, parents[-1] if len(parents) > len(w.values) +
                                   len(x.values) else None)
    if type(total) is float:
        partials = tuple(partials)      # no batch: the generic loop of graph.py does it all
    return _node(total, "dot", parents, partials, w.operands + x.operands + b)


def _as_stack(operands) -> Stack:
    return operands if type(operands) is Stack else Stack(operands)


class WeightedSumPartials:
    """The partials of a batch weighted-sum node, aligned with its parents, without copying:
    the partial for a weight is its input's row, for an input its weight's row, for b 1."""

    __slots__ = ("weights", "inputs", "bias")

    def __init__(self, weights: Stack, inputs: Stack, bias: Value | None) -> None:
        self.weights, self.inputs, self.bias = weights, inputs, bias

    def __len__(self) -> int:
        return len(self.weights.values) + len(self.inputs.values) + (self.bias is not None)

    def __iter__(self):
        w, x = self.weights, self.inputs
        yield from (_row(x.numbers, row) for row in w.rows)    # d(sum)/d(w_i) = x_i
        yield from (_row(w.numbers, row) for row in x.rows)    # d(sum)/d(x_i) = w_i
        if self.bias is not None:
            yield 1.0                                          # d(sum)/d(b) = 1

    def __getitem__(self, index: int):
        return list(self)[index]

    def chain(self, upstream: np.ndarray, visited, stacks: list) -> None:
        """The chain rule to every parent at once: each gets its partial times upstream."""
        for side, other in ((self.weights, self.inputs), (self.inputs, self.weights)):
            if not side.values:
                continue
            if side.numbers.ndim == 1:           # float parents (weights): sum over samples
                partials = other.numbers
                if len(side.rows) < len(side):
                    partials = partials[side.rows]
                gradients = _times(partials, upstream).tolist()
                for parent, gradient in zip(side.values, gradients):
                    parent.upstream += gradient
            else:                                # batch parents: add to the stack's matrix
                side.add_gradient(other.numbers, upstream, visited, stacks)
        if self.bias is not None:
            self.bias.upstream += reduce_like(self.bias, upstream)      # d(sum)/d(b) = 1


def _row(numbers: np.ndarray, row: int):
    """Row `row` of a stack: a float, or one batch."""
    return float(numbers[row]) if numbers.ndim == 1 else numbers[row]


def _times(partials: np.ndarray, upstream: np.ndarray) -> np.ndarray:
    """Each row's partials times upstream, summed over the batch: one product."""
    if partials.ndim == 1:
        return partials * upstream.sum()
    if partials.shape[1] == upstream.shape[0]:
        return partials @ upstream
    return (partials * upstream).sum(axis=1)     # a batch of one sample, broadcast


def _sum_of_outer_products(shares: list) -> np.ndarray:
    """sum over the shares of partials_i * upstream for every row i, an (n, batch) matrix.

    When every share has one number per row (the weights of a layer's neurons) and upstream
    gradients of one shape, that is one matrix product: W^T @ U, W one row per neuron."""
    _, first_upstream = shares[0]
    if all(p.ndim == 1 and u.shape == first_upstream.shape for p, u in shares):
        weights = np.array([p for p, _ in shares])          # (neurons, n)
        upstreams = np.array([u for _, u in shares])        # (neurons, batch)
        return weights.T @ upstreams
    return sum(p * u if p.ndim == 2 else np.multiply.outer(p, u) for p, u in shares)


def _weighted_sum(w: np.ndarray, x: np.ndarray):
    """sum_i w_i x_i for every sample: a matrix-vector product when one side is a batch."""
    if x.ndim == 1:
        return x @ w
    if w.ndim == 1:
        return w @ x
    return (w * x).sum(axis=0)          # both batches (or a batch of one sample and a batch)


def _stacked(numbers: list) -> np.ndarray:
    """The numbers as an (n,) array, or an (n, batch) matrix when some are batches."""
    kinds = set(map(type, numbers))
    if kinds == {float}:
        return np.fromiter(numbers, float, len(numbers))
    if kinds == {np.ndarray} and len({x.shape for x in numbers}) == 1:
        return np.array(numbers)          # batches of one size (as_data made them 1-D floats)
    sizes = {x.size for x in numbers if type(x) is np.ndarray and x.size != 1}
    if len(sizes) > 1:
        raise ValueError(f"the inputs of dot hold batches of different sizes: {sorted(sizes)}")
    size = sizes.pop() if sizes else 1
    matrix = np.empty((len(numbers), size))
    for row, x in enumerate(numbers):
        matrix[row] = x                   # a float, or a batch of one sample, is broadcast
    return matrix


def _same_shape_reals(arrays) -> bool:
    """True if the arrays are 1-D batches of real numbers, all of one size."""
    return (len({x.shape for x in arrays}) == 1 and arrays[0].ndim == 1 and arrays[0].size > 0
            and {x.dtype.kind for x in arrays} <= set("biuf"))


def _dot_of_float_values(operands: tuple, n: int) -> Value | None:
    """The one-sample node when every operand is a Value; None if some hold a batch."""
    numbers = [v.data for v in operands]
    w, x = numbers[:n], numbers[n:2 * n]
    total = sum(map(mul, w, x), 0.0)          # a float exactly when no operand is a batch
    if type(total) is not float:
        return None
    if len(operands) > 2 * n:
        total += numbers[-1]
        if type(total) is not float:
            return None
        return _node(total, "dot", operands, (*x, *w, 1.0), operands)
    return _node(total, "dot", operands, (*x, *w), operands)


def _one_sample(operands: tuple) -> list[float] | None:
    """The numbers of one sample's operands (Values and plain numbers), or None for a batch."""
    numbers = [x.data if type(x) is Value else x for x in operands]
    kinds = set(map(type, numbers))
    if kinds == {float}:
        return numbers
    if kinds <= {float, int}:
        return [float(x) for x in numbers]
    return None


def _dot_of_floats(operands: tuple, numbers: list[float], n: int) -> Value:
    """The one-sample node, summed in the same order as mul and add nodes would sum it.

    operands are the n weights, the n inputs, then maybe the bias; numbers are their data."""
    w, x = numbers[:n], numbers[n:2 * n]
    total = sum(map(mul, w, x), 0.0)
    if len(operands) > 2 * n:
        total += numbers[-1]
    partials = (*x, *w, 1.0)           # d/dw_i = x_i, d/dx_i = w_i, d/db = 1
    if set(map(type, operands)) == {Value}:
        return _node(total, "dot", operands, partials[:len(operands)], operands)
    parents = tuple(v for v in operands if type(v) is Value)
    partials = tuple(p for p, v in zip(partials, operands) if type(v) is Value)
    return _node(total, "dot", parents, partials, operands)


def _constant(x):
    c = constant(x)
    if c is None:
        raise TypeError(f"dot takes Values and numbers (or batch arrays); got {type(x).__name__}")
    return c


