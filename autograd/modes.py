"""What happens as nodes are made: `no_grad` (inference), `detect_anomaly` (debugging), and the
pause of Python's cyclic garbage collector while a graph is built.

Each mode is a context manager that sets a flag of the current thread and restores it on exit,
so modes nest, and one thread's `no_grad` never changes what another thread records (as in
PyTorch, where grad mode is thread-local). The hot path in `value.py` checks one module-level
flag, `active`, which is True while any thread has a mode on, or while the collector is not
paused; only then does `apply` look at the new node.

The collector pause: Python's cyclic collector runs every few hundred new objects and, as a
graph grows, walks all of it again and again (about three quarters of the time of a plain
scalar training step). A graph holds no reference cycles: reference counting frees it. So the
first node made pauses the collector (`pause_collector`): it still runs, but only once every
PAUSED_THRESHOLD new objects, and only on the youngest ones. The end of the next backward pass
(or `grad`) resumes it (`resume_collector`): the finished graph, and every other object, is
moved to the collector's oldest generation (gc.freeze then gc.unfreeze, which costs nothing),
so the young collections that follow do not walk it again; the collector gets back exactly the
thresholds it had; and once the objects moved that way add up to FULL_COLLECTION_AFTER, one
full collection frees whatever cyclic garbage user code made meanwhile. So cyclic garbage is
still freed, in a training loop and in a loop that never calls backward.

Read next: `batch.py` (the chain rule on batches, which graph.py's backward pass calls).
"""

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

import numpy as np

from . import arith


class _ThreadModes(threading.local):
    """The modes of one thread; every new thread starts with recording on and anomaly off."""

    def __init__(self) -> None:
        self.recording = True   # False inside no_grad: new nodes keep no parents
        self.anomaly = False    # True inside detect_anomaly: nan or inf raises AnomalyError


_this_thread = _ThreadModes()
_lock = threading.Lock()
_modes_on = 0      # how many mode blocks are open, over all threads
_collector = None  # the collector's thresholds saved by pause_collector; None when not paused
active = True      # True while a mode is open or the collector is not paused: the hot path's check
PAUSED_THRESHOLD = 1_000_000   # new objects between two collections while a graph is built
FULL_COLLECTION_AFTER = 4_000_000   # objects moved to the oldest generation between full ones
_moved = 0         # objects moved to the oldest generation since the last full collection


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
    global active
    active = _modes_on > 0 or _collector is None


def pause_collector() -> None:
    """Let the cyclic collector run only rarely, and on young objects only, while a graph is
    built and backpropagated (see the module's docstring). Its settings are kept to restore."""
    global _collector
    with _lock:
        if _collector is None:
            _collector = gc.get_threshold()
            if _collector[0]:                 # 0: automatic collection is off; leave it so
                gc.set_threshold(PAUSED_THRESHOLD, 1_000_000, 1_000_000)
            _update_active()


def resume_collector() -> None:
    """Give the collector back the settings it had before the pause (after a backward pass),
    without letting it walk the finished graph again (see the module's docstring)."""
    global _collector, _moved
    with _lock:
        if _collector is None:
            return
        young, collections, _ = gc.get_count()      # new objects, young collections
        if gc.get_freeze_count() == 0:     # (someone else's frozen objects stay frozen)
            gc.freeze()                    # every tracked object, the graph included, ...
            gc.unfreeze()                  # ... now sits in the oldest generation
            _moved += young + collections * gc.get_threshold()[0]
        gc.set_threshold(*_collector)
        _collector = None
        _update_active()
        full = _moved > FULL_COLLECTION_AFTER and gc.isenabled()
        if full:
            _moved = 0
    if full:
        gc.collect()                       # the cyclic garbage made since the last one


def recording() -> bool:
    """False inside this thread's `no_grad()`: new nodes keep no history."""
    return _this_thread.recording


def anomaly_on() -> bool:
    """True inside this thread's `detect_anomaly()`."""
    return _this_thread.anomaly


def apply(node) -> None:
    """Do the current thread's modes' work on a node a primitive has just made (and pause the
    collector, if this is the first node of a graph)."""
    if _collector is None:
        pause_collector()
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
