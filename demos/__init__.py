"""Demos: small programs that print and draw what the engine does (`python -m demos.NAME`).

Each demo has `main(argv=None) -> int`, writes its pictures under `out/`, and prints where.

The book's figures, drawn from zerograd's backward pass (each takes `--lang ja` and `--out DIR`):
- `gradient_descent`  chapter 4: descent on x0² + x1², the path over the contour lines
- `shopping`          chapter 5: the apple (and orange) shopping graphs, values and gradients
- `optimizers`        chapter 6: SGD, Momentum, AdaGrad and Adam on x²/20 + y²
- `weight_init`       chapter 6: each layer's activations for four initial weight scales
- `batchnorm`         chapter 6: Batch Normalization's graph node by node, and training with and
                      without it for several initial weight scales
- `dropout`           chapter 6: overfitting on 300 photos, cured by weight decay and Dropout
- `cnn`               chapter 7: the book's SimpleConvNet trained on Fashion-MNIST, its filters
                      before and after, its mistakes
- `higher_order`      DeZero steps 33-36: tanh's derivatives up to the 4th by
                      grad(create_graph=True), their graphs, Newton's method on x⁴ − 2x²
"""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path


def book_parser(program: str, description: str) -> argparse.ArgumentParser:
    """The options every book-figure demo takes: --lang (en or ja) and --out (a folder)."""
    parser = argparse.ArgumentParser(prog=f"python -m demos.{program}", description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=("en", "ja"), default="en",
                        help="the language of the pictures and the printout (default en)")
    parser.add_argument("--out", default="out", help="folder for the pictures (default out)")
    return parser


def picture_path(out: str | Path, name: str, lang: str) -> Path:
    """out/name.png, or out/name_ja.png in Japanese, so both languages can sit side by side."""
    return Path(out) / (f"{name}.png" if lang == "en" else f"{name}_{lang}.png")


def pad(text: str, columns: int) -> str:
    """text padded with spaces to `columns` terminal columns (a kana or kanji takes two)."""
    return text + " " * max(0, columns - terminal_width(text))


def pad_left(text: str, columns: int) -> str:
    """text right-aligned in `columns` terminal columns: spaces before it (kana take two)."""
    return " " * max(0, columns - terminal_width(text)) + text


def terminal_width(text: str) -> int:
    """How many terminal columns text takes: two for each wide (East Asian) character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
