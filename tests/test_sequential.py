"""nn.Sequential and the activation modules: the book's chapter 6 network and a small CNN in one
expression equal the same computation written by hand (outputs and every gradient, in train
and eval mode), save/load, fit/predict/accuracy, the refusals, and their PyTorch twins (equal
to 1e-12; skipped without PyTorch)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from nn.torch_bridge import INSTALL_TORCH, as_array, to_tensor


def chapter6(ratio: float = 0.2) -> list[nn.Module]:
    """Affine, BatchNorm, ReLU, Dropout, Affine: the book's MultiLayerNetExtend, small."""
    return [nn.Layer(6, 5, "identity", seed=0), nn.BatchNorm(5), nn.ReLU(),
            nn.Dropout(ratio, seed=0), nn.Layer(5, 3, "identity", seed=1)]


def small_cnn(**options) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(1, 2, 3, seed=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Layer(8, 3, "identity", seed=1), **options)


def backward_of(out, dout: np.ndarray) -> None:
    """Backward of sum(out · dout), dout of shape (N, outputs)."""
    autograd.sum([(v * np.ascontiguousarray(d)).sum() for v, d in zip(out, dout.T)]).backward()


def grads(module: nn.Module) -> list[float]:
    return [p.grad for p in module.parameters()]


# ----------------------------------------------------------------- the same as by hand

@pytest.mark.parametrize("training", [True, False])
def test_the_chapter_6_network_equals_the_same_computation_by_hand(training):
    rng = np.random.default_rng(0)
    X, dout = rng.normal(size=(8, 6)), rng.normal(size=(8, 3))
    model = nn.Sequential(*chapter6()).train(training)
    affine1, norm, _, drop, affine2 = by_hand = chapter6()
    for module in by_hand:
        module.train(training)
        if isinstance(module, nn.BatchNorm):      # evaluation: running averages of a batch
            module.running_mean, module.running_var = np.full(5, 0.1), np.full(5, 2.0)
    model[1].running_mean, model[1].running_var = np.full(5, 0.1), np.full(5, 2.0)
    x, x_hand = nn.as_inputs(X), nn.as_inputs(X)
    out = model(x)
    hand = affine2(drop([autograd.relu(v) for v in norm(affine1(x_hand))]))
    backward_of(out, dout)
    backward_of(hand, dout)
    assert np.array_equal(as_array(out), as_array(hand))
    assert np.array_equal(as_array(x, "grad"), as_array(x_hand, "grad"))
    assert grads(model) == [g for m in by_hand for g in grads(m)]
    assert np.array_equal(model[1].running_mean, norm.running_mean)
    assert not training or drop.last_mask.mean() < 1          # something was dropped


def test_a_cnn_equals_the_same_computation_by_hand_and_takes_flat_inputs_with_input_shape():
    X = np.random.default_rng(1).normal(size=(4, 1, 6, 6))
    model, by_hand = small_cnn(input_shape=(1, 6, 6)), small_cnn()
    conv, _, pool, flatten, affine = by_hand
    maps = [[[autograd.relu(v) for v in row] for row in channel]
            for channel in conv(nn.as_images(X))]
    hand = affine(flatten(pool(maps)))
    for x in (nn.as_images(X), nn.as_inputs(X, values=False)):       # a map, or flat C·H·W
        assert np.array_equal(as_array(model(x)), as_array(hand))
    dout = np.random.default_rng(2).normal(size=(4, 3))
    backward_of(model(nn.as_images(X)), dout)
    backward_of(hand, dout)
    assert grads(model) == grads(by_hand)


def test_one_output_unit_comes_back_as_one_value_and_is_passed_on_as_a_list():
    model = nn.Sequential(nn.Layer(2, 1, "identity", seed=0), nn.Layer(1, 2, seed=1),
                          nn.Layer(2, 1, "identity", seed=2), nn.Sigmoid())
    out = model([0.5, -1.0])
    assert type(out) is autograd.Value and 0 < out.data < 1


# ----------------------------------------------------------------- the activation modules

@pytest.mark.parametrize("module, function", [(nn.ReLU(), autograd.relu),
                                              (nn.Sigmoid(), autograd.sigmoid),
                                              (nn.Tanh(), autograd.tanh),
                                              (nn.Identity(), autograd.identity)])
