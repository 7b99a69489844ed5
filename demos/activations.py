"""Saturation: how much gradient sigmoid and tanh pass back for large inputs, and the plot of
sigmoid, tanh, relu and step with their derivatives.

    python -m demos.activations [--lang ja] [--out DIR]   # table, out/activations.png

For a large |x| the output is flat, so the derivative (z(1-z) for sigmoid, 1-t² for tanh) is
almost 0: a neuron stuck there barely learns. The engine stays finite even at x = ±255.

Read next: `demos/vanishing_gradients.py` (the same effect, multiplied layer after layer).
"""

from __future__ import annotations

import autograd
import viz
from demos import book_parser, pad_left, picture_path, terminal_width
from viz.labels import CLI_TEXT, words

INPUTS = [255.0, 150.0, 100.0, 10.0, 0.0, -10.0, -100.0, -150.0, -255.0]


def value_and_gradient(function, x: float) -> tuple[float, float]:
    """function(x) and d function / dx, both from the engine."""
    leaf = autograd.Value(x)
    output = function(leaf)
    [slope] = autograd.grad(output, [leaf])
    return output.data, slope


def saturation_table(inputs: list[float], lang: str = "en") -> str:
    """Value and gradient of sigmoid and tanh at each input, in aligned columns."""
    gradient = pad_left(words(lang)["activations gradient"], 12)
    lines = [f"{'x':>7} | {'sigmoid(x)':>12} {gradient} | {'tanh(x)':>12} {gradient}"]
    lines.append("-" * terminal_width(lines[0]))
    for x in inputs:
        s, ds = value_and_gradient(autograd.sigmoid, x)
        t, dt = value_and_gradient(autograd.tanh, x)
        lines.append(f"{x:>7g} | {s:>12.6g} {ds:>12.4g} | {t:>12.6g} {dt:>12.4g}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the saturation table and write the activation plot; returns 0."""
    args = book_parser("activations", __doc__).parse_args(argv)
    print(saturation_table(INPUTS, args.lang))
    print("\n" + words(args.lang)["activations largest"])
    path = picture_path(args.out, "activations", args.lang)
    viz.plot_activations(path, lang=args.lang)
    print(CLI_TEXT[args.lang]["wrote"].format(path=path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
