"""A GPT on scalar Values: microgpt's model (Karpathy, 2026) from blocks you can read one by one.

Every channel is one `Value`, so every number of the model can be drawn, named and checked:

    Embedding            a table of rows; a token (or a position) picks its row, a list of Values
    Linear               each output is one weighted-sum node (`autograd.dot`): w·x (+ b)
    RMSNorm              x / sqrt(mean(x²) + eps): one dot node for Σx², then a scale per channel
    CausalSelfAttention  per head, softmax(q·k / √d) over the positions so far (a KV cache), then
                         the weighted sum of the values: q·k is one dot node, and so is each
                         output channel's Σ_t weight_t v_t
    MLPBlock             Linear, relu, Linear (microgpt's MLP; nn.MLP is the classifier)
    GPT                  embeddings, n_layer blocks (attention and MLP, each with a residual), and
                         the logits of the next token; `loss(tokens)` and `generate(n)`

The model reads one position at a time, as microgpt does: the attention of position t sees
the keys and values cached at positions 0..t, so nothing after t can leak in (causal).
Parameters are named for drawings: "wte[3,5]", "h0.attn.wq[2,7]", "h0.mlp.fc1[10,4]", ...

Each block marks its outputs as one group (`autograd/groups.py`), so the layer view draws a
Linear, an RMSNorm, a softmax, an attention head, the MLP block and the loss as one node each.

Read next: `demos/gpt.py` (training on names), `viz/gpt_plots.py` (attention weights, loss).
"""

from __future__ import annotations

import math
import random
from operator import attrgetter, mul
from typing import Callable, Sequence

import numpy as np

import autograd
from autograd import Value
from autograd.groups import Group, mark, mark_module
from autograd.value import make_node  # the node maker of every primitive (see _dot_rows)

from .modules import Module, Seed, as_generator, check_size
from .optim import Adam
from .saving import NamedArrays

_data = attrgetter("data")
INIT_STD = 0.08          # microgpt's: every weight starts as a normal(0, 0.08) draw


def _matrix(rows: int, cols: int, rng: np.random.Generator, name: str, std: float
            ) -> list[list[Value]]:
    """rows x cols Values drawn from normal(0, std), named name[i,j]."""
    numbers = rng.normal(0.0, std, size=(rows, cols)).tolist()
    return [[Value(w, name=f"{name}[{i},{j}]") for j, w in enumerate(row)]
            for i, row in enumerate(numbers)]


def _check_vector(x: Sequence, size: int, what: str) -> None:
    if len(x) != size:
        raise ValueError(f"{what} expects {size} channels (a list of {size} Values), got {len(x)}")


class Embedding(Module):
    """A table of `num` rows of `dim` Values; `embedding(i)` is row i (a list of Values)."""

    def __init__(self, num: int, dim: int, seed: Seed = None, name: str = "wte",
                 std: float = INIT_STD) -> None:
        check_size("num", num)
        check_size("dim", dim)
        self.name = name
        self.weight = _matrix(num, dim, as_generator(seed), name, std)

    def forward(self, index: int) -> list[Value]:
        """Row `index`: the Values themselves, so their gradients add up in the table."""
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) \
                or not 0 <= index < len(self.weight):
            raise ValueError(f"{self.name}: index must be an int in 0..{len(self.weight) - 1}, "
                             f"got {index!r}")
        return self.weight[index]

    def parameters(self) -> list[Value]:
        """Row by row."""
        return [w for row in self.weight for w in row]

    def named_arrays(self) -> NamedArrays:
        """The table as one (num, dim) array."""
        return [(self.name, self.parameters(), (len(self.weight), len(self.weight[0])))]

    def __repr__(self) -> str:
        return f"Embedding({len(self.weight)}, {len(self.weight[0])})"


