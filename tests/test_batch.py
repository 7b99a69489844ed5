"""Batches: one graph whose nodes hold a vector over the samples equals one graph per sample."""

import numpy as np
import pytest

import autograd
from autograd import Value


def _model(w, b, x1, x2):
    """A small net mixing every primitive: float parameters, batch inputs."""
    h = autograd.tanh(w[0] * x1 + w[1] * x2 + b)
    g = autograd.sigmoid(w[2] * x1 - x2 / (w[3] ** 2 + 1.0))
    return (h * g + (x1 * 0.5).exp() - (x2 ** 2 + 1.0).log()) * w[4]


def _parameters():
    return [Value(v) for v in (0.3, -1.2, 0.8, 0.5, 1.5)], Value(0.1)


def test_batch_graph_equals_the_sum_of_per_sample_graphs():
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=7), rng.normal(size=7)
    w, b = _parameters()
    out = _model(w, b, Value(x1), Value(x2))
    out.sum().backward()
    batch_grads = [p.grad for p in w + [b]]
    w_s, b_s = _parameters()
    per_sample = [_model(w_s, b_s, Value(a), Value(c)) for a, c in zip(x1, x2)]
    autograd.sum(per_sample).backward()
    assert np.allclose(out.data, [v.data for v in per_sample], rtol=1e-13)
    assert np.allclose(batch_grads, [p.grad for p in w_s + [b_s]], rtol=1e-12)
    assert all(isinstance(g, float) for g in batch_grads)   # float leaves get the batch sum


def test_batch_leaf_gets_one_gradient_per_sample():
    x = Value(np.array([0.5, -1.0, 2.0]))
    y = x * x * 3.0
    y.backward()
    assert x.grad.shape == (3,)
    assert np.allclose(x.grad, 6.0 * x.data)


def test_mean_reduces_to_one_float_value_with_partial_one_over_n():
    x = Value(np.array([1.0, 2.0, 3.0, 6.0]))
    loss = (x * 2.0).mean()
    assert loss.op == "mean" and isinstance(loss.data, float) and loss.data == 6.0
    assert np.allclose(loss.partials[0], 0.25)
    loss.backward()
    assert np.allclose(x.grad, 0.5)


def test_sum_reduction_then_broadcast_back_into_the_batch():
    x = Value(np.array([1.0, 2.0, 4.0]))
    total = x.sum()                          # 7
    y = (x * total).sum()                    # sum_i x_i * sum_j x_j = 49
    y.backward()
    assert y.data == 49.0
    assert np.allclose(x.grad, 2 * 7.0)      # d/dx_k (sum x)^2 = 2 sum x


def test_reductions_of_a_float_value_are_the_value_itself():
    x = Value(3.0)
    assert x.sum().data == 3.0 and x.mean().data == 3.0
    x.mean().backward()
    assert x.grad == 1.0


def test_backward_on_a_batch_seeds_every_sample():
    x = Value(np.array([1.0, 2.0]))
    y = x.exp()
    y.backward(2.0)
    assert np.allclose(x.grad, 2.0 * np.exp([1.0, 2.0]))
    with pytest.raises(ValueError):
        Value(3.0).exp().backward(np.array([1.0, 2.0]))


def test_softmax_over_a_batch_matches_per_sample():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(3, 5)) * 50                      # 3 classes, 5 samples
    probabilities = autograd.softmax([Value(row) for row in logits])
    expected = np.exp(logits - logits.max(axis=0)) / np.exp(logits - logits.max(axis=0)).sum(0)
    assert np.allclose([p.data for p in probabilities], expected)


def test_create_graph_with_a_batch_input():
    x = Value(np.array([0.5, 1.0, 2.0]))
    [dy] = autograd.grad((x ** 3).sum(), [x], create_graph=True)
    assert np.allclose(dy.data, 3 * x.data ** 2)
    [d2y] = autograd.grad(dy.sum(), [x])
    assert np.allclose(d2y, 6 * x.data)


def test_mismatched_batch_sizes_are_an_error():
    with pytest.raises(ValueError):
        Value(np.ones(3)) + Value(np.ones(4))


def test_gradcheck_on_batch_inputs():
    assert autograd.gradcheck(lambda a, w: autograd.sigmoid(a * w).mean(),
                              [np.array([0.1, -2.0, 3.0]), 0.7])


def test_a_batch_array_constant_works_everywhere_a_number_does():
    """An ndarray's `.data` is its raw buffer: code must never read `.data` off a constant."""
    x = Value(np.array([1.0, 2.0]))
    total = autograd.sum([x, np.array([10.0, 20.0]), 1.0])
    assert np.array_equal(total.data, [12.0, 23.0]) and total.operands[1].shape == (2,)
    total.sum().backward()
    assert np.array_equal(x.grad, [1.0, 1.0])
    numbers = (np.array([1.0, 2.0, 4.0]),)
    assert np.array_equal(autograd.PARTIALS["sum"](numbers, 7.0, 0), [1.0, 1.0, 1.0])
    assert np.allclose(autograd.PARTIALS["mean"](numbers, 7.0 / 3, 0), [1 / 3] * 3)


# ---------------------------------------------------------------- batches of different sizes

_THREE, _FIVE = np.arange(1.0, 4.0), np.arange(1.0, 6.0)
_MISMATCHES = {
    "a + b": lambda a, b: a + b, "a - b": lambda a, b: a - b, "a * b": lambda a, b: a * b,
    "a / b": lambda a, b: a / b, "a ** b": lambda a, b: a ** b,
    "a.maximum(b)": lambda a, b: a.maximum(b),
    "a + array": lambda a, b: a + b.data, "array - a": lambda a, b: b.data - a,
    "a * array": lambda a, b: a * b.data, "array / a": lambda a, b: b.data / a,
    "a ** array": lambda a, b: a ** b.data, "array ** a": lambda a, b: b.data ** a,
}


@pytest.mark.parametrize("expression", list(_MISMATCHES))
def test_batches_of_different_sizes_are_refused_with_the_sizes_and_the_fix(expression):
    a, b = Value(_THREE), Value(_FIVE)
    with pytest.raises(ValueError, match=r"batches of different sizes .*\(3 samples and 5 "
                                         r"samples\).*same rows \(X\[i:j\] and y\[i:j\]\)"):
        _MISMATCHES[expression](a, b)


@pytest.mark.parametrize("expression", list(_MISMATCHES))
def test_a_batch_of_one_sample_still_meets_any_batch(expression):
    out = _MISMATCHES[expression](Value(_THREE), Value(np.array([2.0])))
    assert out.data.shape == (3,)
