"""microgpt's training step, in plain scalar code, on microgpt's own Value design and on zerograd's.

    python -m bench microgpt [--quick]      # or: python -m bench.bench_microgpt [--steps 20]

Karpathy's microgpt (2026) trains a one-layer GPT on names with a 40-line scalar Value that
stores its local gradients when a node is made. `MinimalValue` below is that design, written
here; `train_step` is microgpt's model, loss and Adam as plain code that takes the Value class,
so zerograd's `autograd.Value` runs the very same code unchanged. Each engine trains its own copy
(the same initial weights, the same names) and the engines take turns, one step each; a step is
timed with everything a user waits for: forward, backward, Adam, freeing the graph, and Python's
default garbage collector, left on (how an engine copes with it is part of what is measured).
The losses of every step must agree to 1e-12 relative. micrograd's Value has no log or exp, so
it cannot run this code and is skipped. A second, untimed run traces zerograd's memory
(tracemalloc, on a smaller model) while the user's code also makes cyclic garbage every step.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
import tracemalloc
import weakref
from dataclasses import dataclass

from autograd import Value, collector

NAMES = tuple("""
emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily elizabeth sofia
avery ella scarlett grace chloe victoria riley aria lily aubrey zoey penelope liam noah william
james oliver benjamin elijah lucas mason logan alexander ethan jacob michael daniel henry jackson
sebastian aiden matthew samuel david joseph carter owen wyatt john jack luke jayden dylan grayson
levi isaac gabriel julian""".split())
CHARS = sorted(set("".join(NAMES)))
BOS = len(CHARS)                               # the token that starts and ends every name


@dataclass(frozen=True)
class Config:
    """The model's sizes: microgpt's by default."""
    n_embd: int = 16
    n_head: int = 4
    block_size: int = 16
    vocab_size: int = len(CHARS) + 1


MEMORY_CONFIG = Config(n_embd=8, n_head=2, block_size=8)
TRACEMALLOC_SLOWDOWN = 8     # how many times slower a step runs under tracemalloc


# ----------------------------------------------------------------- microgpt's Value design

class MinimalValue:
    """microgpt's design: a node keeps its children and the local gradients d(node)/d(child),
    computed when it is made. Constants become nodes; -, / and neg are built from +, * and pow."""

    __slots__ = ("data", "grad", "children", "local_grads")

    def __init__(self, data: float, children: tuple = (), local_grads: tuple = ()) -> None:
        self.data, self.grad = data, 0
        self.children, self.local_grads = children, local_grads

    def __add__(self, other):
        other = other if isinstance(other, MinimalValue) else MinimalValue(other)
        return MinimalValue(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, MinimalValue) else MinimalValue(other)
        return MinimalValue(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, exponent: float):                  # a number exponent only
        return MinimalValue(self.data ** exponent, (self,),
                            (exponent * self.data ** (exponent - 1),))

    def log(self): return MinimalValue(math.log(self.data), (self,), (1 / self.data,))
    def exp(self): return MinimalValue(math.exp(self.data), (self,), (math.exp(self.data),))
    def relu(self): return MinimalValue(max(0, self.data), (self,), (float(self.data > 0),))
    def __neg__(self): return self * -1
    def __radd__(self, other): return self + other
    def __sub__(self, other): return self + (-other)
    def __rsub__(self, other): return other + (-self)
    def __rmul__(self, other): return self * other
    def __truediv__(self, other): return self * other ** -1
    def __rtruediv__(self, other): return other * self ** -1

    def backward(self) -> None:
        """A recursive topological sort with a visited set, then the chain rule in reverse."""
        order, visited = [], set()

        def visit(node: MinimalValue) -> None:
            if node not in visited:
                visited.add(node)
                for child in node.children:
                    visit(child)
                order.append(node)
        visit(self)
        self.grad = 1
        for node in reversed(order):
            for child, local_grad in zip(node.children, node.local_grads):
                child.grad += local_grad * node.grad


# ----------------------------------------------------------------- the model, as plain code

@dataclass
class Model:
    """One engine's copy of the GPT: its weight matrices (lists of rows of Values), every
    parameter in one list, and Adam's moments."""
    weights: dict[str, list[list]]
    params: list
    config: Config
    m: list[float]
    v: list[float]


