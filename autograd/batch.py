"""The chain rule on batches: the hook that graph.py's backward pass calls for a batch node.

A Value may hold a batch (one number per sample, see `value.py`). Backprop through it is the
same rule as for one number, `parent.upstream += partial * upstream`, with two details:
- a float parent used by a batch node was used once per sample, so its gradient is the sum of
  the per-sample terms (`reduce_like`, as in PyTorch);
- a weighted-sum node (`autograd.dot`) on a batch is vectorised: the inputs of a layer are
  stacked once into a matrix (`Stack`), and backward computes every weight's gradient with one
  matrix product and the gradients of a layer's inputs with another (Wᵀ·U). The shares of a
  layer's neurons wait in their Stack until every neuron has added its own (`Waiting`), then
  each input gets its row.

`chain(node, upstream)` does one node's step; `keep(node, retain_grad)` stores its gradient
once the pass is over. Nothing here changes the numbers: tests compare every batch program
with one scalar graph per sample.

Read next: `weighted_sum.py` (dot, the weighted-sum node, which makes the Stacks).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from . import arith
from .arith import is_node


def chain(node, upstream) -> None:
    """The chain rule at a node whose gradient is a batch (or still waits in Stacks)."""
    if type(upstream) is Waiting:
        upstream = node.upstream = settle(upstream)   # every consumer is done: collect it
        if type(upstream) is float:                   # a single number after all
            for parent, partial in zip(node.parents, node.partials):
                parent.upstream += partial * upstream
            return
    stacked = getattr(node, "stacks", None)
    if stacked is not None:                           # a weighted-sum node on a batch
        stacked.chain(upstream, node.mark)
        return
    for parent, partial in zip(node.parents, node.partials):
        parent.upstream += reduce_like(parent, partial * upstream)


def keep(node, retain_grad: bool) -> None:
    """Store a batch gradient in `.grad` once the pass is over (see graph.backward).

    Leaves, named nodes and single numbers keep theirs; an unnamed intermediate batch node
    gets `.grad = None` unless retain_grad, so a training step keeps no array per node.
    """
    gradient, node.upstream = settle(node.upstream), None
    if type(gradient) is float or retain_grad or node.name or not node.parents:
        grad = node.grad
        node.grad = gradient if grad is None else grad + gradient
    else:
        node.grad = None


def reduce_like(parent, gradient):
    """gradient given parent's shape: a parent broadcast over the batch gets the sum over it.

    A float parent used by a batch node was used once per sample, so its gradient is the sum
    of the per-sample terms (the batch of one sample [x] likewise, as in PyTorch). Each term is
    reduced as it arrives, so a float node's gradient never holds a batch: its float consumers
    add plain numbers, whatever the order in which the terms arrive.
    """
    target = parent.data
    if type(gradient) is np.ndarray:                # numbers: the common, batch case
        if type(target) is float:
            return float(gradient.sum())
        return gradient if gradient.shape == target.shape else gradient.sum(keepdims=True)
    if not is_node(gradient) or np.shape(gradient.data) == np.shape(target):
        return gradient                             # a float; a Value (create_graph) that fits
    total = gradient.sum()
    return total if type(target) is float else total * np.ones(target.shape)


# ---------------------------------------------------------------- gradients waiting in a Stack

class Waiting:
    """A node's gradient while part of it still waits in Stacks: what has arrived so far
    (`arrived`, added to as usual) and the Stacks that still hold a row for it."""

    __slots__ = ("arrived", "stacks")

    def __init__(self, arrived, stack: Stack) -> None:
        self.arrived, self.stacks = arrived, [stack]

    def __add__(self, term) -> Waiting:
        self.arrived = self.arrived + term
        return self


def settle(upstream):
    """A gradient with nothing waiting any more: each Stack still holding a row hands it over."""
    while type(upstream) is Waiting:
        upstream.stacks[0].flush()
        upstream = _after_flush(upstream)
    return upstream


def _after_flush(waiting: Waiting):
    return waiting if waiting.stacks else waiting.arrived


class Stack:
    """A list of operands (Values and constants) with their numbers stacked once.

    `numbers` is an (n,) array when every operand is a float, else an (n, batch) matrix, one
    row per operand. `values` are the operands that are Values and `rows` their positions. In a
    backward pass, the weighted-sum nodes that read this stack leave their shares of its
    gradient here, and `flush` adds them up and hands each row to its Value.
    """

    __slots__ = ("operands", "numbers", "values", "rows", "shares", "backward_pass", "_each",
                 "_each_and_one")

    def __init__(self, operands: Sequence) -> None:
        operands = tuple(operands)
        kinds = set(map(type, operands))
        if len(kinds) == 1 and is_node(operands[0]):         # weights, a hidden layer's outputs
            self.operands = self.values = operands
            self.rows = range(len(operands))
            self.numbers = _stacked([x.data for x in operands])
        elif kinds == {np.ndarray} and _same_shape_reals(operands):   # a batch of data
            self.numbers = np.array(operands, dtype=float)   # one copy, one row per feature
            arith.quiet_batch_warnings()
            self.operands = tuple(self.numbers)              # the rows of our copy
            self.values, self.rows = (), []
        else:
            self.operands = tuple(x if is_node(x) else dot_constant(x) for x in operands)
            self.values = tuple(x for x in self.operands if is_node(x))
            self.rows = [i for i, x in enumerate(self.operands) if is_node(x)]
            self.numbers = _stacked([x.data if is_node(x) else x for x in self.operands])
        self.shares = None          # this pass's shares of the gradient, until flushed
        self.backward_pass = None   # the pass those shares belong to (its mark)
        self._each = None           # each row's numbers, made once (numbers_at)
        self._each_and_one = None   # the same and a 1: every neuron of a layer shares it

    def __len__(self) -> int:
        return len(self.operands)

    def __iter__(self):
        return iter(self.operands)

    def numbers_at(self, rows: Sequence[int], and_one: bool = False) -> tuple:
        """The numbers of these rows, each a float or one batch (the partials of a dot node),
        then 1.0 if and_one (a bias's partial)."""
        if self._each is None:
            numbers = self.numbers
            self._each = tuple(numbers.tolist() if numbers.ndim == 1 else numbers)
        if type(rows) is range and len(rows) == len(self._each):        # every row: shared
            if not and_one:
                return self._each
            if self._each_and_one is None:
                self._each_and_one = self._each + (1.0,)
            return self._each_and_one
        return tuple(self._each[row] for row in rows) + ((1.0,) if and_one else ())

    def add_share(self, partials: np.ndarray, upstream: np.ndarray, backward_pass) -> None:
        """Remember one node's share of this stack's gradient: its partials (the other side's
        numbers) times its upstream gradient. The first share of a pass tells each Value
        that part of its gradient waits here."""
        if self.backward_pass is backward_pass and self.shares is not None:
            self.shares.append((partials, upstream))
            return
        self.shares, self.backward_pass = [(partials, upstream)], backward_pass
        for value in self.values:
            if type(value.upstream) is Waiting:
                value.upstream.stacks.append(self)
            else:
                value.upstream = Waiting(value.upstream, self)

    def flush(self) -> None:
        """Add up the shares (one matrix product for a layer) and give each Value its row."""
        shares, self.shares = self.shares, None
        if shares is None:
            return
        gradient = _sum_of_outer_products(shares)
        for value, row in zip(self.values, self.rows):
            waiting = value.upstream
            waiting.stacks.remove(self)
            waiting.arrived = waiting.arrived + reduce_like(value, gradient[row])
            if not waiting.stacks:
                value.upstream = waiting.arrived


class WeightedSum:
    """What a weighted-sum node on a batch read: its weights and inputs as Stacks, and maybe a
    bias; `chain` is its backward step, every parent at once (node.stacks holds one)."""

    __slots__ = ("weights", "inputs", "bias")

    def __init__(self, weights: Stack, inputs: Stack, bias) -> None:
        self.weights, self.inputs, self.bias = weights, inputs, bias

    def partials(self) -> tuple:
        """The node's partials, aligned with its parents: x_i for w_i, w_i for x_i, 1 for b.
        (A layer's first neurons read constant inputs: they all share one tuple.)"""
        bias = self.bias is not None
        for_inputs = self.weights.numbers_at(self.inputs.rows)            # d(sum)/d(x_i) = w_i
        if not for_inputs:
            return self.inputs.numbers_at(self.weights.rows, bias)        # d(sum)/d(w_i) = x_i
        return (self.inputs.numbers_at(self.weights.rows) + for_inputs
                + ((1.0,) if bias else ()))

    def chain(self, upstream: np.ndarray, backward_pass) -> None:
        """The chain rule to every parent at once: each gets its partial times upstream."""
        for side, other in ((self.weights, self.inputs), (self.inputs, self.weights)):
            if not side.values:
                continue
            if side.numbers.ndim == 1:           # float parents (weights): sum over samples
                partials = other.numbers
                if len(side.rows) < len(side):
                    partials = partials[side.rows]
                for parent, gradient in zip(side.values, _times(partials, upstream).tolist()):
                    parent.upstream += gradient
            else:                                # batch parents: a share in the stack
                side.add_share(other.numbers, upstream, backward_pass)
        if self.bias is not None:
            self.bias.upstream += reduce_like(self.bias, upstream)      # d(sum)/d(b) = 1


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


def dot_constant(x):
    """x as a constant operand of dot, or a TypeError naming what dot takes."""
    c = arith.constant(x)
    if c is None:
        raise TypeError(f"dot takes Values and numbers (or batch arrays); got {type(x).__name__}")
    return c
