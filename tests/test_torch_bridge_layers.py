"""Module.to_torch / load_torch for the book's layers (Conv2d, the poolings, Flatten, BatchNorm,
BatchNorm2d, Dropout) and the GPT with its blocks: on random weights and inputs (hypothesis over
small shapes, strides and pads), the twin's outputs and every parameter and input gradient
equal zerograd's to 1e-12, relative to the largest entry of each compared array; weights
changed in PyTorch come back; BatchNorm's running averages and Dropout's conventions are
checked for what is and is not equal. Skipped when PyTorch is not installed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import autograd
import nn
from demos.batchnorm import BookNet
from nn.data import CharTokenizer
from nn.torch_bridge import INSTALL_TORCH, as_array, to_tensor

torch = pytest.importorskip("torch", reason=INSTALL_TORCH)
from nn import torch_gpt  # noqa: E402  (imports torch: only once it is known to be there)

SMALL = settings(max_examples=25, deadline=None)
NAMES = ["emma", "olivia", "ava", "alexandrina"]          # the last one longer than block_size


def close(got, expected, tol: float = 1e-12) -> None:
    """max |got - expected| <= tol * max |expected|, and the same shape."""
    if isinstance(expected, torch.Tensor):
        expected = expected.detach().numpy()
    got, expected = np.asarray(got, float), np.asarray(expected, float)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    scale = max(np.max(np.abs(expected), initial=0.0), 1e-300)
    assert np.max(np.abs(got - expected), initial=0.0) <= tol * scale


def entries(out) -> list:
    """The entries of a feature map, a list or one Value, in as_array's order."""
    if type(out) is autograd.Value:
        return [out]
    if out and isinstance(out[0], list):
        return [v for channel in out for row in channel for v in row]
    return list(out)


def backward_with(out, dout: np.ndarray) -> None:
    """Backward of sum(out · dout), dout in PyTorch's layout (N, ...)."""
    flat = entries(out)
    rows = np.moveaxis(dout, 0, -1).reshape(len(flat), -1)
    autograd.sum([(v * np.ascontiguousarray(row)).sum() for v, row in zip(flat, rows)]).backward()


def run_both(module: nn.Module, x, seed: int = 0):
    """The twin (made before module runs) and module on the same input, each backward of the
    same sum(out · dout); checks the outputs and the input gradients, returns the twin."""
    net, samples = module.to_torch(), len(as_array(x))
    out = module(x)                              # (an output read from padding alone: numbers)
    dout = np.random.default_rng([seed, 1]).normal(size=as_array(out, samples=samples).shape)
    backward_with(out, dout)                     # (dout: other draws than x's)
    tensor = to_tensor(x, requires_grad=True)
    twin_out = net(tensor)
    (twin_out * torch.tensor(dout)).sum().backward()
    close(as_array(out, samples=samples), twin_out)
    close(as_array(x, "grad", samples), tensor.grad)
    return net


def randomise(values, rng: np.random.Generator, low: float | None = None) -> None:
    """Each Value's data a normal draw (or uniform in [low, low + 1])."""
    for v in values:
        v.data = float(rng.normal() if low is None else rng.uniform(low, low + 1))


def images(rng, shape) -> list:
    return nn.as_images(rng.normal(size=shape), values=True)


# ----------------------------------------------------------------- layouts

def test_inputs_go_across_in_pytorchs_layout():
    X = np.random.default_rng(0).normal(size=(3, 2, 4, 5))
    close(as_array(nn.as_images(X)), X)
    close(to_tensor(nn.as_images(X, values=True)), X)
    close(as_array(nn.as_inputs(X[:, 0, 0, :])), X[:, 0, 0, :])
    close(as_array(nn.as_images(X[0])), X[:1])                   # one image: N = 1
    with pytest.raises(ValueError, match="only Values have a grad"):
        as_array(nn.as_images(X), "grad")


def test_import_nn_does_not_import_torch():
    code = "import sys, nn; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(nn.__file__).parent.parent).stdout
    assert out.strip() == "False"


# ----------------------------------------------------------------- convolution, pooling

@SMALL
@given(n=st.integers(1, 3), c=st.integers(1, 3), f=st.integers(1, 3), k=st.integers(1, 3),
       stride=st.integers(1, 3), pad=st.integers(0, 2), h=st.integers(1, 6),
       w=st.integers(1, 6), seed=st.integers(0, 2 ** 16))
