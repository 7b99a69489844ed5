"""Graph mechanics: reuse, branches, accumulation, deep chains, grad() and higher derivatives."""

import math
import sys

import numpy as np
import pytest

import autograd
from autograd import Value, grad, topological_order


def test_x_times_x_keeps_both_edges():
    x = Value(3.0)
    y = x * x
    y.backward()
    assert y.parents == (x, x) and y.partials == (3.0, 3.0)
    assert x.grad == 6.0


def test_diamond_gradients_add_at_the_branch_point():
    x = Value(2.0)
    left, right = x * 3.0, x.exp()      # x feeds two ops
    out = left * right
    out.backward()
    assert math.isclose(x.grad, 3.0 * math.exp(2.0) + 6.0 * math.exp(2.0))


def test_grad_accumulates_across_backward_calls_like_pytorch():
    x = Value(1.5)
    y = x * x + x               # an interior node must not leak its old gradient into x
    y.backward()
    y.backward()
    assert x.grad == 2 * (2 * 1.5 + 1)
    assert y.grad == 2.0


def test_backward_gradient_argument_scales_everything():
    x = Value(0.7)
    y = x.exp()
    y.backward(gradient=2.5)
    assert math.isclose(x.grad, 2.5 * math.exp(0.7))


def test_topological_order_lists_parents_first_and_each_node_once():
    x, w = Value(1.0), Value(2.0)
    h = x * w
    out = h * h + x
    order = topological_order(out)
    position = {id(node): i for i, node in enumerate(order)}
    assert len(order) == len({id(node) for node in order}) == 5
    assert all(position[id(p)] < position[id(node)] for node in order for p in node.parents)
    assert order[-1] is out


def test_seed_sigmoid_graph_with_shared_minus_one_and_one():
    """-1 feeds both (-1)*x and (-1)^2 = 1, and 1 is both numerator and addend."""
    upstream = 0.8
    for x_value in (-2.0, 0.3, 1.7):
        x, minus_one = Value(x_value), Value(-1.0)
        one = minus_one ** 2
        z = one / (one + (minus_one * x).exp())
        z.backward(upstream)
        s = 1 / (1 + math.exp(-x_value))
        assert math.isclose(z.data, s)
        assert math.isclose(x.grad, upstream * s * (1 - s), rel_tol=1e-12)
        assert math.isclose(minus_one.grad, -upstream * (x_value + 2) * s * (1 - s),
                            rel_tol=1e-12)


def _depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame:
        frame, depth = frame.f_back, depth + 1
    return depth


def test_million_node_chain_backward_needs_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * 1.000001
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_depth() + 50)       # "a few hundred" at most under pytest
    try:
        y.backward()
        [same] = grad(y, [x])
    finally:
        sys.setrecursionlimit(limit)
    assert math.isclose(x.grad, 1.000001 ** 1_000_000, rel_tol=1e-9)
    assert same == x.grad


def test_grad_leaves_dot_grad_alone_and_handles_unreached_inputs():
    x, unused = Value(2.0), Value(5.0)
    y = x ** 3
    dx, dunused = grad(y, [x, unused])
    assert dx == 12.0 and dunused == 0.0
    assert x.grad == 0.0 and y.grad == 0.0


def test_grad_rejects_a_single_value_and_non_values():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"grad\(y, \[x\]\)"):
        grad(x * 2, x)
    with pytest.raises(TypeError, match="input 1 is float"):
        grad(x * 2, [x, 3.0])


def test_third_derivative_of_cube_is_six():
    x = Value(0.9)
    [d1] = grad(x ** 3, [x], create_graph=True)
    [d2] = grad(d1, [x], create_graph=True)
    [d3] = grad(d2, [x])
    assert math.isclose(d1.data, 3 * 0.81) and math.isclose(d2.data, 6 * 0.9)
    assert math.isclose(d3, 6.0)


@pytest.mark.parametrize("x_value", [-3.0, -0.4, 0.0, 1.2, 5.0])
def test_second_derivative_of_sigmoid_is_z_one_minus_z_one_minus_two_z(x_value):
    x = Value(x_value)
    z = autograd.sigmoid(x)
    [dz] = grad(z, [x], create_graph=True)
    [d2z] = grad(dz, [x])
    s = z.data
    assert math.isclose(dz.data, s * (1 - s), rel_tol=1e-12)
    assert math.isclose(d2z, s * (1 - s) * (1 - 2 * s), rel_tol=1e-9, abs_tol=1e-15)


