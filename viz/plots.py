"""Plots with matplotlib: activations and their derivatives, training curves, decision
boundaries, digit predictions, and per-layer gradient magnitudes.

Every function builds a matplotlib `Figure` with the object-oriented API and returns it: no
pyplot state and no change of the global backend, so it works headless in a script and leaves a
notebook's own plots alone. Given a `path`, it also writes a PNG or SVG (from the suffix). In
Jupyter, a returned figure shows inline. matplotlib is imported inside each function, so
`import viz` never loads it. lang="ja" writes titles and labels in Japanese (`labels.TEXT`);
every text of a figure gets a font list that covers Japanese (`fonts.plot_fonts()`), set on the
figure's own texts, so matplotlib's global rcParams are left alone.

Read next: `book_plots.py` (the book's figures), then `formula.py` (the safe formula parser behind
`python -m viz`).
"""

from __future__ import annotations

import functools
import io
import itertools
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

import autograd

from .fonts import check_japanese, plot_fonts
from .labels import words


DPI = 110
INSTALL_MATPLOTLIB = ("viz's plots need matplotlib, which is not installed: "
                      "pip install 'zerograd[demos]' (or pip install matplotlib)")


def _figure(figsize: tuple[float, float]):
    """A new, empty Figure that shows itself inline in Jupyter; says how to install matplotlib."""
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ModuleNotFoundError(INSTALL_MATPLOTLIB, name="matplotlib") from error
    return _shown_inline(Figure)(figsize=figsize, layout="tight")


@functools.cache
def _shown_inline(Figure: type) -> type:
    """matplotlib's Figure, plus the PNG that Jupyter shows even where pyplot was never used."""

    class NotebookFigure(Figure):
        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=DPI)
            return buffer.getvalue()

    return NotebookFigure


def _finish(figure, path: str | Path | None):
    """Give every text the Japanese-capable fonts, save the figure to path when one is given,
    and return it. Warns once if the figure holds Japanese and no Japanese font is installed."""
    texts = _use_fonts(figure)
    check_japanese(" ".join(texts), "matplotlib")
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=DPI)
    return figure


def _use_fonts(figure) -> list[str]:
    """Set `plot_fonts()` on every text of figure (titles, labels, legends); their strings."""
    from matplotlib.text import Text

    texts, families = [], plot_fonts()
    for text in figure.findobj(Text):
        text.set_fontfamily(families)
        texts.append(text.get_text())
    return texts


# ---------------------------------------------------------------------- activations

ACTIVATIONS = {"sigmoid": autograd.sigmoid, "tanh": autograd.tanh, "relu": autograd.relu,
               "step": autograd.step}
MAX_SLOPE = {"sigmoid": 0.25, "tanh": 1.0}   # the largest derivative: at x = 0


