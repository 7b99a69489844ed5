"""Groups: the nodes one composite function made, seen as one (the layer view of the book).

sigmoid, tanh, softmax, log_softmax, a neuron, a layer and the losses are built from
primitives, so backprop through them is the chain rule over every exp and ÷ inside. After
building its result, each of them calls `mark`, which records on its output node(s) a `Group`:
what kind of composite it was, its name, and its inputs. Nothing else changes: the values,
the recorded partials and the backward pass are the primitives'.

A drawing can then show a group as ONE node (sigmoid with ∂ = y(1 − y), a neuron, softmax
with loss ∂ = y − t), whose local partial d(output)/d(input) it computes from the partials
recorded inside the group, so the picture always agrees with backprop (`viz/layers.py`).
The nodes inside a group are found when drawing: walk back from the output until the inputs.
A module (a neuron, a layer) makes its group once, with its parameters and no inputs, so
recording costs next to nothing on the hot path. (relu is a primitive: one node already.)

Read next: `micrograd.py` (the micrograd lecture's names), then `viz/layers.py` (the layer
view, which reads these records).
"""

from __future__ import annotations

from typing import Iterable


class Group:
    """A composite's record on its output node(s): kind ("sigmoid", "neuron", ...), name, and
    the operands it read (`values()`: the Values among them). One group is shared by all the
    outputs of one call (softmax's)."""

    __slots__ = ("kind", "name", "inputs", "params")

    def __init__(self, kind: str, inputs: tuple | None, name: str | None = None,
                 params: tuple = ()) -> None:
        self.kind, self.inputs, self.name, self.params = kind, inputs, name, params

    def values(self) -> tuple:
        """The inputs that are Values (constants have no node to draw)."""
        return tuple(x for x in self.inputs or () if type(x) is Value)

    def __repr__(self) -> str:
        named = f" {self.name!r}" if self.name else ""
        return f"Group({self.kind}{named}, {len(self.values())} inputs)"


def mark(kind: str, outputs, inputs: Iterable, name: str | None = None) -> None:
    """Record that outputs (a Value or a list of Values) are the result of one `kind` applied
    to inputs (the Values it read; constants are left out).

    A node can end several groups: a neuron's output is also its activation's output, so it
    holds (neuron, sigmoid), the outermost first.
    """
    group = Group(kind, tuple(inputs), name)       # constants among them are skipped later
    if type(outputs) is Value:
        outputs.groups = (group, *groups_of(outputs))
        return
    for output in outputs:
        output.groups = (group, *groups_of(output))


def mark_module(group: Group, output) -> None:
    """Record a module's own group (made once, with its parameters and no inputs) on an output:
    as cheap as a tuple, so a neuron costs nothing measurable per call. Its inputs are found
    when drawing: the operands of its weighted sum that are not its parameters."""
    output.groups = (group, *groups_of(output))


def groups_of(node) -> tuple[Group, ...]:
    """The groups whose output node is `node`, outermost first (most nodes end none)."""
    return getattr(node, "groups", ())


from .value import Value  # noqa: E402  (value.py imports this module at its end)
