"""The backward pass: put the graph in topological order, then apply the chain rule backwards.

Every node records its local partials d(node)/d(parent) when it is made (`value.py`). The
gradient of the output with respect to a parent is then the sum, over the nodes that use it,
of `partial * upstream gradient`:

    for node in reversed(order):             # the output first, the inputs last
        for parent, partial in zip(node.parents, node.partials):
            parent.upstream += partial * node.upstream    # the chain rule

That loop is `_propagate` below, as it runs. A node holding a batch takes the same step in
`batch.chain` (read it later: the sum over samples, and the weighted-sum node vectorised).
`backward` then adds each gradient into `.grad`; `grad` returns them and leaves `.grad` alone,
and with `create_graph=True` builds them as Values (`_propagate_as_values`), so they can be
differentiated again. A pass keeps its bookkeeping (`mark`, `upstream`) on the nodes
themselves, so two passes over graphs that share nodes must not run at the same time in
different threads (drawings may: `topological_order` keeps its own set and changes no node).

Python's cyclic garbage collector would walk the whole graph again and again while it grows
and while a pass runs. A graph holds no reference cycles (reference counting frees it), so
the engine pauses the collector from the first node made until the end of the next backward
pass, then gives it back its settings (`collector.py` says how, and why nothing leaks).

Read next: `functions.py` (sigmoid, tanh, softmax, ... built from the primitives).
"""

from __future__ import annotations

import numpy as np

from . import batch, modes
from .arith import as_data, is_node
from .batch import reduce_like
from .rules import partials_as_values


def topological_order(root) -> list:
    """Every node root depends on (root included), each listed after all of its parents.

    An iterative depth-first search, so a graph a million nodes deep needs no recursion. It
    keeps the nodes it has seen in a set of its own and changes no node, so drawings may list
    one graph from several threads at once, even while it is backpropagated.
    """
    order, seen = [], {id(root)}
    stack = [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, iter(parent.parents)))
                break                         # finish this parent's ancestors first
        else:                                 # every parent is listed: so is the node
            stack.pop()
            order.append(node)
    return order


def _depth_first(root, start) -> tuple[list, list]:
    """The backward pass's search: the nodes with parents in topological order, the leaves
    apart (no order needed); each node's `upstream` set to start and marked as seen (cheaper
    than a set). A node leaves the stack twice: first it is `opened` and goes back under its
    parents (the first on top), then, its parents all listed, it is listed."""
    opened, visited = object(), object()
    order, leaves, stack = [], [], [root]
    while stack:
        node = stack.pop()
        if node.mark is opened:               # the second time: every parent is listed
            node.mark = visited
            order.append(node)
        elif node.mark is not visited:        # the first time (or on the stack twice)
            node.mark, node.upstream = opened, start
            stack.append(node)
            for parent in reversed(node.parents):
                if parent.mark is visited:
                    continue
                if parent.parents:
                    stack.append(parent)      # list its ancestors first
                else:                         # a leaf: nothing to wait for
                    parent.mark, parent.upstream = visited, start
                    leaves.append(parent)
    return order, leaves


def backward(root, gradient: float | np.ndarray = 1.0, retain_grad: bool = False) -> None:
    """Add d(root)/d(node) * gradient into `.grad` of every node root depends on.

    Every leaf, every named node and every single-number node keeps its gradient. An unnamed
    intermediate node holding a batch gets `.grad = None` instead, so a training step does not
    keep one gradient array per node; `retain_grad=True` (or a name) keeps those too.
    """
    try:
        interior, leaves = _propagate(root, _seed(root, gradient))
        _keep(leaves, retain_grad)
        _keep(interior, retain_grad)
    finally:
        modes.resume_collector()              # the graph is built and backpropagated


def _keep(nodes: list, retain_grad: bool) -> None:
    """Add each node's gradient of this pass into its `.grad`, which adds up across calls,
    like PyTorch's (a batch: batch.keep)."""
    for node in nodes:
        gradient = node.upstream
        if type(gradient) is float:
            grad = node.grad                  # (0 + g is g: no new number for a fresh node)
            node.grad = grad + gradient if grad else gradient
        else:
            batch.keep(node, retain_grad)