def test_conv2d_equals_its_twin(n, c, f, k, stride, pad, h, w, seed):
    assume(h + 2 * pad >= k and w + 2 * pad >= k)
    rng = np.random.default_rng(seed)
    conv = nn.Conv2d(c, f, k, stride=stride, pad=pad, seed=rng)
    randomise(conv.biases, rng)
    net = run_both(conv, images(rng, (n, c, h, w)), seed)
    assert isinstance(net, torch.nn.Conv2d)
    close([[v.grad for v in row] for row in conv.filters], net.weight.grad.reshape(f, -1))
    close([b.grad for b in conv.biases], net.bias.grad)


@SMALL
@given(kind=st.sampled_from([nn.MaxPool2d, nn.AvgPool2d]), size=st.integers(1, 3),
       stride=st.integers(1, 3), n=st.integers(1, 3), c=st.integers(1, 2),
       h=st.integers(3, 6), w=st.integers(3, 6), seed=st.integers(0, 2 ** 16))
def test_poolings_equal_their_twins(kind, size, stride, n, c, h, w, seed):
    rng = np.random.default_rng(seed)                  # normal draws: no ties in a window
    net = run_both(kind(size, stride), images(rng, (n, c, h, w)), seed)
    assert (net.kernel_size, net.stride) == (size, stride)


def test_flatten_equals_its_twin():
    rng = np.random.default_rng(1)
    net = run_both(nn.Flatten(), images(rng, (2, 3, 2, 4)))
    assert isinstance(net, torch.nn.Flatten)


def test_conv2d_weights_come_back_and_other_shapes_are_refused():
    rng = np.random.default_rng(2)
    conv = nn.Conv2d(2, 3, 3, stride=2, pad=1, seed=0)
    net = conv.to_torch()
    with torch.no_grad():
        net.weight.mul_(-0.5).add_(0.1)
        net.bias.add_(0.3)
    assert conv.load_torch(net) is conv
    close(conv.weight_array(), net.weight)
    X = rng.normal(size=(2, 2, 5, 5))
    close(as_array(conv(nn.as_images(X))), net(torch.tensor(X)))
    with pytest.raises(ValueError, match=r"shape \(3, 1, 3, 3\); found \(3, 2, 3, 3\)"):
        nn.Conv2d(1, 3, 3).load_torch(net)


# ----------------------------------------------------------------- BatchNorm

def random_batchnorm(bn: nn.BatchNorm, rng) -> tuple[np.ndarray, np.ndarray]:
    """Random gammas, betas and running averages; returns the running averages' copies."""
    randomise(bn.gamma, rng)
    randomise(bn.beta, rng)
    bn.running_mean = rng.normal(size=len(bn.gamma))
    bn.running_var = rng.uniform(0.5, 2.0, size=len(bn.gamma))
    return bn.running_mean.copy(), bn.running_var.copy()


def check_batchnorm(bn, x, batch: np.ndarray, seed: int) -> None:
    """One training step in both: outputs and gradients equal, the running mean equal, the
    running variance the book's (biased batch variance) and PyTorch's (unbiased).

    At least 3 values per channel: PyTorch takes no fewer than 2, and with 2 the normalised
    values are ±1 whatever x is, so x's true gradient is 0 (to eps) and both compute noise."""
    m, count = bn.momentum, batch.size // len(bn.gamma)
    mean0, var0 = random_batchnorm(bn, np.random.default_rng(seed))
    net = run_both(bn, x, seed)
    close([g.grad for g in bn.gamma], net.weight.grad)
    close([b.grad for b in bn.beta], net.bias.grad)
    close(bn.running_mean, net.running_mean)
    axes = (0, 2, 3) if batch.ndim == 4 else 0
    biased = batch.var(axis=axes)
    close(bn.running_var, m * var0 + (1 - m) * biased)
    close(net.running_var, m * var0 + (1 - m) * biased * count / (count - 1))
    close(bn.running_mean, m * mean0 + (1 - m) * batch.mean(axis=axes))


@SMALL
@given(n=st.integers(3, 6), features=st.integers(1, 4), momentum=st.floats(0.0, 1.0),
       eps=st.sampled_from([1e-7, 1e-5, 0.1]), seed=st.integers(0, 2 ** 16))
