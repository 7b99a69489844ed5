"""Checking backprop on a whole network, as the book does for its two-layer net.

`gradient_check` computes every parameter's gradient twice: by backprop (one backward pass)
and numerically (nudge the parameter by +-eps, rerun the forward pass, see how the loss moves),
and reports the largest disagreement per layer. Differences around 1e-8 mean backprop is right.

Read next: `training.py`.
"""

from __future__ import annotations

import numpy as np

import autograd
from autograd import Value

from .modules import Module
from .training import Loss, as_inputs


def gradient_check(model: Module, X: np.ndarray, y: np.ndarray, loss: Loss,
                   eps: float = 1e-5) -> dict[str, float]:
    """The largest |backprop - numerical| gradient per layer ("layer 1", ...); leaves .grad at 0.

    >>> gradient_check(MLP(2, [4, 1], activation="tanh", seed=0), X, y, nn.mse_loss)
    {'layer 1': 2.1e-11, 'layer 2': 1.3e-11}
    """
    inputs = as_inputs(X, values=False)
    model.zero_grad()
    loss(model(inputs), y).backward()
    differences = {}
    for name, params in layers_of(model).items():
        numerical = [numerical_gradient(model, inputs, y, loss, p, eps) for p in params]
        differences[name] = max(abs(p.grad - n) for p, n in zip(params, numerical))
    model.zero_grad()
    return differences


def numerical_gradient(model: Module, inputs: list, y: np.ndarray, loss: Loss,
                       p: Value, eps: float) -> float:
    """d loss / d p by central differences: (loss(p + eps) - loss(p - eps)) / 2 eps."""
    original = p.data

    def loss_at(value: float) -> float:
        """The loss with p set to value, computed without building a graph."""
        p.data = value
        with autograd.no_grad():
            return loss(model(inputs), y).data

    try:
        return (loss_at(original + eps) - loss_at(original - eps)) / (2 * eps)
    finally:
        p.data = original


def layers_of(model: Module) -> dict[str, list[Value]]:
    """The model's parameters grouped by layer; a model without `layers` is one layer."""
    layers = getattr(model, "layers", [model])
    return {f"layer {i}": layer.parameters() for i, layer in enumerate(layers, 1)}
