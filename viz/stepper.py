"""The stepper: one self-contained web page that walks through backprop on a graph, step by step.

    >>> from autograd import Value
    >>> x = Value(0.5, name="x"); z = x.sigmoid()
    >>> viz.stepper(z).save("out/sigmoid.html")     # or just `viz.stepper(z)` in Jupyter

The page shows the picture of `draw_graph` (Graphviz lays it out here, at export time, and the
SVG is embedded), the graph as a model (every value, operand, partial and gradient, in JSON),
the rule table (`page_rules`: written from `autograd.rules.PRIMITIVES`, each primitive's forward
and partial in JavaScript), and `stepper.js`, which steps through the forward and backward
passes, explains each rule, lets the learner change the inputs (it recomputes everything with
that table), and quizzes. With `collapse=True` the page also holds the layer view
(`viz/layers.py`: composites as one node), with a toggle and click-to-expand. Nothing is fetched from the network: script,
style and picture are all inline, and the page's Content-Security-Policy forbids any request.
`STEPPER_CONTRACT.md` lists the model's fields and the page's ids.

Read next: `stepper.js` (the page itself: rule table, state, rendering, controls).
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import math
import os
import re
import tempfile
from importlib import resources
from pathlib import Path

import graphviz
import numpy as np

from autograd import Value, apply, topological_order
from autograd.graph import reduce_like
from autograd.groups import Group, groups_of
from autograd.rules import PRIMITIVES, Primitive

from .draw import BLACK, BLUE, FILL, GREY, MONO, ORANGE, RED, pad
from .draw import _activation as activation
from .draw import _frame_layers as frame_layers
from .fonts import LABEL_FONTS, check_japanese
from . import bundles as bundling
from . import layers
from .labels import PAGE_TEXT, escape, op_symbol, partials_text, primitive_rules, rule_text
from .labels import summary
from .labels import words as draw_words
from .render import DOT_TIMEOUT, run_dot
from .scene import Edge, Graph, count_values, read_graph, relabel, shown_name

FONTS = LABEL_FONTS        # Latin and Japanese (names such as りんご, the words 値 and 勾配)
NUMBER_WIDTH = 10          # characters kept free for a number: "-1.235e-05" is the widest
NEURON_WIDTH = 7           # in a bundled layer's small boxes ("-0.01234"; wider ones overhang)
PRECISION = 4
SAMPLES = 32              # a larger batch is embedded as its first SAMPLES samples
MODEL_FACTOR = 20          # with a layer view, the operation view's data may have this many
                           # times max_nodes values (its picture is drawn up to max_nodes)


MAX_FRAME = 1400           # pixels: the tallest Jupyter frame (its page scrolls inside)
_FRAMES = itertools.count(1)
# Jupyter's side of the frame: its height follows the height the page posts (only messages
# from this frame's own window count).
FRAME_SCRIPT = ("(() => { const frame = document.getElementById('FRAME'); "
                "window.addEventListener('message', (event) => { "
                "if (!frame || event.source !== frame.contentWindow || !event.data || "
                "typeof event.data.zerogradHeight !== 'number') return; "
                f"frame.style.height = Math.min({MAX_FRAME}, "
                "Math.ceil(event.data.zerogradHeight) + 4) + 'px'; }); })();")


class Stepper:
    """A finished stepper page: `save(path)` writes it; Jupyter shows it inline."""

    def __init__(self, page: str, height: int) -> None:
        self.html = page
        self.height = height

    def save(self, path: str | Path) -> Path:
        """Write the page to path (one .html file that needs nothing else) and return the path.
        The page goes to a temporary file next to path, renamed onto it when complete: a
        failure never leaves path empty or half written."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = self.html.encode("utf-8")       # before touching any file: may raise
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return path

    def _repr_html_(self) -> str:
        """The page in an iframe (Jupyter, Colab): srcdoc keeps it self-contained and sandboxed.
        The page posts its height (stepper.js `reportHeight`); the script after the frame sets
        the frame's height to it, at most MAX_FRAME pixels (the picture pans inside)."""
        frame = f"zg-frame-{next(_FRAMES)}"
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
                f'id="{frame}" style="width: 100%; height: {self.height}px; '
                f'border: 1px solid #ddd;"></iframe>\n'
                f'<script>{FRAME_SCRIPT.replace("FRAME", frame)}</script>')


