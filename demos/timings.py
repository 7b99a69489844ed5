"""How long each demo takes on this machine: the figures in the README's table of demos.

    python -m demos.timings                  # every demo, one after the other (about 20 minutes)
    python -m demos.timings moons digits     # only these

Each demo runs as a learner runs it (`python -m demos.NAME`, default options) in a fresh
process whose working folder is a new temporary one, so its pictures go there and nothing in
`out/` changes. demos.mnist needs MNIST files; it is timed on Debian's Fashion-MNIST files,
which have the same format. The table gives the wall-clock time of the whole run (start-up,
data, training, pictures), rounded; on a shared machine it varies by a third or more.

Read next: `demos/__main__.py` (the guided tour that `make demo` runs).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nn import data

ROOT = Path(__file__).resolve().parent.parent
NOT_DEMOS = {"__init__", "__main__", "timings"}
TIME_LIMIT = 1800                              # seconds: a demo that runs longer is reported


def demo_names() -> list[str]:
    """Every demo module (demos/NAME.py), in alphabetical order."""
    return sorted(path.stem for path in (ROOT / "demos").glob("*.py")
                  if path.stem not in NOT_DEMOS)


def command(name: str) -> list[str]:
    """The command a learner types for the demo (with the one argument demos.mnist needs)."""
    extra = [str(data.FASHION_MNIST_FOLDER)] if name == "mnist" else []
    return [sys.executable, "-m", f"demos.{name}", *extra]


def time_demo(name: str) -> tuple[float, int]:
    """(seconds, exit status) of one run of the demo in a fresh temporary folder."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    with tempfile.TemporaryDirectory(prefix=f"demo-{name}-") as folder:
        start = time.perf_counter()
        try:
            status = subprocess.run(command(name), cwd=folder, env=environment,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    timeout=TIME_LIMIT).returncode
        except subprocess.TimeoutExpired:
            status = -1
        return time.perf_counter() - start, status


def shown(seconds: float) -> str:
    """A time as the README gives it: "8 s", "2 min 40 s"."""
    if seconds < 60:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def main(argv: list[str] | None = None) -> int:
    """Time the demos named (default all) and print a table; 1 if any failed."""
    parser = argparse.ArgumentParser(prog="python -m demos.timings", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"demos (default all: {' '.join(demo_names())})")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(demo_names()))
    if unknown:
        parser.error(f"no demo named {', '.join(unknown)}; the demos are {', '.join(demo_names())}")
    failed = 0
    print("| demo | time |\n|---|---|", flush=True)
    for name in args.names or demo_names():
        seconds, status = time_demo(name)
        failed += status != 0
        note = "" if status == 0 else (" (time limit)" if status == -1 else f" (exit {status})")
        print(f"| `demos.{name}` | {shown(seconds)}{note} |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
