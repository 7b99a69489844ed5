"""The stepper page's exporter (viz/stepper.py), checked without a browser: the model, the page's
self-containment, its words in both languages, and the command line's --html.
(The browser tests of the page itself are tests/test_stepper*.py.)"""

import html
import json
import math
import re
import shutil
from importlib import resources

import numpy as np
import pytest

import autograd
import viz
from autograd import Value
from autograd.rules import PARTIALS
from viz import cli
from viz.labels import PAGE_TEXT
from viz.stepper import encode, is_relu, page_model, script_json
from viz.scene import read_graph

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")


def sigmoid_graph():
    x = Value(0.5, name="x")
    z = 1 / (1 + (-x).exp())
    return x, z


def model_of(root, lang="en"):
    return page_model(read_graph(root, 300), lang, False)


def embedded(page: str, element_id: str):
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page,
                      re.S)
    return json.loads(found.group(1))


# ---------------------------------------------------------------------- words

def test_both_languages_have_the_same_page_words_and_none_is_empty():
    assert set(PAGE_TEXT) == {"en", "ja"}
    assert set(PAGE_TEXT["en"]) == set(PAGE_TEXT["ja"])
    for words in PAGE_TEXT.values():
        assert all(isinstance(text, str) and text.strip() for text in words.values())


def test_the_placeholders_agree_between_the_languages():
    for key, english in PAGE_TEXT["en"].items():
        fields = set(re.findall(r"\{(\w+)\}", english))
        assert fields == set(re.findall(r"\{(\w+)\}", PAGE_TEXT["ja"][key])), key


def test_the_japanese_page_uses_the_books_words():
    words = " ".join(PAGE_TEXT["ja"].values())
    for term in ("順伝播", "逆伝播", "勾配", "局所的な微分", "分岐: 勾配を足す", "次へ", "戻る",
                 "最初", "最後", "再生", "クイズ", "正解", "不正解", "得点"):
        assert term in words, term
    assert PAGE_TEXT["ja"]["score"].format(right=2, answered=3) == "得点: 2 / 3"
    assert PAGE_TEXT["en"]["score"].format(right=2, answered=3) == "score: 2 / 3"


# ---------------------------------------------------------------------- the model

def test_the_model_lists_nodes_in_topological_order_with_values_partials_and_gradients():
    x, z = sigmoid_graph()
    z.backward()
    model = model_of(z)
    nodes = model["nodes"]
    assert model["batch_size"] is None and model["lang"] == "en" and model["quiz"] is False
    assert nodes[0] == {"name": "x", "op": "", "operands": [], "value": 0.5, "grad": x.grad,
                        "partials": []}
    assert nodes[-1]["value"] == z.data and nodes[-1]["grad"] == 1.0
    order = autograd.topological_order(z)
    for i, (node, record) in enumerate(zip(order, nodes)):
        assert record["op"] == node.op and record["value"] == node.data
        assert record["grad"] == node.grad                      # replayed, bit for bit
        assert record["partials"] == list(node.partials)
        for operand in record["operands"]:
            assert operand.get("node", -1) < i                  # parents come first
    assert nodes[-1]["operands"][0] == {"const": 1.0}           # 1 / (...): the constant stays


def test_the_gradients_are_replayed_even_without_a_backward_pass():
    x, z = sigmoid_graph()
    model = model_of(z)                                         # no z.backward()
    assert math.isclose(model["nodes"][0]["grad"], z.data * (1 - z.data))
    assert x.grad == 0.0                                        # and no .grad was touched


def test_numbers_survive_json_exactly_and_non_finite_ones_become_strings():
    for x in (0.1, 1 / 3, 5e-324, 1.7976931348623157e308, -0.0):
        assert json.loads(json.dumps(encode(x))) == x
    assert [encode(math.inf), encode(-math.inf), encode(math.nan)] == \
        ["Infinity", "-Infinity", "NaN"]
    assert encode(np.array([1.0, np.inf])) == [1.0, "Infinity"]


def test_a_batch_graph_records_arrays_and_float_nodes_get_batch_totals():
    x = Value(np.array([1.0, -2.0, 3.0]), name="x")
    w = Value(0.5, name="w")
    loss = (x * w).relu().mean()
    loss.backward()
    model = model_of(loss)
    assert model["batch_size"] == 3
    by_name = {node["name"]: node for node in model["nodes"] if node["name"]}
    assert by_name["x"]["value"] == [1.0, -2.0, 3.0]
    assert by_name["w"]["grad"] == w.grad and isinstance(by_name["w"]["grad"], float)
    assert by_name["x"]["grad"] == list(x.grad)


def test_non_finite_values_are_exported_as_strings():
    x = Value(0.0, name="x")
    y = (x.log() * 1.0) / x
    model = model_of(y)
    assert model["nodes"][1]["value"] == "-Infinity"
    assert json.loads(script_json(model))["nodes"][1]["value"] == "-Infinity"


# ---------------------------------------------------------------------- relu's gate

def test_relu_is_recognised_but_a_user_multiplying_by_one_is_not():
    x = Value(2.0, name="x")
    assert is_relu(x.relu())
    assert is_relu(Value(-1.0).relu()) and is_relu(Value(0.0).relu())
    assert not is_relu(x * 1.0)
    assert not is_relu(x * float("1"))
    assert not is_relu(Value(-1.0) * 0.0)


