"""Module.to_torch / Module.load_torch: the same network in PyTorch, float64, with the same
weights: outputs and every gradient equal to 1e-12 relative, and the weights carried back."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Value

torch = pytest.importorskip("torch", reason="PyTorch is not installed: pip install torch "
                            "--index-url https://download.pytorch.org/whl/cpu")

NETWORKS = [
    lambda: nn.MLP(3, [5, 4, 2], activation="sigmoid", seed=1),
    lambda: nn.MLP(3, [6, 1], activation="tanh", output_activation="sigmoid", seed=2),
    lambda: nn.MLP(3, [16, 16, 1], seed=3),                              # the lecture's, relu
    lambda: nn.MLP(3, [4, 3], activation="relu", output_activation="softmax", seed=4),
    lambda: nn.Layer(3, 4, activation="tanh", seed=5),
    lambda: nn.Neuron(3, activation="sigmoid", seed=6),
]


def as_list(outputs) -> list:
    return outputs if isinstance(outputs, list) else [outputs]


def close(a, b, rtol: float = 1e-12) -> bool:
    return np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=1e-300)


@pytest.mark.parametrize("make", NETWORKS)
def test_outputs_and_every_gradient_equal_pytorchs(make):
    model = make()
    X = np.random.default_rng(0).normal(size=(7, 3))
    outputs = as_list(model(nn.as_inputs(X, values=False)))
    weights = np.random.default_rng(1).normal(size=len(outputs))
    loss = sum(float(c) * y.sum() for c, y in zip(weights, outputs))     # every output counts
    loss.backward()
    net = model.to_torch()
    out = net(torch.tensor(X))
    (out * torch.tensor(weights)).sum().backward()
    assert close(np.stack([y.data for y in outputs], axis=1), out.detach().numpy())
    linears = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    layers = model.layers if isinstance(model, nn.MLP) else [model]
    for layer, linear in zip(layers, linears):
        neurons = layer.neurons if isinstance(layer, nn.Layer) else [layer]
        assert close([[w.grad for w in n.w] for n in neurons], linear.weight.grad.numpy())
        assert close([n.b.grad for n in neurons], linear.bias.grad.numpy())


def test_weights_trained_in_pytorch_come_back():
    model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
    net = model.to_torch()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    X = torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    for _ in range(3):
        optimizer.zero_grad()
        net(X).pow(2).sum().backward()
        optimizer.step()
    before = [p.data for p in model.parameters()]
    assert model.load_torch(net) is model
    after = [p.data for p in model.parameters()]
    assert before != after
    assert close([y.data for y in [model(nn.as_inputs(X.numpy()))]][0],
                 net(X).detach().numpy()[:, 0])


def test_a_network_of_another_shape_is_refused_naming_both():
    net = nn.MLP(2, [4, 1], seed=0).to_torch()
    with pytest.raises(ValueError, match=r"shape \(4, 2\); layer 1 here needs \(3, 2\)"):
        nn.MLP(2, [3, 1], seed=0).load_torch(net)
    with pytest.raises(ValueError, match="2 Linear layers; this MLP has 3"):
        nn.MLP(2, [4, 4, 1], seed=0).load_torch(net)


def test_what_pytorch_has_no_module_for_is_refused():
    with pytest.raises(ValueError, match="'step' activation"):
        nn.MLP(2, [3, 1], output_activation="step", seed=0).to_torch()
    with pytest.raises(TypeError, match="Neuron, Layer, MLP, SimpleConvNet, .*BatchNorm2d, "
                       ".*GPT.*; got Module"):
        nn.Module().to_torch()


def test_values_dropped_in_directly_agree_too():
    neuron = nn.Neuron(2, activation="relu", seed=0)
    x = [Value(0.3), Value(-0.7)]
    y = neuron(x)
    y.backward()
    t = torch.tensor([[0.3, -0.7]], dtype=torch.float64, requires_grad=True)
    neuron.to_torch()(t).sum().backward()
    assert close([v.grad for v in x], t.grad.numpy()[0])


def test_simple_conv_net_equals_its_pytorch_twin_outputs_and_every_gradient():
    model = nn.SimpleConvNet(input_shape=(2, 9, 8), filters=3, kernel_size=3, hidden=6,
                             classes=4, seed=0)
    X = np.random.default_rng(2).normal(size=(5, 2, 9, 8))
    scores = model(nn.as_images(X))
    weights = np.random.default_rng(3).normal(size=len(scores))
    sum(float(c) * s.sum() for c, s in zip(weights, scores)).backward()
    net = model.to_torch()
    out = net(torch.tensor(X))
    (out * torch.tensor(weights)).sum().backward()
    assert close(np.stack([s.data for s in scores], axis=1), out.detach().numpy())
    conv, hidden, out_layer = net[0], net[4], net[6]
    assert close([[w.grad for w in f] for f in model.conv.filters],
                 conv.weight.grad.numpy().reshape(3, -1))
    assert close([b.grad for b in model.conv.biases], conv.bias.grad.numpy())
    for layer, linear in ((model.hidden, hidden), (model.out, out_layer)):
        assert close([[w.grad for w in n.w] for n in layer.neurons], linear.weight.grad.numpy())
        assert close([n.b.grad for n in layer.neurons], linear.bias.grad.numpy())


def test_simple_conv_net_weights_come_back_from_pytorch():
    model = nn.SimpleConvNet(input_shape=(1, 8, 8), filters=2, kernel_size=3, hidden=5,
                             classes=3, seed=0)
    net = model.to_torch()
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.mul_(-0.5)
    model.load_torch(net)
    X = np.random.default_rng(4).normal(size=(2, 1, 8, 8))
    assert close(np.stack([s.data for s in model(nn.as_images(X))], axis=1),
                 net(torch.tensor(X)).detach().numpy())
    other = nn.SimpleConvNet(input_shape=(1, 8, 8), filters=3, kernel_size=3, hidden=5,
                             classes=3, seed=0)
    with pytest.raises(ValueError, match=r"Conv2d with weights of shape \(3, 1, 3, 3\)"):
        other.load_torch(net)
