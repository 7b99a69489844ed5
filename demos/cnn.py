"""A convolutional network on Fashion-MNIST (chapter 7): the book's SimpleConvNet, on Values.

    python -m demos.cnn                          # 6,000 training photos, 1 epoch (about 1.5 minutes)
    python -m demos.cnn --subset 60000           # every photo: 600 steps, about 7 minutes, 0.88
    python -m demos.cnn --lang ja                # pictures in Japanese

`nn.SimpleConvNet`: 30 filters of 5x5 slide over each 28x28 photo (each output pixel one
weighted-sum node; a filter's 25 weights are shared by all 576 positions, so their gradients
add up), relu, max pooling 2x2, a relu layer of 100 units and 10 class scores, trained with
Adam (lr 0.001) on minibatches of 100 photos and the softmax cross-entropy. A progress bar
shows the loss while it trains. It prints the test accuracy, and draws under out/: the loss
of each minibatch (cnn_loss.png), the 30 filters before and after training (cnn_filters.png,
the book's figure 7-24) and test photos it got wrong, named by their classes
(cnn_mistakes.png); first, a 4x4 image convolved with one 2x2 filter as a graph
(conv_graph.png): each weight is one Value used at all 9 positions, its gradient their sum.
The photos come from Debian's dataset-fashion-mnist (`make data`).

Read next: `bench/bench_cnn.py` (the same network against numpy's im2col and PyTorch).
"""

from __future__ import annotations

import sys
import time

import numpy as np

import nn
from demos import book_parser, picture_path
from demos.dropout import data_problem
from nn import data
from viz.labels import CLI_TEXT, words

SHOWN_MISTAKES = 24


def convolution_graph():
    """A 4x4 image (constants 0.0 .. 1.5) convolved with one 2x2 filter (w0,0,0 .. w0,1,1)
    and a bias: 9 output pixels, summed into L and backpropagated. Each weight is a parent of all 9
    dot nodes (drawn orange, "used 9x"), and its gradient is the sum of the 9 pixels under it.
    Returns (L, the image as a feature map, the Conv2d)."""
    import autograd
    image = np.arange(16.0).reshape(1, 4, 4) / 10
    fmap = nn.as_images(image)                    # the image: constants, drawn in grey
    conv = nn.Conv2d(1, 1, 2, seed=0)
    for w, value in zip(conv.filters[0], (0.5, -1.0, 1.0, 0.5)):
        w.data = value
    loss = autograd.sum([v for row in conv(fmap)[0] for v in row])
    loss.backward()
    return loss, fmap, conv


