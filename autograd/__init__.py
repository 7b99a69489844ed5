"""autograd: a scalar automatic-differentiation engine that records every local partial.

Read the package in this order:
1. `value.py`     the node (`Value`) and the primitives add, sub, neg, mul, div, pow, exp, log,
                   sin, cos
2. `rules.py`     the partial derivative of every primitive, one line each
3. `graph.py`     topological order, `backward`, `grad` (also derivatives of derivatives)
4. `weighted_sum.py` `dot`: w0*x0 + w1*x1 + ... + b as one node, and its vectorised backward
5. `functions.py` sigmoid, tanh, relu, softmax, ... built from the primitives
6. `check.py`     numerical differentiation and `gradcheck`
7. `modes.py`     `no_grad` and `detect_anomaly`
8. `groups.py`    how composites mark their outputs, so a drawing can show each as one node

    >>> from autograd import Value
    >>> x = Value(0.5, name="x")
    >>> z = x.sigmoid()
    >>> z.backward()
    >>> x.grad                    # equals z.data * (1 - z.data)
    0.2350037122015945
"""

from .value import Value
from .modes import AnomalyError, detect_anomaly, no_grad
from .graph import grad, topological_order
from .weighted_sum import Stack, dot, stack
from .functions import (cos, exp, identity, log, log_softmax, relu, sigmoid, sin, softmax, step,
                        sum, tanh)
from .check import gradcheck, numerical_grad
from .rules import PARTIALS

__all__ = [
    "Value", "grad", "topological_order", "no_grad", "detect_anomaly", "AnomalyError",
    "exp", "log", "sin", "cos", "sigmoid", "tanh", "relu", "step", "identity", "softmax",
    "log_softmax", "sum", "dot", "stack", "Stack", "numerical_grad", "gradcheck", "PARTIALS",
]
