"""Batch Normalization against the book's BatchNormalization, written here in numpy.

The outputs and the gradients of the inputs, gamma and beta equal the book's forward and
backward (Kratzert's node-by-node derivation, as the book writes it) to 1e-12 relative on
random batches (hypothesis), in training and in evaluation (the running averages), for flat
inputs and for feature maps (per channel); with PyTorch's batch_norm as an extra when it is
installed. Every node of the drawn graph (4 samples x 3 features) is checked against the
book's backward, node by node.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value

RTOL = 1e-12


class BookBatchNorm:
    """The book's BatchNormalization (common/layers.py), on (N, D) arrays."""

    def __init__(self, gamma, beta, momentum=0.9, eps=1e-7):
        self.gamma, self.beta, self.momentum, self.eps = gamma, beta, momentum, eps
        self.running_mean = np.zeros(len(gamma))
        self.running_var = np.zeros(len(gamma))

    def forward(self, x, train):
        if train:
            mu = x.mean(axis=0)
            self.xc = x - mu
            var = np.mean(self.xc ** 2, axis=0)
            self.std = np.sqrt(var + self.eps)
            self.xn = self.xc / self.std
            self.batch_size = len(x)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            self.xn = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return self.gamma * self.xn + self.beta

    def backward(self, dout):
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / self.batch_size) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        return dxc - dmu / self.batch_size


def close(a, b):
    return np.allclose(a, b, rtol=RTOL, atol=RTOL * max(1.0, np.abs(b).max()))


def run_flat(bn, x, dout):
    """nn.BatchNorm on x (N, D) with upstream dout: outputs, dx, dgamma, dbeta."""
    inputs = nn.as_inputs(x)
    out = bn(inputs)
    autograd.sum([(v * np.ascontiguousarray(dout[:, j])).sum() for j, v in enumerate(out)]
                 ).backward()
    return (np.array([v.data for v in out]).T, np.array([v.grad for v in inputs]).T,
            np.array([g.grad for g in bn.gamma]), np.array([b.grad for b in bn.beta]))


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 9), st.integers(1, 4), st.integers(0, 10_000))
def test_batchnorm_equals_the_books_forward_and_backward(n, d, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)) * rng.uniform(0.1, 10, d) + rng.normal(size=d)
    gamma, beta = rng.normal(size=d), rng.normal(size=d)
    bn = nn.BatchNorm(d)
    for j in range(d):
        bn.gamma[j].data, bn.beta[j].data = float(gamma[j]), float(beta[j])
    book = BookBatchNorm(gamma, beta)
    dout = rng.normal(size=(n, d))
    for _ in range(2):                     # twice: the running averages move twice
        out, dx, dgamma, dbeta = run_flat(bn, x, dout)
        bn.zero_grad()
        expected = book.forward(x, train=True)
    assert close(out, expected)
    assert close(dx, book.backward(dout))
    assert close(dgamma, book.dgamma) and close(dbeta, book.dbeta)
    assert close(bn.running_mean, book.running_mean) and close(bn.running_var, book.running_var)
    bn.eval()
    x_test = rng.normal(size=(3, d))
    out, dx, dgamma, dbeta = run_flat(bn, x_test, dout[:1].repeat(3, axis=0))
    assert close(out, book.forward(x_test, train=False))
    assert close(dx, dout[:1].repeat(3, axis=0) * gamma / np.sqrt(book.running_var + 1e-7))


