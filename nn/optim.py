"""Optimizers: how the gradients move the parameters, one `step()` at a time.

Each optimizer holds the parameters (float Values) and updates `p.data` in place from `p.grad`:
plain gradient descent (`SGD`), descent with a velocity (`Momentum`, and `Nesterov`, which looks
ahead along it), steps scaled per parameter by the squared gradients seen so far (`AdaGrad`) or
by their running average (`RMSprop`), and `Adam`, which scales each step by running averages of
the gradient and of its square. All follow chapter 6 of ゼロから作るDeep Learning (its
common/optimizer.py). The learning rate `lr` is a plain attribute, so a schedule can change it
between steps (`optimizer.lr = ...`).

    optimizer = nn.Adam(model.parameters(), lr=0.01)
    optimizer.zero_grad(); loss.backward(); optimizer.step()

Read next: `training.py` (the loop that calls all of this).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from autograd import Value


class Optimizer:
    """The parameters to update; subclasses define `step()`.

    Optimizers with state keep it as numpy arrays, one entry per parameter, and write their
    update the way the book does, on whole arrays: `gradients()` gathers every p.grad into one
    array and `move(steps)` adds each step to its parameter's data.
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = list(params)
        self.lr = lr
        for p in self.params:
            if not isinstance(p, Value) or not isinstance(p.data, float):
                raise ValueError("optimizers update float Values (parameters), not batches")

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (backward() adds into .grad)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its gradient."""
        raise NotImplementedError

    def gradients(self) -> np.ndarray:
        """Every parameter's gradient, in order, as one array."""
        return np.fromiter((p.grad for p in self.params), float, len(self.params))

    def move(self, steps: np.ndarray) -> None:
        """Add steps[i] to the data of parameter i."""
        for p, step in zip(self.params, steps.tolist()):
            p.data += step

    def zeros(self) -> np.ndarray:
        """An array of zeros, one per parameter: the starting state."""
        return np.zeros(len(self.params))


class SGD(Optimizer):
    """Stochastic gradient descent: p = p - lr * grad."""

    def step(self) -> None:
        """Move every parameter one step against its gradient."""
        for p in self.params:
            p.data -= self.lr * p.grad


class Momentum(Optimizer):
    """Gradient descent with momentum, as the book writes it: v = momentum*v - lr*grad; p += v."""

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.9) -> None:
        super().__init__(params, lr)
        self.momentum = momentum
        self.velocities = self.zeros()

    def step(self) -> None:
        """Update each velocity, then move each parameter by its velocity."""
        self.velocities = self.momentum * self.velocities - self.lr * self.gradients()
        self.move(self.velocities)


class Nesterov(Optimizer):
    """Nesterov's accelerated gradient, in the book's reformulated form (arXiv:1212.0901):

        v = momentum*v - lr*grad
        p = p + momentum*momentum*v - (1 + momentum)*lr*grad

    p holds the look-ahead point, so the gradient is the one at p: no extra evaluation. (This
    is the book's code; the paper's form uses the velocity from before the update in the
    momentum*momentum term.)
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.9) -> None:
        super().__init__(params, lr)
        self.momentum = momentum
        self.velocities = self.zeros()

    def step(self) -> None:
        """Update each velocity, then move each parameter by the look-ahead step."""
        momentum, lr, grads = self.momentum, self.lr, self.gradients()
        self.velocities = momentum * self.velocities - lr * grads
        self.move(momentum * momentum * self.velocities - (1 + momentum) * lr * grads)


class AdaGrad(Optimizer):
    """AdaGrad: h = h + grad*grad; p = p - lr * grad / (sqrt(h) + eps), eps = 1e-7 as in the book.

    h only grows, so a parameter that has had large gradients takes ever smaller steps.
    """

    def __init__(self, params: Iterable[Value], lr: float, eps: float = 1e-7) -> None:
        super().__init__(params, lr)
        self.eps = eps
        self.h = self.zeros()               # sum of the squared gradients so far

    def step(self) -> None:
        """Add each squared gradient to h, then move each parameter by lr * grad / sqrt(h)."""
        grads = self.gradients()
        self.h = self.h + grads * grads
        self.move(-(self.lr * grads / (np.sqrt(self.h) + self.eps)))


class RMSprop(Optimizer):
    """RMSprop: h = decay_rate*h + (1 - decay_rate)*grad*grad; p = p - lr*grad/(sqrt(h) + eps).

    Like AdaGrad, but h is a running average that forgets old gradients (the book's
    decay_rate 0.99 and eps 1e-7 are the defaults).
    """

    def __init__(self, params: Iterable[Value], lr: float, decay_rate: float = 0.99,
                 eps: float = 1e-7) -> None:
        super().__init__(params, lr)
        self.decay_rate, self.eps = decay_rate, eps
        self.h = self.zeros()               # running average of the squared gradient

    def step(self) -> None:
        """Update each running average h, then move each parameter by lr * grad / sqrt(h)."""
        decay, grads = self.decay_rate, self.gradients()
        self.h = decay * self.h + (1 - decay) * grads * grads
        self.move(-(self.lr * grads / (np.sqrt(self.h) + self.eps)))


class Adam(Optimizer):
    """Adam: steps of lr * m_hat / (sqrt(v_hat) + eps), m and v running averages of g and g^2.

    m_hat and v_hat undo the bias of starting the averages at 0, so the first step moves each
    parameter by about lr * sign(grad).
    """

    def __init__(self, params: Iterable[Value], lr: float = 0.001, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = self.zeros()               # running average of the gradient
        self.v = self.zeros()               # running average of the squared gradient
        self.t = 0                          # steps taken, for the bias correction

    def step(self) -> None:
        """Update the running averages, then move each parameter."""
        self.t += 1
        beta1, beta2, g = self.beta1, self.beta2, self.gradients()
        self.m = beta1 * self.m + (1 - beta1) * g
        self.v = beta2 * self.v + (1 - beta2) * g * g
        m_hat, v_hat = self.m / (1 - beta1 ** self.t), self.v / (1 - beta2 ** self.t)
        self.move(-(self.lr * m_hat / (np.sqrt(v_hat) + self.eps)))
