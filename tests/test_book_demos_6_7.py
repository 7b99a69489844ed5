"""The chapter 6-7 demos and figures (batchnorm, dropout, cnn) on tiny data.

The book's MultiLayerNetExtend with Batch Normalization against a numpy version of it (Affine,
BatchNormalization, Relu, SoftmaxWithLoss, the book's backward); the convolution graph's
weight gradients against the sums of the pixels under each weight; every figure in English
and Japanese (its words from labels.TEXT); the demos end to end on a few samples.
"""

import shutil

import numpy as np
import pytest

import nn
from demos import batchnorm, cnn, dropout
from viz import book_plots
from viz.labels import TEXT

NEEDS_DOT = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz is missing: apt-get install graphviz")


def numpy_booknet(params, x, t):
    """Affine - BatchNormalization - Relu per hidden layer, Affine, SoftmaxWithLoss: the loss
    and the gradient of every W, written the book's way (gamma 1, beta 0)."""
    caches, h = [], x
    for W, b in params[:-1]:
        a = h @ W + b
        mu = a.mean(0)
        xc = a - mu
        std = np.sqrt((xc ** 2).mean(0) + 1e-7)
        xn = xc / std
        caches.append((h, W, xc, std, xn))
        h = np.maximum(xn, 0)
    W, b = params[-1]
    scores = h @ W + b
    y = np.exp(scores - scores.max(1, keepdims=True))
    y /= y.sum(1, keepdims=True)
    loss = -np.log(y[np.arange(len(t)), t]).mean()
    d = y.copy()
    d[np.arange(len(t)), t] -= 1
    d /= len(t)
    grads = [h.T @ d]
    d = d @ W.T
    for h_in, W, xc, std, xn in reversed(caches):
        dxn = d * (xn > 0)
        dxc = dxn / std
        dstd = -np.sum(dxn * xc / std ** 2, 0)
        dxc += 2 / len(t) * xc * (0.5 * dstd / std)
        da = dxc - dxc.mean(0)
        grads.insert(0, h_in.T @ da)
        d = da @ W.T
    return loss, grads


def test_the_books_network_with_batchnorm_equals_numpy():
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(8, 5)), rng.integers(0, 3, 8)
    model = batchnorm.BookNet([5, 4, 4, 3], weight_scale=0.5, batchnorm=True, seed=0)
    params = [(np.array([[w.data for w in n.w] for n in layer.neurons]).T,
               np.array([n.b.data for n in layer.neurons])) for layer in model.affines]
    loss = nn.softmax_cross_entropy(model(nn.as_inputs(x, values=False)), t)
    loss.backward()
    expected, grads = numpy_booknet(params, x, t)
    assert np.isclose(loss.data, expected, rtol=1e-12)
    for layer, dW in zip(model.affines, grads):
        got = np.array([[w.grad for w in n.w] for n in layer.neurons]).T
        assert np.allclose(got, dW, rtol=1e-9, atol=1e-13)


def test_compare_gives_one_accuracy_per_epoch_with_and_without():
    histories = batchnorm.compare([0.01], epochs=2, samples=100)
    assert list(histories) == [0.01] and set(histories[0.01]) == {"with", "without"}
    assert all(len(curve) == 2 and all(0 <= a <= 1 for a in curve)
               for curve in histories[0.01].values())


def test_the_convolution_graph_shares_each_weight_over_nine_positions():
    loss, image, conv = cnn.convolution_graph()
    pixels = np.array(image[0])
    for k, w in enumerate(conv.filters[0]):
        i, j = divmod(k, 2)
        assert w.grad == pytest.approx(pixels[i:i + 3, j:j + 3].sum(), rel=1e-12)
    assert conv.biases[0].grad == 9.0 and len(loss.parents) == 9


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_figures_carry_their_words(lang):
    text = TEXT[lang]
    curves = {1.0: {"with": [0.2, 0.5], "without": [0.1, 0.1]},
              0.1: {"with": [0.3, 0.6], "without": [0.2, 0.4]}}
    figure = book_plots.plot_batchnorm_training(curves, 100, 5, 100, lang=lang)
    assert text["bn with"] in [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    figure = book_plots.plot_overfitting({"a": {"train": [0.5, 1.0], "test": [0.4, 0.6]}},
                                         300, 6, 100, lang=lang)
    assert text["dropout test"] in [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    filters = np.random.default_rng(0).normal(size=(3, 1, 5, 5))
    figure = book_plots.plot_filters(filters, filters, lang=lang)
    titles = [sub.get_suptitle() for sub in figure.subfigs]
    assert text["cnn after"] in titles and len(figure.axes) == 6
    figure = book_plots.plot_loss_curve([2.3, 2.0, 1.5, 1.2], 100, lang=lang, every=2)
    assert figure.axes[0].get_title() == text["cnn loss title"]


def needs_fashion_mnist():
    if not (nn.data.FASHION_MNIST_FOLDER / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip("Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist")


@NEEDS_DOT
def test_the_batchnorm_demo_runs_on_tiny_data(tmp_path):
    assert batchnorm.main(["--epochs", "1", "--samples", "100", "--scales", "0.1",
                           "--out", str(tmp_path), "--lang", "ja"]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["batchnorm_graph_ja.png", "batchnorm_ja.png", "batchnorm_layer_ja.png"]


def test_the_dropout_demo_runs_on_tiny_data(tmp_path, capsys):
    needs_fashion_mnist()
    assert dropout.main(["--epochs", "1", "--samples", "100", "--tests", "50",
                         "--out", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["dropout.png"]
    assert "Dropout, ratio 0.2" in capsys.readouterr().out


@NEEDS_DOT
def test_the_cnn_demo_runs_on_a_few_photos(tmp_path, capsys):
    needs_fashion_mnist()
    assert cnn.main(["--subset", "100", "--test-subset", "50", "--filters", "4",
                     "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cnn_filters.png", "cnn_loss.png", "cnn_mistakes.png", "conv_graph.png"]
    assert "test accuracy" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--epochs", "0"], ["--samples", "5"], ["--scales", "-1"]])
def test_bad_options_are_refused(argv):
    with pytest.raises(SystemExit):
        batchnorm.main(argv)
