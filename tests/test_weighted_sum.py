"""The weighted-sum node `dot`: the same values and gradients as the mul/add graph it replaces.

On one sample the node sums in the same order as mul and add nodes, so it is bit-identical. On
a batch it uses matrix products, which sum in another order, so it agrees to rounding (1e-12
relative). Random programs (hypothesis) mix Values, constants, batches and batches of one, and
layers that share stacked inputs, also with an input that is read by two stacks.
"""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import AnomalyError, Value, detect_anomaly, dot, grad
from autograd.rules import partials_as_values

BATCH = 5


def _mul_add(weights, inputs, bias=None):
    """The textbook graph: one mul node per weight, one add node over the products."""
    terms = [w * x for w, x in zip(weights, inputs)]
    return autograd.sum(terms + ([bias] if bias is not None else []))


def _close(a, b, rel=1e-12):
    return np.allclose(a, b, rtol=rel, atol=rel * (1 + np.max(np.abs(b))))


# ---------------------------------------------------------------- one sample


def test_one_sample_is_bit_identical_to_mul_and_add():
    rng = np.random.default_rng(1)
    numbers = rng.normal(size=9)
    w, x, b = ([Value(float(v)) for v in numbers[:4]], [Value(float(v)) for v in numbers[4:8]],
               Value(float(numbers[8])))
    w2, x2, b2 = [Value(v.data) for v in w], [Value(v.data) for v in x], Value(b.data)
    out, ref = dot(w, x, b).tanh(), _mul_add(w2, x2, b2).tanh()
    out.backward()
    ref.backward()
    assert out.data == ref.data
    assert [v.grad for v in w + x + [b]] == [v.grad for v in w2 + x2 + [b2]]


def test_partials_are_those_of_sympy():
    ws, xs, b = sp.symbols("w0:3"), sp.symbols("x0:3"), sp.Symbol("b")
    expression = sum(wi * xi for wi, xi in zip(ws, xs)) + b
    at = {**dict(zip(ws, [0.5, -2.0, 3.0])), **dict(zip(xs, [1.5, 0.25, -4.0])), b: 0.75}
    node = dot([Value(at[s]) for s in ws], [Value(at[s]) for s in xs], Value(at[b]))
    assert math.isclose(node.data, float(expression.subs(at)), rel_tol=1e-15)
    expected = [float(sp.diff(expression, s).subs(at)) for s in (*ws, *xs, b)]
    assert list(node.partials) == expected
    assert [float(p.data if isinstance(p, Value) else p)
            for p in partials_as_values(node)] == expected


def test_constants_get_no_edge_and_keep_their_place():
    w = [Value(2.0), 3.0]
    x = [4.0, Value(5.0)]
    node = dot(w, x, 1.0)
    assert node.data == 2 * 4 + 3 * 5 + 1
    assert node.parents == (w[0], x[1])
    assert node.partials == (4.0, 3.0)          # d/dw0 = x0, d/dx1 = w1
    assert node.operands == (w[0], 3.0, 4.0, x[1], 1.0)


def test_second_derivatives_through_the_node():
    w, x = Value(1.5), Value(-0.5)
    y = dot([w, w], [x, w * x]) ** 2             # (w x + w^2 x)^2
    [dw] = grad(y, [w], create_graph=True)
    [dwdx] = grad(dw, [x])
    ws, xs = sp.symbols("w x")
    exact = sp.diff((ws * xs + ws ** 2 * xs) ** 2, ws, xs).subs({ws: 1.5, xs: -0.5})
    assert math.isclose(dwdx, float(exact), rel_tol=1e-12)


# ---------------------------------------------------------------- batches, random programs


@st.composite
def _operand(draw, rng_seed):
    kind = draw(st.sampled_from(["float value", "batch value", "one-sample value",
                                 "number", "constant batch"]))
    rng = np.random.default_rng(rng_seed)
    if kind == "float value":
        return ("value", float(rng.normal()))
    if kind == "batch value":
        return ("value", rng.normal(size=BATCH))
    if kind == "one-sample value":
        return ("value", rng.normal(size=1))
    if kind == "number":
        return ("const", float(rng.normal()))
    return ("const", rng.normal(size=BATCH))


