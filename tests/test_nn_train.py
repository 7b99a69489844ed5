"""nn training: fit, predict, accuracy, gradient_check, and the classifier demos end to end.

The building blocks (modules, losses, optimizers, saving) are in `test_nn.py`.
"""

import io
import struct
import sys

import numpy as np
import pytest

import nn
from autograd import Value
from nn import data


def xor_model(seed=0):
    return nn.MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=seed)


# ------------------------------------------------------------------ fit

def test_fit_learns_xor(capsys):
    X, y = data.xor()
    model = xor_model()
    history = nn.fit(model, X, y, nn.mse_loss, nn.Adam(model.parameters(), lr=0.1), epochs=200)
    assert nn.accuracy(model, X, y) == 1.0
    assert len(history["loss"]) == len(history["accuracy"]) == 200
    assert history["loss"][-1] < 0.01 * history["loss"][0]
    assert history["accuracy"][-1] == 1.0
    assert capsys.readouterr() == ("", "")         # no terminal here: no bar, nothing printed


def test_fit_with_minibatches_and_validation():
    X, y = data.moons(n=100, noise=0.1)
    model = nn.MLP(2, [8, 1], activation="tanh", seed=0)
    history = nn.fit(model, X, y, nn.hinge_loss, nn.SGD(model.parameters(), lr=0.1),
                     epochs=20, batch_size=16, validation=(X, y))
    assert len(history["val_accuracy"]) == 20
    assert history["val_accuracy"][-1] == nn.accuracy(model, X, y) > 0.8
    assert history["loss"][-1] < history["loss"][0]


def test_fit_loss_closure_can_add_l2():
    X, y = data.xor()
    plain, decayed = xor_model(), xor_model()
    for model, alpha in ((plain, 0.0), (decayed, 0.1)):
        nn.fit(model, X, y, lambda out, t, m=model, a=alpha: nn.mse_loss(out, t)
               + a * nn.l2_penalty(m.parameters()), nn.SGD(model.parameters(), lr=0.5),
               epochs=30)
    size = [float(nn.l2_penalty(m.parameters()).data) for m in (plain, decayed)]
    assert size[1] < size[0]


# ------------------------------------------------------------------ predict, accuracy

def one_input_neuron(activation):
    neuron = nn.Neuron(1, activation=activation)
    neuron.w[0].data = 1.0
    return neuron


def test_predict_thresholds_a_single_output():
    X = np.array([[-0.1], [0.1]])
    # sigmoid(-0.1) = 0.475 > 0 but < 0.5: class 0; identity and tanh split at 0
    for activation in ("sigmoid", "identity", "tanh", "step"):
        assert list(nn.predict(one_input_neuron(activation), X)) == [0, 1]
    assert nn.predict(nn.MLP(1, [1], output_activation="sigmoid"), X).dtype == np.int64


def test_predict_takes_the_argmax_of_several_outputs():
    layer = nn.Layer(2, 3, activation="identity")
    for j, neuron in enumerate(layer.neurons):     # output j = x0 * (j == 0) + x1 * (j == 2)
        neuron.w[0].data, neuron.w[1].data = float(j == 0), float(j == 2)
    X = np.array([[5.0, 1.0], [0.0, 3.0], [-1.0, -2.0]])
    assert list(nn.predict(layer, X)) == [0, 2, 1]
    assert nn.accuracy(layer, X, np.array([0, 2, 0])) == pytest.approx(2 / 3)


def test_accuracy_counts_minus_one_labels_as_class_zero():
    neuron = one_input_neuron("identity")
    X = np.array([[-1.0], [2.0], [3.0], [-4.0]])
    assert nn.accuracy(neuron, X, np.array([-1, 1, -1, -1])) == 0.75
    assert nn.accuracy(neuron, X, np.array([0, 1, 0, 0])) == 0.75


def test_predict_keeps_no_graph(monkeypatch):
    seen = []
    original = nn.training.classes_from
    monkeypatch.setattr(nn.training, "classes_from",
                        lambda outputs, model: seen.append(outputs) or original(outputs, model))
    nn.predict(nn.MLP(2, [3, 1], seed=0), np.ones((5, 2)))
    assert seen[0].parents == () and seen[0].op == ""     # built under no_grad: no history


