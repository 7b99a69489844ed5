"""The figures of ゼロから作るDeep Learning, drawn from zerograd's numbers: a descent path over
contour lines (chapter 4), the optimizers side by side on one function (chapter 6), the
histograms of each layer's activations for different initial weights (chapter 6), training
with and without Batch Normalization and overfitting cured by weight decay and Dropout (chapter
6), the first convolution layer's filters and a CNN's loss curve (chapter 7), and tanh with its
higher-order derivatives (volume 3, step 35).

Like `plots.py` (whose private helpers these use), every function returns a matplotlib
`Figure`, writes a PNG or SVG when given a `path`, and writes its words in English or Japanese
(`lang="ja"`, from `labels.TEXT`). The numbers come from the caller: the demos compute them
with zerograd's backward pass (`demos/gradient_descent.py`, `demos/optimizers.py`,
`demos/weight_init.py`, `demos/batchnorm.py`, `demos/dropout.py`, `demos/cnn.py`,
`demos/higher_order.py`).

Read next: `presets.py` (chapter 5's shopping graphs, ready to draw).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from .labels import words
from .plots import _draw_gradient_magnitudes, _figure, _finish

Function2D = Callable[[np.ndarray, np.ndarray], np.ndarray]   # f(X, Y) on numpy grids
PATH_COLOR, START_COLOR, CONTOUR_COLOR = "#c0392b", "#1f5fbf", "#8a8a8a"
TITLE_SIZE, LABEL_SIZE = 16, 13


def point_text(point) -> str:
    """(-3, 4): a point as a learner writes it, with a real minus sign."""
    return "(" + ", ".join(f"{float(x):g}".replace("-", "−") for x in point) + ")"


# ---------------------------------------------------------------------- chapter 4

def plot_descent_path(points: np.ndarray, function: Function2D, formula: str, lr: float,
                      path: str | Path | None = None, lang: str = "en"):
    """The points of a gradient descent (one row per step, the start first) over the contour
    lines of function, with the start and the minimum (0, 0) marked (the book's figure 4-10)."""
    text, points = words(lang), np.asarray(points, dtype=float)
    figure = _figure((8, 8.4))
    axis = figure.subplots()
    span = 1.15 * np.abs(points).max()
    _contours(axis, function, (-span, span), (-span, span), 10, text["contour"], labels=True)
    _path(axis, points, text, markersize=7)
    axis.set_aspect("equal")
    axis.set_xlabel("x0", fontsize=LABEL_SIZE)
    axis.set_ylabel("x1", fontsize=LABEL_SIZE)
    axis.tick_params(labelsize=LABEL_SIZE - 1)
    axis.set_title(text["descent title"].format(formula=formula) + "\n" +
                   text["descent subtitle"].format(lr=lr, steps=len(points) - 1,
                                                   start=point_text(points[0])),
                   fontsize=TITLE_SIZE)
    axis.legend(loc="lower right", fontsize=LABEL_SIZE - 1, framealpha=0.95)
    return _finish(figure, path)


def _contours(axis, function: Function2D, xlim, ylim, levels, legend: str,
              labels: bool = False) -> None:
    """function's contour lines (numbered when labels), and an entry for them in the legend."""
    xs, ys = np.linspace(*xlim, 400), np.linspace(*ylim, 400)
    X, Y = np.meshgrid(xs, ys)
    lines = axis.contour(X, Y, function(X, Y), levels=levels, colors=CONTOUR_COLOR,
                         linewidths=1.0)
    if labels:
        axis.clabel(lines, fontsize=11, fmt="%g", colors="#505050")
    axis.plot([], [], color=CONTOUR_COLOR, label=legend)
    axis.set(xlim=xlim, ylim=ylim)


def _path(axis, points: np.ndarray, text: dict, markersize: float) -> None:
    """The path with a marker per point, its start as a square, the minimum as a cross."""
    axis.plot(points[:, 0], points[:, 1], "o-", color=PATH_COLOR, markersize=markersize,
              linewidth=1.5, label=text["path"])
    axis.plot(*points[0], "s", color=START_COLOR, markersize=markersize + 5,
              label=text["start"].format(point=point_text(points[0])), zorder=3)
    axis.plot(0, 0, "P", color="black", markersize=markersize + 7,
              label=text["minimum"].format(point=point_text((0, 0))), zorder=3)


# ---------------------------------------------------------------------- chapter 6

def plot_optimizer_paths(paths: dict[str, np.ndarray], rates: dict[str, float],
                         function: Function2D, formula: str, path: str | Path | None = None,
                         lang: str = "en"):
    """One panel per optimizer: its path (one marker per step) over function's contour lines,
    on the same axes and the same contour levels (the book's figure 6-8). y is stretched, as in
    the book, so the zigzags show; the outermost contour line goes through the start."""
    text = words(lang)
    if len({tuple(points[0]) for points in paths.values()}) > 1:
        raise ValueError("every path must start at the same point")
    everything = np.concatenate(list(paths.values()))
    xlim = _limits(everything[:, 0], 10.0)
    ylim = _limits(everything[:, 1], 3.0)
    start = np.asarray(next(iter(paths.values()))[0])
    levels = function(*start) * 0.5 ** np.arange(7)[::-1]   # the outermost through the start
    rows = -(-len(paths) // 2)
    figure = _figure((16, 4.6 * rows + 1.0))
    axes = figure.subplots(rows, 2, squeeze=False, sharex=True, sharey=True)
    for axis, (name, points) in zip(axes.flat, paths.items()):
        _contours(axis, function, xlim, ylim, levels, text["contour"])
        _path(axis, np.asarray(points), text, markersize=6)
        axis.set_title(text["optimizer panel"].format(name=name, lr=rates[name]),
                       fontsize=TITLE_SIZE)
        axis.tick_params(labelsize=LABEL_SIZE - 1)
    _label_panels(axes, len(paths))
    steps = max(len(points) for points in paths.values()) - 1
    figure.suptitle(text["optimizers title"].format(steps=steps, formula=formula,
                                                    start=point_text(start)),
                    fontsize=TITLE_SIZE + 2)
    return _finish(figure, path)


def _label_panels(axes, used: int) -> None:
    """x under the bottom row, y left of the first column, the legend in the first panel."""
    for axis in axes[-1]:
        axis.set_xlabel("x", fontsize=LABEL_SIZE)
    for axis in axes[:, 0]:
        axis.set_ylabel("y", fontsize=LABEL_SIZE)
    for axis in list(axes.flat)[used:]:
        axis.axis("off")
    axes.flat[0].legend(loc="upper right", fontsize=LABEL_SIZE - 2, framealpha=0.95)


def _limits(values: np.ndarray, at_least: float) -> tuple[float, float]:
    """Symmetric limits around 0 that hold values with a margin, and at least ±at_least."""
    reach = max(at_least, 1.1 * np.abs(values).max())
    return -reach, reach


def plot_activation_histograms(activations: dict[str, list[np.ndarray]],
                               magnitudes: dict[str, list[float]] | None = None,
                               path: str | Path | None = None, lang: str = "en",
                               bins: int = 30):
    """One row per setting, one histogram per layer (the book's figures 6-10 to 6-14); with
    magnitudes, the mean |gradient| per layer of every setting in a panel on the right.

    activations maps a setting's name (it may hold a line break) to its layers' activations,
    each an array of units × samples. Activations inside [0, 1] (sigmoid) are drawn on [0, 1];
    others (relu) on [0, their max].
    When one bar is over 3 times the next tallest (relu's zeros), it is cut off and labelled
    with its share of the values.
    """
    text = words(lang)
    rows, columns = len(activations), max(len(layers) for layers in activations.values())
    width = 3.0 * columns + (6.5 if magnitudes else 0)
    figure = _figure((width, 2.7 * rows + 1.0))
    grid = figure.add_gridspec(rows, columns + (2 if magnitudes else 0))
    for row, (name, layers) in enumerate(activations.items()):
        axes = [figure.add_subplot(grid[row, column]) for column in range(len(layers))]
        _histogram_row(axes, name, layers, text, bins, first=row == 0, last=row == rows - 1)
    if magnitudes:
        _gradient_panel(figure.add_subplot(grid[:, columns:]), magnitudes, text)
    samples, units = activations[next(iter(activations))][0].shape[::-1]
    figure.suptitle(text["histograms title"].format(samples=f"{samples:,}", layers=columns,
                                                    units=units), fontsize=TITLE_SIZE + 2)
    return _finish(figure, path)


def _gradient_panel(axis, magnitudes: dict[str, list[float]], text: dict) -> None:
    """plots.plot_gradient_magnitudes' lines on axis, a setting's name on one line each."""
    one_line = {name.replace("\n", ", "): values for name, values in magnitudes.items()}
    _draw_gradient_magnitudes(axis, one_line, text, fontsize=LABEL_SIZE - 2)
    axis.title.set_fontsize(TITLE_SIZE)
    for label in (axis.xaxis.label, axis.yaxis.label):
        label.set_fontsize(LABEL_SIZE)
    axis.tick_params(labelsize=LABEL_SIZE - 2)


def _histogram_row(axes, name: str, layers: list[np.ndarray], text: dict, bins: int,
                   first: bool, last: bool) -> None:
    """One setting's histograms, one per layer, on the same x range and the same y limit."""
    values = [np.ravel(layer) for layer in layers]
    top = max(value.max() for value in values)
    value_range = (0.0, 1.0) if top <= 1.0 else (0.0, float(np.ceil(top)))
    counts = [np.histogram(value, bins=bins, range=value_range)[0] for value in values]
    height = _row_height(counts)
    for layer, (axis, value, count) in enumerate(zip(axes, values, counts), start=1):
        axis.hist(value, bins=bins, range=value_range, color="#3a7bd5", edgecolor="white",
                  linewidth=0.4)
        axis.set_ylim(0, height)
        axis.set_xlim(value_range)
        _label_cut_bar(axis, count, value_range, height, text)
        if first:
            axis.set_title(text["layer n"].format(layer=layer), fontsize=TITLE_SIZE)
        axis.tick_params(labelsize=LABEL_SIZE - 3)
        if layer > 1:
            axis.set_yticklabels([])
        if last:
            axis.set_xlabel(text["activation value"], fontsize=LABEL_SIZE - 2)
    axes[0].set_ylabel(name, fontsize=LABEL_SIZE - 1, fontweight="bold")


def _row_height(counts: list[np.ndarray]) -> float:
    """The y limit of a row: a little above its tallest bar, or, when that bar is more than 3
    times any other, 1.3 times the second tallest (the tallest is then cut off)."""
    tallest = max(count.max() for count in counts)
    second = max(np.sort(count)[-2] for count in counts)
    return 1.3 * second if 0 < 3 * second < tallest else 1.05 * tallest


def _label_cut_bar(axis, count: np.ndarray, value_range, height: float, text: dict) -> None:
    """Say how many values the cut-off bar holds, next to it."""
    biggest = int(count.argmax())
    if count[biggest] <= height:
        return
    width = (value_range[1] - value_range[0]) / len(count)
    axis.annotate(text["bar cut"].format(share=count[biggest] / count.sum()),
                  (value_range[0] + (biggest + 0.5) * width, 0.97 * height),
                  xytext=(value_range[0] + (biggest + 2) * width, 0.72 * height),
                  fontsize=LABEL_SIZE - 3, arrowprops={"arrowstyle": "->"})


# ---------------------------------------------------------------------- higher-order derivatives

DERIVATIVE_STYLES = [("#1f1f1f", "-", 3.0), ("#1f5fbf", "--", 2.4), ("#c0392b", "-.", 2.4),
                     ("#2e8b57", ":", 2.8), ("#8e44ad", "-", 1.8)]   # colour, dash, width


def plot_derivatives(x: np.ndarray, curves: list[np.ndarray], path: str | Path | None = None,
                     lang: str = "en"):
    """tanh and its derivatives at every x: curves[k] is the k-th derivative (curves[0] is y
    itself), up to the 4th; one line each, told apart by colour and dash (step 35's figure)."""
    text = words(lang)
    figure = _figure((11, 7))
    axis = figure.subplots()
    for order, (curve, (color, dash, width)) in enumerate(zip(curves, DERIVATIVE_STYLES)):
        axis.plot(x, curve, dash, color=color, linewidth=width,
                  label=text[f"derivative {order}"])
    axis.axhline(0, color="#8a8a8a", linewidth=0.8)
    axis.axvline(0, color="#8a8a8a", linewidth=0.8)
    axis.grid(alpha=0.3)
    axis.set_xlim(x[0], x[-1])
    axis.set_xlabel("x", fontsize=LABEL_SIZE + 1)
    axis.tick_params(labelsize=LABEL_SIZE)
    axis.set_title(text["derivatives title"], fontsize=TITLE_SIZE)
    axis.legend(loc="lower right", fontsize=LABEL_SIZE + 1, framealpha=0.95)
    return _finish(figure, path)


# ---------------------------------------------------------------------- chapter 6: BN, Dropout

def plot_batchnorm_training(histories: dict[float, dict[str, list[float]]], samples: int,
                            layers: int, units: int, path: str | Path | None = None,
                            lang: str = "en"):
    """Training accuracy per epoch with and without Batch Normalization, one panel per initial
    weight scale (the book's figures 6-18 and 6-19). histories[scale] has the keys "with" and
    "without", each one accuracy per epoch (demos/batchnorm.py computes them)."""
    text = words(lang)
    columns = min(4, len(histories))
    rows = -(-len(histories) // columns)
    figure = _figure((max(8.0, 4.2 * columns), 3.6 * rows + 1.3))
    axes = figure.subplots(rows, columns, squeeze=False, sharey=True)
    for axis, (scale, curves) in zip(axes.flat, histories.items()):
        epochs = np.arange(1, len(curves["with"]) + 1)
        axis.plot(epochs, curves["with"], color=PATH_COLOR, lw=2.2, label=text["bn with"])
        axis.plot(epochs, curves["without"], color=START_COLOR, lw=2, ls="--",
                  label=text["bn without"])
        axis.set_title(text["bn panel"].format(scale=scale), fontsize=LABEL_SIZE)
        axis.set_ylim(0, 1.02)
        axis.set_xlabel(text["bn epochs"], fontsize=LABEL_SIZE - 1)
        axis.grid(alpha=0.3)
    for axis in axes[:, 0]:
        axis.set_ylabel(text["bn accuracy"], fontsize=LABEL_SIZE - 1)
    for axis in list(axes.flat)[len(histories):]:
        axis.axis("off")
    axes.flat[0].legend(loc="lower right", fontsize=LABEL_SIZE - 3, framealpha=0.95)
    title = text["bn title"].format(samples=samples, layers=layers, units=units)
    figure.suptitle(title.replace(": ", ":\n", 1), fontsize=TITLE_SIZE)
    return _finish(figure, path)


def plot_overfitting(histories: dict[str, dict[str, list[float]]], samples: int, layers: int,
                     units: int, path: str | Path | None = None, lang: str = "en"):
    """Training and test accuracy per epoch, one panel per recipe (the book's figures 6-20 to
    6-23: overfitting, then its cure by weight decay and by Dropout). histories[title] has the
    keys "train" and "test"; the titles are the caller's (already in the chosen language)."""
    text = words(lang)
    figure = _figure((max(8.0, 5.2 * len(histories)), 5.0))
    axes = figure.subplots(1, len(histories), squeeze=False, sharey=True)[0]
    for axis, (title, curves) in zip(axes, histories.items()):
        epochs = np.arange(1, len(curves["train"]) + 1)
        axis.plot(epochs, curves["train"], color=PATH_COLOR, lw=2, label=text["dropout train"])
        axis.plot(epochs, curves["test"], color=START_COLOR, lw=2, ls="--",
                  label=text["dropout test"])
        gap = curves["train"][-1] - curves["test"][-1]
        axis.set_title(title + "\n" + text["dropout gap"].format(gap=gap), fontsize=LABEL_SIZE)
        axis.set_xlabel(text["bn epochs"], fontsize=LABEL_SIZE - 1)
        axis.set_ylim(0, 1.02)
        axis.grid(alpha=0.3)
    axes[0].set_ylabel(text["dropout accuracy"], fontsize=LABEL_SIZE - 1)
    axes[0].legend(loc="lower right", fontsize=LABEL_SIZE - 2, framealpha=0.95)
    title = text["dropout title"].format(samples=samples, layers=layers, units=units)
    figure.suptitle(title.replace(": ", ":\n", 1), fontsize=TITLE_SIZE)
    return _finish(figure, path)


# ---------------------------------------------------------------------- chapter 7: the CNN

def plot_filters(before: np.ndarray, after: np.ndarray, path: str | Path | None = None,
                 lang: str = "en"):
    """The first convolution layer's filters (shape (F, 1, k, k)) before and after training, in
    grey (white: large, black: small), each filter scaled on its own (the book's figure 7-24)."""
    text = words(lang)
    filters, size = before.shape[0], before.shape[-1]
    columns = min(10, filters)
    rows = -(-filters // columns)
    figure = _figure((1.05 * columns + 0.6, 2 * (1.05 * rows + 0.6) + 0.5))
    figure.set_layout_engine("constrained")     # (tight layout ignores subfigure titles)
    panels = figure.subfigures(2, 1, hspace=0.08)
    heading = text["cnn filters title"].format(filters=filters, size=size)
    for panel, weights, title in ((panels[0], before, heading + "\n" + text["cnn before"]),
                                  (panels[1], after, text["cnn after"])):
        axes = panel.subplots(rows, columns, squeeze=False)
        for k, axis in enumerate(axes.flat):
            axis.set_xticks([])
            axis.set_yticks([])
            if k < filters:
                axis.imshow(weights[k, 0], cmap="gray", interpolation="nearest")
            else:
                axis.axis("off")
        panel.suptitle(title, fontsize=LABEL_SIZE + 1)
    return _finish(figure, path)


def plot_loss_curve(losses: list[float], batch: int, path: str | Path | None = None,
                    lang: str = "en", every: int = 20):
    """The loss of each training minibatch (thin), and its running mean over `every` steps."""
    text = words(lang)
    figure = _figure((9, 4.8))
    axis = figure.subplots()
    steps = np.arange(1, len(losses) + 1)
    axis.plot(steps, losses, color=START_COLOR, lw=0.8, alpha=0.45, label=text["cnn loss"])
    if 1 < every <= len(losses):
        mean = np.convolve(losses, np.ones(every) / every, mode="valid")
        axis.plot(steps[every - 1:], mean, color=PATH_COLOR, lw=2.2,
                  label=text["cnn mean loss"].format(every=every))
    axis.set_xlabel(text["cnn steps"].format(batch=batch), fontsize=LABEL_SIZE)
    axis.set_ylabel(text["cnn loss"], fontsize=LABEL_SIZE)
    axis.set_title(text["cnn loss title"], fontsize=TITLE_SIZE)
    axis.grid(alpha=0.3)
    axis.legend(loc="upper right", fontsize=LABEL_SIZE - 1)
    return _finish(figure, path)
