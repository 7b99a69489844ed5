"""Convolution and pooling on feature maps against the book's im2col layers, written here in numpy.

Outputs and the gradients of the inputs, the filters and the biases are compared with an
independent numpy version (the book's im2col / col2im Convolution and Pooling) to 1e-12
relative on random shapes, strides and pads (hypothesis); with PyTorch float64 as an extra when
it is installed; and with central differences on a small case. Max pooling's ties follow
`autograd.maximum`'s rule (½ each), pairwise over the window.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value
from nn.conv import padded

RTOL = 1e-12


# ----------------------------------------------------------------- the book's layers, in numpy

def im2col(x, k, stride, pad):
    """(N, C, H, W) as (N·out_h·out_w, C·k·k): one row per window (the book's im2col)."""
    n, c, h, w = x.shape
    out_h, out_w = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((n, c, k, k, out_h, out_w))
    for y in range(k):
        for x_ in range(k):
            col[:, :, y, x_] = img[:, :, y:y + stride * out_h:stride, x_:x_ + stride * out_w:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1), out_h, out_w


def col2im(col, shape, k, stride, pad):
    """Each window's entries added back to their pixels (the book's col2im)."""
    n, c, h, w = shape
    out_h, out_w = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    col = col.reshape(n, out_h, out_w, c, k, k).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for y in range(k):
        for x_ in range(k):
            img[:, :, y:y + stride * out_h:stride,
                x_:x_ + stride * out_w:stride] += col[:, :, y, x_]
    return img[:, :, pad:h + pad, pad:w + pad]


def conv_reference(x, W, b, stride, pad, dout):
    """The book's Convolution: forward, then backward of dout; returns out, dx, dW, db."""
    f, c, k, _ = W.shape
    col, out_h, out_w = im2col(x, k, stride, pad)
    col_W = W.reshape(f, -1).T
    out = (col @ col_W + b).reshape(len(x), out_h, out_w, -1).transpose(0, 3, 1, 2)
    d = dout.transpose(0, 2, 3, 1).reshape(-1, f)
    dW = (col.T @ d).T.reshape(W.shape)
    dx = col2im(d @ col_W.T, x.shape, k, stride, pad)
    return out, dx, dW, d.sum(axis=0)


def pool_reference(x, size, stride, dout, kind):
    """The book's Pooling (max: the gradient to the argmax; or the mean): out, dx."""
    n, c, h, w = x.shape
    col, out_h, out_w = im2col(x, size, stride, 0)
    col = col.reshape(-1, size * size)
    d = dout.transpose(0, 2, 3, 1).ravel()
    if kind == "max":
        out, dcol = col.max(axis=1), np.zeros_like(col)
        dcol[np.arange(len(col)), np.argmax(col, axis=1)] = d
    else:
        out, dcol = col.mean(axis=1), np.repeat(d[:, None] / size ** 2, size ** 2, axis=1)
    out = out.reshape(n, out_h, out_w, c).transpose(0, 3, 1, 2)
    return out, col2im(dcol.reshape(n * out_h * out_w, -1), x.shape, size, stride, 0)


# ----------------------------------------------------------------- helpers

def as_array(fmap, field="data"):
    """A feature map of batch Values as an (N, C, H, W) array of their data (or grads). (A
    window of padding only, pad >= k, gives a float pixel: the bias, the same for every sample.)"""
    n = max(np.size(v.data) for ch in fmap for row in ch for v in row)
    return np.array([[[np.broadcast_to(getattr(v, field), (n,)) for v in row] for row in ch]
                     for ch in fmap]).transpose(3, 0, 1, 2)


def backprop(out, dout):
    """Backward from sum(out * dout): every output pixel gets the upstream gradient dout."""
    terms = [(v * np.ascontiguousarray(dout[:, o, i, j])).sum()
             for o, ch in enumerate(out) for i, row in enumerate(ch) for j, v in enumerate(row)]
    autograd.sum(terms).backward()


def conv_grads(conv):
    k = conv.kernel_size
    dW = np.array([[w.grad for w in f] for f in conv.filters]).reshape(
        conv.out_channels, conv.in_channels, k, k)
    return dW, np.array([b.grad for b in conv.biases])


def close(a, b):
    return np.allclose(a, b, rtol=RTOL, atol=RTOL * max(1.0, np.abs(b).max()))


conv_cases = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),  # N, C, F
                       st.integers(1, 3), st.integers(1, 3), st.integers(0, 2),  # k, stride, pad
                       st.integers(3, 7), st.integers(3, 7), st.integers(0, 10_000))


