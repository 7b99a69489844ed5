"""Every primitive's value and local partials, against sympy and against central differences.

The rule table (`autograd.PARTIALS`) is the specification; the operators record the partials
inline for speed. These tests check both against sympy's derivatives at random points.
"""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

import autograd
from autograd import Value, numerical_grad

a, b = sp.symbols("a b")

# op: (sympy expression, how the engine builds it from two Values, domain of a, domain of b)
POSITIVE, ANY, NONZERO = (0.05, 20.0), (-20.0, 20.0), (0.2, 20.0)
PRIMITIVES = {
    "add": (a + b, lambda x, y: x + y, ANY, ANY),
    "sub": (a - b, lambda x, y: x - y, ANY, ANY),
    "neg": (-a, lambda x, y: -x, ANY, None),
    "mul": (a * b, lambda x, y: x * y, ANY, ANY),
    "div": (a / b, lambda x, y: x / y, ANY, NONZERO),
    "pow": (a ** b, lambda x, y: x ** y, (0.1, 5.0), (-3.0, 3.0)),
    "exp": (sp.exp(a), lambda x, y: x.exp(), (-30.0, 30.0), None),
    "log": (sp.log(a), lambda x, y: x.log(), POSITIVE, None),
    "sin": (sp.sin(a), lambda x, y: x.sin(), ANY, None),
    "cos": (sp.cos(a), lambda x, y: x.cos(), ANY, None),
    "sqrt": (sp.sqrt(a), lambda x, y: x.sqrt(), POSITIVE, None),
    "relu": (sp.Piecewise((a, a > 0), (0, True)), lambda x, y: x.relu(), ANY, None),  # 0 at 0
    "maximum": (sp.Max(a, b), lambda x, y: x.maximum(y), ANY, ANY),  # ½ each at a tie
}


def _point(domain_a, domain_b):
    floats = lambda lo, hi: st.floats(lo, hi, allow_nan=False)  # noqa: E731
    second = floats(*domain_b) if domain_b else st.just(None)
    return st.tuples(floats(*domain_a), second)


def _sympy_partials(op, x, y):
    expression, _, _, domain_b = PRIMITIVES[op]
    symbols = (a, b) if domain_b else (a,)
    at = {a: x, b: y} if domain_b else {a: x}
    value = float(expression.evalf(subs=at))
    return value, [float(sp.diff(expression, s).evalf(subs=at)) for s in symbols]


def _build(op, x, y):
    """The primitive applied to fresh leaves holding x (and y for a binary op)."""
    inputs = [Value(x)] + ([Value(y)] if PRIMITIVES[op][3] else [])
    return _build_from(op, *inputs), inputs


def _build_from(op, x, y=None):
    return PRIMITIVES[op][1](x, y)


def _random_point(op, rng):
    """A random point in the op's domain, within [-5, 5] so differences stay accurate."""
    domain_a, domain_b = PRIMITIVES[op][2], PRIMITIVES[op][3]
    x = rng.uniform(max(domain_a[0], -5.0), min(domain_a[1], 5.0))
    y = rng.uniform(max(domain_b[0], -5.0), min(domain_b[1], 5.0)) if domain_b else None
    return x, y


def test_every_rule_in_the_table_is_tested_here_or_in_test_batch():
    assert set(autograd.PARTIALS) == set(PRIMITIVES) | {"sum", "mean", "dot"}  # dot: test_weighted_sum


@pytest.mark.parametrize("op", sorted(PRIMITIVES))
def test_primitive_value_and_partials_match_sympy(op):
    @settings(max_examples=40, deadline=None)
    @given(_point(PRIMITIVES[op][2], PRIMITIVES[op][3]))
    def check(point):
        x, y = point
        out, inputs = _build(op, x, y)
        value, partials = _sympy_partials(op, x, y)
        assert out.op == op
        assert out.parents == tuple(inputs)
        assert math.isclose(out.data, value, rel_tol=1e-9, abs_tol=1e-12)
        assert np.allclose(out.partials, partials, rtol=1e-8, atol=1e-12)
    check()


