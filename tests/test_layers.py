"""The layer view: composites drawn as one node, whose partials agree with backprop.

A collapsed node's partial d(output)/d(input) is computed from the partials recorded inside the
group. It is checked against the closed forms (z(1 - z), 1 - t², (y - t)/n, act'(a)·w),
against numerical differentiation, and by backprop through the collapsed graph, which must
give every input the gradient that backprop through the full graph gave it.
"""

import math
import re

import numpy as np
import pytest

import autograd
import nn
import viz
from autograd import Value, topological_order
from viz.layers import KINDS, collapse, collapse_traced
from viz.scene import read_graph
from viz.stepper import replay_gradients


def _numerical(f, x: float, h: float = 1e-6) -> float:
    """Central differences of a function of one float."""
    return (f(x + h) - f(x - h)) / (2 * h)


def _primitive_ops(source: str) -> list[str]:
    """The symbols of the primitive op circles in a DOT source."""
    return re.findall(r'\bop\d+ \[label="?(exp|×|÷|\+|Σ w·x)', source)


def _group_nodes(root):
    return [n for n in autograd.topological_order(root) if n.op in KINDS]


@pytest.mark.parametrize("x", [-1.3, 0.0, 0.7, 25.0])
def test_sigmoid_and_tanh_collapse_to_their_closed_form(x):
    exact = {"sigmoid": 1 / ((1 + math.exp(-x)) * (1 + math.exp(x))),   # z(1 - z), unrounded
             "tanh": 1 / math.cosh(x) ** 2}                                # 1 - t²
    for f in (autograd.sigmoid, autograd.tanh):
        leaf = Value(x, name="x")
        [node] = _group_nodes(collapse(f(leaf)))
        assert node.op == f.__name__ and node.parents == (leaf,)
        assert math.isclose(node.partials[0], exact[f.__name__], rel_tol=1e-12)
        numerical = _numerical(lambda v: f(Value(v)).data, x)
        assert math.isclose(node.partials[0], numerical, rel_tol=1e-6, abs_tol=1e-9)


def test_softmax_collapses_to_its_jacobian():
    x = [Value(v) for v in (0.5, -1.0, 2.0)]
    y = autograd.softmax(x)
    total = autograd.sum([yi * (k + 1) for k, yi in enumerate(y)])
    nodes = _group_nodes(collapse(total))
    assert [n.op for n in nodes] == ["softmax"] * 3
    for i, node in enumerate(nodes):
        for j, partial in enumerate(node.partials):
            exact = y[i].data * ((i == j) - y[j].data)
            assert math.isclose(partial, exact, rel_tol=1e-12, abs_tol=1e-15)


def test_softmax_with_loss_collapses_to_y_minus_t_over_n():
    logits = [Value(np.array([0.5, -1.0, 2.0, 0.0])), Value(np.array([1.5, 0.25, -2.0, 0.0]))]
    labels = np.array([0, 1, 1, 0])
    loss = nn.softmax_cross_entropy(logits, labels)
    [node] = _group_nodes(collapse(loss, ["softmax_cross_entropy"]))
    e = np.exp(np.array([logit.data for logit in logits]))
    y = e / e.sum(axis=0)
    t = np.eye(2)[labels].T
    for k, partial in enumerate(node.partials):
        assert np.allclose(partial, (y[k] - t[k]) / 4, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "identity"])
def test_a_neuron_collapses_to_activation_slope_times_weight(activation):
    neuron = nn.Neuron(3, activation, seed=1)
    x = [Value(v) for v in (0.4, -0.9, 1.7)]
    out = neuron(x)
    [node] = _group_nodes(collapse(out, ["neuron"]))
    a = sum(w.data * xi.data for w, xi in zip(neuron.w, x)) + neuron.b.data
    slope = {"relu": float(a > 0), "sigmoid": out.data * (1 - out.data),
             "tanh": 1 - out.data ** 2, "identity": 1.0}[activation]
    assert node.name == neuron.name and node.parents == tuple(x)
    for w, partial in zip(neuron.w, node.partials):
        assert math.isclose(partial, slope * w.data, rel_tol=1e-12, abs_tol=1e-15)


@pytest.mark.parametrize("batch", [None, 6])
def test_backprop_through_the_collapsed_graph_gives_the_same_gradients(batch):
    rng = np.random.default_rng(batch or 0)
    model = nn.MLP(3, [5, 4, 3], activation="tanh", seed=3)
    shape = () if batch is None else (batch,)
    x = [Value(rng.normal(size=shape) if batch else float(rng.normal()), name=f"x{i}")
         for i in range(3)]
    loss = nn.softmax_cross_entropy(model(x), np.zeros(batch or 1, dtype=int))
    loss.backward()
    for kinds in (True, ["neuron"], ["tanh"], ["softmax_cross_entropy", "neuron"]):
        view = read_graph(collapse(loss, kinds), 10_000)
        grads = replay_gradients(view)
        for xi in x:
            assert np.allclose(grads[view.position[xi]], xi.grad, rtol=1e-10, atol=1e-14)


def test_collapsed_partials_equal_numerical_derivatives_of_the_group():
    neuron = nn.Neuron(2, "sigmoid", seed=4)
    x = [Value(0.3), Value(-1.2)]
    [node] = _group_nodes(collapse(neuron(x), ["neuron"]))
    for i in range(2):
        def f(v, i=i):
            inputs = [xi.data for xi in x]
            inputs[i] = v
            return neuron([Value(u) for u in inputs]).data
        assert math.isclose(node.partials[i], _numerical(f, x[i].data), rel_tol=1e-6)