class Linear(Module):
    """y_i = w_i · x (+ b_i): each output one weighted-sum node, no activation.

    The weight is a (nout, nin) matrix of Values, row i feeding output i (microgpt's layout)."""

    def __init__(self, nin: int, nout: int, bias: bool = False, seed: Seed = None,
                 name: str = "linear", std: float = INIT_STD) -> None:
        check_size("nin", nin)
        check_size("nout", nout)
        self.name = name
        self.weight = _matrix(nout, nin, as_generator(seed), name, std)
        self.bias = [Value(0.0, name=f"{name}.b[{i}]") for i in range(nout)] if bias else None
        self.group = Group("linear", None, name, params=tuple(self.parameters()))

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        """The nout outputs for the nin inputs x."""
        _check_vector(x, len(self.weight[0]), self.name)
        out = None if self.bias else _dot_rows(self.weight, x, self.group)
        if out is None:                     # a batch, numbers among x, or a bias
            x = autograd.stack(x)
            dot, bias = autograd.dot, self.bias or [None] * len(self.weight)
            out = [dot(row, x, b) for row, b in zip(self.weight, bias)]
            for y in out:
                mark_module(self.group, y)
        return out

    def parameters(self) -> list[Value]:
        """The weight row by row, then the biases (if any)."""
        return [w for row in self.weight for w in row] + (self.bias or [])

    def named_arrays(self) -> NamedArrays:
        """The weight as (nout, nin), and the biases as (nout,) if there are any."""
        weights = [w for row in self.weight for w in row]
        arrays = [(self.name, weights, (len(self.weight), len(self.weight[0])))]
        return arrays + ([(f"{self.name}.b", self.bias, (len(self.bias),))] if self.bias else [])

    def __repr__(self) -> str:
        return f"Linear({len(self.weight[0])}, {len(self.weight)}, bias={self.bias is not None})"


def _dot_rows(rows: list[list[Value]], x: Sequence, group: Group | None = None
              ) -> list[Value] | None:
    """[autograd.dot(row, x) for row in rows] when x are Values holding single numbers (one
    sample), with x's numbers read once for all the rows rather than once per row: the same
    nodes (op "dot", partials x then w), made faster; each marked with a module's group, if
    given (mark_module's record). None when x holds a batch or a number."""
    if not all(type(v) is Value for v in x):
        return None
    xs = tuple(map(_data, x))
    if not all(type(n) is float for n in xs):
        return None
    x, out, groups = tuple(x), [], (group,) if group is not None else ()
    for row in rows:
        row = tuple(row)
        ws = tuple(map(_data, row))
        operands = row + x
        node = make_node(sum(map(mul, ws, xs), 0.0), "dot", operands, xs + ws, operands)
        if groups:
            node.groups = groups            # a new node: its only group (mark_module)
        out.append(node)
    return out


class RMSNorm(Module):
    """x_i / sqrt(mean(x²) + eps): every channel divided by the root mean square of all of them.

    No learned scale unless `scale=True` (then y_i = g_i · x_i / rms, g starting at 1)."""

    def __init__(self, dim: int, eps: float = 1e-5, scale: bool = False,
                 name: str = "norm") -> None:
        check_size("dim", dim)
        if not eps > 0:
            raise ValueError(f"eps must be a positive number, got {eps!r}")
        self.dim, self.eps, self.name = dim, float(eps), name
        self.gain = [Value(1.0, name=f"{name}.g[{i}]") for i in range(dim)] if scale else None

    def forward(self, x: Sequence[Value]) -> list[Value]:
        """The normalised channels: Σx² is one dot node, 1/rms one node, then x_i · (1/rms)."""
        _check_vector(x, self.dim, self.name)
        inv_rms = (autograd.dot(x, x) / self.dim + self.eps) ** -0.5
        out = [xi * inv_rms for xi in x]
        if self.gain is not None:
            out = [g * y for g, y in zip(self.gain, out)]
        mark("rmsnorm", out, x, self.name)
        return out

    def parameters(self) -> list[Value]:
        """The gains when learned, else none."""
        return list(self.gain or [])

    def named_arrays(self) -> NamedArrays:
        """The gains as an array (dim,) when learned, else nothing."""
        return [(f"{self.name}.g", self.gain, (self.dim,))] if self.gain else []

    def __repr__(self) -> str:
        return f"RMSNorm({self.dim}, eps={self.eps:g}, scale={self.gain is not None})"