def stepper(root: Value, lang: str = "en", quiz: bool = False, max_nodes: int = 300,
            timeout: float = DOT_TIMEOUT, collapse: bool | list[str] = False,
            samples: int = SAMPLES) -> Stepper:
    """The stepper page for everything root depends on.

    lang is "en" or "ja"; quiz=True opens the page with the gradients hidden, as a quiz.
    collapse=True (or a list of kinds, as in `draw_graph`) adds the layer view and opens the
    page on it: composites as one node each, a layer of many weights as one box (`bundles.py`),
    a toggle between the two views, and a click on a composite or a bundle explains it.
    max_nodes counts the values of the view the page opens on (a ValueError above it, naming
    the view); with a layer view, the operation view's picture is drawn only up to max_nodes.
    A batch larger than `samples` is embedded as its first `samples` samples, recomputed from
    the rule table as the page does (the page says so): totals are over those samples.
    Graphviz's dot lays out the picture within `timeout` seconds, else RenderTimeout.
    """
    if lang not in PAGE_TEXT:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(PAGE_TEXT)}")
    root, batch = first_samples(root, samples, MODEL_FACTOR * max_nodes)
    layer_parts = None
    if collapse is not False:
        layer_parts = _collapsed(root, collapse, max_nodes)
    graph = _operation_graph(root, max_nodes, layer_parts is not None)
    model = page_model(graph, lang, bool(quiz))
    drawn = layer_parts is None or len(graph.order) <= max_nodes
    svg = _picture(graph, model, timeout) if drawn else _no_picture(graph, max_nodes, lang)
    layer = None
    if layer_parts is not None:
        layer_graph, sources, inner = layer_parts
        relabel(layer_graph, sources, dict(zip(graph.order, graph.labels)))   # one name each
        layer_model = layer_page_model(layer_graph, graph, sources, inner, lang, bool(quiz))
        boxes = bundle_boxes(layer_graph, graph, model, layer_model, lang)
        layer = (layer_model, _picture(layer_graph, layer_model, timeout, boxes))
    height = max(page_height(svg), page_height(layer[1]) if layer else 0)
    model["batch_total"] = batch
    return Stepper(fill_template(model, svg, lang, layer), height)


def first_samples(root: Value, samples: int, limit: int) -> tuple[Value, int]:
    """root's graph on the first `samples` samples of its batch, recomputed node by node from
    the rule table (`autograd.apply`), names and groups kept; and the batch size it had.
    root itself when its batch has no more samples than that, or its graph more than `limit`
    values (read_graph then refuses it without walking further)."""
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ValueError(f"samples must be a whole number of at least 1; got {samples!r}")
    if not isinstance(root, Value) or count_values(root, limit) > limit:
        return root, 0
    order = topological_order(root)
    size = max((node.data.size for node in order if isinstance(node.data, np.ndarray)),
               default=0)
    if size <= samples:
        return root, size

    def cut(x):
        """x's first samples if x is a batch of the graph's size, else x itself."""
        batch = isinstance(x, np.ndarray) and x.ndim >= 1 and x.shape[0] == size
        return x[:samples] if batch else x

    try:
        return _recomputed(order, cut), size
    except (ValueError, TypeError, IndexError) as error:
        raise ValueError(f"the graph could not be recomputed on its first {samples} samples "
                         f"({error}); pass samples={size} to embed its whole batch") from error


