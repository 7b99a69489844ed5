"""Drawing a computational graph with Graphviz: values, gradients, and local partials on edges.

Every Value is one box: its name, `data` in black and, after backward, `grad` in red. Every
primitive is a small circle with its symbol (+, ×, ÷, ^, exp, ...). The edge from an operand
into an op carries the local partial d(op result)/d(operand) in blue: backward multiplies it
by the red gradient on the right to get the gradient on the left. A value used by several
edges (a branch point) has an orange border: its gradients add up there. An op that uses one
value twice (x*x) gets one arrow from it, "×2 ∂ 3"; a use far from its value is drawn from a
dashed copy of the value next to the op (see `scene.py`), so the layout stays fast.

    >>> from autograd import Value
    >>> x = Value(0.5, name="x"); z = x.sigmoid(); z.backward()
    >>> draw_graph(z).render("sigmoid", format="svg")     # or just `draw_graph(z)` in Jupyter
    >>> draw_graph(z, lang="ja")                           # 値, 勾配, 局所的な微分, ...

Read next: `render.py` (writing files, and the step-by-step frames of backprop).
"""

from __future__ import annotations

import re

import graphviz

from autograd import Value, topological_order
from autograd.groups import groups_of

from . import bundles as bundling
from . import layers
from .fonts import LABEL_FONTS, MONO_FONTS, check_japanese
from .labels import batch_lines, escape, op_symbol, partials_text, rule_text, summary, words
from .scene import Edge, Graph, Scene, final_scene, node_labels, read_graph, relabel

BLACK, RED, BLUE, ORANGE, GREY = "#000000", "#c0392b", "#1f5fbf", "#d35400", "#a6a6a6"
FILL = {"input": "#fff4cc", "output": "#d8f0d8", "inner": "#ffffff", "unknown": "#f4f4f4"}
MONO = MONO_FONTS      # numbers; Japanese words in that face fall back to the CJK one
NBSP = "&#160;"


def draw_graph(root: Value, show_grad: bool = True, show_partials: bool = True,
               rankdir: str = "LR", precision: int = 4, max_nodes: int = 1000,
               legend: bool = True, lang: str = "en", collapse: bool | list[str] = False,
               show_rules: bool = False) -> graphviz.Digraph:
    """A Graphviz drawing of everything root depends on (shows inline in Jupyter).

    lang is "en" or "ja": the language of the words (data/値, grad/勾配, the legend).
    Gradients are written when show_grad is True and a backward pass has reached the graph
    (some node's grad is nonzero); then every node shows its grad, zeros included.
    collapse=True draws every composite (sigmoid, a neuron, a loss, ...) as one node with its
    own local partial; a list such as ["neuron"] names which kinds (see `layers.py`). A layer
    of more than 12 weights is then a column of neurons, and its weights one box with the heat
    map of their gradients, "W2 16×16" (see `bundles.py`). max_nodes counts the values of the
    view drawn (the layer view with collapse).
    show_rules=True writes each partial's formula next to its number: "∂ = eᵃ = 2.718".
    """
    if collapse:
        original = root
        root, sources, _ = layers.collapse_traced(root, collapse)
    graph = read_graph(root, max_nodes, "layer" if collapse else "operation")
    if collapse:                # each node named as its source is in the operation view
        order = topological_order(original)
        relabel(graph, sources, dict(zip(order, node_labels(order))))
    scene = final_scene(graph, show_grad)
    options = dict(show_partials=show_partials, rankdir=rankdir, precision=precision,
                   legend=legend, lang=lang, show_rules=show_rules)
    return build(graph, scene, **options)


def build(graph: Graph, scene: Scene, show_partials: bool = True, rankdir: str = "LR",
          precision: int = 4, legend: bool = True, widths: dict | None = None,
          lang: str = "en", show_rules: bool = False) -> graphviz.Digraph:
    """The Digraph for one scene; `widths` pads text so every frame keeps the same layout."""
    text = words(lang)
    dot = graphviz.Digraph("computational_graph")
    dot.attr(rankdir=rankdir, nodesep="0.25", ranksep="0.35", fontname=LABEL_FONTS,
             bgcolor="white")
    dot.attr("node", fontname=LABEL_FONTS, fontsize="11")
    dot.attr("edge", fontname=MONO, fontsize="10", arrowsize="0.7", color="#555555")
    partials = show_partials and ("rules" if show_rules else "numbers")
    bundles = bundling.find_bundles(graph.order, graph.position)
    skip = bundling.bundled(bundles)
    for i in range(len(graph.order)):
        if i in skip:                           # a neuron of a bundled layer: a small box
            _add_neuron(dot, graph, scene, i, precision, text)
            continue
        _add_value(dot, graph, scene, i, precision, widths or {}, text)
        _add_op(dot, graph, scene, i, precision, partials, widths or {}, text)
    _frame_layers(dot, graph, text, skip)
    if bundles:                 # a network: its columns of neurons closer together
        dot.attr(nodesep="0.06", ranksep="0.2")
        _add_bundles(dot, graph, scene, bundles, text)
    if legend or scene.title:
        dot.attr(label=_caption(graph, scene, legend, show_partials, text),
                 labelloc="t" if scene.title else "b", labeljust="l", fontsize="11")
    check_japanese(dot.source, "graphviz")
    return dot


