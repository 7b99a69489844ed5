"""The building blocks of a network: `Module`, `Neuron`, `Layer` and `MLP`.

A neuron computes act(w0*x0 + w1*x1 + ... + b): one n-ary add node over the products, then the
activation. A layer is a list of neurons that read the same inputs; an MLP is a stack of layers.
Every weight and bias is a float `Value` named after where it sits ("L1.N3.w0" is the weight of
input 0 in neuron 3 of layer 1; layers count from 1, neurons and inputs from 0), so a drawing
of the graph says which parameter is which.

Inputs may be numbers, Values or 1-D numpy arrays (a batch: one value per sample), so one
forward pass can carry a whole minibatch through the same graph.

Read next: `losses.py` (how wrong the outputs are), then `optim.py` (how to fix the weights).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

import autograd
from autograd import Value
from autograd.groups import Group, mark_module

from . import saving
from .saving import NamedArrays

ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": autograd.sigmoid,
    "tanh": autograd.tanh,
    "relu": autograd.relu,
    "identity": autograd.identity,
    "step": autograd.step,       # the perceptron's: a constant, so no gradient flows through it
}

# Standard deviation of the initial weights, times 1/sqrt(n_inputs):
# He (2/n) keeps the variance through relu, which zeroes half its inputs; Xavier/LeCun (1/n)
# keeps it through sigmoid, tanh and linear units.
INIT_GAIN = {"relu": 2.0, "sigmoid": 1.0, "tanh": 1.0, "identity": 1.0, "step": 1.0}

Input = float | Value | np.ndarray
Seed = int | np.random.Generator | None


def check_activation(name: str, allowed: Sequence[str] = tuple(ACTIVATIONS)) -> str:
    """Return name if it is one of the allowed activations, else raise ValueError listing them."""
    if name not in allowed:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(allowed)}")
    return name


def as_generator(seed: Seed) -> np.random.Generator:
    """A numpy random generator: seed itself if it is one, else a new one made from seed."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


class Module:
    """Anything with parameters: `parameters()`, `zero_grad()`, `save()`, `load()`.

    Subclasses write `forward(x)`; calling the module runs it. `train()` and `eval()` switch
    the module and every module inside it between training and evaluation (BatchNorm and
    Dropout behave differently in each; the others ignore it), as in PyTorch.
    """

    training = True       # train() / eval() set it on the module and its submodules

    def train(self, mode: bool = True) -> Module:
        """Training mode (mode=False: evaluation) for this module and every submodule."""
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: BatchNorm uses its running averages, Dropout scales instead."""
        return self.train(False)

    def modules(self) -> list[Module]:
        """This module, then every module held in its attributes (directly or in a list)."""
        found = [self]
        for item in vars(self).values():
            items = item if isinstance(item, (list, tuple)) else [item]
            for sub in items:
                if isinstance(sub, Module):
                    found += [m for m in sub.modules() if all(m is not f for f in found)]
        return found

    def parameters(self) -> list[Value]:
        """Every trainable Value of the module, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        """Set every parameter's gradient back to 0 (backward() adds into .grad)."""
        for p in self.parameters():
            p.grad = 0.0

    def forward(self, x):
        """The module's computation; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, x):
        """model(x) is model.forward(x)."""
        return self.forward(x)

    def named_arrays(self) -> NamedArrays:
        """The parameters grouped into named arrays (name, values, shape): what save() writes."""
        params = self.parameters()
        return [("parameters", params, (len(params),))]

    def save(self, path: str | Path) -> None:
        """Write the parameters to an .npz file at exactly path (numpy arrays, never pickle)."""
        saving.save(self.named_arrays(), path)

    def load(self, path: str | Path) -> None:
        """Read parameters written by save(); ValueError (model unchanged) if they do not fit."""
        saving.load(self.named_arrays(), path)


class Neuron(Module):
    """act(sum_i w_i * x_i + b): the weighted sum is one n-ary add node, then the activation.

    Weights start as normal(0, std) draws, std = sqrt(INIT_GAIN / nin) (He for relu, Xavier
    otherwise), the bias at 0; `seed` (an int or a numpy Generator) makes that reproducible.
    """

    def __init__(self, nin: int, activation: str = "relu", seed: Seed = None,
                 name: str = "N") -> None:
        self.activation = check_activation(activation)
        check_size("nin", nin)
        std = np.sqrt(INIT_GAIN[activation] / nin)
        weights = as_generator(seed).normal(0.0, std, size=nin)
        self.w = [Value(float(w), name=f"{name}.w{i}") for i, w in enumerate(weights)]
        self.b = Value(0.0, name=f"{name}.b")
        self.name = name
        self.group = Group("neuron", None, name, params=(*self.w, self.b))   # the layer view

    @property
    def output_activation(self) -> str:
        """The activation of the output (predict() reads it to choose a threshold)."""
        return self.activation

    def forward(self, x: Sequence[Input]) -> Value:
        """The neuron's output for inputs x (numbers, Values or batch arrays)."""
        check_inputs(x, len(self.w))
        weighted_sum = autograd.dot(self.w, x, self.b)     # one node: sum_i w_i x_i + b
        out = ACTIVATIONS[self.activation](weighted_sum)
        mark_module(self.group, out)        # drawn as one node in the layer view
        return out

    def rename(self, name: str) -> None:
        """Call the neuron `name`: its weights become name.w0, name.w1, ..., its bias name.b."""
        self.name = self.group.name = name
        for i, w in enumerate(self.w):
            w.name = f"{name}.w{i}"
        self.b.name = f"{name}.b"

    def parameters(self) -> list[Value]:
        """The weights, then the bias."""
        return self.w + [self.b]

    def named_arrays(self) -> NamedArrays:
        """The weights as an array of shape (nin,) and the bias as a scalar."""
        return [("weights", self.w, (len(self.w),)), ("bias", [self.b], ())]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


