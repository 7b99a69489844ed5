"""What happens as nodes are made: `no_grad` (inference) and `detect_anomaly` (debugging).

Each mode is a context manager that sets a flag of the current thread and restores it on exit,
so modes nest, and one thread's `no_grad` never changes what another thread records (as in
PyTorch, where grad mode is thread-local). The hot path in `value.py` checks one module-level
flag, `active`, which is True while any thread has a mode on, or while the collector is not
paused; only then does `apply` look at the new node.

The first node of a graph also pauses Python's cyclic garbage collector until the end of the
next backward pass (`collector.py`, read it after this file).

Read next: `collector.py` (why and how the collector is paused while a graph is built).
"""

import threading
from contextlib import contextmanager
from typing import Iterator

import numpy as np

from . import arith, collector


class _ThreadModes(threading.local):
    """The modes of one thread; every new thread starts with recording on and anomaly off."""

    def __init__(self) -> None:
        self.recording = True   # False inside no_grad: new nodes keep no parents
        self.anomaly = False    # True inside detect_anomaly: nan or inf raises AnomalyError


_this_thread = _ThreadModes()
_lock = threading.RLock()   # (the collector's pause can end inside a deallocation)
_modes_on = 0      # how many mode blocks are open, over all threads
active = True      # True while a mode is open or the collector is not paused: the hot path's check


class AnomalyError(FloatingPointError):
    """A value or gradient became nan or infinite inside `detect_anomaly()`."""


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside, new nodes record no parents: nothing to backpropagate, less memory (inference).

    >>> with no_grad():
    ...     y = x * 2          # y is a leaf: y.parents == ()
    """
    with _mode("recording", False):
        yield


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside, a node whose value or gradient is nan or inf raises `AnomalyError`, naming the op."""
    with _mode("anomaly", True):
        yield


@contextmanager
def _mode(flag: str, value: bool) -> Iterator[None]:
    """Set one of this thread's flags for the duration of a block, then restore it."""
    before = getattr(_this_thread, flag)
    setattr(_this_thread, flag, value)
    _count_open(+1)
    try:
        yield
    finally:
        setattr(_this_thread, flag, before)
        _count_open(-1)


def _count_open(change: int) -> None:
    global _modes_on
    with _lock:
        _modes_on += change
        _update_active()


def _update_active() -> None:
    """Set the hot path's flag; called with _lock held, so no thread sees a stale one."""
    global active
    active = _modes_on > 0 or not collector.paused()


def resume_collector() -> None:
    """The end of a backward pass: the collector runs as before (collector.resume)."""
    collector.resume()


def _collector_changed() -> None:
    with _lock:
        _update_active()


collector.on_change = _collector_changed      # a pause that ends sets the flag again


def recording() -> bool:
    """False inside this thread's `no_grad()`: new nodes keep no history."""
    return _this_thread.recording


def anomaly_on() -> bool:
    """True inside this thread's `detect_anomaly()`."""
    return _this_thread.anomaly


def apply(node) -> None:
    """Do the current thread's modes' work on a node a primitive has just made (and pause the
    collector, if this is the first node of a graph)."""
    if not collector.paused():
        collector.pause(node)                 # the first node of a graph (collector.py)
        with _lock:
            _update_active()
    if not _modes_on:
        return
    modes = _this_thread
    if modes.anomaly and not arith.is_finite(node.data):
        raise AnomalyError(f"{_describe(node)} gave {_first_bad(node.data)}{_from_inputs(node)}")
    if not modes.recording:
        node.op, node.parents, node.partials, node.operands = "", (), (), ()


def check_pass(order: list) -> None:
    """Inside detect_anomaly, after the chain rule: raise at the first node (in the pass's
    order) that passed a nan or inf gradient to a parent, before any `.grad` changes."""
    for node in reversed(order):
        check_gradients(node, node.partials, node.upstream)


def check_gradients(node, partials, upstream) -> None:
    """Inside detect_anomaly: raise if a gradient a node passes to a parent is not finite."""
    for parent, partial in zip(node.parents, partials):
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
    """The number(s) of a Value, or x itself (a constant: a float or a batch array)."""
    return x if isinstance(x, (float, np.ndarray)) else x.data


def _first_bad(data) -> str:
    if not isinstance(data, np.ndarray):
        return f"{data}"
    index = int(np.flatnonzero(~np.isfinite(data))[0])
    return f"{data[index]} at sample {index}"
