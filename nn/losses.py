"""Loss functions: one number that says how wrong the outputs are, averaged over the batch.

Each loss takes the network's outputs (one Value, or a list of Values, one per output unit; the
data of each is a batch array or a float for one sample) and numpy targets, builds the
per-sample loss from autograd primitives, and returns its mean over the batch as a float Value:
`loss.backward()` then gives every weight the batch-averaged gradient. `mse_loss` and
`cross_entropy` also take targets as Values laid out like the outputs (one per output); their
data is used as constants, so targets get no gradient.

    loss = nn.softmax_cross_entropy(model(inputs), labels)    # labels: int class ids, shape (n,)
    loss.backward()

Read next: `optim.py` (how the gradients move the weights).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

import autograd
from autograd import Value
from autograd.groups import mark

from . import data

Outputs = Value | list[Value]


def mse_loss(outputs: Outputs, targets: np.ndarray | Outputs) -> Value:
    """Mean over the batch of 0.5 * sum_k (y_k - t_k)^2; targets of shape (n,) or (n, k).

    The ½ is the book's (ゼロから作るDeep Learning, 4.2.1): it cancels the 2 of the square's
    derivative, so d(loss)/dy_k = (y_k - t_k) / n. (PyTorch's MSELoss has no ½ and also
    divides by k.) Targets may also be Values, one per output like the outputs: used as
    constants (no gradient).
    """
    outputs = as_list(outputs)
    columns = target_columns(targets, outputs)
    per_sample = 0.5 * autograd.sum([(y - t) ** 2 for y, t in zip(outputs, columns)])
    return _marked("mse_loss", per_sample.mean(), outputs)


def cross_entropy(probs: Outputs, targets: np.ndarray | Outputs, delta: float = 1e-7) -> Value:
    """Mean over the batch of -sum_k t_k * log(y_k + delta), for probabilities y (softmax outputs).

    targets: one-hot rows (n, k), int labels (n,), or Values like the probs (constants).
    delta keeps log away from log(0).
    """
    probs = as_list(probs)
    if not holds_values(targets):
        targets = label_or_one_hot(targets, len(probs))
    columns = target_columns(targets, probs)
    per_sample = -autograd.sum([t * (y + delta).log() for y, t in zip(probs, columns)])
    return _marked("cross_entropy", per_sample.mean(), probs)


def softmax_cross_entropy(logits: list[Value], labels: np.ndarray) -> Value:
    """Mean over the batch of -log softmax(logits)[label], computed stably via log_softmax.

    Its gradient with respect to logit k is (softmax_k - [k == label]) / batch size.
    """
    logits = as_list(logits)
    one_hot = target_columns(one_hot_labels(labels, len(logits)), logits)
    log_probs = autograd.log_softmax(logits)
    loss = (-autograd.sum([t * lp for lp, t in zip(log_probs, one_hot)])).mean()
    return _marked("softmax_cross_entropy", loss, logits)


def hinge_loss(scores: Value, labels: np.ndarray) -> Value:
    """micrograd's max-margin loss: mean of relu(1 - y * score), labels 0/1 or -1/+1."""
    [score] = as_list(scores, expected=1)
    signs = target_columns(as_signs(labels), [score])[0]
    return (1.0 - signs * score).relu().mean()


def l2_penalty(parameters: Iterable[Value]) -> Value:
    """sum(p^2) over the parameters, one add node: add `alpha * l2_penalty(...)` to a loss."""
    return autograd.sum([p * p for p in parameters])


# ------------------------------------------------------------------ checking the targets

def _marked(kind: str, loss: Value, outputs: list[Value]) -> Value:
    """The loss, recorded as one group (drawn as one node in the layer view)."""
    mark(kind, loss, outputs)
    return loss


def as_list(outputs: Outputs, expected: int | None = None) -> list[Value]:
    """The outputs as a list of Values (a single Value becomes a list of one)."""
    outputs = [outputs] if isinstance(outputs, Value) else list(outputs)
    if not outputs or not all(isinstance(y, Value) for y in outputs):
        raise ValueError("outputs must be a Value or a non-empty list of Values")
    if expected is not None and len(outputs) != expected:
        raise ValueError(f"expected {expected} output(s), got {len(outputs)}")
    return outputs


