"""bench_microgpt's own pieces: its minimal Value (microgpt's design) gives zerograd's gradients,
zerograd runs microgpt's plain training code unchanged with the minimal Value's losses, a tiny
model learns, and `python -m bench microgpt` prints the headline. No timings are asserted here."""

import gc
import math
import sys
import types

import pytest

from autograd import Value, collector
from bench import bench_microgpt
from bench.__main__ import main as bench_main
from bench.__main__ import parse
from bench.bench_microgpt import Config, MinimalValue

TINY = Config(n_embd=4, n_head=2, block_size=4)


def expression(value_class, a: float, b: float):
    """Every operation microgpt's code uses, constants on either side; the leaves too."""
    x, y = value_class(a), value_class(b)
    z = (x * y + 1.5) / (y ** 2 + 0.5) - x.exp() + (2.0 - y).relu() + (x * x).log() - 0.25 * y
    return 3.0 / z + (-z) * z, (x, y)


@pytest.mark.parametrize("a, b", [(0.7, -1.3), (-2.0, 0.4), (1.1, 2.5)])
def test_minimal_value_gives_zerograds_gradients(a, b):
    ours, our_leaves = expression(Value, a, b)
    theirs, their_leaves = expression(MinimalValue, a, b)
    ours.backward()
    theirs.backward()
    assert math.isclose(ours.data, theirs.data, rel_tol=1e-12)
    for mine, minimal in zip(our_leaves, their_leaves):
        assert math.isclose(mine.grad, minimal.grad, rel_tol=1e-12)
        assert minimal.grad != 0


def test_zerograd_runs_microgpts_code_with_the_minimal_values_losses():
    minimal = bench_microgpt.train(MinimalValue, 3)
    ours = bench_microgpt.train(Value, 3)
    assert len(ours) == 3 and all(math.isfinite(loss) for loss in ours)
    assert bench_microgpt.max_relative_difference(minimal, ours) <= 1e-12
    assert minimal[0] == pytest.approx(math.log(Config().vocab_size), rel=0.15)  # about uniform


def test_a_tiny_model_learns_one_name():
    losses = bench_microgpt.train(Value, 25, Config(n_embd=8, n_head=2, block_size=8), ("emma",))
    assert all(math.isfinite(loss) for loss in losses)
    assert losses[-1] < 0.7 * losses[0]


def test_both_engines_train_the_same_initial_weights():
    ours, minimal = bench_microgpt.make_model(Value), bench_microgpt.make_model(MinimalValue)
    assert len(ours.params) == len(minimal.params) == 4160
    assert [p.data for p in ours.params] == [p.data for p in minimal.params]


def test_max_relative_difference():
    assert bench_microgpt.max_relative_difference([2.0, 4.0], [2.0, 4.0]) == 0.0
    assert bench_microgpt.max_relative_difference([2.0, 4.0], [2.0, 5.0]) == pytest.approx(0.2)


def test_micrograd_without_log_and_exp_is_skipped_saying_why(monkeypatch, capsys):
    engine = types.ModuleType("micrograd.engine")
    engine.Value = type("Value", (), {"relu": lambda self: self})       # no log, no exp
    monkeypatch.setitem(sys.modules, "micrograd", types.ModuleType("micrograd"))
    monkeypatch.setitem(sys.modules, "micrograd.engine", engine)
    assert list(bench_microgpt.engines()) == ["minimal", "zerograd"]
    assert "no log or exp" in capsys.readouterr().out


def test_microgpt_is_a_part_run_only_when_named():
    assert parse(["microgpt", "--quick"])[0].parts == ["microgpt"]
    assert "microgpt" in parse([])[0].parts


def test_bench_microgpt_prints_the_headline(monkeypatch, capsys):
    run = bench_microgpt.run
    monkeypatch.setattr(bench_microgpt, "run", lambda quick: run(quick, steps=2, memory_steps=12))
    monkeypatch.setattr(bench_microgpt, "MEMORY_CONFIG", TINY)
    assert bench_main(["microgpt", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "(agree to 1e-12)" in out and "memory, zerograd, 12 untimed steps" in out
    assert "  microgpt step: zerograd " in out and "time); losses agree to " in out


def test_the_memory_check_tells_a_leak_from_a_bounded_run(monkeypatch, capsys):
    """On the minimal Value, which leaves the collector alone: whether zerograd's memory is
    bounded is for the benchmark to report, not for this test to require."""
    monkeypatch.setattr(bench_microgpt, "MEMORY_CONFIG", TINY)
    assert bench_microgpt.report_memory(20, MinimalValue)["bounded"]
    gc.disable()                      # as an engine that left the collector off would: 32 kB a
    try:                              # step of the user's cyclic garbage is never freed
        assert not bench_microgpt.report_memory(20, MinimalValue)["bounded"]
    finally:
        gc.enable()
    out = capsys.readouterr().out
    assert "memory, MinimalValue, 20 untimed steps" in out and "(bounded)" in out


def test_summary_states_the_ratio_and_the_agreement():
    [line] = bench_microgpt.summary({"ratio": 1.234, "agree": 2.2e-16})
    assert line == ("microgpt step: zerograd 1.23x the minimal Value (speed: minimal/zerograd "
                    "time); losses agree to 2e-16")


def test_zerograds_memory_and_cyclic_garbage_stay_bounded(monkeypatch, capsys):
    """zerograd pauses the collector while a graph is built: the user's cyclic garbage is
    still freed, with small graphs (the collector as usual) and with graphs it moves to the
    oldest generation (a full collection once enough objects were moved)."""
    monkeypatch.setattr(bench_microgpt, "MEMORY_CONFIG", TINY)
    monkeypatch.setattr(collector, "LONG_PAUSE", float("inf"))     # (tracemalloc is slow)
    assert bench_microgpt.report_memory(20)["bounded"]
    monkeypatch.setattr(collector, "LARGE_GRAPH", 0)
    monkeypatch.setattr(collector, "FULL_COLLECTION_EVERY", 0)     # a full one after each pass
    garbage = bench_microgpt.garbage_run(20, config=TINY)
    assert garbage["end"] < 20 and garbage["most"] < 20
    assert "(bounded)" in capsys.readouterr().out
