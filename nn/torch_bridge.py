"""On to PyTorch: the same network as a `torch.nn` module, and back (`Module.to_torch`,
`Module.load_torch`).

A learner who outgrows a scalar engine carries a model across: `model.to_torch()` gives the
equivalent `torch.nn` module in float64 with the same weights (and the same train/eval mode),
so its outputs and every gradient equal zerograd's (to rounding); after training it in
PyTorch, `model.load_torch(net)` copies the weights back. A zerograd layer takes a list of
inputs (one per feature, each a number or a batch) or a feature map (`nn.as_images`); its
twin takes a tensor of shape (N, features) or (N, C, H, W). `to_tensor(x)` makes that tensor
from a zerograd input, `as_array(out)` puts a zerograd output in the same layout.

    Neuron(nin, act)        Sequential(Linear(nin, 1), act)
    Layer(nin, nout, act)   Sequential(Linear(nin, nout), act)
    MLP(nin, [n1, n2])      Sequential(Linear(nin, n1), act, Linear(n1, n2), out act)
    SimpleConvNet(...)      Sequential(Conv2d, ReLU, MaxPool2d, Flatten, Linear, ReLU, Linear)
    Conv2d, Flatten         Conv2d(padding=pad), Flatten
    MaxPool2d, AvgPool2d    MaxPool2d, AvgPool2d (max: a tie's gradient goes to one input in
                            PyTorch, is shared in zerograd; ties aside, equal)
    BatchNorm, BatchNorm2d  BatchNorm1d, BatchNorm2d, momentum 1 − the book's, running averages
                            copied both ways (see below)
    Dropout                 BookDropout (the book's, not torch.nn.Dropout: see below)
    Sequential(m0, m1, ...) Sequential(twin of m0, twin of m1, ...) (ReLU, Sigmoid, Tanh,
                            Identity: torch.nn's; load_torch goes part by part)
    Embedding, Linear       Embedding, Linear(bias=...)
    RMSNorm                 RMSNorm(eps, elementwise_affine=scale)
    CausalSelfAttention, MLPBlock, GPT   small torch.nn.Modules of `torch_gpt.py`, whose
                            parameters are named as zerograd's: wte.weight, h0.attn.wq.weight
                            (GPT's: net(tokens), a LongTensor (T,) or (B, T), gives the logits
                            (..., T, vocab); net.loss(tokens) is GPT.loss(tokens))

A neuron's weights w_0 ... w_{nin-1} are one row of `Linear.weight`, its bias one entry of
`Linear.bias`. PyTorch is imported only here, when asked for.

BatchNorm: the outputs agree in training and in evaluation, and so does the running mean;
the running variance does not after a training step: PyTorch adds the UNBIASED batch variance
(1/(N−1)) into it, the book the biased one (1/N) that also normalises the batch. PyTorch's
BatchNorm in training needs at least 2 values per channel; the book's takes a batch of 1.
Dropout: the book scales at evaluation (x·(1 − ratio)) and not in training, torch.nn.Dropout
the other way (x/(1 − p) in training, x at evaluation); the twin, BookDropout, does the
book's: in training x times a mask of 0s and 1s (drawn by PyTorch's generator, so not the same
mask), x·(1 − p) at evaluation.

A chain of these is best written as `nn.Sequential`, whose to_torch does the composing. For
your own Module (demos/batchnorm.py's BookNet, say), to_torch raises TypeError: compose
the twins of its layers by hand, in the order its forward calls them:

    parts = []
    for affine, norm in zip(model.affines, model.norms):    # Affine, BatchNorm, relu
        parts += [affine.to_torch(), norm.to_torch(), torch.nn.ReLU()]
    net = torch.nn.Sequential(*parts, model.affines[-1].to_torch())

and back piece by piece: `model.affines[0].load_torch(net[0])`,
`model.norms[0].load_torch(net[1])`, ...

Read next: notebook 05's last part, which trains the same network in both; `torch_gpt.py`.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from autograd import Value

from .conv import AvgPool2d, Conv2d, Flatten, MaxPool2d, map_shape
from .convnet import SimpleConvNet
from .gpt import GPT, Block, CausalSelfAttention, Embedding, Linear, MLPBlock, RMSNorm
from .modules import MLP, Layer, Module, Neuron
from .normalization import BatchNorm, BatchNorm2d, Dropout
from .sequential import Activation, Sequential

INSTALL_TORCH = ("PyTorch is not installed: pip install torch (a CPU build is enough: "
                 "pip install torch --index-url https://download.pytorch.org/whl/cpu)")
GPT_FAMILY = (GPT, Block, CausalSelfAttention, MLPBlock, Embedding, Linear, RMSNorm)


def _torch():
    try:
        import torch
    except ImportError as error:
        raise ModuleNotFoundError(INSTALL_TORCH, name="torch") from error
    return torch


# ----------------------------------------------------------------- inputs and outputs

def as_array(x, field: str = "data", samples: int | None = None) -> np.ndarray:
    """A zerograd input or output in PyTorch's layout: a feature map fmap[c][i][j] as
    (N, C, H, W), a list of per-feature entries (or one Value) as (N, features). N is the
    longest batch, or `samples` (a number stands for every sample); field="grad" gives the
    Values' gradients instead of their numbers."""
    entries = [x] if type(x) is Value else x
    shape = map_shape(entries) if entries and isinstance(entries[0], list) else (len(entries),)
    flat = [v for channel in entries for row in channel for v in row] if len(shape) == 3 \
        else list(entries)
    numbers = [_numbers(v, field) for v in flat]
    n = samples or max(np.size(v) for v in numbers)
    rows = np.stack([np.broadcast_to(np.asarray(v, dtype=float).ravel(), (n,)) for v in numbers])
    return np.moveaxis(rows.reshape(*shape, n), -1, 0)


