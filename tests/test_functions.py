"""Composite functions, built from primitives, against their closed forms and sympy."""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

import autograd
from autograd import Value, gradcheck, topological_order

PRIMITIVE_OPS = {""} | set(autograd.PRIMITIVES)      # a leaf, or a primitive of the rule table
finite = st.floats(-1e6, 1e6, allow_nan=False)
moderate = st.floats(-30.0, 30.0, allow_nan=False)
t = sp.Symbol("t")


def _value_and_grad(function, x):
    v = Value(x)
    out = function(v)
    out.backward()
    return out.data, v.grad


@settings(max_examples=200, deadline=None)
@given(finite)
def test_sigmoid_gradient_is_z_one_minus_z_for_every_finite_input(x):
    z, dz = _value_and_grad(autograd.sigmoid, x)
    assert 0.0 <= z <= 1.0 and math.isfinite(dz)
    assert math.isclose(z, 1 / (1 + math.exp(-x)) if x > -700 else 0.0, abs_tol=1e-15,
                        rel_tol=1e-12)
    e = math.exp(-abs(x))                         # z(1 - z) written without cancellation
    assert math.isclose(dz, e / (1 + e) ** 2, rel_tol=1e-12, abs_tol=1e-300)
    assert math.isclose(dz, z * (1 - z), abs_tol=1e-16)


@settings(max_examples=200, deadline=None)
@given(finite)
def test_tanh_gradient_is_one_minus_t_squared_for_every_finite_input(x):
    value, dt = _value_and_grad(autograd.tanh, x)
    assert math.isclose(value, math.tanh(x), rel_tol=1e-9, abs_tol=1e-15)
    e = math.exp(-2 * abs(x))                     # 1 - t^2 written without cancellation
    assert math.isclose(dt, 4 * e / (1 + e) ** 2, rel_tol=1e-12, abs_tol=1e-300)
    assert math.isclose(dt, 1 - value ** 2, abs_tol=1e-15)


@pytest.mark.parametrize("x", [-1e308, -800.0, -710.0, 710.0, 800.0, 1e308])
def test_sigmoid_and_tanh_stay_finite_where_the_textbook_formula_overflows(x):
    for function in (autograd.sigmoid, autograd.tanh):
        value, gradient = _value_and_grad(function, x)
        assert math.isfinite(value) and math.isfinite(gradient)
        assert gradient == pytest.approx(0.0, abs=1e-300)


@pytest.mark.parametrize("name, expression", [
    ("sigmoid", 1 / (1 + sp.exp(-t))),
    ("tanh", sp.tanh(t)),
    ("exp", sp.exp(t)),
    ("sin", sp.sin(t)),
    ("cos", sp.cos(t)),
])
def test_composites_match_sympy_value_and_derivative(name, expression):
    derivative = sp.lambdify(t, sp.diff(expression, t))
    value = sp.lambdify(t, expression)

    @settings(max_examples=60, deadline=None)
    @given(moderate)
    def check(x):
        out, gradient = _value_and_grad(getattr(autograd, name), x)
        assert math.isclose(out, value(x), rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(gradient, derivative(x), rel_tol=1e-8, abs_tol=1e-12)
    check()


@pytest.mark.parametrize("x, gate", [(2.5, 1.0), (-1.0, 0.0), (0.0, 0.0)])
def test_relu_passes_no_gradient_at_or_below_zero(x, gate):
    value, gradient = _value_and_grad(autograd.relu, x)
    assert value == max(x, 0.0) and gradient == gate


def test_step_is_zero_one_with_zero_gradient():
    x = Value(0.3)
    assert autograd.step(x).data == 1.0 and autograd.step(Value(-0.3)).data == 0.0
    assert autograd.grad(autograd.step(x) * 2.0 + x, [x]) == [1.0]


def test_identity_returns_the_value_itself():
    x = Value(1.0)
    assert autograd.identity(x) is x


@pytest.mark.parametrize("base", [2.0, 10.0, math.e])
def test_log_with_a_constant_base(base):
    x = Value(8.0)
    y = autograd.log(x, base)
    y.backward()
    assert math.isclose(y.data, math.log(8.0, base))
    assert math.isclose(x.grad, 1 / (8.0 * math.log(base)))


def test_log_with_a_value_base_has_both_partials():
    y, b = sp.symbols("y b")
    expression = sp.log(y) / sp.log(b)
    at = {y: 8.0, b: 3.0}
    yv, bv = Value(8.0), Value(3.0)
    out = autograd.log(yv, bv)
    out.backward()
    assert math.isclose(out.data, float(expression.subs(at)))
    assert math.isclose(yv.grad, float(sp.diff(expression, y).subs(at)))
    assert math.isclose(bv.grad, float(sp.diff(expression, b).subs(at)))


def test_softmax_values_and_gradient_against_the_closed_form():
    logits = [Value(v) for v in (1.0, -2.0, 0.5, 3.0)]
    probabilities = autograd.softmax(logits)
    p = np.array([q.data for q in probabilities])
    expected = np.exp([1.0, -2.0, 0.5, 3.0]) / np.exp([1.0, -2.0, 0.5, 3.0]).sum()
    assert np.allclose(p, expected, rtol=1e-12)
    weights = [0.3, -1.0, 2.0, 0.5]                  # d(sum w_i p_i)/dx_j = p_j (w_j - w.p)
    autograd.sum([w * q for w, q in zip(weights, probabilities)]).backward()
    assert np.allclose([x.grad for x in logits], p * (np.array(weights) - p @ weights))


@pytest.mark.parametrize("scale", [1.0, 1e3, 1e6])
def test_softmax_and_log_softmax_are_stable_for_huge_logits(scale):
    logits = [Value(v * scale) for v in (1.0, -2.0, 0.5)]
    log_p = autograd.log_softmax(logits)
    p = autograd.softmax(logits)
    assert all(math.isfinite(v.data) for v in log_p + p)
    assert math.isclose(sum(q.data for q in p), 1.0)
    log_p[0].backward()                              # d log p_0 / dx_j = [j == 0] - p_j
    expected = np.eye(3)[0] - np.array([q.data for q in p])
    assert np.allclose([x.grad for x in logits], expected, atol=1e-12)


def test_softmax_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="at least one"):
        autograd.softmax([])


