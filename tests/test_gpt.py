"""The GPT blocks of nn/gpt.py against a numpy reference written here, forward and backward.

Each block (Embedding, Linear, RMSNorm, causal self-attention, the MLP block) and the whole
GPT's loss are computed a second time with numpy arrays, and their gradients by hand, the way
ゼロから作るDeep Learning writes a layer's backward: dx = W^T dy, dW = dy x^T, and so on. The
attention of the reference is the textbook one, all positions at once with a causal mask (-inf
above the diagonal), while the model reads one position at a time through its KV cache: the
two agreeing is the check that the cache is causal. Agreement is to 1e-12, relative to the
largest entry of each compared array. With PyTorch installed, the whole GPT is also compared
to PyTorch float64 (an extra: the numpy reference is the main check).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
from autograd import Value
from nn.gpt import (GPT, CausalSelfAttention, Embedding, Linear, MLPBlock, RMSNorm,
                    next_token_loss)

EPS = 1e-5


def assert_close(got, expected, tol: float = 1e-12) -> None:
    """max |got - expected| <= tol * max |expected| (relative to the largest entry)."""
    got, expected = np.asarray(got, float), np.asarray(expected, float)
    assert got.shape == expected.shape
    scale = max(np.max(np.abs(expected)), 1e-300)
    assert np.max(np.abs(got - expected)) <= tol * scale, np.max(np.abs(got - expected)) / scale


def values(array) -> list[Value]:
    return [Value(float(a)) for a in np.ravel(array)]


def data(vs) -> np.ndarray:
    return np.array([v.data for v in vs])


def grads(vs) -> np.ndarray:
    return np.array([v.grad for v in vs])


def matrix(rows) -> np.ndarray:
    return np.array([[v.data for v in row] for row in rows])


def matrix_grad(rows) -> np.ndarray:
    return np.array([[v.grad for v in row] for row in rows])


def backprop(outputs: list[Value], upstream: np.ndarray) -> None:
    """Backward from Σ upstream_i · output_i: output i receives gradient upstream_i."""
    autograd.sum([float(g) * y for g, y in zip(upstream, outputs)]).backward()


# ---------------------------------------------------------------- the numpy reference

def rms_forward(x):
    r = (np.mean(x * x, axis=-1, keepdims=True) + EPS) ** -0.5
    return x * r, r


def rms_backward(x, r, dy):
    n = x.shape[-1]
    return r * dy - x * r ** 3 * np.sum(x * dy, axis=-1, keepdims=True) / n


def attention_forward(X, Wq, Wk, Wv, Wo, n_head):
    """All positions at once (X: T x d), causal mask; returns the output and a cache."""
    T, d = X.shape
    hd = d // n_head
    Q, K, V = X @ Wq.T, X @ Wk.T, X @ Wv.T
    mask = np.triu(np.ones((T, T), bool), 1)
    heads, P = [], []
    for h in range(n_head):
        s = slice(h * hd, (h + 1) * hd)
        S = Q[:, s] @ K[:, s].T / math.sqrt(hd)
        S[mask] = -np.inf
        E = np.exp(S - S.max(axis=1, keepdims=True))
        P.append(E / E.sum(axis=1, keepdims=True))
        heads.append(P[-1] @ V[:, s])
    O = np.concatenate(heads, axis=1)
    return O @ Wo.T, (X, Q, K, V, P, O)


def attention_backward(dY, cache, Wq, Wk, Wv, Wo, n_head):
    """The gradients of X, Wq, Wk, Wv, Wo for upstream dY."""
    X, Q, K, V, P, O = cache
    hd = X.shape[1] // n_head
    dWo, dO = dY.T @ O, dY @ Wo
    dQ, dK, dV = np.zeros_like(Q), np.zeros_like(K), np.zeros_like(V)
    for h in range(n_head):
        s = slice(h * hd, (h + 1) * hd)
        dP = dO[:, s] @ V[:, s].T
        dV[:, s] = P[h].T @ dO[:, s]
        dS = P[h] * (dP - np.sum(dP * P[h], axis=1, keepdims=True)) / math.sqrt(hd)
        dQ[:, s], dK[:, s] = dS @ K[:, s], dS.T @ Q[:, s]
    dX = dQ @ Wq + dK @ Wk + dV @ Wv
    return dX, dQ.T @ X, dK.T @ X, dV.T @ X, dWo


def mlp_forward(X, W1, W2):
    H = X @ W1.T
    return np.maximum(H, 0) @ W2.T, H


def mlp_backward(dY, X, H, W1, W2):
    A = np.maximum(H, 0)
    dH = (dY @ W2) * (H > 0)
    return dH @ W1, dH.T @ X, dY.T @ A


def gpt_reference(w: dict, tokens: list[int], n_layer: int, n_head: int):
    """The GPT's loss and every weight's gradient, by hand: {name: array}."""
    n = min(w["wpe"].shape[0], len(tokens) - 1)
    inputs, targets = tokens[:n], tokens[1:n + 1]
    x, r0 = rms_forward(w["wte"][inputs] + w["wpe"][:n])
    caches = []
    for i in range(n_layer):
        p = f"h{i}."
        a_in, r1 = rms_forward(x)
        a, ca = attention_forward(a_in, *(w[p + k] for k in ("wq", "wk", "wv", "wo")), n_head)
        x1 = x + a
        m_in, r2 = rms_forward(x1)
        m, H = mlp_forward(m_in, w[p + "fc1"], w[p + "fc2"])
        caches.append((x, a_in, r1, ca, x1, m_in, r2, H))
        x = x1 + m
    Z = x @ w["lm_head"].T
    Zs = Z - Z.max(axis=1, keepdims=True)
    log_p = Zs - np.log(np.exp(Zs).sum(axis=1, keepdims=True))
    loss = -np.mean(log_p[np.arange(n), targets])
    dZ = np.exp(log_p)
    dZ[np.arange(n), targets] -= 1
    dZ /= n
    g = {"lm_head": dZ.T @ x}
    dx = dZ @ w["lm_head"]
    for i in reversed(range(n_layer)):
        p = f"h{i}."
        x0, a_in, r1, ca, x1, m_in, r2, H = caches[i]
        dm_in, g[p + "fc1"], g[p + "fc2"] = mlp_backward(dx, m_in, H, w[p + "fc1"], w[p + "fc2"])
        dx1 = dx + rms_backward(x1, r2, dm_in)
        da_in, g[p + "wq"], g[p + "wk"], g[p + "wv"], g[p + "wo"] = attention_backward(
            dx1, ca, *(w[p + k] for k in ("wq", "wk", "wv", "wo")), n_head)
        dx = dx1 + rms_backward(x0, r1, da_in)
    demb = rms_backward(w["wte"][inputs] + w["wpe"][:n], r0, dx)
    g["wte"] = np.zeros_like(w["wte"])
    np.add.at(g["wte"], inputs, demb)
    g["wpe"] = np.zeros_like(w["wpe"])
    g["wpe"][:n] = demb
    return loss, g


def gpt_weights(model: GPT) -> dict[str, np.ndarray]:
    """The model's weight matrices as arrays, named as the reference names them."""
    w = {"wte": matrix(model.wte.weight), "wpe": matrix(model.wpe.weight),
         "lm_head": matrix(model.lm_head.weight)}
    for i, block in enumerate(model.blocks):
        for k in ("wq", "wk", "wv", "wo"):
            w[f"h{i}.{k}"] = matrix(getattr(block.attn, k).weight)
        w[f"h{i}.fc1"], w[f"h{i}.fc2"] = matrix(block.mlp.fc1.weight), matrix(block.mlp.fc2.weight)
    return w