def test_the_drawing_has_one_box_per_neuron_and_a_frame_per_layer():
    model = nn.MLP(2, [4, 3, 1], seed=0)
    x = [Value(0.5, name="x0"), Value(-0.25, name="x1")]
    out = model(x)
    out.backward()
    source = viz.draw_graph(out, collapse=True).source
    assert source.count("<B>neuron</B>") == 8
    assert len(re.findall(r"subgraph cluster_layer\d", source)) == 3
    assert _primitive_ops(source) == []
    expanded = viz.draw_graph(out).source
    assert "<B>neuron</B>" not in expanded and "Σ w·x" in _primitive_ops(expanded)


def test_choosing_kinds_and_refusing_unknown_ones():
    model = nn.MLP(2, [2, 1], activation="sigmoid", seed=0)
    out = model([Value(0.5), Value(1.0)])
    only_sigmoids = viz.draw_graph(out, collapse=["sigmoid"]).source
    assert only_sigmoids.count("<B>sigmoid</B>") == 2 and "<B>neuron</B>" not in only_sigmoids
    assert "Σ w·x" in only_sigmoids
    with pytest.raises(ValueError, match="unknown group kind.*neurons.*choose from"):
        viz.draw_graph(out, collapse=["neurons"])


def test_a_group_whose_inner_node_is_used_outside_stays_expanded():
    x = Value(0.4, name="x")
    z = x.sigmoid()
    inner = z.parents[0]                 # e, inside the sigmoid
    out = z * inner
    assert not _group_nodes(collapse(out))
    assert _primitive_ops(viz.draw_graph(out, collapse=True).source).count("exp") == 1


def test_show_rules_writes_each_formula_next_to_its_number():
    x = Value(0.5, name="x")
    y = (x * 3.0).exp() / x.log()
    y.backward()
    source = viz.draw_graph(y, show_rules=True).source
    for rule in ("∂ = eᵃ =", "∂ = 1/a =", "∂ = 1/b =", "∂ = −a/b² ="):
        assert rule in source
    assert "∂ = y(1−y)" in viz.draw_graph(Value(0.3).sigmoid(), collapse=True).source
    japanese = viz.draw_graph(Value(0.3).relu(), collapse=True, show_rules=True, lang="ja")
    assert "a &gt; 0 なら 1" in japanese.source and "label=relu" in japanese.source


def test_relu_is_drawn_as_relu_not_as_a_multiplication():
    x = Value(0.7, name="x")
    source = viz.draw_graph(x.relu(), show_rules=True).source
    assert _primitive_ops(source) == [] and 'label=relu' in source
    assert "∂ = 1 if a &gt; 0, else 0 = 1" in source
    assert _primitive_ops(viz.draw_graph(x * 1.0).source) == ["×"]   # a real product stays ×


def test_every_relu_is_a_primitive_node_of_its_own_in_the_layer_view():
    x, y = Value(0.7, name="x"), Value(-0.4, name="y")
    total = x.relu() * 2.0 + y.relu()
    nodes = [n for n in topological_order(collapse(total)) if n.op == "relu"]
    assert [(n.parents, n.partials) for n in nodes] == [((x,), (1.0,)), ((y,), (0.0,))]
    total.backward()
    view = read_graph(collapse(total), 100)
    grads = replay_gradients(view)
    assert grads[view.position[x]] == x.grad == 2.0 and grads[view.position[y]] == y.grad == 0.0


def _batchnorm_loss(samples: int, seed: int = 0):
    """A relu network with Batch Normalization on a batch, its loss backpropagated."""
    rng = np.random.default_rng(seed)
    x = [Value(rng.normal(size=samples), name=f"x{i}") for i in range(3)]
    hidden = nn.Layer(3, 4, "identity", seed=seed)(x)
    normed = nn.BatchNorm(4)([h for h in hidden])
    loss = nn.softmax_cross_entropy(nn.Layer(4, 2, "identity", seed=seed + 1)(
        [v.relu() for v in normed]), rng.integers(0, 2, size=samples))
    loss.backward()
    return x, loss


@pytest.mark.parametrize("samples", [3, 8])
def test_batchnorm_on_a_batch_couples_its_samples_so_the_exact_view_keeps_it_expanded(samples):
    x, loss = _batchnorm_loss(samples)
    drawn = collapse(loss)                                    # the picture: one box per feature
    assert sum(node.op == "batchnorm" for node in read_graph(drawn, 10_000).order) == 4
    exact, _, _ = collapse_traced(loss, True, exact=True)     # the page: no box across samples
    view = read_graph(exact, 10_000)
    assert not any(node.op == "batchnorm" for node in view.order)
    assert any(node.op == "neuron" for node in view.order)   # the other groups still collapse
    grads = replay_gradients(view)
    for xi in x:
        assert np.allclose(grads[view.position[xi]], xi.grad, rtol=1e-10, atol=1e-14)


def test_the_drawn_batchnorm_box_carries_only_each_samples_own_share():
    x, loss = _batchnorm_loss(6)
    view = read_graph(collapse(loss), 10_000)
    grads = replay_gradients(view)
    assert not all(np.allclose(grads[view.position[xi]], xi.grad) for xi in x)   # why exact
