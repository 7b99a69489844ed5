"""The Value constructor, operators with numbers, bad input, and repr."""

import math

import numpy as np
import pytest

import autograd
from autograd import Value


@pytest.mark.parametrize("data", [3, 2.5, np.float32(1.5), np.int64(4), True])
def test_numbers_are_stored_as_float(data):
    value = Value(data)
    assert type(value.data) is float and value.data == float(data)
    assert value.grad == 0.0 and value.op == "" and value.parents == () == value.partials


def test_batch_array_is_copied_as_float():
    source = np.array([1, 2, 3])
    value = Value(source)
    source[0] = 99
    assert value.data.dtype == np.float64 and list(value.data) == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("data, error, words", [
    ("3", TypeError, "got str"),
    (None, TypeError, "got NoneType"),
    ({}, TypeError, "got dict"),
    (1 + 2j, TypeError, "got complex"),
    ([1.0, 2.0], TypeError, "got list"),
    (np.array(["a"]), TypeError, "dtype <U1"),
    (np.array([1 + 1j]), TypeError, "complex128"),
    (np.ones((2, 2)), ValueError, r"shape \(2, 2\)"),
    (np.array([]), ValueError, r"shape \(0,\)"),
    (10 ** 400, ValueError, "too large"),
])
def test_bad_data_is_refused_with_a_message_naming_it(data, error, words):
    with pytest.raises(error, match=words):
        Value(data)


def test_name_must_be_a_string():
    assert Value(1.0, name="w").name == "w"
    with pytest.raises(TypeError, match="name must be a str"):
        Value(1.0, name=3)


@pytest.mark.parametrize("expression, expected", [
    (lambda x: 1 - x, -1.0), (lambda x: 2 ** x, 4.0), (lambda x: 3 / x, 1.5),
    (lambda x: 1 + x, 3.0), (lambda x: 5 * x, 10.0), (lambda x: x - 1, 1.0),
    (lambda x: np.float64(2.0) * x, 4.0), (lambda x: -x, -2.0),
])
def test_python_numbers_on_either_side(expression, expected):
    result = expression(Value(2.0))
    assert isinstance(result, Value) and result.data == expected


@pytest.mark.parametrize("other", ["2", None, [1.0], {}])
def test_unsupported_operands_raise_pythons_type_error(other):
    with pytest.raises(TypeError, match="unsupported operand"):
        Value(1.0) + other
    with pytest.raises(TypeError):
        other * Value(1.0)


def test_values_hash_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert len({a, b}) == 2 and (a == b) is False and a == a


def test_repr_is_short_and_shows_name_data_op_and_grad():
    x = Value(2.0, name="x")
    y = x * 3.0
    y.backward()
    assert repr(x) == "Value(name='x', data=2, grad=3)"
    assert repr(y) == "Value(data=6, op='mul', grad=1)"
    assert "batch[4]" in repr(Value(np.arange(4.0)))


def test_backward_gradient_must_be_a_number():
    with pytest.raises(TypeError, match="got str"):
        Value(1.0).exp().backward("1")


def test_numerical_grad_and_gradcheck_report_mismatches():
    numerical = autograd.numerical_grad(lambda x, y: x * y ** 2, [3.0, 2.0])
    assert np.allclose(numerical, [4.0, 12.0], rtol=1e-8)

    def wrong(x):                            # a function whose graph lies about its value
        fake = x * 2.0
        fake.data = math.sin(x.data)
        return fake
    with pytest.raises(AssertionError, match=r"(?s)analytic.*numerical.*mismatch"):
        autograd.gradcheck(wrong, [Value(0.3, name="x")])


def test_import_autograd_stays_light():
    import subprocess
    import sys
    code = ("import sys, autograd; "
            "print(sorted(m for m in ('graphviz', 'matplotlib', 'sympy', 'tqdm') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_repr_never_shows_negative_zero():
    assert repr(Value(-0.3).relu()) == "Value(data=0, op='relu')"
    assert repr(Value(-0.0)) == "Value(data=0)"
    assert "-0" not in repr(Value(np.array([-0.0, 1.0]) * 1.0))
    x = Value(-0.3)
    (x * 0.0).backward()
    assert repr(x) == "Value(data=-0.3)"          # grad is 0.0: not shown, as before