def _frame_layers(dot, graph: Graph, text: dict, skip: set[int] = frozenset()) -> None:
    """A frame around the collapsed neurons of each layer, labelled with the layer's name
    (the neurons in `skip` are framed by their bundle instead)."""
    layers_seen: dict = {}
    for i, node in enumerate(graph.order):
        if node.op == "neuron" and i not in skip:
            layer = next((g for g in groups_of(node) if g.kind == "layer"), None)
            if layer is not None:
                layers_seen.setdefault(layer, []).append(i)
    for k, (layer, members) in enumerate(layers_seen.items()):
        with dot.subgraph(name=f"cluster_layer{k}") as frame:
            frame.attr(label=escape(f'{text["kind layer"]} {layer.name or k + 1}'),
                       style="rounded,dashed", color=GREY, fontcolor="#555555")
            for i in members:
                frame.node(f"op{i}")
                frame.node(f"v{i}")


def _add_bundles(dot, graph: Graph, scene: Scene, bundles: list, text: dict) -> None:
    """The bundled layers: each weight matrix as a box with the heat map of its gradient (or of
    the weights, before backward), and each layer's neurons framed as a column."""
    labels, frames = [], []
    for bundle in bundles:
        field, word = ("grad", text["grad"]) if scene.grad_rows else ("data",
                                                                        text["bundle weights"])
        matrix = [[float(getattr(w, field)) for w in row] for row in bundle.weights]
        labels.append(bundling.box_label(bundle, matrix, word))
        frames.append(bundling.frame_title(bundle, _activation(graph.order[bundle.neurons[0]],
                                                               text), text["kind layer"]))
    bundling.add_bundles(dot, bundles, labels, frames)


def _add_neuron(dot, graph: Graph, scene: Scene, i: int, precision: int, text: dict) -> None:
    """A neuron of a bundled layer: its name in the layer ("N3"), then its data (black) over
    its grad (red)."""
    node = graph.order[i]
    data = summary(node.data, precision) if i < scene.computed else "?"
    rows = f'<TD><FONT FACE="{MONO}">{escape_long(data)}</FONT></TD>'
    if scene.grad_rows:
        grad = summary(scene.grads[i], precision) if i in scene.grads else "?"
        rows += f'</TR><TR><TD><FONT FACE="{MONO}" COLOR="{RED}">{escape_long(grad)}</FONT></TD>'
    name = escape(bundling.short_name(graph.labels[i]))
    label = ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
             f'<TD ROWSPAN="2"><FONT POINT-SIZE="12"><B>{name}</B></FONT></TD>{rows}</TR>'
             '</TABLE>>')
    dot.node(f"v{i}", label, shape="box", style="rounded,filled", fillcolor=FILL["inner"],
             color="#333333", margin="0.05,0.02", height="0.2")


# ---------------------------------------------------------------------- value nodes

def value_rows(graph: Graph, scene: Scene, i: int, precision: int,
               text: dict | None = None) -> list[tuple]:
    """The lines of text in value node i: (text, color, kind), kind "name", "mono" or "note".

    text is a table of words from `labels.TEXT` (English when None)."""
    text = text or words("en")
    rows = [(escape(graph.labels[i]), BLACK, "name")]     # its one name (scene.node_labels)
    rows += _data_rows(graph, scene, i, precision, text)
    if scene.grad_rows:
        rows.append(_grad_row(scene, i, precision, text["grad"]))
    if graph.is_branch(i):
        rows.append((text["used"].format(count=graph.uses[i]), ORANGE, "note"))
    return rows


def _data_rows(graph: Graph, scene: Scene, i: int, precision: int, text: dict) -> list[tuple]:
    """The "data 0.5" lines of value i (two for a batch), or "data ?" before it is computed."""
    if i >= scene.computed:
        return [(f"{text['data']} ?", GREY, "mono")]
    return [(f"{text['data']} {line}", BLACK, "mono")
            for line in batch_lines(graph.order[i].data, precision)]


def _grad_row(scene: Scene, i: int, precision: int, word: str) -> tuple:
    if i in scene.sums:
        before, added, after = (summary(x, precision) for x in scene.sums[i])
        added = f"({added})" if added.startswith("-") else added
        return (f"{word} {before} + {added} = {after}", RED, "mono")
    if i in scene.grads:
        return (f"{word} " + summary(scene.grads[i], precision), RED, "mono")
    return (f"{word} ?", GREY, "mono")


