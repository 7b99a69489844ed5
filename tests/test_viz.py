"""viz.draw_graph: the DOT text of small graphs, checked without running Graphviz's dot
(except where a test parses the text back with dot to prove escaping is safe)."""

import re
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest

import viz
import viz.draw
from autograd import Value, topological_order
from autograd import sum as autograd_sum

RED, BLUE, ORANGE = viz.draw.RED, viz.draw.BLUE, viz.draw.ORANGE
EDGE = re.compile(r"^\t(\w+) -> (\w+)(?: \[(.*)\])?$", re.M)


def edges(source: str) -> list[tuple[str, str, str | None]]:
    """(tail, head, label text or None) for every edge in the DOT source."""
    found = []
    for tail, head, attributes in EDGE.findall(source):
        label = re.search(r"label=<<FONT[^>]*>(.*?)</FONT>>", attributes or "")
        found.append((tail, head, label.group(1).replace("&#160;", "") if label else None))
    return found


def node_line(source: str, node_id: str) -> str:
    [line] = [line for line in source.splitlines() if line.startswith(f"\t{node_id} [")]
    return line


def value_id(root: Value, node: Value) -> str:
    return f"v{topological_order(root).index(node)}"


def small_graph():
    """y = a*b + a at a=2, b=-3: y = -4; dy/da = b + 1 = -2, dy/db = a = 2."""
    a, b = Value(2.0, name="a"), Value(-3.0, name="b")
    product = a * b
    y = product + a
    return a, b, product, y


# ---------------------------------------------------------------------- values and gradients

def test_values_and_gradients_are_written_black_and_red():
    a, b, product, y = small_graph()
    y.backward()
    source = viz.draw_graph(y).source
    for node, data, grad in [(a, "2", "-2"), (b, "-3", "2"), (product, "-6", "1"), (y, "-4", "1")]:
        line = node_line(source, value_id(y, node))
        assert f'COLOR="#000000">data {data}</FONT>' in line
        assert f'COLOR="{RED}">grad {grad}</FONT>' in line


def test_gradients_appear_only_after_backward_and_when_asked():
    a, b, product, y = small_graph()
    assert ">grad " not in viz.draw_graph(y).source
    y.backward()
    assert ">grad " in viz.draw_graph(y).source
    assert ">grad " not in viz.draw_graph(y, show_grad=False).source


def test_a_zero_gradient_is_shown_once_backward_has_run():
    x, unused_path = Value(3.0, name="x"), Value(5.0, name="w")
    y = x * 2.0 + unused_path * 0.0          # dy/dw = 0, but backward reached w
    y.backward()
    assert f'COLOR="{RED}">grad 0</FONT>' in node_line(viz.draw_graph(y).source,
                                                        value_id(y, unused_path))


def test_precision_sets_significant_digits():
    x = Value(1 / 3, name="x")
    assert "data 0.33<" in viz.draw_graph(x * 1.0, precision=2).source
    assert "data 0.333333<" in viz.draw_graph(x * 1.0, precision=6).source


# ---------------------------------------------------------------------- ops, partials, edges

def test_every_edge_into_an_op_carries_its_local_partial():
    a, b, product, y = small_graph()
    source = viz.draw_graph(y).source
    ids = {node: value_id(y, node) for node in (a, b, product, y)}
    mul, add = "op" + ids[product][1:], "op" + ids[y][1:]
    found = set(edges(source))
    assert (ids[a], mul, "∂ -3") in found      # d(ab)/da = b
    assert (ids[b], mul, "∂ 2") in found       # d(ab)/db = a
    assert (ids[product], add, "∂ 1") in found
    assert (ids[a], add, "∂ 1") in found
    assert (mul, ids[product], None) in found   # op -> its result: no partial
    assert f'<FONT COLOR="{BLUE}">∂ -3</FONT>' in source


def test_show_partials_false_leaves_edges_unlabelled():
    _, _, _, y = small_graph()
    assert all(label is None for _, _, label in edges(viz.draw_graph(y, show_partials=False)
                                                     .source))


def test_a_branch_point_is_one_node_with_several_out_edges_marked_orange():
    a, b, product, y = small_graph()
    source = viz.draw_graph(y).source
    a_id = value_id(y, a)
    assert sum(1 for tail, _, _ in edges(source) if tail == a_id) == 2
    line = node_line(source, a_id)
    assert f'color="{ORANGE}"' in line and "used 2×: grads add" in line
    assert "used" not in node_line(source, value_id(y, b))


def test_x_times_x_draws_one_arrow_with_its_count_and_partial():
    x = Value(3.0, name="x")
    y = x * x
    into_op = [e for e in edges(viz.draw_graph(y).source) if e[1] == "op1"]
    assert into_op == [("v0", "op1", "×2 ∂ 3")]
    assert "used 2×: grads add" in node_line(viz.draw_graph(y).source, "v0")


def test_one_arrow_per_operand_value_lists_different_partials_in_order():
    x = Value(3.0, name="x")
    y = x ** x                      # d/dbase = x·x^(x-1) = 27, d/dexponent = x^x·ln x = 29.66
    assert [e for e in edges(viz.draw_graph(y).source) if e[1] == "op1"] == [
        ("v0", "op1", "∂ 27, 29.66")]
    many = autograd_sum([x] * 500)
    assert edges(viz.draw_graph(many).source)[0] == ("v0", "op1", "×500 ∂ 1")


def test_constants_are_small_nodes_without_partials_in_operand_order():
    x = Value(0.25, name="x")
    y = 1.0 - x                               # operands (1.0, x): the constant comes first
    source = viz.draw_graph(y).source
    assert edges(source)[:2] == [("c1_0", "op1", None), ("v0", "op1", "∂ -1")]
    assert 'c1_0 [label=1 ' in source and "dashed" in node_line(source, "c1_0")
    assert "ordering=in" in node_line(source, "op1")   # operands enter top to bottom, in order