# ------------------------------------------------------------------ gradient_check

def test_gradient_check_agrees_on_a_small_net():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 3)), np.array([0, 1, 2, 1, 0, 2])
    model = nn.MLP(3, [4, 3], activation="tanh", seed=0)
    differences = nn.gradient_check(model, X, y, nn.softmax_cross_entropy)
    assert list(differences) == ["layer 1", "layer 2"]
    assert max(differences.values()) < 1e-6
    assert all(p.grad == 0.0 for p in model.parameters())


def test_gradient_check_catches_a_wrong_gradient():
    # out * out.data squares the output, but backprop treats the second factor as a constant:
    # its gradient is half the true one, and gradient_check must say so
    def wrong_loss(out, y):
        return (out * out.data).mean()
    model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    differences = nn.gradient_check(model, np.ones((4, 2)), np.zeros(4), wrong_loss)
    assert max(differences.values()) > 1e-3


def test_gradient_check_of_a_single_neuron():
    neuron = nn.Neuron(2, activation="sigmoid", seed=0)
    X, y = np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([1.0, 0.0])
    assert nn.gradient_check(neuron, X, y, nn.mse_loss)["layer 1"] < 1e-6


def test_as_inputs_makes_one_batch_value_per_column():
    inputs = nn.as_inputs(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    assert [list(x.data) for x in inputs] == [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]
    assert all(isinstance(x, Value) for x in inputs)
    with pytest.raises(ValueError, match="samples, features"):
        nn.as_inputs(np.ones(3))


def test_data_as_constants_gives_the_same_loss_and_weight_gradients():
    X = np.array([[1.0, 2.0], [3.0, -4.0], [0.5, 6.0]])
    y = np.array([0, 1, 1])
    model = nn.MLP(2, [3, 2], activation="tanh", seed=0)
    grads = []
    for values in (True, False):
        inputs = nn.as_inputs(X, values=values)
        assert all(isinstance(x, Value) == values for x in inputs)
        model.zero_grad()
        loss = nn.softmax_cross_entropy(model(inputs), y)
        loss.backward()
        grads.append([loss.data] + [p.grad for p in model.parameters()])
    assert np.allclose(grads[0], grads[1], rtol=1e-13, atol=1e-15)
    assert [list(x) for x in nn.as_inputs(X, values=False)] == [[1.0, 3.0, 0.5], [2.0, -4.0, 6.0]]


# ------------------------------------------------------------------ the demos

def last_line(capsys) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_moons_demo_reaches_accuracy_one(tmp_path, capsys):
    from demos import moons
    assert moons.main(["--out", str(tmp_path)]) == 0
    assert last_line(capsys) == "accuracy=1.0000"
    assert (tmp_path / "moons_boundary.png").stat().st_size > 0
    assert (tmp_path / "moons_layers.png").stat().st_size > 20_000    # 33 neuron boxes


def test_xor_demo_perceptron_fails_and_network_succeeds(tmp_path, capsys):
    from demos import xor
    assert xor.main(["--out", str(tmp_path)]) == 0
    output = capsys.readouterr().out
    assert "accuracy 0.75" in output                # the best step perceptron
    assert output.strip().splitlines()[-1] == "accuracy=1.0000"
    accuracy, _ = xor.best_perceptron_accuracy(*data.xor())
    assert accuracy < 1.0


def test_spiral_demo_fits_the_training_set(tmp_path, capsys):
    from demos import spiral
    assert spiral.main(["--out", str(tmp_path)]) == 0
    output = capsys.readouterr().out
    training = float(output.split("training accuracy ")[1].split()[0])
    held_out = float(output.strip().splitlines()[-1].removeprefix("accuracy="))
    assert training >= 0.95 and held_out >= 0.9
    assert (tmp_path / "spiral_boundary.png").exists()


def test_digits_demo_reaches_95_percent_on_held_out_digits(tmp_path, capsys):
    from demos import digits
    assert digits.main(["--out", str(tmp_path)]) == 0
    held_out = float(last_line(capsys).removeprefix("accuracy="))
    assert held_out >= 0.95
    assert (tmp_path / "digits_history.png").exists()
    assert (tmp_path / "digits_misclassified.png").exists()


def test_mnist_demo_without_files_exits_with_2(tmp_path, capsys):
    from demos import mnist
    assert mnist.main([]) == 2
    assert mnist.main([str(tmp_path)]) == 2
    assert "train-images-idx3-ubyte" in capsys.readouterr().err


def write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def test_mnist_demo_runs_on_tiny_idx_files(tmp_path, capsys):
    from demos import mnist
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 40), ("t10k", 10)):
        labels = rng.integers(0, 10, n)
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte", labels)
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)))
    assert mnist.main([str(tmp_path), "--epochs", "1", "--out", str(tmp_path)]) == 0
    accuracy = float(last_line(capsys).removeprefix("accuracy="))
    assert 0.0 <= accuracy <= 1.0
    assert (tmp_path / "mnist_misclassified.png").exists()