def gpt_grads(model: GPT) -> dict[str, np.ndarray]:
    g = {"wte": matrix_grad(model.wte.weight), "wpe": matrix_grad(model.wpe.weight),
         "lm_head": matrix_grad(model.lm_head.weight)}
    for i, block in enumerate(model.blocks):
        for k in ("wq", "wk", "wv", "wo"):
            g[f"h{i}.{k}"] = matrix_grad(getattr(block.attn, k).weight)
        g[f"h{i}.fc1"] = matrix_grad(block.mlp.fc1.weight)
        g[f"h{i}.fc2"] = matrix_grad(block.mlp.fc2.weight)
    return g


# ---------------------------------------------------------------- the blocks

def test_embedding_rows_and_their_gradients():
    emb = Embedding(5, 3, seed=0)
    rng = np.random.default_rng(1)
    up1, up2 = rng.normal(size=3), rng.normal(size=3)
    row2, row4 = emb(2), emb(4)
    assert_close(data(row2), matrix(emb.weight)[2])
    autograd.sum([float(a) * y for a, y in zip(up1, row2)]
                 + [float(b) * y for b, y in zip(up2, row4)] + [float(a) * y for a, y in
                                                               zip(up2, emb(2))]).backward()
    expected = np.zeros((5, 3))
    expected[2] = up1 + up2                    # row 2 read twice: the gradients add up
    expected[4] = up2
    assert_close(matrix_grad(emb.weight), expected)


