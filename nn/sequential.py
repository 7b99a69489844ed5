"""`Sequential`, a chain of modules, and the activation modules `ReLU`, `Sigmoid`, `Tanh`,
`Identity`: the book's chapter 6–7 networks in one expression, as in PyTorch.

    >>> model = nn.Sequential(nn.Layer(784, 100, "identity"), nn.BatchNorm(100), nn.ReLU(),
    ...                       nn.Dropout(0.2), nn.Layer(100, 10, "identity"))
    >>> cnn = nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    ...                     nn.Layer(30 * 12 * 12, 10, "identity"), input_shape=(1, 28, 28))

`Layer(nin, nout, "identity")` is the book's Affine. An activation module applies the engine's
own function (autograd.relu, sigmoid, tanh) to every entry of a list of inputs (one per
feature) or of a feature map (`nn.as_images`), so a drawing shows the same nodes as elsewhere.
A Sequential takes what its first module takes. `fit`, `predict` and `accuracy` give a model
the flat list of C·H·W inputs; with `input_shape=(C, H, W)` a Sequential cuts that list into a
feature map first (as SimpleConvNet does), so a network that starts with Conv2d trains on
images. Its parameters are its modules' in order, saved as "0.weights", "1.gamma", ...;
`model.to_torch()` is a `torch.nn.Sequential` of the modules' twins. A Layer left with its
default name is named by its place among the Layers (L1, L2, ...), as MLP names its layers, so
drawings tell their neurons and weights apart; a name you gave is kept.

Read next: `convnet.py` (the book's SimpleConvNet, written as a Module of its own).
"""

from __future__ import annotations

from typing import Callable, Iterator, Sequence

import autograd
from autograd import Value

from .conv import AvgPool2d, Conv2d, FeatureMap, Flatten, MaxPool2d, map_shape
from .modules import DEFAULT_LAYER_NAME, Layer, Module, check_size
from .normalization import BatchNorm2d
from .saving import NamedArrays

MAP_FIRST = (Conv2d, MaxPool2d, AvgPool2d, Flatten, BatchNorm2d)   # these take a feature map


class Activation(Module):
    """An activation as a module: `function` on every entry of a list or a feature map."""

    activation = "identity"                 # the name, as in nn.ACTIVATIONS
    function: Callable[[Value], Value] = staticmethod(autograd.identity)

    @property
    def output_activation(self) -> str:
        """The activation of the output (predict() reads it to choose a threshold)."""
        return self.activation

    def forward(self, x):
        """function(x) for one Value, else entry by entry, keeping x's (nested) lists."""
        if isinstance(x, (Value, int, float)) and not isinstance(x, bool):
            return self.function(x)
        if not isinstance(x, (list, tuple)):
            raise ValueError(f"{type(self).__name__} takes a Value, a list of inputs (one per "
                             f"feature) or a feature map (nn.as_images); got "
                             f"{type(x).__name__}")
        return [self.forward(v) if isinstance(v, (list, tuple)) else self.function(v)
                for v in x]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ReLU(Activation):
    """max(0, x) on every entry (autograd.relu, one node each)."""

    activation, function = "relu", staticmethod(autograd.relu)


class Sigmoid(Activation):
    """1 / (1 + e^-x) on every entry (autograd.sigmoid, built from primitives)."""

    activation, function = "sigmoid", staticmethod(autograd.sigmoid)


class Tanh(Activation):
    """tanh(x) on every entry (autograd.tanh, built from primitives)."""

    activation, function = "tanh", staticmethod(autograd.tanh)


class Identity(Activation):
    """x itself (a placeholder, as torch.nn.Identity)."""