@pytest.mark.parametrize("op", sorted(PRIMITIVES))
def test_backward_matches_central_differences(op):
    rng = np.random.default_rng(7)
    for _ in range(20):
        out, inputs = _build(op, *_random_point(op, rng))
        out.backward()
        numerical = numerical_grad(lambda *v: _build_from(op, *v), [v.data for v in inputs])
        assert np.allclose([v.grad for v in inputs], numerical, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("op", sorted(PRIMITIVES))
def test_rule_table_gives_the_recorded_partials(op):
    out, inputs = _build(op, *_random_point(op, np.random.default_rng(3)))
    numbers = tuple(v.data for v in inputs)
    from_table = [autograd.PARTIALS[op](numbers, out.data, i) for i in range(len(numbers))]
    assert np.allclose(from_table, out.partials, rtol=1e-12)


@pytest.mark.parametrize("constant_left", [False, True])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow"])
def test_number_operands_are_constants_with_no_node_and_no_partial(op, constant_left):
    x, c = Value(1.7), 0.6
    expression = PRIMITIVES[op][0]
    if constant_left:
        out, at, symbol, operands = _build_from(op, c, x), {a: c, b: 1.7}, b, (c, x)
    else:
        out, at, symbol, operands = _build_from(op, x, c), {a: 1.7, b: c}, a, (x, c)
    assert out.parents == (x,)
    assert out.operands == operands
    assert math.isclose(out.data, float(expression.subs(at)), rel_tol=1e-12)
    assert math.isclose(out.partials[0], float(sp.diff(expression, symbol).subs(at)),
                        rel_tol=1e-12)


def test_power_with_constant_exponent_is_fine_for_negative_bases():
    x = Value(-3.0)
    y = x ** 2
    y.backward()
    assert y.data == 9.0 and x.grad == -6.0
    assert y.partials == (-6.0,)       # no partial for the exponent: it is a constant


def test_power_with_value_exponent_and_negative_base_gives_nan_exponent_partial():
    x, p = Value(-2.0), Value(2.0)
    y = x ** p
    assert y.data == 4.0 and y.partials[0] == -4.0
    assert math.isnan(y.partials[1])   # d(x^p)/dp = x^p ln x, and ln(-2) is nan (as in PyTorch)


def test_power_partials_at_zero_exponent_and_zero_base():
    x = Value(0.0)
    assert (x ** 0).partials == (0.0,)             # x^0 is constant, even at x = 0
    assert (x ** Value(2.0)).partials == (0.0, 0.0)  # 0^p is flat in p for p >= 0


# ------------------------------------------------------------------ one calculus, special cases too

SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -2.5, math.inf, -math.inf, math.nan]


def _same(x, y) -> bool:
    """Equal as IEEE numbers, nan equal to nan (element-wise for batches)."""
    return bool(np.all((np.asarray(x) == np.asarray(y))
                       | (np.isnan(np.asarray(x, float)) & np.isnan(np.asarray(y, float)))))


@pytest.mark.parametrize("op", sorted(PRIMITIVES))
def test_the_table_on_numbers_and_on_values_gives_the_recorded_partials_at_special_points(op):
    """The rule table is the calculus: on plain numbers it gives exactly what the operators
    record (pow at 0, 0^0, negative bases, inf, nan included), and as a graph of Values
    (create_graph) its values are those same numbers."""
    binary = PRIMITIVES[op][3] is not None
    points = [(x, y) for x in SPECIAL for y in (SPECIAL if binary else [None])]
    for x, y in points + [(np.array(SPECIAL), np.array(SPECIAL[::-1]) if binary else None)]:
        out, inputs = _build(op, x, y)
        numbers = tuple(v.data for v in inputs)
        forward = autograd.PRIMITIVES[op].forward(*numbers)    # the record's value, and the
        assert _same(forward, out.data), (op, x, y)           # operator's (inline on hot paths)
        for i, recorded in enumerate(out.partials):
            from_numbers = autograd.PARTIALS[op](numbers, out.data, i)
            from_values = autograd.PARTIALS[op](tuple(inputs), out, i)
            assert _same(from_numbers, recorded), (op, x, y, i)
            assert _same(getattr(from_values, "data", from_values), recorded), (op, x, y, i)