def _numbers(v, field: str):
    """A Value's data (or grad), or the number or array itself."""
    if type(v) is Value:
        return getattr(v, field)
    if field != "data":
        raise ValueError(f"only Values have a {field}; got a {type(v).__name__} (make the "
                         f"inputs Values: nn.as_images(X, values=True), nn.as_inputs(X))")
    return v


def to_tensor(x, requires_grad: bool = False):
    """The float64 tensor a twin takes for the zerograd input x (see as_array):
    `net(to_tensor(x))` is `model(x)`."""
    torch = _torch()
    return torch.tensor(as_array(x), dtype=torch.float64, requires_grad=requires_grad)


# ----------------------------------------------------------------- to_torch, load_torch

def _twins():
    """(zerograd classes, to_torch, load_torch) rows, the subclass before its base class."""
    return [((Neuron, Layer, MLP), _mlp_to_torch, _load_mlp),
            ((SimpleConvNet,), _convnet_to_torch, _load_convnet),
            ((Conv2d,), _conv_twin, _load_conv),
            ((MaxPool2d, AvgPool2d, Flatten), _pool_twin, _nothing_to_load),
            ((BatchNorm, BatchNorm2d), _batchnorm_twin, _load_batchnorm),
            ((Dropout,), _dropout_twin, _nothing_to_load),
            (GPT_FAMILY, _gpt_to_torch, _gpt_load),
            ((Sequential,), _sequential_twin, _load_sequential),
            ((Activation,), _activation_twin, _nothing_to_load)]


def _twin_of(module: Module):
    """The (to_torch, load_torch) pair for module, or a TypeError listing what is taken."""
    for classes, make, load in _twins():
        if isinstance(module, classes):
            return make, load
    taken = [c.__name__ for classes, _, _ in _twins() for c in classes]
    taken[-1:] = ["ReLU", "Sigmoid", "Tanh", "Identity"]          # the Activation modules
    raise TypeError(
        f"to_torch and load_torch take a {', '.join(taken[:-1])} or {taken[-1]}; got "
        f"{type(module).__name__}. For your own Module, compose the twins of its layers by "
        f"hand: torch.nn.Sequential(layer1.to_torch(), torch.nn.ReLU(), layer2.to_torch()) "
        f"(see nn/torch_bridge.py's docstring), or build the network as nn.Sequential")