@pytest.mark.parametrize("bias", [False, True])
def test_linear_outputs_and_gradients(bias):
    rng = np.random.default_rng(2)
    lin = Linear(5, 4, bias=bias, seed=3)
    x_np, up = rng.normal(size=5), rng.normal(size=4)
    x = values(x_np)
    W = matrix(lin.weight)
    y = lin(x)
    assert all(v.op == "dot" for v in y)               # each output is one weighted-sum node
    assert_close(data(y), W @ x_np)
    backprop(y, up)
    assert_close(grads(x), W.T @ up)
    assert_close(matrix_grad(lin.weight), np.outer(up, x_np))
    if bias:
        assert_close(grads(lin.bias), up)


def test_linear_on_numbers_and_on_a_batch():
    lin = Linear(3, 2, seed=0)
    W = matrix(lin.weight)
    assert_close(data(lin([1.0, 2.0, 3.0])), W @ [1.0, 2.0, 3.0])
    batch = np.arange(12.0).reshape(3, 4)            # 3 channels, 4 samples each
    out = lin([Value(row) for row in batch])
    assert_close(np.array([v.data for v in out]), W @ batch)


@pytest.mark.parametrize("scale", [False, True])
def test_rmsnorm_outputs_and_gradients(scale):
    rng = np.random.default_rng(4)
    x_np, up = rng.normal(size=6), rng.normal(size=6)
    norm = RMSNorm(6, scale=scale)
    x = values(x_np)
    y = norm(x)
    ref, r = rms_forward(x_np)
    assert_close(data(y), ref)
    assert_close(np.sqrt(np.mean(data(y) ** 2)), np.sqrt(1 - EPS * r[0] ** 2))   # rms ≈ 1
    backprop(y, up)
    assert_close(grads(x), rms_backward(x_np, r, up))
    if scale:
        assert_close(grads(norm.gain), ref * up)


def test_attention_one_position_at_a_time_equals_the_masked_reference():
    rng = np.random.default_rng(5)
    T, d, n_head = 5, 8, 2
    attn = CausalSelfAttention(d, n_head, seed=6)
    X_np, dY = rng.normal(size=(T, d)), rng.normal(size=(T, d))
    X = [values(row) for row in X_np]
    Y = [attn(x) for x in X]                           # the KV cache grows by one each time
    W = [matrix(getattr(attn, k).weight) for k in ("wq", "wk", "wv", "wo")]
    ref, cache = attention_forward(X_np, *W, n_head)
    assert_close(np.array([data(y) for y in Y]), ref)
    weights = np.array([[data(w) for w in heads] for heads in attn.weights], dtype=object)
    for h in range(n_head):
        for t in range(T):
            assert_close(weights[t, h], cache[4][h][t, :t + 1])   # causal: t+1 weights
    backprop([v for y in Y for v in y], dY.ravel())
    dX, *dW = attention_backward(dY, cache, *W, n_head)
    assert_close(np.array([grads(x) for x in X]), dX)
    for k, expected in zip(("wq", "wk", "wv", "wo"), dW):
        assert_close(matrix_grad(getattr(attn, k).weight), expected)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5), st.integers(1, 4), st.integers(1, 4), st.integers(0, 10_000))