class CausalSelfAttention(Module):
    """Multi-head causal self-attention, one position at a time, with a KV cache.

    `attn(x)` takes the channels of the next position, appends its key and value to the cache
    and returns wo · [head_0, ..., head_{n_head-1}], where head h is Σ_t softmax_t(q_h·k_h,t / √d)
    v_h,t over the cached positions t (d = n_embd / n_head). `reset()` empties the cache (a new
    sequence); `weights[pos][h]` are the attention weights (Values) of head h at position pos."""

    def __init__(self, n_embd: int, n_head: int, seed: Seed = None, name: str = "attn") -> None:
        check_size("n_head", n_head)
        if n_embd % n_head:
            raise ValueError(f"n_embd ({n_embd}) must be a multiple of n_head ({n_head})")
        rng = as_generator(seed)
        self.n_embd, self.n_head, self.head_dim, self.name = n_embd, n_head, n_embd // n_head, name
        self.wq, self.wk, self.wv, self.wo = (Linear(n_embd, n_embd, seed=rng, name=f"{name}.{w}")
                                              for w in ("wq", "wk", "wv", "wo"))
        self.reset()

    def reset(self) -> None:
        """Forget the cached keys and values (and the recorded weights): a new sequence."""
        self.keys: list[list[Value]] = []
        self.values: list[list[Value]] = []
        self.weights: list[list[list[Value]]] = []

    def forward(self, x: Sequence[Value]) -> list[Value]:
        """The attention output for the next position, whose channels are x."""
        q = self.wq(x)
        self.keys.append(self.wk(x))
        self.values.append(self.wv(x))
        heads, weights = [], []
        for h in range(0, self.n_embd, self.head_dim):
            out, w = self.head(q[h:h + self.head_dim], h)
            heads += out
            weights.append(w)
        self.weights.append(weights)
        return self.wo(heads)

    def head(self, q: list[Value], start: int) -> tuple[list[Value], list[Value]]:
        """One head's output channels and its attention weights over the cached positions."""
        end, scale = start + self.head_dim, math.sqrt(self.head_dim)
        keys = [k[start:end] for k in self.keys]
        values = [v[start:end] for v in self.values]
        logits = _dot_rows(keys, q) or [autograd.dot(k, q) for k in keys]      # k · q
        weights = _softmax([z / scale for z in logits])
        columns = [[v[j] for v in values] for j in range(self.head_dim)]
        out = _dot_rows(columns, weights) or [autograd.dot(c, weights) for c in columns]
        inputs = (*q, *(c for k in keys for c in k), *(c for v in values for c in v))
        mark("head", out, inputs, f"{self.name}.head{start // self.head_dim}")
        return out, weights

    def parameters(self) -> list[Value]:
        """wq, wk, wv, wo, each row by row."""
        return [p for w in (self.wq, self.wk, self.wv, self.wo) for p in w.parameters()]

    def named_arrays(self) -> NamedArrays:
        """The weight matrices, named as the parameters are (what save() writes)."""
        return [a for w in (self.wq, self.wk, self.wv, self.wo) for a in w.named_arrays()]

    def __repr__(self) -> str:
        return f"CausalSelfAttention({self.n_embd}, n_head={self.n_head})"


class MLPBlock(Module):
    """microgpt's MLP: fc2(relu(fc1(x))), n_embd -> 4 n_embd -> n_embd, no biases.
    (nn.MLP is another class: the multi-layer perceptron classifier.)"""

    def __init__(self, n_embd: int, seed: Seed = None, name: str = "mlp") -> None:
        rng = as_generator(seed)
        self.name = name
        self.fc1 = Linear(n_embd, 4 * n_embd, seed=rng, name=f"{name}.fc1")
        self.fc2 = Linear(4 * n_embd, n_embd, seed=rng, name=f"{name}.fc2")

    def forward(self, x: Sequence[Value]) -> list[Value]:
        """The block's output channels (marked as one group: the MLP block)."""
        out = self.fc2([h.relu() for h in self.fc1(x)])
        mark("mlp", out, x, self.name)
        return out

    def parameters(self) -> list[Value]:
        """fc1, then fc2."""
        return self.fc1.parameters() + self.fc2.parameters()

    def named_arrays(self) -> NamedArrays:
        """The weight matrices, named as the parameters are (what save() writes)."""
        return self.fc1.named_arrays() + self.fc2.named_arrays()

    def __repr__(self) -> str:
        return f"MLPBlock({len(self.fc1.weight[0])})"


def _softmax(logits: list[Value]) -> list[Value]:
    """autograd.softmax, quicker for Values holding single numbers: e^(z_i - m) / Σ_j e^(z_j - m),
    m the largest z (a constant), marked as one softmax group; the same nodes, without numpy."""
    numbers = [z.data for z in logits]
    if not all(type(n) is float for n in numbers):
        return autograd.softmax(logits)         # a batch
    m = max(numbers)
    exps = [(z - m).exp() for z in logits] if m else [z.exp() for z in logits]
    total = autograd.sum(exps)
    out = [e / total for e in exps]
    mark("softmax", out, logits)
    return out