def _recomputed(order: list[Value], cut) -> Value:
    """The graph of order (topological) recomputed on cut batches: each op again with
    `autograd.apply` from its record; leaves that are not batches (parameters) kept."""
    copies: dict[Value, Value] = {}
    groups: dict[Group, Group] = {}
    for node in order:
        if node.parents:
            copy = apply(node.op, *(copies[x] if isinstance(x, Value) else cut(x)
                                    for x in node.operands))
        elif cut(node.data) is not node.data:
            copy = Value(cut(node.data))
        else:
            copies[node] = node              # a parameter or a number: the same Value
            continue
        copy.name = node.name
        copy.groups = tuple(_group_copy(g, copies, cut, groups) for g in groups_of(node))
        copies[node] = copy
    return copies[order[-1]]


def _group_copy(group: Group, copies: dict, cut, done: dict) -> Group:
    """A group whose recorded inputs are the copies (made once: outputs share their group)."""
    if group.inputs is None:
        return group                         # a module's: its parameters are kept as they are
    if group not in done:
        inputs = tuple(copies.get(x, x) if isinstance(x, Value) else cut(x)
                       for x in group.inputs)
        done[group] = Group(group.kind, inputs, group.name, group.params)
    return done[group]


def _picture(graph: Graph, model: dict, timeout: float, boxes: list | None = None) -> str:
    picture = run_dot(page_dot(graph, model, boxes).source, "svg", timeout).decode("utf-8")
    return mark_svg(picture, text_classes(graph, model))


def _collapsed(root: Value, kinds, max_nodes: int):
    copy, sources, inner = layers.collapse_traced(root, kinds, exact=True)
    return read_graph(copy, max_nodes, "layer"), sources, inner


def _operation_graph(root: Value, max_nodes: int, layered: bool) -> Graph:
    """The primitive graph: up to max_nodes values, or with a layer view up to MODEL_FACTOR
    times that (the page needs its numbers; its picture is drawn up to max_nodes)."""
    if not layered:
        return read_graph(root, max_nodes)
    try:
        return read_graph(root, MODEL_FACTOR * max_nodes)
    except ValueError:
        raise ValueError(
            f"the operation view under the layer view has more than {MODEL_FACTOR} × "
            f"max_nodes={max_nodes} values: the page would be too large. Pass an intermediate "
            f"Value as the root (such as one layer's output), or raise max_nodes.") from None


def _no_picture(graph: Graph, max_nodes: int, lang: str) -> str:
    """What the page shows instead of an operation view too large to draw."""
    text = PAGE_TEXT[lang]["projector no picture"].format(count=len(graph.order),
                                                          limit=max_nodes)
    return f'<p id="zg-no-picture">{html.escape(text)}</p>'


# ---------------------------------------------------------------------- the model (JSON)

def page_model(graph: Graph, lang: str, quiz: bool) -> dict:
    """The graph as plain data for the page: nodes in topological order (see the contract)."""
    grads = replay_gradients(graph)
    nodes = [node_record(graph, i, grads[i]) for i in range(len(graph.order))]
    sizes = [np.size(node.data) for node in graph.order if isinstance(node.data, np.ndarray)]
    return {"lang": lang, "quiz": quiz, "batch_size": max(sizes) if sizes else None,
            "nodes": nodes}


def node_record(graph: Graph, i: int, grad) -> dict:
    """One node: name, op, operands (a node index or a constant), value, grad and partials."""
    node = graph.order[i]
    operands = [{"node": graph.position[operand]} if isinstance(operand, Value)
                else {"const": encode(operand)} for operand in node.operands]
    record = {"name": node.name, "label": graph.labels[i], "op": node.op, "operands": operands,
              "value": encode(node.data), "grad": encode(grad),
              "partials": [encode(partial) for partial in node.partials]}
    composite = next((g for g in groups_of(node) if g.kind in REBUILT), None)
    if composite is not None and len(composite.values()) == 1 and \
            composite.values()[0] in graph.position:     # recomputed as Python does on edit
        record["composite"] = {"kind": composite.kind,
                               "input": graph.position[composite.values()[0]]}
    return record


REBUILT = ("sigmoid", "tanh")     # composites whose recipe depends on their input's sign


