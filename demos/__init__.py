"""Demos: small programs that print and draw what the engine does (`python -m demos.NAME`).

Each demo has `main(argv=None) -> int`, writes its pictures under `out/`, and prints where.
"""