@pytest.mark.parametrize("make, symbol", [
    (lambda x: x + 1.0, "+"), (lambda x: x - 1.0, "−"), (lambda x: -x, "−x"),
    (lambda x: x * 2.0, "×"), (lambda x: x / 2.0, "÷"), (lambda x: x ** 2.0, "^"),
    (lambda x: x.exp(), "exp"), (lambda x: x.log(), "log"),
    (lambda x: autograd_sum([x, x * 2.0, x * 3.0]), "Σ"),
])
def test_each_op_is_drawn_with_its_symbol(make, symbol):
    x = Value(2.0, name="x")
    y = make(x)
    n = len(topological_order(y)) - 1
    assert f"op{n} [label=\"{symbol}\"" in viz.draw_graph(y).source or \
        f"op{n} [label={symbol} " in viz.draw_graph(y).source


def test_batch_values_show_shape_mean_and_first_entries():
    x = Value(np.array([1.0, 2.0, 3.0, 4.0]), name="x")
    y = (x * 2.0).mean()
    y.backward()
    source = viz.draw_graph(y).source
    assert "data batch (4,), mean 2.5" in source
    assert "data [1, 2, 3, …]" in source
    assert "grad [0.5, 0.5, 0.5, …]" in source          # d mean(2x) / dx_k = 2/4
    assert "mean" in node_line(source, "op2")


def test_inputs_intermediates_and_output_have_different_styles():
    a, b, product, y = small_graph()
    source = viz.draw_graph(y).source
    leaf, inner, root = (node_line(source, value_id(y, n)) for n in (b, product, y))
    assert viz.draw.FILL["input"] in leaf and "peripheries=1" in leaf
    assert viz.draw.FILL["inner"] in inner
    assert viz.draw.FILL["output"] in root and "peripheries=2" in root


# ---------------------------------------------------------------------- determinism, safety

def test_the_same_graph_gives_byte_identical_dot_source():
    def build():
        x = Value(0.5, name="x")
        z = x.sigmoid() * x + x
        z.backward()
        return z
    assert viz.draw_graph(build()).source == viz.draw_graph(build()).source
    z = build()
    assert viz.draw_graph(z).source == viz.draw_graph(z).source


INJECTION = 'a"]; evil [label="x"]; b -> c;'
MARKUP = "<B>{x|y}</B> \\ & 'q' </TABLE>"


def test_hostile_names_are_escaped_and_cannot_inject_dot():
    x, w = Value(1.0, name=INJECTION), Value(2.0, name=MARKUP)
    y = x * w
    y.name = "y\nline2"
    graph = viz.draw_graph(y)
    assert 'a"]' not in graph.source and "b -> c" not in graph.source   # only escaped forms
    assert "a&quot;]; evil [label=&quot;x&quot;]; b -&gt; c;" in graph.source
    svg = graph.pipe(format="svg").decode()
    tree = ElementTree.fromstring(svg)
    texts = ["".join(e.itertext()) for e in tree.iter("{http://www.w3.org/2000/svg}text")]
    assert INJECTION in texts and MARKUP in texts        # shown literally
    assert "y\\nline2" in texts                          # a newline shows as \n
    titles = [t.text for t in tree.iter("{http://www.w3.org/2000/svg}title")]
    assert sorted(t for t in titles if "->" not in t) == [
        "computational_graph", "op2", "v0", "v1", "v2"]  # no injected nodes


def test_long_names_are_cut():
    x = Value(1.0, name="n" * 100)
    assert "n" * 39 + "…<" in viz.draw_graph(x).source


def test_a_graph_larger_than_max_nodes_is_refused_before_drawing(monkeypatch):
    x = Value(1.0)
    for _ in range(49):
        x = x + 1.0
    monkeypatch.setattr(viz.draw.graphviz, "Digraph", lambda *a, **k: pytest.fail("built"))
    with pytest.raises(ValueError, match=r"more than max_nodes=10 values.*smaller subgraph"
                                         r".*raise max_nodes"):
        viz.draw_graph(x, max_nodes=10)


class Unreachable(tuple):
    """Parents that fail the test if anything walks into them."""

    def __iter__(self):
        pytest.fail("the walk went past max_nodes")


def test_refusing_a_huge_graph_stops_walking_at_the_limit():
    x = Value(1.0)
    for _ in range(5000):
        x = x * 1.0
    deep = x
    for _ in range(5000):
        x = x * 1.0
    deep.parents = Unreachable([Value(0.0)])    # 5000 values below the root: never walked
    with pytest.raises(ValueError, match="more than max_nodes=1000 values"):
        viz.draw_graph(x, max_nodes=1000)
    assert viz.scene.count_values(x, 10) == 11 and viz.scene.count_values(Value(1.0), 10) == 1


def test_a_long_chain_draws_without_recursion():
    x = Value(1.0)
    for _ in range(3000):
        x = x * 1.0
    assert viz.draw_graph(x, max_nodes=5000).source.count("->") == 2 * 3000 + 3000


def test_draw_graph_refuses_what_is_not_a_value():
    with pytest.raises(TypeError, match="Value"):
        viz.draw_graph(3.0)


def test_the_legend_explains_a_repeated_arrow_only_when_there_is_one():
    from viz.labels import TEXT
    x = Value(3.0, name="x")
    assert TEXT["en"]["legend repeat"] in viz.draw_graph(x * x).source
    assert TEXT["en"]["legend repeat"] not in viz.draw_graph(x * 2.0 + x).source
    assert TEXT["en"]["legend repeat"] not in viz.draw_graph(x * x, show_partials=False).source
