"""Engine speed and memory: zerograd against micrograd, and PyTorch when it is installed.

    make bench                      # or: python -m bench.bench_engine [--quick]

(a) forward + backward of a 2-16-16-1 relu MLP on one sample;
(b) forward + backward of a 100,000-op chain y = y * c + d (c, d Python floats);
(c) bytes per node of that chain's graph (tracemalloc), built but not yet backpropagated.
Times include freeing the graph, by the cyclic garbage collector where an engine needs it.
"floor" is bench/floor.py: zerograd's design with every feature and check left out, the least
any pure-Python engine of this design can do.
Each engine computes the same function in its own way (micrograd and PyTorch chain their adds;
a zerograd neuron is one weighted-sum node, autograd.dot), so "per sample" compares the same
work and
"per node" each engine's cost per node of its own graph. Every figure is a median over rounds
that take the engines in turns, all in one run on one machine: read the ratios, not the times.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
import tracemalloc
from typing import Callable

import autograd
from autograd import Value
from bench import floor

SIZES = (2, 16, 16, 1)
SAMPLE = [0.5, -0.3]


# ----------------------------------------------------------------- the engines under test

def zerograd_mlp() -> Callable[[list[float]], Value]:
    """A relu MLP as nn.Neuron builds it: one weighted-sum node (autograd.dot) per neuron."""
    return weighted_sum_mlp(Value, autograd.dot)


def floor_mlp() -> Callable[[list[float]], floor.FloorValue]:
    """The same MLP on the floor engine (bench/floor.py)."""
    return weighted_sum_mlp(floor.FloorValue, floor.dot)


def weighted_sum_mlp(value_type, dot) -> Callable[[list[float]], object]:
    """A relu MLP whose neurons are `dot(weights, inputs, bias)`, one node each."""
    rng = random.Random(0)
    layers = [[([value_type(rng.uniform(-1, 1)) for _ in range(n_in)], value_type(0.0))
               for _ in range(n_out)] for n_in, n_out in zip(SIZES, SIZES[1:])]

    def step(sample: list[float]) -> object:
        x = [value_type(v) for v in sample]
        for depth, layer in enumerate(layers, start=1):
            sums = [dot(ws, x, b) for ws, b in layer]
            x = [s.relu() for s in sums] if depth < len(layers) else sums
        x[0].backward()
        return x[0]
    return step


def micrograd_mlp() -> Callable[[list[float]], object]:
    """micrograd's own MLP (micrograd.nn), on micrograd Values."""
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP
    random.seed(0)
    model = MLP(SIZES[0], list(SIZES[1:]))

    def step(sample: list[float]) -> int:
        out = model([MicroValue(v) for v in sample])
        out.backward()
        return out
    return step


def torch_mlp() -> Callable[[list[float]], object]:
    """The same MLP on 0-dim float64 tensors, eager mode, adds chained like micrograd's."""
    import torch
    rng = random.Random(0)
    layers = [[([torch.tensor(rng.uniform(-1, 1), dtype=torch.float64, requires_grad=True)
                 for _ in range(n_in)], torch.tensor(0.0, dtype=torch.float64,
                                                     requires_grad=True))
               for _ in range(n_out)] for n_in, n_out in zip(SIZES, SIZES[1:])]

    def step(sample: list[float]) -> int:
        x = [torch.tensor(v, dtype=torch.float64) for v in sample]
        for depth, layer in enumerate(layers, start=1):
            sums = [sum((w * v for w, v in zip(ws, x)), b) for ws, b in layer]
            x = [s.relu() for s in sums] if depth < len(layers) else sums
        x[0].backward()
        return x[0]
    return step