# ----------------------------------------------------------------- convolution

@settings(max_examples=25, deadline=None)
@given(conv_cases)
def test_conv2d_equals_the_books_im2col_convolution(case):
    n, c, f, k, stride, pad, h, w, seed = case
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c, h, w))
    conv = nn.Conv2d(c, f, k, stride=stride, pad=pad, seed=seed)
    for b in conv.biases:
        b.data = float(rng.normal())
    fmap = nn.as_images(x, values=True)
    out = conv(fmap)
    W, b = conv.weight_array(), np.array([b.data for b in conv.biases])
    dout = rng.normal(size=as_array(out).shape)
    expected, dx, dW, db = conv_reference(x, W, b, stride, pad, dout)
    backprop(out, dout)
    assert as_array(out).shape == expected.shape
    assert close(as_array(out), expected)
    assert close(as_array(fmap, "grad"), dx)
    got_dW, got_db = conv_grads(conv)
    assert close(got_dW, dW) and close(got_db, db)


@settings(max_examples=25, deadline=None)
@given(conv_cases)
def test_conv2d_on_constant_images_vectorised_equals_the_books_convolution(case):
    """Images as constants (nn.as_images' default) take the vectorised path: one product
    forward, one product for every weight's gradient."""
    n, c, f, k, stride, pad, h, w, seed = case
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c, h, w))
    conv = nn.Conv2d(c, f, k, stride=stride, pad=pad, seed=seed)
    for b in conv.biases:
        b.data = float(rng.normal())
    out = conv(nn.as_images(x))
    assert type(out[0][0][0].stacks).__name__ == "Pixel"
    W, b = conv.weight_array(), np.array([b.data for b in conv.biases])
    dout = rng.normal(size=as_array(out).shape)
    expected, _, dW, db = conv_reference(x, W, b, stride, pad, dout)
    backprop(out, dout)
    assert close(as_array(out), expected)
    got_dW, got_db = conv_grads(conv)
    assert close(got_dW, dW) and close(got_db, db)


