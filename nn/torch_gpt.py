"""The GPT's twin in PyTorch: `GPT.to_torch()` and `GPT.load_torch(net)` (and for its blocks).

Imported by `torch_bridge.py` only when a GPT (or one of its blocks) is carried across, so this
file imports PyTorch at its top. The twins are float64 and their parameters are named as
zerograd's arrays are, with PyTorch's `.weight` / `.bias` after them:

    zerograd              its twin                          parameters
    Embedding(num, dim)   torch.nn.Embedding(num, dim)      weight (num, dim)
    Linear(nin, nout)     torch.nn.Linear(bias=...)         weight (nout, nin), bias
    RMSNorm(dim, eps)     torch.nn.RMSNorm(dim, eps, elementwise_affine=scale)   weight if scale
    CausalSelfAttention   Attention: all positions at once  wq, wk, wv, wo
                          under a causal mask
    MLPBlock              MLPBlockTwin: fc2(relu(fc1(x)))   fc1, fc2
    GPT                   GPTTwin                           wte, wpe, h0.attn.wq, ..., lm_head

zerograd's GPT reads one position at a time through a KV cache; the twin reads the whole
sequence at once, each position masked from those after it (the same numbers). Its
`forward(tokens)` takes a LongTensor (or list) of shape (T,) or (B, T) and returns the logits
(..., T, vocab); `loss(tokens)` is `GPT.loss(tokens)`: the mean over positions
0..min(block_size, T − 1) − 1 of the cross-entropy of the next token (with (B, T), the mean
over every sequence's positions). Attention and MLPBlockTwin take (..., T, n_embd).

Read next: `tests/test_torch_bridge_layers.py`, which checks every gradient against zerograd's.
"""

from __future__ import annotations

import math

from .torch_bridge import _set, _torch
from .gpt import GPT, Block, CausalSelfAttention, Embedding, Linear, MLPBlock, RMSNorm
from .modules import Module

torch = _torch()        # the install command if it is missing
F64 = torch.float64


class _Composite(torch.nn.Module):
    """A torch.nn.Module holding named children (their names are zerograd's)."""

    def __init__(self, children: list[tuple[str, torch.nn.Module]]) -> None:
        super().__init__()
        for name, child in children:
            self.add_module(name, child)


class Attention(_Composite):
    """Causal multi-head self-attention over (..., T, n_embd): wo · heads of
    softmax(q·k / √d, masked above the diagonal) · v."""

    def __init__(self, children: list[tuple[str, torch.nn.Module]], n_head: int) -> None:
        super().__init__(children)
        self.n_head = n_head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The attention output of every position."""
        *lead, steps, channels = x.shape
        d = channels // self.n_head

        def heads(t: torch.Tensor) -> torch.Tensor:     # (..., T, C) -> (..., heads, T, d)
            return t.reshape(*lead, steps, self.n_head, d).transpose(-3, -2)

        q, k, v = heads(self.wq(x)), heads(self.wk(x)), heads(self.wv(x))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d)
        later = torch.ones(steps, steps, dtype=torch.bool).triu(1)     # t > pos: masked
        weights = scores.masked_fill(later, float("-inf")).softmax(dim=-1)
        out = (weights @ v).transpose(-3, -2).reshape(*lead, steps, channels)
        return self.wo(out)


class MLPBlockTwin(_Composite):
    """fc2(relu(fc1(x))), no biases."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The block's output channels."""
        return self.fc2(torch.relu(self.fc1(x)))


