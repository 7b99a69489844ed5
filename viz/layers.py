"""The layer view: a copy of a graph in which composites (sigmoid, a neuron, a loss) are ONE node.

Composite functions record a group on their output (`autograd/groups.py`). `collapse(root)`
returns a new graph of Values for drawing: each chosen group becomes one node whose op is
the group's kind ("sigmoid", "neuron", "softmax_cross_entropy", ...), whose parents are the
group's inputs, and whose partials are d(output)/d(input), computed from the partials recorded
inside the group (the chain rule over the group's own nodes). So the picture agrees with
backprop: for every input, partial × output's gradient, summed over the outputs, is what
backprop passes through the group. Values, gradients and names are those of the original.

A group is drawn collapsed only when nothing outside it uses one of its inner nodes. Groups
of kind "layer" are not collapsed themselves; their neurons are (each neuron keeps the layer's
group, so a drawing can frame a layer's neurons together).

    >>> draw_graph(loss, collapse=True)            # every group
    >>> draw_graph(loss, collapse=["neuron"])      # only the neurons

Read next: `draw.py`, which draws what this returns.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from autograd import Value, topological_order
from autograd.groups import Group, groups_of
from autograd.rules import PRIMITIVES

KINDS = ("sigmoid", "tanh", "softmax", "log_softmax", "neuron", "layer", "mse_loss",
         "cross_entropy", "softmax_cross_entropy", "batchnorm",
         "linear", "rmsnorm", "head", "mlp")        # the GPT's blocks (nn/gpt.py)
_new = object.__new__


def collapse(root: Value, kinds: bool | Iterable[str] = True) -> Value:
    """A copy of root's graph with the chosen groups drawn as one node each (True: every kind)."""
    return collapse_traced(root, kinds)[0]


def collapse_traced(root: Value, kinds: bool | Iterable[str] = True, exact: bool = False
                    ) -> tuple[Value, dict[Value, Value], dict[Value, set[Value]]]:
    """collapse, plus where each node came from: (root copy, {copy: original node},
    {group node: the original nodes inside its group, its output excluded}).

    exact=True leaves expanded every group that couples the samples of a batch (see
    `couples_samples`), so that backprop through the copy is backprop, sample by sample: the
    stepper page, which computes its layer view's gradients from the partials, asks for it."""
    chosen_kinds = set(KINDS) if kinds is True else set(kinds)
    unknown = chosen_kinds - set(KINDS)
    if unknown:
        raise ValueError(f"unknown group kind(s) {', '.join(sorted(unknown))}; choose from "
                         f"{', '.join(KINDS)}")
    order = topological_order(root)
    chosen = _chosen_groups(order, chosen_kinds - {"layer"})
    members = _members(order, chosen, exact)
    hidden = set().union(*members.values()) if members else set()
    copies: dict[Value, Value] = {}
    inner: dict[Value, set[Value]] = {}
    for node in order:
        group = chosen.get(node)
        if group is not None and group in members:
            copies[node] = _group_node(node, group, members[group], copies)
            inner[copies[node]] = members[group]
        elif node not in hidden:
            copies[node] = _copy(node, copies)
    return copies[root], {copy: node for node, copy in copies.items()}, inner


def _chosen_groups(order: list[Value], kinds: set[str]) -> dict[Value, Group]:
    """For each output node, the outermost of its groups whose kind is chosen."""
    chosen = {}
    for node in order:
        for group in groups_of(node):
            if group.kind in kinds:
                chosen[node] = group
                break
    return chosen


def _members(order: list[Value], chosen: dict[Value, Group], exact: bool = False
             ) -> dict[Group, set[Value]]:
    """The inner nodes of each chosen group (its outputs excluded): from the outputs back to
    the inputs. A group with an inner node used outside it is left expanded (not returned), and
    so, when exact, is a group that couples the samples of a batch."""
    outputs: dict[Group, list[Value]] = {}
    for node, group in chosen.items():
        outputs.setdefault(group, []).append(node)
    consumers: dict[Value, list[Value]] = {}
    for node in order:
        for parent in node.parents:
            consumers.setdefault(parent, []).append(node)
    members = {}
    for group, ends in outputs.items():
        inside = _inside(ends, group)
        closed = inside | set(ends)
        if exact and couples_samples(ends, inside):
            continue
        if all(c in closed for node in inside for c in consumers.get(node, ())):
            members[group] = inside
    return _outermost(members, outputs)