class Sequential(Module):
    """Modules called one after the other: Sequential(a, b, c)(x) is c(b(a(x))).

    `input_shape=(C, H, W)`: flat inputs of C·H·W entries (what fit and predict give) are cut
    into a feature map, channel, row, column, before the first module; a feature map passes.
    """

    def __init__(self, *modules: Module, input_shape: Sequence[int] | None = None) -> None:
        if not modules:
            raise ValueError("Sequential needs at least one module, as in nn.Sequential("
                             "nn.Layer(2, 4, 'identity'), nn.ReLU(), nn.Layer(4, 1))")
        for i, module in enumerate(modules):
            check_module(i, module)
        self.parts = list(modules)
        self.input_shape = None if input_shape is None else checked_shape(input_shape)
        self.name_layers()

    def name_layers(self) -> None:
        """Layers still called by Layer's default name ("L1") are named by their place among the
        Layers, L1, L2, ..., so that a drawing tells their neurons and weights apart."""
        layers = [module for module in self.parts if isinstance(module, Layer)]
        for k, layer in enumerate(layers, start=1):
            if layer.name == DEFAULT_LAYER_NAME:
                layer.rename(f"L{k}")

    @property
    def layers(self) -> list[Module]:
        """The modules that have parameters (gradient_check reports them layer by layer)."""
        return [module for module in self.parts if module.parameters()]

    @property
    def output_activation(self) -> str:
        """The last module's output activation that has one, else "identity" (for predict)."""
        named = [m.output_activation for m in self.parts if hasattr(m, "output_activation")]
        return named[-1] if named else "identity"

    def forward(self, x):
        """Each module on the last one's output (one Value in between becomes a list of one);
        a single output comes back as one Value."""
        x = self.first_input(x)
        for module in self.parts:
            x = module([x] if type(x) is Value else x)
        if isinstance(x, list) and len(x) == 1 and not isinstance(x[0], list):
            return x[0]
        return x

    def first_input(self, x):
        """x as the first module takes it: cut into a feature map if input_shape is given."""
        flat = isinstance(x, (list, tuple)) and bool(x) and not isinstance(x[0], (list, tuple))
        if self.input_shape is not None and flat:
            return as_map(x, self.input_shape)
        if flat and isinstance(self.parts[0], MAP_FIRST):
            raise ValueError(f"{type(self.parts[0]).__name__} first takes a feature map: give "
                             f"the model nn.as_images(X), or make it with input_shape=(C, H, "
                             f"W) so the flat inputs of fit and predict become one")
        return x

    def parameters(self) -> list[Value]:
        """Module by module, in order."""
        return [p for module in self.parts for p in module.parameters()]

    def named_arrays(self) -> NamedArrays:
        """Each module's arrays, named after its index: "0.weights", "0.biases", "1.gamma"..."""
        return [(f"{i}.{name}", values, shape) for i, module in enumerate(self.parts)
                if module.parameters() for name, values, shape in module.named_arrays()]

    def __getitem__(self, index: int | slice) -> Module:
        """model[i] is the i-th module; model[i:j] a Sequential of those modules (shared)."""
        if isinstance(index, slice):
            return Sequential(*self.parts[index])
        return self.parts[index]

    def __len__(self) -> int:
        return len(self.parts)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.parts)

    def __repr__(self) -> str:
        lines = [f"({i}): {module!r}".replace("\n", "\n  ") for i, module in enumerate(self)]
        shape = f"  input_shape={self.input_shape}\n" if self.input_shape else ""
        return "Sequential(\n" + shape + "".join(f"  {line}\n" for line in lines) + ")"


def check_module(i: int, module) -> None:
    """Raise TypeError unless module is a Module instance (a class gets 'write Name()')."""
    if isinstance(module, type) and issubclass(module, Module):
        raise TypeError(f"Sequential's module {i} is the class {module.__name__}; give an "
                        f"instance: {module.__name__}(...)")
    if not isinstance(module, Module):
        raise TypeError(f"Sequential takes nn Modules (Layer, BatchNorm, ReLU(), Conv2d, ...); "
                        f"module {i} is {type(module).__name__} {module!r:.60}")


def checked_shape(shape: Sequence[int]) -> tuple[int, int, int]:
    """input_shape as (channels, height, width), or a ValueError saying what is wrong."""
    if isinstance(shape, (str, bytes)) or not isinstance(shape, Sequence) or len(shape) != 3:
        raise ValueError(f"input_shape is (channels, height, width); got {shape!r}")
    for what, size in zip(("channels", "height", "width"), shape):
        check_size(f"input_shape's {what}", size)
    return tuple(int(n) for n in shape)


def as_map(x: Sequence, shape: tuple[int, int, int]) -> FeatureMap:
    """Flat inputs of C·H·W entries as a feature map x[c][i][j] (channel, row, column)."""
    channels, height, width = shape
    if len(x) != channels * height * width:
        raise ValueError(f"input_shape {shape} takes {channels * height * width} flat inputs "
                         f"(or a feature map); got {len(x)}")
    rows = [list(x[r * width:(r + 1) * width]) for r in range(channels * height)]
    out = [rows[c * height:(c + 1) * height] for c in range(channels)]
    map_shape(out)
    return out

