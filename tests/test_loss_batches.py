"""mse_loss's batch: every output's batch size is checked, whatever their order, and its ½ is
the book's (the gradient is (y - t) / n)."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Value


def test_outputs_holding_batches_of_different_sizes_are_refused_naming_them():
    with pytest.raises(ValueError, match=r"output 0: 3, output 1: 4"):
        nn.mse_loss([Value(np.ones(3)), Value(np.ones(4))], np.ones((3, 2)))


@pytest.mark.parametrize("order", [0, 1])
def test_a_single_number_output_is_accepted_before_or_after_a_batch(order):
    outputs = [Value(np.array([1.0, 2.0, 3.0])), Value(0.5)]
    targets = np.array([[1.0, 0.0], [2.0, 1.0], [0.0, 0.5]])
    if order:
        outputs, targets = outputs[::-1], targets[:, ::-1]
    loss = nn.mse_loss(outputs, targets)
    per_sample = 0.5 * ((np.array([1.0, 2.0, 3.0]) - [1.0, 2.0, 0.0]) ** 2
                        + (0.5 - np.array([0.0, 1.0, 0.5])) ** 2)
    assert np.isclose(loss.data, per_sample.mean(), rtol=1e-15)


def test_the_half_cancels_the_squares_two():
    y = Value(np.array([0.2, 0.9, 0.4, 1.5]))
    t = np.array([0.0, 1.0, 1.0, 1.0])
    nn.mse_loss([y], t).backward()
    assert np.allclose(y.grad, (y.data - t) / 4, rtol=1e-15)
