"""The micrograd lecture's network on a projector: MLP(2, [16, 16, 1]) on one sample.

    python -m demos.lecture_mlp [--lang ja] [--layers 16,16,1] [--out out]

writes out/lecture_mlp.png (draw_graph in the layer view: each layer a column of neurons, the
weights between two layers one box "W2 16×16" with the heat map of their gradients) and
out/lecture_mlp.html (the stepper page of the same graph, opened on the layer view: click a
weight box, then a weight, to follow it to the loss with the chain rule written out).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nn
import viz
from autograd import Value
from viz.labels import CLI_TEXT, words

POINT = (0.5, -1.0)      # one sample, as in the lecture
TARGET = 1.0


def lecture_loss(layers: list[int], seed: int = 0) -> Value:
    """(MLP(2, layers)(x) - 1)² at x = (0.5, -1), its inputs named x0 and x1, backpropagated."""
    model = nn.MLP(2, layers, seed=seed)
    x = [Value(POINT[0], name="x0"), Value(POINT[1], name="x1")]
    loss = (model(x) - TARGET) ** 2
    loss.name = "loss"
    loss.backward()
    return loss


def main(argv: list[str] | None = None) -> int:
    """Write the layer-view picture and the stepper page; returns 0."""
    parser = argparse.ArgumentParser(prog="python -m demos.lecture_mlp", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", default="en", choices=["en", "ja"])
    parser.add_argument("--layers", default="16,16,1", help="layer widths (default 16,16,1)")
    parser.add_argument("--out", default="out", help="folder for the files (default out)")
    args = parser.parse_args(argv)
    layers = [int(width) for width in args.layers.split(",")]
    loss = lecture_loss(layers)
    suffix = "_ja" if args.lang == "ja" else ""
    out = Path(args.out)
    picture = viz.render(loss, out / f"lecture_mlp{suffix}.png", format="png", collapse=True,
                         lang=args.lang)
    page = viz.stepper(loss, collapse=True, lang=args.lang)
    page = page.save(out / f"lecture_mlp{suffix}.html")
    print(words(args.lang)["lecture loss"].format(layers=layers, loss=loss.data))
    for path in (picture, page):
        print(CLI_TEXT[args.lang]["wrote"].format(path=path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