def test_batchnorm_in_training_equals_its_twin(n, features, momentum, eps, seed):
    X = np.random.default_rng(seed).normal(size=(n, features)) * 3 + 1
    bn = nn.BatchNorm(features, momentum=momentum, eps=eps)
    check_batchnorm(bn, nn.as_inputs(X), X, seed)


@SMALL
@given(n=st.integers(1, 3), c=st.integers(1, 3), h=st.integers(1, 3), w=st.integers(1, 3),
       momentum=st.floats(0.0, 1.0), seed=st.integers(0, 2 ** 16))
def test_batchnorm2d_in_training_equals_its_twin(n, c, h, w, momentum, seed):
    assume(n * h * w >= 3)                          # see below
    X = np.random.default_rng(seed).normal(size=(n, c, h, w)) * 2 - 1
    bn = nn.BatchNorm2d(c, momentum=momentum)
    check_batchnorm(bn, nn.as_images(X, values=True), X, seed)


def test_the_running_variance_is_where_they_differ():
    X = np.random.default_rng(3).normal(size=(4, 2))
    bn = nn.BatchNorm(2)
    net = bn.to_torch()
    bn(nn.as_inputs(X))
    net(torch.tensor(X))
    close(bn.running_mean, net.running_mean)
    assert not np.allclose(bn.running_var, net.running_var.numpy(), rtol=1e-3)
    close(bn.running_var, 0.1 * X.var(axis=0))              # both start at 0 (the book's)
    close(net.running_var, 0.1 * X.var(axis=0) * 4 / 3)     # the unbiased variance: 1/(N - 1)


@pytest.mark.parametrize("kind, shape", [(nn.BatchNorm, (5, 3)), (nn.BatchNorm2d, (2, 3, 2, 2))])
def test_batchnorm_in_evaluation_equals_its_twin(kind, shape):
    rng = np.random.default_rng(4)
    bn = kind(3, eps=1e-5).eval()
    mean0, var0 = random_batchnorm(bn, rng)
    x = images(rng, shape) if len(shape) == 4 else nn.as_inputs(rng.normal(size=shape))
    net = run_both(bn, x)
    assert not net.training
    close([g.grad for g in bn.gamma], net.weight.grad)
    close(bn.running_var, var0)
    close(net.running_mean, mean0)                    # evaluation leaves them as they were


def test_batchnorm_weights_and_running_averages_come_back():
    rng = np.random.default_rng(5)
    bn = nn.BatchNorm2d(3, momentum=0.8)
    random_batchnorm(bn, rng)
    net = bn.to_torch()
    assert isinstance(net, torch.nn.BatchNorm2d) and net.momentum == pytest.approx(0.2)
    with torch.no_grad():
        for tensor in (net.weight, net.bias, net.running_mean):
            tensor.add_(torch.tensor(rng.normal(size=3)))
        net.running_var.mul_(1.5)
    bn.load_torch(net)
    close(bn.running_mean, net.running_mean)
    close(bn.running_var, net.running_var)
    X = rng.normal(size=(2, 3, 2, 2))
    close(as_array(bn.eval()(nn.as_images(X))), net.eval()(torch.tensor(X)))
    with pytest.raises(ValueError, match=r"BatchNorm1d with weights of shape \(3,\)"):
        nn.BatchNorm(3).load_torch(net)
    with pytest.raises(ValueError, match=r"shape \(4,\) \(affine\); found \(3,\)"):
        nn.BatchNorm2d(4).load_torch(net)


# ----------------------------------------------------------------- Dropout

@pytest.mark.parametrize("ratio", [0.0, 0.3, 0.5])
def test_dropout_in_evaluation_is_the_books_scaling(ratio):
    rng = np.random.default_rng(6)
    drop = nn.Dropout(ratio).eval()
    net = run_both(drop, nn.as_inputs(rng.normal(size=(4, 3))))
    assert not net.training and not isinstance(net, torch.nn.Dropout)
    run_both(drop, images(rng, (2, 2, 3, 3)))                       # a feature map too
    X = torch.tensor(rng.normal(size=(4, 3)))
    if ratio:                                     # why the twin is not torch.nn.Dropout
        assert not torch.allclose(torch.nn.Dropout(ratio).eval()(X), net(X))


def test_dropout_of_ratio_0_in_training_is_the_identity_in_both():
    X = np.random.default_rng(7).normal(size=(5, 4))
    drop = nn.Dropout(0.0, seed=0)
    net = run_both(drop, nn.as_inputs(X))
    assert net.training
    close(as_array(drop(nn.as_inputs(X))), X)