def batch_size(outputs: list[Value]) -> int | None:
    """The number of samples the outputs hold (every batch output must hold as many; a single
    number is the same for every sample), or None when they are all single numbers."""
    sizes = {k: out.data.size for k, out in enumerate(outputs) if isinstance(out.data, np.ndarray)}
    if len(set(sizes.values())) > 1:
        shown = ", ".join(f"output {k}: {size}" for k, size in sizes.items())
        raise ValueError(f"the outputs hold batches of different sizes ({shown}); every output "
                         f"of one forward pass must hold the same samples")
    return next(iter(sizes.values()), None)


def holds_values(targets) -> bool:
    """True for a Value, or a list or tuple holding at least one Value."""
    if isinstance(targets, Value):
        return True
    return isinstance(targets, (list, tuple)) and any(isinstance(t, Value) for t in targets)


def value_columns(targets: Outputs, outputs: list[Value]) -> list:
    """Target Values, one per output and shaped like it, as constants: their data, no graph."""
    targets = [targets] if isinstance(targets, Value) else list(targets)
    if len(targets) != len(outputs) or not all(isinstance(t, Value) for t in targets):
        raise ValueError(f"targets given as Values must be one Value per output ({len(outputs)} "
                         f"here), like the outputs; or give the targets as a numpy array")
    for t, y in zip(targets, outputs):
        if np.shape(t.data) != np.shape(y.data):
            raise ValueError(f"a target Value holds data of shape {np.shape(t.data)}, its output "
                             f"{np.shape(y.data)}: each target must be shaped like its output")
    return [np.array(t.data, dtype=float) if np.ndim(t.data) else float(t.data) for t in targets]


def target_columns(targets, outputs: list[Value]) -> list:
    """Targets of shape (n,) or (n, k) as k constants, one per output, each (n,) or a float.

    Targets given as Values (one per output, like the outputs) become their data.
    """
    if holds_values(targets):
        return value_columns(targets, outputs)
    k, n = len(outputs), batch_size(outputs)
    t = np.asarray(targets, dtype=float)
    if t.ndim <= 1 and k == 1:
        t = t.reshape(-1, 1)
    elif t.ndim == 1 and n is None:
        t = t.reshape(1, -1)              # one sample: a row of k targets
    if t.shape != (n or 1, k):
        raise ValueError(f"targets of shape {np.shape(targets)} do not fit {k} output(s) "
                         f"for a batch of {n or 1}: expected shape ({n or 1}, {k})")
    return [t[:, j] if n is not None else float(t[0, j]) for j in range(k)]


def one_hot_labels(labels, classes: int) -> np.ndarray:
    """Int class ids of shape (n,) (or one id) as one-hot rows; ValueError if out of range."""
    reject_values(labels)
    labels = np.atleast_1d(np.asarray(labels))
    if labels.ndim != 1:
        raise ValueError(f"labels must be int class ids of shape (n,), got shape {labels.shape}")
    return data.one_hot(labels, classes)


def label_or_one_hot(targets, classes: int) -> np.ndarray:
    """Targets as one-hot rows: int labels (n,) are encoded, (n, k) rows are kept."""
    targets = np.asarray(targets)
    if targets.ndim == 2 or classes == 1:
        return targets
    return one_hot_labels(targets, classes)


def as_signs(labels) -> np.ndarray:
    """Labels 0/1 or -1/+1 as -1.0/+1.0; ValueError for anything else."""
    reject_values(labels)
    labels = np.atleast_1d(np.asarray(labels, dtype=float))
    if np.isin(labels, (-1.0, 1.0)).all():
        return labels
    if np.isin(labels, (0.0, 1.0)).all():
        return 2.0 * labels - 1.0
    raise ValueError("hinge_loss labels must be all 0/1 or all -1/+1")


def reject_values(labels) -> None:
    """Raise ValueError if labels are given as Values: labels are plain numbers."""
    if holds_values(labels):
        raise ValueError("labels must be numbers (an int, a list or a numpy array), not Values")