def test_a_vectorised_pixel_is_the_node_dot_makes():
    """The same op, parents, partials and operands as autograd.dot over the window; and it
    works with grad(), create_graph and detect_anomaly like any node."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 2, 4, 5))
    conv = nn.Conv2d(2, 2, 2, stride=1, pad=1, seed=4)
    out = conv(nn.as_images(x))
    fmap = padded(nn.as_images(x), 1)
    window = [fmap[ch][2 + a][1 + b] for ch in range(2) for a in range(2) for b in range(2)]
    reference = autograd.dot(conv.filters[1], window, conv.biases[1])
    pixel = out[1][2][1]
    assert pixel.op == reference.op == "dot" and pixel.parents == reference.parents
    assert all(np.array_equal(p, q) for p, q in zip(pixel.partials, reference.partials))
    assert len(pixel.operands) == len(reference.operands) == 17
    assert all(np.array_equal(p, q) if not isinstance(p, Value) else p is q
               for p, q in zip(pixel.operands, reference.operands))
    assert np.allclose(pixel.data, reference.data, rtol=RTOL)
    [dw] = autograd.grad(pixel.sum(), [conv.filters[1][3]])
    assert np.isclose(dw, window[3].sum(), rtol=RTOL)
    [dw2] = autograd.grad(pixel.sum(), [conv.filters[1][3]], create_graph=True)
    assert np.isclose(dw2.data, dw, rtol=RTOL)
    with autograd.detect_anomaly():
        out = conv(nn.as_images(x))
        out[0][0][0].sum().backward()
    assert conv.biases[0].grad == 3.0


def test_conv2d_on_one_image_of_floats_is_the_batch_of_one():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 5))
    conv = nn.Conv2d(2, 3, 3, stride=2, pad=1, seed=1)
    single = conv(nn.as_images(x, values=True))
    batch = conv(nn.as_images(x[None], values=True))
    assert type(single[0][0][0].data) is float
    assert close(as_array([[[Value(np.array([v.data])) for v in row] for row in ch]
                           for ch in single]), as_array(batch))


def test_a_filter_weight_is_one_value_used_at_every_position():
    """Weight sharing: each weight is a parent of every output pixel, its gradient their sum."""
    conv = nn.Conv2d(1, 1, 2, seed=0)
    x = np.arange(16.0).reshape(1, 4, 4)
    out = conv(nn.as_images(x))
    pixels = [v for row in out[0] for v in row]
    w00 = conv.filters[0][0]
    assert len(pixels) == 9 and all(w00 in v.parents for v in pixels)
    autograd.sum(pixels).backward()
    assert w00.grad == sum(x[0, i, j] for i in range(3) for j in range(3))   # x[i, j] under w00
    assert conv.biases[0].grad == 9.0


def test_conv2d_against_central_differences():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 1, 4, 4))
    conv = nn.Conv2d(1, 2, 2, stride=1, pad=1, seed=3)
    weights = np.array([[w.data for w in f] for f in conv.filters])
    dout = rng.normal(size=(2, 2, 5, 5))

    def loss(W):
        return float((conv_reference(x, W.reshape(2, 1, 2, 2), np.zeros(2), 1, 1, dout)[0]
                      * dout).sum())

    backprop(conv(nn.as_images(x)), dout)
    h, numeric = 1e-6, np.zeros_like(weights)
    for idx in np.ndindex(weights.shape):
        step = np.zeros_like(weights)
        step[idx] = h
        numeric[idx] = (loss(weights + step) - loss(weights - step)) / (2 * h)
    assert np.allclose(conv_grads(conv)[0].reshape(weights.shape), numeric, rtol=1e-6, atol=1e-8)


# ----------------------------------------------------------------- pooling

pool_cases = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),   # N, C, size
                       st.integers(1, 3), st.integers(3, 7), st.integers(3, 7),   # stride, H, W
                       st.integers(0, 10_000))


@settings(max_examples=25, deadline=None)
@given(pool_cases, st.sampled_from(["max", "avg"]))
def test_pooling_equals_the_books_pooling(case, kind):
    n, c, size, stride, h, w, seed = case
    if size > min(h, w):
        return
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c, h, w))          # continuous: no ties, the argmax is the max
    layer = nn.MaxPool2d(size, stride) if kind == "max" else nn.AvgPool2d(size, stride)
    fmap = nn.as_images(x, values=True)
    out = layer(fmap)
    dout = rng.normal(size=as_array(out).shape)
    expected, dx = pool_reference(x, size, stride, dout, kind)
    backprop(out, dout)
    assert close(as_array(out), expected)
    assert close(as_array(fmap, "grad"), dx)


def test_max_pool_ties_share_the_gradient_as_maximum_does():
    """2×2 windows: four equal values get ¼ each; a tie of the two largest, ½ each."""
    x = np.array([[[[1.0, 1.0, 5.0, 2.0],
                    [1.0, 1.0, 5.0, 0.0]]]])
    fmap = nn.as_images(x, values=True)
    out = nn.MaxPool2d(2)(fmap)
    autograd.sum([out[0][0][0].sum(), out[0][0][1].sum()]).backward()
    grads = as_array(fmap, "grad")[0, 0]
    assert grads.tolist() == [[0.25, 0.25, 0.5, 0.0], [0.25, 0.25, 0.5, 0.0]]
    a, b = Value(5.0), Value(5.0)
    autograd.maximum(a, b).backward()
    assert (a.grad, b.grad) == (0.5, 0.5)                     # the same rule, one maximum


def test_max_pool_on_batches_makes_the_nodes_maximum_makes():
    """The layer-at-once path (batch Values) against the window-by-window path (one image of
    floats), and each node against autograd.maximum of its operands."""
    x = np.random.default_rng(2).normal(size=(1, 2, 5, 5)).round(1)   # rounded: some ties
    fmap = nn.as_images(x, values=True)
    out = nn.MaxPool2d(3, 2)(fmap)
    single = nn.MaxPool2d(3, 2)(nn.as_images(x[0], values=True))
    assert [[[v.data[0] for v in row] for row in ch] for ch in out] == \
        [[[v.data for v in row] for row in ch] for ch in single]
    node = out[1][1][0]
    while node.op == "maximum":
        again = autograd.maximum(*node.parents)
        assert np.array_equal(again.data, node.data)
        assert all(np.array_equal(p, q) for p, q in zip(again.partials, node.partials))
        node = node.parents[0]


def test_flatten_is_numpys_reshape_order():
    x = np.arange(2 * 3 * 2 * 2.0).reshape(2, 3, 2, 2)
    flat = nn.Flatten()(nn.as_images(x))
    assert np.array_equal(np.array(flat).T, x.reshape(2, -1))


# ----------------------------------------------------------------- PyTorch float64, when installed

def test_conv_and_pools_equal_pytorch_float64():
    torch = pytest.importorskip("torch", reason="PyTorch is optional: pip install torch")
    F = torch.nn.functional
    rng = np.random.default_rng(7)
    for stride, pad, k, values in [(1, 0, 3, True), (2, 1, 2, True), (3, 2, 3, True),
                                   (1, 1, 3, False), (2, 0, 2, False)]:
        x = rng.normal(size=(3, 2, 7, 6))
        conv = nn.Conv2d(2, 3, k, stride=stride, pad=pad, seed=stride)
        fmap = nn.as_images(x, values=values)
        out = conv(fmap)
        xt = torch.tensor(x, requires_grad=True)
        Wt = torch.tensor(conv.weight_array(), requires_grad=True)
        bt = torch.zeros(3, dtype=torch.float64, requires_grad=True)
        yt = F.conv2d(xt, Wt, bt, stride=stride, padding=pad)
        dout = rng.normal(size=tuple(yt.shape))
        (yt * torch.tensor(dout)).sum().backward()
        backprop(out, dout)
        assert close(as_array(out), yt.detach().numpy())
        if values:
            assert close(as_array(fmap, "grad"), xt.grad.numpy())
        assert close(conv_grads(conv)[0], Wt.grad.numpy())
        assert close(conv_grads(conv)[1], bt.grad.numpy())
    for layer, function in [(nn.MaxPool2d(2), F.max_pool2d), (nn.AvgPool2d(3, 2), F.avg_pool2d)]:
        x = rng.normal(size=(2, 2, 7, 7))
        fmap = nn.as_images(x, values=True)
        out = layer(fmap)
        xt = torch.tensor(x, requires_grad=True)
        yt = function(xt, layer.size, layer.stride)
        dout = rng.normal(size=tuple(yt.shape))
        (yt * torch.tensor(dout)).sum().backward()
        backprop(out, dout)
        assert close(as_array(out), yt.detach().numpy())
        assert close(as_array(fmap, "grad"), xt.grad.numpy())


# ----------------------------------------------------------------- bad input

@pytest.mark.parametrize("make, message", [
    (lambda: nn.as_images(np.zeros((2, 3))), "shape"),
    (lambda: nn.Conv2d(2, 1, 3)(nn.as_images(np.zeros((1, 1, 4, 4)))), "input channels"),
    (lambda: nn.Conv2d(1, 1, 5)(nn.as_images(np.zeros((1, 1, 4, 4)))), "does not fit"),
    (lambda: nn.Conv2d(1, 1, 2, pad=-1), "pad"),
    (lambda: nn.Conv2d(1, 0, 2), "out_channels"),
    (lambda: nn.MaxPool2d(0), "size"),
    (lambda: nn.Conv2d(1, 1, 2)([Value(1.0)]), "feature map"),
    (lambda: nn.Flatten()([1.0, 2.0]), "feature map"),
])
def test_bad_input_is_refused_saying_what_is_allowed(make, message):
    with pytest.raises(ValueError, match=message):
        make()