def test_blocks_on_a_batch_equal_each_sample_alone(nin, nout, batch, seed):
    """A batch (each channel one Value holding `batch` numbers) gives, sample by sample, what
    the same blocks give on single numbers; and the weights' gradients add up over the batch."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(nin, batch)) * 3
    norm, lin = RMSNorm(nin), Linear(nin, nout, seed=seed)
    out = lin(norm([Value(row) for row in X]))
    autograd.sum([y.sum() for y in out]).backward()
    batch_grad = matrix_grad(lin.weight)
    lin.zero_grad()
    for s in range(batch):
        alone = lin(norm(values(X[:, s])))
        assert_close([y.data[s] for y in out], data(alone))
        autograd.sum(alone).backward()
    # the sums over samples can cancel (nin = 1: each normalised input is about ±1), so the
    # error is measured against the size of the terms summed (|x / rms| <= sqrt(nin)), not the sum
    assert np.max(np.abs(batch_grad - matrix_grad(lin.weight))) <= 1e-12 * batch * np.sqrt(nin)


def test_attention_on_a_batch_gives_each_samples_own_result():
    """Channels holding a batch (one number per sample) take the slower, general nodes."""
    rng = np.random.default_rng(11)
    attn = CausalSelfAttention(4, 2, seed=12)
    X = rng.normal(size=(3, 4, 5))                    # positions, channels, samples
    Y = [attn([Value(c) for c in x]) for x in X]
    W = [matrix(getattr(attn, k).weight) for k in ("wq", "wk", "wv", "wo")]
    for s in range(5):
        ref, _ = attention_forward(X[:, :, s], *W, 2)
        assert_close(np.array([[v.data[s] for v in y] for y in Y]), ref)


def test_attention_never_looks_ahead():
    """Changing a later position's input changes nothing at the earlier positions."""
    attn = CausalSelfAttention(4, 2, seed=0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 4))
    first = [data(attn(values(x))) for x in X]
    attn.reset()
    X[2] += 10.0
    second = [data(attn(values(x))) for x in X]
    assert_close(np.array(first[:2]), np.array(second[:2]), tol=0.0)
    assert not np.allclose(first[2], second[2])


def test_mlp_block_outputs_and_gradients():
    rng = np.random.default_rng(7)
    mlp = MLPBlock(4, seed=8)
    x_np, up = rng.normal(size=4), rng.normal(size=4)
    x = values(x_np)
    y = mlp(x)
    W1, W2 = matrix(mlp.fc1.weight), matrix(mlp.fc2.weight)
    ref, H = mlp_forward(x_np[None], W1, W2)
    assert_close(data(y), ref[0])
    backprop(y, up)
    dx, dW1, dW2 = mlp_backward(up[None], x_np[None], H, W1, W2)
    assert_close(grads(x), dx[0])
    assert_close(matrix_grad(mlp.fc1.weight), dW1)
    assert_close(matrix_grad(mlp.fc2.weight), dW2)


def test_next_token_loss_and_its_gradient():
    rng = np.random.default_rng(9)
    z_np = rng.normal(size=7) * 3
    z = values(z_np)
    loss = next_token_loss(z, 3)
    p = np.exp(z_np - z_np.max()) / np.exp(z_np - z_np.max()).sum()
    assert_close(loss.data, -np.log(p[3]))
    loss.backward()
    assert_close(grads(z), p - np.eye(7)[3])


# ---------------------------------------------------------------- the whole GPT

@pytest.mark.parametrize("n_layer, tokens", [(1, [10, 4, 0, 7, 7, 2, 10]),
                                             (2, [10, 3, 3, 9, 1, 10, 5, 6, 2, 10])])
def test_gpt_loss_and_every_gradient_against_the_reference(n_layer, tokens):
    """The second sequence is longer than block_size 8: only 8 positions are read."""
    model = GPT(vocab_size=11, n_layer=n_layer, n_embd=8, n_head=2, block_size=8, seed=n_layer)
    loss = model.loss(tokens)
    loss.backward()
    ref_loss, ref_grads = gpt_reference(gpt_weights(model), tokens, n_layer, 2)
    assert_close(loss.data, ref_loss)
    got = gpt_grads(model)
    assert got.keys() == ref_grads.keys()
    for name in got:
        assert_close(got[name], ref_grads[name])


