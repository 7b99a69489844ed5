"""The nn GPT trains exactly like microgpt's plain code: the same losses, step by step.

The plain version is written here, microgpt-style: a 30-line scalar Value that stores its
local gradients when a node is made, weight matrices as lists of rows, and the model, the loss
and Adam with a linear learning-rate decay as plain loops. It starts from the nn model's
initial weights; then both train 20 steps on the same names. Their losses must agree to 1e-12
(relative) at every step: any difference in the model, the loss, the gradients or the update
would grow from step to step.
"""

from __future__ import annotations

import math

import pytest

from nn.data import CharTokenizer
from nn.gpt import GPT, train_gpt

NAMES = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "liam", "noah", "oliver",
         "elijah", "lucas", "mason", "ethan"]


class V:
    """microgpt's Value: data, grad, children and the local gradients d(self)/d(child)."""

    def __init__(self, data, children=(), local_grads=()):
        self.data, self.grad, self.children, self.local_grads = data, 0.0, children, local_grads

    def __add__(self, o):
        o = o if isinstance(o, V) else V(o)
        return V(self.data + o.data, (self, o), (1.0, 1.0))

    def __mul__(self, o):
        o = o if isinstance(o, V) else V(o)
        return V(self.data * o.data, (self, o), (o.data, self.data))

    def __pow__(self, k):
        return V(self.data ** k, (self,), (k * self.data ** (k - 1),))

    def log(self): return V(math.log(self.data), (self,), (1 / self.data,))
    def exp(self): return V(math.exp(self.data), (self,), (math.exp(self.data),))
    def relu(self): return V(max(0.0, self.data), (self,), (float(self.data > 0),))
    def __neg__(self): return self * -1.0
    def __radd__(self, o): return self + o
    def __sub__(self, o): return self + (-o)
    def __rmul__(self, o): return self * o
    def __truediv__(self, o): return self * o ** -1

    def backward(self):
        order, seen = [], set()

        def visit(v):
            if v not in seen:
                seen.add(v)
                for c in v.children:
                    visit(c)
                order.append(v)
        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            for c, g in zip(v.children, v.local_grads):
                c.grad += g * v.grad


def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(row, x)) for row in w]


def softmax(logits):
    m = max(v.data for v in logits)
    exps = [(v - m).exp() for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x):
    scale = (sum(xi * xi for xi in x) / len(x) + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def plain_gpt(w, token, pos, keys, values, n_layer, n_head):
    """microgpt's forward for one position; keys[i] and values[i] grow by one per layer."""
    x = rmsnorm([t + p for t, p in zip(w["wte"][token], w["wpe"][pos])])
    hd = len(x) // n_head
    for i in range(n_layer):
        residual, x = x, rmsnorm(x)
        q = linear(x, w[f"h{i}.wq"])
        keys[i].append(linear(x, w[f"h{i}.wk"]))
        values[i].append(linear(x, w[f"h{i}.wv"]))
        out = []
        for h in range(0, len(x), hd):
            att = softmax([sum(q[h + j] * k[h + j] for j in range(hd)) / hd ** 0.5
                           for k in keys[i]])
            out += [sum(a * v[h + j] for a, v in zip(att, values[i])) for j in range(hd)]
        x = [a + b for a, b in zip(linear(out, w[f"h{i}.wo"]), residual)]
        residual = x
        x = [a.relu() for a in linear(rmsnorm(x), w[f"h{i}.fc1"])]
        x = [a + b for a, b in zip(linear(x, w[f"h{i}.fc2"]), residual)]
    return linear(x, w["lm_head"])


def plain_train(w, params, docs, steps, n_layer, n_head, block_size, lr=0.01, b1=0.85,
                b2=0.99, eps=1e-8):
    m, v, losses = [0.0] * len(params), [0.0] * len(params), []
    for step in range(steps):
        tokens = docs[step % len(docs)]
        n = min(block_size, len(tokens) - 1)
        keys, values = [[] for _ in range(n_layer)], [[] for _ in range(n_layer)]
        loss = (1 / n) * sum(-softmax(plain_gpt(w, tokens[p], p, keys, values, n_layer,
                                                n_head))[tokens[p + 1]].log() for p in range(n))
        loss.backward()
        lr_t = lr * (1 - step / steps)
        for i, p in enumerate(params):
            m[i] = b1 * m[i] + (1 - b1) * p.grad
            v[i] = b2 * v[i] + (1 - b2) * p.grad ** 2
            m_hat, v_hat = m[i] / (1 - b1 ** (step + 1)), v[i] / (1 - b2 ** (step + 1))
            p.data -= lr_t * m_hat / (v_hat ** 0.5 + eps)
            p.grad = 0.0
        losses.append(loss.data)
    return losses


def plain_weights(model: GPT, n_layer: int):
    """The nn model's initial weights copied into plain V matrices, in microgpt's order."""
    mods = {"wte": model.wte, "wpe": model.wpe, "lm_head": model.lm_head}
    for i, block in enumerate(model.blocks):
        mods.update({f"h{i}.{k}": getattr(block.attn, k) for k in ("wq", "wk", "wv", "wo")})
        mods.update({f"h{i}.fc1": block.mlp.fc1, f"h{i}.fc2": block.mlp.fc2})
    w = {name: [[V(p.data) for p in row] for row in mod.weight] for name, mod in mods.items()}
    order = ["wte", "wpe"] + [f"h{i}.{k}" for i in range(n_layer)
                              for k in ("wq", "wk", "wv", "wo", "fc1", "fc2")] + ["lm_head"]
    return w, [p for name in order for row in w[name] for p in row]


@pytest.mark.parametrize("n_layer", [1, 2])
def test_nn_gpt_trains_exactly_like_plain_microgpt_code(n_layer):
    tok = CharTokenizer(NAMES)
    docs = [[tok.bos, *tok.encode(name), tok.bos] for name in NAMES]
    n_head, block_size, steps = 2, 8, 20              # "isabella" is cut at block_size
    model = GPT(tok.vocab_size, n_layer=n_layer, n_embd=8, n_head=n_head,
                block_size=block_size, seed=n_layer)
    w, params = plain_weights(model, n_layer)
    assert [p.data for p in params] == [p.data for p in model.parameters()]
    plain = plain_train(w, params, docs, steps, n_layer, n_head, block_size)
    ours = train_gpt(model, docs, steps)
    assert len(ours) == len(plain) == steps
    for step, (a, b) in enumerate(zip(ours, plain)):
        assert abs(a - b) <= 1e-12 * abs(b), (step, a, b)
    assert ours[-1] < ours[0]                          # and it learns
    assert [p.data for p in params] == pytest.approx([p.data for p in model.parameters()],
                                                     rel=1e-9, abs=1e-12)