def make_model(value_class: type, config: Config = Config(), seed: int = 0) -> Model:
    """microgpt's weights, gauss(0, 0.08), drawn in the same order whatever the Value class."""
    rng, d = random.Random(seed), config.n_embd
    shapes = {"wte": (config.vocab_size, d), "wpe": (config.block_size, d), "wq": (d, d),
              "wk": (d, d), "wv": (d, d), "wo": (d, d), "fc1": (4 * d, d), "fc2": (d, 4 * d),
              "lm_head": (config.vocab_size, d)}
    weights = {name: [[value_class(rng.gauss(0, 0.08)) for _ in range(cols)] for _ in range(rows)]
               for name, (rows, cols) in shapes.items()}
    params = [p for matrix in weights.values() for row in matrix for p in row]
    return Model(weights, params, config, [0.0] * len(params), [0.0] * len(params))


def linear(x: list, w: list[list]) -> list:
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def softmax(logits: list) -> list:
    max_val = max(v.data for v in logits)               # a float: no gradient flows through it
    exps = [(v - max_val).exp() for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x: list) -> list:
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def attention(q: list, keys: list[list], values: list[list], config: Config) -> list:
    """Causal self-attention of one position over the cached keys and values, head by head."""
    head_dim, out = config.n_embd // config.n_head, []
    for h in range(0, config.n_embd, head_dim):
        q_h = q[h:h + head_dim]
        k_h, v_h = [k[h:h + head_dim] for k in keys], [v[h:h + head_dim] for v in values]
        logits = [sum(q_h[j] * k_h[t][j] for j in range(head_dim)) / head_dim ** 0.5
                  for t in range(len(k_h))]
        weights = softmax(logits)
        out += [sum(weights[t] * v_h[t][j] for t in range(len(v_h))) for j in range(head_dim)]
    return out


def gpt(model: Model, token: int, pos: int, keys: list, values: list) -> list:
    """The logits of the next token, one position at a time; keys and values grow by one."""
    w = model.weights
    x = rmsnorm([t + p for t, p in zip(w["wte"][token], w["wpe"][pos])])
    residual, x = x, rmsnorm(x)
    keys.append(linear(x, w["wk"]))
    values.append(linear(x, w["wv"]))
    x = linear(attention(linear(x, w["wq"]), keys, values, model.config), w["wo"])
    x = [a + b for a, b in zip(x, residual)]
    residual, x = x, [xi.relu() for xi in linear(rmsnorm(x), w["fc1"])]
    x = [a + b for a, b in zip(linear(x, w["fc2"]), residual)]
    return linear(x, w["lm_head"])


def train_step(model: Model, name: str, step: int, num_steps: int, lr: float = 0.01,
               beta1: float = 0.85, beta2: float = 0.99, eps: float = 1e-8) -> float:
    """One name: forward, loss, backward and one Adam update with linear decay; the loss."""
    tokens = [BOS] + [CHARS.index(c) for c in name] + [BOS]
    n = min(model.config.block_size, len(tokens) - 1)
    keys, values, losses = [], [], []
    for pos in range(n):
        probs = softmax(gpt(model, tokens[pos], pos, keys, values))
        losses.append(-probs[tokens[pos + 1]].log())
    loss = (1 / n) * sum(losses)
    loss.backward()
    lr_t = lr * (1 - step / num_steps)
    for i, p in enumerate(model.params):
        model.m[i] = beta1 * model.m[i] + (1 - beta1) * p.grad
        model.v[i] = beta2 * model.v[i] + (1 - beta2) * p.grad ** 2
        m_hat = model.m[i] / (1 - beta1 ** (step + 1))
        v_hat = model.v[i] / (1 - beta2 ** (step + 1))
        p.data -= lr_t * m_hat / (v_hat ** 0.5 + eps)
        p.grad = 0
    return loss.data


