"""Vanishing gradients: the same deep network with sigmoid, tanh or relu, and how large the
gradient of each layer's weights is.

    python -m demos.vanishing_gradients    # table on screen, picture in out/vanishing_gradients.png
    python -m demos.vanishing_gradients --lang ja   # in Japanese: out/vanishing_gradients_ja.png

Backprop multiplies one activation derivative per layer. sigmoid's is at most 0.25, so the
gradient shrinks layer after layer on its way back to the input; tanh's is at most 1 and
relu's is exactly 1 where a unit is on, so they keep it alive much longer.
The network is 10 layers of 10 units built directly from autograd Values, with weights drawn
from a seeded numpy generator (the same weights for every activation). With only 10 units a
layer, some seeds switch off every relu unit of a layer: then nothing gets a gradient at all.

Read next: the nn package, where layers like these are modules.
"""

from __future__ import annotations

import numpy as np

import autograd
import viz
from autograd import Value
from demos import book_parser, pad, picture_path
from viz.labels import CLI_TEXT, words

ACTIVATIONS = {"sigmoid": autograd.sigmoid, "tanh": autograd.tanh, "relu": autograd.relu}


def make_weights(layers: int, width: int, seed: int) -> list[np.ndarray]:
    """One width×width matrix per layer, normal with variance 2/width (He's scale for relu)."""
    rng = np.random.default_rng(seed)
    return [rng.normal(0.0, np.sqrt(2.0 / width), size=(width, width)) for _ in range(layers)]


def gradient_magnitudes(activation, weights: list[np.ndarray], inputs: np.ndarray
                        ) -> list[float]:
    """Mean |d output / d weight| for each layer, the layer next to the input first."""
    return run_network(activation, weights, inputs)[1]


def run_network(activation, weights: list[np.ndarray], inputs: np.ndarray
                ) -> tuple[list[np.ndarray], list[float]]:
    """Each layer's activations (units × samples) and mean |d output / d weight|, layer 1 first.

    inputs is one sample (a vector) or a batch (features × samples: each row becomes one batch
    Value, so the whole batch goes through one graph). The output is the sum of the last
    layer's units, averaged over the batch.
    """
    layers = [[[Value(w) for w in row] for row in matrix] for matrix in weights]
    hidden, activations = [Value(x) for x in inputs], []
    for layer in layers:
        hidden = [activation(autograd.sum([w * h for w, h in zip(row, hidden)]))
                  for row in layer]
        activations.append(np.array([h.data for h in hidden]))
    autograd.sum(hidden).mean().backward()
    magnitudes = [float(np.mean([abs(w.grad) for row in layer for w in row])) for layer in layers]
    return activations, magnitudes


def magnitude_table(magnitudes: dict[str, list[float]], lang: str = "en") -> str:
    """One row per layer, one column per activation."""
    names = list(magnitudes)
    width = max(12, *(len(name) + 2 for name in names))
    lines = [pad(words(lang)["vanishing layer"], 6) + "".join(f"{name:>{width}}" for name in names)]
    for layer in range(len(magnitudes[names[0]])):
        lines.append(f"{layer + 1:>5} " + "".join(f"{magnitudes[name][layer]:>{width}.3e}"
                                                   for name in names))
    return "\n".join(lines)


def ratio_text(magnitudes: list[float], lang: str = "en") -> str:
    """How the first layer's gradient compares with the last layer's."""
    text = words(lang)
    if magnitudes[-1] == 0.0:
        return text["vanishing dead"]
    return text["vanishing ratio"].format(ratio=magnitudes[0] / magnitudes[-1],
                                          last=len(magnitudes))


def main(argv: list[str] | None = None) -> int:
    """Print the per-layer gradient magnitudes and plot them; returns 0."""
    parser = book_parser("vanishing_gradients", __doc__)
    parser.add_argument("--layers", type=int, default=10)
    parser.add_argument("--width", type=int, default=10)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    weights = make_weights(args.layers, args.width, args.seed)
    inputs = np.random.default_rng(args.seed + 1).normal(size=args.width)
    magnitudes = {name: gradient_magnitudes(activation, weights, inputs)
                  for name, activation in ACTIVATIONS.items()}
    print(words(args.lang)["vanishing title"])
    print(magnitude_table(magnitudes, args.lang))
    for name, values in magnitudes.items():
        print(f"{name:>8}: {ratio_text(values, args.lang)}")
    path = picture_path(args.out, "vanishing_gradients", args.lang)
    viz.plot_gradient_magnitudes(magnitudes, path, lang=args.lang)
    print(CLI_TEXT[args.lang]["wrote"].format(path=path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
