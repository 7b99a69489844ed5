"""nn: neural networks built on autograd's scalar Values, from a neuron to a trained classifier.

Read the package in this order:
1. `modules.py`  `Neuron`, `Layer`, `MLP`: weighted sums and activations, with named weights
2. `losses.py`   `mse_loss`, `cross_entropy`, `softmax_cross_entropy`, `hinge_loss`, `l2_penalty`
3. `optim.py`    `SGD`, `Momentum`, `Nesterov`, `AdaGrad`, `RMSprop`, `Adam`: how the gradients
                 move the weights
4. `training.py` `fit`, `predict`, `accuracy`: minibatches as batch Values, one graph per step
5. `checks.py`   `gradient_check`: backprop against numerical gradients, layer by layer
6. `saving.py`   `Module.save` / `Module.load` as .npz (never pickle)
7. `conv.py`     `as_images`, `Conv2d`, `MaxPool2d`, `AvgPool2d`, `Flatten`: images as feature maps
                 (`convolve.py`: Conv2d on data, vectorised, the same nodes)
8. `normalization.py`  `BatchNorm`, `BatchNorm2d`, `Dropout` (chapter 6), switched by train()/eval()
9. `sequential.py`  `Sequential`, `ReLU`, `Sigmoid`, `Tanh`, `Identity`: a network in one
                 expression, as in PyTorch
10. `convnet.py`  `SimpleConvNet`: the book's chapter 7 CNN
11. `data.py`    datasets (xor, moons, spiral, digits, MNIST, names) and batching helpers
12. `gpt.py`     `Embedding`, `Linear`, `RMSNorm`, `CausalSelfAttention`, `MLPBlock`, `GPT`,
                 `train_gpt`: microgpt's model from blocks, every channel a Value
13. `torch_bridge.py`  `Module.to_torch()`, `Module.load_torch(net)`: the same network in PyTorch
                 (`torch_gpt.py`: the GPT's twin, imported with PyTorch when asked for)

    >>> from nn import MLP, data, fit, accuracy, hinge_loss, SGD
    >>> X, y = data.moons(n=100, noise=0.1)
    >>> model = MLP(2, [16, 16, 1], seed=0)
    >>> history = fit(model, X, y, hinge_loss, SGD(model.parameters(), lr=0.1), epochs=50)
    >>> accuracy(model, X, y)                      # a float in [0, 1]
"""

from . import data
from .checks import gradient_check
from .losses import cross_entropy, hinge_loss, l2_penalty, mse_loss, softmax_cross_entropy
from .modules import ACTIVATIONS, MLP, Layer, Module, Neuron
from .optim import SGD, AdaGrad, Adam, Momentum, Nesterov, Optimizer, RMSprop
from .training import accuracy, as_inputs, fit, predict
from .conv import AvgPool2d, Conv2d, Flatten, MaxPool2d, as_images
from .normalization import BatchNorm, BatchNorm2d, Dropout
from .sequential import Identity, ReLU, Sequential, Sigmoid, Tanh
from .convnet import SimpleConvNet
from .gpt import GPT, CausalSelfAttention, Embedding, Linear, MLPBlock, RMSNorm, train_gpt
from . import torch_bridge  # noqa: F401  (gives Module to_torch and load_torch)

__all__ = [
    "data", "Module", "Neuron", "Layer", "MLP", "ACTIVATIONS",
    "mse_loss", "cross_entropy", "softmax_cross_entropy", "hinge_loss", "l2_penalty",
    "Optimizer", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam",
    "fit", "predict", "accuracy", "as_inputs", "gradient_check",
    "as_images", "Flatten", "Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm", "BatchNorm2d",
    "Dropout", "SimpleConvNet", "Sequential", "ReLU", "Sigmoid", "Tanh", "Identity",
    "Embedding", "Linear", "RMSNorm", "CausalSelfAttention", "MLPBlock", "GPT", "train_gpt",
]