def train(value_class: type, steps: int, config: Config = Config(),
          names: tuple[str, ...] = NAMES) -> list[float]:
    """Train a fresh model for `steps` steps on the names in turn; the loss of every step."""
    model = make_model(value_class, config)
    return [train_step(model, names[i % len(names)], i, steps) for i in range(steps)]


# ----------------------------------------------------------------- measuring

def engines() -> dict[str, type]:
    """The minimal Value, zerograd's, and micrograd's when installed and able to run the code."""
    found = {"minimal": MinimalValue, "zerograd": Value}
    try:
        from micrograd.engine import Value as MicroValue
    except ImportError:
        print("micrograd is not installed (pip install micrograd==0.1.0): skipped")
        return found
    if all(hasattr(MicroValue, op) for op in ("log", "exp")):
        found["micrograd"] = MicroValue
    else:
        print("micrograd's Value has no log or exp, which microgpt's loss and softmax need: "
              "skipped")
    return found


def race(value_classes: dict[str, type], steps: int) -> dict[str, dict]:
    """Each engine trains its own model; they take turns, one timed step each."""
    models = {name: make_model(cls) for name, cls in value_classes.items()}
    times = {name: [] for name in models}
    losses = {name: [] for name in models}
    for step in range(steps):
        doc = NAMES[step % len(NAMES)]
        for engine, model in models.items():
            start = time.perf_counter()
            loss = train_step(model, doc, step, steps)
            times[engine].append(time.perf_counter() - start)
            losses[engine].append(loss)
    return {engine: {"ms": 1e3 * statistics.median(times[engine]), "losses": losses[engine]}
            for engine in models}


def max_relative_difference(a: list[float], b: list[float]) -> float:
    """The largest |x - y| / max(|x|, |y|) over pairs of losses."""
    return max(abs(x - y) / max(abs(x), abs(y)) for x, y in zip(a, b))


def memory_run(steps: int, value_class: type = Value) -> dict:
    """zerograd (or value_class) trains `steps` steps under tracemalloc, untimed, while the user's
    code logs each step in a record that refers to itself (32 kB): garbage only the cyclic
    collector frees. A smaller model than the race's: tracemalloc makes a step about 8x slower,
    so the collector's LONG_PAUSE is stretched as much (else every small step would count as a
    long one, as no step does without tracemalloc)."""
    model = make_model(value_class, MEMORY_CONFIG)
    long_pause = collector.LONG_PAUSE
    collector.LONG_PAUSE = long_pause * TRACEMALLOC_SLOWDOWN
    tracemalloc.start()
    after = []
    try:
        for step in range(steps):
            loss = train_step(model, NAMES[step % len(NAMES)], step, steps)
            record = {"step": step, "loss": loss, "history": [loss] * 4000}
            record["self"] = record                     # a reference cycle: after the del,
            del record                                  # garbage for the collector only
            after.append(tracemalloc.get_traced_memory()[0])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        collector.LONG_PAUSE = long_pause
    return {"peak": peak, "after": after}


def run(quick: bool = False, steps: int | None = None, memory_steps: int | None = None) -> dict:
    """Race the engines, check their losses agree, trace zerograd's memory; print and return."""
    steps = steps or (6 if quick else 20)
    classes = engines()
    print(f"microgpt: 1 layer, n_embd {Config.n_embd}, {Config.n_head} heads, block "
          f"{Config.block_size}, {len(make_model(MinimalValue).params)} parameters; {steps} steps,"
          f" engines in turns")
    results = race(classes, steps)
    for engine, r in results.items():
        print(f"  {engine:<10} {r['ms']:8.1f} ms per step (median)   final loss "
              f"{r['losses'][-1]:.6f}")
    ratio = results["minimal"]["ms"] / results["zerograd"]["ms"]
    agree = max_relative_difference(results["minimal"]["losses"], results["zerograd"]["losses"])
    print(f"  zerograd is {_faster(ratio)} the minimal Value (minimal/zerograd {ratio:.2f})")
    print(f"  losses step by step, max relative difference {agree:.1e} "
          f"({'agree' if agree <= 1e-12 else 'DO NOT agree'} to 1e-12)")
    memory = report_memory(memory_steps or (20 if quick else 50))
    memory["garbage"] = report_garbage(memory_steps or (20 if quick else 50))
    return {"results": results, "ratio": ratio, "agree": agree, "memory": memory}


