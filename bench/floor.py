"""The floor: the least work a pure-Python engine of zerograd's design can do, for comparison.

zerograd records each node's local partials when the node is made, gives a neuron one
weighted-sum node, sorts the graph iteratively and pushes `partial * upstream` into every parent.
This file does exactly that and nothing else: no op names, no names, no constants kept for
drawing, no batches, no no_grad or anomaly checks, no input checks. No engine of this design written
in Python can do less per node, so `bench_engine` times it next to zerograd: the gap between
the two is what zerograd's features cost, and the floor's ratios against micrograd and PyTorch
are the best this design can reach. Not for use: it gives wrong answers on anything unusual.
"""

from __future__ import annotations

import gc
from operator import mul

_new = object.__new__


class FloorValue:
    """A node: data, grad, parents and the local partials d(self)/d(parent)."""

    __slots__ = ("data", "grad", "parents", "partials", "mark", "upstream")

    def __init__(self, data: float) -> None:
        self.data, self.grad, self.parents, self.partials, self.mark = data, 0.0, (), (), None

    def __add__(self, other: FloorValue | float) -> FloorValue:
        """self + other; other a node or a Python float."""
        if type(other) is FloorValue:
            return _node(self.data + other.data, (self, other), (1.0, 1.0))
        return _node(self.data + other, (self,), (1.0,))

    def __mul__(self, other: FloorValue | float) -> FloorValue:
        """self * other; other a node or a Python float."""
        if type(other) is FloorValue:
            return _node(self.data * other.data, (self, other), (other.data, self.data))
        return _node(self.data * other, (self,), (other,))

    def relu(self) -> FloorValue:
        """self times a constant gate, 1 where self > 0, else 0."""
        gate = 1.0 if self.data > 0 else 0.0
        return _node(self.data * gate, (self,), (gate,))

    def backward(self) -> None:
        """Add d(self)/d(node) into every node's grad."""
        backward(self)


def _node(data: float, parents: tuple, partials: tuple) -> FloorValue:
    node = _new(FloorValue)
    node.data, node.grad, node.mark = data, 0.0, None
    node.parents, node.partials = parents, partials
    return node


def dot(weights: list[FloorValue], inputs: list[FloorValue], bias: FloorValue) -> FloorValue:
    """One weighted-sum node: w0*x0 + w1*x1 + ... + b, partials x_i, w_i and 1."""
    w, x = [v.data for v in weights], [v.data for v in inputs]
    return _node(sum(map(mul, w, x), 0.0) + bias.data, (*weights, *inputs, bias), (*x, *w, 1.0))


def total(values: list[FloorValue]) -> FloorValue:
    """One n-ary add node over the values."""
    return _node(sum([v.data for v in values]), tuple(values), (1.0,) * len(values))


def backward(root: FloorValue) -> None:
    """An iterative depth-first topological sort, then the chain rule in reverse order."""
    enabled = gc.isenabled()
    gc.disable()
    visited = object()
    root.mark, interior, leaves = visited, [], []
    stack = [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent.mark is not visited:
                parent.mark, parent.upstream = visited, 0.0
                if parent.parents:
                    stack.append((parent, iter(parent.parents)))
                    break
                leaves.append(parent)
        else:
            stack.pop()
            interior.append(node)
    root.upstream = 1.0
    for node in reversed(interior):
        upstream = node.upstream
        for parent, partial in zip(node.parents, node.partials):
            parent.upstream += partial * upstream
    for node in interior + leaves:
        node.grad += node.upstream
    if enabled:
        gc.enable()
