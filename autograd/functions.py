"""Functions built only from the primitives: sigmoid, tanh, softmax and friends; and the
primitives as functions (autograd.exp, autograd.sqrt, ...), one for each record in rules.py.

Nothing here has a derivative rule of its own. Each composite combines add, sub, mul, div, exp
and log, so backprop through it is the chain rule over those nodes, and a drawing shows every
step. Where the textbook formula overflows, constants that depend on the sign of the input
keep every exp() argument at or below zero (softmax subtracts the largest input); a constant
gets no gradient, so the derivatives are those of the textbook formula.

Read next: `check.py` (numerical gradients, to verify all of this).
"""

from __future__ import annotations

import numpy as np

from . import arith
from .groups import mark
from .rules import PRIMITIVES, Primitive
from .value import Value, make_node, apply, constant

Number = float | int | np.ndarray


def as_value(x: Value | Number) -> Value:
    """x itself if it is a Value, else a new leaf holding x."""
    return x if isinstance(x, Value) else Value(x)


def primitive_function(primitive: Primitive):
    """The primitive as a function of Values or numbers: autograd.sqrt(x), autograd.maximum(a, b).
    It is Value's method (x.relu(): the inline hot path where there is one); numbers are
    constants beside a Value, and with no Value among the operands they become leaves."""
    method = getattr(Value, primitive.function)

    def function(*operands: Value | Number) -> Value:
        if type(operands[0]) is not Value:
            if not any(type(x) is Value for x in operands):
                operands = tuple(as_value(x) for x in operands)
            else:
                return apply(primitive.op, *operands)   # a number first: a constant operand
        return method(*operands)
    function.__name__ = function.__qualname__ = primitive.function
    function.__doc__ = f"The primitive {primitive.op}, from its record in rules.py."
    return function


def primitive_functions() -> dict:
    """{name: function} for every primitive of the table that has one (exp, sqrt, relu, ...)."""
    return {p.function: primitive_function(p) for p in PRIMITIVES.values() if p.function}


def log(x: Value | Number, base: Value | Number | None = None) -> Value:
    """Natural log of x, or log_base(x) = ln x / ln base (base may be a Value)."""
    natural = as_value(x).log()
    if base is None:
        return natural
    if isinstance(base, Value):
        return natural / base.log()
    return natural / arith.log(_number(base, "base"))


def sigmoid(x: Value | Number) -> Value:
    """1 / (1 + e^-x), computed as p + s * e / (1 + e) with e = e^(s*x) = e^-|x|.

    p (1 where x > 0, else 0) and s (-1 where x > 0, else +1) are constants: where x > 0 this
    is 1 - sigmoid(-x). The exponent is never positive, so nothing overflows, and nothing
    cancels, so the value and the gradient z(1 - z) keep full precision for every finite x.
    When every sample has the same sign, the trivial constants (+0, ×1, ×-1) are left out:
    e^x / (1 + e^x), or 1 - e^-x / (1 + e^-x); the numbers are the same to the last bit.
    """
    x = as_value(x)
    p = arith.step(x.data)
    if not np.any(p):                         # x <= 0 (every sample): p = 0, s = +1
        e = x.exp()
        out = e / (1.0 + e)
    elif np.all(p):                           # x > 0 (every sample): p = 1, s = -1
        e = (-x).exp()
        out = 1.0 - e / (1.0 + e)
    else:                                     # a batch with both signs
        s = 1.0 - 2.0 * p
        e = (x * s).exp()                     # e^-|x|, in (0, 1]
        out = p + s * (e / (1.0 + e))
    mark("sigmoid", out, (x,))
    return out