def next_token_loss(logits: Sequence[Value], target: int) -> Value:
    """-log softmax(logits)[target], as log Σ_j e^(z_j - m) - (z_target - m), m = max_j z_j
    (a constant): one node per logit for the shift and the exp, then three nodes."""
    shifted = [z - m for z in logits] if (m := max(z.data for z in logits)) else list(logits)
    loss = autograd.sum([z.exp() for z in shifted]).log() - shifted[target]
    mark("softmax_cross_entropy", loss, logits)
    return loss


class Block(Module):
    """One transformer layer: x + attn(norm(x)), then x + mlp(norm(x)) (pre-norm, residuals)."""

    def __init__(self, n_embd: int, n_head: int, seed: Seed = None, name: str = "h0") -> None:
        rng = as_generator(seed)
        self.attn = CausalSelfAttention(n_embd, n_head, rng, name=f"{name}.attn")
        self.mlp = MLPBlock(n_embd, rng, name=f"{name}.mlp")
        self.norm1 = RMSNorm(n_embd, name=f"{name}.norm1")
        self.norm2 = RMSNorm(n_embd, name=f"{name}.norm2")

    def forward(self, x: list[Value]) -> list[Value]:
        """The layer's output channels for one position."""
        x = [a + b for a, b in zip(self.attn(self.norm1(x)), x)]
        return [a + b for a, b in zip(self.mlp(self.norm2(x)), x)]

    def parameters(self) -> list[Value]:
        """The attention's weights, then the MLP's."""
        return self.attn.parameters() + self.mlp.parameters()

    def named_arrays(self) -> NamedArrays:
        """The weight matrices, named as the parameters are (what save() writes)."""
        return self.attn.named_arrays() + self.mlp.named_arrays()


