"""Batch Normalization (chapter 6): its graph node by node, and training with and without it.

    python -m demos.batchnorm [--lang ja] [--out DIR] [--epochs 20] [--scales 1 0.1 0.01 0.001]

(1) The graph of Batch Normalization for a batch of 4 samples and 3 features, drawn with every
value and gradient (out/batchnorm_graph.png): mean, centred value, variance, square root,
normalised value, scale and shift, each a node (the graph of Kratzert's blog), then the same
graph with each feature's Batch Normalization collapsed to one node (batchnorm_layer.png).
(2) The book's experiment (figures 6-18, 6-19): a network of 5 hidden layers of 100 relu
units (the book's MultiLayerNetExtend) trained on 1,000 of scikit-learn's 8x8 digits with SGD
(lr 0.01, batch 100), with and without Batch Normalization, for several scales of the initial
weights. With BN it learns fast for every scale; without it, only a well-scaled start learns.

Read next: `demos/dropout.py` (overfitting, and Dropout against it).
"""

from __future__ import annotations

import numpy as np

import autograd
import nn
from demos import book_parser, pad_left, picture_path, terminal_width
from viz.labels import CLI_TEXT, words

HIDDEN, LAYERS, SAMPLES, BATCH, LR = 100, 5, 1000, 100, 0.01
SCALES = (1.0, 0.1, 0.01, 0.001)


class BookNet(nn.Module):
    """The book's MultiLayerNetExtend: (Affine, [BatchNorm], relu, [Dropout]) per hidden layer,
    then an Affine giving the class scores. The weights start as normal(0, weight_scale), or
    He's normal(0, sqrt(2 / inputs)) without a scale."""

    output_activation = "identity"

    def __init__(self, sizes: list[int], weight_scale: float | None = None,
                 batchnorm: bool = False, dropout: float = 0.0, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.affines = [nn.Layer(sizes[i], sizes[i + 1], "identity", rng, name=f"L{i + 1}")
                        for i in range(len(sizes) - 1)]
        for affine in self.affines:              # He (the book's 'relu') unless a scale is given
            for neuron in affine.neurons:
                scale = weight_scale or np.sqrt(2.0 / len(neuron.w))
                for w in neuron.w:
                    w.data = float(rng.normal(0.0, scale))
        hidden = len(sizes) - 2
        self.norms = [nn.BatchNorm(sizes[i + 1], name=f"BN{i + 1}") for i in range(hidden)
                      ] if batchnorm else []
        self.drops = [nn.Dropout(dropout, seed=rng) for _ in range(hidden)] if dropout else []

    def forward(self, x: list) -> list:
        """The class scores for inputs x."""
        for i, affine in enumerate(self.affines[:-1]):
            x = affine(x)
            if self.norms:
                x = self.norms[i](x)
            x = [autograd.relu(v) for v in x]
            if self.drops:
                x = self.drops[i](x)
        return self.affines[-1](x)

    def parameters(self) -> list:
        """The affine layers' weights and biases, then the gammas and betas."""
        return [p for m in self.affines + self.norms for p in m.parameters()]


def batchnorm_graph(seed: int = 0):
    """The loss sum(out * dout) over Batch Normalization of 4 samples x 3 features, after its
    backward pass: (loss, the inputs, the BatchNorm layer). dout is a fixed upstream gradient."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=(4, 3)) * 2, 1)
    dout = np.round(rng.normal(size=(4, 3)), 1)
    inputs = [autograd.Value(x[:, j], name=f"x{j}") for j in range(3)]
    bn = nn.BatchNorm(3)
    out = bn(inputs)
    for j, y in enumerate(out):
        name_nodes(y, j)
    loss = autograd.sum([(y * dout[:, j].copy()).sum() for j, y in enumerate(out)])
    loss.backward(retain_grad=True)
    return loss, inputs, bn


def name_nodes(y, j: int) -> None:
    """Name the nodes of feature j's Batch Normalization as the book's backward names them."""
    scale = y.parents[0]                                  # y = scale + beta
    xn = scale.parents[1]                                 # scale = gamma * xn
    xc, std = xn.parents                                  # xn = xc / std
    var = std.parents[0].parents[0]                       # std = sqrt(var + eps)
    for node, name in ((y, "y"), (scale, "γx̂"), (xn, "x̂"), (std, "σ"), (var, "σ²"),
                       (xc, "xc"), (xc.parents[1], "μ")):
        node.name = f"{name}{j}"


def compare(scales, epochs: int, samples: int = SAMPLES, seed: int = 0) -> dict:
    """For each initial weight scale: the training accuracy per epoch with and without BN."""
    X, y = nn.data.digits()
    X, y = X[:samples], y[:samples]
    histories = {}
    for scale in scales:
        histories[scale] = {}
        for key, batchnorm in (("with", True), ("without", False)):
            model = BookNet([X.shape[1]] + [HIDDEN] * LAYERS + [10], scale, batchnorm, seed=seed)
            history = nn.fit(model, X, y, nn.softmax_cross_entropy,
                             nn.SGD(model.parameters(), lr=LR), epochs=epochs,
                             batch_size=BATCH, progress=False, seed=seed)
            histories[scale][key] = history["accuracy"]
    return histories


def accuracy_table(histories: dict, epochs: int, text: dict) -> str:
    """The last epoch's training accuracy with and without BN, one line per weight scale."""
    header = [text["bn table scale"], text["bn table with"], text["bn table without"]]
    widths = [max(minimum, terminal_width(title)) for minimum, title in zip((12, 8, 8), header)]
    lines = ["  ".join(pad_left(title, width) for title, width in zip(header, widths))
             + "   " + text["bn table note"].format(epoch=epochs)]
    for scale, curves in histories.items():
        cells = [f"{scale:g}", f"{curves['with'][-1]:.3f}", f"{curves['without'][-1]:.3f}"]
        lines.append("  ".join(pad_left(cell, width) for cell, width in zip(cells, widths)))
    return "\n".join(lines)


def draw_graphs(out: str, lang: str) -> list:
    """The BN graph in full and collapsed, as PNG files; returns their paths."""
    from viz import draw_graph
    loss, _, _ = batchnorm_graph()
    paths = []
    for name, collapse in (("batchnorm_graph", False), ("batchnorm_layer", ["batchnorm"])):
        path = picture_path(out, name, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        draw_graph(loss, lang=lang, collapse=collapse).render(
            str(path.with_suffix("")), format="png", cleanup=True)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Draw BN's graph; train with and without BN; print the table and draw the figure."""
    parser = book_parser("batchnorm", __doc__)
    parser.add_argument("--epochs", type=int, default=20, help="epochs per run (default 20)")
    parser.add_argument("--samples", type=int, default=SAMPLES, help="training digits (1000)")
    parser.add_argument("--scales", type=float, nargs="+", default=list(SCALES),
                        help="initial weight scales (default 1 0.1 0.01 0.001)")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.samples < BATCH or any(s <= 0 for s in args.scales):
        parser.error(f"--epochs must be >= 1, --samples >= {BATCH}, every scale > 0")
    wrote = CLI_TEXT[args.lang]["wrote"]
    for path in draw_graphs(args.out, args.lang):
        print(wrote.format(path=path))
    from viz.book_plots import plot_batchnorm_training
    histories = compare(args.scales, args.epochs, args.samples)
    print(accuracy_table(histories, args.epochs, words(args.lang)))
    path = picture_path(args.out, "batchnorm", args.lang)
    plot_batchnorm_training(histories, args.samples, LAYERS, HIDDEN, path, lang=args.lang)
    print(wrote.format(path=path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
