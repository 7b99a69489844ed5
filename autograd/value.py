"""The node of the graph: `Value`, and the primitives that make new nodes.

A Value holds a number (or a batch of numbers, one per sample) and remembers how it was made:
`op` names the primitive, `parents` are its Value operands, and `partials` are the local
derivatives d(self)/d(parent), evaluated to numbers when the node is made and aligned with
`parents`. That is all the backward pass needs: it walks the graph from the output back to the
inputs and adds `partial * upstream gradient` into every parent (see `graph.py`).

    x = Value(3.0)
    y = x * x          # op "mul", parents (x, x), partials (3.0, 3.0)
    y.backward()       # x.grad == 3.0 + 3.0 == 6.0: the two edges add up

Every primitive has one record in `rules.py`: its forward computation and its partials.
`apply(op, *operands)` makes a node of any of them from its record, and every record with a
`function` gives Value its method (`x.sin()`, `x.sqrt()`, `x.maximum(y)`). The operators below
(+ - * / ** and exp, log, relu) are the hot path of every training loop, so they evaluate the
same formulas inline; tests check them against the records at random and special points (pow
calls the table's own functions, which hold its special cases at a = 0 and b = 0). A Python
number operand is a constant: it gets no node and no partial, but stays in `operands` so that
drawings can show it.

Read next: `graph.py` (the backward pass).
"""

from __future__ import annotations

import numpy as np

from . import arith, graph, modes
from .arith import as_data, constant, divide, mismatch, power, same_batch
from .rules import PRIMITIVES, Primitive, pow_base_partial, pow_exponent_partial
from .rules import define as add_to_table

_ONE, _MINUS_ONE, _ZERO = (1.0,), (-1.0,), (0.0,)  # shared partial tuples: no allocation per node
_ONE_ONE, _ONE_MINUS_ONE = (1.0, 1.0), (1.0, -1.0)


