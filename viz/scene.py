"""What one picture of a graph shows: the graph's shape (`Graph`) and its state (`Scene`).

`Graph` is read once from the public fields of the Values (`parents`, `operands`, `partials`),
in topological order, so node ids come from positions and every drawing is deterministic.
`Scene` says which forward values are known, which gradients to write, and what to highlight:
`draw_graph` draws the final scene, `frames.py` makes one scene per step of backprop.

Read next: `draw.py` (turns a Graph and a Scene into a Graphviz drawing).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

import autograd
from autograd import Value


@dataclass(frozen=True)
class Graph:
    """The nodes a root depends on, in topological order, and how often each one is used."""

    order: list[Value]
    position: dict[Value, int]
    uses: Counter   # position -> number of edges leaving that value (> 1: a branch point)

    def is_branch(self, i: int) -> bool:
        """True when the value at position i feeds more than one edge: its gradients add up."""
        return self.uses[i] > 1


@dataclass
class Scene:
    """The state one picture shows, by topological position."""

    computed: int                               # values order[:computed] are known
    grads: dict[int, object]                    # position -> gradient to write
    grad_rows: bool = True                      # write a "grad" line on every value node
    sums: dict[int, tuple] = field(default_factory=dict)  # position -> (before, added, after)
    focus: int | None = None                    # the node this step is about
    edge: tuple[int, int] | None = None         # (child position, operand slot) in use
    title: str = ""


def read_graph(root: Value, max_nodes: int) -> Graph:
    """The Graph of root, or a ValueError if it has more than max_nodes values."""
    if not isinstance(root, Value):
        raise TypeError(f"can only draw a Value; got {type(root).__name__}")
    order = autograd.topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"the graph has {len(order)} values, more than max_nodes={max_nodes}: a drawing "
            f"that large is unreadable and slow to lay out. Draw a smaller subgraph (pass an "
            f"intermediate Value as the root) or raise max_nodes.")
    position = {node: i for i, node in enumerate(order)}
    uses = Counter(position[parent] for node in order for parent in node.parents)
    return Graph(order, position, uses)


def has_gradients(graph: Graph) -> bool:
    """True once a backward pass has reached the graph: some grad is a batch or nonzero."""
    return any(isinstance(node.grad, np.ndarray) or node.grad != 0.0 for node in graph.order)


def final_scene(graph: Graph, show_grad: bool) -> Scene:
    """Everything computed; gradients written when show_grad and backward has run."""
    grad_rows = show_grad and has_gradients(graph)
    grads = {i: node.grad for i, node in enumerate(graph.order)} if grad_rows else {}
    return Scene(computed=len(graph.order), grads=grads, grad_rows=grad_rows)


def operand_slots(node: Value):
    """(slot, operand, partial) for every operand; partial is None for a constant."""
    partials = iter(node.partials)
    for slot, operand in enumerate(node.operands):
        yield slot, operand, next(partials) if isinstance(operand, Value) else None