def test_activation_modules_are_the_engines_functions_entry_by_entry(module, function):
    X = np.random.default_rng(3).normal(size=(3, 2, 2, 3))
    fmap = nn.as_images(X, values=True)
    out = module(fmap)
    assert np.array_equal(as_array(out), as_array([[[function(v) for v in row] for row in ch]
                                                   for ch in fmap]))
    x = nn.as_inputs(X[:, 0, 0, :])
    assert [v.op for v in module(x)] == [function(v).op for v in x]
    assert module(x[0]).op == function(x[0]).op
    assert module.output_activation == module.activation == repr(module)[:-2].lower()


def test_relu_passes_the_gradient_where_the_input_is_positive():
    x = autograd.Value(np.array([-1.0, 2.0, 3.0]))
    autograd.sum([v.sum() for v in nn.ReLU()([x])]).backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0]


# ----------------------------------------------------------------- the container

def test_parameters_modes_indexing_and_repr():
    parts = chapter6()
    model = nn.Sequential(*parts)
    assert model.parameters() == [p for m in parts for p in m.parameters()]
    assert len(model) == 5 and model[2] is parts[2] and list(model) == parts
    assert list(model[1:3]) == parts[1:3] and isinstance(model[1:3], nn.Sequential)
    model.eval()
    assert not any(m.training for m in parts)
    model.train()
    assert all(m.training for m in parts)
    assert repr(model).splitlines() == [
        "Sequential(", "  (0): Layer(6, 5, activation='identity')",
        "  (1): BatchNorm(5, momentum=0.9, eps=1e-07)", "  (2): ReLU()", "  (3): Dropout(0.2)",
        "  (4): Layer(5, 3, activation='identity')", ")"]
    assert "\n    (0): Conv2d(1, 2," in repr(nn.Sequential(small_cnn()))       # nested: indented
    assert model.layers == [parts[0], parts[1], parts[4]]                   # for gradient_check


@pytest.mark.parametrize("modules, expected", [
    ([nn.Layer(2, 1, "identity"), nn.Sigmoid()], "sigmoid"),
    ([nn.Layer(2, 1, "tanh"), nn.Dropout(0.1)], "tanh"),
    ([nn.Layer(2, 3, "sigmoid"), nn.Layer(3, 1, "step")], "step"),
    ([nn.Flatten()], "identity")])
def test_the_output_activation_is_the_last_modules_that_has_one(modules, expected):
    assert nn.Sequential(*modules).output_activation == expected


def test_save_and_load_round_trip_by_index(tmp_path):
    model = nn.Sequential(*chapter6())
    assert [name for name, _, _ in model.named_arrays()] == [
        "0.weights", "0.biases", "1.gamma", "1.beta", "4.weights", "4.biases"]
    for k, p in enumerate(model.parameters()):
        p.data = 0.01 * k
    model.save(tmp_path / "net.npz")
    other = nn.Sequential(*chapter6())
    other.load(tmp_path / "net.npz")
    assert [p.data for p in other.parameters()] == [p.data for p in model.parameters()]
    swapped = nn.Sequential(nn.BatchNorm(5), nn.Layer(5, 3, "identity"))
    with pytest.raises(ValueError, match="missing: '0.beta'"):
        swapped.load(tmp_path / "net.npz")


# ----------------------------------------------------------------- fit, predict, accuracy

def test_fit_predict_and_accuracy_on_a_tiny_dataset():
    X, y = nn.data.moons(n=40, noise=0.05, seed=0)
    model = nn.Sequential(nn.Layer(2, 12, "identity", seed=0), nn.BatchNorm(12), nn.ReLU(),
                          nn.Dropout(0.1, seed=0), nn.Layer(12, 2, "identity", seed=1))
    before = nn.accuracy(model, X, y)
    history = nn.fit(model, X, y, nn.softmax_cross_entropy, nn.Adam(model.parameters(), lr=0.05),
                     epochs=60, batch_size=20, progress=False)
    assert history["loss"][-1] < history["loss"][0] / 2
    assert nn.accuracy(model, X, y) >= 0.9 > before
    assert model.training and model[1].training                 # predict put the mode back
    assert nn.predict(model, X).tolist() == nn.predict(model, X).tolist()   # eval: no masks


