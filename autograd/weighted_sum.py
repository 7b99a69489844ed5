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
gradients that go back to the inputs of a whole layer add up in one matrix that is handed to
the inputs, row by row, once every neuron of the layer has added its share (`batch.py` does
that backward step). On single samples (floats) the node is plain Python, and the generic loop
of `graph.py` runs it like any other node.

Read next: `groups.py` (how composites mark their outputs, so drawings show each as one node).
"""

from __future__ import annotations

from operator import mul
from typing import Sequence

import numpy as np

from .batch import Stack, WeightedSum, dot_constant
from .value import Value, make_node, constant

Operand = Value | float | np.ndarray


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
        node = _dot_of_one_sample(weights, inputs, bias)
        if node is not None:
            return node
    w, x = _checked_stacks(weights, inputs)
    b = () if bias is None else (bias if type(bias) is Value else dot_constant(bias),)
    total = _weighted_sum(w.numbers, x.numbers)
    if b:
        total = total + (b[0].data if type(b[0]) is Value else b[0])
    total = total if type(total) is np.ndarray else float(total)
    bias_value = b[0] if b and type(b[0]) is Value else None
    parents = w.values + x.values + ((bias_value,) if bias_value is not None else ())
    summed = WeightedSum(w, x, bias_value)
    node = make_node(total, "dot", parents, summed.partials(), w.operands + x.operands + b)
    if type(total) is not float:
        node.stacks = summed            # batch.chain runs its vectorised backward
    return node


def _dot_of_one_sample(weights, inputs, bias) -> Value | None:
    """The node in plain Python when no operand holds a batch, else None."""
    operands = (*weights, *inputs) if bias is None else (*weights, *inputs, bias)
    if set(map(type, operands)) == {Value}:          # a neuron on one sample: the hot path
        node = _dot_of_float_values(operands, len(weights))
        if node is not None:
            return node
    numbers = _one_sample(operands)
    if numbers is None:
        return None
    return _dot_of_floats(operands, numbers, len(weights))


def _checked_stacks(weights, inputs) -> tuple[Stack, Stack]:
    """The weights and the inputs as Stacks, of one length and one batch size."""
    w, x = _as_stack(weights), _as_stack(inputs)
    if len(w) != len(x) or not len(w):
        raise ValueError(f"dot needs as many weights as inputs, at least one; got {len(w)} "
                         f"weights and {len(x)} inputs")
    sizes = {m.shape[1] for m in (w.numbers, x.numbers) if m.ndim == 2 and m.shape[1] != 1}
    if len(sizes) > 1:
        raise ValueError(f"the weights and inputs of dot hold batches of different sizes: "
                         f"{sorted(sizes)}")
    return w, x


def _as_stack(operands) -> Stack:
    return operands if type(operands) is Stack else Stack(operands)


def _weighted_sum(w: np.ndarray, x: np.ndarray):
    """sum_i w_i x_i for every sample: a matrix-vector product when one side is a batch."""
    if x.ndim == 1:
        return x @ w
    if w.ndim == 1:
        return w @ x
    return (w * x).sum(axis=0)          # both batches (or a batch of one sample and a batch)


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
        return make_node(total, "dot", operands, (*x, *w, 1.0), operands)
    return make_node(total, "dot", operands, (*x, *w), operands)


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
        return make_node(total, "dot", operands, partials[:len(operands)], operands)
    parents = tuple(v for v in operands if type(v) is Value)
    partials = tuple(p for p, v in zip(partials, operands) if type(v) is Value)
    return make_node(total, "dot", parents, partials, operands)
