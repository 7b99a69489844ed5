"""MNIST: the digits demo's network on the real 28x28 MNIST images, read from files you have.

    python -m demos.mnist FOLDER                 # FOLDER holds the four MNIST IDX files
    python -m demos.mnist FOLDER --limit 60000   # all 60,000 (about 45 s an epoch)
    python -m demos.mnist FOLDER --lang ja       # in Japanese (out/mnist_history_ja.png, ...)

FOLDER must contain train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
and t10k-labels-idx1-ubyte (each may end in .gz); nothing is downloaded. The network is the
one of `demos/digits.py` with 784 inputs. A scalar engine builds a node per multiplication,
so by default it trains on the first 10,000 images for 3 epochs (about 30 s in all);
the test uses all of the test images. Without the files it says what is missing and exits
with status 2.

Read next: `bench/bench_nn.py` (how fast all of this runs).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nn
from demos import book_parser
from nn import data
from viz.labels import words

from .digits import build_model, report, train


def load(folder: str | None, lang: str = "en"):
    """The four MNIST arrays, or None after printing why they could not be read (in lang)."""
    text, files = words(lang), ", ".join(data.MNIST_FILES.values())
    if folder is None:
        print(text["mnist usage"].format(files=files), file=sys.stderr)
        return None
    try:
        return data.mnist(folder)
    except FileNotFoundError:
        print(missing_files_message(Path(folder), text), file=sys.stderr)
    except ValueError as error:
        print(text["mnist error"].format(error=error), file=sys.stderr)
    return None


def missing_files_message(folder: Path, text: dict) -> str:
    """One line naming the MNIST files that are not in folder (each once), or the folder."""
    if not folder.is_dir():
        return text["mnist no folder"].format(folder=folder,
                                              files=", ".join(data.MNIST_FILES.values()))
    missing = [name for name in data.MNIST_FILES.values()
               if not (folder / name).is_file() and not (folder / f"{name}.gz").is_file()]
    return text["mnist missing"].format(folder=folder, files=", ".join(missing))


def main(argv: list[str] | None = None) -> int:
    """Train on MNIST from FOLDER and test on its test set; returns 0, or 2 without the files."""
    parser = book_parser("mnist", __doc__)
    parser.add_argument("folder", nargs="?", help="folder holding the four MNIST IDX files")
    parser.add_argument("--limit", type=int, default=10_000, help="training images to use")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    text = words(args.lang)
    arrays = load(args.folder, args.lang)
    if arrays is None:
        return 2
    X_train, y_train, X_test, y_test = arrays
    X_train, y_train = X_train[:args.limit], y_train[:args.limit]
    model = build_model(X_train.shape[1], args.seed)
    print(text["digits setup"].format(model=model, train=len(X_train), test=len(X_test)))
    start = time.perf_counter()
    history = train(model, X_train, y_train, X_test, y_test, args.epochs)
    print(text["mnist trained"].format(epochs=args.epochs, seconds=time.perf_counter() - start))
    report(model, X_test, y_test, history, Path(args.out), "mnist", (28, 28), args.lang)
    print(f"accuracy={nn.accuracy(model, X_test, y_test):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
