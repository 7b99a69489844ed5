"""Benchmarks: how fast zerograd runs and trains. `python -m bench` runs every part (engine, nn,
mnist; name some to run only those): bench_engine.py, bench_nn.py, bench_mnist.py."""
