"""IEEE arithmetic without exceptions or warnings, detect_anomaly, and no_grad."""

import math
import warnings

import numpy as np
import pytest

import autograd
from autograd import AnomalyError, Value, detect_anomaly, no_grad


@pytest.fixture(autouse=True)
def no_warnings_at_all():
    """Record every warning not already filtered, and fail the test if there was any."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("always", append=True)
        yield
    assert [str(warning.message) for warning in caught] == []


@pytest.mark.parametrize("compute, expected", [
    (lambda: Value(0.0).log(), -math.inf),
    (lambda: Value(-1.0).log(), math.nan),
    (lambda: 1 / Value(0.0), math.inf),
    (lambda: -1 / Value(0.0), -math.inf),
    (lambda: Value(0.0) / Value(0.0), math.nan),
    (lambda: Value(1000.0).exp(), math.inf),
    (lambda: Value(-8.0) ** (1 / 3), math.nan),
    (lambda: Value(0.0) ** -1, math.inf),
    (lambda: Value(10.0) ** 400, math.inf),
    (lambda: 2 ** Value(5000.0), math.inf),
    (lambda: Value(1e308) * 10.0, math.inf),
])
def test_ieee_results_instead_of_exceptions(compute, expected):
    result = compute().data
    assert (math.isnan(result) and math.isnan(expected)) or result == expected


def test_ieee_results_on_batches_without_warnings():
    x = Value(np.array([0.0, -1.0, 1000.0]))
    assert np.array_equal(x.log().data[:1], [-np.inf]) and np.isnan(x.log().data[1])
    assert (1 / x).data[0] == np.inf and x.exp().data[2] == np.inf
    (x.log() * x).sum().backward()          # 0 * -inf = nan, quietly


def test_gradients_follow_ieee_too():
    x = Value(0.0)
    (x ** 0.5).backward()                    # d sqrt(x)/dx = inf at 0
    assert x.grad == math.inf


def test_anomaly_in_a_value_names_the_op_inputs_and_node():
    x = Value(-1.0, name="x")
    with detect_anomaly():
        with pytest.raises(AnomalyError, match=r"log node.*nan.*inputs: \(x=-1\)"):
            x.log()
    assert isinstance(AnomalyError("x"), ArithmeticError)


def test_anomaly_in_a_gradient_names_the_op():
    x = Value(0.0, name="x")
    with detect_anomaly():
        y = x ** 0.5                         # value 0 is fine; its partial is inf
        with pytest.raises(AnomalyError, match=r"pow node passes back a gradient of inf"):
            y.backward()


def test_anomaly_mode_leaves_square_of_negative_alone():
    with detect_anomaly():
        x = Value(-3.0)
        y = x ** 2
        y.backward()
        [dy] = autograd.grad(y, [x], create_graph=True)
        [d2y] = autograd.grad(dy, [x])
    assert x.grad == -6.0 and d2y == 2.0


def test_anomaly_in_a_batch_names_the_sample():
    with detect_anomaly(), pytest.raises(AnomalyError, match="at sample 1"):
        Value(np.array([1.0, -1.0])).log()


def test_modes_restore_after_exceptions_and_nest():
    from autograd import modes
    with pytest.raises(RuntimeError):
        with detect_anomaly():
            raise RuntimeError("boom")
    with no_grad():
        with no_grad():
            pass
        assert (Value(1.0) * 2).parents == ()
    assert not modes.active and Value(-1.0).log().op == "log"


def test_no_grad_records_no_parents():
    x = Value(2.0)
    with no_grad():
        y = x * x + 1.0
    assert y.data == 5.0 and y.parents == () and y.op == ""
    y.backward()
    assert x.grad == 0.0
