"""What one picture of a graph shows: the graph's shape (`Graph`) and its state (`Scene`).

`Graph` is read once from the public fields of the Values (`parents`, `operands`, `partials`),
in topological order, so node ids come from positions and every drawing is deterministic.
Its `edges` are the arrows drawn into the ops: one arrow per (value, op) pair, however often
the op uses the value (x*x has one arrow, "×2"), and a use far from its value is drawn from a
small copy of the value next to the op, so Graphviz never lays out long bundles of arrows.
`Scene` says which forward values are known, which gradients to write, and what to highlight:
`draw_graph` draws the final scene, `frames.py` makes one scene per step of backprop.

Read next: `draw.py` (turns a Graph and a Scene into a Graphviz drawing).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np

import autograd
from autograd import Value
from autograd.groups import groups_of
from autograd.rules import PRIMITIVES

from .labels import MAX_NAME, number, shorten, visible


SPAN_BUDGET = 200   # columns crossed by all arrows together; beyond it, far uses get copies


@dataclass(frozen=True)
class Edge:
    """One arrow into the op of value `child`: from value `parent`, for its operand `slots`."""

    child: int
    parent: int
    slots: tuple[int, ...]          # operand positions of the op that hold this parent
    partials: tuple                 # the local partial of each of those slots
    copy: bool = False              # drawn from a copy of the parent placed next to the op


@dataclass(frozen=True)
class Graph:
    """The nodes a root depends on, in topological order, and how often each one is used."""

    order: list[Value]
    position: dict[Value, int]
    uses: Counter   # position -> number of operand slots that use that value (> 1: branch point)
    into: dict[int, list[Edge]] = field(default_factory=dict)   # child -> arrows into its op
    labels: list[str] = field(default_factory=list)   # each node's one name (`node_labels`)

    def is_branch(self, i: int) -> bool:
        """True when the value at position i is used by several operands: its gradients add up."""
        return self.uses[i] > 1

    @property
    def edges(self) -> list[Edge]:
        """Every arrow, in drawing order: by child, then by first operand slot."""
        return [edge for arrows in self.into.values() for edge in arrows]

    def edge_of(self, child: int, slot: int) -> Edge:
        """The arrow that carries operand `slot` of value child's op."""
        return next(edge for edge in self.into[child] if slot in edge.slots)


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


VIEWS = {   # the views max_nodes counts, and how to get a smaller drawing of each
    "operation": ("the operation view (every primitive operation a node)",
                  "Draw the layer view (collapse=True: a neuron, a sigmoid, a loss as one node), "
                  "draw a smaller subgraph (pass an intermediate Value as the root) or raise "
                  "max_nodes."),
    "layer": ("the layer view (collapse=...: each composite one node)",
              "Draw a smaller subgraph (pass an intermediate Value as the root, such as one "
              "layer's output) or raise max_nodes."),
}


def read_graph(root: Value, max_nodes: int, view: str = "operation") -> Graph:
    """The Graph of root, or a ValueError if it has more than max_nodes values; view
    ("operation" or "layer") is the view being drawn, named in that error."""
    if not isinstance(root, Value):
        raise TypeError(f"can only draw a Value; got {type(root).__name__}")
    if count_values(root, max_nodes) > max_nodes:
        what, smaller = VIEWS[view]
        raise ValueError(
            f"{what} has more than max_nodes={max_nodes} values: a drawing that large is "
            f"unreadable and slow to lay out. {smaller}")
    order = autograd.topological_order(root)
    position = {node: i for i, node in enumerate(order)}
    uses = Counter(position[parent] for node in order for parent in node.parents)
    into: dict[int, list[Edge]] = {}
    for edge in arrows(order, position):
        into.setdefault(edge.child, []).append(edge)
    return Graph(order, position, uses, into, node_labels(order))


def count_values(root: Value, limit: int) -> int:
    """How many values root depends on (itself included), counting no further than limit + 1.

    An iterative walk over `parents` that stops as soon as it has seen limit + 1 distinct values,
    so refusing a huge graph costs no more than drawing an allowed one.
    """
    seen, stack = {root}, [root]
    while stack and len(seen) <= limit:
        for parent in stack.pop().parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return len(seen)


def arrows(order: list[Value], position: dict[Value, int]) -> list[Edge]:
    """One Edge per (value, op) pair, in drawing order; the farthest uses become copies."""
    edges = [edge for i, node in enumerate(order) for edge in _arrows_into(i, node, position)]
    depth = depths(order, position)
    spans = {k: depth[e.child] - depth[e.parent] for k, e in enumerate(edges)}
    total = sum(spans.values())
    for k in sorted(spans, key=lambda k: (-spans[k], k)):
        if total <= SPAN_BUDGET or spans[k] <= 1:
            break
        edges[k], total = replace(edges[k], copy=True), total - spans[k] + 1
    return edges


def _arrows_into(i: int, node: Value, position: dict[Value, int]) -> list[Edge]:
    """The arrows into node's op, one per distinct parent, in the order of first use."""
    slots: dict[int, list] = {}
    for slot, operand, partial in operand_slots(node):
        if isinstance(operand, Value):
            slots.setdefault(position[operand], []).append((slot, partial))
    return [Edge(i, parent, tuple(s for s, _ in used), tuple(p for _, p in used))
            for parent, used in slots.items()]


def depths(order: list[Value], position: dict[Value, int]) -> list[int]:
    """Each value's column in a left-to-right drawing: 0 for inputs, else 1 + its deepest parent."""
    depth: list[int] = []
    for node in order:
        depth.append(1 + max((depth[position[p]] for p in node.parents), default=-1))
    return depth


