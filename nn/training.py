"""Training and using a model: `fit`, `predict`, `accuracy` and `gradient_check`.

A minibatch goes through the graph as batch Values, one per input feature (`Value(X[:, j])`
holds feature j of every sample), so each step builds ONE graph whose nodes carry a vector,
not one graph per sample. The loss is the batch mean, so backward() gives each weight the
averaged gradient; the optimizer then moves the weights.

Read next: the demos (`demos/xor.py` first), which train real classifiers with these.
"""

from __future__ import annotations

import contextlib
import math
import sys
from typing import Callable

import numpy as np

import autograd
from autograd import Value

from . import data
from .losses import Outputs
from .modules import Module
from .optim import Optimizer

Loss = Callable[[Outputs, np.ndarray], Value]


def as_inputs(X: np.ndarray, values: bool = True) -> list[Value] | list[np.ndarray]:
    """A batch X of shape (n, features) as one batch Value per feature (column); images of
    shape (n, C, H, W) are flattened to (n, C·H·W) first.

    values=False gives the columns as plain arrays instead: constants, so backward computes
    no gradient for the data (quicker; what `fit` and `predict` use).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim > 2 and X.shape[0] > 0:
        X = X.reshape(len(X), -1)             # images (N, C, H, W): one feature per pixel
    if X.ndim != 2:
        raise ValueError(f"X must have shape (samples, features), got shape {X.shape}")
    if not values:
        return list(np.ascontiguousarray(X.T))
    return [Value(X[:, j]) for j in range(X.shape[1])]


def fit(model: Module, X: np.ndarray, y: np.ndarray, loss: Loss, optimizer: Optimizer,
        epochs: int, batch_size: int | None = None, progress: bool = True, seed: int = 0,
        validation: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, list[float]]:
    """Train model on (X, y) for some epochs of minibatches; return the history per epoch.

    >>> model = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0)
    >>> history = fit(model, X, y, mse_loss, Adam(model.parameters(), lr=0.1), epochs=200)
    >>> history["accuracy"][-1]
    1.0

    `loss(outputs, y_batch)` is any loss of `losses.py`, or your own closure; L2
    regularisation goes there too (there is no separate option):
        loss = lambda out, t: hinge_loss(out, t) + 1e-4 * l2_penalty(model.parameters())
    batch_size=None trains on the whole set at once; minibatches are shuffled with seed + epoch.
    history["loss"] is the mean batch loss, history["accuracy"] the accuracy on the batches
    as they were trained on (before each step); with validation=(X_val, y_val) also
    history["val_accuracy"]. With progress=True a tqdm bar counts the minibatch steps and shows
    the epoch and the last step's loss, in a terminal and in a notebook; progress=False prints
    nothing anywhere. A loss that is not a function is refused at once, saying what to pass.
    """
    check_loss(loss)
    batch_size = batch_size or len(X)
    history = {"loss": [], "accuracy": []} | ({"val_accuracy": []} if validation else {})
    bar = _bar(epochs * math.ceil(len(X) / batch_size)) if progress else None
    with bar if bar is not None else contextlib.nullcontext():
        for epoch in range(epochs):
            tick = _ticker(bar, epoch, epochs)
            epoch_loss, epoch_accuracy = train_epoch(model, X, y, loss, optimizer, batch_size,
                                                     seed + epoch, tick)
            history["loss"].append(epoch_loss)
            history["accuracy"].append(epoch_accuracy)
            if validation:
                history["val_accuracy"].append(accuracy(model, *validation))
    return history


def check_loss(loss) -> None:
    """Raise TypeError unless loss can be called as loss(outputs, targets)."""
    if not callable(loss):
        raise TypeError(f"loss must be a function called as loss(outputs, targets), such as "
                        f"nn.mse_loss, nn.cross_entropy or nn.softmax_cross_entropy; got "
                        f"{type(loss).__name__} {loss!r}")


def train_epoch(model: Module, X: np.ndarray, y: np.ndarray, loss: Loss,
                optimizer: Optimizer, batch_size: int, seed: int,
                tick: Callable[[float], None] = lambda batch_loss: None) -> tuple[float, float]:
    """One pass over (X, y) in shuffled minibatches; returns the mean loss and accuracy.
    tick(batch loss) is called after each step (the progress bar)."""
    total_loss, correct = 0.0, 0
    model.train()                             # BatchNorm and Dropout in training mode
    for X_batch, y_batch in data.batches(X, y, batch_size, shuffle=batch_size < len(X), seed=seed):
        outputs = model(as_inputs(X_batch, values=False))
        batch_loss = loss(outputs, y_batch)
        model.zero_grad()                     # gradients accumulate: clear the last batch's
        batch_loss.backward()
        optimizer.step()
        total_loss += batch_loss.data * len(y_batch)
        correct += int(np.sum(classes_from(outputs, model) == as_classes(y_batch)))
        tick(float(batch_loss.data))
    return total_loss / len(y), correct / len(y)


def _ticker(bar, epoch: int, epochs: int) -> Callable[[float], None]:
    """What the bar does after each minibatch: one step on, and the epoch and the loss."""
    if bar is None:
        return lambda batch_loss: None

    def tick(batch_loss: float) -> None:
        bar.update(1)
        bar.set_postfix(epoch=f"{epoch + 1}/{epochs}", loss=f"{batch_loss:.4f}", refresh=False)
    return tick


def _bar(steps: int):
    """A tqdm bar over the training's minibatch steps: a widget in Jupyter or Colab (tqdm's
    text bar there if ipywidgets is missing), a text bar in a terminal, and None where nobody
    watches (a pipe or a log file) or without tqdm, which comes with the 'demos' extra."""
    try:
        from tqdm import tqdm as text_bar
    except ImportError:
        return None
    options = {"desc": "training", "unit": "step", "total": steps}
    if in_notebook():
        try:
            from tqdm.notebook import tqdm as widget_bar
            return widget_bar(**options)
        except ImportError:                   # no ipywidgets: the text bar shows in the cell
            return text_bar(file=sys.stderr, **options)
    return text_bar(**options) if sys.stderr.isatty() else None


def in_notebook() -> bool:
    """True inside a Jupyter kernel (Jupyter, Colab, VS Code notebooks), not in plain IPython."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def predict(model: Module, X: np.ndarray) -> np.ndarray:
    """Class ids for the rows of X, computed in eval mode under no_grad (no graph is kept).

    Several outputs: the argmax. One output: 1 where it is above 0.5 for a sigmoid or step
    output, above 0 otherwise (identity, tanh, relu: the sign of the score), else 0.
    """
    was_training = model.training
    model.eval()                              # BatchNorm's running averages, no Dropout
    try:
        with autograd.no_grad():
            outputs = model(as_inputs(X, values=False))
    finally:
        model.train(was_training)
    return classes_from(outputs, model)


def accuracy(model: Module, X: np.ndarray, y: np.ndarray) -> float:
    """The fraction of rows of X whose predicted class is y (a label -1 counts as class 0)."""
    return float(np.mean(predict(model, X) == as_classes(y)))


def classes_from(outputs: Outputs, model: Module) -> np.ndarray:
    """The predicted class ids from a model's outputs (see predict for the rule)."""
    if isinstance(outputs, Value):
        threshold = 0.5 if getattr(model, "output_activation", "") in ("sigmoid", "step") else 0.0
        return (np.atleast_1d(outputs.data) > threshold).astype(np.int64)
    scores = np.column_stack([np.atleast_1d(y.data) for y in outputs])
    return np.argmax(scores, axis=1)


def as_classes(labels: np.ndarray) -> np.ndarray:
    """Labels as class ids: one-hot rows become their argmax, -1/+1 labels (hinge loss) 0/1."""
    labels = np.atleast_1d(np.asarray(labels))
    if labels.ndim == 2:
        return np.argmax(labels, axis=1)
    return np.where(labels < 0, 0, labels)