def to_torch(module: Module):
    """The equivalent torch.nn module in float64, with this module's weights (and its
    running averages) and its train/eval mode."""
    _torch()
    make, _ = _twin_of(module)
    return make(module).train(module.training)


def load_torch(module: Module, net) -> Module:
    """Copy the weights of net (as to_torch makes it) into this module; returns the module.
    A net whose shapes differ is refused with a ValueError naming both."""
    _torch()
    _, load = _twin_of(module)
    load(module, net)
    return module


def _first(net, kind):
    """net itself or the first module inside it of the given torch class, else None."""
    return next((part for part in net.modules() if isinstance(part, kind)), None)


def _set(parameter, numbers) -> None:
    """Copy numbers into a torch parameter or buffer (as float64: no float32 on the way)."""
    torch = _torch()
    with torch.no_grad():
        parameter.copy_(torch.tensor(numbers, dtype=torch.float64).reshape(parameter.shape))


def _copy_into(values: list[Value], tensor) -> None:
    """Each Value's data from the tensor's entries, in row-major order."""
    for value, number in zip(values, tensor.detach().double().ravel().tolist()):
        value.data = number


# ----------------------------------------------------------------- Neuron, Layer, MLP

def _activation(name: str):
    """The torch.nn module of one of nn.ACTIVATIONS (and softmax over the features)."""
    torch = _torch()
    modules = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU,
               "identity": torch.nn.Identity, "softmax": lambda: torch.nn.Softmax(dim=-1)}
    if name not in modules:
        raise ValueError(f"PyTorch has no module for the {name!r} activation; to_torch takes "
                         f"networks whose activations are {', '.join(modules)}")
    return modules[name]()


def _layers(module: Module) -> list[tuple[list[Neuron], str]]:
    """The module as (neurons of one layer, that layer's activation) pairs, in order."""
    if isinstance(module, Neuron):
        return [([module], module.activation)]
    if isinstance(module, Layer):
        return [(module.neurons, module.activation)]
    if isinstance(module, MLP):
        return [(layer.neurons, layer.activation) for layer in module.layers]
    return [(module.hidden.neurons, "relu"), (module.out.neurons, "identity")]  # SimpleConvNet


def _mlp_to_torch(module: Module):
    """Neuron, Layer, MLP: Linear and activation, layer by layer (and an MLP's softmax)."""
    torch = _torch()
    parts = []
    for neurons, activation in _layers(module):
        parts += [_linear(neurons), _activation(activation)]
    if isinstance(module, MLP) and module.output_activation == "softmax":
        parts.append(_activation("softmax"))
    return torch.nn.Sequential(*parts)


def _linear(neurons: list[Neuron]):
    """A float64 torch.nn.Linear holding these neurons' weights (a row each) and biases."""
    torch = _torch()
    linear = torch.nn.Linear(len(neurons[0].w), len(neurons), dtype=torch.float64)
    _set(linear.weight, [[w.data for w in n.w] for n in neurons])
    _set(linear.bias, [n.b.data for n in neurons])
    return linear


def _load_mlp(module: Module, net) -> None:
    """Each torch.nn.Linear of net into the neurons of one layer, in order."""
    torch = _torch()
    linears = [part for part in net.modules() if isinstance(part, torch.nn.Linear)]
    layers = _layers(module)
    if len(linears) != len(layers):
        raise ValueError(f"the PyTorch module has {len(linears)} Linear layers; this "
                         f"{type(module).__name__} has {len(layers)}")
    for k, ((neurons, _), linear) in enumerate(zip(layers, linears), start=1):
        shape = (len(neurons), len(neurons[0].w))
        if tuple(linear.weight.shape) != shape:
            raise ValueError(f"Linear layer {k} has weights of shape "
                             f"{tuple(linear.weight.shape)}; layer {k} here needs {shape}")
    for (neurons, _), linear in zip(layers, linears):
        _copy_into([w for n in neurons for w in n.w], linear.weight)
        _copy_into([n.b for n in neurons], linear.bias)