def draw_convolution(out: str, lang: str):
    """The 4x4-by-2x2 convolution graph as a PNG; returns its path."""
    from viz import draw_graph
    path = picture_path(out, "conv_graph", lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    draw_graph(convolution_graph()[0], lang=lang, precision=3).render(
        str(path.with_suffix("")), format="png", cleanup=True)
    return path


def parse(argv):
    """The command line (see the module docstring)."""
    parser = book_parser("cnn", __doc__)
    parser.add_argument("--subset", type=int, default=6000, help="training photos (6000)")
    parser.add_argument("--test-subset", type=int, default=2000, help="test photos (2000)")
    parser.add_argument("--epochs", type=int, default=1, help="epochs (default 1)")
    parser.add_argument("--batch-size", type=int, default=100, help="minibatch size (100)")
    parser.add_argument("--lr", type=float, default=0.001, help="Adam's learning rate (0.001)")
    parser.add_argument("--filters", type=int, default=30, help="filters of 5x5 (30)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and batches")
    parser.add_argument("--folder", help=f"the IDX files (default {data.FASHION_MNIST_FOLDER})")
    args = parser.parse_args(argv)
    for name in ("subset", "test_subset", "epochs", "batch_size", "filters"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def load(args):
    """(X_train, y_train, X_test, y_test) as images (N, 1, 28, 28), stratified subsets."""
    X, y, X_test, y_test = data.fashion_mnist(args.folder)
    X, y = data.first_per_class(X, y, args.subset) if args.subset < len(y) else (X, y)
    if args.test_subset < len(y_test):
        X_test, y_test = data.first_per_class(X_test, y_test, args.test_subset)
    return X.reshape(-1, 1, 28, 28), y, X_test.reshape(-1, 1, 28, 28), y_test


def train(model: nn.SimpleConvNet, X, y, args) -> list[float]:
    """Adam on minibatches, a progress bar per step; returns the loss of every step."""
    optimizer, losses = nn.Adam(model.parameters(), lr=args.lr), []
    steps, text = args.epochs * -(-len(y) // args.batch_size), words(args.lang)
    bar = progress_bar(steps, text)
    model.train()
    for epoch in range(args.epochs):
        for X_batch, y_batch in data.batches(X, y, args.batch_size, shuffle=True,
                                             seed=args.seed + epoch):
            loss = nn.softmax_cross_entropy(model(nn.as_images(X_batch)), y_batch)
            model.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.data)
            show(bar, len(losses), steps, loss.data, text)
    if bar is not None:
        bar.close()
    return losses


def progress_bar(steps: int, text: dict):
    """A tqdm bar over the steps (a widget in a notebook, text in a terminal), or None where
    nobody watches (a pipe, a log file) or without tqdm: then a line every 10 steps."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    if not (sys.stderr.isatty() or nn.training.in_notebook()):
        return None
    return tqdm(total=steps, desc=text["cnn bar"], unit="step", file=sys.stderr)


def show(bar, step: int, steps: int, loss: float, text: dict) -> None:
    """One step on the bar, or a line in text's language every 10 steps without one."""
    if bar is not None:
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.4f}")
    elif step % 10 == 0 or step == steps:
        print(text["cnn progress"].format(step=step, steps=steps, loss=loss), flush=True)


def draw(model, before, losses, X_test, y_test, predicted, args) -> None:
    """The loss curve, the filters before and after, and the first mistakes."""
    from viz.book_plots import plot_filters, plot_loss_curve
    from viz.plots import plot_digit_grid
    paths = [picture_path(args.out, name, args.lang)
             for name in ("cnn_loss", "cnn_filters", "cnn_mistakes")]
    plot_loss_curve(losses, args.batch_size, paths[0], lang=args.lang,
                    every=max(1, min(20, len(losses) // 5)))
    plot_filters(before, model.conv.weight_array(), paths[1], lang=args.lang)
    wrong = np.flatnonzero(predicted != y_test)[:SHOWN_MISTAKES]
    plot_digit_grid(X_test[wrong].reshape(len(wrong), -1), predicted[wrong], y_test[wrong],
                    paths[2], shape=(28, 28), columns=6, lang=args.lang,
                    class_names=data.FASHION_CLASSES)
    for path in paths:
        print(CLI_TEXT[args.lang]["wrote"].format(path=path))


def main(argv: list[str] | None = None) -> int:
    """Train SimpleConvNet, test it, draw; 0, or 2 without the Fashion-MNIST files."""
    args = parse(argv)
    text = words(args.lang)
    print(CLI_TEXT[args.lang]["wrote"].format(path=draw_convolution(args.out, args.lang)))
    try:
        X, y, X_test, y_test = load(args)
    except (FileNotFoundError, ValueError) as error:
        print(data_problem("demos.cnn", error, text), file=sys.stderr)
        return 2
    model = nn.SimpleConvNet(filters=args.filters, seed=args.seed)
    before = model.conv.weight_array()
    print(text["cnn setup"].format(model=model, parameters=len(model.parameters()),
                                   train=len(y), test=len(y_test)))
    start = time.perf_counter()
    losses = train(model, X, y, args)
    print(text["cnn trained"].format(steps=len(losses), seconds=time.perf_counter() - start))
    predicted = np.concatenate([nn.predict(model, X_test[i:i + 500])
                                for i in range(0, len(y_test), 500)])
    print(text["cnn test accuracy"].format(accuracy=np.mean(predicted == y_test),
                                           n=len(y_test)))
    draw(model, before, losses, X_test, y_test, predicted, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