class GPT(Module):
    """microgpt's GPT: token and position embeddings, an RMSNorm, n_layer blocks, lm_head.

    >>> model = GPT(vocab_size=27, seed=0)
    >>> loss = model.loss([26, 4, 12, 12, 0, 26])     # bos e m m a bos: a Value
    >>> loss.backward()                                # every parameter's .grad
    """

    def __init__(self, vocab_size: int, n_layer: int = 1, n_embd: int = 16, n_head: int = 4,
                 block_size: int = 16, seed: Seed = None) -> None:
        for what, size in (("vocab_size", vocab_size), ("n_layer", n_layer),
                           ("block_size", block_size)):
            check_size(what, size)
        rng = as_generator(seed)
        self.vocab_size, self.block_size, self.n_embd = vocab_size, block_size, n_embd
        self.wte = Embedding(vocab_size, n_embd, rng, name="wte")
        self.wpe = Embedding(block_size, n_embd, rng, name="wpe")
        self.blocks = [Block(n_embd, n_head, rng, name=f"h{i}") for i in range(n_layer)]
        self.lm_head = Linear(n_embd, vocab_size, seed=rng, name="lm_head")
        self.norm = RMSNorm(n_embd, name="norm0")

    def reset(self) -> None:
        """Empty every layer's KV cache: the next position read is position 0."""
        for block in self.blocks:
            block.attn.reset()

    def forward(self, token: int) -> list[Value]:
        """The logits of the token after `token`, which sits at the next position of the
        sequence (the KV caches say where: call reset() before a new sequence)."""
        pos = len(self.blocks[0].attn.keys)
        if pos >= self.block_size:
            raise ValueError(f"the sequence is longer than block_size ({self.block_size}): "
                             f"call reset() to start a new one")
        x = self.norm([t + p for t, p in zip(self.wte(token), self.wpe(pos))])
        for block in self.blocks:
            x = block(x)
        return self.lm_head(x)

    def loss(self, tokens: Sequence[int]) -> Value:
        """The mean over positions of -log p(next token), for one sequence [bos, ..., bos]:
        at most block_size positions are read (microgpt's truncation)."""
        self._check_tokens(tokens)
        self.reset()
        n = min(self.block_size, len(tokens) - 1)
        losses = [next_token_loss(self(tokens[pos]), tokens[pos + 1]) for pos in range(n)]
        return autograd.sum(losses) * (1.0 / n)

    def loss_at(self, tokens: Sequence[int], pos: int) -> Value:
        """-log p(tokens[pos + 1]) at one position: the graph of that position alone (with
        the keys and values of the positions before it), small enough to draw."""
        self._check_tokens(tokens)
        if not 0 <= pos < min(self.block_size, len(tokens) - 1):
            raise ValueError(f"pos must be in 0..{min(self.block_size, len(tokens) - 1) - 1} "
                             f"for {len(tokens)} tokens, got {pos!r}")
        self.reset()
        for token in tokens[:pos]:
            self(token)
        return next_token_loss(self(tokens[pos]), tokens[pos + 1])

    def generate(self, n: int, temperature: float = 0.5, seed: int | None = None,
                 bos: int | None = None) -> list[list[int]]:
        """n sequences sampled token by token from softmax(logits / temperature), each started
        with bos (default: the last token id, as CharTokenizer numbers it) and ended by it or
        by block_size; the tokens without bos. No graph is kept (no_grad)."""
        check_size("n", n)
        if not temperature > 0:
            raise ValueError(f"temperature must be a positive number, got {temperature!r}")
        bos = self.vocab_size - 1 if bos is None else bos
        rng = random.Random(seed)
        with autograd.no_grad():
            return [self._sample(bos, temperature, rng) for _ in range(n)]

    def _sample(self, bos: int, temperature: float, rng: random.Random) -> list[int]:
        self.reset()
        token, out = bos, []
        for _ in range(self.block_size):
            logits = np.array([z.data for z in self(token)]) / temperature
            p = np.exp(logits - logits.max())
            token = rng.choices(range(self.vocab_size), weights=(p / p.sum()).tolist())[0]
            if token == bos:
                break
            out.append(token)
        return out

    def attention_weights(self, layer: int = 0) -> np.ndarray:
        """The attention weights of the last sequence read, as an array [head, pos, t] (0 where
        t > pos: a position never looks ahead)."""
        rows = self.blocks[layer].attn.weights
        out = np.zeros((len(rows[0]) if rows else 0, len(rows), len(rows)))
        for pos, heads in enumerate(rows):
            for h, weights in enumerate(heads):
                out[h, pos, :pos + 1] = [w.data for w in weights]
        return out

    def parameters(self) -> list[Value]:
        """wte, wpe, then per layer wq, wk, wv, wo, fc1, fc2, then lm_head (microgpt's order)."""
        return [p for m in self._modules() for p in m.parameters()]

    def named_arrays(self) -> NamedArrays:
        """The weight matrices, named as the parameters are (what save() writes)."""
        return [a for m in self._modules() for a in m.named_arrays()]

    def _modules(self) -> list[Module]:
        return [self.wte, self.wpe, *self.blocks, self.lm_head]

    def _check_tokens(self, tokens: Sequence[int]) -> None:
        if len(tokens) < 2:
            raise ValueError(f"a sequence needs at least 2 tokens (bos and one more), got "
                             f"{len(tokens)}")
        bad = [t for t in tokens if isinstance(t, bool) or not isinstance(t, (int, np.integer))
               or not 0 <= t < self.vocab_size]
        if bad:
            raise ValueError(f"token {bad[0]!r} is out of range: tokens are ints in "
                             f"0..{self.vocab_size - 1}")

    def __repr__(self) -> str:
        attn = self.blocks[0].attn
        return (f"GPT(vocab_size={self.vocab_size}, n_layer={len(self.blocks)}, n_embd="
                f"{self.n_embd}, n_head={attn.n_head}, block_size={self.block_size})")


def train_gpt(model: GPT, docs: Sequence[Sequence[int]], steps: int, lr: float = 0.01,
              beta1: float = 0.85, beta2: float = 0.99, eps: float = 1e-8,
              callback: Callable[[int, float], None] | None = None) -> list[float]:
    """microgpt's recipe: step i trains on docs[i % len(docs)] (token lists [bos, ..., bos]),
    with Adam and a learning rate decaying linearly from lr to 0; the loss of every step.
    callback(step, loss) is called after each step (a progress bar)."""
    check_size("steps", steps)
    optimizer, losses = Adam(model.parameters(), lr, beta1, beta2, eps), []
    for step in range(steps):
        loss = model.loss(docs[step % len(docs)])
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = lr * (1 - step / steps)
        optimizer.step()
        losses.append(loss.data)
        if callback is not None:
            callback(step, loss.data)
    return losses