def test_create_graph_through_every_primitive_matches_numerical_second_derivatives():
    def f(x, y):
        return (x * y - y / x + x ** y + (-x).exp() - (x + y).log() + (x * y).sin()
                - y.cos()) * 2.0

    x, y = Value(1.3), Value(0.7)
    dx, dy = grad(f(x, y), [x, y], create_graph=True)
    second = [grad(d, [x, y]) for d in (dx, dy)]
    numerical = [autograd.numerical_grad(lambda a, b, k=k: Value(grad(f(a, b), [a, b])[k]),
                                         [1.3, 0.7], eps=1e-5) for k in range(2)]
    assert np.allclose(second, numerical, rtol=1e-5, atol=1e-7)
    assert math.isclose(second[0][1], second[1][0], rel_tol=1e-10)   # symmetric Hessian


def test_create_graph_adds_only_where_gradients_meet():
    x = Value(1.5)
    [dy] = grad(x * x + x, [x], create_graph=True)    # x gets three gradients: two adds
    adds = [node for node in topological_order(dy) if node.op == "add"]
    assert dy.data == 2 * 1.5 + 1
    assert len(adds) == 2
    assert all(isinstance(operand, Value) for node in adds for operand in node.operands)


def test_create_graph_seed_and_results_are_values_that_backward_can_use():
    x = Value(2.0)
    [dy] = grad(x * x * x, [x], create_graph=True)
    dy.backward()
    assert isinstance(dy, Value) and dy.data == 12.0
    assert x.grad == 12.0                      # d(3x^2)/dx = 6x


# ---------------------------------------------------------------- what backward keeps


def _batch_chain(n_ops: int, batch: int):
    x = Value(np.linspace(0.1, 1.0, batch), name="x")
    w = Value(0.1)
    h = x
    for _ in range(n_ops):
        h = (h * w).exp()                # settles near 1.12: no overflow however long
    return x, w, h


def test_intermediate_batch_gradients_are_not_kept_unless_asked():
    x, w, h = _batch_chain(3, 4)
    middle = h.parents[0]
    named = h.parents[0].parents[0]
    named.name = "kept"
    loss = h.mean()
    loss.backward()
    assert middle.grad is None and middle.upstream is None
    assert isinstance(x.grad, np.ndarray) and type(w.grad) is float and loss.grad == 1.0
    assert isinstance(named.grad, np.ndarray)                # a name keeps it
    kept_x, kept_w, kept_named = x.grad, w.grad, named.grad
    x.grad, w.grad, named.grad = 0.0, 0.0, 0.0
    loss.backward(retain_grad=True)
    assert np.array_equal(x.grad, kept_x) and w.grad == kept_w
    assert np.array_equal(named.grad, kept_named)
    # every intermediate node now holds d loss / d node: check one against the chain rule
    assert np.array_equal(h.grad, np.full(4, 0.25))
    assert np.allclose(middle.grad, 0.25 * h.data)           # d e^m / dm = e^m
    loss.backward(retain_grad=True)                          # and they add up across calls
    assert np.allclose(middle.grad, 0.5 * h.data)


def test_single_number_graphs_keep_every_gradient():
    x = Value(0.5)
    z = x.sigmoid()
    z.backward()
    assert all(type(node.grad) is float for node in topological_order(z))


def test_backward_keeps_no_array_per_intermediate_node():
    import tracemalloc
    n_ops, batch = 200, 2000
    x, w, h = _batch_chain(n_ops, batch)
    loss = h.sum()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss.backward()
    kept = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    one_array = batch * 8
    assert kept < 10 * one_array                             # x.grad, and a little bookkeeping
    for node in topological_order(loss):
        node.grad = 0.0
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss.backward(retain_grad=True)
    retained = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert retained > n_ops * one_array                      # one gradient per node, as asked


def test_create_graph_adds_no_times_one_nodes_and_keeps_the_numbers():
    x = Value(0.8)
    y = (x + 2.0) - x.exp() + (-x)             # partials 1, 1, -1 and e^x
    [dy] = grad(y, [x], create_graph=True)
    ops = [(n.op, [c for c in n.operands if not isinstance(c, Value)])
           for n in topological_order(dy)]
    assert not [op for op in ops if op[0] == "mul" and op[1] in ([1.0], [-1.0])], ops
    assert math.isclose(dy.data, 1 - math.exp(0.8) - 1, rel_tol=1e-15)
    [d2y] = grad(dy, [x])
    assert math.isclose(d2y, -math.exp(0.8), rel_tol=1e-15)