def _add_value(dot, graph: Graph, scene: Scene, i: int, precision: int, widths: dict,
               text: dict) -> None:
    rows = value_rows(graph, scene, i, precision, text)
    label = _table(rows, widths.get(("value", i), 0))
    kind = _kind(graph, i)
    fill = FILL[kind] if i < scene.computed else FILL["unknown"]
    border, width = (ORANGE, "2") if graph.is_branch(i) else ("#333333", "1")
    if i == scene.focus:
        border, width = (RED if scene.grads else BLUE), "3"   # red while going backward
    dot.node(f"v{i}", label, shape="box", style="rounded,filled", fillcolor=fill,
             color=border, penwidth=width, peripheries="2" if kind == "output" else "1")


def _kind(graph: Graph, i: int) -> str:
    if i == len(graph.order) - 1:
        return "output"
    return "inner" if graph.order[i].parents else "input"


def _table(rows: list[tuple], width: int) -> str:
    cells = "".join(f"<TR><TD>{_cell(text, color, kind, width)}</TD></TR>"
                    for text, color, kind in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>>'


def _cell(text: str, color: str, kind: str, width: int) -> str:
    if kind == "name":
        return f'<FONT POINT-SIZE="12"><B>{text}</B></FONT>'
    if kind == "note":
        return f'<FONT POINT-SIZE="10" COLOR="{color}">{text}</FONT>'
    return f'<FONT FACE="{MONO}" COLOR="{color}">{pad(text, width)}</FONT>'


def pad(text: str, width: int) -> str:
    """text centred in `width` monospace characters with non-breaking spaces (no-op if wider)."""
    missing = max(0, width - visible_length(text))
    return NBSP * (missing // 2) + text + NBSP * (missing - missing // 2)


def visible_length(text: str) -> int:
    """How many characters text shows, counting an HTML entity such as &lt; as one."""
    length, in_entity = 0, False
    for char in text:
        if char == "&":
            in_entity = True
        elif in_entity and char == ";":
            in_entity = False
        if not in_entity:
            length += 1
    return length


# ---------------------------------------------------------------------- op nodes and edges

def _add_op(dot, graph, scene, i, precision, show_partials, widths, text) -> None:
    node = graph.order[i]
    if not node.parents:
        return
    known = i < scene.computed
    fill, line = ("#e4ecf7", "#333333") if known else (FILL["unknown"], GREY)
    if node.op in layers.KINDS:                 # a composite, collapsed: its name and its rule
        dot.node(f"op{i}", _group_label(node, text), shape="box", style="rounded,filled",
                 margin="0.08,0.04", fillcolor=fill, color=line, ordering="in")
    else:
        dot.node(f"op{i}", op_symbol(node.op, len(node.parents)), shape="circle",
                 width="0.35", fixedsize="false", margin="0.02", style="filled",
                 fontsize="12", fillcolor=fill, color=line, ordering="in")
    arrows = {edge.slots[0]: edge for edge in graph.into.get(i, [])}
    for slot, operand in enumerate(node.operands):
        if slot in arrows:
            _add_edge(dot, graph, scene, arrows[slot], precision, show_partials, widths, text)
        elif not isinstance(operand, Value):
            _add_constant(dot, i, slot, operand, precision)
    dot.edge(f"op{i}", f"v{i}", color="#333333" if known else GREY)


def _group_label(node: Value, text: dict) -> str:
    """A collapsed composite's box: its kind in bold, then ∂ = its rule (y(1−y) for sigmoid)."""
    rule = rule_text(node.op, None, len(node.operands), text, _activation(node, text))
    return (f'<<B>{escape(text["kind " + node.op])}</B><BR/>'
            f'<FONT POINT-SIZE="10">∂ = {escape_long(rule)}</FONT>>')


def _activation(node: Value, text: dict) -> str:
    """A neuron's activation (the group inside it), as its drawn name."""
    if node.op != "neuron":
        return ""
    inner = [g.kind for g in groups_of(node) if g.kind not in ("neuron", "layer")]
    return text.get("kind " + inner[0], inner[0]) if inner else ""


def edge_text(scene: Scene, edge: Edge, precision: int, graph: Graph | None = None,
              text: dict | None = None) -> str:
    """An arrow's label: its local partial, "∂ 3" ("×2 ∂ 3" for x*x); "∂ ?" until known.

    Given the graph and the words, the formula comes first: "∂ = eᵃ = 2.718"."""
    known = edge.child < scene.computed
    shown = partials_text([summary(p, precision) if known else "?" for p in edge.partials])
    if graph is None:
        return shown
    child = graph.order[edge.child]
    rule = rule_text(child.op, edge.slots[0], len(child.operands), text,
                     _activation(child, text))
    return shown.replace("∂ ", f"∂ = {escape_long(rule)} = ", 1) if rule else shown


def _add_edge(dot, graph, scene, edge: Edge, precision, show_partials, widths, text) -> None:
    width = widths.get(("edge", edge.child, edge.parent), 0)
    rules = (graph, text) if show_partials == "rules" else ()
    shown = pad(edge_text(scene, edge, precision, *rules), width)
    color = BLUE if edge.child < scene.computed else GREY
    style = {}
    if scene.edge and scene.edge[0] == edge.child and scene.edge[1] in edge.slots:
        color, style = RED, {"penwidth": "3", "color": RED}
    label = f'<<FONT COLOR="{color}">{shown}</FONT>>' if show_partials else None
    tail = f"v{edge.parent}"
    if edge.copy:
        tail = f"u{edge.child}_{edge.parent}"
        _add_copy(dot, graph, scene, tail, edge.parent, precision, widths, text)
    dot.edge(tail, f"op{edge.child}", label=label, **style)


def _add_copy(dot, graph, scene, name: str, i: int, precision: int, widths: dict,
              text: dict) -> None:
    """A small dashed copy of value i next to a far use: its name, data and a note."""
    rows = [(escape(graph.labels[i]), BLACK, "name")]
    rows += _data_rows(graph, scene, i, precision, text)
    rows.append((text["copy"], ORANGE, "note"))
    fill = FILL[_kind(graph, i)] if i < scene.computed else FILL["unknown"]
    dot.node(name, _table(rows, widths.get(("value", i), 0)), shape="box",
             style="rounded,filled,dashed", fillcolor=fill, color=ORANGE, penwidth="1.5")


def _add_constant(dot, i: int, slot: int, constant, precision: int) -> None:
    name = f"c{i}_{slot}"
    dot.node(name, escape(summary(constant, precision)), shape="box", style="filled,dashed",
             fillcolor="#eeeeee", color=GREY, fontsize="10", height="0.25", width="0.3",
             margin="0.04,0.02")
    dot.edge(name, f"op{i}", style="dashed", color=GREY)


# ---------------------------------------------------------------------- title and legend

def _caption(graph: Graph, scene: Scene, legend: bool, show_partials: bool, text: dict) -> str:
    parts = [f"<B>{escape_long(scene.title)}</B>"] if scene.title else []
    if legend:
        parts.append(_legend(graph, scene, show_partials, text))
    return "<" + "<BR ALIGN=\"LEFT\"/>".join(parts) + "<BR ALIGN=\"LEFT\"/>>"


def _legend(graph: Graph, scene: Scene, show_partials: bool, text: dict) -> str:
    items = [_item(BLACK, text["data"], text["legend data"])]
    if scene.grad_rows:
        items.append(_item(RED, text["grad"], text["legend grad"]))
    if show_partials:
        items.append(_item(BLUE, text["legend partial name"], text["legend partial"]))
        if any(len(edge.slots) > 1 for edge in graph.edges):
            items.append(_item(BLUE, "×2 ∂", text["legend repeat"]))
    if any(graph.is_branch(i) for i in range(len(graph.order))):
        items.append(_item(ORANGE, text["legend branch name"], text["legend branch"]))
    if any(edge.copy for edge in graph.edges):
        items.append(_item(ORANGE, text["legend copy name"], text["legend copy"]))
    if any(node.op in layers.KINDS for node in graph.order):
        items.append(_item(BLACK, text["legend group name"], text["legend group"]))
    bundles = bundling.find_bundles(graph.order, graph.position)
    if bundles:                 # named by this picture's largest box: "W2 16×16"
        largest = max(bundles, key=lambda bundle: bundle.shape[0] * bundle.shape[1])
        items.append(_item(BLACK, escape(largest.title), escape_long(text["bundle legend"])))
    return '<FONT POINT-SIZE="10">' + _wrap(items) + "</FONT>"


def _wrap(items: list[str], width: int = 160) -> str:
    """The legend's items joined by " · ", on lines of about `width` characters."""
    lines, line = [], []
    for item in items:
        if line and len(re.sub(r"<[^>]*>", "", "   ·   ".join(line + [item]))) > width:
            lines.append(line)
            line = []
        line.append(item)
    return '<BR ALIGN="LEFT"/>'.join("   ·   ".join(line) for line in lines + [line])


def _item(color: str, name: str, meaning: str) -> str:
    """One legend entry: the colored word, then what it means."""
    return f'<FONT COLOR="{color}">{name}</FONT>: {meaning}'


def escape_long(text: str) -> str:
    """A title escaped for an HTML label, without the length cut applied to names."""
    return "".join(escape(char) for char in text)
