"""The nn GPT (nn/gpt.py) against microgpt's plain scalar code on its minimal Value.

    python -m bench gpt [--quick]        # or: python -m bench.bench_gpt [--steps 20] [--full]

The step: one training step of microgpt's model at microgpt's sizes (1 layer, n_embd 16, 4
heads, block 16), on the same names and from the same initial weights, written two ways: as
plain code on microgpt's minimal local-grads Value (bench_microgpt.py: one node per + and *),
and as nn's blocks on zerograd's Value (a Linear row is one weighted-sum node, q·k is one
node, and so is each attention output channel). The engines take turns, one step each, timed
with everything a user waits for (forward, backward, Adam, freeing the graph); the medians and
their ratio are printed, and the losses of every step must agree to 1e-12 relative.

The run (--full, or `python -m bench gpt --full`): microgpt's recipe, 1,000 steps of Adam with a
linear decay on the English names (nn.data.names(), shuffled), timed, then 10 generated names.
With --plain the same 1,000 steps also run as plain code on zerograd's Value (whose losses equal
the minimal Value's, bench_microgpt shows) for the final losses side by side.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from autograd import Value
from bench import bench_microgpt as plain
from bench.bench_microgpt import Config, MinimalValue, Model
from nn import data
from nn.gpt import GPT, train_gpt
from nn.optim import Adam

LR, BETA1, BETA2 = 0.01, 0.85, 0.99            # microgpt's


def nn_model(config: Config, seed: int = 0) -> GPT:
    """The nn GPT at the config's sizes."""
    return GPT(config.vocab_size, 1, config.n_embd, config.n_head, config.block_size, seed=seed)


def plain_copy(model: GPT, value_class: type) -> Model:
    """microgpt's plain model (bench_microgpt.make_model) holding the nn model's weights."""
    config = Config(model.n_embd, model.blocks[0].attn.n_head, model.block_size,
                    model.vocab_size)
    copy = plain.make_model(value_class, config)
    for p, q in zip(model.parameters(), copy.params, strict=True):
        q.data = p.data
    return copy


def plain_step(model: Model, tokens: list[int], step: int, steps: int) -> float:
    """bench_microgpt.train_step on a token list: forward, loss, backward, Adam; the loss."""
    n = min(model.config.block_size, len(tokens) - 1)
    keys, values, losses = [], [], []
    for pos in range(n):
        probs = plain.softmax(plain.gpt(model, tokens[pos], pos, keys, values))
        losses.append(-probs[tokens[pos + 1]].log())
    loss = (1 / n) * sum(losses)
    loss.backward()
    lr_t = LR * (1 - step / steps)
    for i, p in enumerate(model.params):
        model.m[i] = BETA1 * model.m[i] + (1 - BETA1) * p.grad
        model.v[i] = BETA2 * model.v[i] + (1 - BETA2) * p.grad ** 2
        m_hat = model.m[i] / (1 - BETA1 ** (step + 1))
        v_hat = model.v[i] / (1 - BETA2 ** (step + 1))
        p.data -= lr_t * m_hat / (v_hat ** 0.5 + 1e-8)
        p.grad = 0
    return loss.data


def nn_step(model: GPT, optimizer: Adam, tokens: list[int], step: int, steps: int) -> float:
    """The same step with nn's GPT and nn.Adam: what train_gpt does each step."""
    loss = model.loss(tokens)
    optimizer.zero_grad()
    loss.backward()
    optimizer.lr = LR * (1 - step / steps)
    optimizer.step()
    return loss.data


def documents(names: list[str], seed: int = 42) -> tuple[data.CharTokenizer, list[list[int]]]:
    """The names shuffled (microgpt shuffles with seed 42) and tokenized as [bos, ..., bos]."""
    names = list(names)
    random.Random(seed).shuffle(names)
    tok = data.CharTokenizer(names)
    return tok, [[tok.bos, *tok.encode(name), tok.bos] for name in names]


def race(steps: int) -> dict:
    """The plain minimal-Value step and the nn step, in turns; times and losses of each."""
    tok, docs = documents(data.names())
    config = Config(vocab_size=tok.vocab_size)
    ours = nn_model(config)
    theirs = plain_copy(ours, MinimalValue)
    optimizer = Adam(ours.parameters(), LR, BETA1, BETA2)
    times, losses = {"minimal": [], "nn": []}, {"minimal": [], "nn": []}
    for step in range(steps):
        tokens = docs[step % len(docs)]
        for engine in ("minimal", "nn"):
            start = time.perf_counter()
            if engine == "minimal":
                loss = plain_step(theirs, tokens, step, steps)
            else:
                loss = nn_step(ours, optimizer, tokens, step, steps)
            times[engine].append(time.perf_counter() - start)
            losses[engine].append(loss)
    ms = {engine: 1e3 * statistics.median(t) for engine, t in times.items()}
    agree = plain.max_relative_difference(losses["minimal"], losses["nn"])
    return {"ms": ms, "ratio": ms["minimal"] / ms["nn"], "agree": agree, "steps": steps,
            "parameters": len(ours.parameters())}


