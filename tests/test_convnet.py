"""SimpleConvNet: the book's chapter 7 network, against a numpy im2col version of it.

A small network (1x8x8 images, 2 filters of 3x3, 5 hidden units, 3 classes) gives the same
scores, loss and gradients as the benchmark's `NumpyConvNet` (the book's Convolution, Relu,
Pooling, Affine, SoftmaxWithLoss) from the same weights, trains on a tiny set through `fit`,
and saves and loads its parameters.
"""

import numpy as np
import pytest

import nn
from bench.bench_cnn import NumpyConvNet, Params


def small_params(model: nn.SimpleConvNet) -> Params:
    def affine(layer):
        return (np.array([[w.data for w in n.w] for n in layer.neurons]).T,
                np.array([n.b.data for n in layer.neurons]))
    (W2, b2), (W3, b3) = affine(model.hidden), affine(model.out)
    return {"W1": model.conv.weight_array(), "b1": np.array([b.data for b in model.conv.biases]),
            "W2": W2, "b2": b2, "W3": W3, "b3": b3}


def test_scores_loss_and_gradients_equal_the_numpy_network():
    rng = np.random.default_rng(0)
    model = nn.SimpleConvNet((1, 8, 8), filters=2, kernel_size=3, hidden=5, classes=3, seed=0)
    for b in model.conv.biases:
        b.data = float(rng.normal(scale=0.1))
    x, t = rng.random((6, 1, 8, 8)), rng.integers(0, 3, 6)
    reference = NumpyConvNet(small_params(model))
    loss = nn.softmax_cross_entropy(model(nn.as_images(x)), t)
    loss.backward()
    assert np.isclose(loss.data, reference.forward_backward(x, t), rtol=1e-12)
    k = model.conv.kernel_size
    got = [np.array([[w.grad for w in f] for f in model.conv.filters]).reshape(2, 1, k, k),
           np.array([b.grad for b in model.conv.biases])]
    for layer in (model.hidden, model.out):
        got += [np.array([[w.grad for w in n.w] for n in layer.neurons]).T,
                np.array([n.b.grad for n in layer.neurons])]
    for g, r in zip(got, reference.gradients()):
        assert np.allclose(g, r, rtol=1e-10, atol=1e-14)


def test_flat_inputs_and_feature_maps_give_the_same_scores():
    model = nn.SimpleConvNet((2, 6, 6), filters=2, kernel_size=3, hidden=4, classes=2, seed=1)
    x = np.random.default_rng(1).random((3, 2, 6, 6))
    by_map = [v.data for v in model(nn.as_images(x))]
    by_flat = [v.data for v in model(nn.as_inputs(x, values=False))]
    assert np.array_equal(by_map, by_flat)


def test_fit_trains_it_on_images_and_it_saves_and_loads(tmp_path):
    rng = np.random.default_rng(2)
    X = rng.random((40, 1, 6, 6))
    X[:20, 0, :3] += 1.0                         # class 0 is bright on top
    y = np.array([0] * 20 + [1] * 20)
    model = nn.SimpleConvNet((1, 6, 6), filters=2, kernel_size=3, hidden=6, classes=2, seed=0)
    history = nn.fit(model, X, y, nn.softmax_cross_entropy,
                     nn.Adam(model.parameters(), lr=0.05), epochs=8, batch_size=10,
                     progress=False)
    assert history["loss"][-1] < history["loss"][0]
    assert nn.accuracy(model, X, y) >= 0.9
    model.save(tmp_path / "cnn.npz")
    other = nn.SimpleConvNet((1, 6, 6), filters=2, kernel_size=3, hidden=6, classes=2, seed=5)
    other.load(tmp_path / "cnn.npz")
    assert np.array_equal(nn.predict(other, X), nn.predict(model, X))


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="input_shape"):
        nn.SimpleConvNet((28, 28))
    with pytest.raises(ValueError, match="does not fit"):
        nn.SimpleConvNet((1, 3, 3), kernel_size=5)