def layer_page_model(layer: Graph, graph: Graph, sources: dict, inner: dict, lang: str,
                     quiz: bool) -> dict:
    """The layer view's model: page_model of the collapsed graph, each node with `source` (its
    node in the primitive model) and each composite with `group` (see the contract)."""
    model = page_model(layer, lang, quiz)
    text = draw_words(lang)
    for record, node in zip(model["nodes"], layer.order):
        source = sources[node]
        record["source"] = graph.position[source]
        if node in inner:
            record["group"] = {
                "kind": node.op, "label": text["kind " + node.op],
                "rule": rule_text(node.op, None, len(node.operands), text,
                                  activation(node, text)),
                "rules": [rule_text(node.op, k, len(node.operands), text,
                                    activation(node, text)) for k in range(len(node.parents))],
                "output": graph.position[source],
                "inner": sorted(graph.position[x] for x in inner[node]),
                "inputs": [graph.position[sources[x]] for x in node.parents],
                "params": [graph.position[p] for p in _params(node) if p in graph.position]}
    return model


def _params(node: Value) -> tuple:
    """A neuron's parameters (its weights, then its bias); none for other composites."""
    group = next((g for g in node.groups if g.kind == "neuron"), None) if node.op == "neuron" \
        else None
    return group.params if group is not None else ()


def bundle_boxes(layer: Graph, graph: Graph, model: dict, layer_model: dict,
                 lang: str) -> list[tuple]:
    """The layer view's bundles (`bundles.py`): each one's record in layer_model["bundles"]
    (its neurons, inputs and weights by index, see the contract) and (bundle, box label,
    frame title) for the picture, the heat map showing the weights' gradients."""
    text = draw_words(lang)
    boxes, records = [], []
    for bundle in bundling.find_bundles(layer.order, layer.position):
        weights = [[graph.position[w] for w in row] for row in bundle.weights]
        matrix = [[float(decode(model["nodes"][p]["grad"])) for p in row] for row in weights]
        activation_name = activation(layer.order[bundle.neurons[0]], text)
        frame = bundling.frame_title(bundle, activation_name, text["kind layer"])
        boxes.append((bundle, bundling.box_label(bundle, matrix, text["grad"]), frame))
        records.append({"name": shown_name(bundle.name), "title": shown_name(bundle.title),
                        "layer": shown_name(bundle.layer),
                        "neurons": list(bundle.neurons), "inputs": list(bundle.inputs),
                        "weights": weights, "activation": activation_name,
                        "word": text["grad"]})
    layer_model["bundles"] = records
    return boxes


def decode(encoded) -> float:
    """A number of the model back to a float (the strings "NaN", "Infinity", "-Infinity")."""
    return float(encoded) if not isinstance(encoded, str) else float(encoded.lower())


def replay_gradients(graph: Graph) -> list:
    """d root / d node for every node, replayed from the recorded partials in the order of
    `frames.py` (each Value's `.grad` is left alone, and need not have been computed)."""
    order = graph.order
    root = order[-1].data
    grads: list = [None] * len(order)
    grads[-1] = np.ones_like(root) if isinstance(root, np.ndarray) else 1.0
    with np.errstate(all="ignore"):
        for i in reversed(range(len(order))):
            for parent, partial in zip(order[i].parents, order[i].partials):
                j = graph.position[parent]
                term = reduce_like(parent, partial * grads[i])
                grads[j] = term if grads[j] is None else grads[j] + term
    return grads


