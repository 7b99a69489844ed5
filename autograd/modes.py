"""Modes that change how nodes are made: `no_grad` (inference) and `detect_anomaly` (debugging).

Each mode is a context manager that flips a module-level flag and restores it on exit, so
modes nest. The hot path in `value.py` checks a single flag, `active`, and only then asks
`apply` to do the mode's work on the new node.

Read next: `graph.py`, whose backward pass also checks gradients under `detect_anomaly`.
"""

from contextlib import contextmanager
from typing import Iterator

import numpy as np

from . import arith

recording = True   # False inside no_grad: new nodes keep no parents
anomaly = False    # True inside detect_anomaly: nan or inf raises AnomalyError
active = False     # True while either mode changes anything: the hot path's one check


class AnomalyError(FloatingPointError):
    """A value or gradient became nan or infinite inside `detect_anomaly()`."""


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside, new nodes record no parents: nothing to backpropagate, less memory (inference).

    >>> with no_grad():
    ...     y = x * 2          # y is a leaf: y.parents == ()
    """
    global recording
    before, recording = recording, False
    _refresh()
    try:
        yield
    finally:
        recording = before
        _refresh()


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside, a node whose value or gradient is nan or inf raises `AnomalyError`, naming the op."""
    global anomaly
    before, anomaly = anomaly, True
    _refresh()
    try:
        yield
    finally:
        anomaly = before
        _refresh()


def _refresh() -> None:
    global active
    active = anomaly or not recording


def apply(node) -> None:
    """Do the active modes' work on a node a primitive has just made."""
    if anomaly and not arith.is_finite(node.data):
        raise AnomalyError(f"{_describe(node)} gave {_first_bad(node.data)}{_from_inputs(node)}")
    if not recording:
        node.op, node.parents, node.partials, node.operands = "", (), (), ()


def check_gradient(node, parent, partial, upstream) -> None:
    """Inside detect_anomaly: raise if the gradient a node passes to a parent is not finite."""
    contribution = _data(partial) * _data(upstream)
    if not arith.is_finite(contribution):
        raise AnomalyError(
            f"{_describe(node)} passes back a gradient of {_first_bad(contribution)} to "
            f"{_label(parent)} (local partial {arith.summary(_data(partial))} x upstream "
            f"gradient {arith.summary(_data(upstream))}){_from_inputs(node)}")


def _describe(node) -> str:
    named = f" '{node.name}'" if node.name else ""
    return f"detect_anomaly: {node.op or 'leaf'} node{named}"


def _from_inputs(node) -> str:
    if not node.operands:
        return ""
    shown = ", ".join(_label(operand) for operand in node.operands)
    return f"; inputs: ({shown})"


def _label(operand) -> str:
    data = _data(operand)
    name = getattr(operand, "name", None)
    return f"{name}={arith.summary(data)}" if name else arith.summary(data)


def _data(x):
    return getattr(x, "data", x)


def _first_bad(data) -> str:
    if not isinstance(data, np.ndarray):
        return f"{data}"
    index = int(np.flatnonzero(~np.isfinite(data))[0])
    return f"{data[index]} at sample {index}"