@pytest.mark.parametrize("a, b", [(0.0, 2.0), (0.0, 0.0), (0.0, 0.5), (3.0, 0.0), (-2.0, 2.0)])
def test_create_graph_gives_the_same_first_derivatives_as_backward_at_pow_boundaries(a, b):
    x, p = Value(a), Value(b)
    plain = autograd.grad(x ** p, [x, p])
    as_values = autograd.grad(x ** p, [x, p], create_graph=True)
    assert _same([g.data for g in as_values], plain)
    batch_x, batch_p = Value(np.array([a, 1.5])), Value(np.array([b, 2.0]))
    plain = autograd.grad((batch_x ** batch_p).sum(), [batch_x, batch_p])
    as_values = autograd.grad((batch_x ** batch_p).sum(), [batch_x, batch_p], create_graph=True)
    for g, h in zip(as_values, plain):
        assert _same(g.data, h)


def test_second_derivatives_at_the_pow_boundary_are_finite_where_the_first_is_flat():
    x, p = Value(0.0), Value(3.0)
    [dx, dp] = autograd.grad(x ** p, [x, p], create_graph=True)     # 3x^2 = 0, x^3 ln x = 0
    assert dx.data == 0.0 and dp.data == 0.0
    d2 = autograd.grad(dx, [x, p])                                   # d(3x^2)/dx = 6x = 0
    assert d2[0] == 0.0


# ------------------------------------------------------------------ sin and cos

@pytest.mark.parametrize("op", ["sin", "cos"])
@pytest.mark.parametrize("x", [0.0, 0.7, -2.3, math.pi / 2, 10.0, -123.456])
def test_sin_and_cos_values_and_partials_match_math(op, x):
    out = getattr(Value(x), op)()
    function, derivative = {"sin": (math.sin, math.cos),
                            "cos": (math.cos, lambda v: -math.sin(v))}[op]
    assert out.data == function(x) and out.partials == (derivative(x),)


@pytest.mark.parametrize("op", ["sin", "cos"])
@pytest.mark.parametrize("x", [0.0, 0.9, -2.3, 4.0])
def test_sin_and_cos_higher_derivatives_by_create_graph_match_sympy(op, x):
    """d/da, d2/da2, d3/da3, d4/da4 of sin and cos (d4 sin = sin), each as a graph of Values."""
    expression = PRIMITIVES[op][0]
    leaf = Value(x)
    derivative = getattr(leaf, op)()
    for order in range(1, 5):
        [derivative] = autograd.grad(derivative, [leaf], create_graph=True)
        exact = float(sp.diff(expression, a, order).evalf(subs={a: x}))
        assert math.isclose(derivative.data, exact, rel_tol=1e-12, abs_tol=1e-15), (op, order)
    assert math.isclose(derivative.data, float(expression.evalf(subs={a: x})), rel_tol=1e-12,
                        abs_tol=1e-15)


@pytest.mark.parametrize("op", ["sin", "cos"])
def test_sin_and_cos_on_a_batch_equal_each_sample_as_a_scalar(op):
    samples = [0.0, -0.0, 0.3, -1.7, 3.0, 1e6, math.inf, -math.inf, math.nan]
    batch = Value(np.array(samples))
    out = getattr(batch, op)()
    out.sum().backward()
    for k, x in enumerate(samples):
        scalar = Value(x)
        alone = getattr(scalar, op)()
        alone.backward()
        assert _same(out.data[k], alone.data) and _same(out.partials[0][k], alone.partials[0])
        assert _same(batch.grad[k], scalar.grad), (op, x)


@pytest.mark.parametrize("op", ["sin", "cos"])
@pytest.mark.parametrize("x", [math.inf, -math.inf, math.nan])
def test_sin_and_cos_of_inf_and_nan_are_nan_with_nan_partials_and_no_exception(op, x):
    out = getattr(Value(x), op)()
    out.backward()
    assert math.isnan(out.data) and math.isnan(out.partials[0])
    assert math.isnan(getattr(autograd, op)(x).data)
