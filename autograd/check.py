"""Checking backprop against numerical differentiation (central differences).

`numerical_grad` nudges each input by +-eps and measures how the output moves;
`gradcheck` compares that with what the graph's backward pass says, input by input.

    gradcheck(lambda x, y: (x * y).sigmoid(), [0.3, -1.2])    # True, or a table of mismatches

Read next: `modes.py` (no_grad, detect_anomaly, and the garbage-collector pause).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .functions import as_value
from .graph import grad
from .value import Value


def numerical_grad(f: Callable[..., Value], inputs: Sequence, eps: float = 1e-6) -> list:
    """d f(*inputs) / d input for each input, by central differences (f(x+eps) - f(x-eps)) / 2eps.

    For a batch output the derivative is that of its sum over the batch, as in backward().
    """
    values = [as_value(x) for x in inputs]
    return [_numerical_partial(f, values, i, eps) for i in range(len(values))]


def _numerical_partial(f, values: list[Value], i: int, eps: float):
    data = values[i].data
    if isinstance(data, float):
        return _central_difference(f, values, i, data, eps, eps)
    return np.array([_central_difference(f, values, i, data, _nudge(data, k, eps), eps)
                     for k in range(data.size)])


def _nudge(data: np.ndarray, k: int, eps: float) -> np.ndarray:
    direction = np.zeros_like(data)
    direction[k] = eps
    return direction


def _central_difference(f, values, i, data, step, eps) -> float:
    def total(shifted):
        moved = values[:i] + [Value(shifted)] + values[i + 1:]
        return float(np.sum(as_value(f(*moved)).data))
    return (total(data + step) - total(data - step)) / (2 * eps)


def gradcheck(f: Callable[..., Value], inputs: Sequence, atol: float = 1e-6,
              rtol: float = 1e-4, eps: float = 1e-6) -> bool:
    """True when backprop matches central differences for every input; else AssertionError.

    The error message is a table of analytic vs numerical derivatives, one row per input.
    """
    values = [as_value(x) for x in inputs]
    analytic = grad(as_value(f(*values)), values)
    numerical = numerical_grad(f, values, eps)
    ok = [np.allclose(a, n, atol=atol, rtol=rtol) for a, n in zip(analytic, numerical)]
    if not all(ok):
        raise AssertionError(_table(values, analytic, numerical, ok, atol, rtol))
    return True


def _table(values, analytic, numerical, ok, atol, rtol) -> str:
    rows = [f"gradcheck failed (atol={atol}, rtol={rtol}):",
            f"{'input':<10} {'value':>12} {'analytic':>14} {'numerical':>14} {'max diff':>10}"]
    for i, (x, a, n, good) in enumerate(zip(values, analytic, numerical, ok)):
        diff = float(np.max(np.abs(np.asarray(a) - np.asarray(n))))
        mark = "" if good else "  <- mismatch"
        rows.append(f"{x.name or f'input {i}':<10} {_show(x.data):>12} {_show(a):>14} "
                    f"{_show(n):>14} {diff:>10.3g}{mark}")
    return "\n".join(rows)


def _show(data) -> str:
    if isinstance(data, np.ndarray):
        return f"[{data.flat[0]:.6g}, ...]" if data.size > 1 else f"{data.flat[0]:.6g}"
    return f"{data:.6g}"