DEFAULT_LAYER_NAME = "L1"    # a Layer's name when none is given (a Sequential renumbers it)


class Layer(Module):
    """nout neurons reading the same nin inputs. Returns one Value if nout == 1, else a list."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", seed: Seed = None,
                 name: str = DEFAULT_LAYER_NAME) -> None:
        check_size("nout", nout)
        rng = as_generator(seed)
        self.neurons = [Neuron(nin, activation, rng, name=f"{name}.N{j}") for j in range(nout)]
        self.activation = activation
        self.name = name
        self.group = Group("layer", None, name)     # a frame around its neurons when drawn

    @property
    def output_activation(self) -> str:
        """The activation of the output (predict() reads it to choose a threshold)."""
        return self.activation

    def rename(self, name: str) -> None:
        """Call the layer `name`: its neurons become name.N0, name.N1, ... (and their weights)."""
        self.name = self.group.name = name
        for j, neuron in enumerate(self.neurons):
            neuron.rename(f"{name}.N{j}")

    def forward(self, x: Sequence[Input]) -> Value | list[Value]:
        """Every neuron's output for inputs x: one Value for a single neuron, else a list."""
        check_inputs(x, len(self.neurons[0].w))
        x = autograd.stack(x)     # a batch's inputs become one matrix, shared by the neurons
        outputs = [neuron(x) for neuron in self.neurons]
        for out in outputs:
            mark_module(self.group, out)
        return outputs[0] if len(outputs) == 1 else outputs

    def parameters(self) -> list[Value]:
        """Neuron by neuron: its weights, then its bias."""
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def named_arrays(self) -> NamedArrays:
        """The weights as a (nout, nin) matrix (row j is neuron j) and the biases as (nout,)."""
        weights = [w for neuron in self.neurons for w in neuron.w]
        biases = [neuron.b for neuron in self.neurons]
        nin = len(self.neurons[0].w)
        return [("weights", weights, (len(self.neurons), nin)), ("biases", biases, (len(biases),))]

    def __repr__(self) -> str:
        nin = len(self.neurons[0].w)
        return f"Layer({nin}, {len(self.neurons)}, activation={self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: nin inputs, then one layer per entry of nouts.

    Hidden layers use `activation`, the last one `output_activation`. With
    output_activation="softmax" the last layer is linear and `autograd.softmax` turns its
    outputs into probabilities (for `cross_entropy`; `softmax_cross_entropy` wants the
    logits of an "identity" output instead).

    >>> model = MLP(2, [16, 16, 1], seed=0)        # 2 inputs, two relu layers, one linear output
    >>> score = model([0.5, -1.0])                 # a Value
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu",
                 output_activation: str = "identity", seed: Seed = None) -> None:
        if (isinstance(nouts, (int, np.integer, str)) or not isinstance(nouts, Sequence)
                or not nouts):
            raise ValueError(f"nouts lists the size of every layer, the output last (MLP(2, "
                             f"[16, 16, 1]); MLP(2, [3]) is one layer of 3); got {nouts!r}")
        check_activation(activation)
        self.output_activation = check_activation(output_activation,
                                                  [*ACTIVATIONS, "softmax"])
        if output_activation == "softmax" and nouts[-1] < 2:
            raise ValueError("a softmax output needs at least 2 units in the last layer")
        last = "identity" if output_activation == "softmax" else output_activation
        sizes, rng = [nin, *nouts], as_generator(seed)
        self.layers = [Layer(sizes[i], sizes[i + 1], last if i == len(nouts) - 1 else activation,
                             rng, name=f"L{i + 1}") for i in range(len(nouts))]

    def forward(self, x: Sequence[Input]) -> Value | list[Value]:
        """The network's output for inputs x: one Value for a single output unit, else a list."""
        for layer in self.layers:
            x = layer(x)
            x = [x] if isinstance(x, Value) else x
        if self.output_activation == "softmax":
            return autograd.softmax(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        """Layer by layer, neuron by neuron: weights, then bias."""
        return [p for layer in self.layers for p in layer.parameters()]

    def named_arrays(self) -> NamedArrays:
        """Each layer's weight matrix and bias vector, named "layer1.weights", "layer1.biases"..."""
        return [(f"layer{i}.{name}", values, shape) for i, layer in enumerate(self.layers, 1)
                for name, values, shape in layer.named_arrays()]

    def __repr__(self) -> str:
        sizes = [len(self.layers[0].neurons[0].w)] + [len(layer.neurons) for layer in self.layers]
        return (f"MLP({'-'.join(map(str, sizes))}, activation={self.layers[0].activation!r}, "
                f"output_activation={self.output_activation!r})")


def check_size(name: str, size: int) -> None:
    """Raise ValueError unless size is a whole number of at least 1."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {size!r}")


def check_inputs(x, expected: int) -> None:
    """Raise ValueError unless x is a sequence of `expected` inputs."""
    if isinstance(x, np.ndarray) and x.ndim >= 2:
        raise ValueError(f"the input is an array of shape {x.shape}, one row per sample; a model "
                         f"takes one input per feature ({expected} here), each holding every "
                         f"sample: write model(nn.as_inputs(X)), which turns the rows of X into "
                         f"{x.shape[-1] if x.ndim == 2 else 'its'} columns")
    if isinstance(x, (Value, str)) or not hasattr(x, "__len__"):
        raise ValueError(f"the input must be a list of {expected} numbers, Values or batch "
                         f"arrays; got {type(x).__name__}")
    if len(x) != expected:
        raise ValueError(f"expected {expected} inputs, got {len(x)}")
