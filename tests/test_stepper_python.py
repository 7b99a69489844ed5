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
from autograd.rules import PRIMITIVES, Primitive
from viz import cli
from viz.labels import PAGE_TEXT, primitive_rules
from viz.stepper import _page_rule, encode, page_model, page_rules, script_json
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
    assert nodes[0] == {"name": "x", "label": "x", "op": "", "operands": [], "value": 0.5,
                        "grad": x.grad, "partials": []}
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


# ---------------------------------------------------------------------- relu, a primitive

def test_relu_is_a_relu_node_but_a_user_multiplying_by_one_is_a_mul():
    x = Value(-1.5, name="x")
    records = model_of(x.relu() + x)["nodes"]
    assert [record["op"] for record in records] == ["", "relu", "add"]
    assert records[1]["operands"] == [{"node": 0}] and records[1]["partials"] == [0.0]
    assert all("relu" not in record for record in records)     # no flag, no gate to recompute
    records = model_of(Value(2.0) * 1.0)["nodes"]
    assert [record["op"] for record in records] == ["", "mul"]
    assert records[1]["operands"] == [{"node": 0}, {"const": 1.0}]


def test_a_batch_relu_records_its_step_as_its_partial():
    x = Value(np.array([1.0, -2.0, 0.0]))
    records = model_of(x.relu())["nodes"]
    assert records[1]["op"] == "relu" and records[1]["partials"] == [[1.0, 0.0, 0.0]]
    assert records[1]["value"] == [1.0, 0.0, 0.0]


# ---------------------------------------------------------------------- the rule table in JS

STEPPER_JS = resources.files("viz").joinpath("stepper.js").read_text(encoding="utf-8")
PARAMETERS = {"a", "b", "args", "out", "i"}          # what the page's table gives each expression
JS_WORDS = {"Math", "NaN", "Infinity", "Number", "Array", "true", "false", "null", "undefined",
            "typeof"}


def table_helpers() -> set[str]:
    """The names stepper.js defines before its main function: the globals the table may call."""
    helpers = STEPPER_JS[:STEPPER_JS.index("\n(() => {")]
    return set(re.findall(r"^(?:function|const|let)\s+([A-Za-z_$][\w$]*)", helpers, re.M))


def unknown_names(expression: str) -> set[str]:
    """The names an expression reads that are neither its parameters, JavaScript's own words,
    the table's helpers, nor bound inside it (an arrow function's parameters); a property
    (after a dot, as in Math.exp or args.length) is not a name."""
    code = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", "", expression)
    bound = set(re.findall(r"([A-Za-z_$][\w$]*)\s*=>", code))
    for params in re.findall(r"\(([^()]*)\)\s*=>", code):
        bound |= set(re.findall(r"[A-Za-z_$][\w$]*", params))
    names = set(re.findall(r"(?<![\w$.])([A-Za-z_$][\w$]*)", code))
    return names - PARAMETERS - JS_WORDS - bound - table_helpers()


def test_the_table_helpers_are_found_in_stepper_js():
    assert {"power", "divide", "log", "powBasePartial", "powExponentPartial", "weightedSum",
            "dotPartial", "total", "size", "ones", "scale"} <= table_helpers()
    assert "render" not in table_helpers()            # the main function's names are not global
    assert unknown_names("args.reduce((s, x) => s + x, 0) + Math.exp(a)") == set()
    assert unknown_names("cube(a) + out * 3") == {"cube"}


@pytest.mark.parametrize("op", list(PRIMITIVES))
def test_every_primitive_has_its_javascript_and_calls_only_helpers_the_page_has(op):
    """Nothing ships without its JS: each record's js_forward and js_partial are expressions
    over a, b, args, out, i and the helpers stepper.js defines (power, divide, ...)."""
    primitive = PRIMITIVES[op]
    for field in ("js_forward", "js_partial"):
        code = getattr(primitive, field)
        assert code.strip(), f"{op}: {field} is empty"
        assert unknown_names(code) == set(), \
            f"{op}: {field} {code!r} uses names stepper.js does not define"


def test_the_page_rule_table_has_one_entry_per_record_with_its_javascript():
    table = page_rules("en")
    assert table.count("\n  ") and "const PRIMITIVES = {" in table
    entries = re.findall(r"^  (\w+): \{arity: (\d), symbol: (.*?), form: \"(\w+)\", "
                         r"reduces: (true|false), rule: (\[.*\]),$", table, re.M)
    assert [entry[0] for entry in entries] == list(PRIMITIVES)
    for op, arity, symbol, form, reduces, rule in entries:
        primitive = PRIMITIVES[op]
        assert (int(arity), json.loads(symbol), form, reduces) == \
            (primitive.arity, primitive.symbol, primitive.form, str(primitive.reduces).lower())
        assert json.loads(rule) == list(primitive_rules(op, "en"))
        assert f"return {primitive.js_forward}; }}," in table
        assert f"return {primitive.js_partial}; }}}}," in table


def test_the_page_rule_table_is_in_the_pages_language():
    assert "a > 0 なら 1" in page_rules("ja") and "a > 0 なら 1" not in page_rules("en")
    assert "1 if a > 0, else 0" in page_rules("en")


def throwaway(js_forward: str, js_partial: str, rule=("1",)) -> Primitive:
    """A record that is not added to the table (autograd.define would)."""
    return Primitive("throwaway", 1, "t", "call", lambda a: a, lambda args, out, i: 1.0, rule,
                     js_forward, js_partial)


@pytest.mark.parametrize("js_forward, js_partial", [
    ("", "1"), ("a", "  "), ("a </script><script>alert(1)", "1"), ("a", "1 <!-- 2"),
])
def test_a_record_without_safe_javascript_is_refused_by_name(js_forward, js_partial):
    with pytest.raises(ValueError, match="'throwaway'"):
        _page_rule(throwaway(js_forward, js_partial), "en")


def test_a_rule_text_cannot_end_the_script(monkeypatch):
    record = throwaway("a", "1", rule=("</script><script>alert(1)</script>",))
    monkeypatch.setitem(PRIMITIVES, "throwaway", record)     # labels reads the rule from there
    entry = _page_rule(record, "en")
    assert "</script" not in entry.lower() and "<\\/script>" in entry


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
