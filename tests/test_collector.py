"""The garbage-collector pause (autograd/collector.py): settings given back, nothing leaks."""

from __future__ import annotations

import gc
import weakref

import pytest

from autograd import Value, collector, grad, modes


class Garbage:
    """A record that refers to itself: once dropped, only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def chain(n: int, x: Value) -> Value:
    y = x
    for _ in range(n):
        y = y * 1.0001 + 0.5
    return y


@pytest.fixture
def thresholds():
    """The test's own collector settings, and the process's restored afterwards."""
    before, enabled = gc.get_threshold(), gc.isenabled()
    modes.resume_collector()                        # no pause left over from other tests
    collector._frozen_seen_at = -float("inf")       # nor frozen objects seen by them
    gc.enable()
    gc.set_threshold(500, 7, 9)
    yield (500, 7, 9)
    modes.resume_collector()
    gc.set_threshold(*before)
    (gc.enable if enabled else gc.disable)()


def test_a_pass_pauses_the_collector_and_gives_its_settings_back(thresholds):
    x = Value(0.5)
    y = chain(50, x)
    assert collector.paused() and gc.get_threshold() == (collector.PAUSED_THRESHOLD,) * 1 + \
        (1_000_000, 1_000_000)
    y.backward()
    assert not collector.paused() and gc.get_threshold() == thresholds and gc.isenabled()
    z = chain(10, x)
    assert collector.paused()
    grad(z, [x])                                     # grad ends a pass too
    assert gc.get_threshold() == thresholds


def test_a_pass_that_fails_gives_the_settings_back(thresholds):
    y = chain(5, Value(0.5))
    with pytest.raises(TypeError):
        y.backward(gradient="one")
    assert gc.get_threshold() == thresholds and not collector.paused()


def test_a_program_that_switched_the_collector_off_keeps_it_off(thresholds):
    gc.disable()
    chain(20, Value(0.5)).backward()
    assert not gc.isenabled()
    gc.enable()
    gc.set_threshold(0)                              # automatic collection off, the other way
    chain(20, Value(0.5))
    assert gc.get_threshold()[0] == 0
    modes.resume_collector()
    assert gc.get_threshold() == (0, 7, 9)


def test_someone_elses_frozen_objects_stay_frozen(thresholds, monkeypatch):
    monkeypatch.setattr(collector, "LARGE_GRAPH", 0)     # every graph counts as large
    mine = [Garbage() for _ in range(10)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        chain(200, Value(0.5)).backward()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    del mine


def test_frozen_objects_are_counted_at_most_once_a_recheck_period(thresholds, monkeypatch):
    """Counting frozen objects walks them all: once some were found, the next passes take
    them as still frozen (and move nothing) until FROZEN_RECHECK seconds have passed."""
    monkeypatch.setattr(collector, "LARGE_GRAPH", 0)
    counts = []
    real_count = gc.get_freeze_count
    monkeypatch.setattr(collector.gc, "get_freeze_count", lambda: counts.append(1) or real_count())
    gc.freeze()
    try:
        for _ in range(5):
            chain(20, Value(0.5)).backward()
    finally:
        gc.unfreeze()
    assert len(counts) == 1
    monkeypatch.setattr(collector, "FROZEN_RECHECK", 0.0)     # the period is over: counted again
    y = chain(20, Value(0.5))
    y.backward()
    assert len(counts) == 2 and id(y) in {id(x) for x in gc.get_objects(generation=2)}


@pytest.mark.parametrize("large, long", [(0, float("inf")), (10 ** 9, 0.0)])
def test_a_large_or_long_graph_is_moved_old_and_a_small_quick_one_is_not(thresholds,
                                                                         monkeypatch, large,
                                                                         long):
    monkeypatch.setattr(collector, "FULL_COLLECTION_EVERY", float("inf"))
    for limits, moved in (((large, long), True), ((10 ** 9, float("inf")), False)):
        monkeypatch.setattr(collector, "LARGE_GRAPH", limits[0])
        monkeypatch.setattr(collector, "LONG_PAUSE", limits[1])
        gc.collect()
        y = chain(50, Value(0.5))
        y.backward()
        oldest = {id(x) for x in gc.get_objects(generation=2)}
        assert (id(y) in oldest) is moved, limits


def garbage_left(steps: int) -> int:
    """Train a little (backward every step), making a cyclic record a step; how many live."""
    w, alive = Value(0.3), []
    for step in range(steps):
        chain(300, w).backward()                     # about 1,000 objects a step
        record = Garbage()
        alive.append(weakref.ref(record))
        del record
    return sum(r() is not None for r in alive)


def test_cyclic_garbage_made_in_a_training_loop_with_small_graphs_is_freed(thresholds,
                                                                           monkeypatch):
    monkeypatch.setattr(collector, "LARGE_GRAPH", 10 ** 9)    # the collector as usual
    monkeypatch.setattr(collector, "LONG_PAUSE", float("inf"))
    assert garbage_left(60) < 40


def test_cyclic_garbage_moved_old_with_a_large_graph_is_freed_by_a_full_collection(
        thresholds, monkeypatch):
    """Large graphs are moved to the oldest generation after each pass, and the garbage with
    them: only the full collection frees it, when it is due (here: always, or never)."""
    monkeypatch.setattr(collector, "LARGE_GRAPH", 0)
    monkeypatch.setattr(collector, "FULL_COLLECTION_EVERY", 0)          # due after every pass
    assert garbage_left(10) <= 1
    monkeypatch.setattr(collector, "FULL_COLLECTION_EVERY", float("inf"))   # never due
    assert garbage_left(10) == 10


def test_cyclic_garbage_is_freed_in_a_loop_that_never_calls_backward(thresholds, monkeypatch):
    """Graphs kept alive with no backward pass (the pause goes on): the collector counts the
    objects made less those freed, so each record (itself and its dict) counts two until
    it is collected, once PAUSED_THRESHOLD of them are reached."""
    monkeypatch.setattr(collector, "PAUSED_THRESHOLD", 20)
    modes.resume_collector()
    x, alive, kept = Value(0.3), [], []
    for step in range(60):
        kept.append(chain(30, x))                    # forward only, and kept: still paused
        record = Garbage()
        alive.append(weakref.ref(record))
        del record
    assert collector.paused()
    assert sum(r() is not None for r in alive) < 40


def test_a_graph_dropped_without_a_backward_pass_ends_the_pause(thresholds):
    chain(50, Value(0.5))                            # made, then freed: a picture, inference
    assert not collector.paused() and gc.get_threshold() == thresholds
    y = chain(50, Value(0.5))
    assert collector.paused()
    del y
    assert not collector.paused() and gc.get_threshold() == thresholds
    z = chain(5, Value(0.5))                         # the next graph pauses again
    assert collector.paused()
    z.backward()
    assert gc.get_threshold() == thresholds
