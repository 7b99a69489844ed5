"""`python -m bench` (or `make bench`): the engine benchmark, then the training benchmark."""

import sys

from bench import bench_engine, bench_nn

if __name__ == "__main__":
    print("== engine: zerograd vs micrograd (and PyTorch when installed) ==")
    bench_engine.main(sys.argv[1:])
    print("\n== training: the moons and digits recipes ==")
    sys.exit(bench_nn.main([]))