def full_run(steps: int = 1000, with_plain: bool = False, samples: int = 10) -> dict:
    """microgpt's recipe on the English names with the nn GPT (timed), and optionally the
    same steps as plain code on zerograd's Value; final losses and generated names."""
    tok, docs = documents(data.names())
    model = nn_model(Config(vocab_size=tok.vocab_size))
    twin = plain_copy(model, Value) if with_plain else None
    start = time.perf_counter()
    losses = train_gpt(model, docs, steps, LR, BETA1, BETA2)
    seconds = time.perf_counter() - start
    result = {"seconds": seconds, "losses": losses, "steps": steps,
              "names": [tok.decode(s) for s in model.generate(samples, seed=0)]}
    if twin is not None:
        start = time.perf_counter()
        result["plain"] = [plain_step(twin, docs[i % len(docs)], i, steps) for i in range(steps)]
        result["plain_seconds"] = time.perf_counter() - start
    return result


def tail_mean(losses: list[float], n: int = 50) -> float:
    """The mean loss of the last n steps (one step's loss is one name's: noisy)."""
    return statistics.fmean(losses[-n:])


def report_race(result: dict) -> None:
    """Print the race's medians, ratio and agreement."""
    ms = result["ms"]
    print(f"GPT step, 1 layer, n_embd 16, 4 heads, block 16, {result['parameters']} parameters; "
          f"{result['steps']} steps, engines in turns")
    print(f"  plain code, minimal Value {ms['minimal']:8.1f} ms per step (median)")
    print(f"  nn GPT, zerograd          {ms['nn']:8.1f} ms per step (median)")
    print(f"  nn GPT is {result['ratio']:.1f}x faster (minimal/nn); losses step by step, max "
          f"relative difference {result['agree']:.1e} "
          f"({'agree' if result['agree'] <= 1e-12 else 'DO NOT agree'} to 1e-12)")


def report_run(result: dict) -> None:
    """Print the run's time, final losses (and the plain code's) and the made-up names."""
    print(f"microgpt's recipe, {result['steps']} steps on the English names: "
          f"{result['seconds']:.1f} s with the nn GPT; final loss {result['losses'][-1]:.4f}, "
          f"mean of the last 50 {tail_mean(result['losses']):.4f}")
    if "plain" in result:
        agree = plain.max_relative_difference(result["plain"], result["losses"])
        print(f"  plain code on zerograd's Value: {result['plain_seconds']:.1f} s; final loss "
              f"{result['plain'][-1]:.4f}, mean of the last 50 {tail_mean(result['plain']):.4f}"
              f"; max relative difference over the run {agree:.1e}")
    print(f"  generated (temperature 0.5): {', '.join(result['names'])}")


def run(quick: bool = False, steps: int | None = None, full: bool = False,
        with_plain: bool = False) -> dict:
    """Race the step; with full, also the 1,000-step run. Print and return the figures."""
    result = race(steps or (6 if quick else 20))
    report_race(result)
    if full:
        result["run"] = full_run(with_plain=with_plain)
        report_run(result["run"])
    return result


def summary(result: dict) -> list[str]:
    """The headline: the nn GPT's step against the plain minimal-Value step."""
    lines = [f"GPT step: nn GPT {result['ratio']:.1f}x faster than plain code on the minimal "
             f"Value; losses agree to {result['agree']:.0e}"]
    if "run" in result:
        lines.append(f"GPT 1,000 steps on names: {result['run']['seconds']:.1f} s")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Race the step (and with --full, train 1,000 steps) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, help="steps raced (default 20)")
    parser.add_argument("--quick", action="store_true", help="6 steps raced")
    parser.add_argument("--full", action="store_true", help="also the 1,000-step training run")
    parser.add_argument("--plain", action="store_true",
                        help="with --full: the same run as plain code too (minutes)")
    args = parser.parse_args(argv)
    if args.steps is not None and args.steps < 1:
        parser.error("--steps must be at least 1")
    print("\n".join(summary(run(args.quick, args.steps, args.full, args.plain))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
