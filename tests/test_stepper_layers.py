"""The stepper's layer view (`viz.stepper(root, collapse=True)`), in Python and in a real browser.

The page embeds the primitive graph and `viz.layers.collapse(root)`; the layer view's numbers
are derived in JavaScript from the primitive ones (a composite's partials by a mini-backprop
over its inner nodes). Checked here: the model's group fields; the layer view's nodes and
labels; every backward step's gradients against a chain rule replayed in this file over the
collapsed graph; the toggle, click-to-expand and collapse-into; a leaf edit against the graph
rebuilt in Python at the new input; Japanese; the quiz. Numbers within a relative 1e-12.

Needs Chromium and ChromeDriver (see conftest.py); without them the browser tests are skipped.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np

import nn
import viz
from autograd import Value, topological_order
from nn.losses import softmax_cross_entropy
from viz.layers import collapse
from viz.scene import read_graph
from viz.stepper import replay_gradients

REL = 1e-12


def same(a, b) -> bool:
    return math.isclose(float(a), float(b), rel_tol=REL, abs_tol=0.0)


def sigmoid_graph(x: float = 0.5) -> tuple[Value, Value]:
    leaf = Value(x, name="x")
    return leaf, leaf.sigmoid()


def mlp_graph(x0: float = 0.5, x1: float = -1.0) -> tuple[list[Value], Value]:
    """nn.MLP(2, [3, 1]) (relu, then a linear output) at (x0, x1), the same weights each time."""
    inputs = [Value(x0, name="x0"), Value(x1, name="x1")]
    return inputs, nn.MLP(2, [3, 1], seed=0)(inputs)


def ancestors(node: Value) -> set[Value]:
    """node and every Value it was computed from."""
    seen, stack = set(), [node]
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(n.parents)
    return seen


def embedded_model(page: str, element_id: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>',
                      page, re.S)
    return json.loads(found.group(1))


def stepped_grads(graph) -> list[dict[int, float]]:
    """The gradients known after each backward step of the page (seed, then one per arrow use:
    children from the output back, operands in order), by the chain rule written out here."""
    order, n = graph.order, len(graph.order)
    grads = {n - 1: 1.0}
    known = [dict(grads)]
    for i in reversed(range(n)):
        for parent, partial in zip(order[i].parents, order[i].partials):
            j = graph.position[parent]
            grads[j] = grads.get(j, 0.0) + float(partial) * grads[i]
            known.append(dict(grads))
    return known


# ---------------------------------------------------------------------- Python: the model

def test_the_layer_model_lists_each_group_with_its_nodes_inputs_and_rule():
    x, z = sigmoid_graph()
    page = viz.stepper(z, collapse=True).html
    primitive = embedded_model(page, "zg-model")
    layer = embedded_model(page, "zg-layer-model")
    order = topological_order(z)
    assert len(primitive["nodes"]) == len(order)
    assert [node["op"] for node in layer["nodes"]] == ["", "sigmoid"]
    group = layer["nodes"][1]["group"]
    assert group["kind"] == "sigmoid" and group["rule"] == "y(1−y)"
    assert group["output"] == order.index(z) and group["inputs"] == [order.index(x)]
    assert set(group["inner"]) == set(range(len(order))) - {order.index(x), order.index(z)}
    assert [node["source"] for node in layer["nodes"]] == [order.index(x), order.index(z)]
    y = 1 / (1 + math.exp(-0.5))
    assert same(layer["nodes"][1]["partials"][0], y * (1 - y))
    assert same(layer["nodes"][0]["grad"], y * (1 - y))


def test_a_mlp_layer_model_has_one_neuron_node_holding_its_weights():
    inputs, out = mlp_graph()
    page = viz.stepper(out, collapse=True).html
    primitive = embedded_model(page, "zg-model")
    layer = embedded_model(page, "zg-layer-model")
    names = [node["name"] for node in primitive["nodes"]]
    groups = [node["group"] for node in layer["nodes"] if "group" in node]
    assert [g["kind"] for g in groups] == ["neuron"] * 4
    for node in layer["nodes"]:
        if "group" in node:
            inner = {names[i] for i in node["group"]["inner"]}
            weights = {name for name in names if name and name.startswith(node["name"] + ".")}
            assert weights and weights <= inner           # w0, w1, ..., b of that neuron
            assert node["group"]["inputs"] == [layer["nodes"][o["node"]]["source"]
                                               for o in node["operands"]]


def test_batchnorm_on_a_batch_stays_expanded_in_the_pages_layer_view():
    """Each sample's output of BN depends on every sample: one box per feature with one
    number per sample on its arrow would backprop wrongly, so the page keeps it node by node."""
    x = Value(np.array([0.5, -1.0, 2.0, 0.25]), name="x")
    out = nn.BatchNorm(1)([x])[0]
    loss = (out * np.array([1.0, -2.0, 0.5, 3.0])).sum()
    page = viz.stepper(loss, collapse=True).html
    layer = embedded_model(page, "zg-layer-model")
    assert "batchnorm" not in [node["op"] for node in layer["nodes"]]
    assert len(layer["nodes"]) == len(embedded_model(page, "zg-model")["nodes"])


def test_without_collapse_the_page_has_no_layer_view():
    page = viz.stepper(sigmoid_graph()[1]).html
    assert 'id="zg-layer-model"' not in page and 'id="zg-view"' not in page


# ---------------------------------------------------------------------- the browser

READ = """
const nodes = [];
for (let i = 0; document.getElementById('zg-node-' + i); i++) {
  const node = document.getElementById('zg-node-' + i);
  nodes.push({value: node.getAttribute('data-value'), grad: node.getAttribute('data-grad'),
              name: node.querySelector('.zg-name').textContent.trim(),
              member: node.classList.contains('zg-member')});
}
const ops = {};
for (const op of document.querySelectorAll('[id^="zg-op-"]')) {
  ops[op.id] = op.querySelector('.zg-symbol').textContent.trim();
}
return JSON.stringify({nodes, ops, view: zerograd.view, step: zerograd.state.step,
  steps: zerograd.steps.length, selected: zerograd.state.selected,
  partials: zerograd.ev.partials, toggle: document.getElementById('zg-view').textContent,
  explain: document.getElementById('zg-explain').textContent,
  frames: [...document.querySelectorAll('#zg-graph g.cluster text')].map((t) => t.textContent)});