def test_a_cnn_trains_on_images_through_input_shape():
    rng = np.random.default_rng(4)
    X, y = rng.uniform(0, 0.5, size=(12, 1, 6, 6)), np.arange(12) % 3
    for image, label in zip(X, y):                  # the class is which third is bright
        image[0, :, 2 * label:2 * label + 2] += 1.0
    model = small_cnn(input_shape=(1, 6, 6))
    nn.fit(model, X, y, nn.softmax_cross_entropy, nn.Adam(model.parameters(), lr=0.05),
           epochs=40, progress=False)
    assert nn.accuracy(model, X, y) == 1.0
    assert nn.predict(model, X).tolist() == y.tolist()


# ----------------------------------------------------------------- refusals

def test_bad_arguments_and_inputs_are_refused_saying_what_is_allowed():
    with pytest.raises(ValueError, match="at least one module"):
        nn.Sequential()
    with pytest.raises(TypeError, match="module 1 is the class ReLU; give an instance: ReLU"):
        nn.Sequential(nn.Layer(2, 2), nn.ReLU)
    with pytest.raises(TypeError, match="takes nn Modules .* module 0 is function"):
        nn.Sequential(autograd.relu)
    with pytest.raises(ValueError, match=r"input_shape is \(channels, height, width\)"):
        small_cnn(input_shape=(6, 6))
    X = np.zeros((2, 1, 6, 6))
    with pytest.raises(ValueError, match=r"Conv2d first takes a feature map: .*input_shape"):
        nn.predict(small_cnn(), X)
    with pytest.raises(ValueError, match=r"input_shape \(1, 5, 5\) takes 25 flat inputs"):
        nn.predict(small_cnn(input_shape=(1, 5, 5)), X)
    with pytest.raises(ValueError, match="ReLU takes a Value, a list of inputs"):
        nn.ReLU()(np.zeros((3, 2)))


# ----------------------------------------------------------------- PyTorch

def close(got, expected, tol: float = 1e-12, scale: float = 0.0) -> None:
    """max |got - expected| <= tol * max |expected| (or scale, if larger), the same shape."""
    expected = np.asarray(expected.detach() if hasattr(expected, "detach") else expected, float)
    got = np.asarray(got, float)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    scale = max(np.max(np.abs(expected)), scale, 1e-300)
    assert np.max(np.abs(got - expected)) <= tol * scale


def compare_with_twin(model: nn.Sequential, x, torch) -> object:
    """The twin (made before model runs) on the same input: outputs, input and parameter
    gradients equal; returns the twin."""
    net = model.to_torch()
    out = model(x)
    dout = np.random.default_rng(5).normal(size=as_array(out).shape)
    backward_of(out, dout)
    tensor = to_tensor(x, requires_grad=True)
    twin_out = net(tensor)
    (twin_out * torch.tensor(dout)).sum().backward()
    close(as_array(out), twin_out)
    close(as_array(x, "grad"), tensor.grad)
    arrays, parameters = model.named_arrays(), list(net.parameters())
    assert len(arrays) == len(parameters)
    for (name, values, shape), parameter in zip(arrays, parameters):
        # scale: the module's largest gradient (an affine's bias before BatchNorm gets ~0)
        scale = max(abs(v.grad) for other, vs, _ in arrays if other.split(".")[0] ==
                    name.split(".")[0] for v in vs)
        close(np.reshape([v.grad for v in values], shape), parameter.grad, scale=scale)
    return net


@pytest.mark.parametrize("training", [True, False])
def test_the_chapter_6_network_equals_its_twin(training, monkeypatch):
    torch = pytest.importorskip("torch", reason=INSTALL_TORCH)
    X = np.random.default_rng(6).normal(size=(8, 6))
    model = nn.Sequential(*chapter6()).train(training)
    model[1].running_mean, model[1].running_var = np.full(5, 0.1), np.full(5, 2.0)
    draws = np.random.default_rng(0).random((8, 5))           # Dropout(seed=0)'s first draw
    monkeypatch.setattr(torch, "rand_like", lambda x: torch.tensor(draws))   # the same mask
    net = compare_with_twin(model, nn.as_inputs(X), torch)
    assert isinstance(net, torch.nn.Sequential) and len(net) == 5
    assert [m.training for m in net.modules()] == [training] * len(list(net.modules()))
    assert [type(part).__name__ for part in net][1:4] == ["BatchNorm1d", "ReLU", "BookDropout"]
    close(model[1].running_mean, net[1].running_mean)