def encode(data):
    """A number, or a list of numbers, for JSON: full precision, non-finite ones as strings."""
    if isinstance(data, np.ndarray):
        return [encode(float(x)) for x in data]
    x = float(data)
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def script_json(data) -> str:
    """data as JSON that is safe inside a <script> element (no "</script>", no "<!--")."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)   # a lone one: escaped
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_SURROGATE = re.compile("[\ud800-\udfff]")     # only lone ones: a Python str holds no pairs


# ---------------------------------------------------------------------- the rule table (JS)

def page_rules(lang: str) -> str:
    """The page's rule table, as a script: `const PRIMITIVES = {...}`, one entry per record of
    `autograd.rules.PRIMITIVES` (read now, so a primitive added with `autograd.define` is in it),
    with its forward and partial in JavaScript and its rule texts in the page's language."""
    entries = "".join(_page_rule(primitive, lang) for primitive in PRIMITIVES.values())
    return ("// The rule table, written by viz/stepper.py from autograd/rules.py (PRIMITIVES).\n"
            "// a and b are the operands, args all of them, out the result, i an operand's "
            "position;\n// power, divide, log, ... are stepper.js's mirrors of arith.py.\n"
            f"const PRIMITIVES = {{\n{entries}}};")


def _page_rule(primitive: Primitive, lang: str) -> str:
    """One entry of the page's rule table: the record's fields, its forward and its partial."""
    for field in ("js_forward", "js_partial"):
        code = getattr(primitive, field)
        if not code.strip() or re.search(r"<!--|</?script", code, re.I):
            raise ValueError(f"primitive {primitive.op!r}: its {field} must be a JavaScript "
                             f"expression (not empty, no <script> or <!--); got {code!r}")
    key = primitive.op if re.fullmatch(r"[A-Za-z_]\w*", primitive.op) else _js_literal(
        primitive.op)
    fields = {"arity": primitive.arity, "symbol": primitive.symbol, "form": primitive.form,
              "reduces": primitive.reduces, "rule": list(primitive_rules(primitive.op, lang))}
    head = ", ".join(f"{name}: {_js_literal(value)}" for name, value in fields.items())
    return (f"  {key}: {{{head},\n"
            f"    forward: (args) => {{ const [a, b] = args; return {primitive.js_forward}; }},\n"
            f"    partial: (args, out, i) => {{ const [a, b] = args; "
            f"return {primitive.js_partial}; }}}},\n")


