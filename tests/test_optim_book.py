"""The book's optimizers of chapter 6 (Nesterov, AdaGrad, RMSprop): several steps on a few
parameters with known gradients, against the formulas re-implemented here with numpy, and each
one walking down a simple quadratic."""

import numpy as np
import pytest

import nn
from autograd import Value

START = np.array([1.5, -2.0, 0.25])
GRADIENTS = np.array([[0.4, -1.0, 3.0],       # one row per step: the gradient given to step()
                      [-0.2, 0.5, 2.5],
                      [1.0, 0.0, -4.0],
                      [0.3, -0.7, 0.1]])


def stepped(optimizer_class, **options) -> np.ndarray:
    """Every parameter after each step, each step given the next row of GRADIENTS."""
    params = [Value(float(x)) for x in START]
    optimizer = optimizer_class(params, **options)
    points = []
    for gradient in GRADIENTS:
        for p, g in zip(params, gradient):
            p.grad = float(g)
        optimizer.step()
        points.append([p.data for p in params])
    return np.array(points)


def nesterov_numpy(lr, momentum):
    p, v, points = START.copy(), np.zeros_like(START), []
    for g in GRADIENTS:
        v = momentum * v - lr * g
        p = p + momentum ** 2 * v - (1 + momentum) * lr * g
        points.append(p)
    return np.array(points)


def adagrad_numpy(lr):
    p, h, points = START.copy(), np.zeros_like(START), []
    for g in GRADIENTS:
        h = h + g ** 2
        p = p - lr * g / (np.sqrt(h) + 1e-7)
        points.append(p)
    return np.array(points)


def rmsprop_numpy(lr, decay):
    p, h, points = START.copy(), np.zeros_like(START), []
    for g in GRADIENTS:
        h = decay * h + (1 - decay) * g ** 2
        p = p - lr * g / (np.sqrt(h) + 1e-7)
        points.append(p)
    return np.array(points)


def test_nesterov_is_the_books_formula():
    assert np.allclose(stepped(nn.Nesterov, lr=0.1), nesterov_numpy(0.1, 0.9), rtol=1e-13)
    assert np.allclose(stepped(nn.Nesterov, lr=0.05, momentum=0.5), nesterov_numpy(0.05, 0.5),
                       rtol=1e-13)


def test_adagrad_is_the_books_formula():
    assert np.allclose(stepped(nn.AdaGrad, lr=0.3), adagrad_numpy(0.3), rtol=1e-13)


def test_adagrad_first_step_moves_each_parameter_by_lr_against_the_gradients_sign():
    first = stepped(nn.AdaGrad, lr=0.3)[0]
    assert np.allclose(first, START - 0.3 * np.sign(GRADIENTS[0]), rtol=1e-6)


def test_rmsprop_is_the_books_formula_with_decay_099():
    assert np.allclose(stepped(nn.RMSprop, lr=0.01), rmsprop_numpy(0.01, 0.99), rtol=1e-13)
    assert np.allclose(stepped(nn.RMSprop, lr=0.01, decay_rate=0.9), rmsprop_numpy(0.01, 0.9),
                       rtol=1e-13)


def test_the_learning_rate_is_a_plain_attribute():
    p = Value(1.0)
    optimizer = nn.AdaGrad([p], lr=0.5)
    optimizer.lr = 0.25
    p.grad = 2.0
    optimizer.step()
    assert p.data == pytest.approx(1.0 - 0.25 * 2.0 / (2.0 + 1e-7))


@pytest.mark.parametrize("optimizer_class, lr", [(nn.Nesterov, 0.05), (nn.AdaGrad, 0.5),
                                                 (nn.RMSprop, 0.05)])
def test_each_walks_down_a_quadratic(optimizer_class, lr):
    x, y = Value(3.0), Value(-2.0)
    optimizer = optimizer_class([x, y], lr=lr)
    losses = []
    for _ in range(100):
        loss = (x - 1.0) ** 2 + 3.0 * (y + 0.5) ** 2      # smallest (0) at (1, -0.5)
        losses.append(loss.data)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert losses[1] < losses[0] and losses[-1] < 1e-9 * losses[0]   # momentum may overshoot
    assert (x.data, y.data) == pytest.approx((1.0, -0.5), abs=1e-4)


def test_they_refuse_batches_like_the_others():
    for optimizer_class in (nn.Nesterov, nn.AdaGrad, nn.RMSprop):
        with pytest.raises(ValueError, match="float Values"):
            optimizer_class([Value(np.array([1.0, 2.0]))], lr=0.1)
