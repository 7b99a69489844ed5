"""`python -m bench` (or `make bench`): zerograd's speed, part by part, then a summary of ratios.

    python -m bench                  # every part, short runs: engine, microgpt, nn, mnist, cnn
    python -m bench engine microgpt  # only the parts named
    python -m bench mnist --full     # the long runs: 15 rounds, a 5-minute Fashion-MNIST race
    python -m bench --quick          # fewer rounds, a smaller chain, a 10-second race

engine: bench_engine.py, one sample through a 2-16-16-1 MLP, a long chain, bytes per node, against
micrograd and PyTorch. nn: bench_nn.py, micrograd's moons recipe in both engines (minutes in
micrograd) and the digits network to 95%. mnist: bench_mnist.py, a 784-50-10 training step
against the book's numpy network and PyTorch, its memory, and Fashion-MNIST to 85% test accuracy
(more options: python -m bench.bench_mnist --help; they may be given here too). microgpt:
bench_microgpt.py, Karpathy's microgpt training step as plain scalar code, on its own minimal
Value design and on zerograd's Value, with the losses compared step by step, and the memory of
a training loop whose user code makes cyclic garbage. cnn: bench_cnn.py, one step of the book's
SimpleConvNet at batch 100 against a numpy im2col network and PyTorch. gpt: bench_gpt.py, one
training step of the nn GPT against microgpt's plain code on its minimal Value, then the
1,000-step run on English names (not with --quick).
"""

import argparse
import sys

from bench import bench_cnn, bench_engine, bench_gpt, bench_microgpt, bench_mnist, bench_nn

DEFAULT_PARTS = ("engine", "microgpt", "nn", "mnist", "cnn", "gpt")
PARTS = DEFAULT_PARTS


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The parts to run and --quick; the other options are bench_mnist's."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("parts", nargs="*", metavar="part", help=f"any of {', '.join(PARTS)}")
    parser.add_argument("--quick", action="store_true", help="fewer rounds everywhere")
    args, rest = parser.parse_known_args(argv)
    unknown = [part for part in args.parts if part not in PARTS]
    if unknown:
        parser.error(f"unknown part {unknown[0]!r}; choose from {', '.join(PARTS)}")
    args.parts = args.parts or list(DEFAULT_PARTS)
    return args, rest + (["--quick"] if args.quick else [])


def main(argv: list[str]) -> int:
    """Run the chosen parts in order, then print the headline ratios of those that have them."""
    args, mnist_argv = parse(argv)
    mnist_args = bench_mnist.parse(mnist_argv)     # bad options fail here, before anything runs
    lines = []
    if "engine" in args.parts:
        print("== engine: zerograd vs micrograd (and PyTorch when installed) ==")
        lines += bench_engine.summary(bench_engine.run(args.quick))
    if "microgpt" in args.parts:
        print("\n== microgpt: its training step on its own minimal Value and on zerograd's ==")
        lines += bench_microgpt.summary(bench_microgpt.run(args.quick))
    if "nn" in args.parts:
        print("\n== training: the moons and digits recipes ==")
        bench_nn.main([])
    if "mnist" in args.parts:
        print("\n== MNIST scale: zerograd vs the book's numpy network, PyTorch, scikit-learn ==")
        lines += bench_mnist.summary(bench_mnist.run(mnist_args))
    if "cnn" in args.parts:
        print("\n== SimpleConvNet: zerograd vs a numpy im2col network and PyTorch ==")
        with bench_mnist.thread_limit(mnist_args.threads):
            lines += bench_cnn.summary(bench_cnn.run(3 if args.quick else 5))
    if "gpt" in args.parts:
        print("\n== GPT: nn's blocks vs microgpt's plain code on its minimal Value ==")
        lines += bench_gpt.summary(bench_gpt.run(args.quick, full=not args.quick))
    if lines:
        print("\n== summary (read the ratios, not the times) ==")
        print("\n".join(f"  {line}" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
