"""The stepper's step size, in Chromium: one arrow a step, or one node a step (every term a node
sends to its parents at once: a neuron's whole fan-in).

On the micrograd lecture's MLP(2, [16, 16, 1]) in the layer view (weight boxes: the page opens
one node a step): the number of backward steps, the gradients at the end against Python's
`.grad`, a neuron's step against the sum of its arrow steps, switching the size at the same
point of the backward pass, the address fragment, the explanation's list of terms, the weight
box's heat map and the quiz. The textbook sigmoid graph still opens one arrow a step with its
old count. Needs Chromium and ChromeDriver (see conftest.py); without them, skipped. Read
viz/stepper.js `makeSteps` and `setMode` with it.
"""

from __future__ import annotations

import json
import math
import re

import pytest

from autograd import Value, topological_order
from test_projector import lecture_loss
from test_projector_browser import click, explanation
from test_stepper_browser import mismatches, read_page, scenes_of, sigmoid_graph
from viz.labels import number
from viz.layers import collapse
from viz.scene import read_graph

REL = 1e-12

STATE = """
const grads = [];
for (let i = 0; document.getElementById('zg-node-' + i); i++) {
  grads.push(document.getElementById('zg-node-' + i).getAttribute('data-grad'));
}
const marked = (cls) => [...document.querySelectorAll('#zg-graph g.' + cls)].map((g) => g.id);
return JSON.stringify({grads, step: zerograd.state.step, mode: zerograd.mode,
  steps: zerograd.steps.length, control: document.getElementById('zg-step-size').value,
  title: document.getElementById('zg-title').textContent,
  phase: document.getElementById('zg-phase').textContent, hash: location.hash,
  slider: document.getElementById('zg-slider').max,
  receive: marked('zg-receive'), focus: marked('zg-focus')});
"""


def page_state(driver) -> dict:
    """The gradients shown (data-grad, "" when not yet known) and the step, mode and title."""
    return json.loads(driver.execute_script(STATE))


def choose(driver, mode: str) -> None:
    """Pick a step size with the page's control, as a teacher does."""
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "zg-step-size")).select_by_value(mode)


def node_step(driver, label: str) -> int:
    """The index of the node step of the layer view's node called `label`."""
    return driver.execute_script(
        "const i = zerograd.model.nodes.findIndex((n) => n.label === arguments[0]);"
        "return zerograd.steps.findIndex((s) => s.kind === 'node' && s.node === i)", label)


def same(page: str, python: float) -> bool:
    return page != "" and math.isclose(float(page), float(python), rel_tol=REL, abs_tol=0.0)


@pytest.fixture
def lecture(open_page):
    """open(fragment="", lang="en"): the lecture MLP's page, its loss backpropagated."""
    loss = lecture_loss()[2]
    loss.backward(retain_grad=True)           # every node keeps its .grad for the comparison
    return lambda fragment="", lang="en": open_page(loss, fragment, collapse=True, lang=lang)


def test_the_lecture_page_opens_one_node_a_step(lecture):
    graph = read_graph(collapse(lecture_loss()[2]), 300)
    with_parents = sum(1 for node in graph.order if node.parents)
    arrows = sum(len(node.parents) for node in graph.order)
    page = page_state(lecture())
    n = len(graph.order)
    assert (page["mode"], page["control"]) == ("node", "node")
    assert page["steps"] == n + 1 + with_parents == n + 36       # 35 nodes have parents
    assert page["step"] == page["steps"] - 1 and page["slider"] == str(page["steps"] - 1)
    assert page["hash"] == f"#step={page['steps']}&mode=node&view=layer"
    assert re.search(rf"step {page['steps']} of {page['steps']}$", page["phase"])
    driver = lecture("#step=1&mode=arrow&view=layer")
    assert page_state(driver)["steps"] == n + 1 + arrows == n + 307


def test_node_steps_end_with_pythons_gradients(lecture):
    loss = lecture_loss()[2]
    loss.backward(retain_grad=True)
    values = topological_order(loss)
    driver = lecture()
    sources = driver.execute_script("return zerograd.model.nodes.map((n) => n.source)")
    assert driver.execute_script("return zerograd.views.primitive.nodes.length") == len(values)
    n = len(sources)
    driver.execute_script("zerograd.goTo(arguments[0])", n)       # the seed
    for _ in range(page_state(driver)["steps"] - n - 1):
        driver.find_element("id", "zg-next").click()
    page = page_state(driver)
    assert page["step"] == page["steps"] - 1
    wrong = [(i, page["grads"][i], values[s].grad) for i, s in enumerate(sources)
             if not same(page["grads"][i], values[s].grad)]
    assert wrong == []