def tanh(x: Value | Number) -> Value:
    """(1 - e^-2x) / (1 + e^-2x), computed on |x| and given back the sign s of x (a constant).

    e = e^-2|x| is in (0, 1], so nothing overflows, and the gradient 1 - t^2 keeps full
    precision however close t is to +-1. Near x = 0, e is near 1 and `1 - e` keeps only the
    digits that e's rounding left: the constant c = e^-2|x| - e (that rounding error, measured
    with ln, see arith.exp_rounding_error) gives them back. c is identically 0 as a function of
    x, so it gets no gradient and the derivative is still the textbook formula's.
    """
    x = as_value(x)
    s = arith.sign(x.data)
    y = x * (-2.0 * s)                        # -2|x|
    e = y.exp()                               # e^-2|x|, in (0, 1]
    numerator = 1.0 - e
    c = arith.exp_rounding_error(y.data, e.data)
    if np.any(c):
        numerator = numerator - c             # 1 - e^-2|x| to full precision, even near 0
    if np.all(s == 1.0):                      # the sign is a trivial constant: no x1, no x-1
        out = numerator / (1.0 + e)
    elif np.all(s == -1.0):
        out = -numerator / (1.0 + e)
    else:
        out = s * numerator / (1.0 + e)
    mark("tanh", out, (x,))
    return out


def step(x: Value | Number) -> Value:
    """The perceptron's step: 1 where x > 0, else 0. A constant leaf: its gradient is zero."""
    return Value(arith.step(as_value(x).data))


def identity(x: Value | Number) -> Value:
    """x itself (the output activation of a regression network)."""
    return as_value(x)


def sum(values) -> Value:  # noqa: A001  (autograd.sum, like numpy.sum)
    """One n-ary add node over all the values: d(sum)/d(each) = 1. Numbers become constants.
    Its number is the add record's forward (two terms: a + b, as x + y gives; more: 0.0 + a +
    b + ..., as Python's sum), so the stepper page recomputes it bit for bit, -0.0 included."""
    operands = tuple(values)
    data = [x.data for x in operands if type(x) is Value]
    add = PRIMITIVES["add"].forward
    if len(data) == len(operands) > 0:      # all Values: the common, fast case
        return make_node(add(*data), "add", operands, (1.0,) * len(data), operands)
    operands = tuple(x if isinstance(x, Value) else _number(x, "a sum term") for x in operands)
    parents = tuple(x for x in operands if isinstance(x, Value))
    total = add(*(x.data if isinstance(x, Value) else x for x in operands))
    if not parents:
        return Value(total)
    return make_node(total, "add", parents, (1.0,) * len(parents), operands)


def softmax(values) -> list[Value]:
    """e^x_i / sum_j e^x_j for each i, shifted by the constant max_j x_j so exps stay <= 1."""
    values = [as_value(x) for x in values]
    exps = [x.exp() for x in _shift_by_max(values)]
    total = sum(exps)
    out = [e / total for e in exps]
    mark("softmax", out, values)
    return out


def log_softmax(values) -> list[Value]:
    """x_i - log(sum_j e^x_j) for each i, computed after shifting by the constant max_j x_j.

    Accuracy: every entry is within about 2e-16 of the exact value (absolute error). Relative
    to itself, the largest entry, about -e^-d when it leads the runner-up by d, is off by up to
    1e-16 * e^d: 1e-12 at d = 10, 5e-8 at d = 20, and all digits are gone (0.0) from d = 37 on,
    because log(1 + e^-d) rounds 1 + e^-d first (PyTorch's log_softmax does the same).
    """
    values = [as_value(x) for x in values]
    shifted = _shift_by_max(values)
    log_total = sum([x.exp() for x in shifted]).log()   # >= 0: the largest term is e^0 = 1
    out = [x - log_total for x in shifted]
    mark("log_softmax", out, values)
    return out


def _shift_by_max(values) -> list[Value]:
    values = [as_value(x) for x in values]
    if not values:
        raise ValueError("softmax needs at least one value")
    m = arith.largest([x.data for x in values])
    if not np.any(m):
        return values                         # the largest is 0 already: no "- 0" nodes
    return [x - m for x in values]


def _number(x, what: str):
    c = constant(x)
    if c is None:
        raise TypeError(f"{what} must be a Value or a number; got {type(x).__name__}")
    return c


# x.sigmoid() and x.tanh(), as micrograd writes them: Value's methods are the functions above.
Value.sigmoid = sigmoid
Value.tanh = tanh
