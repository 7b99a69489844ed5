"""Engine speed and memory: zerograd against micrograd, and PyTorch when it is installed.

    make bench                      # or: python -m bench.bench_engine [--quick]

(a) forward + backward of a 2-16-16-1 relu MLP on one sample;
(b) forward + backward of a 100,000-op chain y = y * c + d (c, d Python floats);
(c) bytes per node of that chain's graph (tracemalloc), built but not yet backpropagated.
Each engine computes the same function in its own way (micrograd and PyTorch chain their adds;
a zerograd neuron is one n-ary add node), so "per sample" compares the same work and
"per node" each engine's cost per node of its own graph. Every figure is the median of
repeated runs, all engines in one run on one machine: read the ratios, not the times.
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

SIZES = (2, 16, 16, 1)


# ----------------------------------------------------------------- the engines under test

def zerograd_mlp() -> Callable[[list[float]], Value]:
    """A relu MLP as zerograd users write it: one n-ary add per neuron."""
    rng = random.Random(0)
    layers = [[([Value(rng.uniform(-1, 1)) for _ in range(n_in)], Value(0.0))
               for _ in range(n_out)] for n_in, n_out in zip(SIZES, SIZES[1:])]

    def step(sample: list[float]) -> int:
        x = [Value(v) for v in sample]
        for depth, layer in enumerate(layers, start=1):
            sums = [autograd.sum([w * v for w, v in zip(ws, x)] + [b]) for ws, b in layer]
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

def median_seconds(run: Callable[[], object], repeats: int) -> float:
    """The median wall time of `repeats` calls of run()."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
    engines = {"zerograd": {"mlp": zerograd_mlp, "value": Value, "python": True}}
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


def measure(engine: dict, quick: bool) -> dict:
    """The three workloads for one engine."""
    step = engine["mlp"]()
    nodes = count_nodes(step([0.5, -0.3]))
    n_chain = 20_000 if quick else 100_000
    backward = lambda: chain(engine["value"], n_chain).backward()  # noqa: E731
    return {
        "mlp": median_seconds(lambda: step([0.5, -0.3]), 50 if quick else 300),
        "mlp_nodes": nodes,
        "chain": median_seconds(backward, 3 if quick else 7) / n_chain,
        "bytes": bytes_per_node(engine["value"], n_chain) if engine["python"] else None,
    }


def report(results: dict[str, dict]) -> None:
    """Print every figure and the ratios to zerograd's."""
    ours = results["zerograd"]
    print(f"\n{'engine':<10} {'(a) MLP/sample':>15} {'nodes':>6} {'per node':>9} "
          f"{'(b) chain/node':>15} {'(c) bytes/node':>15}")
    for name, r in results.items():
        print(f"{name:<10} {r['mlp'] * 1e6:>12.1f} us {r['mlp_nodes']:>6} "
              f"{r['mlp'] / r['mlp_nodes'] * 1e9:>6.0f} ns {r['chain'] * 1e9:>12.0f} ns "
              f"{_bytes(r['bytes']):>15}")
    print("\nratios, how many times zerograd is faster (memory: zerograd's share):")
    for name, r in results.items():
        if name == "zerograd":
            continue
        per_node = (r["mlp"] / r["mlp_nodes"]) / (ours["mlp"] / ours["mlp_nodes"])
        print(f"  vs {name:<9} (a) per sample {r['mlp'] / ours['mlp']:5.1f}x, "
              f"per node {per_node:5.1f}x   (b) per node {r['chain'] / ours['chain']:5.1f}x"
              + (f"   (c) memory {ours['bytes'] / r['bytes']:.2f} of theirs" if r["bytes"]
                 else ""))


def _bytes(figure: float | None) -> str:
    return f"{figure:.0f}" if figure else "n/a (C++)"   # tracemalloc sees Python memory only


def main(argv: list[str] | None = None) -> int:
    """Run every workload on every available engine and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller chain")
    args = parser.parse_args(argv)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1_000_000))  # micrograd's sort recurses
    results = {name: measure(engine, args.quick) for name, engine in available_engines().items()}
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
