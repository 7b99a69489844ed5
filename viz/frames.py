"""Backprop as a sequence of scenes: the forward pass node by node, then the backward pass edge
by edge, replaying the chain rule from the recorded `partials` on a private copy of the numbers.

Forward: one scene per value, in topological order (inputs first); later values show "?".
Backward: one scene for the seed d(output)/d(output) = 1, then one per edge, in reverse
topological order: the parent's gradient grows by `partial × upstream`, and at a branch point
the scene shows the addition, e.g. "grad 0.2 + 0.3 = 0.5". No Value's `.grad` is touched.
When one arrow stands for several operands (x*x: "×2"), it is in use, red, in each of their
steps, and the title says which use it is.

Read next: `render.py`, which draws these scenes into numbered files.
"""

from __future__ import annotations

import numpy as np

from autograd import Value
from autograd.graph import reduce_like

from .labels import computation, summary, words
from .scene import Graph, Scene, operand_slots

PRECISION = 4


def forward_scenes(graph: Graph, lang: str = "en") -> list[Scene]:
    """One scene per value: values order[:k+1] are known, the newest one highlighted."""
    n, text = len(graph.order), words(lang)
    return [Scene(computed=k + 1, grads={}, focus=k,
                  title=text["forward"].format(step=k + 1, steps=n,
                                               what=describe(graph.order[k], text,
                                                             graph.labels[k])))
            for k in range(n)]


def backward_scenes(graph: Graph, lang: str = "en") -> list[Scene]:
    """The seed scene, then one scene per edge, with the gradients known after that edge."""
    n, root, text = len(graph.order), graph.order[-1], words(lang)
    grads = {n - 1: _seed(root.data)}
    scenes = [Scene(n, dict(grads), focus=n - 1, title=_seed_title(grads[n - 1], text))]
    edges = [(i, slot, operand, partial) for i in reversed(range(n))
             for slot, operand, partial in operand_slots(graph.order[i])
             if isinstance(operand, Value)]
    for step, (i, slot, operand, partial) in enumerate(edges, start=2):
        parent = graph.position[operand]
        added = _reduce(operand, partial * grads[i])
        before = grads.get(parent)
        grads[parent] = added if before is None else before + added
        sums = {} if before is None else {parent: (before, added, grads[parent])}
        what = (_edge_title(graph, parent, partial, grads[i], added, text)
                + _use(graph, i, slot, text))
        title = text["backward"].format(step=step, steps=len(edges) + 1, what=what)
        scenes.append(Scene(n, dict(grads), sums=sums, focus=parent, edge=(i, slot),
                            title=title))
    return scenes


def _seed(data):
    """d(root)/d(root) = 1, one per sample for a batch root (as backward() seeds it)."""
    return np.ones_like(data) if isinstance(data, np.ndarray) else 1.0


def _reduce(parent: Value, gradient):
    """The term shaped like parent: summed over the batch where parent was broadcast over it
    (the engine's own rule, `autograd.graph.reduce_like`)."""
    return reduce_like(parent, gradient)


def describe(node: Value, text: dict | None = None, label: str | None = None) -> str:
    """The computation that made node, with numbers: "exp(-0.5) = 0.6065", "input x = 0.5"
    (an input called by label, its one name: `scene.node_labels`)."""
    result = summary(node.data, PRECISION)
    if not node.parents:
        word = (text or words("en"))["input"]
        return f"{word} {label or node.name or ''} = {result}".replace("  ", " ")
    shown = [summary(x.data if isinstance(x, Value) else x, PRECISION) for x in node.operands]
    return computation(node.op, shown, result)


def _seed_title(seed, text: dict) -> str:
    return text["seed"].format(seed=summary(seed, PRECISION))


def _edge_title(graph: Graph, parent: int, partial, upstream, added, text: dict) -> str:
    who = text["named"].format(name=graph.labels[parent])       # its one name, as everywhere
    return text["edge"].format(who=who, partial=summary(partial, PRECISION),
                               upstream=summary(upstream, PRECISION),
                               added=summary(added, PRECISION))


def _use(graph: Graph, i: int, slot: int, text: dict) -> str:
    """Which use this step is when one arrow stands for several operands ("×2" for x*x)."""
    slots = graph.edge_of(i, slot).slots
    if len(slots) == 1:
        return ""
    return text["edge use"].format(use=slots.index(slot) + 1, uses=len(slots))