class Value:
    """A number in a computational graph, with its gradient and how it was computed.

    `data` is a float, or a 1-D float array holding one value per sample of a batch.
    `grad` is 0.0 until a backward pass reaches the node, then has data's shape.
    `op` is the primitive that made it ("" for a leaf); `parents` are its Value operands and
    `partials` the local derivatives d(self)/d(parent), aligned with `parents`. `operands`
    lists every operand in order, constants included.
    """

    __slots__ = ("data", "grad", "op", "parents", "partials", "operands", "upstream", "mark",
                 "__dict__", "__weakref__")
    __array_ufunc__ = None  # numpy defers to our operators: np.float64(2) * x is a Value
    # Fields that most nodes never set are read from these class defaults, so a node stays
    # small (a training step makes tens of thousands): a `name`; the `groups` a composite
    # records on its output (groups.py: sigmoid, a neuron, ... drawn as one); the `stacks`
    # of a weighted-sum node on a batch (batch.WeightedSum, for its vectorised backward).
    name: str | None = None
    groups: tuple = ()
    stacks = None

    def __init__(self, data: float | np.ndarray, name: str | None = None, *,
                 label: str | None = None) -> None:
        self.data = as_data(data)
        self.grad = 0.0
        if label is not None:             # the micrograd lecture's word for it (micrograd.py)
            name = _name_or_label(name, label)
        if name is not None:
            self.name = _check_name(name)
        self.op = ""
        self.parents = ()
        self.partials = ()
        self.operands = ()
        self.mark = None  # the backward pass's search marks the nodes it has seen
        # (graph.py also sets `upstream`, the gradient of the current backward pass.)

    # ------------------------------------------------------------------ add, sub, neg

    def __add__(self, other: Value | float) -> Value:
        """self + other.   d(a+b)/da = 1, d(a+b)/db = 1"""
        if type(other) is Value:              # make_node's work written out: see __mul__
            node = _new(Value)
            try:
                node.data = self.data + other.data
            except ValueError:                # numpy: two batches of different sizes
                raise mismatch(self.data, other.data) from None
            node.grad = 0.0
            node.op = "add"
            node.parents = node.operands = (self, other)
            node.partials = _ONE_ONE
            node.mark = None
            if modes.active:
                modes.apply(node)
            return node
        c = constant(other, self.data)
        if c is None:
            return NotImplemented
        return make_node(self.data + c, "add", (self,), _ONE, (self, c))

    def __radd__(self, other: float) -> Value:
        """other + self, other a constant."""
        c = constant(other, self.data)
        if c is None:
            return NotImplemented
        return make_node(c + self.data, "add", (self,), _ONE, (c, self))

    def __sub__(self, other: Value | float) -> Value:
        """self - other.   d(a-b)/da = 1, d(a-b)/db = -1"""
        if type(other) is Value:
            parents = (self, other)
            try:
                difference = self.data - other.data
            except ValueError:                # numpy: two batches of different sizes
                raise mismatch(self.data, other.data) from None
            return make_node(difference, "sub", parents, _ONE_MINUS_ONE, parents)
        c = constant(other, self.data)
        if c is None:
            return NotImplemented
        return make_node(self.data - c, "sub", (self,), _ONE, (self, c))

    def __rsub__(self, other: float) -> Value:
        """other - self, other a constant."""
        c = constant(other, self.data)
        if c is None:
            return NotImplemented
        return make_node(c - self.data, "sub", (self,), _MINUS_ONE, (c, self))

    def __neg__(self) -> Value:
        """-self.   d(-a)/da = -1"""
        parents = (self,)
        return make_node(-self.data, "neg", parents, _MINUS_ONE, parents)

    # ------------------------------------------------------------------ mul, div

    def __mul__(self, other: Value | float) -> Value:
        """self * other.   d(ab)/da = b, d(ab)/db = a"""
        if type(other) is Value:
            # What make_node does, written out: add and mul make most nodes of any network (each
            # weighted sum), and saving the call is about 4% of a plain training step.
            node = _new(Value)
            try:
                node.data = self.data * other.data
            except ValueError:                # numpy: two batches of different sizes
                raise mismatch(self.data, other.data) from None
            node.grad = 0.0
            node.op = "mul"
            node.parents = node.operands = (self, other)
            node.partials = (other.data, self.data)
            node.mark = None
            if modes.active:
                modes.apply(node)
            return node
        c = constant(other, self.data)
        if c is None:
            return NotImplemented
        return make_node(self.data * c, "mul", (self,), (c,), (self, c))

    def __rmul__(self, other: float) -> Value:
        """other * self, other a constant."""
        c = constant(other, self.data)
        if c is None:
            return NotImplemented
        return make_node(c * self.data, "mul", (self,), (c,), (c, self))

    def __truediv__(self, other: Value | float) -> Value:
        """self / other.   d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -(a/b)/b"""
        if type(other) is Value:
            b = other.data
            out = divide(self.data, b)
            parents = (self, other)
            return make_node(out, "div", parents, (divide(1.0, b), divide(-out, b)), parents)
        c = constant(other, self.data)
        if c is None:
            return NotImplemented
        return make_node(divide(self.data, c), "div", (self,), (divide(1.0, c),), (self, c))

    def __rtruediv__(self, other: float) -> Value:
        """other / self, other a constant."""
        c = constant(other, self.data)
        if c is None:
            return NotImplemented
        out = divide(c, self.data)
        return make_node(out, "div", (self,), (divide(-out, self.data),), (c, self))

    # ------------------------------------------------------------------ pow, exp, log, relu

    def __pow__(self, other: Value | float) -> Value:
        """self ** other.   d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a"""
        a = self.data
        if type(other) is Value:
            b = other.data
            out = power(a, b)
            partials = (pow_base_partial(a, b), pow_exponent_partial(a, b, out))
            parents = (self, other)
            return make_node(out, "pow", parents, partials, parents)
        c = constant(other, self.data)
        if c is None:
            return NotImplemented
        return make_node(power(a, c), "pow", (self,), (pow_base_partial(a, c),), (self, c))

    def __rpow__(self, other: float) -> Value:
        """other ** self, other a constant base."""
        c = constant(other, self.data)
        if c is None:
            return NotImplemented
        out = power(c, self.data)
        return make_node(out, "pow", (self,), (pow_exponent_partial(c, self.data, out),), (c, self))

    def exp(self) -> Value:
        """e ** self.   d(e^a)/da = e^a"""
        out = arith.exp(self.data)
        parents = (self,)
        return make_node(out, "exp", parents, (out,), parents)

    def log(self) -> Value:
        """Natural log of self.   d(ln a)/da = 1/a"""
        parents = (self,)
        return make_node(arith.log(self.data), "log", parents, (divide(1.0, self.data),), parents)

    def relu(self) -> Value:
        """max(self, 0), exactly 0 for self <= 0.   d relu(a)/da = 1 if a > 0, else 0"""
        a, parents = self.data, (self,)
        if type(a) is float:                  # arith.relu and arith.step, inline
            if a > 0.0:
                return make_node(a, "relu", parents, _ONE, parents)
            return make_node(a if a != a else 0.0, "relu", parents, _ZERO, parents)
        return make_node(arith.relu(a), "relu", parents, (arith.step(a),), parents)

    # sin, cos, sqrt, maximum, ...: the methods of the other primitives in rules.py are made
    # from their records by `install` (below), so a new record gives Value its method.

    # ------------------------------------------------------------------ batch reductions

    def sum(self) -> Value:
        """The sum over the batch, as one float Value.   d(sum)/d(each sample) = 1"""
        return apply("sum", self)

    def mean(self) -> Value:
        """The mean over the batch, as one float Value.   d(mean)/d(each sample) = 1/n"""
        return apply("mean", self)

    # ------------------------------------------------------------------ backward
    # (x.sigmoid() and x.tanh() are composites: functions.py gives Value those two methods.)

    def backward(self, gradient: float | np.ndarray = 1.0, retain_grad: bool = False) -> None:
        """Add d(self)/d(node) * gradient into `.grad` of every node self depends on.

        Unnamed intermediate batch nodes get `.grad = None` unless retain_grad=True (see
        graph.backward); leaves, named nodes and single numbers always keep their gradient.

        >>> x = Value(2.0); y = x * x + x
        >>> y.backward(); x.grad
        5.0
        """
        graph.backward(self, gradient, retain_grad)

    def __repr__(self) -> str:
        """A short description: name, data, grad and op."""
        parts = [f"name={self.name!r}"] if self.name else []
        parts.append(f"data={arith.summary(self.data)}")
        if self.op:
            parts.append(f"op={self.op!r}")
        if self.grad is not None and not (type(self.grad) is float and self.grad == 0.0):
            parts.append(f"grad={arith.summary(self.grad)}")
        return f"Value({', '.join(parts)})"