def test_gpt_parameters_are_named_for_drawings_in_microgpts_order():
    model = GPT(vocab_size=5, n_layer=2, n_embd=4, n_head=2, block_size=3, seed=0)
    names = [p.name for p in model.parameters()]
    assert len(names) == len(set(names)) == 5 * 4 + 3 * 4 + 2 * (4 * 16 + 2 * 64) + 5 * 4
    prefixes = list(dict.fromkeys(n.split("[")[0] for n in names))
    assert prefixes == ["wte", "wpe", "h0.attn.wq", "h0.attn.wk", "h0.attn.wv", "h0.attn.wo",
                        "h0.mlp.fc1", "h0.mlp.fc2", "h1.attn.wq", "h1.attn.wk", "h1.attn.wv",
                        "h1.attn.wo", "h1.mlp.fc1", "h1.mlp.fc2", "lm_head"]
    assert names[0] == "wte[0,0]" and "h0.attn.wq[1,3]" in names


def test_gpt_generate_is_reproducible_and_ends_at_bos():
    model = GPT(vocab_size=6, n_embd=8, n_head=2, block_size=6, seed=0)
    a, b = model.generate(5, seed=3), model.generate(5, seed=3)
    assert a == b and len(a) == 5
    assert all(len(s) <= 6 and all(0 <= t < 5 for t in s) for s in a)
    assert model.generate(5, temperature=1.0, seed=4) != model.generate(5, temperature=1.0,
                                                                          seed=5)


def test_gpt_save_and_load_round_trip(tmp_path):
    a = GPT(vocab_size=6, n_embd=4, n_head=2, block_size=4, seed=0)
    b = GPT(vocab_size=6, n_embd=4, n_head=2, block_size=4, seed=1)
    a.save(tmp_path / "gpt.npz")
    b.load(tmp_path / "gpt.npz")
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


def test_bad_input_is_refused_with_a_clear_message():
    model = GPT(vocab_size=6, n_embd=4, n_head=2, block_size=4, seed=0)
    with pytest.raises(ValueError, match="at least 2 tokens"):
        model.loss([5])
    with pytest.raises(ValueError, match=r"token 6 is out of range.*0\.\.5"):
        model.loss([5, 6, 5])
    with pytest.raises(ValueError, match="multiple of n_head"):
        CausalSelfAttention(6, 4)
    with pytest.raises(ValueError, match="temperature must be a positive"):
        model.generate(1, temperature=0)
    with pytest.raises(ValueError, match="expects 4 channels"):
        Linear(4, 2)([Value(1.0)])
    with pytest.raises(ValueError, match=r"index must be an int in 0\.\.5"):
        model.wte(6)
    model.reset()
    for token in (5, 1, 2, 3):
        model(token)
    with pytest.raises(ValueError, match="longer than block_size"):
        model(4)


def test_gpt_against_pytorch_float64():
    """An extra check when PyTorch is installed (CI has none): the loss and every gradient."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (an extra check only)")
    tokens, n_head = [10, 4, 0, 7, 7, 2, 10], 2
    model = GPT(vocab_size=11, n_embd=8, n_head=n_head, block_size=8, seed=3)
    w = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in gpt_weights(model).items()}
    loss = model.loss(tokens)
    loss.backward()
    torch_loss = _torch_gpt(torch, w, tokens, n_head)
    torch_loss.backward()
    assert_close(loss.data, torch_loss.item())
    for name, g in gpt_grads(model).items():
        assert_close(g, w[name].grad.numpy())


def _torch_gpt(torch, w, tokens, n_head):
    F = torch.nn.functional
    n = len(tokens) - 1

    def rms(x):
        return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + EPS)

    x = rms(w["wte"][tokens[:-1]] + w["wpe"][:n])
    a_in = rms(x)
    q, k, v = (a_in @ w["h0." + m].T for m in ("wq", "wk", "wv"))
    hd = q.shape[1] // n_head
    split = [t.reshape(n, n_head, hd).transpose(0, 1) for t in (q, k, v)]
    heads = F.scaled_dot_product_attention(*split, is_causal=True)
    x = x + heads.transpose(0, 1).reshape(n, -1) @ w["h0.wo"].T
    x = x + torch.relu(rms(x) @ w["h0.fc1"].T) @ w["h0.fc2"].T
    return F.cross_entropy(x @ w["lm_head"].T, torch.tensor(tokens[1:]))