@pytest.mark.parametrize("activation", [nn.ReLU, nn.Sigmoid, nn.Tanh, nn.Identity])
def test_a_cnn_equals_its_twin(activation):
    torch = pytest.importorskip("torch", reason=INSTALL_TORCH)
    model = small_cnn()
    model.parts[1] = activation()
    X = np.random.default_rng(7).normal(size=(4, 1, 6, 6))
    net = compare_with_twin(model, nn.as_images(X, values=True), torch)
    assert type(net[1]) is getattr(torch.nn, activation.__name__)


def test_weights_changed_in_pytorch_come_back():
    torch = pytest.importorskip("torch", reason=INSTALL_TORCH)
    model, rng = nn.Sequential(*chapter6()), np.random.default_rng(8)
    net = model.to_torch().eval()
    with torch.no_grad():
        for tensor in [*net.parameters(), net[1].running_mean]:
            tensor.add_(torch.tensor(rng.normal(size=tuple(tensor.shape))))
    assert model.load_torch(net) is model
    close(model[1].running_mean, net[1].running_mean)
    X = rng.normal(size=(4, 6))
    close(as_array(model.eval()(nn.as_inputs(X))), net(torch.tensor(X)))


def test_a_net_of_other_parts_is_refused_naming_the_index_and_both_types():
    torch = pytest.importorskip("torch", reason=INSTALL_TORCH)
    model = nn.Sequential(*chapter6())
    before = [p.data for p in model.parameters()]
    net = model.to_torch()
    with pytest.raises(ValueError, match="a Sequential of 5 parts, .*; got 4 parts"):
        model.load_torch(net[:4])
    with pytest.raises(ValueError, match="a Sequential of 5 parts, .*; got Linear"):
        model.load_torch(torch.nn.Linear(6, 5))
    net[2] = torch.nn.Tanh()
    with pytest.raises(ValueError, match=r"part 2 of the PyTorch module is Tanh; part 2 here is "
                                         r"a ReLU, whose twin is ReLU"):
        model.load_torch(net)
    net[2], net[0][1] = torch.nn.ReLU(), torch.nn.ReLU()
    with pytest.raises(ValueError, match=r"part 0 .* is Sequential\(Linear, ReLU\); part 0 here "
                                         r"is a Layer, whose twin is Sequential\(Linear, Identity"):
        model.load_torch(net)
    wider = nn.Sequential(nn.Layer(6, 5, "identity"), nn.BatchNorm(5), nn.ReLU(),
                          nn.Dropout(0.2), nn.Layer(5, 4, "identity")).to_torch()
    with torch.no_grad():
        wider[0][0].weight.add_(1.0)
    with pytest.raises(ValueError, match=r"shape \(4, 5\); layer 1 here needs \(3, 5\)"):
        model.load_torch(wider)
    assert [p.data for p in model.parameters()] == before          # nothing copied


def test_layers_left_with_the_default_name_are_numbered_and_named_ones_kept():
    model = nn.Sequential(nn.Layer(3, 4, "identity", seed=0), nn.ReLU(),
                          nn.Layer(4, 2, "identity", seed=1, name="out"),
                          nn.Layer(2, 2, "identity", seed=2))
    assert [m.name for m in model.parts if isinstance(m, nn.Layer)] == ["L1", "out", "L3"]
    first, _, second, third = model.parts
    assert first.neurons[1].w[2].name == "L1.N1.w2" and third.neurons[0].b.name == "L3.N0.b"
    assert second.neurons[0].name == "out.N0" and third.group.name == "L3"
    names = [p.name for p in model.parameters()]
    assert len(names) == len(set(names))                # a drawing tells every weight apart