def _js_literal(value) -> str:
    """value as a JavaScript literal that cannot end the <script> element it is written in."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


# ---------------------------------------------------------------------- the picture (SVG)

def page_dot(graph: Graph, model: dict, boxes: list | None = None) -> graphviz.Digraph:
    """The picture of draw_graph, with ids the page finds: zg-node-i, zg-op-i, zg-edge-i-j;
    boxes (from `bundle_boxes`) draws bundled layers: zg-bundle-k and their neurons."""
    dot = graphviz.Digraph("computational_graph")
    dot.attr(rankdir="LR", nodesep="0.25", ranksep="0.35", fontname=FONTS, bgcolor="white")
    dot.attr("node", fontname=FONTS, fontsize="11")
    dot.attr("edge", fontname=MONO, fontsize="10", arrowsize="0.7", color="#555555")
    words = PAGE_TEXT[model["lang"]]
    skip = bundling.bundled([box[0] for box in boxes or ()])
    if skip:            # a network: its columns of neurons closer, its few labels larger
        dot.attr(nodesep="0.06", ranksep="0.12")
        dot.attr("edge", fontsize="11")
    for i, record in enumerate(model["nodes"]):
        if i in skip:
            _neuron_node(dot, graph, i, record)
            continue
        _value_node(dot, graph, i, record, words)
        if record["op"]:
            _op_node(dot, graph, i, record, words)
    if any("group" in record for record in model["nodes"]):
        frame_layers(dot, graph, draw_words(model["lang"]), skip)   # the layer view: frames
    if boxes:
        bundling.add_bundles(dot, [b for b, _, _ in boxes], [label for _, label, _ in boxes],
                             [frame for _, _, frame in boxes], ids=True)
    check_japanese(dot.source, "graphviz")
    return dot


def _value_node(dot, graph: Graph, i: int, record: dict, words: dict) -> None:
    node = graph.order[i]
    kind = "output" if i == len(graph.order) - 1 else ("inner" if node.parents else "input")
    border, width = (ORANGE, "2") if graph.is_branch(i) else ("#333333", "1")
    note = words["used"].format(count=graph.uses[i]) if graph.is_branch(i) else None
    label = _label(graph.labels[i], record["value"], record["grad"], note, words)
    dot.node(f"v{i}", label, id=f"zg-node-{i}", shape="box", style="rounded,filled",
             fillcolor=FILL[kind], color=border, penwidth=width,
             peripheries="2" if kind == "output" else "1")


def _neuron_node(dot, graph: Graph, i: int, record: dict) -> None:
    """A neuron of a bundled layer: its name within the layer ("N3" in the frame of layer
    L2, for "L2.N3"), then its value (black) and gradient (red)."""
    name = escape(bundling.short_name(graph.labels[i]))
    label = ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
             f'<TD ROWSPAN="2"><FONT POINT-SIZE="12"><B>{name}</B></FONT></TD>'
             f'<TD><FONT FACE="{MONO}">{pad(_shown(record["value"]), NEURON_WIDTH)}</FONT></TD>'
             f'</TR><TR><TD><FONT FACE="{MONO}" COLOR="{RED}">'
             f'{pad(_shown(record["grad"]), NEURON_WIDTH)}</FONT></TD></TR></TABLE>>')
    dot.node(f"v{i}", label, id=f"zg-node-{i}", shape="box", style="rounded,filled",
             fillcolor=FILL["inner"], color="#333333", margin="0.05,0.02", height="0.2")


def _label(name: str, value, grad, note: str | None, words: dict, dashed: bool = False) -> str:
    """An HTML-like table: the name, "data | value", "grad | gradient" (in the page's language:
    値, 勾配), and a note.

    The page finds the texts by their order (see `mark_svg`), so every row is always there.
    """
    rows = [f'<TR><TD COLSPAN="2"><FONT POINT-SIZE="12"><B>{escape(name)}</B></FONT></TD></TR>']
    rows.append(_number_row(escape(words["data"]), _shown(value), BLACK))
    if not dashed:
        rows.append(_number_row(escape(words["grad"]), _shown(grad), RED))
    if note:
        rows.append(f'<TR><TD COLSPAN="2"><FONT POINT-SIZE="11" COLOR="{ORANGE}">{escape(note)}'
                    f'</FONT></TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>>")


def _number_row(word: str, number: str, color: str) -> str:
    return (f'<TR><TD ALIGN="LEFT"><FONT FACE="{MONO}" COLOR="{GREY}">{word}</FONT></TD>'
            f'<TD><FONT FACE="{MONO}" COLOR="{color}">{pad(number, NUMBER_WIDTH)}</FONT></TD>'
            f'</TR>')


def _shown(encoded) -> str:
    """The text a number gets in the picture (a batch shows its first sample; the page fixes
    every text as soon as it runs)."""
    first = encoded[0] if isinstance(encoded, list) else encoded
    return summary(float(first), PRECISION)


def _op_node(dot, graph: Graph, i: int, record: dict, words: dict) -> None:
    group = record.get("group")
    if group:                       # a composite in the layer view: its kind and its rule
        label = (f'<<B>{escape(group["label"])}</B><BR/>'
                 f'<FONT POINT-SIZE="10">∂ = {escape(group["rule"])}</FONT>>')
        dot.node(f"op{i}", label, id=f"zg-op-{i}", shape="box", style="rounded,filled",
                 margin="0.08,0.04", fillcolor="#e4ecf7", color="#333333", penwidth="1.5",
                 ordering="in", tooltip=words["expand tip"])
    else:
        symbol = op_symbol(record["op"], len(graph.order[i].parents))
        dot.node(f"op{i}", symbol, id=f"zg-op-{i}", shape="circle", width="0.35",
                 fixedsize="false", margin="0.02", style="filled", fontsize="12",
                 fillcolor="#e4ecf7", color="#333333", ordering="in")
    arrows = {edge.slots[0]: edge for edge in graph.into.get(i, [])}
    for slot, operand in enumerate(record["operands"]):
        if slot in arrows:
            _edge(dot, graph, arrows[slot], words)
        elif "const" in operand:
            _constant(dot, i, slot, operand["const"])
    dot.edge(f"op{i}", f"v{i}", id=f"zg-out-{i}", color="#333333")


def _edge(dot, graph: Graph, edge: Edge, words: dict) -> None:
    text = partials_text([summary(p, PRECISION) for p in edge.partials])
    label = f'<<FONT COLOR="{BLUE}">{pad(escape(text), NUMBER_WIDTH + 2)}</FONT>>'
    tail = f"v{edge.parent}"
    if edge.copy:
        tail = f"u{edge.child}_{edge.parent}"
        parent = graph.order[edge.parent]
        copy_label = _label(graph.labels[edge.parent], encode(parent.data), None,
                            words["copy"], words, dashed=True)
        dot.node(tail, copy_label, id=f"zg-copy-{edge.child}-{edge.parent}", shape="box",
                 style="rounded,filled,dashed", fillcolor=FILL["input"], color=ORANGE,
                 penwidth="1.5")
    dot.edge(tail, f"op{edge.child}", id=f"zg-edge-{edge.child}-{edge.parent}", label=label)


def _constant(dot, i: int, slot: int, constant) -> None:
    name = f"c{i}_{slot}"
    dot.node(name, pad(escape(_shown(constant)), NUMBER_WIDTH // 2), id=f"zg-const-{i}-{slot}",
             shape="box", style="filled,dashed", fillcolor="#eeeeee", color=GREY,
             fontsize="11", height="0.25", width="0.3", margin="0.04,0.02")
    dot.edge(name, f"op{i}", style="dashed", color=GREY)


_GROUP = re.compile(r'<g id="(zg-[a-z]+-[0-9-]+)" class="(?:node|edge)">(.*?)</g>', re.S)
_TEXT = re.compile(r"<text ")


def text_classes(graph: Graph, model: dict | None = None) -> dict[str, list[str]]:
    """The class of every text the page rewrites, in the order dot writes them, by group id:
    a value node's rows are [name] "data" value "grad" gradient [note]; a composite's box is
    its kind and its rule."""
    classes, skip = _bundle_classes((model or {}).get("bundles", []))
    for i, node in enumerate(graph.order):
        if i in skip:
            continue
        name = ["zg-name"]
        note = ["zg-note"] if graph.is_branch(i) else []
        classes[f"zg-node-{i}"] = name + ["zg-label", "zg-value", "zg-label", "zg-grad"] + note
        if model and "group" in model["nodes"][i]:
            classes[f"zg-op-{i}"] = ["zg-symbol", "zg-rule"]
        elif node.op:
            classes[f"zg-op-{i}"] = ["zg-symbol"]
        for slot, operand in enumerate(node.operands):
            if not isinstance(operand, Value):
                classes[f"zg-const-{i}-{slot}"] = ["zg-const"]
    for edge in graph.edges:
        classes[f"zg-edge-{edge.child}-{edge.parent}"] = ["zg-partial"]
        if edge.copy:
            classes[f"zg-copy-{edge.child}-{edge.parent}"] = ["zg-name", "zg-label", "zg-value",
                                                               "zg-note"]
    return classes


def _bundle_classes(bundles: list[dict]) -> tuple[dict[str, list[str]], set[int]]:
    """The texts of each bundle's box and of its neurons' small boxes (name, value, gradient);
    and the neurons' indices."""
    classes = {f"zg-bundle-{k}": ["zg-bundle-title", "zg-bundle-scale"]
               + ["zg-bundle-top"] * bundling.TOP for k in range(len(bundles))}
    skip = {i for bundle in bundles for i in bundle["neurons"]}
    classes.update({f"zg-node-{i}": ["zg-name", "zg-value", "zg-grad"] for i in skip})
    return classes, skip


