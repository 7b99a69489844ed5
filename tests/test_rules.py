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
    assert set(autograd.PARTIALS) == set(PRIMITIVES) | {"sum", "mean"}


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