_new = object.__new__


def make_node(data, op: str, parents: tuple, partials: tuple, operands: tuple) -> Value:
    """A node made by a primitive: its value, how it was made, and its local partials.

    Every operator ends here. A layer that computes many nodes' numbers at once (nn/gpt.py's
    rows, nn/convolve.py's windows) calls it too, with numbers equal to what the rule table's
    record of `op` gives; tests check those layers against it, as the operators are checked.
    """
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node.op = op
    node.parents = parents
    node.partials = partials
    node.operands = operands
    node.mark = None
    if modes.active:
        modes.apply(node)  # no_grad drops the history; detect_anomaly checks the value
    return node


def _check_name(name):
    if isinstance(name, tuple):
        raise TypeError("Value(data, _children, _op) is micrograd's inner form; zerograd's "
                        "operators record a node's parents and partials themselves (a + b, "
                        "a * b): write Value(data) or Value(data, name='a')")
    if name is not None and not isinstance(name, str):
        raise TypeError(f"a Value's name must be a str or None; got {type(name).__name__}")
    return name


def _name_or_label(name, label):
    if name is not None:
        raise TypeError("give a Value a name or a label (micrograd's word for it), not both")
    return label


# ---------------------------------------------------------------------- any primitive of the table

def apply(op: str, *operands: Value | float | np.ndarray) -> Value:
    """A node of the primitive `op` from its record in rules.py: its value, and its local
    partials for the operands that are Values (numbers are constants).

    >>> apply("sqrt", Value(4.0)).partials          # d(√a)/da = 1/(2√a)
    (0.25,)
    """
    primitive = _primitive(op, len(operands))
    operands = tuple(x if type(x) is Value else _constant_operand(x, op) for x in operands)
    numbers = [x.data if type(x) is Value else x for x in operands]
    same_batch(*numbers)
    out = as_data(primitive.forward(*numbers))
    partials = tuple(_as_number(primitive.partial(numbers, out, i))
                     for i, x in enumerate(operands) if type(x) is Value)
    parents = tuple(x for x in operands if type(x) is Value)
    return make_node(out, op, parents, partials, operands)


def _primitive(op: str, count: int) -> Primitive:
    """The record of op, checked against the number of operands it was given."""
    primitive = PRIMITIVES.get(op)
    if primitive is None:
        raise ValueError(f"no primitive {op!r} in the rule table; it has {', '.join(PRIMITIVES)}")
    if primitive.arity and count != primitive.arity:
        raise TypeError(f"{op} takes {primitive.arity} operand(s); got {count}")
    if not count:
        raise TypeError(f"{op} needs at least one operand")
    return primitive


def _constant_operand(x, op: str):
    c = constant(x)
    if c is None:
        raise TypeError(f"{op} takes Values and numbers (or batch arrays); got {type(x).__name__}")
    return c


def _as_number(partial):
    """A partial as the engine keeps numbers: a float, a batch array, or (create_graph) a Value."""
    return float(partial) if isinstance(partial, (int, np.integer, np.floating)) else partial


def install(primitive: Primitive) -> None:
    """Give Value the primitive's method (x.sqrt(), x.maximum(y)) unless it has one already."""
    name = primitive.function
    if not name or name in vars(Value):
        return

    def method(self: Value, *others: Value | float) -> Value:
        return apply(primitive.op, self, *others)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"The primitive {primitive.op} (rules.py): apply({primitive.op!r}, self, ...)."
    setattr(Value, name, method)


def define(primitive: Primitive) -> Primitive:
    """Add a primitive to the rule table at run time, and its method to Value.

    The drawings, frames, stepper page and create_graph read the table, so they know it too.
    """
    add_to_table(primitive)
    install(primitive)
    return primitive


for _primitive_record in list(PRIMITIVES.values()):
    install(_primitive_record)