def activation_and_slope(name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An activation's values and derivatives at every x, by the engine's backward pass."""
    inputs = autograd.Value(x)
    outputs = ACTIVATIONS[name](inputs)
    [slope] = autograd.grad(outputs, [inputs])   # one sample each: d out_k / d x_k
    return np.broadcast_to(outputs.data, x.shape), np.asarray(slope)


def plot_activations(path: str | Path | None = None, lang: str = "en"):
    """sigmoid, tanh, relu and step (top) and their derivatives from backward (bottom)."""
    text = words(lang)
    x = np.linspace(-6.0, 6.0, 601)
    figure = _figure((14, 6))
    axes = figure.subplots(2, len(ACTIVATIONS), sharex=True)
    for column, name in enumerate(ACTIVATIONS):
        values, slopes = activation_and_slope(name, x)
        axes[0, column].plot(x, values, color="#1f5fbf")
        axes[0, column].set_title(name)
        axes[1, column].plot(x, slopes, color="#c0392b")
        axes[1, column].set_title(text["slope title"].format(name=name))
        _mark_maximum(axes[1, column], name, text)
        axes[1, column].set_xlabel("x")
    for axis in axes.flat:
        axis.grid(alpha=0.3)
    return _finish(figure, path)


def _mark_maximum(axis, name: str, text: dict) -> None:
    if name in MAX_SLOPE:
        top = MAX_SLOPE[name]
        axis.axhline(top, color="grey", linestyle="--", linewidth=1)
        axis.plot([0], [top], "o", color="black")
        axis.annotate(text["slope max"].format(top=top), (0, top), xytext=(1.0, top * 0.85))
        axis.set_ylim(-0.05 * top, 1.15 * top)
    else:
        axis.set_ylim(-0.05, 1.15)
    if name == "step":
        axis.annotate(text["step slope"], (-5.8, 0.5))


# ---------------------------------------------------------------------- training

def plot_history(history: dict[str, list[float]], path: str | Path | None = None,
                 lang: str = "en"):
    """Loss (left) and accuracy (right, if recorded) per epoch, from an nn.fit history.

    The curves of nn.fit's keys are named in words ("val_accuracy": test accuracy, as the demos
    pass the test set as validation); other keys are shown as they are.
    """
    from matplotlib.ticker import MaxNLocator

    text = words(lang)
    accuracy = [key for key in history if "acc" in key]
    losses = [key for key in history if key not in accuracy]
    figure = _figure((11 if accuracy else 5.5, 4.2))
    axes = figure.subplots(1, 2 if accuracy else 1, squeeze=False)
    for axis, keys, label in zip(axes[0], (losses, accuracy), (text["loss"], text["accuracy"])):
        for key, (line, marker, width) in zip(keys, _line_styles()):
            epochs = np.arange(1, len(history[key]) + 1)
            axis.plot(epochs, history[key], linestyle=line, linewidth=width,
                      marker=marker if len(epochs) < 50 else None, markersize=width + 4,
                      label=text.get(f"history {key}", key))
        axis.set_xlabel(text["epoch"], fontsize=13)
        axis.set_ylabel(label, fontsize=13)
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))   # epochs are whole numbers
        axis.tick_params(labelsize=11)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=12)
    return _finish(figure, path)


def _line_styles():
    """Line style, marker and width of the 1st, 2nd, ... curve on one axis: each next curve is
    thinner and broken, so two curves that coincide (zerograd's and PyTorch's) both show."""
    return itertools.cycle([("-", "o", 3.5), ("--", "s", 1.8), (":", "^", 1.8), ("-.", "D", 1.5)])


def plot_decision_boundary(model, X: np.ndarray, y: np.ndarray, path: str | Path | None = None,
                           resolution: int = 200, predict: Callable | None = None,
                           lang: str = "en"):
    """A 2-D classifier's regions (colored by `nn.predict(model, points)`) and the data on top."""
    text = words(lang)
    if predict is None:
        from nn import predict                       # lazily: viz does not need nn otherwise
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    xx, yy = _grid(X, resolution)
    scores = _as_scores(predict(model, np.column_stack([xx.ravel(), yy.ravel()])))
    figure = _figure((5.5, 5))
    axis = figure.subplots()
    axis.contourf(xx, yy, scores.reshape(xx.shape), levels=_levels(scores), cmap="coolwarm",
                  alpha=0.35)
    if not np.all(scores == np.round(scores)):          # probabilities: draw the 0.5 line
        axis.contour(xx, yy, scores.reshape(xx.shape), levels=[0.5], colors="black",
                     linewidths=1)
    axis.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", edgecolors="black", s=22)
    axis.set(xlabel=text["feature 1"], ylabel=text["feature 2"], title=text["decision boundary"])
    return _finish(figure, path)