@st.composite
def _program(draw):
    n = draw(st.integers(1, 5))
    seeds = st.integers(0, 2**31)
    weights = [draw(_operand(draw(seeds))) for _ in range(n)]
    inputs = [draw(_operand(draw(seeds))) for _ in range(n)]
    bias = draw(st.sampled_from([None, ("value", 0.25), ("value", np.linspace(-1, 1, BATCH)),
                                 ("const", -0.5)]))
    reuse = draw(st.booleans())        # an input Value also used by a second node
    return weights, inputs, bias, reuse


def _make(spec):
    kind, number = spec
    return Value(number) if kind == "value" else number


def _run(builder, weights, inputs, bias, reuse):
    w, x = [_make(s) for s in weights], [_make(s) for s in inputs]
    b = None if bias is None else _make(bias)
    out = builder(w, x, b)
    second = builder(x[::-1], w[::-1], None)   # the same operands again, roles swapped
    total = (out.tanh() * second).sum() if reuse else out.sum()
    total = total if isinstance(total, Value) else Value(total)
    total.backward()
    leaves = [v for v in w + x + ([b] if b is not None else []) if isinstance(v, Value)]
    return total.data, [v.grad for v in leaves]


@settings(max_examples=200, deadline=None)
@given(_program())
def test_random_weighted_sums_match_mul_and_add(program):
    value, grads = _run(dot, *program)
    ref_value, ref_grads = _run(_mul_add, *program)
    assert _close(value, ref_value)
    for got, expected in zip(grads, ref_grads):
        assert np.shape(got) == np.shape(expected)
        assert _close(got, expected)


def test_layers_share_one_stack_and_its_gradient_matrix():
    rng = np.random.default_rng(3)
    x = [Value(rng.normal(size=BATCH)) for _ in range(4)]
    stacked = autograd.stack(x)
    weights = [[Value(float(v)) for v in rng.normal(size=4)] for _ in range(3)]
    hidden = [dot(w, stacked).sigmoid() for w in weights]
    loss = (hidden[0] * hidden[1] + hidden[2] + x[0] * x[1]).mean()  # x also used directly
    loss.backward()
    copies = [Value(v.data) for v in x]
    copy_weights = [[Value(v.data) for v in w] for w in weights]
    ref_hidden = [_mul_add(w, copies).sigmoid() for w in copy_weights]
    ref = (ref_hidden[0] * ref_hidden[1] + ref_hidden[2] + copies[0] * copies[1]).mean()
    ref.backward()
    for got, expected in zip(x + sum(weights, []), copies + sum(copy_weights, [])):
        assert _close(got.grad, expected.grad)


def test_a_value_read_by_two_stacks_gets_both_gradients():
    rng = np.random.default_rng(4)
    x = [Value(rng.normal(size=BATCH)) for _ in range(3)]
    first, second = autograd.stack(x), autograd.stack([x[2], x[0]])
    a = dot([Value(0.5), Value(-1.0), Value(2.0)], first)
    b = dot([Value(3.0), Value(0.25)], second)
    (a * b).sum().backward()
    copies = [Value(v.data) for v in x]
    ra = _mul_add([Value(0.5), Value(-1.0), Value(2.0)], copies)
    rb = _mul_add([Value(3.0), Value(0.25)], [copies[2], copies[0]])
    (ra * rb).sum().backward()
    for got, expected in zip(x, copies):
        assert _close(got.grad, expected.grad)