# ----------------------------------------------------------------- the book's layers

def _convnet_to_torch(model: SimpleConvNet):
    """SimpleConvNet as Conv2d, ReLU, MaxPool2d, Flatten, Linear, ReLU, Linear (NCHW input)."""
    torch = _torch()
    return torch.nn.Sequential(_conv_twin(model.conv), torch.nn.ReLU(), _pool_twin(model.pool),
                               torch.nn.Flatten(), _linear(model.hidden.neurons),
                               torch.nn.ReLU(), _linear(model.out.neurons))


def _load_convnet(model: SimpleConvNet, net) -> None:
    """The Conv2d, then the two Linear layers (every shape checked before any is copied)."""
    _conv_of(model.conv, net)
    _load_mlp(model, net)
    _load_conv(model.conv, net)


def _conv_twin(conv: Conv2d):
    """torch.nn.Conv2d with the filters as its weight (F, C, k, k) and the biases."""
    torch = _torch()
    conv2d = torch.nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size,
                             stride=conv.stride, padding=conv.pad, dtype=torch.float64)
    _set(conv2d.weight, [w.data for f in conv.filters for w in f])
    _set(conv2d.bias, [b.data for b in conv.biases])
    return conv2d


def _conv_of(conv: Conv2d, net):
    """The first torch.nn.Conv2d of net, or a ValueError if it has not conv's shape."""
    conv2d = _first(net, _torch().nn.Conv2d)
    shape = (conv.out_channels, conv.in_channels, conv.kernel_size, conv.kernel_size)
    if conv2d is None or tuple(conv2d.weight.shape) != shape:
        found = "none" if conv2d is None else tuple(conv2d.weight.shape)
        raise ValueError(f"the PyTorch module needs a Conv2d with weights of shape {shape}; "
                         f"found {found}")
    return conv2d


def _load_conv(conv: Conv2d, net) -> None:
    """Copy the first torch.nn.Conv2d of net into conv's filters and biases."""
    conv2d = _conv_of(conv, net)
    _copy_into([w for f in conv.filters for w in f], conv2d.weight)
    _copy_into(conv.biases, conv2d.bias)


def _pool_twin(layer: Module):
    """MaxPool2d, AvgPool2d (same size and stride, no padding) or Flatten."""
    torch = _torch()
    if isinstance(layer, Flatten):
        return torch.nn.Flatten()
    kind = torch.nn.MaxPool2d if isinstance(layer, MaxPool2d) else torch.nn.AvgPool2d
    return kind(layer.size, layer.stride)


def _nothing_to_load(module: Module, net) -> None:
    """Pooling, Flatten and Dropout have no weights to copy."""


def _batchnorm_twin(norm: BatchNorm):
    """BatchNorm1d or BatchNorm2d: gamma, beta, eps, the running averages, momentum 1 − m."""
    torch = _torch()
    kind = torch.nn.BatchNorm2d if isinstance(norm, BatchNorm2d) else torch.nn.BatchNorm1d
    twin = kind(len(norm.gamma), eps=norm.eps, momentum=1.0 - norm.momentum,
                dtype=torch.float64)
    for tensor, numbers in zip(_batchnorm_tensors(twin), _batchnorm_numbers(norm)):
        _set(tensor, numbers)
    return twin


def _batchnorm_tensors(twin) -> list:
    return [twin.weight, twin.bias, twin.running_mean, twin.running_var]


def _batchnorm_numbers(norm: BatchNorm) -> list:
    return [[g.data for g in norm.gamma], [b.data for b in norm.beta], norm.running_mean,
            norm.running_var]


def _load_batchnorm(norm: BatchNorm, net) -> None:
    """gamma, beta and the running averages from net's first BatchNorm."""
    torch = _torch()
    kind = torch.nn.BatchNorm2d if isinstance(norm, BatchNorm2d) else torch.nn.BatchNorm1d
    twin, n = _first(net, kind), len(norm.gamma)
    if twin is None or twin.weight is None or tuple(twin.weight.shape) != (n,):
        found = "none" if twin is None or twin.weight is None else tuple(twin.weight.shape)
        raise ValueError(f"the PyTorch module needs a {kind.__name__} with weights of shape "
                         f"{(n,)} (affine); found {found}")
    _copy_into(norm.gamma, twin.weight)
    _copy_into(norm.beta, twin.bias)
    norm.running_mean = twin.running_mean.detach().double().numpy().copy()
    norm.running_var = twin.running_var.detach().double().numpy().copy()