def _grid(X: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.1 * (high - low) + 1e-9
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    return np.meshgrid(xs, ys)


def _as_scores(predicted) -> np.ndarray:
    """Predictions as one number per point: labels as they are, class scores by argmax."""
    predicted = np.asarray(predicted, dtype=float)
    if predicted.ndim == 2:
        predicted = predicted.argmax(axis=1) if predicted.shape[1] > 1 else predicted[:, 0]
    return predicted


def _levels(scores: np.ndarray):
    """Class labels get one band each; probabilities get 20 bands between 0 and 1."""
    if np.all(scores == np.round(scores)):
        return np.arange(scores.min(), scores.max() + 2) - 0.5
    return np.linspace(min(0.0, scores.min()), max(1.0, scores.max()), 21)


def plot_digit_grid(images, predicted=None, true=None, path: str | Path | None = None,
                    shape: tuple[int, int] = (8, 8), columns: int = 10, lang: str = "en",
                    class_names: Sequence[str] | None = None):
    """Digit images with "predicted (true)" above each; wrong predictions in red. Without
    predictions (`plot_digit_grid(images, true=labels)`), each image's label above it.

    With class_names (label k is class_names[k]; English names that labels.TEXT knows as
    "class NAME" are translated for lang), larger: the predicted name above, the true one below.
    """
    if true is None:
        raise TypeError("plot_digit_grid needs the true labels: plot_digit_grid(images, "
                        "predicted, true), or plot_digit_grid(images, true=labels)")
    if predicted is None:
        return _label_grid(images, true, path, shape, columns, lang)
    text = words(lang)
    images = np.asarray(images, dtype=float).reshape(-1, *shape)
    rows = max(1, -(-len(images) // columns))
    cell = (1.1, 1.3) if class_names is None else (2.2, 2.9)
    figure = _figure((columns * cell[0], rows * cell[1] + (class_names is not None) * 0.6))
    axes = figure.subplots(rows, columns, squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, image, guess, answer in zip(axes.flat, images, predicted, true):
        axis.imshow(image, cmap="gray_r")
        color = "#1e8449" if int(guess) == int(answer) else "#c0392b"
        if class_names is None:
            axis.set_title(f"{int(guess)} ({int(answer)})", fontsize=9, color=color)
        else:
            _name_above_and_below(axis, text, class_names[int(guess)], class_names[int(answer)],
                                  color)
    figure.suptitle(text["digits title" if class_names is None else "classes title"],
                    fontsize=10 if class_names is None else 17)
    return _finish(figure, path)


def _label_grid(images, labels, path, shape: tuple[int, int], columns: int, lang: str):
    """Digit images with each one's label above it, in black (no predictions to compare)."""
    images = np.asarray(images, dtype=float).reshape(-1, *shape)
    rows = max(1, -(-len(images) // columns))
    figure = _figure((columns * 1.1, rows * 1.3))
    axes = figure.subplots(rows, columns, squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, image, label in zip(axes.flat, images, labels):
        axis.imshow(image, cmap="gray_r")
        axis.set_title(f"{int(label)}", fontsize=10)
    figure.suptitle(words(lang)["digits labels title"], fontsize=10)
    return _finish(figure, path)


def _name_above_and_below(axis, text: dict, predicted: str, true: str, color: str) -> None:
    """The predicted class as the title (in color), the true class in black under the image."""
    axis.set_title(text.get(f"class {predicted}", predicted), fontsize=15, color=color,
                   fontweight="bold")
    axis.text(0.5, -0.03, text.get(f"class {true}", true), transform=axis.transAxes,
              ha="center", va="top", fontsize=15)


def plot_gradient_magnitudes(magnitudes_by_activation: dict[str, list[float]],
                             path: str | Path | None = None, lang: str = "en"):
    """Mean |gradient| per layer for each activation, log scale: vanishing gradients show as
    lines falling towards the input layer."""
    figure = _figure((7, 4.2))
    _draw_gradient_magnitudes(figure.subplots(), magnitudes_by_activation, words(lang))
    return _finish(figure, path)


def _draw_gradient_magnitudes(axis, magnitudes_by_name: dict[str, list[float]], text: dict,
                              **legend_options) -> None:
    """One log-scale line per name on axis (plot_gradient_magnitudes; also book_plots)."""
    for name, magnitudes in magnitudes_by_name.items():
        layers = np.arange(1, len(magnitudes) + 1)
        magnitudes = np.asarray(magnitudes, dtype=float)
        shown = np.where(magnitudes > 0, magnitudes, np.nan)   # log scale: zeros are not drawn
        axis.semilogy(layers, shown, marker="o", label=name)
    axis.set(xlabel=text["layer"], ylabel=text["mean gradient"],
             title=text["gradient per layer"])
    axis.set_xticks(np.arange(1, max(len(m) for m in magnitudes_by_name.values()) + 1))
    axis.grid(alpha=0.3, which="both")
    axis.legend(**legend_options)