def has_gradients(graph: Graph) -> bool:
    """True once a backward pass has reached the graph: some grad is a batch or nonzero."""
    return any(isinstance(node.grad, np.ndarray) or node.grad not in (0.0, None)
               for node in graph.order)


def final_scene(graph: Graph, show_grad: bool) -> Scene:
    """Everything computed; gradients written when show_grad and backward has run."""
    grad_rows = show_grad and has_gradients(graph)
    grads = ({i: node.grad for i, node in enumerate(graph.order) if node.grad is not None}
             if grad_rows else {})
    if grad_rows and len(grads) < len(graph.order):   # intermediate batch grads not kept:
        from .stepper import replay_gradients        # d(root)/d(node), replayed from partials
        grads = {i: grads.get(i, g) for i, g in enumerate(replay_gradients(graph))}
    return Scene(computed=len(graph.order), grads=grads, grad_rows=grad_rows)


def operand_slots(node: Value):
    """(slot, operand, partial) for every operand; partial is None for a constant."""
    partials = iter(node.partials)
    for slot, operand in enumerate(node.operands):
        yield slot, operand, next(partials) if isinstance(operand, Value) else None


# ---------------------------------------------------------------------- one name per node

SHORT = 20          # the longest expression that names a node; longer ones give "#i"
LOSSES = ("mse_loss", "cross_entropy", "softmax_cross_entropy")
INFIX = {"mul": "·", "div": "/", "sub": "−", "add": "+", "pow": "^"}


def node_labels(order: list[Value]) -> list[str]:
    """The one name of each node of order (topological), the same in every view, frame, page
    sentence and quiz, in both languages: its name; else its module's ("L1.N0"), or "loss"
    for a loss; else what made it, written short ("-1·x", "exp(-1·x)", "sigmoid(z)"); "x0",
    "x1", ... for an unnamed input a neuron reads (`nn.as_inputs`'s columns); "#i" (its
    position) only when none of these is short. Control and bidi characters are escaped and
    long names cut at a code point, as in the pictures."""
    labels: list[str] = []
    words: dict[Value, str] = {}           # the labels an expression may use (not "#i")
    compound: set[Value] = set()           # labels that need parentheses inside another
    columns = input_columns(order)
    for i, node in enumerate(order):
        label = _own_label(node, columns)
        if label is None:
            label, bare = _expression(node, words, compound)
            if label is None or len(label) > SHORT:
                labels.append(f"#{i}")
                continue
            if not bare:
                compound.add(node)
        words[node] = label
        labels.append(label)
    return labels


def shown_name(name: str) -> str:
    """A name as every view writes it: unprintable characters as escapes, at most MAX_NAME
    characters (cut at a code point, with "…")."""
    return shorten(visible(name), MAX_NAME)


def _own_label(node: Value, columns: dict) -> str | None:
    """node's name, its module's, "loss", or its column's ("x0"); None if it has none."""
    if node.name:
        return shown_name(node.name)
    for group in groups_of(node):
        if group.kind in LOSSES:
            return "loss"
        if group.name and group.kind != "layer":
            return shown_name(group.name)
    return columns.get(node)


def _expression(node: Value, labels: dict, compound: set) -> tuple[str | None, bool]:
    """What made node, from its operands' labels: ("-1·x", False), ("exp(a)", True); the
    second item says whether it reads as one piece. (None, True) without a short form."""
    group = next((g for g in groups_of(node) if g.inputs is not None and g.kind != "layer"),
                 None)
    if group is not None:
        op, operands = group.kind, group.values()
    elif node.op in PRIMITIVES and node.op != "dot":
        op, operands = node.op, node.operands
    else:
        return None, True
    args = [_operand(x, labels) for x in operands]
    if None in args or not args:
        return None, True
    primitive = PRIMITIVES.get(op)
    if primitive is None or primitive.form == "call" or (op == "add" and len(args) == 1):
        return f"{'sum' if op == 'add' else op}({', '.join(args)})", True
    pieces = [f"({text})" if x in compound or (text.startswith("-") and (k or op == "pow"))
              else text for k, (x, text) in enumerate(zip(operands, args))]
    if primitive.form == "prefix":
        return "-" + pieces[0], False
    return INFIX.get(op, primitive.symbol).join(pieces), op == "pow"   # x^2 binds tightly


def _operand(x, labels: dict) -> str | None:
    """An operand's text in an expression: its label, or a constant's number."""
    if isinstance(x, Value):
        return labels.get(x)
    if isinstance(x, (int, float)) or (isinstance(x, np.ndarray) and x.size == 1):
        return number(float(x), 4)
    return None                             # a batch of constants has no short form


def input_columns(order: list[Value]) -> dict[Value, str]:
    """"x0", "x1", ... for the unnamed leaves a weighted sum (a neuron) reads as input j."""
    columns: dict[Value, str] = {}
    for node in order:
        if node.op != "dot":
            continue
        n = len(node.operands) // 2
        for j, x in enumerate(node.operands[n:2 * n]):
            if isinstance(x, Value) and not x.parents and not x.name and x not in columns:
                columns[x] = f"x{j}"
    return columns


def relabel(graph: Graph, sources: dict, labels: dict[Value, str]) -> Graph:
    """graph (a layer view) with each node named as its source is in the operation view."""
    graph.labels[:] = [labels[sources[node]] for node in graph.order]
    return graph
