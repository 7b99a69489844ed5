"""Coming from micrograd: the lecture's code, written against its own Value, runs on ours
(autograd/micrograd.py), and what cannot run says what to write instead."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd import Value


def lecture_expression():
    """The lecture's first graph, as typed there: L = (a*b + c) * f."""
    a = Value(2.0, label='a')
    b = Value(-3.0, label='b')
    c = Value(10.0, label='c')
    e = a*b; e.label = 'e'
    d = e + c; d.label = 'd'
    f = Value(-2.0, label='f')
    L = d * f; L.label = 'L'
    return a, b, c, d, e, f, L


def lecture_neuron():
    """The lecture's neuron, o = tanh(x1*w1 + x2*w2 + b), as typed there."""
    x1 = Value(2.0, label='x1')
    x2 = Value(0.0, label='x2')
    w1 = Value(-3.0, label='w1')
    w2 = Value(1.0, label='w2')
    b = Value(6.8813735870195432, label='b')
    x1w1 = x1*w1; x1w1.label = 'x1*w1'
    x2w2 = x2*w2; x2w2.label = 'x2*w2'
    x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
    n = x1w1x2w2 + b; n.label = 'n'
    o = n.tanh(); o.label = 'o'
    return [x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o]


def test_label_is_the_name():
    a, b, c, d, e, f, L = lecture_expression()
    assert (a.name, e.name, L.label) == ("a", "e", "L")
    assert L.data == -8.0 and Value(1.0).label == ""
    with pytest.raises(TypeError, match="name or a label"):
        Value(1.0, name="x", label="y")


def test_prev_and_op_are_the_lectures():
    a, b, c, d, e, f, L = lecture_expression()
    assert e._prev == {a, b} and e._op == "*" and d._op == "+" and a._op == "" and not a._prev
    x = Value(3.0)
    assert (x * x)._prev == {x} and (x * x).parents == (x, x)
    assert (x ** 2)._op == "**" and (x / 2)._op == "/" and (-x)._op == "-"
    assert x.exp()._op == "exp" and x.relu()._op == "ReLU"


def test_a_composite_is_one_node_to_the_lecture():
    *_, n, o = lecture_neuron()
    assert o._op == "tanh" and o._prev == {n}
    assert o.op != "tanh" and n not in o.parents          # ours: primitives inside


def test_the_lectures_manual_backward_pass_gives_its_numbers():
    x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o = lecture_neuron()
    o.grad = 1.0
    for node in (o, n, b, x1w1x2w2, x2w2, x1w1):         # the lecture's order, by hand
        node._backward()
    assert math.isclose(o.data, math.sqrt(0.5), rel_tol=1e-12)
    assert math.isclose(n.grad, 1 - o.data ** 2, rel_tol=1e-12)     # 0.5
    expected = {x1: w1.data * n.grad, w1: x1.data * n.grad, x2: w2.data * n.grad,
                w2: x2.data * n.grad}
    for leaf, gradient in expected.items():
        assert math.isclose(leaf.grad, gradient, rel_tol=1e-12, abs_tol=1e-15), leaf.label


def test_manual_backward_agrees_with_backward_on_a_batch():
    x = Value(np.array([0.5, -1.0, 2.0]), label="x")
    w = Value(0.7, label="w")
    n = x * w; n.label = "n"
    o = n.sigmoid()
    o.grad = np.ones(3)
    o._backward()
    n._backward()
    manual = (x.grad.copy(), w.grad)
    x.grad = w.grad = 0.0
    o.backward()
    assert np.allclose(manual[0], x.grad, rtol=1e-12) and math.isclose(manual[1], w.grad,
                                                                     rel_tol=1e-12)


def trace(root):
    """The lecture's trace, unchanged."""
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)
    build(root)
    return nodes, edges


def draw_dot(root):
    """The lecture's draw_dot, unchanged."""
    from graphviz import Digraph
    dot = Digraph(format='svg', graph_attr={'rankdir': 'LR'})
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad),
                 shape='record')
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot


def test_the_lectures_draw_dot_draws_our_graph_as_the_lecture_does():
    *_, o = lecture_neuron()
    o.backward()
    source = draw_dot(o).source
    assert "{ o | data 0.7071 | grad 1.0000 }" in source and "label=tanh" in source
    assert "{ x1 | data 2.0000 | grad -1.5000 }" in source
    assert source.count("shape=record") == 10             # the lecture's 10 values


def test_micrograds_inner_constructor_form_says_what_to_write():
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(TypeError, match="micrograd's inner form.*a \\+ b"):
        Value(a.data + b.data, (a, b))


def test_the_names_are_documented_where_a_reader_meets_them():
    text = autograd.micrograd.__doc__
    for name in ("label", "_prev", "_op", "_backward()"):
        assert name in text
