"""On to PyTorch: the same network as a `torch.nn` module, and back (`Module.to_torch`,
`Module.load_torch`).

A learner who outgrows a scalar engine carries a model across: `model.to_torch()` gives the
equivalent `torch.nn` module in float64 with the same weights, so its outputs and every
gradient equal zerograd's (to rounding); after training it in PyTorch, `model.load_torch(net)`
copies the weights back. A zerograd layer takes a list of inputs (one per feature, each a number
or a batch); its PyTorch twin takes a tensor of shape (N, features): `net(torch.tensor(X))` is
`model(nn.as_inputs(X))`, one row per sample.

    Neuron(nin, act)        Sequential(Linear(nin, 1), act)
    Layer(nin, nout, act)   Sequential(Linear(nin, nout), act)
    MLP(nin, [n1, n2])      Sequential(Linear(nin, n1), act, Linear(n1, n2), out act)
    SimpleConvNet(...)      Sequential(Conv2d, ReLU, MaxPool2d, Flatten, Linear, ReLU, Linear)

(SimpleConvNet's twin takes images of shape (N, C, H, W), as `nn.as_images` does.)

A neuron's weights w_0 ... w_{nin-1} are one row of `Linear.weight`, its bias one entry of
`Linear.bias`. PyTorch is imported only here, when asked for.

Read next: notebook 05's last part, which trains the same network in both.
"""

from __future__ import annotations

from .convnet import SimpleConvNet
from .modules import MLP, Layer, Module, Neuron

INSTALL_TORCH = ("PyTorch is not installed: pip install torch (a CPU build is enough: "
                 "pip install torch --index-url https://download.pytorch.org/whl/cpu)")


def _torch():
    try:
        import torch
    except ImportError as error:
        raise ModuleNotFoundError(INSTALL_TORCH, name="torch") from error
    return torch


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
    if isinstance(module, SimpleConvNet):
        return [(module.hidden.neurons, "relu"), (module.out.neurons, "identity")]
    raise TypeError(f"to_torch and load_torch take a Neuron, Layer, MLP or SimpleConvNet; "
                    f"got {type(module).__name__}")


def to_torch(module: Module):
    """The equivalent torch.nn.Sequential in float64, with this module's weights."""
    torch = _torch()
    if isinstance(module, SimpleConvNet):
        return _convnet_to_torch(module)
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


def _set(parameter, numbers) -> None:
    """Copy numbers into a torch parameter (as float64: no float32 on the way)."""
    torch = _torch()
    with torch.no_grad():
        parameter.copy_(torch.tensor(numbers, dtype=torch.float64).reshape(parameter.shape))


def _convnet_to_torch(model: SimpleConvNet):
    """SimpleConvNet as Conv2d, ReLU, MaxPool2d, Flatten, Linear, ReLU, Linear (NCHW input)."""
    torch = _torch()
    conv = model.conv
    conv2d = torch.nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size,
                             stride=conv.stride, padding=conv.pad, dtype=torch.float64)
    _set(conv2d.weight, [w.data for f in conv.filters for w in f])
    _set(conv2d.bias, [b.data for b in conv.biases])
    return torch.nn.Sequential(conv2d, torch.nn.ReLU(),
                               torch.nn.MaxPool2d(model.pool.size, model.pool.stride),
                               torch.nn.Flatten(), _linear(model.hidden.neurons),
                               torch.nn.ReLU(), _linear(model.out.neurons))


def load_torch(module: Module, net) -> Module:
    """Copy the weights of net (as to_torch makes it) into this module; returns the module."""
    torch = _torch()
    linears = [part for part in net.modules() if isinstance(part, torch.nn.Linear)]
    layers = _layers(module)
    if len(linears) != len(layers):
        raise ValueError(f"the PyTorch module has {len(linears)} Linear layers; this "
                         f"{type(module).__name__} has {len(layers)}")
    if isinstance(module, SimpleConvNet):
        _load_conv(module.conv, net)
    for k, ((neurons, _), linear) in enumerate(zip(layers, linears), start=1):
        shape = (len(neurons), len(neurons[0].w))
        if tuple(linear.weight.shape) != shape:
            raise ValueError(f"Linear layer {k} has weights of shape "
                             f"{tuple(linear.weight.shape)}; layer {k} here needs {shape}")
        weights, biases = linear.weight.detach().double().tolist(), linear.bias.detach().double()
        for neuron, row, bias in zip(neurons, weights, biases.tolist()):
            for w, value in zip(neuron.w, row):
                w.data = value
            neuron.b.data = bias
    return module


def _load_conv(conv, net) -> None:
    """Copy the first torch.nn.Conv2d of net into conv's filters and biases."""
    torch = _torch()
    conv2d = next((part for part in net.modules() if isinstance(part, torch.nn.Conv2d)), None)
    shape = (conv.out_channels, conv.in_channels, conv.kernel_size, conv.kernel_size)
    if conv2d is None or tuple(conv2d.weight.shape) != shape:
        raise ValueError(f"the PyTorch module needs a Conv2d with weights of shape {shape}")
    for values, row in zip(conv.filters, conv2d.weight.detach().double().reshape(
            conv.out_channels, -1).tolist()):
        for value, number in zip(values, row):
            value.data = number
    for value, number in zip(conv.biases, conv2d.bias.detach().double().tolist()):
        value.data = number


Module.to_torch = to_torch
Module.load_torch = load_torch