class _Terminal(io.StringIO):
    """A stand-in for stderr that says it is a terminal, and keeps what was written."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("progress", [True, False])
def test_fit_draws_its_bar_in_a_terminal_only_when_asked(monkeypatch, capfd, progress):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    X, y = nn.data.xor()
    model = nn.MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    nn.fit(model, X, y, nn.mse_loss, nn.SGD(model.parameters(), lr=0.1), epochs=3,
           progress=progress)
    shown = terminal.getvalue()
    assert ("training" in shown and "loss=" in shown and "epoch=3/3" in shown) == progress
    if not progress:
        assert shown == "" and capfd.readouterr() == ("", "")


def test_fits_bar_counts_minibatches_and_shows_the_epoch(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    X, y = nn.data.moons(n=10, seed=0)
    model = nn.MLP(2, [3, 1], seed=0)
    nn.fit(model, X, y, nn.hinge_loss, nn.SGD(model.parameters(), lr=0.1), epochs=2,
           batch_size=3)                      # 4 minibatches an epoch (3 + 3 + 3 + 1)
    last = terminal.getvalue().split("\r")[-1]
    assert " 8/8 " in last and "epoch=2/2" in last and "step" in last, last


@pytest.mark.parametrize("loss", ["mse", None, 0.5])
def test_a_loss_that_is_not_a_function_is_named_with_what_to_write(loss):
    model = nn.MLP(2, [1], seed=0)
    with pytest.raises(TypeError, match="loss must be a function.*nn.mse_loss"):
        nn.fit(model, np.ones((4, 2)), np.zeros(4), loss, nn.SGD(model.parameters(), lr=0.1),
               epochs=1)


def test_a_2d_array_given_to_a_model_says_to_use_as_inputs():
    X = np.ones((5, 3))
    for model in (nn.MLP(3, [4, 1], seed=0), nn.Layer(3, 2, seed=0), nn.Neuron(3, seed=0)):
        with pytest.raises(ValueError, match=r"shape \(5, 3\).*model\(nn.as_inputs\(X\)\)"):
            model(X)
    assert len(nn.MLP(3, [4, 2], seed=0)(nn.as_inputs(X))) == 2


@pytest.mark.parametrize("nouts", [3, (), "16"])
def test_mlp_sizes_given_as_a_number_say_to_give_a_list(nouts):
    with pytest.raises(ValueError, match=r"nouts lists the size of every layer.*MLP\(2, \[3\]\)"):
        nn.MLP(2, nouts)


def test_fit_draws_no_bar_into_a_pipe_or_log_file(monkeypatch):
    quiet = io.StringIO()                      # isatty() is False, as for a pipe
    monkeypatch.setattr(sys, "stderr", quiet)
    X, y = nn.data.xor()
    model = nn.MLP(2, [3, 1], seed=0)
    nn.fit(model, X, y, nn.mse_loss, nn.SGD(model.parameters(), lr=0.1), epochs=2)
    assert quiet.getvalue() == ""
