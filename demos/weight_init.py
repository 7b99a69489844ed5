"""The initial weights decide what reaches the deep layers: chapter 6's activation histograms,
computed with zerograd, next to each layer's gradient magnitude.

    python -m demos.weight_init [--lang ja] [--out DIR]   # table, out/weight_init.png

As in the book, 1,000 random inputs (100 features, standard normal) go through 5 layers of 100
units with no bias, four times: sigmoid with weights of standard deviation 1 (the activations
pile up at 0 and 1, where sigmoid's slope vanishes), sigmoid with std 0.01 (all near 0.5: every
unit says the same thing), sigmoid with Xavier's std 1/√n (spread out in every layer), and relu
with He's std √(2/n). The four settings scale the same seeded standard-normal draws.

The whole batch goes through one scalar graph (each feature is a Value holding 1,000 samples;
`demos/vanishing_gradients.run_network` builds it and takes the gradients with backward): about
50,000 nodes per setting, a second or two and about 1.3 GB each, one setting after another.

Read next: `demos/vanishing_gradients.py` (the gradients per layer, on a deeper, thinner net).
"""

from __future__ import annotations

import time

import numpy as np

import autograd
from demos import book_parser, pad, picture_path
from demos.vanishing_gradients import magnitude_table, run_network
from viz.book_plots import plot_activation_histograms
from viz.labels import CLI_TEXT, words

# (activation, initial weights): a number is the weights' standard deviation
SETTINGS = [("sigmoid", 1), ("sigmoid", 0.01), ("sigmoid", "xavier"), ("relu", "he")]
SAMPLES, FEATURES, LAYERS, SEED = 1000, 100, 5, 0


def weight_std(init: float | str, n_inputs: int) -> float:
    """The standard deviation of the initial weights: a number, Xavier's or He's."""
    if init == "xavier":
        return 1.0 / np.sqrt(n_inputs)          # keeps the variance through sigmoid and tanh
    if init == "he":
        return np.sqrt(2.0 / n_inputs)          # relu zeroes half its inputs: twice as much
    return float(init)


def setting_label(activation: str, init: float | str, text: dict) -> str:
    """'sigmoid\nweight std 1', 'relu\nHe: std √(2/n)', ... (two lines) in text's language."""
    if init in ("xavier", "he"):
        return text[f"init {init}"].format(activation=activation)
    return text["init std"].format(activation=activation, std=init)


def layer_activations(activation: str, init: float | str, samples: int = SAMPLES,
                      units: int = FEATURES, layers: int = LAYERS, seed: int = SEED
                      ) -> tuple[list[np.ndarray], list[float]]:
    """Each layer's activations (units × samples) and mean |gradient| of its weights."""
    inputs = np.random.default_rng(seed).normal(size=(samples, units)).T   # features × samples
    draws = np.random.default_rng(seed + 1).normal(size=(layers, units, units))
    weights = list(draws * weight_std(init, units))
    return run_network(getattr(autograd, activation), weights, inputs)


def summary_table(activations: dict[str, list[np.ndarray]], text: dict) -> str:
    """One line per setting: each layer's mean ± std of the activations, then the setting."""
    count = len(next(iter(activations.values())))
    lines = ["  ".join(pad(text["layer n"].format(layer=layer), 9)
                       for layer in range(1, count + 1)).rstrip()]
    lines += ["  ".join(f"{a.mean():.2f}±{a.std():.2f}" for a in layers) + "  " + one_line(name)
              for name, layers in activations.items()]
    return "\n".join(lines)


def one_line(label: str) -> str:
    """A two-line setting label on one line, for the terminal."""
    return label.replace("\n", ", ")


def main(argv: list[str] | None = None) -> int:
    """Run the four settings, print the tables and draw the histograms; returns 0."""
    parser = book_parser("weight_init", __doc__)
    parser.add_argument("--samples", type=int, default=SAMPLES, help="inputs (default 1000)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the inputs and weights")
    args = parser.parse_args(argv)
    text = words(args.lang)
    activations, magnitudes = {}, {}
    for activation, init in SETTINGS:
        start = time.perf_counter()
        name = setting_label(activation, init, text)
        activations[name], magnitudes[name] = layer_activations(
            activation, init, samples=args.samples, seed=args.seed)
        print(text["weight init time"].format(setting=one_line(name),
                                              seconds=time.perf_counter() - start))
    print(text["activation summary"] + ":", summary_table(activations, text), sep="\n")
    short = [f"{activation} {str(init).capitalize()}" for activation, init in SETTINGS]
    print(text["gradient per layer"] + ":",
          magnitude_table(dict(zip(short, magnitudes.values())), args.lang), sep="\n")
    path = picture_path(args.out, "weight_init", args.lang)
    plot_activation_histograms(activations, magnitudes, path, lang=args.lang)
    print(CLI_TEXT[args.lang]["wrote"].format(path=path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
