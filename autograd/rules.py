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
from .value import Value


def _log(a):
    """ln a for a Value (a node) or a constant (a number)."""
    return a.log() if isinstance(a, Value) else arith.log(a)


def _pow_base(a, b, out):
    if not isinstance(b, Value) and np.all(b == 0):
        return 0.0                          # a^0 is constant: no gradient, even at a = 0
    return b * a ** (b - 1)


def _ones(a):
    data = getattr(a, "data", a)
    return np.ones_like(data) if isinstance(data, np.ndarray) else 1.0


Rule = Callable[[tuple, object, int], object]

PARTIALS: dict[str, Rule] = {
    "add":  lambda args, out, i: 1.0,                             # d(a+b+...)/da = 1
    "sub":  lambda args, out, i: (1.0, -1.0)[i],                  # d(a-b)/da = 1, d/db = -1
    "neg":  lambda args, out, i: -1.0,                            # d(-a)/da = -1
    "mul":  lambda args, out, i: args[1 - i],                     # d(ab)/da = b, d/db = a
    "div":  lambda args, out, i: (1 / args[1] if i == 0          # d(a/b)/da = 1/b
                                  else -out / args[1]),           # d(a/b)/db = -(a/b)/b
    "pow":  lambda args, out, i: (_pow_base(*args, out) if i == 0  # d(a^b)/da = b a^(b-1)
                                  else out * _log(args[0])),      # d(a^b)/db = a^b ln a
    "exp":  lambda args, out, i: out,                             # d(e^a)/da = e^a
    "log":  lambda args, out, i: 1 / args[0],                     # d(ln a)/da = 1/a
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
