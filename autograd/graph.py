"""The backward pass: put the graph in topological order, then apply the chain rule backwards.

Every node records its local partials d(node)/d(parent) when it is made (`value.py`). The
gradient of the output with respect to a parent is then the sum, over the nodes that use it,
of `partial * upstream gradient`:

    for node in reversed(order):             # the output first, the inputs last
        for parent, partial in zip(node.parents, node.partials):
            parent.upstream += partial * node.upstream    # the chain rule

`backward` adds these gradients into `.grad`; `grad` returns them and leaves `.grad` alone,
and with `create_graph=True` builds them as Values, so they can be differentiated again.
A pass keeps its bookkeeping (`mark`, `upstream`) on the nodes themselves, so two passes over
graphs that share nodes must not run at the same time in different threads.

Read next: `functions.py` (sigmoid, tanh, softmax, ... built from the primitives).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

import numpy as np

from . import modes
from .rules import symbolic_partials
from .value import Value, as_data


def topological_order(root: Value) -> list[Value]:
    """Every node root depends on (root included), each listed after all of its parents.

    An iterative depth-first search, so a graph a million nodes deep needs no recursion. A node
    is visited once it carries this search's fresh mark (cheaper than a set of visited nodes).
    """
    order, _ = _depth_first(root, start=None, leaves_apart=False)
    return order


def _depth_first(root: Value, start, leaves_apart: bool) -> tuple[list[Value], list[Value]]:
    """The search of topological_order. It also sets each node's `upstream` to start (a pass's
    gradients start from zero), and with leaves_apart it lists the leaves separately: the
    chain rule has nothing to do at a leaf, so a backward pass need not visit them in order."""
    visited = object()
    root.mark, root.upstream = visited, start
    order: list[Value] = []
    leaves = [] if leaves_apart else order
    stack = [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent.mark is not visited:
                parent.mark, parent.upstream = visited, start
                if parent.parents:
                    stack.append((parent, iter(parent.parents)))
                    break                     # finish this parent's ancestors first
                leaves.append(parent)         # a leaf has no ancestors to wait for
        else:                                 # every parent is listed: so is the node
            stack.pop()
            order.append(node)
    return order, leaves


def backward(root: Value, gradient: float | np.ndarray = 1.0, retain_grad: bool = False) -> None:
    """Add d(root)/d(node) * gradient into `.grad` of every node root depends on.

    Every leaf, every named node and every single-number node keeps its gradient. An unnamed
    intermediate node holding a batch gets `.grad = None` instead, so a training step does not
    keep one gradient array per node; `retain_grad=True` (or a name) keeps those too.
    """
    batches, leaves = _propagate(root, _seed(root, gradient), create_graph=False, into_grad=True)
    for leaf in leaves:
        leaf.grad += leaf.upstream            # adds up across calls, like PyTorch
    for node in batches:                      # (single numbers got theirs during the pass)
        gradient, node.upstream = node.upstream, None
        if retain_grad or node.name or not node.parents:
            grad = node.grad
            node.grad = gradient if grad is None else grad + gradient
        else:
            node.grad = None                  # an intermediate batch: not kept (see above)


def grad(output: Value, inputs, create_graph: bool = False) -> list:
    """The derivatives of output with respect to each input, leaving `.grad` untouched.

    With create_graph=True they are Values whose graph can be differentiated again:

    >>> x = Value(0.5)
    >>> [dy] = grad(x ** 3, [x], create_graph=True)    # 3x^2
    >>> [d2y] = grad(dy, [x])                           # 6x = 3.0
    """
    inputs = _check_inputs(inputs)
    seed = _seed(output, 1.0)
    interior, leaves = _propagate(output, Value(seed) if create_graph else seed, create_graph)
    reached = set(interior) | set(leaves)
    gradients = [x.upstream if x in reached else _zero_like(x, create_graph) for x in inputs]
    for node in reached:
        node.upstream = None                  # the pass's bookkeeping: not kept
    return gradients


def _propagate(root: Value, seed, create_graph: bool, into_grad: bool = False
               ) -> tuple[list[Value], list[Value]]:
    """The chain rule from root back to the leaves; each node's gradient lands in `upstream`.

    Returns the nodes with parents, in topological order, and the leaves. With into_grad, a
    node holding one number also adds its gradient into `.grad` as the pass reaches it, and
    the first list holds only the nodes holding a batch, for backward() to finish."""
    with _cyclic_gc_paused():
        start = _NOTHING_YET if create_graph else 0.0
        interior, leaves = _depth_first(root, start, leaves_apart=True)
        root.upstream = seed
        check = modes.anomaly_on()
        visited = root.mark                   # the mark _depth_first gave every node
        stacks: list = []                     # stacks weighted-sum nodes left gradients in
        batches = []                          # the nodes holding a batch (for into_grad)
        for node in reversed(interior):       # every consumer of a node comes before it
            if node.mark is not visited:      # weighted-sum nodes left its gradient in a stack
                _take_from_stacks(node, visited)
            upstream = node.upstream
            partials = symbolic_partials(node) if create_graph else node.partials
            if type(upstream) is float:       # one number: each term has its parent's shape
                for parent, partial in zip(node.parents, partials):
                    parent.upstream += partial * upstream   # the chain rule; branches add up
                if into_grad:
                    node.grad += upstream     # complete now: every consumer came before
            else:                             # a batch (or a Value, under create_graph)
                batches.append(node)
                if type(partials) is not tuple and not create_graph:
                    partials.chain(upstream, visited, stacks)   # a batch weighted-sum node:
                                              # the same chain rule, vectorised (weighted_sum.py)
                else:
                    for parent, partial in zip(node.parents, partials):
                        parent.upstream += reduce_like(parent, _times(partial, upstream))
            if check:
                modes.check_gradients(node, partials, upstream)
        for stack in stacks:                  # the rows still waiting are the leaves'
            stack.flush()
    return (batches if into_grad else interior), leaves


def _times(partial, upstream):
    """partial * upstream; a partial of exactly 1 or -1 passes upstream on (negated), so the
    graph that create_graph builds has no ×1 or ×-1 nodes. The numbers are the same."""
    if type(partial) is float:
        if partial == 1.0:
            return upstream
        if partial == -1.0:
            return -upstream
    return partial * upstream


def _take_from_stacks(node: Value, visited) -> None:
    """Every consumer of node is done: the stacks it sits in hand over their gradient rows."""
    for stack in node.mark:
        stack.flush()
    node.mark = visited


def reduce_like(parent: Value, gradient):
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
    if type(gradient) is not Value or np.shape(gradient.data) == np.shape(target):
        return gradient                             # a float; a Value (create_graph) that fits
    total = gradient.sum()
    return total if type(target) is float else total * np.ones(target.shape)


class _NothingYet:
    """The zero that create_graph's gradients start from: nothing + g is g itself, so the
    gradient graph gets no `0 + g` add nodes."""

    def __add__(self, other):
        return other


_NOTHING_YET = _NothingYet()


@contextmanager
def _cyclic_gc_paused():
    """Pause Python's cyclic garbage collector, which would rescan the whole graph many times
    while the pass allocates. The pass makes no reference cycles, so nothing is missed."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _seed(root: Value, gradient) -> float | np.ndarray:
    """The starting gradient d(root)/d(root) * gradient, shaped like root's data."""
    if not isinstance(root, Value):
        raise TypeError(f"backward starts from a Value; got {type(root).__name__}")
    seed = as_data(gradient)
    if isinstance(root.data, np.ndarray):
        return np.broadcast_to(seed, root.data.shape).astype(float)
    if isinstance(seed, np.ndarray):
        raise ValueError(f"the gradient for a single (non-batch) Value must be a number; "
                         f"got an array of shape {seed.shape}")
    return seed


def _check_inputs(inputs) -> list[Value]:
    if isinstance(inputs, Value):
        raise TypeError("grad() takes a list of inputs: write grad(y, [x]), not grad(y, x)")
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad() inputs must be Values; input {i} is {type(x).__name__}")
    return inputs


def _zero_like(x: Value, create_graph: bool):
    """The gradient of an input the output does not depend on."""
    zero = np.zeros_like(x.data) if isinstance(x.data, np.ndarray) else 0.0
    return Value(zero) if create_graph else zero