def test_dropout_in_training_masks_without_rescaling_in_both():
    X = np.random.default_rng(8).uniform(1.0, 2.0, size=(200, 100))
    drop, tensor = nn.Dropout(0.3, seed=0), torch.tensor(X, requires_grad=True)
    net = drop.to_torch()
    out = net(tensor)
    out.sum().backward()
    kept = out.detach().numpy() != 0
    close(out.detach().numpy()[kept], X[kept])                 # kept as they are: x, not x/0.7
    close(tensor.grad.numpy(), kept.astype(float))             # the gradient is the mask
    book = as_array(drop(nn.as_inputs(X)))
    close(book[book != 0], X[book != 0])
    for mask in (kept, book != 0):
        assert abs(mask.mean() - 0.7) < 0.02


# ----------------------------------------------------------------- the GPT's blocks

def test_embedding_equals_its_twin():
    emb = nn.Embedding(6, 4, seed=0, name="wte")
    dout = np.random.default_rng(9).normal(size=4)
    row = emb(3)
    autograd.sum([v * float(d) for v, d in zip(row, dout)]).backward()
    net = emb.to_torch()
    out = net(torch.tensor(3))
    (out * torch.tensor(dout)).sum().backward()
    close([v.data for v in row], out)
    close([[v.grad for v in r] for r in emb.weight], net.weight.grad)


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("samples", [1, 4])
def test_linear_equals_its_twin(bias, samples):
    rng = np.random.default_rng(10)
    linear = nn.Linear(5, 3, bias=bias, seed=0)
    randomise(linear.bias or [], rng)
    X = rng.normal(size=(samples, 5))
    x = nn.as_inputs(X) if samples > 1 else [autograd.Value(float(v)) for v in X[0]]
    net = run_both(linear, x)
    close([[w.grad for w in row] for row in linear.weight], net.weight.grad)
    if bias:
        close([b.grad for b in linear.bias], net.bias.grad)


@pytest.mark.parametrize("scale", [False, True])
def test_rmsnorm_equals_its_twin(scale):
    rng = np.random.default_rng(11)
    norm = nn.RMSNorm(6, eps=1e-3, scale=scale)
    randomise(norm.gain or [], rng, low=0.5)
    net = run_both(norm, nn.as_inputs(rng.normal(size=(3, 6))))
    assert (net.eps, net.weight is not None) == (1e-3, scale)
    if scale:
        close([g.grad for g in norm.gain], net.weight.grad)


def test_mlp_block_equals_its_twin():
    block = nn.MLPBlock(4, seed=0)
    net = run_both(block, nn.as_inputs(np.random.default_rng(12).normal(size=(3, 4))))
    for name in ("fc1", "fc2"):
        close([[w.grad for w in row] for row in getattr(block, name).weight],
              getattr(net, name).weight.grad)


def test_causal_self_attention_equals_its_twin_position_by_position():
    rng = np.random.default_rng(13)
    attn = nn.CausalSelfAttention(8, n_head=2, seed=0)
    X, dout = rng.normal(size=(5, 8)), rng.normal(size=(5, 8))
    xs = [[autograd.Value(float(v)) for v in row] for row in X]
    outs = [attn(x) for x in xs]                          # one position at a time, KV cache
    autograd.sum([autograd.dot(out, d.tolist()) for out, d in zip(outs, dout)]).backward()
    net, tensor = attn.to_torch(), torch.tensor(X, requires_grad=True)
    twin_out = net(tensor)                                # all positions, causal mask
    (twin_out * torch.tensor(dout)).sum().backward()
    close([[v.data for v in out] for out in outs], twin_out)
    close([[v.grad for v in x] for x in xs], tensor.grad)
    for name in ("wq", "wk", "wv", "wo"):
        close([[w.grad for w in row] for row in getattr(attn, name).weight],
              getattr(net, name).weight.grad)


@pytest.mark.parametrize("make", [
    lambda: nn.Embedding(5, 3, seed=0), lambda: nn.Linear(3, 4, bias=True, seed=0),
    lambda: nn.RMSNorm(4, scale=True), lambda: nn.MLPBlock(4, seed=0),
    lambda: nn.CausalSelfAttention(4, n_head=2, seed=0)])
