"""Keeping Python's cyclic garbage collector off a graph while it is built and backpropagated.

The collector runs every 700 new container objects or so, and from time to time walks every
object the program holds. A growing graph is made of such objects (each node, and the tuples
of its parents and partials), so a plain scalar training step spends about three quarters of
its time in the collector, walking the same graph again and again. A graph holds no reference
cycles of its own: reference counting frees it. So:

- the first node of a graph pauses the collector (`pause`, called from modes.apply): it still
  runs, but only once the objects made less those freed reach PAUSED_THRESHOLD (a graph that
  is dropped counts nothing), and then only on the youngest ones. The pause lasts until the
  end of the backward pass, or until that first node is freed: a graph that is dropped
  without a backward pass (inference, a picture) gives the collector back at once, so no other
  code in the process runs with it paused;
- the end of the backward pass (or `grad`) resumes it (`resume`, called from graph.py): the
  collector gets back exactly the thresholds it had. A smaller graph is then walked once by
  the next young collection, which is quick and frees the cyclic garbage of the step as
  promptly as usual. If the graph was large (more than LARGE_GRAPH objects: a GPT's step)
  or took long (more than LONG_PAUSE seconds from its first node to the end of the pass: a
  batch step of an MNIST network, whose few nodes hold big tuples of partials), every object
  is first moved to the collector's oldest generation (gc.freeze, then gc.unfreeze: no
  walk), so the young collections that follow don't walk it once more.
  Cyclic garbage moved there with it is freed by a full collection, which comes as soon as
  the time spent in pauses since the last one is FULL_COLLECTION_EVERY times as long as the
  last one took (so full collections take about 1/FULL_COLLECTION_EVERY, 2.5%, of the time
  spent building and backpropagating graphs), or once FULL_COLLECTION_AFTER objects were moved
  (about 25 steps of a small GPT), whichever comes first.

Nothing changes for a program that has switched automatic collection off (gc.disable() or a
threshold of 0), or that has frozen objects of its own (gc.freeze): those stay as they are.
The state is per process, like the collector's.

Read next: `batch.py` (the chain rule on batches, which graph.py's backward pass calls).
"""

from __future__ import annotations

import gc
import threading
import time
import weakref
from typing import Callable

PAUSED_THRESHOLD = 1_000_000       # objects kept (made less freed) between young collections
LARGE_GRAPH = 50_000               # objects made in a pause above which they are moved old
LONG_PAUSE = 0.005                 # seconds of a pause above which they are moved old too
FULL_COLLECTION_EVERY = 40         # time in pauses between full collections / the last one's
FULL_COLLECTION_AFTER = 4_000_000  # ... or once this many objects were moved old since
FROZEN_RECHECK = 1.0               # seconds between counts of the program's own frozen objects

_lock = threading.RLock()          # (a pause can end inside a deallocation, in any thread)
_saved: tuple | None = None        # the thresholds before the pause; None: not paused
_guard: weakref.ref | None = None  # ends the pause if the graph's first node is freed
on_change: Callable[[], None] = lambda: None   # modes.py's: the hot path's flag follows us
_young_collections = 0             # gc.get_count()[1] when the pause began
_started = 0.0                     # when the pause began
_paused_seconds = 0.0              # the time spent in pauses since the last full collection
_full_seconds = 0.0                # how long the last full collection took
_moved = 0                         # objects moved old since the last full collection
_frozen_seen_at = -float("inf")    # when objects frozen by the program were last found


def paused() -> bool:
    """True between the first node of a graph and the end of its backward pass."""
    return _saved is not None


def pause(first_node) -> None:
    """Let the collector run only every PAUSED_THRESHOLD new objects (young ones only), while
    first_node, the first node of a graph, lives or until the backward pass ends."""
    global _saved, _young_collections, _guard, _started
    with _lock:
        if _saved is not None:
            return
        _started = time.perf_counter()
        _saved = saved = gc.get_threshold()
        if saved[0]:                           # 0: automatic collection is off; leave it so
            gc.set_threshold(PAUSED_THRESHOLD, 1_000_000, 1_000_000)
        _guard = weakref.ref(first_node, _graph_dropped)
        _young_collections = gc.get_count()[1]


def _graph_dropped(guard: weakref.ref) -> None:
    """The first node of the paused graph was freed before a backward pass: end the pause."""
    global _saved, _guard
    with _lock:
        if guard is not _guard:
            return                             # a guard of an earlier pause (already ended)
        gc.set_threshold(*_saved)
        _saved = _guard = None
    on_change()


def resume() -> None:
    """Give the collector back its thresholds, without letting it walk the graph once more."""
    global _saved, _guard, _paused_seconds, _moved
    with _lock:
        if _saved is None:
            return
        _guard = None                          # (a weakref dropped never calls back)
        seconds = time.perf_counter() - _started
        _paused_seconds += seconds
        made = _objects_made_in_pause()
        moved = (made > LARGE_GRAPH or seconds > LONG_PAUSE) and not _others_frozen()
        if moved:
            _moved += made
            gc.freeze()                        # every tracked object, the graph included, ...
            gc.unfreeze()                      # ... now sits in the oldest generation
        gc.set_threshold(*_saved)
        _saved = None
        on_change()
    if moved and gc.isenabled() and gc.get_threshold()[0]:
        _full_collection_when_due()


def _others_frozen() -> bool:
    """True if the program has frozen objects of its own (gc.freeze): they must stay frozen.
    Counting them walks them all, so once some are found, that is taken as still true for
    FROZEN_RECHECK seconds."""
    global _frozen_seen_at
    now = time.perf_counter()
    if now - _frozen_seen_at < FROZEN_RECHECK:
        return True
    if gc.get_freeze_count():               # (nothing frozen: an empty list, no walk)
        _frozen_seen_at = now
        return True
    return False


def _full_collection_when_due() -> None:
    """A full collection, if the time in pauses since the last is FULL_COLLECTION_EVERY times
    its length: it frees the cyclic garbage moved to the oldest generation with the graphs."""
    global _paused_seconds, _full_seconds, _moved
    if (_paused_seconds >= FULL_COLLECTION_EVERY * _full_seconds
            or _moved >= FULL_COLLECTION_AFTER):
        start = time.perf_counter()
        gc.collect()
        _full_seconds, _paused_seconds, _moved = time.perf_counter() - start, 0.0, 0


def _objects_made_in_pause() -> int:
    """About how many container objects were made since the pause began (young ones now,
    plus a full threshold's worth for each young collection the pause saw)."""
    young, collections, _ = gc.get_count()
    during = collections - _young_collections if collections >= _young_collections else 0
    return young + during * PAUSED_THRESHOLD
