"""The micrograd lecture's names on `Value`, so code written against micrograd runs unchanged.

Karpathy's lecture builds its own `Value` and then writes code that reads it: `Value(2.0,
label='a')`, `e.label = 'e'`, a `draw_dot` that walks `_prev` and prints `_op`, and a manual
backward pass, node by node, with `o._backward()`. Each name maps to one of ours:

    micrograd          zerograd
    label              name
    _prev              parents (a tuple: x*x keeps both edges; _prev is their set, as there)
    _op                op ("add", "mul", ...; _op gives micrograd's "+", "*", "**", ...)
    _backward()        the recorded partials: parent.grad += partial * node.grad, one node

The lecture's tanh is one node; ours is built from primitives (functions.py) and marks its
output with a group (groups.py). For the output of such a composite (tanh, sigmoid, ...) the
lecture's names show it as the lecture does, one node: `_prev` is the composite's input,
`_op` its kind ("tanh"), and `_backward()` its local derivative (through the primitives
inside, by `grad`) times the node's grad. `parents` and `partials` stay the primitives'.

Read next: `viz/layers.py` (the layer view, which reads the groups of groups.py).
"""

from __future__ import annotations

from .batch import reduce_like
from .graph import grad
from .groups import groups_of
from .value import Value

# micrograd's _op for our primitives that it has; the others keep their own names.
MICROGRAD_OPS = {"add": "+", "sub": "-", "neg": "-", "mul": "*", "div": "/", "pow": "**",
                 "relu": "ReLU"}


def _label(node: Value) -> str:
    """micrograd's label: our name ("" for none, as micrograd's default)."""
    return node.name or ""


def _set_label(node: Value, label: str) -> None:
    node.name = label


def _composite(node: Value):
    """The group of the composite (tanh, sigmoid, ...) that made node, if one did."""
    return next((group for group in groups_of(node) if group.inputs is not None), None)


def _prev(node: Value) -> set:
    """micrograd's _prev: the set of a node's parents (a composite's inputs)."""
    composite = _composite(node)
    return set(composite.values() if composite else node.parents)


def _op(node: Value) -> str:
    """micrograd's _op: "+", "*", "**", ..., a composite's kind ("tanh"); "" for a leaf."""
    composite = _composite(node)
    return composite.kind if composite else MICROGRAD_OPS.get(node.op, node.op)


def _backward(node: Value) -> None:
    """The chain rule at this node only, as micrograd's `o._backward()`: every parent's grad
    grows by its local partial times this node's grad (a composite's: d node / d input)."""
    composite = _composite(node)
    if composite:
        parents = composite.values()
        partials = grad(node, parents) if parents else []
    else:
        parents, partials = node.parents, node.partials
    for parent, partial in zip(parents, partials):
        parent.grad = parent.grad + reduce_like(parent, partial * node.grad)


Value.label = property(_label, _set_label, doc="micrograd's name for `name`.")
Value._prev = property(_prev, doc="micrograd's name for the set of `parents`.")
Value._op = property(_op, doc="micrograd's name for `op`, in its symbols.")
Value._backward = _backward
