"""The node of the graph: `Value`, and the primitives that make new nodes.

A Value holds a number (or a batch of numbers, one per sample) and remembers how it was made:
`op` names the primitive, `parents` are its Value operands, and `partials` are the local
derivatives d(self)/d(parent), evaluated to numbers when the node is made and aligned with
`parents`. That is all the backward pass needs: it walks the graph from the output back to the
inputs and adds `partial * upstream gradient` into every parent (see `graph.py`).

    x = Value(3.0)
    y = x * x          # op "mul", parents (x, x), partials (3.0, 3.0)
    y.backward()       # x.grad == 3.0 + 3.0 == 6.0: the two edges add up

The primitives are add, sub, neg, mul, div, pow, exp, log, sin and cos, plus the batch
reductions sum and mean. Their partials, as formulas, are the table in `rules.py`; the operators
below evaluate the same formulas inline, because they are the hot path (pow calls the table's own
functions, which hold its special cases at a = 0 and b = 0). A Python number operand is a
constant: it gets no node and no partial, but stays in `operands` so that drawings can show it.

Read next: `graph.py` (the backward pass), then `functions.py` (sigmoid, softmax, ...).
"""

from __future__ import annotations

import numpy as np

from . import arith, modes
from .arith import divide, power

_NUMBERS = (int, float, np.integer, np.floating)  # bool counts as an int
_ONE, _MINUS_ONE = (1.0,), (-1.0,)                # shared partial tuples: no allocation per node
_ONE_ONE, _ONE_MINUS_ONE = (1.0, 1.0), (1.0, -1.0)


class Value:
    """A number in a computational graph, with its gradient and how it was computed.

    `data` is a float, or a 1-D float array holding one value per sample of a batch.
    `grad` is 0.0 until a backward pass reaches the node, then has data's shape.
    `op` is the primitive that made it ("" for a leaf); `parents` are its Value operands and
    `partials` the local derivatives d(self)/d(parent), aligned with `parents`. `operands`
    lists every operand in order, constants included.
    """

    __slots__ = ("data", "grad", "name", "op", "parents", "partials", "operands",
                 "upstream", "mark", "groups")
    __array_ufunc__ = None  # numpy defers to our operators: np.float64(2) * x is a Value

    def __init__(self, data: float | np.ndarray, name: str | None = None) -> None:
        self.data = as_data(data)
        self.grad = 0.0
        self.name = _check_name(name)
        self.op = ""
        self.parents = ()
        self.partials = ()
        self.operands = ()
        self.mark = None  # graph.py's topological sort marks the nodes it has visited
        # graph.py also sets `upstream`, the gradient of the current backward pass, and a
        # composite sets `groups` on its output (groups.py: sigmoid, neuron, ... drawn as one).

    # ------------------------------------------------------------------ add, sub, neg

    def __add__(self, other: Value | float) -> Value:
        """self + other.   d(a+b)/da = 1, d(a+b)/db = 1"""
        if type(other) is Value:
            parents = (self, other)
            return _node(self.data + other.data, "add", parents, _ONE_ONE, parents)
        c = constant(other)
        if c is None:
            return NotImplemented
        return _node(self.data + c, "add", (self,), _ONE, (self, c))

    def __radd__(self, other: float) -> Value:
        """other + self, other a constant."""
        c = constant(other)
        if c is None:
            return NotImplemented
        return _node(c + self.data, "add", (self,), _ONE, (c, self))

    def __sub__(self, other: Value | float) -> Value:
        """self - other.   d(a-b)/da = 1, d(a-b)/db = -1"""
        if type(other) is Value:
            parents = (self, other)
            return _node(self.data - other.data, "sub", parents, _ONE_MINUS_ONE, parents)
        c = constant(other)
        if c is None:
            return NotImplemented
        return _node(self.data - c, "sub", (self,), _ONE, (self, c))

    def __rsub__(self, other: float) -> Value:
        """other - self, other a constant."""
        c = constant(other)
        if c is None:
            return NotImplemented
        return _node(c - self.data, "sub", (self,), _MINUS_ONE, (c, self))

    def __neg__(self) -> Value:
        """-self.   d(-a)/da = -1"""
        parents = (self,)
        return _node(-self.data, "neg", parents, _MINUS_ONE, parents)

    # ------------------------------------------------------------------ mul, div

    def __mul__(self, other: Value | float) -> Value:
        """self * other.   d(ab)/da = b, d(ab)/db = a"""
        if type(other) is Value:
            parents = (self, other)
            return _node(self.data * other.data, "mul", parents, (other.data, self.data), parents)
        c = constant(other)
        if c is None:
            return NotImplemented
        return _node(self.data * c, "mul", (self,), (c,), (self, c))

    def __rmul__(self, other: float) -> Value:
        """other * self, other a constant."""
        c = constant(other)
        if c is None:
            return NotImplemented
        return _node(c * self.data, "mul", (self,), (c,), (c, self))

    def __truediv__(self, other: Value | float) -> Value:
        """self / other.   d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -(a/b)/b"""
        if type(other) is Value:
            b = other.data
            out = divide(self.data, b)
            parents = (self, other)
            return _node(out, "div", parents, (divide(1.0, b), divide(-out, b)), parents)
        c = constant(other)
        if c is None:
            return NotImplemented
        return _node(divide(self.data, c), "div", (self,), (divide(1.0, c),), (self, c))

    def __rtruediv__(self, other: float) -> Value:
        """other / self, other a constant."""
        c = constant(other)
        if c is None:
            return NotImplemented
        out = divide(c, self.data)
        return _node(out, "div", (self,), (divide(-out, self.data),), (c, self))

    # ------------------------------------------------------------------ pow, exp, log, sin, cos

    def __pow__(self, other: Value | float) -> Value:
        """self ** other.   d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a"""
        a = self.data
        if type(other) is Value:
            b = other.data
            out = power(a, b)
            partials = (pow_base_partial(a, b), pow_exponent_partial(a, b, out))
            parents = (self, other)
            return _node(out, "pow", parents, partials, parents)
        c = constant(other)
        if c is None:
            return NotImplemented
        return _node(power(a, c), "pow", (self,), (pow_base_partial(a, c),), (self, c))

    def __rpow__(self, other: float) -> Value:
        """other ** self, other a constant base."""
        c = constant(other)
        if c is None:
            return NotImplemented
        out = power(c, self.data)
        return _node(out, "pow", (self,), (pow_exponent_partial(c, self.data, out),), (c, self))

    def exp(self) -> Value:
        """e ** self.   d(e^a)/da = e^a"""
        out = arith.exp(self.data)
        parents = (self,)
        return _node(out, "exp", parents, (out,), parents)

    def log(self) -> Value:
        """Natural log of self.   d(ln a)/da = 1/a"""
        parents = (self,)
        return _node(arith.log(self.data), "log", parents, (divide(1.0, self.data),), parents)

    def sin(self) -> Value:
        """sin self.   d(sin a)/da = cos a"""
        parents = (self,)
        return _node(arith.sin(self.data), "sin", parents, (arith.cos(self.data),), parents)

    def cos(self) -> Value:
        """cos self.   d(cos a)/da = -sin a"""
        parents = (self,)
        return _node(arith.cos(self.data), "cos", parents, (-arith.sin(self.data),), parents)

    # ------------------------------------------------------------------ batch reductions

    def sum(self) -> Value:
        """The sum over the batch, as one float Value.   d(sum)/d(each sample) = 1"""
        data, parents = self.data, (self,)
        if type(data) is float:
            return _node(data, "sum", parents, _ONE, parents)
        return _node(float(data.sum()), "sum", parents, (np.ones_like(data),), parents)

    def mean(self) -> Value:
        """The mean over the batch, as one float Value.   d(mean)/d(each sample) = 1/n"""
        data, parents = self.data, (self,)
        if type(data) is float:
            return _node(data, "mean", parents, _ONE, parents)
        return _node(float(data.mean()), "mean", parents, (np.full_like(data, 1 / data.size),),
                     parents)

    # ------------------------------------------------------------------ composites, backward

    def sigmoid(self) -> Value:
        """1 / (1 + e^-self), built from primitives (see functions.sigmoid)."""
        return functions.sigmoid(self)

    def tanh(self) -> Value:
        """tanh(self), built from primitives (see functions.tanh)."""
        return functions.tanh(self)

    def relu(self) -> Value:
        """max(self, 0), as a mul node: self times a constant gate, 1 where self > 0, else 0.

        Where the gate is 0 the result is exactly 0: also for self = -inf (-inf * 0 is nan) and
        -0.0 (-0.0 * 0 is -0.0). The partial is the gate, so no gradient flows where self <= 0.
        """
        data = self.data
        if type(data) is float:               # one number: arith.step and arith.relu, inline
            gate = 1.0 if data > 0.0 else 0.0
            out = _node(data if gate or data != data else 0.0, "mul", (self,), (gate,),
                        (self, gate))
        else:
            gate = arith.step(data)
            out = _node(arith.relu(data), "mul", (self,), (gate,), (self, gate))
        out.groups = _RELU                    # drawn as one relu node in the layer view
        return out

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