def couples_samples(ends: list[Value], inside: set[Value]) -> bool:
    """True when a group's output holds a batch and a node inside reduces a batch to one number
    (Batch Normalization's mean and variance): then each sample's output depends on every
    sample's input, and the partial drawn on an arrow, d(output)/d(input) sample by sample, is
    only the sample's own share; backprop through one box per group would miss the rest."""
    def batch(node: Value) -> bool:
        return isinstance(node.data, np.ndarray) and node.data.size > 1
    return (any(batch(end) for end in ends)
            and any(not batch(node) and any(batch(p) for p in node.parents) for node in inside))


def _inside(ends: list[Value], group: Group) -> set[Value]:
    """Every node between the outputs and the inputs (walking back from the outputs)."""
    inputs = set(inputs_of(group, ends))
    inside, stack = set(), [p for end in ends for p in end.parents]
    while stack:
        node = stack.pop()
        if node in inputs or node in inside or node in ends:
            continue
        inside.add(node)
        stack.extend(node.parents)
    return inside


def inputs_of(group: Group, ends: list[Value]) -> list[Value]:
    """The Values a group read: recorded, or for a module (a neuron) the operands of its
    weighted sum that are not its own parameters, found by walking back from its outputs."""
    if group.inputs is not None:
        return list(dict.fromkeys(group.values()))
    params, inputs, seen = set(group.params), {}, set()
    stack = list(ends)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if any(p in params for p in node.parents):        # the weighted sum: inputs found
            inputs.update((p, None) for p in node.parents if p not in params)
        else:
            stack.extend(node.parents)
    return list(inputs)


def _outermost(members: dict[Group, set[Value]], outputs: dict[Group, list[Value]]
               ) -> dict[Group, set[Value]]:
    """Drop groups that sit inside another chosen group (log_softmax inside a collapsed loss)."""
    hidden = set().union(*members.values()) if members else set()
    return {g: m for g, m in members.items() if not any(x in hidden for x in outputs[g])}


def _group_node(output: Value, group: Group, inside: set[Value], copies: dict) -> Value:
    """One node for the group's output: parents the inputs, partials d(output)/d(input).
    An input read twice (a neuron of [x, x]) is one parent: its partial already sums both."""
    wanted = inputs_of(group, [output])
    partials = local_partials(output, inside, wanted)
    inputs = [x for x in wanted if x in partials and x in copies]
    node = _blank(output)
    node.op = group.kind
    node.name = output.name or group.name
    node.parents = node.operands = tuple(copies[x] for x in inputs)
    node.partials = tuple(partials[x] for x in inputs)
    node.groups = groups_of(output)     # a neuron keeps its layer (drawn as a frame)
    if output.op in PRIMITIVES and output.op not in ("dot", "add"):
        node.groups += (Group(output.op, None),)   # its activation, a primitive (relu)
    return node


def local_partials(output: Value, inside: set[Value], inputs) -> dict[Value, object]:
    """d(output)/d(x) for each input x reached, by the chain rule over the nodes inside.

    The gradient starts at 1 on the output and flows back through the recorded partials of
    the group's nodes only; a batch stays per sample (no sum over the batch), so each entry
    is the partial drawn on an edge, one number per sample.
    """
    wanted = set(inputs)
    upstream = {output: np.ones_like(output.data) if isinstance(output.data, np.ndarray)
                else 1.0}
    with np.errstate(all="ignore"):     # inf × 0 in a batch is nan, quietly, as in backward
        for node in reversed(_order_inside(output, inside)):
            if node not in upstream:
                continue
            for parent, partial in zip(node.parents, node.partials):
                if parent in inside or parent in wanted:
                    upstream[parent] = upstream.get(parent, 0.0) + partial * upstream[node]
    return {x: upstream[x] for x in inputs if x in upstream}


def _order_inside(output: Value, inside: set[Value]) -> list[Value]:
    """The output and the nodes inside, each after its parents (a depth-first sort)."""
    order, placed, stack = [], set(), [(output, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif node not in placed:
            placed.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if p in inside and p not in placed)
    return order


def _copy(node: Value, copies: dict) -> Value:
    """The node itself for a leaf; for an op, a copy whose operands are the copies."""
    if not node.parents:
        return node
    copy = _blank(node)
    copy.op, copy.name = node.op, node.name
    copy.operands = tuple(copies[x] if isinstance(x, Value) else x for x in node.operands)
    copy.parents = tuple(copies[x] for x in node.parents)
    copy.partials = tuple(node.partials)
    copy.groups = groups_of(node)
    return copy


def _blank(like: Value) -> Value:
    node = _new(Value)
    node.data, node.grad, node.mark = like.data, like.grad, None
    return node
