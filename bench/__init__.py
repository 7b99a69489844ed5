"""Benchmarks: how fast zerograd trains. Run `python -m bench.bench_nn` (moons against micrograd,
and digits to 95% test accuracy)."""