def test_a_batch_relu_is_recognised_by_its_gate_and_value():
    x = Value(np.array([1.0, -2.0, 0.0]))
    assert is_relu(x.relu())
    assert not is_relu(x * np.array([1.0, 1.0, 1.0]))


def test_the_model_marks_relu_nodes_for_the_page():
    x = Value(-1.5, name="x")
    y = x.relu() + x
    records = model_of(y)["nodes"]
    assert [record.get("relu", False) for record in records] == [False, True, False]
    assert records[1]["operands"] == [{"node": 0}, {"const": 0.0}]


# ---------------------------------------------------------------------- the rule table in JS

def test_the_javascript_rule_table_has_one_line_per_entry_of_rules_py():
    script = resources.files("viz").joinpath("stepper.js").read_text(encoding="utf-8")
    table = script[script.index("const PARTIALS = {"):script.index("};", script.index(
        "const PARTIALS = {"))]
    entries = re.findall(r"^  (\w+):\s+\(args, out, i\) =>", table, re.M)
    assert entries == list(PARTIALS)
    for line in table.splitlines()[1:]:
        if re.match(r"^  \w+:", line):
            assert "//" in line, f"no math comment: {line}"


# ---------------------------------------------------------------------- the page

@needs_dot
def test_the_page_is_self_contained_and_forbids_the_network(tmp_path):
    _, z = sigmoid_graph()
    page = viz.stepper(z).save(tmp_path / "sigmoid.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"\b(src|href)\s*=", page, re.I)
    without_namespaces = re.sub(r'xmlns(:\w+)?="[^"]*"', "", page)
    assert "http://" not in without_namespaces and "https://" not in without_namespaces
    assert "@import" not in page and "url(" not in page and "{{" not in page
    assert len(page.encode("utf-8")) < 300_000


@needs_dot
def test_the_page_embeds_the_model_the_words_and_an_id_for_every_node_and_arrow(tmp_path):
    _, z = sigmoid_graph()
    page = viz.stepper(z, lang="ja", quiz=True).html
    model = embedded(page, "zg-model")
    assert model["lang"] == "ja" and model["quiz"] is True
    assert embedded(page, "zg-text") == PAGE_TEXT["ja"]
    for i, node in enumerate(model["nodes"]):
        assert f'id="zg-node-{i}"' in page
        for operand in node["operands"]:
            if "node" in operand:
                assert f'id="zg-edge-{i}-{operand["node"]}"' in page
    assert page.count('class="zg-value"') == len(model["nodes"])
    assert page.count('class="zg-grad"') == len(model["nodes"])
    assert 'id="zg-quiz-toggle" checked' in page and "<html lang=\"ja\">" in page


@needs_dot
def test_a_name_cannot_break_out_of_the_page():
    x = Value(1.0, name="</script><script>alert(1)</script>")
    page = viz.stepper(x * 2.0).html
    assert "<script>alert(1)" not in page
    assert embedded(page, "zg-model")["nodes"][0]["name"] == x.name


@needs_dot
def test_a_japanese_name_is_drawn(tmp_path):
    x = Value(0.5, name="入力")
    page = viz.stepper((x * x).exp(), lang="ja").html
    assert "入力" in page[page.index("<svg"):page.index("</svg>")]


@needs_dot
def test_jupyter_shows_the_page_in_an_escaped_iframe():
    _, z = sigmoid_graph()
    shown = viz.stepper(z)._repr_html_()
    assert shown.startswith("<iframe srcdoc=\"") and "sandbox=\"allow-scripts\"" in shown
    srcdoc = re.match(r'<iframe srcdoc="([^"]*)"', shown).group(1)
    assert "<" not in srcdoc and html.unescape(srcdoc) == viz.stepper(z).html
    assert re.search(r"height: \d+px", shown)


def test_a_graph_above_max_nodes_gets_draw_graphs_error():
    x = Value(1.0)
    y = x
    for _ in range(10):
        y = y + 1.0
    with pytest.raises(ValueError, match="more than max_nodes=5 values") as page_error:
        viz.stepper(y, max_nodes=5)
    with pytest.raises(ValueError) as drawing_error:
        viz.draw_graph(y, max_nodes=5)
    assert str(page_error.value) == str(drawing_error.value)


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        viz.stepper(Value(1.0), lang="fr")


# ---------------------------------------------------------------------- the command line

@needs_dot
def test_the_command_line_writes_the_page(tmp_path, capsys):
    page = tmp_path / "sigmoid.html"
    assert cli.main(["1/(1+exp(-x))", "--at", "x=0.5", "--html", str(page), "--quiz",
                     "--lang", "ja"]) == 0
    assert str(page) in capsys.readouterr().out       # "… に書き出しました" with --lang ja
    model = embedded(page.read_text(encoding="utf-8"), "zg-model")
    assert model["lang"] == "ja" and model["quiz"] is True
    assert not (tmp_path / "formula.svg").exists()


@pytest.mark.parametrize("arguments, message", [
    (["--quiz"], "add --html PATH"),
    (["--html", "page.txt"], "name a file ending in .html"),
    (["--html", "a.html", "--lang", "fr"], "invalid choice"),
])
def test_the_command_line_refuses_page_options_in_one_line(arguments, message, capsys):
    assert cli.main(["x*x", "--at", "x=1", *arguments]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