def test_sum_is_one_n_ary_add_node_and_keeps_number_terms_as_constants():
    values = [Value(float(i)) for i in range(5)]
    total = autograd.sum(values + [10])
    assert total.op == "add" and total.parents == tuple(values)
    assert total.operands[-1] == 10.0 and total.data == 20.0
    assert total.partials == (1.0,) * 5
    with pytest.raises(TypeError, match="sum term"):
        autograd.sum([values[0], "3"])


@pytest.mark.parametrize("function", [
    autograd.sigmoid, autograd.tanh, autograd.relu, autograd.step, autograd.exp, autograd.sin,
    autograd.cos,
    lambda x: autograd.log(x, 3.0), lambda x: autograd.softmax([x, x * 2.0])[0],
    lambda x: autograd.log_softmax([x, 1.0])[1],
])
def test_composites_build_only_primitive_nodes(function):
    out = function(Value(0.7))
    assert {node.op for node in topological_order(out)} <= PRIMITIVE_OPS


def test_gradcheck_agrees_on_a_composite_expression():
    def f(x, y):
        return autograd.sigmoid(x * y) + autograd.tanh(x - y) * autograd.log(y, x)
    assert gradcheck(f, [1.7, 0.6])


@pytest.mark.parametrize("x", [-745.0, -100.0, -30.0, -19.0, 19.0, 20.0, 30.0, 100.0, 700.0])
def test_saturated_gradients_keep_full_relative_precision(x):
    """Far from 0 the gradients are tiny but exact: e^-|x| / (1 + e^-|x|)^2 and 4e^-2|x|/..."""
    exact = sp.Float(x, 50)
    _, d_sigmoid = _value_and_grad(autograd.sigmoid, x)
    _, d_tanh = _value_and_grad(autograd.tanh, x)
    assert math.isclose(d_sigmoid, float(sp.exp(-exact) / (1 + sp.exp(-exact)) ** 2),
                        rel_tol=1e-12)
    assert math.isclose(d_tanh, float(sp.sech(exact) ** 2), rel_tol=1e-12)


# ------------------------------------------------------------------ tanh near 0, relu at -inf

def _mp_tanh_and_gradient(x: float):
    import mpmath
    with mpmath.workdps(60):
        exact = mpmath.mpf(x)
        return mpmath.tanh(exact), mpmath.sech(exact) ** 2


def _relative_error(got: float, exact) -> float:
    import mpmath
    with mpmath.workdps(60):
        return 0.0 if got == exact else float(abs((mpmath.mpf(got) - exact) / exact))


@settings(max_examples=300, deadline=None)
@given(st.floats(-40.0, 40.0, allow_nan=False).filter(lambda v: v != 0.0)
       | st.floats(1e-300, 1e-3).flatmap(lambda v: st.sampled_from([v, -v])))