def mark_svg(svg: str, classes: dict[str, list[str]]) -> str:
    """dot's SVG, made ready to embed: no XML prolog or comments, and a class on every text
    the page rewrites (zg-name, zg-label, zg-value, zg-grad, zg-note, zg-partial, zg-const)."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S).replace("&#45;", "-")
    return _GROUP.sub(lambda match: _mark_group(match, classes), svg)


_CELL = re.compile(r'<polygon fill="#[0-9a-f]{6}" stroke="transparent"')


def _mark_group(match: re.Match, classes: dict[str, list[str]]) -> str:
    if match.group(1) not in classes:
        return match.group(0)
    wanted, body = classes[match.group(1)], match.group(2)
    if match.group(1).startswith("zg-bundle-"):     # a heat map's cells: coloured by the page
        body = _CELL.sub(lambda cell: '<polygon class="zg-cell" ' + cell.group(0)[9:], body)
    if len(_TEXT.findall(body)) != len(wanted):
        raise RuntimeError(f"unexpected SVG from dot for {match.group(1)}: "
                           f"{len(_TEXT.findall(body))} texts, expected {len(wanted)}")
    marked = iter(wanted)
    body = _TEXT.sub(lambda _: f'<text class="{next(marked)}" ', body)
    start = match.group(0)[:match.start(2) - match.start(0)]
    return start + body + "</g>"


def page_height(svg: str) -> int:
    """A height in pixels that shows the page without much scrolling, for Jupyter's iframe."""
    found = re.search(r'height="([0-9.]+)pt"', svg)
    picture = float(found.group(1)) * 4 / 3 if found else 400
    return int(min(max(picture + 260, 620), 1000))