class BlockTwin(_Composite):
    """x + attn(norm1(x)), then x + mlp(norm2(x))."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The layer's output channels at every position."""
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class GPTTwin(_Composite):
    """norm0(wte(token) + wpe(position)), the blocks h0, h1, ..., then lm_head: the logits."""

    def __init__(self, children: list[tuple[str, torch.nn.Module]], block_size: int) -> None:
        super().__init__(children)
        self.block_size = block_size
        self.layers = [name for name, _ in children if name.startswith("h")]

    def forward(self, tokens) -> torch.Tensor:
        """The logits (..., T, vocab) of the token after each of tokens, shape (T,) or (B, T)."""
        tokens = torch.as_tensor(tokens, dtype=torch.long)
        steps = tokens.shape[-1]
        if steps > self.block_size:
            raise ValueError(f"the sequence ({steps} tokens) is longer than block_size "
                             f"({self.block_size})")
        x = self.norm0(self.wte(tokens) + self.wpe(torch.arange(steps)))
        for name in self.layers:
            x = getattr(self, name)(x)
        return self.lm_head(x)

    def loss(self, tokens) -> torch.Tensor:
        """GPT.loss: the mean cross-entropy of each next token, over the first
        min(block_size, T − 1) positions."""
        tokens = torch.as_tensor(tokens, dtype=torch.long)
        if tokens.shape[-1] < 2:
            raise ValueError(f"a sequence needs at least 2 tokens, got {tokens.shape[-1]}")
        n = min(self.block_size, tokens.shape[-1] - 1)
        logits = self(tokens[..., :n])
        return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                                 tokens[..., 1:n + 1].reshape(-1))


def _children(module: Module) -> list[tuple[str, Module]]:
    """A composite's parts, named as in its twin (and in zerograd's parameter names)."""
    if isinstance(module, GPT):
        blocks = [(f"h{i}", block) for i, block in enumerate(module.blocks)]
        return [("wte", module.wte), ("wpe", module.wpe), ("norm0", module.norm), *blocks,
                ("lm_head", module.lm_head)]
    names = {CausalSelfAttention: ("wq", "wk", "wv", "wo"), MLPBlock: ("fc1", "fc2"),
             Block: ("norm1", "attn", "norm2", "mlp")}[type(module)]
    return [(name, getattr(module, name)) for name in names]


def twin(module: Module) -> torch.nn.Module:
    """The float64 torch.nn.Module of the same shape as module (weights not copied yet)."""
    if isinstance(module, Embedding):
        return torch.nn.Embedding(len(module.weight), len(module.weight[0]), dtype=F64)
    if isinstance(module, Linear):
        return torch.nn.Linear(len(module.weight[0]), len(module.weight),
                               bias=module.bias is not None, dtype=F64)
    if isinstance(module, RMSNorm):
        return torch.nn.RMSNorm(module.dim, eps=module.eps,
                                elementwise_affine=module.gain is not None, dtype=F64)
    children = [(name, twin(part)) for name, part in _children(module)]
    if isinstance(module, CausalSelfAttention):
        return Attention(children, module.n_head)
    if isinstance(module, GPT):
        return GPTTwin(children, module.block_size)
    return (MLPBlockTwin if isinstance(module, MLPBlock) else BlockTwin)(children)


def arrays(module: Module, prefix: str = "") -> list[tuple[str, str, list, tuple]]:
    """(twin's parameter name, zerograd's array name, the Values, shape) of every parameter."""
    if isinstance(module, (Embedding, Linear, RMSNorm)):
        return [(prefix + ("bias" if name == f"{module.name}.b" else "weight"), name, values,
                 shape) for name, values, shape in module.named_arrays()]
    return [row for name, part in _children(module) for row in arrays(part, f"{prefix}{name}.")]


def to_torch(module: Module) -> torch.nn.Module:
    """The twin of module with its weights."""
    net = twin(module)
    parameters = dict(net.named_parameters())
    for key, _, values, _ in arrays(module):
        _set(parameters[key], [v.data for v in values])
    return net


def load_torch(module: Module, net: torch.nn.Module) -> None:
    """Copy net's parameters into module by name, after checking every name and shape."""
    parameters = dict(net.named_parameters())
    rows = arrays(module)
    for key, name, _, shape in rows:
        if key not in parameters:
            raise ValueError(f"the PyTorch module has no parameter {key!r} (for {name}); "
                             f"it has {', '.join(parameters) or 'none'}")
        found = tuple(parameters[key].shape)
        if found != shape:
            raise ValueError(f"parameter {key!r} has shape {found}; {name} here needs {shape}")
    for key, _, values, _ in rows:
        for value, number in zip(values, parameters[key].detach().double().ravel().tolist()):
            value.data = number