def test_a_neuron_step_is_the_sum_of_its_arrow_steps(lecture):
    driver = lecture()
    k = node_step(driver, "L2.N2")
    step = driver.execute_script("return zerograd.steps[arguments[0]]", k)
    driver.execute_script("zerograd.goTo(arguments[0])", k)
    node = page_state(driver)
    terms = driver.execute_script(
        "return zerograd.ev.terms.slice(arguments[0], arguments[1])", step["start"], step["end"])
    assert len(terms) == 16 and {t["node"] for t in terms} == {step["node"]}
    upstream = number(terms[0]["upstream"], 4)
    assert node["title"] == \
        f"grad of the 16 inputs of L2.N2 += ∂ × upstream {upstream} (16 terms)"
    assert sorted(node["receive"]) == sorted(f"zg-node-{t['parent']}" for t in terms)
    assert set(node["focus"]) == {f"zg-node-{step['node']}", "zg-bundle-1"}   # sender, its box
    choose(driver, "arrow")                      # node -> arrow: the node's last arrow
    arrow = page_state(driver)
    n = len(node["grads"])
    assert arrow["mode"] == "arrow" and arrow["step"] == n + step["end"]
    assert arrow["grads"] == node["grads"] and "mode=arrow" in arrow["hash"]
    driver.execute_script("zerograd.goTo(arguments[0])", n + step["start"])   # before it
    before = page_state(driver)["grads"]
    for t in terms:                               # one arrow at a time: each adds its term
        driver.find_element("id", "zg-next").click()
        shown = page_state(driver)["grads"][t["parent"]]
        added = float(before[t["parent"]] or 0) + t["term"]
        assert math.isclose(float(shown), added, rel_tol=REL), (t, shown, added)
        before = page_state(driver)["grads"]
    assert before == node["grads"]
    driver.execute_script("zerograd.goTo(arguments[0])", n + step["start"] + 5)  # mid-node
    choose(driver, "node")                       # arrow -> node: the node of that arrow
    assert page_state(driver)["step"] == k


def test_the_explanation_lists_the_largest_terms(lecture):
    driver = lecture()
    k = node_step(driver, "L2.N2")
    driver.execute_script("zerograd.goTo(arguments[0])", k)
    step = driver.execute_script("return zerograd.steps[arguments[0]]", k)
    terms = driver.execute_script(
        "return zerograd.ev.terms.slice(arguments[0], arguments[1])", step["start"], step["end"])
    assert len({abs(t["term"]) for t in terms}) == 16          # a live neuron: an order
    lines = explanation(driver)
    assert lines[0] == "L2.N2 sends its gradient to its 16 inputs, the largest terms first:"
    largest = sorted(terms, key=lambda t: -abs(t["term"]))[:8]
    shown = [re.search(r"= (\S+)(;|$)", line).group(1) for line in lines[1:9]]
    assert shown == [number(t["term"], 4) for t in largest]
    assert lines[9] == "… and 8 more" and len(lines) == 10
    driver.execute_script("zerograd.goTo(0)")    # a forward step: the help comes back
    assert explanation(driver)[0].startswith("Click a node")


def test_the_weight_box_fills_after_the_output_neurons_step(lecture):
    driver = lecture()
    k = node_step(driver, "L3.N0")
    white = lambda: {c for c in driver.execute_script(                       # noqa: E731
        "return [...document.querySelectorAll('#zg-bundle-1 .zg-cell')]"
        ".map((c) => c.getAttribute('fill'))")} == {"#ffffff"}
    driver.execute_script("zerograd.goTo(arguments[0])", k - 1)
    assert white()
    driver.find_element("id", "zg-next").click()
    assert not white()


def test_the_step_size_is_in_the_fragment(lecture):
    driver = lecture("#step=40&mode=arrow&view=layer")
    page = page_state(driver)
    assert (page["mode"], page["step"]) == ("arrow", 39)
    choose(driver, "node")
    page = page_state(driver)
    assert page["mode"] == "node"
    assert page["hash"] == f"#step={page['step'] + 1}&mode=node&view=layer"
    reopened = page_state(lecture(page["hash"]))
    assert (reopened["mode"], reopened["step"], reopened["title"]) == \
        ("node", page["step"], page["title"])
    driver.execute_script("location.hash = '#step=38&mode=arrow&view=layer'")
    assert (page_state(driver)["mode"], page_state(driver)["step"]) == ("arrow", 37)


def test_the_textbook_sigmoid_page_keeps_one_arrow_a_step(open_page):
    root = sigmoid_graph()[-1]
    graph, scenes = scenes_of(root)
    driver = open_page(root)
    page = page_state(driver)
    assert (page["mode"], page["steps"]) == ("arrow", len(scenes))
    assert page["hash"] == f"#step={len(scenes)}&mode=arrow"
    choose(driver, "node")                       # asked for: one node a step here too
    n, with_parents = len(graph.order), sum(1 for node in graph.order if node.parents)
    assert page_state(driver)["steps"] == n + 1 + with_parents
    assert mismatches(read_page(driver), graph, scenes[-1]) == []       # the same end


def test_a_nan_in_a_node_step_says_where_it_comes_from(open_page):
    w = Value(2.0, name="w")
    root = Value(-1.0, name="x").sqrt() * w
    driver = open_page(root, "#step=6&mode=node")   # 4 values, the seed, the product
    title = page_state(driver)["title"]
    assert title.startswith("grad of the 2 inputs of") and "(2 terms)" in title
    assert "(nan comes from sqrt(-1) = nan at sqrt(x))" in title


def test_the_quiz_hides_a_node_steps_numbers(lecture):
    driver = lecture()
    driver.find_element("id", "zg-quiz-toggle").click()
    k = node_step(driver, "L2.N2")
    driver.execute_script("zerograd.goTo(arguments[0])", k)
    assert page_state(driver)["title"].endswith("+= ∂ × upstream ? (16 terms)")
    assert all(line.endswith("= ?") for line in explanation(driver)[1:9])


def test_the_japanese_page_shows_the_control_in_japanese(lecture):
    driver = lecture(lang="ja")
    label = driver.find_element("id", "zg-step-size-label").text
    assert label.startswith("進め方:") and "1 本の矢印ずつ" in label and "1 ノードずつ" in label
    driver.execute_script("zerograd.goTo(arguments[0])", node_step(driver, "L2.N2"))
    title = page_state(driver)["title"]
    assert title.startswith("L2.N2 の 16 個の入力の勾配 += ∂ × 上流 ") and title.endswith("（16 項）")
    click(driver, "zg-node-0")
    assert explanation(driver)[0] == "ノード x0"