def _dropout_twin(drop: Dropout):
    """The book's Dropout in PyTorch (BookDropout), with the same ratio."""
    return _book_dropout_class()(drop.ratio)


@cache
def _book_dropout_class():
    """BookDropout, a torch.nn.Module made when first asked for (PyTorch imported then)."""
    torch = _torch()

    class BookDropout(torch.nn.Module):
        """The book's Dropout: in training x times a mask of 0s and 1s (kept where a uniform
        draw is above p, no rescaling); in evaluation x · (1 − p). (torch.nn.Dropout rescales
        in training instead.)"""

        def __init__(self, p: float = 0.5) -> None:
            super().__init__()
            self.p = float(p)

        def forward(self, x):
            """x masked (training) or scaled by 1 − p (evaluation)."""
            if not self.training:
                return x * (1.0 - self.p)
            return x * (torch.rand_like(x) > self.p).to(x.dtype)

        def extra_repr(self) -> str:
            return f"p={self.p}"

    return BookDropout


# ----------------------------------------------------------------- Sequential, activations

def _activation_twin(module: Activation):
    """torch.nn.ReLU, Sigmoid, Tanh or Identity."""
    return _activation(module.activation)


def _sequential_twin(model: Sequential):
    """torch.nn.Sequential of each module's twin (a Layer's stays a Sequential(Linear, act))."""
    return _torch().nn.Sequential(*[to_torch(module) for module in model])


def _load_sequential(model: Sequential, net) -> None:
    """Part by part, once every part's kind is checked; on a refused shape nothing changes."""
    torch = _torch()
    if not isinstance(net, torch.nn.Sequential) or len(net) != len(model):
        found = f"{len(net)} parts" if isinstance(net, torch.nn.Sequential) else type(net).__name__
        raise ValueError(f"the PyTorch module must be a Sequential of {len(model)} parts, as "
                         f"this one's to_torch() makes it; got {found}")
    for i, (module, part) in enumerate(zip(model, net)):
        twin = to_torch(module)
        if _kinds(twin) != _kinds(part):
            raise ValueError(f"part {i} of the PyTorch module is {_kinds(part)}; part {i} here "
                             f"is a {type(module).__name__}, whose twin is {_kinds(twin)}")
    _load_all_or_nothing(model, net)


def _kinds(net) -> str:
    """The torch classes in net, outermost first: "Sequential(Linear, ReLU)", "ReLU"."""
    inner = [type(part).__name__ for part in net.children()]
    return type(net).__name__ + (f"({', '.join(inner)})" if inner else "")


def _load_all_or_nothing(model: Sequential, net) -> None:
    """load_torch module by module; if one refuses, the numbers loaded before it go back."""
    before = [p.data for p in model.parameters()]
    norms = [(m, m.running_mean, m.running_var) for m in model.modules()
             if isinstance(m, BatchNorm)]
    try:
        for module, part in zip(model, net):
            load_torch(module, part)
    except ValueError:
        for p, number in zip(model.parameters(), before):
            p.data = number
        for norm, mean, var in norms:
            norm.running_mean, norm.running_var = mean, var
        raise


# ----------------------------------------------------------------- the GPT (torch_gpt.py)

def _gpt_to_torch(module: Module):
    """The GPT family's twins live in torch_gpt.py (which imports torch at its top)."""
    from . import torch_gpt
    return torch_gpt.to_torch(module)


def _gpt_load(module: Module, net) -> None:
    """Copied back by parameter name (torch_gpt.py)."""
    from . import torch_gpt
    torch_gpt.load_torch(module, net)


Module.to_torch = to_torch
Module.load_torch = load_torch