def test_backward_from_one_neuron_of_a_layer():
    layer = nn.Layer(3, 4, activation="tanh", seed=0)
    x = [Value(np.linspace(-1, 1, BATCH) * k) for k in (1, 2, 3)]
    outputs = layer(x)
    outputs[2].sum().backward()           # the other neurons are not in this pass
    expected = [sum(n.w[i].data * (1 - outputs[2].data ** 2) for n in layer.neurons[2:3])
                for i in range(3)]
    for xi, e in zip(x, expected):
        assert _close(xi.grad, e)


def test_an_interrupted_pass_leaves_nothing_behind():
    x = Value(np.array([1.0, 4.0]))
    stacked, w = autograd.stack([x]), Value(2.0)
    root = ((x - 1.0) ** 0.5 + dot([w], stacked)).sum()   # sqrt'(0) = inf: the pass stops
    with detect_anomaly(), pytest.raises(AnomalyError, match="pow"):
        root.backward()                   # ... after dot left a gradient for x in the stack
    x.grad, w.grad = 0.0, 0.0
    dot([w], stacked).sum().backward()    # a new pass on the same stack starts from zero
    assert np.array_equal(x.grad, [2.0, 2.0]) and w.grad == 5.0


def test_detect_anomaly_names_the_weighted_sum():
    w, x = [Value(np.inf)], [Value(np.array([1.0, 2.0]))]
    with detect_anomaly(), pytest.raises(AnomalyError, match="dot"):
        dot(w, x)


def test_create_graph_on_a_batch():
    x = [Value(np.array([0.5, -1.0, 2.0])), Value(np.array([1.0, 0.0, -3.0]))]
    w = [Value(0.75), Value(-1.25)]
    y = (dot(w, x) ** 3).sum()
    [dw0] = grad(y, [w[0]], create_graph=True)
    [d2] = grad(dw0, [w[0]])
    s = 0.75 * x[0].data - 1.25 * x[1].data
    assert _close(dw0.data, np.sum(3 * s ** 2 * x[0].data))
    assert _close(d2, np.sum(6 * s * x[0].data ** 2))


# ---------------------------------------------------------------- a model, trained both ways


def test_training_with_dot_gives_the_gradients_of_mul_and_add():
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(3, 16)), (rng.random(16) > 0.5).astype(float)
    model = nn.MLP(3, [5, 4, 1], activation="tanh", output_activation="sigmoid", seed=2)
    weights = [[[p.data for p in n.w] + [n.b.data] for n in layer.neurons]
               for layer in model.layers]
    optimizer = nn.SGD(model.parameters(), lr=0.5)
    by_hand = [[[Value(v) for v in neuron] for neuron in layer] for layer in weights]
    flat = [p for layer in by_hand for neuron in layer for p in neuron]
    reference = nn.SGD(flat, lr=0.5)
    for _ in range(5):
        optimizer.zero_grad()
        nn.mse_loss(model(list(X)), y).backward()
        optimizer.step()
        reference.zero_grad()
        h = list(X)
        for i, layer in enumerate(by_hand):
            activation = autograd.sigmoid if i == len(by_hand) - 1 else autograd.tanh
            h = [activation(_mul_add(n[:-1], h, n[-1])) for n in layer]
        nn.mse_loss(h[0], y).backward()
        reference.step()
        for p, q in zip(model.parameters(), flat):
            assert math.isclose(p.data, q.data, rel_tol=1e-12, abs_tol=1e-14)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("weights, inputs, message", [
    ([Value(1.0)], [Value(1.0), Value(2.0)], "as many weights as inputs"),
    ([], [], "as many weights as inputs"),
    ([Value(np.ones(3))], [Value(np.ones(4))], "different sizes|broadcast"),
    ([Value(1.0), Value(np.ones(3))], [np.ones(2), 1.0], "different sizes"),
])
def test_bad_shapes_are_refused(weights, inputs, message):
    with pytest.raises(ValueError, match=message):
        dot(weights, inputs)


def test_bad_operand_types_are_refused():
    with pytest.raises(TypeError, match="dot takes Values and numbers"):
        dot([Value(1.0)], ["x"])