"""


def read(driver) -> dict:
    return json.loads(driver.execute_script(READ))


def click(driver, element_id: str) -> None:
    """A click on an SVG group (selenium cannot always click SVG elements directly)."""
    driver.execute_script("document.getElementById(arguments[0]).dispatchEvent("
                          "new MouseEvent('click', {bubbles: true}))", element_id)


def check_layer_numbers(page: dict, graph) -> list[str]:
    """What the layer view shows wrongly at its last step: values, partials, gradients."""
    wrong = []
    grads = replay_gradients(graph)
    for i, node in enumerate(graph.order):
        shown = page["nodes"][i]
        if not same(shown["value"], node.data):
            wrong.append(f"node {i} value {shown['value']} != {node.data}")
        if not same(shown["grad"], grads[i]):
            wrong.append(f"node {i} grad {shown['grad']} != {grads[i]}")
        for k, partial in enumerate(node.partials):
            if not same(page["partials"][i][k], partial):
                wrong.append(f"node {i} partial {k}: {page['partials'][i][k]} != {partial}")
    return wrong


def test_layer_view_nodes_labels_and_every_backward_step(open_page):
    sigmoid, mlp = sigmoid_graph()[1], mlp_graph()[1]
    # an unnamed node is called by what made it, as in the primitive view: the sigmoid's output
    names = {sigmoid: ["x", "sigmoid(x)"],
             mlp: ["x0", "x1", "L1.N0", "L1.N1", "L1.N2", "L2.N0"]}
    for root, kinds in ((sigmoid, ["sigmoid"]), (mlp, ["neuron"] * 4)):
        graph = read_graph(collapse(root), 300)
        driver = open_page(root, collapse=True)
        page = read(driver)
        assert page["view"] == "layer" and len(page["nodes"]) == len(graph.order)
        assert [node["name"] for node in page["nodes"]] == names[root]
        group_ops = [page["ops"][f"zg-op-{i}"] for i, node in enumerate(graph.order)
                     if node.op in ("sigmoid", "neuron")]
        assert [op.lower() for op in group_ops] == kinds
        n = len(graph.order)
        expected = stepped_grads(graph)
        assert page["steps"] == n + len(expected)
        assert check_layer_numbers(page, graph) == []
        for k, grads in enumerate(expected):          # the seed step, then each arrow
            driver.execute_script("zerograd.goTo(arguments[0])", n + k)
            shown = read(driver)["nodes"]
            for i in range(n):
                if i in grads:
                    assert same(shown[i]["grad"], grads[i]), (k, i, shown[i], grads[i])
                else:
                    assert shown[i]["grad"] == "", (k, i, shown[i])


def test_toggle_expand_and_collapse_back(open_page):
    inputs, out = mlp_graph()
    primitive = read_graph(out, 300)
    layer = read_graph(collapse(out), 300)
    driver = open_page(out, collapse=True)
    assert read(driver)["toggle"] == "Primitive view"
    driver.find_element("id", "zg-view").click()
    page = read(driver)
    assert page["view"] == "primitive" and len(page["nodes"]) == len(primitive.order)
    assert page["toggle"] == "Layer view" and not any(n["member"] for n in page["nodes"])
    driver.find_element("id", "zg-view").click()
    assert read(driver)["view"] == "layer"
    j = next(i for i, node in enumerate(layer.order) if node.name == "L1.N1")
    click(driver, f"zg-op-{j}")                       # the neuron's box: expand it
    page = read(driver)
    output = next(node for node in primitive.order if node.data == layer.order[j].data
                  and node.op == "relu")              # relu's output: the neuron's output
    members = ancestors(output) - set(inputs)
    assert page["view"] == "primitive"
    assert {i for i, n in enumerate(page["nodes"]) if n["member"]} == \
        {primitive.position[node] for node in members}
    assert page["selected"] == primitive.position[output]
    note = driver.find_element("id", "zg-view-note").text
    assert note.startswith("teal: the nodes inside neuron")
    driver.find_element("id", "zg-collapse").click()  # back: that neuron selected
    page = read(driver)
    assert page["view"] == "layer" and page["selected"] == j
    assert "L1.N1" in page["explain"]
    for rule in ("neuron: ∂ = ReLU′·w₀", "neuron: ∂ = ReLU′·w₁"):
        assert rule in page["explain"]
    driver.find_element("id", "zg-expand").click()    # the explanation's button expands too
    assert read(driver)["view"] == "primitive"


def test_a_leaf_edit_updates_the_layer_view_as_python_recomputes_it(open_page):
    # (sigmoid's graph has another shape for x < 0, so x stays positive: the page keeps shapes)
    for build, leaf, new in ((lambda v: sigmoid_graph(v)[1], "x", 2.25),
                             (lambda v: mlp_graph(v, -1.0)[1], "x0", -2.5)):
        driver = open_page(build(0.5), collapse=True)
        graph = read_graph(collapse(build(0.5)), 300)
        i = next(k for k, node in enumerate(graph.order) if node.name == leaf)
        field = driver.find_element("id", f"zg-input-{i}")
        field.clear()
        field.send_keys(str(new))
        driver.find_element("id", "zg-last").click()
        rebuilt = read_graph(collapse(build(new)), 300)
        assert check_layer_numbers(read(driver), rebuilt) == []
        driver.find_element("id", "zg-view").click()  # the primitive view kept the new input
        primitive = read_graph(build(new), 300)
        shown = read(driver)["nodes"]
        assert len(shown) == len(primitive.order)
        assert all(same(shown[k]["value"], node.data) for k, node in enumerate(primitive.order))


def test_the_explanation_substitutes_the_sigmoid_rule(open_page):
    driver = open_page(sigmoid_graph()[1], collapse=True)
    click(driver, "zg-node-1")
    y = 1 / (1 + math.exp(-0.5))
    text = read(driver)["explain"]
    assert f"sigmoid: ∂ = y(1−y) = {y:.4g}·(1−{y:.4g}) = {y * (1 - y):.4g}" in text


def test_layer_view_in_japanese_and_its_quiz(open_page):
    inputs, out = mlp_graph()
    driver = open_page(out, collapse=True, lang="ja")
    page = read(driver)
    assert page["toggle"] == "演算ごとの表示"
    assert sorted(set(page["ops"].values())) == ["ニューロン"]
    assert page["frames"] == ["層 L1", "層 L2"]
    driver.find_element("id", "zg-quiz-toggle").click()
    graph = read_graph(collapse(out), 300)
    asked = driver.execute_script("return zerograd.state.asked")
    grad = replay_gradients(graph)[asked]
    answer = driver.find_element("id", "zg-answer")
    answer.send_keys(repr(float(grad)))
    driver.find_element("id", "zg-check").click()
    assert driver.find_element("id", "zg-score").text == "得点: 1 / 1"
    assert driver.find_element("id", "zg-feedback").text.startswith("正解")


def test_a_batch_with_softmax_and_loss_in_the_layer_view_agrees_with_python(open_page):
    inputs = [Value(np.array([0.5, -1.0, 2.0]), name="x0"),
              Value(np.array([1.0, 0.3, -0.7]), name="x1")]
    loss = softmax_cross_entropy(nn.MLP(2, [3, 2], seed=1)(inputs), np.array([0, 1, 1]))
    driver = open_page(loss, collapse=True)
    graph = read_graph(collapse(loss), 300)
    ev = json.loads(driver.execute_script(
        "return JSON.stringify({values: zerograd.ev.values, partials: zerograd.ev.partials, "
        "grads: zerograd.ev.grads, ops: zerograd.model.nodes.map((n) => n.op)})"))
    assert ev["ops"] == [node.op for node in graph.order]
    assert ev["ops"].count("neuron") == 5 and ev["ops"][-1] == "softmax_cross_entropy"
    grads = replay_gradients(graph)
    for i, node in enumerate(graph.order):
        pairs = [(ev["values"][i], node.data), (ev["grads"][i], grads[i])]
        for page, python in pairs + list(zip(ev["partials"][i], node.partials)):
            assert np.allclose(np.array(page, float), np.asarray(python, float),
                               rtol=REL, atol=0), (i, node.op, page, python)


def test_collapse_takes_a_list_of_kinds_and_refuses_unknown_ones():
    inputs = [Value(0.5, name="x0"), Value(-1.0, name="x1")]
    out = nn.MLP(2, [2, 1], activation="sigmoid", seed=0)(inputs).sigmoid()
    only_sigmoids = embedded_model(viz.stepper(out, collapse=["sigmoid"]).html, "zg-layer-model")
    kinds = [node["group"]["kind"] for node in only_sigmoids["nodes"] if "group" in node]
    assert kinds == ["sigmoid"] * 3                  # two neurons' activations and the last one
    assert "dot" in [node["op"] for node in only_sigmoids["nodes"]]
    try:
        viz.stepper(out, collapse=["neurons"])
    except ValueError as error:
        assert "neurons" in str(error)
    else:
        raise AssertionError("an unknown kind was accepted")


def test_the_view_is_in_the_url_fragment(open_page):
    x, z = sigmoid_graph()
    driver = open_page(z, "#step=3&view=primitive", collapse=True)   # step 3: index 2
    page = read(driver)
    assert page["view"] == "primitive" and page["step"] == 2
    assert len(page["nodes"]) == len(topological_order(z))
    driver.find_element("id", "zg-view").click()
    assert driver.execute_script("return location.hash").endswith("&view=layer")
    plain = open_page(Value(2.0, name="a") * Value(3.0, name="b"), collapse=True)
    page = read(plain)                               # nothing to collapse: the same graph
    assert page["view"] == "layer" and [n["name"] for n in page["nodes"]] == ["a", "b", "a·b"]


def test_a_composite_reading_one_value_twice_passes_its_gradient_once():
    x = Value(0.5, name="x")
    neuron = nn.Neuron(2, activation="sigmoid", seed=0)
    out = neuron([x, x])
    w0, w1 = (float(w.data) for w in neuron.w)       # the bias is 0
    y = 1 / (1 + math.exp(-(w0 + w1) * 0.5))
    layer = embedded_model(viz.stepper(out, collapse=True).html, "zg-layer-model")
    assert [o["node"] for o in layer["nodes"][-1]["operands"]] == [0]
    assert same(layer["nodes"][0]["grad"], y * (1 - y) * (w0 + w1))
