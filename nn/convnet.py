"""The book's SimpleConvNet (chapter 7): conv - relu - pool - affine - relu - affine - softmax.

    >>> from nn import SimpleConvNet, Adam, fit, softmax_cross_entropy, data
    >>> model = SimpleConvNet(seed=0)                     # 1x28x28 images, 30 filters of 5x5
    >>> X, y = ...                                        # X of shape (N, 1, 28, 28) or (N, 784)
    >>> fit(model, X, y, softmax_cross_entropy, Adam(model.parameters(), lr=0.001),
    ...     epochs=1, batch_size=100)

The last layer gives the class scores (logits); the softmax is in the loss
(`softmax_cross_entropy`), as the book's SoftmaxWithLoss. The model takes a feature map
(`as_images`) or the flat list of C·H·W inputs that `fit`, `predict` and `accuracy` give it.

Read next: `demos/cnn.py`, which trains it on Fashion-MNIST.
"""

from __future__ import annotations

from typing import Sequence

import autograd
from autograd import Value

from .conv import Conv2d, FeatureMap, Flatten, MaxPool2d, output_size
from .modules import Layer, Module, Seed, as_generator, check_size


class SimpleConvNet(Module):
    """conv(filters, k×k) - relu - max pool 2×2 - affine(hidden) - relu - affine(classes)."""

    output_activation = "identity"        # the scores; predict() takes the argmax

    def __init__(self, input_shape: Sequence[int] = (1, 28, 28), filters: int = 30,
                 kernel_size: int = 5, hidden: int = 100, classes: int = 10,
                 seed: Seed = None) -> None:
        if len(input_shape) != 3:
            raise ValueError(f"input_shape is (channels, height, width); got {input_shape!r}")
        for what, size in zip(("channels", "height", "width"), input_shape):
            check_size(f"input_shape's {what}", size)
        check_size("classes", classes)
        self.input_shape = tuple(int(n) for n in input_shape)
        channels, height, width = self.input_shape
        rng = as_generator(seed)
        self.conv = Conv2d(channels, filters, kernel_size, seed=rng, name="C1")
        self.pool = MaxPool2d(2)
        self.flatten = Flatten()
        conv_h, conv_w = (output_size(n, kernel_size, 1, 0) for n in (height, width))
        pooled = filters * output_size(conv_h, 2, 2, 0) * output_size(conv_w, 2, 2, 0)
        self.hidden = Layer(pooled, hidden, "relu", rng, name="L2")
        self.out = Layer(hidden, classes, "identity", rng, name="L3")

    def forward(self, x: FeatureMap | Sequence) -> list[Value]:
        """The class scores for a batch of images (a feature map or C·H·W flat inputs)."""
        x = self.as_map(x)
        maps = self.conv(x)
        maps = [[[autograd.relu(v) for v in row] for row in channel] for channel in maps]
        scores = self.out(self.hidden(self.flatten(self.pool(maps))))
        return scores if isinstance(scores, list) else [scores]

    def as_map(self, x) -> FeatureMap:
        """x as a feature map of input_shape (flat inputs are cut channel, row, column)."""
        channels, height, width = self.input_shape
        if len(x) == channels * height * width and not isinstance(x[0], list):
            return [[list(x[(c * height + i) * width:(c * height + i + 1) * width])
                     for i in range(height)] for c in range(channels)]
        return x

    def parameters(self) -> list[Value]:
        """The convolution's, then the two affine layers'."""
        return self.conv.parameters() + self.hidden.parameters() + self.out.parameters()

    def named_arrays(self):
        """conv.weights (F, C, k, k), conv.biases, then each affine layer's weights and biases."""
        return [(f"{part}.{name}", values, shape)
                for part, layer in (("conv", self.conv), ("hidden", self.hidden),
                                    ("out", self.out))
                for name, values, shape in layer.named_arrays()]

    def __repr__(self) -> str:
        return (f"SimpleConvNet(input_shape={self.input_shape}, filters="
                f"{self.conv.out_channels}, kernel_size={self.conv.kernel_size}, hidden="
                f"{len(self.hidden.neurons)}, classes={len(self.out.neurons)})")