def test_tanh_and_its_gradient_are_accurate_to_a_few_ulps_against_mpmath(x):
    """Near 0, 1 - e^-2|x| cancels; the rounding-error constant gives the digits back."""
    value, gradient = _value_and_grad(autograd.tanh, x)
    exact_value, exact_gradient = _mp_tanh_and_gradient(x)
    assert _relative_error(value, exact_value) < 5e-16
    assert _relative_error(gradient, exact_gradient) < 5e-16


@pytest.mark.parametrize("x", [1e-8, 1e-20, 2e-5, 1e-300, 5e-324, 0.3, 0.35])
def test_tanh_of_small_inputs_reported_in_the_issue(x):
    for signed in (x, -x):
        value, _ = _value_and_grad(autograd.tanh, signed)
        assert _relative_error(value, _mp_tanh_and_gradient(signed)[0]) < 5e-16


def test_tanh_is_odd_at_negative_zero_and_accurate_on_a_batch():
    assert math.copysign(1.0, autograd.tanh(-0.0).data) == -1.0
    assert math.copysign(1.0, autograd.tanh(0.0).data) == 1.0
    xs = np.array([-1e-8, -0.0, 0.0, 1e-20, 0.2, 3.0, 400.0, -800.0])
    out = autograd.tanh(Value(xs))
    assert np.array_equal(np.signbit(out.data), np.signbit(xs))
    for got, x in zip(out.data, xs):
        if x != 0.0:
            assert _relative_error(float(got), _mp_tanh_and_gradient(float(x))[0]) < 5e-16


@pytest.mark.parametrize("x, expected", [(-math.inf, 0.0), (-0.3, 0.0), (-0.0, 0.0),
                                         (0.0, 0.0), (2.5, 2.5), (math.inf, math.inf)])
def test_relu_is_max_of_x_and_zero_even_at_minus_infinity_and_never_minus_zero(x, expected):
    for data in (x, np.array([x, 1.0])):
        v = Value(data)
        out = autograd.relu(v)
        first = float(np.atleast_1d(out.data)[0])
        assert first == expected and math.copysign(1.0, first) == 1.0
        out.sum().backward()
        assert float(np.atleast_1d(v.grad)[0]) == (1.0 if x > 0 else 0.0)
    assert math.isnan(autograd.relu(math.nan).data)


def test_hinge_loss_with_an_infinite_correct_score_is_zero_not_nan():
    import nn
    loss = nn.hinge_loss(Value(np.array([math.inf, 2.0])), np.array([1, 1]))
    assert loss.data == 0.0


# ---------------------------------------------------------------- no trivial constants


def _textbook_sigmoid(x):
    """The general form, with its sign constants p and s even where they are trivial."""
    p = autograd.arith.step(x.data)
    s = 1.0 - 2.0 * p
    e = (x * s).exp()
    return p + s * (e / (1.0 + e))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.floats(allow_nan=False, width=64),
                 st.lists(st.floats(-800, 800), min_size=1, max_size=5).map(np.array)))
def test_sigmoid_without_trivial_constants_is_bit_identical(x):
    a, b = Value(x), Value(x)
    za, zb = autograd.sigmoid(a), _textbook_sigmoid(b)
    za.sum().backward() if isinstance(x, np.ndarray) else za.backward()
    zb.sum().backward() if isinstance(x, np.ndarray) else zb.backward()
    assert np.array_equal(za.data, zb.data, equal_nan=True)
    assert np.array_equal(a.grad, b.grad, equal_nan=True)


@pytest.mark.parametrize("x", [-1.5, 2.0, np.array([-1.0, -2.0]), np.array([0.5, 3.0])])
def test_one_signed_inputs_draw_no_times_one_or_plus_zero(x):
    for f in (autograd.sigmoid, autograd.tanh):
        order = autograd.topological_order(f(Value(x)))
        for node in order:
            constants = [c for c in node.operands if not isinstance(c, Value)]
            trivial = [c for c in constants
                       if (node.op == "mul" and np.all(np.abs(c) == 1.0))
                       or (node.op == "add" and np.all(c == 0.0))]
            assert not trivial, (f.__name__, node.op, constants)


def test_a_batch_of_both_signs_keeps_the_sign_constants():
    z = autograd.sigmoid(Value(np.array([-1.0, 1.0])))
    assert any(node.op == "mul" and any(isinstance(c, np.ndarray) for c in node.operands)
               for node in autograd.topological_order(z))
