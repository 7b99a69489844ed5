"""nn building blocks: modules, initialisation, losses, optimizers, saving and loading.

Training, prediction, gradient checks and the demos are in `test_nn_train.py`.
"""

import math

import numpy as np
import pytest

import autograd
import nn
from autograd import Value

RNG = np.random.default_rng(0)


def batch(*columns):
    """Leaf batch Values, one per column given."""
    return [Value(np.array(column, dtype=float)) for column in columns]


# ------------------------------------------------------------------ modules

def test_parameter_counts_and_zero_grad():
    assert len(nn.Neuron(3).parameters()) == 4
    assert len(nn.Layer(3, 4).parameters()) == 16
    model = nn.MLP(2, [16, 16, 1], seed=0)
    assert len(model.parameters()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1 == 337
    model([1.0, -2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_parameters_have_unique_readable_names():
    model = nn.MLP(2, [3, 1], seed=0)
    names = [p.name for p in model.parameters()]
    assert names[:3] == ["L1.N0.w0", "L1.N0.w1", "L1.N0.b"]
    assert names[-1] == "L2.N0.b"
    assert len(set(names)) == len(names)


def test_unknown_activation_lists_the_allowed_ones():
    with pytest.raises(ValueError, match="sigmoid, tanh, relu, identity, step"):
        nn.Neuron(2, activation="swish")
    with pytest.raises(ValueError, match="softmax"):
        nn.MLP(2, [3, 1], output_activation="softmin")


def test_wrong_number_of_inputs_is_a_value_error():
    with pytest.raises(ValueError, match="expected 3 inputs, got 2"):
        nn.MLP(3, [4, 1], seed=0)([1.0, 2.0])
    with pytest.raises(ValueError, match="list of 2"):
        nn.Neuron(2)(Value(1.0))


def test_layer_sizes_must_be_positive_whole_numbers():
    with pytest.raises(ValueError, match="nin"):
        nn.Neuron(0)
    with pytest.raises(ValueError, match="nout"):
        nn.MLP(2, [3, 0])


def test_weighted_sum_is_one_dot_node():
    neuron = nn.Neuron(3, activation="identity", seed=0)
    out = neuron([1.0, 2.0, 3.0])
    assert out.op == "dot" and len(out.parents) == 4
    assert math.isclose(out.data, sum(w.data * x for w, x in zip(neuron.w, [1, 2, 3])))


def test_output_is_a_value_for_one_unit_and_a_list_otherwise():
    assert isinstance(nn.MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    outputs = nn.MLP(2, [3, 4], seed=0)([1.0, 2.0])
    assert isinstance(outputs, list) and len(outputs) == 4
    # a one-unit layer in the middle still feeds the next layer
    assert isinstance(nn.MLP(2, [1, 3], seed=0)([1.0, 2.0]), list)


def test_softmax_output_gives_probabilities():
    probs = nn.MLP(2, [5, 3], output_activation="softmax", seed=0)([0.3, -2.0])
    assert math.isclose(sum(p.data for p in probs), 1.0)
    assert all(0 < p.data < 1 for p in probs)
    with pytest.raises(ValueError, match="at least 2"):
        nn.MLP(2, [3, 1], output_activation="softmax")


def test_seed_makes_initialisation_reproducible():
    first, second = nn.MLP(3, [8, 2], seed=7), nn.MLP(3, [8, 2], seed=7)
    other = nn.MLP(3, [8, 2], seed=8)
    data = [[p.data for p in m.parameters()] for m in (first, second, other)]
    assert data[0] == data[1] and data[0] != data[2]


@pytest.mark.parametrize("activation, expected_std", [
    ("relu", math.sqrt(2 / 200)),       # He
    ("tanh", math.sqrt(1 / 200)),       # Xavier
    ("sigmoid", math.sqrt(1 / 200)),
])
def test_initial_weight_std_matches_he_or_xavier(activation, expected_std):
    layer = nn.Layer(200, 200, activation=activation, seed=0)
    weights = np.array([w.data for neuron in layer.neurons for w in neuron.w])
    assert abs(weights.std() / expected_std - 1) < 0.03
    assert abs(weights.mean()) < 0.01 * expected_std * 10
    assert all(neuron.b.data == 0.0 for neuron in layer.neurons)


def test_batch_forward_equals_per_sample_forward():
    model = nn.MLP(3, [5, 4, 2], activation="tanh", seed=1)
    X = RNG.normal(size=(6, 3))
    batched = model(nn.as_inputs(X))
    for i, row in enumerate(X):
        single = model(list(row))
        assert np.allclose([y.data[i] for y in batched], [y.data for y in single])


def test_step_activation_passes_back_zero_gradient():
    neuron = nn.Neuron(2, activation="step", seed=0)
    out = neuron([0.5, 1.5])
    (out * 3.0).backward()
    assert [p.grad for p in neuron.parameters()] == [0.0, 0.0, 0.0]
    relu_neuron = nn.Neuron(2, activation="relu")     # where relu is active, gradient flows
    relu_neuron.w[0].data, relu_neuron.w[1].data = 1.0, 1.0
    (relu_neuron([0.5, 1.5]) * 3.0).backward()
    assert [p.grad for p in relu_neuron.parameters()] == [1.5, 4.5, 3.0]


# ------------------------------------------------------------------ losses

def test_mse_loss_value_and_gradient():
    y0, y1 = batch([1.0, 2.0], [0.0, 3.0])
    targets = np.array([[0.0, 1.0], [1.0, 1.0]])
    loss = nn.mse_loss([y0, y1], targets)
    # sample 0: 0.5 * (1 + 1) = 1;  sample 1: 0.5 * (1 + 4) = 2.5;  mean 1.75
    assert math.isclose(loss.data, 1.75)
    loss.backward()
    assert np.allclose(y0.grad, [(1 - 0) / 2, (2 - 1) / 2])      # (y - t) / n
    assert np.allclose(y1.grad, [(0 - 1) / 2, (3 - 1) / 2])


def test_mse_loss_single_output_and_shape_errors():
    [y] = batch([1.0, 2.0, 4.0])
    assert math.isclose(nn.mse_loss(y, np.array([1.0, 1.0, 1.0])).data, 0.5 * (0 + 1 + 9) / 3)
    assert math.isclose(nn.mse_loss(Value(3.0), 1.0).data, 2.0)
    with pytest.raises(ValueError, match="expected shape"):
        nn.mse_loss(y, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="expected shape"):
        nn.mse_loss(batch([1.0, 2.0], [3.0, 4.0]), np.zeros((2, 3)))


def test_mse_loss_takes_target_values_as_constants():
    y0, y1 = batch([1.0, 2.0], [0.0, 3.0])
    t0, t1 = batch([0.0, 1.0], [1.0, 1.0])          # the targets of the test above, as Values
    loss = nn.mse_loss([y0, y1], [t0, t1])
    assert math.isclose(loss.data, 1.75)
    loss.backward()
    assert np.allclose(y0.grad, [0.5, 0.5]) and np.allclose(y1.grad, [-0.5, 1.0])
    assert np.all(t0.grad == 0) and np.all(t1.grad == 0)           # targets get no gradient
    single, target = Value(3.0), Value(1.0)
    loss = nn.mse_loss(single, target)
    loss.backward()
    assert math.isclose(loss.data, 2.0) and single.grad == 2.0 and target.grad == 0.0


@pytest.mark.parametrize("targets, match", [
    ([Value(np.zeros(2))], "one Value per output"),
    ([Value(np.zeros(2)), np.zeros(2)], "one Value per output"),
    ([Value(np.zeros(3)), Value(np.zeros(3))], "shaped like its output"),
])
def test_mse_loss_says_how_target_values_must_look(targets, match):
    with pytest.raises(ValueError, match=match):
        nn.mse_loss(batch([1.0, 2.0], [0.0, 3.0]), targets)


def test_cross_entropy_takes_target_values_and_labels_must_be_numbers():
    p0, p1 = batch([0.9, 0.2], [0.1, 0.8])
    loss = nn.cross_entropy([p0, p1], batch([1.0, 1.0], [0.0, 0.0]))
    assert math.isclose(loss.data, -(math.log(0.9 + 1e-7) + math.log(0.2 + 1e-7)) / 2)
    with pytest.raises(ValueError, match="labels must be numbers"):
        nn.softmax_cross_entropy([p0, p1], Value(np.array([0.0, 1.0])))
    with pytest.raises(ValueError, match="labels must be numbers"):
        nn.hinge_loss(p0, [Value(1.0), Value(0.0)])


def test_cross_entropy_with_labels_and_one_hot():
    p0, p1 = batch([0.9, 0.2], [0.1, 0.8])
    labels = np.array([0, 0])
    loss = nn.cross_entropy([p0, p1], labels)
    expected = -(math.log(0.9 + 1e-7) + math.log(0.2 + 1e-7)) / 2
    assert math.isclose(loss.data, expected)
    one_hot = nn.cross_entropy([p0, p1], np.array([[1.0, 0.0], [1.0, 0.0]]))
    assert math.isclose(one_hot.data, expected)
    loss.backward()
    assert np.allclose(p0.grad, [-1 / (0.9 + 1e-7) / 2, -1 / (0.2 + 1e-7) / 2])
    assert np.allclose(p1.grad, [0.0, 0.0])


def test_cross_entropy_delta_keeps_log_of_zero_finite():
    loss = nn.cross_entropy([Value(0.0), Value(1.0)], np.array([0]))
    assert math.isclose(loss.data, -math.log(1e-7))


def test_softmax_cross_entropy_value():
    logits = RNG.normal(size=(4, 3))
    labels = np.array([0, 2, 1, 2])
    loss = nn.softmax_cross_entropy(batch(*logits.T), labels)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert math.isclose(loss.data, -np.mean(np.log(probs[np.arange(4), labels])))


def test_softmax_cross_entropy_gradient_is_softmax_minus_one_hot_over_n():
    logits = RNG.normal(size=(5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    leaves = batch(*logits.T)
    nn.softmax_cross_entropy(leaves, labels).backward()
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = (probs - nn.data.one_hot(labels, 3)) / 5
    assert np.allclose(np.column_stack([x.grad for x in leaves]), expected)
    numerical = autograd.numerical_grad(
        lambda *xs: nn.softmax_cross_entropy(list(xs), labels), leaves)
    assert np.allclose(np.column_stack(numerical), expected, atol=1e-8)


def test_softmax_cross_entropy_is_stable_and_checks_labels():
    loss = nn.softmax_cross_entropy([Value(1000.0), Value(-1000.0)], np.array([1]))
    assert math.isclose(loss.data, 2000.0)
    with pytest.raises(ValueError, match="out of range"):
        nn.softmax_cross_entropy(batch([1.0, 2.0], [0.0, 1.0]), np.array([0, 2]))
    with pytest.raises(ValueError, match="expected shape"):
        nn.softmax_cross_entropy(batch([1.0, 2.0], [0.0, 1.0]), np.array([0, 1, 1]))


def test_hinge_loss_value_gradient_and_label_forms():
    [scores] = batch([2.0, 0.5, -1.0, 0.2])
    labels01 = np.array([1, 1, 0, 0])
    loss = nn.hinge_loss(scores, labels01)
    # margins: 1 - 2 < 0, 1 - 0.5, 1 - 1 = 0, 1 + 0.2  ->  (0 + 0.5 + 0 + 1.2) / 4
    assert math.isclose(loss.data, 1.7 / 4)
    loss.backward()
    assert np.allclose(scores.grad, [0.0, -0.25, 0.0, 0.25])      # -y / n where the margin > 0
    assert math.isclose(nn.hinge_loss(scores, 2 * labels01 - 1).data, 1.7 / 4)
    with pytest.raises(ValueError, match="0/1 or all -1/\\+1"):
        nn.hinge_loss(scores, np.array([0, 1, 2, 1]))


def test_l2_penalty_is_the_sum_of_squares():
    params = [Value(1.0), Value(-2.0), Value(0.5)]
    penalty = nn.l2_penalty(params)
    assert math.isclose(penalty.data, 5.25) and penalty.op == "add"
    penalty.backward()
    assert [p.grad for p in params] == [2.0, -4.0, 1.0]


# ------------------------------------------------------------------ optimizers

def params_with_grads(grads, start=1.0):
    """Float parameters all at `start`, with the given gradients."""
    params = [Value(start) for _ in grads]
    for p, g in zip(params, grads):
        p.grad = g
    return params


def test_sgd_step_and_changing_lr():
    params = params_with_grads([0.5, -2.0])
    optimizer = nn.SGD(params, lr=0.1)
    optimizer.step()
    assert np.allclose([p.data for p in params], [1.0 - 0.05, 1.0 + 0.2])
    optimizer.lr = 0.01
    optimizer.step()
    assert np.allclose([p.data for p in params], [0.95 - 0.005, 1.2 + 0.02])
    optimizer.zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


def test_momentum_follows_the_book_formula():
    [p] = params_with_grads([2.0])
    optimizer = nn.Momentum([p], lr=0.1, momentum=0.9)
    optimizer.step()                      # v = -0.2, p = 0.8
    assert math.isclose(p.data, 0.8)
    p.grad = 1.0
    optimizer.step()                      # v = 0.9 * -0.2 - 0.1 = -0.28, p = 0.52
    assert math.isclose(p.data, 0.52)


def test_adam_first_step_moves_by_lr_times_sign():
    params = params_with_grads([1e-3, -5.0, 300.0])
    nn.Adam(params, lr=0.01).step()
    assert np.allclose([p.data for p in params], [1 - 0.01, 1 + 0.01, 1 - 0.01], atol=1e-7)


def test_adam_second_step_uses_bias_corrected_averages():
    [p] = params_with_grads([1.0])
    optimizer = nn.Adam([p], lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    optimizer.step()
    p.grad = 3.0
    optimizer.step()
    m = 0.9 * 0.1 + 0.1 * 3.0                       # m after two steps
    v = 0.999 * 0.001 + 0.001 * 9.0
    m_hat, v_hat = m / (1 - 0.9 ** 2), v / (1 - 0.999 ** 2)
    first = 1.0 - 0.1 * 1.0 / (1.0 + 1e-8)            # m_hat = 1, v_hat = 1 after step one
    assert math.isclose(p.data, first - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8), rel_tol=1e-12)


def test_optimizers_reject_batch_values():
    with pytest.raises(ValueError, match="float Values"):
        nn.SGD(batch([1.0, 2.0]), lr=0.1)


# ------------------------------------------------------------------ saving and loading

def test_save_load_round_trip(tmp_path):
    path = tmp_path / "model.weights"            # exactly this name: nothing appended
    trained = nn.MLP(2, [4, 3], seed=0)
    trained.save(path)
    assert path.exists()
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["layer1.biases", "layer1.weights",
                                         "layer2.biases", "layer2.weights"]
        assert archive["layer1.weights"].shape == (4, 2)
        assert archive["layer1.weights"][3, 1] == trained.layers[0].neurons[3].w[1].data
    fresh = nn.MLP(2, [4, 3], seed=1)
    fresh.load(path)
    assert [p.data for p in fresh.parameters()] == [p.data for p in trained.parameters()]


def test_neuron_round_trip(tmp_path):
    neuron, other = nn.Neuron(3, seed=0), nn.Neuron(3, seed=5)
    neuron.b.data = 0.25
    neuron.save(tmp_path / "n.npz")
    other.load(tmp_path / "n.npz")
    assert [p.data for p in other.parameters()] == [p.data for p in neuron.parameters()]


@pytest.mark.parametrize("saved, match", [
    (nn.MLP(2, [5, 1], seed=0), "shape"),              # same names, a wider layer
    (nn.MLP(3, [4, 1], seed=0), "shape"),              # same names, more inputs
    (nn.MLP(2, [4, 4, 1], seed=0), "unexpected"),      # an extra layer
    (nn.Neuron(2, seed=0), "missing"),                 # another kind of module
])
def test_load_that_does_not_fit_raises_and_leaves_model_unchanged(tmp_path, saved, match):
    saved.save(tmp_path / "other.npz")
    model = nn.MLP(2, [4, 1], seed=3)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=match):
        model.load(tmp_path / "other.npz")
    assert [p.data for p in model.parameters()] == before


def write_bad_files(folder):
    """Files that are not parameter archives, each a different way."""
    files = {"garbage.npz": b"this is not a zip file at all",
             "pickle.npz": b"\x80\x04K\x01.",          # the pickle protocol's bytes for 1
             "empty.npz": b""}
    for name, content in files.items():
        (folder / name).write_bytes(content)
    np.savez(folder / "objects.npz", **{"layer1.weights": np.array([{"a": 1}], dtype=object)})
    np.save(folder / "single.npy", np.zeros(3))
    good = folder / "good.npz"
    nn.MLP(2, [4, 1], seed=0).save(good)
    (folder / "truncated.npz").write_bytes(good.read_bytes()[:200])
    return [*files, "objects.npz", "single.npy", "truncated.npz"]


def test_bad_files_raise_value_error_naming_the_file(tmp_path):
    model = nn.MLP(2, [4, 1], seed=0)
    before = [p.data for p in model.parameters()]
    for name in write_bad_files(tmp_path):
        with pytest.raises(ValueError, match=name.replace(".", r"\.")):
            model.load(tmp_path / name)
    assert [p.data for p in model.parameters()] == before


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.MLP(2, [4, 1]).load(tmp_path / "nothing.npz")