def test_block_weights_changed_in_pytorch_come_back(make):
    block, rng = make(), np.random.default_rng(15)
    net = block.to_torch()
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.add_(torch.tensor(rng.normal(size=tuple(parameter.shape))))
    assert block.load_torch(net) is block
    parameters = dict(net.named_parameters())
    rows = torch_gpt.arrays(block)
    assert {key for key, *_ in rows} == set(parameters)
    for key, _, values, shape in rows:
        close(np.reshape([v.data for v in values], shape), parameters[key])


# ----------------------------------------------------------------- the GPT

def documents() -> tuple[CharTokenizer, list[list[int]]]:
    tok = CharTokenizer(NAMES)
    return tok, [[tok.bos, *tok.encode(name), tok.bos] for name in NAMES]


def gpt(n_layer: int, seed: int = 0) -> nn.GPT:
    tok, _ = documents()
    return nn.GPT(tok.vocab_size, n_layer=n_layer, n_embd=8, n_head=2, block_size=8, seed=seed)


@pytest.mark.parametrize("n_layer", [1, 2])
def test_gpt_loss_and_every_gradient_equal_its_twins(n_layer):
    model = gpt(n_layer)
    net = model.to_torch()
    keys = [key for key, *_ in torch_gpt.arrays(model)]
    assert keys == [name for name, _ in net.named_parameters()]
    assert keys[:3] == ["wte.weight", "wpe.weight", "h0.attn.wq.weight"]
    for tokens in documents()[1]:
        model.zero_grad()
        net.zero_grad()
        loss, twin_loss = model.loss(tokens), net.loss(tokens)
        loss.backward()
        twin_loss.backward()
        close(loss.data, twin_loss.item())
        parameters = dict(net.named_parameters())
        for key, name, values, shape in torch_gpt.arrays(model):
            close(np.reshape([v.grad for v in values], shape), parameters[key].grad)


def test_gpt_twin_reads_a_batch_of_sequences():
    model, (_, docs) = gpt(1), documents()
    net = model.to_torch()
    batch = torch.tensor([docs[0][:5], docs[1][:5]])
    logits = net(batch)
    assert logits.shape == (2, 5, model.vocab_size)
    model.reset()
    close([[z.data for z in model(int(t))] for t in batch[1]], logits[1])
    close(net.loss(batch).item(), (model.loss(docs[0][:5]).data + model.loss(docs[1][:5]).data) / 2)
    with pytest.raises(ValueError, match=r"longer than block_size \(8\)"):
        net(torch.zeros(9, dtype=torch.long))


def test_three_steps_of_pytorchs_adam_come_back_to_zerograd():
    model, (_, docs) = gpt(2, seed=1), documents()
    net = model.to_torch()
    before = [p.data for p in model.parameters()]
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    for step in range(3):
        optimizer.zero_grad()
        net.loss(docs[step]).backward()
        optimizer.step()
    assert model.load_torch(net) is model
    assert [p.data for p in model.parameters()] != before
    for tokens in docs:
        close(model.loss(tokens).data, net.loss(tokens).item())


def test_a_gpt_of_another_shape_is_refused_naming_the_parameter_and_both_shapes():
    net = gpt(1).to_torch()
    wider = nn.GPT(net.wte.num_embeddings, n_embd=12, n_head=2, block_size=8)
    before = [p.data for p in wider.parameters()]
    with pytest.raises(ValueError, match=r"'wte.weight' has shape \(\d+, 8\); wte here needs "
                                         r"\(\d+, 12\)"):
        wider.load_torch(net)
    assert [p.data for p in wider.parameters()] == before          # nothing copied
    with pytest.raises(ValueError, match="no parameter 'h1.attn.wq.weight'"):
        gpt(2).load_torch(net)


# ----------------------------------------------------------------- what to_torch does not take

def test_a_module_of_your_own_is_refused_with_how_to_compose_the_twins():
    model = BookNet([4, 5, 3], batchnorm=True)
    for call in (model.to_torch, lambda: model.load_torch(torch.nn.Linear(4, 5))):
        with pytest.raises(TypeError, match=r"BatchNorm2d, Dropout, .*got BookNet\. For your "
                                            r"own Module, compose the twins"):
            call()
    net = torch.nn.Sequential(model.affines[0].to_torch(), model.norms[0].to_torch(),
                              torch.nn.ReLU(), model.affines[1].to_torch())
    X = np.random.default_rng(14).normal(size=(6, 4))
    close(as_array(model(nn.as_inputs(X))), net(torch.tensor(X)))