def grad(output, inputs, create_graph: bool = False) -> list:
    """The derivatives of output with respect to each input, leaving `.grad` untouched.

    With create_graph=True they are Values whose graph can be differentiated again:

    >>> x = Value(0.5)
    >>> [dy] = grad(x ** 3, [x], create_graph=True)    # 3x^2
    >>> [d2y] = grad(dy, [x])                           # 6x = 3.0
    """
    try:
        inputs, seed = _check_inputs(inputs), _seed(output, 1.0)
        if create_graph:
            interior, leaves = _propagate_as_values(output, type(output)(seed))
        else:
            interior, leaves = _propagate(output, seed)
        reached = set(interior).union(leaves)
        gradients = [batch.settle(x.upstream) if x in reached
                     else _zero_like(x, create_graph) for x in inputs]
        for node in interior + leaves:
            node.upstream = None              # the pass's bookkeeping: not kept
        return gradients
    finally:
        modes.resume_collector()


def _propagate(root, seed) -> tuple[list, list]:
    """The chain rule from root back to the leaves; each node's gradient lands in `upstream`.
    Returns the nodes with parents, in topological order, and the leaves."""
    interior, leaves = _depth_first(root, 0.0)
    root.upstream = seed
    for node in reversed(interior):           # every consumer of a node comes before it
        upstream = node.upstream
        if type(upstream) is float:
            for parent, partial in zip(node.parents, node.partials):
                parent.upstream += partial * upstream   # the chain rule; branches add up
        else:
            batch.chain(node, upstream)       # the same step on a batch (batch.py)
    if modes.anomaly_on():
        modes.check_pass(interior)            # a nan or inf passed back: raise, naming it
    return interior, leaves


def _propagate_as_values(root, seed) -> tuple[list, list]:
    """create_graph: the same chain rule, with every partial built as a Value from the rule
    table (`rules.partials_as_values`), so each gradient is a graph of its own."""
    interior, leaves = _depth_first(root, _NOTHING_YET)
    root.upstream = seed
    for node in reversed(interior):
        upstream = node.upstream
        for parent, partial in zip(node.parents, partials_as_values(node)):
            parent.upstream += reduce_like(parent, _times(partial, upstream))
    if modes.anomaly_on():
        modes.check_pass(interior)
    return interior, leaves


def _times(partial, upstream):
    """partial * upstream; a partial of exactly 1 or -1 passes upstream on (negated), so the
    graph that create_graph builds has no ×1 or ×-1 nodes. The numbers are the same."""
    if type(partial) is float:
        if partial == 1.0:
            return upstream
        if partial == -1.0:
            return -upstream
    return partial * upstream


class _NothingYet:
    """The zero that create_graph's gradients start from: nothing + g is g itself, so the
    gradient graph gets no `0 + g` add nodes."""

    def __add__(self, other):
        return other


_NOTHING_YET = _NothingYet()


def _seed(root, gradient) -> float | np.ndarray:
    """The starting gradient d(root)/d(root) * gradient, shaped like root's data."""
    if not is_node(root) or not hasattr(root, "parents"):
        raise TypeError(f"backward starts from a Value; got {type(root).__name__}")
    seed = as_data(gradient)
    if isinstance(root.data, np.ndarray):
        return np.broadcast_to(seed, root.data.shape).astype(float)
    if isinstance(seed, np.ndarray):
        raise ValueError(f"the gradient for a single (non-batch) Value must be a number; "
                         f"got an array of shape {seed.shape}")
    return seed


def _check_inputs(inputs) -> list:
    if is_node(inputs) and hasattr(inputs, "parents"):
        raise TypeError("grad() takes a list of inputs: write grad(y, [x]), not grad(y, x)")
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not (is_node(x) and hasattr(x, "parents")):
            raise TypeError(f"grad() inputs must be Values; input {i} is {type(x).__name__}")
    return inputs


def _zero_like(x, create_graph: bool):
    """The gradient of an input the output does not depend on."""
    zero = np.zeros_like(x.data) if isinstance(x.data, np.ndarray) else 0.0
    return type(x)(zero) if create_graph else zero