class _Record:
    """A step's log entry that refers to itself: once dropped, only the cyclic collector frees it."""

    def __init__(self, step: int, loss: float) -> None:
        self.step, self.loss, self.history, self.me = step, loss, [loss] * 4000, self


def garbage_run(steps: int, value_class: type = Value, config: Config = Config()) -> dict:
    """At the race's full size (graphs large enough for zerograd's collector to move them to
    its oldest generation), count the user's cyclic records still alive after each step."""
    model = make_model(value_class, config)
    alive, counts = [], []
    for step in range(steps):
        loss = train_step(model, NAMES[step % len(NAMES)], step, steps)
        alive.append(weakref.ref(_Record(step, loss)))   # garbage as soon as it is made
        counts.append(sum(record() is not None for record in alive))
    return {"most": max(counts), "end": counts[-1], "steps": steps}


def report_garbage(steps: int, value_class: type = Value) -> dict:
    """Print garbage_run's counts: a leak keeps every record; a collector frees them."""
    garbage = garbage_run(steps, value_class)
    garbage["bounded"] = garbage["end"] < steps
    print(f"cyclic garbage, full size, {steps} steps, one 32 kB self-referencing record a "
          f"step: at most {garbage['most']} alive at once, {garbage['end']} at the end "
          f"({'freed as it goes' if garbage['bounded'] else 'NEVER FREED'})")
    return garbage


def report_memory(steps: int, value_class: type = Value) -> dict:
    """Print memory_run's peak and the memory held after step 10 and after the last step."""
    memory = memory_run(steps, value_class)
    early, late = memory["after"][9], memory["after"][-1]
    memory["bounded"] = late <= early * 1.05 + 100_000    # a leak of the records: 32 kB a step
    config = MEMORY_CONFIG
    engine = "zerograd" if value_class is Value else value_class.__name__
    print(f"memory, {engine}, {steps} untimed steps (n_embd {config.n_embd}, {config.n_head} "
          f"heads, block {config.block_size}) making cyclic garbage:\n  peak "
          f"{memory['peak'] / 1e6:.2f} MB; after step 10 {early / 1e6:.2f} MB, after step {steps} "
          f"{late / 1e6:.2f} MB ({'bounded' if memory['bounded'] else 'GROWING'})")
    return memory


def _faster(ratio: float) -> str:
    return f"{ratio:.2f}x faster than" if ratio >= 1 else f"{1 / ratio:.2f}x slower than"


def summary(result: dict) -> list[str]:
    """The headline: zerograd's speed on microgpt's step against the minimal Value's."""
    return [f"microgpt step: zerograd {result['ratio']:.2f}x the minimal Value (speed: "
            f"minimal/zerograd time); losses agree to {result['agree']:.0e}"]


def main(argv: list[str] | None = None) -> int:
    """Race the engines on microgpt's step and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, help="training steps raced (default 20)")
    parser.add_argument("--memory-steps", type=int, help="steps traced, at least 10 (default 50)")
    parser.add_argument("--quick", action="store_true", help="6 steps raced, 20 traced")
    args = parser.parse_args(argv)
    if args.memory_steps is not None and args.memory_steps < 10:
        parser.error("--memory-steps must be at least 10")
    print("\n".join(summary(run(args.quick, args.steps, args.memory_steps))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