def feature_map_run(bn, x, dout):
    fmap = nn.as_images(x, values=True)
    out = bn(fmap)
    autograd.sum([(v * np.ascontiguousarray(dout[:, c, i, j])).sum()
                  for c, ch in enumerate(out) for i, row in enumerate(ch)
                  for j, v in enumerate(row)]).backward()

    def array(fm, field):
        return np.array([[[getattr(v, field) for v in row] for row in ch] for ch in fm]
                        ).transpose(3, 0, 1, 2)
    return array(out, "data"), array(fmap, "grad")


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 10_000))
def test_batchnorm2d_is_the_books_formula_per_channel(n, c, size, seed):
    """Per channel: the samples of every position are the batch, i.e. the book's layer on
    x as (N·H·W, C)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c, size, size + 1)) * 3 + 1
    dout = rng.normal(size=x.shape)
    gamma, beta = rng.normal(size=c), rng.normal(size=c)
    bn = nn.BatchNorm2d(c)
    for j in range(c):
        bn.gamma[j].data, bn.beta[j].data = float(gamma[j]), float(beta[j])
    out, dx = feature_map_run(bn, x, dout)

    def rows(a):
        return a.transpose(0, 2, 3, 1).reshape(-1, c)
    book = BookBatchNorm(gamma, beta)
    expected = book.forward(rows(x), train=True)
    assert close(rows(out), expected)
    assert close(rows(dx), book.backward(rows(dout)))
    assert close(np.array([g.grad for g in bn.gamma]), book.dgamma)
    assert close(np.array([b.grad for b in bn.beta]), book.dbeta)
    assert close(bn.running_var, book.running_var)


def test_batchnorm_equals_pytorch_batch_norm_in_training_and_eval():
    torch = pytest.importorskip("torch", reason="PyTorch is optional: pip install torch")
    rng = np.random.default_rng(5)
    x = rng.normal(size=(6, 2, 3, 3))
    dout = rng.normal(size=x.shape)
    bn = nn.BatchNorm2d(2, eps=1e-5)
    for j, g in enumerate([1.5, -0.5]):
        bn.gamma[j].data = g
    out, dx = feature_map_run(bn, x, dout)
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor([1.5, -0.5], dtype=torch.float64, requires_grad=True)
    bt = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    yt = torch.nn.functional.batch_norm(xt, None, None, wt, bt, training=True, eps=1e-5)
    (yt * torch.tensor(dout)).sum().backward()
    assert close(out, yt.detach().numpy()) and close(dx, xt.grad.numpy())
    assert close(np.array([g.grad for g in bn.gamma]), wt.grad.numpy())
    assert close(np.array([b.grad for b in bn.beta]), bt.grad.numpy())
    bn.eval()
    out, dx = feature_map_run(bn, x, dout)
    yt = torch.nn.functional.batch_norm(
        torch.tensor(x), torch.tensor(bn.running_mean), torch.tensor(bn.running_var),
        torch.tensor([1.5, -0.5], dtype=torch.float64), None, training=False, eps=1e-5)
    assert close(out, yt.numpy())


def test_every_node_of_the_drawn_graph_matches_the_books_backward():
    """4 samples x 3 features: mean, centred value, variance, sqrt, normalised value, scale and
    shift, each node's value and gradient against the book's intermediate arrays."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    dout = rng.normal(size=(4, 3))
    bn = nn.BatchNorm(3)
    inputs = nn.as_inputs(x)
    out = bn(inputs)
    autograd.sum([(v * np.ascontiguousarray(dout[:, j])).sum() for j, v in enumerate(out)]
                 ).backward(retain_grad=True)
    book = BookBatchNorm(np.ones(3), np.zeros(3))
    book.forward(x, train=True)
    book.backward(dout)
    for j, y in enumerate(out):
        shift = y                                    # gamma * xn + beta
        scale = shift.parents[0]                     # gamma * xn
        xn = scale.parents[1]
        xc, std = xn.parents
        added = std.parents[0]                       # var + eps
        var = added.parents[0]
        mu = xc.parents[1]
        assert [n.op for n in (shift, scale, xn, std, added, var, xc, mu)] == [
            "add", "mul", "div", "sqrt", "add", "mean", "sub", "mean"]
        assert close(xc.data, book.xc[:, j]) and close(std.data, book.std[j])
        assert close(xn.data, book.xn[:, j])
        dxn = dout[:, j]                             # gamma = 1
        assert close(xn.grad, dxn) and close(scale.grad, dout[:, j])
        dstd = -np.sum(dxn * book.xc[:, j]) / book.std[j] ** 2
        assert close(std.grad, dstd) and close(var.grad, 0.5 * dstd / book.std[j])
        dxc = dxn / book.std[j] + 2 / 4 * book.xc[:, j] * 0.5 * dstd / book.std[j]
        assert close(xc.grad, dxc)                   # the book's dxc, both branches added
        assert close(added.grad, var.grad)           # d(var + eps)/d(var) = 1
        assert close(mu.grad, -np.sum(dxc))          # the book's dmu, with the sign of x - mu


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="n_features"):
        nn.BatchNorm(0)
    with pytest.raises(ValueError, match="momentum"):
        nn.BatchNorm(2, momentum=1.5)
    with pytest.raises(ValueError, match="list of 2 inputs"):
        nn.BatchNorm(2)([Value(1.0)])
    with pytest.raises(ValueError, match="channels"):
        nn.BatchNorm2d(2)(nn.as_images(np.zeros((2, 1, 2, 2))))