# ---------------------------------------------------------------------- the page (HTML)

def fill_template(model: dict, svg: str, lang: str, layer: tuple | None = None) -> str:
    """stepper.html with every {{...}} filled: words, style, picture, model, rule table and
    script; layer (the layer view's model and picture) adds the view toggle and both in inert
    templates."""
    text = PAGE_TEXT[lang]
    steps = len(model["nodes"]) + 1 + sum(len(node["partials"]) for node in model["nodes"])
    script, rules = _asset("stepper.js"), page_rules(lang)
    parts = {
        "lang": lang, "css": _asset("stepper.css"), "script": script, "rules": rules,
        "script hashes": " ".join(script_hash(f"\n{code}\n") for code in (rules, script)),
        "svg": svg, "model": script_json(model), "text": script_json(text),
        "last step": str(steps - 1), "quiz checked": " checked" if model["quiz"] else "",
        "sample selector": _sample_selector(model, text),
        "view toggle": "" if layer is None else (
            f'<button id="zg-view" type="button">{html.escape(text["layer view"])}</button>'),
        "layer view": "" if layer is None else (
            f'<script type="application/json" id="zg-layer-model">{script_json(layer[0])}'
            f'</script>\n<template id="zg-layer-svg">{layer[1]}</template>'),
    }

    def fill(match: re.Match) -> str:
        key = match.group(1)
        return html.escape(text[key[2:]]) if key.startswith("t:") else parts[key]

    return re.sub(r"\{\{([a-z: ]+)\}\}", fill, _asset("stepper.html"))


def script_hash(code: str) -> str:
    """The Content-Security-Policy source that lets exactly this inline script run:
    'sha256-…' of its text (stepper.html puts each script between two line breaks)."""
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _sample_selector(model: dict, text: dict) -> str:
    if model["batch_size"] is None:
        return ""
    options = "".join(f'<option value="{k}">{html.escape(text["sample option"].format(k=k))}'
                      f'</option>' for k in range(model["batch_size"]))
    note = ""
    if model.get("batch_total", 0) > model["batch_size"]:
        words = text["bundle samples"].format(shown=model["batch_size"],
                                              total=model["batch_total"])
        note = f' <span id="zg-samples-note">{html.escape(words)}</span>'
    return (f'<label id="zg-sample-label">{html.escape(text["sample"])} '
            f'<select id="zg-sample">{options}</select></label>{note}')


def _asset(name: str) -> str:
    """A file shipped next to this module (the page's template, style and script)."""
    return resources.files("viz").joinpath(name).read_text(encoding="utf-8")
