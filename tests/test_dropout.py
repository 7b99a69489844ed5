"""Dropout (the book's form) and the train()/eval() switch.

In training the mask is the book's `np.random.rand(*x.shape) > ratio`, drawn from the layer's
own generator, so a seed reproduces it; the output is x times the mask and the gradient is the
upstream times the mask. In evaluation every input is scaled by 1 - ratio. `Module.train()` and
`eval()` reach every submodule; `fit` trains in train mode and `predict` runs in eval mode.
"""

import numpy as np
import pytest

import autograd
import nn
from autograd import Value


def test_the_mask_is_the_books_draw_from_the_seed():
    x = np.arange(1.0, 13.0).reshape(4, 3)
    drop = nn.Dropout(0.4, seed=42)
    inputs = nn.as_inputs(x)
    out = drop(inputs)
    mask = np.random.default_rng(42).random((4, 3)) > 0.4        # the book's form
    assert np.array_equal(drop.last_mask, mask)
    assert np.array_equal(np.array([v.data for v in out]).T, x * mask)
    dout = np.random.default_rng(1).normal(size=(4, 3))
    autograd.sum([(v * dout[:, j].copy()).sum() for j, v in enumerate(out)]).backward()
    assert np.array_equal(np.array([v.grad for v in inputs]).T, dout * mask)
    again = nn.Dropout(0.4, seed=42)(nn.as_inputs(x))
    assert np.array_equal(np.array([v.data for v in again]).T, x * mask)
    second = drop(nn.as_inputs(x))                                # the next draw differs
    assert not np.array_equal(drop.last_mask, mask) and len(second) == 3


def test_about_ratio_of_the_inputs_are_dropped():
    drop = nn.Dropout(0.3, seed=0)
    drop(nn.as_inputs(np.ones((1000, 20))))
    assert abs((~drop.last_mask).mean() - 0.3) < 0.01


def test_eval_scales_by_one_minus_ratio_and_train_switches_back():
    model = nn.Dropout(0.25, seed=0)
    x = Value(np.array([2.0, -4.0]))
    assert model.eval() is model and not model.training
    y = model(x)
    y.sum().backward()
    assert np.array_equal(y.data, [1.5, -3.0]) and np.array_equal(x.grad, [0.75, 0.75])
    model.train()
    assert model.training and set(np.unique(model(x).data)) <= {0.0, 2.0, -4.0}


def test_dropout_on_a_feature_map_keeps_its_shape():
    fmap = nn.as_images(np.ones((5, 2, 3, 4)))
    out = nn.Dropout(0.5, seed=3)(fmap)
    assert (len(out), len(out[0]), len(out[0][0])) == (2, 3, 4)


class Net(nn.Module):
    """A small network with Dropout and BatchNorm inside, to check the switch reaches them."""

    def __init__(self):
        self.layers = [nn.Layer(4, 6, "relu", seed=0), nn.BatchNorm(6), nn.Dropout(0.5, seed=0),
                       nn.Layer(6, 2, "identity", seed=1)]

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def test_train_and_eval_reach_every_submodule_and_predict_uses_eval():
    net = Net()
    assert all(m.training for m in net.modules()) and len(net.modules()) >= 5
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    X = np.random.default_rng(0).normal(size=(30, 4))
    y = (X[:, 0] > 0).astype(int)
    nn.fit(net, X, y, nn.softmax_cross_entropy, nn.Adam(net.parameters(), lr=0.01), epochs=3,
           batch_size=10, progress=False)
    first = nn.predict(net, X)
    assert np.array_equal(first, nn.predict(net, X))      # eval mode: no random mask
    assert net.training                                    # predict gives the mode back


@pytest.mark.parametrize("ratio", [-0.1, 1.0, 2, "0.5", True])
def test_a_bad_ratio_is_refused(ratio):
    with pytest.raises(ValueError, match="ratio"):
        nn.Dropout(ratio)
