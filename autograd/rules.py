"""The calculus: the local partials of every primitive, one line each.

`PARTIALS[op](operands, out, i)` is d(out)/d(operands[i]) for a node made by `op`. The
formulas use ordinary operators, so they work on numbers and on Values alike:
- on numbers they give what `value.py` records on each node (tests check the two agree);
- on Values they build the backward pass as a graph, which is how `grad(..., create_graph=True)`
  takes derivatives of derivatives.

To add a primitive: give it an operator in `value.py` that records these partials, one entry
here, and one test in `tests/test_rules.py`.
"""

from typing import Callable

import numpy as np

from . import arith
from .arith import divide             # a / b, but inf or nan for b = 0 (for Values too)
from .value import Value


def pow_base_partial(a, b):
    """d(a^b)/da = b a^(b-1), for numbers (value.py records it) and for Values (create_graph).

    Where b == 0, a^0 = 1 is flat in a, but a^(b-1) is inf at a = 0 and 0 * inf is nan. There
    the exponent b - 1 gets 1 added, so the formula reads b * a^0 = 0 * 1 = 0, for every a.
    """
    flat = _data(b) == 0.0
    return b * _power(a, _add_one_where(flat, b - 1.0))


def pow_exponent_partial(a, b, out):
    """d(a^b)/db = a^b ln a, for numbers (value.py records it) and for Values (create_graph).

    Where a == 0 <= b, 0^b is flat in b, but ln 0 is -inf and 0 * -inf is nan. There a gets
    1 added, so the formula reads a^b ln 1 = 0. A negative base gives nan, as in PyTorch.
    """
    flat = (_data(a) == 0.0) & (_data(b) >= 0.0)
    return out * _log(_add_one_where(flat, a))


def _add_one_where(flat, x):
    """x + 1 where flat is True, else x itself (no new node when nothing is flat)."""
    if flat is False or (flat is not True and not flat.any()):
        return x
    return x + flat * 1.0


def _power(a, b):
    """a ** b for Values (a node), or for numbers with IEEE results (inf, nan; no exception)."""
    return a ** b if isinstance(a, Value) or isinstance(b, Value) else arith.power(a, b)


def _log(a):
    """ln a for a Value (a node) or a constant (a number)."""
    return a.log() if isinstance(a, Value) else arith.log(a)


def _sin(a):
    """sin a for a Value (a node) or a constant (a number)."""
    return a.sin() if isinstance(a, Value) else arith.sin(a)


def _cos(a):
    """cos a for a Value (a node) or a constant (a number)."""
    return a.cos() if isinstance(a, Value) else arith.cos(a)


def _data(x):
    """The number(s) of a Value, or x itself (a constant)."""
    return x.data if isinstance(x, Value) else x


def _dot_partial(args, i):
    """d(w0*x0 + ... + b)/d(operand i): the operands are n weights, n inputs, then maybe b."""
    n = len(args) // 2
    if i < n:
        return args[n + i]                # d/dw_i = x_i
    if i < 2 * n:
        return args[i - n]                # d/dx_i = w_i
    return 1.0                            # d/db = 1


def _ones(a):
    data = _data(a)
    return np.ones_like(data) if isinstance(data, np.ndarray) else 1.0


Rule = Callable[[tuple, object, int], object]

PARTIALS: dict[str, Rule] = {
    "add":  lambda args, out, i: 1.0,                             # d(a+b+...)/da = 1
    "sub":  lambda args, out, i: (1.0, -1.0)[i],                  # d(a-b)/da = 1, d/db = -1
    "neg":  lambda args, out, i: -1.0,                            # d(-a)/da = -1
    "mul":  lambda args, out, i: args[1 - i],                     # d(ab)/da = b, d/db = a
    "div":  lambda args, out, i: (divide(1.0, args[1]) if i == 0  # d(a/b)/da = 1/b
                                  else divide(-out, args[1])),    # d(a/b)/db = -(a/b)/b
    "pow":  lambda args, out, i: (pow_base_partial(*args) if i == 0  # d(a^b)/da = b a^(b-1)
                                  else pow_exponent_partial(*args, out)),  # d/db = a^b ln a
    "exp":  lambda args, out, i: out,                             # d(e^a)/da = e^a
    "log":  lambda args, out, i: divide(1.0, args[0]),            # d(ln a)/da = 1/a
    "sin":  lambda args, out, i: _cos(args[0]),                   # d(sin a)/da = cos a
    "cos":  lambda args, out, i: -_sin(args[0]),                  # d(cos a)/da = -sin a
    "dot":  lambda args, out, i: _dot_partial(args, i),           # d(w.x+b)/dw_i = x_i, /dx_i = w_i
    "sum":  lambda args, out, i: _ones(args[0]),                  # d(sum a)/da_k = 1
    "mean": lambda args, out, i: _ones(args[0]) / np.size(_ones(args[0])),  # d(mean a)/da_k = 1/n
}


def symbolic_partials(node: Value) -> list:
    """The partials of a node as Values (or constants), aligned with `node.parents`."""
    if not node.parents:
        return []
    rule = PARTIALS[node.op]
    return [rule(node.operands, node, i) for i, operand in enumerate(node.operands)
            if isinstance(operand, Value)]