def _node(data, op: str, parents: tuple, partials: tuple, operands: tuple) -> Value:
    """A node made by a primitive: its value, how it was made, and its local partials."""
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node.name = None
    node.op = op
    node.parents = parents
    node.partials = partials
    node.operands = operands
    node.mark = None
    if modes.active:
        modes.apply(node)  # no_grad drops the history; detect_anomaly checks the value
    return node


def constant(x) -> float | np.ndarray | None:
    """x as a constant operand (a float, or a batch array), or None if x is not a number."""
    if type(x) is float:
        return x
    if isinstance(x, (_NUMBERS, np.ndarray)):
        return as_data(x)
    return None


def as_data(data) -> float | np.ndarray:
    """Check what a Value may hold: a real number (kept as float) or a 1-D batch array."""
    if isinstance(data, _NUMBERS):
        try:
            return float(data)
        except OverflowError:
            raise ValueError(f"Value data {data} is too large for a float") from None
    if isinstance(data, np.ndarray):
        return _as_batch(data)
    shown = repr(data) if len(repr(data)) < 60 else repr(data)[:57] + "..."
    raise TypeError(f"Value data must be an int, a float, a numpy real scalar or a 1-D numpy "
                    f"array of reals (a batch); got {type(data).__name__} {shown}")


def _as_batch(array: np.ndarray) -> float | np.ndarray:
    if array.dtype.kind not in "biuf":
        raise TypeError(f"a batch array must hold real numbers; got dtype {array.dtype}")
    if array.ndim == 0:
        return float(array)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"a batch array must be 1-D with at least one sample (one value per "
                         f"sample); got shape {array.shape}")
    arith.quiet_batch_warnings()
    return np.array(array, dtype=float)  # a copy: later changes to the caller's array don't leak


def _check_name(name):
    if name is not None and not isinstance(name, str):
        raise TypeError(f"a Value's name must be a str or None; got {type(name).__name__}")
    return name


from . import functions, graph  # noqa: E402  (they build on Value)
from .groups import Group  # noqa: E402

_RELU = (Group("relu", None),)  # relu is one node: one shared record, its input the node's parent
from .rules import pow_base_partial, pow_exponent_partial  # noqa: E402
