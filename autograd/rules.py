"""The calculus: one record per primitive, in one table.

A primitive is an operation whose local partial derivatives we write down by hand. Everything
about one primitive lives in its record, side by side:

    forward    its value, from its operands' numbers         mul: a * b
    partial    d(out)/d(operand i), as a formula             mul: args[1 - i]   (b for a, a for b)
    rule       that formula as a learner reads it            mul: ("b", "a")
    symbol     how drawings show the node                    mul: "×"
    js_*       the same forward and partial in JavaScript, for the stepper page

`partial(args, out, i)` uses ordinary operators, so it works on numbers and on Values alike:
- on numbers it gives what `value.py` records on every node it makes;
- on Values it builds the backward pass as a graph, which is how `grad(..., create_graph=True)`
  takes derivatives of derivatives.

Adding a primitive is one record here plus one line in `tests/test_rules.py`: the node
(`x.sqrt()`, `autograd.sqrt(x)`), backward, create_graph, the drawings, the frames, the page and
the command line all read this table. The README shows the recipe.

Read next: `value.py` (the node, whose operators make nodes from these records).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import arith
from .arith import divide, numbers_of   # a / b that gives inf or nan for b = 0 (Values too)

Rule = Callable[[tuple, object, int], object]


@dataclass(frozen=True)
class Primitive:
    """Everything about one primitive: its calculus, and how a learner sees it.

    `arity` is 1 or 2, or 0 for any number of operands (add's n-ary sum, dot). `form` says how
    a computation is written with numbers: "infix" (2 + 3: the symbol between the operands),
    "prefix" (−(2): the symbol, its operand in place of x) or "call" (exp(2): the op's name).
    `rule` holds one text per operand (the last one repeats), a str or {"en": ..., "ja": ...}.
    `reduces` marks the batch reductions (sum, mean): they read a whole batch at once.
    `function` names the method and function it gives (x.sqrt(), autograd.sqrt), if any.
    """

    op: str
    arity: int
    symbol: str
    form: str
    forward: Callable
    partial: Rule
    rule: tuple
    js_forward: str
    js_partial: str
    reduces: bool = False
    function: str | None = None


PRIMITIVES: dict[str, Primitive] = {}
PARTIALS: dict[str, Rule] = {}     # PARTIALS[op](operands, out, i) = d(out)/d(operands[i])


def define(primitive: Primitive) -> Primitive:
    """Add a primitive to the table (`autograd.define` also gives Value its method)."""
    if primitive.form not in ("infix", "prefix", "call"):
        raise ValueError(f"form must be 'infix', 'prefix' or 'call'; got {primitive.form!r}")
    if primitive.arity not in (0, 1, 2):
        raise ValueError(f"arity must be 0 (any), 1 or 2; got {primitive.arity!r}")
    PRIMITIVES[primitive.op] = primitive
    PARTIALS[primitive.op] = primitive.partial
    return primitive


# ---------------------------------------------------------------- special cases of pow

def pow_base_partial(a, b):
    """d(a^b)/da = b a^(b-1), for numbers (value.py records it) and for Values (create_graph).

    Where b == 0, a^0 = 1 is flat in a, but a^(b-1) is inf at a = 0 and 0 * inf is nan. There
    the exponent b - 1 gets 1 added, so the formula reads b * a^0 = 0 * 1 = 0, for every a.
    """
    flat = numbers_of(b) == 0.0
    return b * arith.power(a, _add_one_where(flat, b - 1.0))


def pow_exponent_partial(a, b, out):
    """d(a^b)/db = a^b ln a, for numbers (value.py records it) and for Values (create_graph).

    Where a == 0 <= b, 0^b is flat in b, but ln 0 is -inf and 0 * -inf is nan. There a gets
    1 added, so the formula reads a^b ln 1 = 0. A negative base gives nan, as in PyTorch.
    """
    flat = (numbers_of(a) == 0.0) & (numbers_of(b) >= 0.0)
    return out * arith.log(_add_one_where(flat, a))


def _add_one_where(flat, x):
    """x + 1 where flat is True, else x itself (no new node when nothing is flat)."""
    if flat is False or (flat is not True and not flat.any()):
        return x
    return x + flat * 1.0


# ---------------------------------------------------------------- helpers of a few rules

def _dot_forward(*args):
    """w0*x0 + w1*x1 + ... (+ b), summed in order: the operands are n weights, n inputs, maybe b."""
    n = len(args) // 2
    total = builtins.sum(map(lambda w, x: w * x, args[:n], args[n:2 * n]), 0.0)
    return total + args[2 * n] if len(args) > 2 * n else total


def _dot_partial(args, i):
    """d(w0*x0 + ... + b)/d(operand i): the operands are n weights, n inputs, then maybe b."""
    n = len(args) // 2
    if i < n:
        return args[n + i]                # d/dw_i = x_i
    if i < 2 * n:
        return args[i - n]                # d/dx_i = w_i
    return 1.0                            # d/db = 1


def _add_forward(*terms):
    """a + b, or 0 + a + b + ... for an n-ary sum (autograd.sum), in order."""
    return terms[0] + terms[1] if len(terms) == 2 else builtins.sum(terms, 0.0)


def _ones(a):
    """1 for each sample of a (a number, a batch or a Value)."""
    data = numbers_of(a)
    return np.ones_like(data) if isinstance(data, np.ndarray) else 1.0


def _total(a):
    """The sum over a batch, as one float (a float is its own total)."""
    return a if type(a) is float else float(a.sum())


def _mean(a):
    """The mean over a batch, as one float (a float is its own mean)."""
    return a if type(a) is float else float(a.mean())


# ---------------------------------------------------------------- the table
# Each partial carries its math as a comment. The JavaScript beside it is the page's copy: the
# page's rule table is emitted from these records (viz/stepper.py), and its helpers (power,
# divide, powBasePartial, ...) are stepper.js's mirrors of arith.py and the functions above.

define(Primitive(
    "add", 0, "+", "infix", _add_forward,
    lambda args, out, i: 1.0,                                    # d(a+b+...)/da = 1
    ("1",), "args.length === 2 ? a + b : args.reduce((s, x) => s + x, 0)", "1"))
define(Primitive(
    "sub", 2, "−", "infix", lambda a, b: a - b,
    lambda args, out, i: (1.0, -1.0)[i],                         # d(a-b)/da = 1, d/db = -1
    ("1", "−1"), "a - b", "[1, -1][i]"))
define(Primitive(
    "neg", 1, "−x", "prefix", lambda a: -a,
    lambda args, out, i: -1.0,                                   # d(-a)/da = -1
    ("−1",), "-a", "-1"))
define(Primitive(
    "mul", 2, "×", "infix", lambda a, b: a * b,
    lambda args, out, i: args[1 - i],                            # d(ab)/da = b, d/db = a
    ("b", "a"), "a * b", "args[1 - i]"))
define(Primitive(
    "div", 2, "÷", "infix", divide,
    lambda args, out, i: (divide(1.0, args[1]) if i == 0         # d(a/b)/da = 1/b
                          else divide(-out, args[1])),           # d(a/b)/db = -(a/b)/b
    ("1/b", "−a/b²"), "divide(a, b)", "i === 0 ? divide(1, b) : divide(-out, b)"))
define(Primitive(
    "pow", 2, "^", "infix", arith.power,
    lambda args, out, i: (pow_base_partial(*args) if i == 0      # d(a^b)/da = b a^(b-1)
                          else pow_exponent_partial(*args, out)),  # d(a^b)/db = a^b ln a
    ("b·a^(b−1)", "aᵇ·ln a"), "power(a, b)",
    "i === 0 ? powBasePartial(a, b) : powExponentPartial(a, b, out)"))
define(Primitive(
    "exp", 1, "exp", "call", arith.exp,
    lambda args, out, i: out,                                    # d(e^a)/da = e^a
    ("eᵃ",), "Math.exp(a)", "out", function="exp"))
define(Primitive(
    "log", 1, "log", "call", arith.log,
    lambda args, out, i: divide(1.0, args[0]),                   # d(ln a)/da = 1/a
    ("1/a",), "log(a)", "divide(1, a)", function="log"))
define(Primitive(
    "sin", 1, "sin", "call", arith.sin,
    lambda args, out, i: arith.cos(args[0]),                     # d(sin a)/da = cos a
    ("cos a",), "Math.sin(a)", "Math.cos(a)", function="sin"))
define(Primitive(
    "cos", 1, "cos", "call", arith.cos,
    lambda args, out, i: -arith.sin(args[0]),                    # d(cos a)/da = -sin a
    ("−sin a",), "Math.cos(a)", "-Math.sin(a)", function="cos"))
define(Primitive(
    "sqrt", 1, "√", "call", arith.sqrt,
    lambda args, out, i: divide(0.5, out),                       # d(√a)/da = 1/(2√a)
    ("1/(2√a)",), "Math.sqrt(a)", "divide(0.5, out)", function="sqrt"))
define(Primitive(
    "relu", 1, "relu", "call", arith.relu,
    lambda args, out, i: arith.step(numbers_of(args[0])),        # d relu(a)/da = 1 if a > 0
    ({"en": "1 if a > 0, else 0", "ja": "a > 0 なら 1、それ以外は 0"},),
    "a > 0 || a !== a ? a : 0", "a > 0 ? 1 : 0", function="relu"))
define(Primitive(
    "maximum", 2, "max", "call", arith.maximum,
    lambda args, out, i: arith.larger(numbers_of(args[i]), numbers_of(args[1 - i])),
    # d max(a, b)/da = 1 where a is the larger, 1/2 at a tie (as in PyTorch), else 0
    ({"en": "1 if a > b, ½ if a = b, else 0", "ja": "a > b なら 1、a = b なら ½、それ以外は 0"},
     {"en": "1 if b > a, ½ if a = b, else 0", "ja": "b > a なら 1、a = b なら ½、それ以外は 0"}),
    "a !== a || b !== b ? NaN : (a >= b ? a : b)",
    "i === 0 ? (a > b ? 1 : a === b ? 0.5 : 0) : (b > a ? 1 : a === b ? 0.5 : 0)",
    function="maximum"))
define(Primitive(
    "dot", 0, "Σ w·x", "call", _dot_forward,
    lambda args, out, i: _dot_partial(args, i),                  # d(w.x+b)/dw_i = x_i, /dx_i = w_i
    ("x{i}", "w{i}", "1"), "weightedSum(args)", "dotPartial(args, i)"))
define(Primitive(
    "sum", 1, "sum", "call", _total,
    lambda args, out, i: _ones(args[0]),                         # d(sum a)/da_k = 1
    ("1",), "total(a)", "ones(a)", reduces=True))
define(Primitive(
    "mean", 1, "mean", "call", _mean,
    lambda args, out, i: _ones(args[0]) / np.size(_ones(args[0])),  # d(mean a)/da_k = 1/n
    ("1/n",), "total(a) / size(a)", "scale(ones(a), 1 / size(a))", reduces=True))


def partials_as_values(node) -> list:
    """The partials of a node as Values (or constants), aligned with `node.parents`: the
    table's formulas applied to the operands themselves (create_graph)."""
    partial = PRIMITIVES[node.op].partial
    return [partial(node.operands, node, i) for i, operand in enumerate(node.operands)
            if hasattr(operand, "parents")]