def chain(value_type, n_ops: int):
    """y = y * c + d repeated: n_ops nodes, each with a Python-float constant."""
    y = value_type(1.0)
    for _ in range(n_ops // 2):
        y = y * 1.0000001 + 1e-7
    return y


def torch_value(data: float):
    import torch
    return torch.tensor(data, dtype=torch.float64, requires_grad=True)


def count_nodes(root) -> int:
    """The nodes of a graph, whichever engine built it (leaves included)."""
    if isinstance(root, Value):
        return len(autograd.topological_order(root))
    if isinstance(root, floor.FloorValue):
        return _count(root, lambda node: node.parents)
    if hasattr(root, "_prev"):                                   # micrograd
        return _count(root, lambda node: node._prev)
    return _count(root.grad_fn, lambda node: [f for f, _ in node.next_functions if f])


def _count(root, parents_of) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        for parent in parents_of(stack.pop()):
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


# ----------------------------------------------------------------- measuring

def seconds_per_call(run: Callable[[], object], calls: int, collect: bool = True) -> float:
    """The wall time of `calls` calls of run(), and of collecting the garbage they left, per call.

    micrograd's graphs are reference cycles that only the cyclic collector frees; collecting
    them at the end bills each engine for its own garbage, not the next engine's run. With
    collect=False only the collections the calls cause themselves are inside the clock.
    """
    start = time.perf_counter()
    for _ in range(calls):
        run()
    if collect:
        gc.collect()
    return (time.perf_counter() - start) / calls


def bytes_per_node(value_type, n_ops: int) -> float:
    """Memory held by a freshly built n_ops chain, per node (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    graph = chain(value_type, n_ops)
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del graph
    return held / n_ops


def available_engines() -> dict[str, dict]:
    """zerograd, micrograd and torch, each when importable."""
    engines = {"zerograd": {"mlp": zerograd_mlp, "value": Value, "python": True},
               "floor": {"mlp": floor_mlp, "value": floor.FloorValue, "python": True}}
    try:
        from micrograd.engine import Value as MicroValue
        engines["micrograd"] = {"mlp": micrograd_mlp, "value": MicroValue,
                                 "python": True}
    except ImportError:
        print("micrograd is not installed (pip install micrograd==0.1.0): skipped")
    try:
        import torch  # noqa: F401
        engines["pytorch"] = {"mlp": torch_mlp, "value": torch_value, "python": False}
    except ImportError:
        print("PyTorch is not installed: skipped")
    return engines


def measure(engines: dict[str, dict], quick: bool) -> dict[str, dict]:
    """The three workloads on every engine, taken in turns.

    The machine's speed drifts, so each round times every engine once, one after the other,
    and each figure is the median over the rounds: a slow spell slows all engines alike. The
    objects that exist before timing starts (PyTorch alone makes about 170,000) are frozen out
    of the garbage collector, so its passes scan the engines' graphs, not the interpreter.
    """
    steps = {name: engine["mlp"]() for name, engine in engines.items()}
    n_chain = 20_000 if quick else 100_000
    mlp = {name: [] for name in engines}
    chains = {name: [] for name in engines}
    gc.collect()
    gc.freeze()
    try:
        for _ in range(5 if quick else 15):
            for name, step in steps.items():
                mlp[name].append(seconds_per_call(lambda: step(SAMPLE), 20))
        for _ in range(3 if quick else 7):
            for name, engine in engines.items():
                run = lambda: chain(engine["value"], n_chain).backward()  # noqa: E731
                chains[name].append(seconds_per_call(run, 1) / n_chain)
    finally:
        gc.unfreeze()
    return {name: {"mlp": statistics.median(mlp[name]),
                   "mlp_nodes": count_nodes(steps[name](SAMPLE)),
                   "chain": statistics.median(chains[name]),
                   "bytes": bytes_per_node(engine["value"], n_chain) if engine["python"] else None}
            for name, engine in engines.items()}


def report(results: dict[str, dict]) -> None:
    """Print every figure, the ratios between engines, and the targets of the engine issue."""
    print(f"\n{'engine':<10} {'(a) MLP/sample':>15} {'nodes':>6} {'per node':>9} "
          f"{'(b) chain/node':>15} {'(c) bytes/node':>15}")
    for name, r in results.items():
        print(f"{name:<10} {r['mlp'] * 1e6:>12.1f} us {r['mlp_nodes']:>6} "
              f"{_per_node(r) * 1e9:>6.0f} ns {r['chain'] * 1e9:>12.0f} ns "
              f"{_bytes(r['bytes']):>15}")
    print("\nratios, how many times faster the first engine is (memory: its share):")
    for fast, slow in [("zerograd", "micrograd"), ("zerograd", "pytorch"), ("zerograd", "floor"),
                       ("floor", "micrograd"), ("floor", "pytorch")]:
        if fast in results and slow in results:
            print(f"  {fast:<8} vs {slow:<9} {_ratios(results[fast], results[slow])}")
    _check_targets(results)


def _ratios(fast: dict, slow: dict) -> str:
    text = (f"(a) per sample {slow['mlp'] / fast['mlp']:5.1f}x, per node "
            f"{_per_node(slow) / _per_node(fast):5.1f}x   (b) per node "
            f"{slow['chain'] / fast['chain']:5.1f}x")
    if fast["bytes"] and slow["bytes"]:
        text += f"   (c) memory {fast['bytes'] / slow['bytes']:.2f}"
    return text


def _per_node(result: dict) -> float:
    """Seconds per node of the engine's own graph on (a)."""
    return result["mlp"] / result["mlp_nodes"]


def _check_targets(results: dict[str, dict]) -> None:
    """The engine issue's targets: at least 4x micrograd per node on (a) and (b), 15x PyTorch
    per node on (a), and at most a third of micrograd's memory per node."""
    ours = results["zerograd"]
    checks = []                                   # (label, figure, target, figure must be...)
    if "micrograd" in results:
        theirs = results["micrograd"]
        checks += [("(a) per node vs micrograd", _per_node(theirs) / _per_node(ours), 4.0,
                    "at least"),
                   ("(b) per node vs micrograd", theirs["chain"] / ours["chain"], 4.0,
                    "at least"),
                   ("(c) memory share of micrograd's", ours["bytes"] / theirs["bytes"], 1 / 3,
                    "at most")]
    if "pytorch" in results:
        checks.append(("(a) per node vs pytorch",
                       _per_node(results["pytorch"]) / _per_node(ours), 15.0, "at least"))
    print("\ntargets:")
    for label, figure, target, bound in checks:
        met = figure >= target if bound == "at least" else figure <= target
        print(f"  {label:<32} {figure:5.2f}  ({bound} {target:.2f}): "
              f"{'met' if met else 'NOT met'}")


def _bytes(figure: float | None) -> str:
    return f"{figure:.0f}" if figure else "n/a (C++)"   # tracemalloc sees Python memory only


def run(quick: bool = False) -> dict[str, dict]:
    """Run every workload on every available engine, print the table, return the figures."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1_000_000))  # micrograd's sort recurses
    results = measure(available_engines(), quick)
    report(results)
    return results


def summary(results: dict[str, dict]) -> list[str]:
    """The headline ratios: how many times faster zerograd runs (a), one sample, than the others."""
    ours = results["zerograd"]["mlp"]
    return [f"2-16-16-1 MLP, one sample forward+backward, {other}/zerograd: "
            f"{results[other]['mlp'] / ours:.1f}x the time" for other in ("micrograd", "pytorch")
            if other in results]


def main(argv: list[str] | None = None) -> int:
    """Run every workload on every available engine and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller chain")
    args = parser.parse_args(argv)
    run(args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
