"""autograd: a scalar automatic-differentiation engine that records every local partial.

Read the package in this order. The first three files are the whole idea (the teaching core,
about micrograd's size); the rest builds on them:
1. `rules.py`        the calculus: one record per primitive (its value, its local partials,
                      its symbol and the rule text a learner reads)
2. `value.py`        the node (`Value`), whose operators make nodes from those records
3. `graph.py`        topological order, `backward`, `grad` (also derivatives of derivatives)
4. `functions.py`    sigmoid, tanh, softmax, ... built from the primitives
5. `check.py`        numerical differentiation and `gradcheck`
6. `modes.py`        `no_grad` and `detect_anomaly`
7. `collector.py`    the garbage collector paused while a graph is built and backpropagated
8. `batch.py`        the chain rule on batches (the hook graph.py calls for a batch node)
9. `weighted_sum.py` `dot`: w0*x0 + w1*x1 + ... + b as one node, vectorised on batches
10. `groups.py`      how composites mark their outputs, so a drawing can show each as one node
11. `micrograd.py`   the micrograd lecture's names (`label`, `_prev`, `_op`, `_backward`)
(`arith.py` holds the IEEE arithmetic on floats and batches that all of them use.)

    >>> from autograd import Value
    >>> x = Value(0.5, name="x")
    >>> z = x.sigmoid()
    >>> z.backward()
    >>> x.grad                    # equals z.data * (1 - z.data)
    0.2350037122015945
"""

from pathlib import Path as _Path

# HIPS autograd, another package, is also called `autograd`: installing one over the other
# mixes their files in one folder, and neither works. Say so at once, with the fix.
_HIPS_FILES = [name for name in ("tracer.py", "differential_operators.py", "wrap_util.py")
               if (_Path(__file__).parent / name).exists()]
if _HIPS_FILES:
    raise ImportError(
        f"the autograd folder {_Path(__file__).parent} holds zerograd's files mixed with "
        f"HIPS autograd's ({', '.join(_HIPS_FILES)}): both packages are called `autograd`. Fix: "
        f"pip uninstall -y autograd zerograd, then pip install zerograd again (keep HIPS "
        f"autograd in another virtual environment if you need it)")

from . import collector  # noqa: E402
from .value import Value, apply, define
from .modes import AnomalyError, detect_anomaly, no_grad
from .graph import grad, topological_order
from .functions import (identity, log, log_softmax, primitive_functions, sigmoid, softmax, step,
                        sum, tanh)
from .check import gradcheck, numerical_grad
from .weighted_sum import Stack, dot, stack
from .rules import PARTIALS, PRIMITIVES, Primitive
from . import micrograd  # noqa: F401,E402  (gives Value the lecture's names)

# exp, sin, cos, sqrt, relu, maximum, ...: one function per record of rules.py (log, above,
# also takes a base).
globals().update({name: function for name, function in primitive_functions().items()
                  if name not in globals()})

__all__ = [
    "Value", "grad", "topological_order", "no_grad", "detect_anomaly", "AnomalyError",
    "sigmoid", "tanh", "step", "identity", "softmax", "log", "log_softmax", "sum", "dot",
    "stack", "Stack", "numerical_grad", "gradcheck", "PARTIALS", "PRIMITIVES", "Primitive",
    "apply", "define", *sorted(name for name in primitive_functions() if name != "log"),
]
