"""viz.plots: every plot is written headless and is a real picture; activation derivatives
come from the engine; importing autograd or viz loads neither matplotlib nor (for autograd)
graphviz."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import viz
from viz.plots import activation_and_slope

PNG = b"\x89PNG"
ROOT = Path(__file__).resolve().parents[1]


def is_picture(path: Path, magic: bytes = PNG) -> bool:
    return path.stat().st_size > 1000 and path.read_bytes().startswith(magic)


def test_plot_activations_writes_a_png(tmp_path):
    path = viz.plot_activations(tmp_path / "sub" / "activations.png")
    assert path == tmp_path / "sub" / "activations.png" and is_picture(path)


def test_activation_slopes_come_from_backward_and_peak_at_the_known_maxima():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    _, sigmoid_slope = activation_and_slope("sigmoid", x)
    _, tanh_slope = activation_and_slope("tanh", x)
    relu, relu_slope = activation_and_slope("relu", x)
    _, step_slope = activation_and_slope("step", x)
    sigmoid = 1 / (1 + np.exp(-x))
    assert np.allclose(sigmoid_slope, sigmoid * (1 - sigmoid)) and sigmoid_slope.max() == 0.25
    assert np.allclose(tanh_slope, 1 - np.tanh(x) ** 2) and tanh_slope.max() == 1.0
    assert list(relu) == [0, 0, 0, 0.5, 2] and list(relu_slope) == [0, 0, 0, 1, 1]
    assert list(step_slope) == [0, 0, 0, 0, 0]


def test_plot_history_writes_loss_and_accuracy(tmp_path):
    history = {"loss": [1.0, 0.6, 0.4], "accuracy": [0.5, 0.7, 0.9], "val_loss": [1, 0.7, 0.5]}
    assert is_picture(viz.plot_history(history, tmp_path / "history.png"))
    assert is_picture(viz.plot_history({"loss": [3, 2, 1]}, tmp_path / "loss.png"))


@pytest.mark.parametrize("scores", ["labels", "probabilities", "columns"])
def test_plot_decision_boundary_calls_predict_on_a_grid(tmp_path, scores):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    calls = []

    def predict(model, points):
        calls.append((model, points.shape))
        label = (points[:, 0] * points[:, 1] > 0).astype(int)
        if scores == "probabilities":
            return 1 / (1 + np.exp(-points[:, 0] * points[:, 1]))
        return np.eye(2)[label] if scores == "columns" else label

    path = viz.plot_decision_boundary("model", X, y, tmp_path / "boundary.png", resolution=50,
                                      predict=predict)
    assert calls == [("model", (2500, 2))] and is_picture(path)


def test_plot_digit_grid_writes_a_png(tmp_path):
    images = np.random.default_rng(0).random((23, 64))
    path = viz.plot_digit_grid(images, [1] * 23, [1, 2] * 11 + [1], tmp_path / "digits.png")
    assert is_picture(path)


def test_plot_gradient_magnitudes_writes_svg_too_and_tolerates_zeros(tmp_path):
    magnitudes = {"sigmoid": [1e-7, 1e-4, 1e-1], "relu": [0.0, 0.0, 0.0]}
    path = viz.plot_gradient_magnitudes(magnitudes, tmp_path / "gradients.svg")
    assert is_picture(path, b"<?xml")


def test_importing_the_packages_stays_light():
    code = ("import sys, autograd; assert 'graphviz' not in sys.modules; "
            "assert 'matplotlib' not in sys.modules; import viz, viz.cli; "
            "assert 'matplotlib' not in sys.modules, 'viz imported matplotlib'")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_plots_without_matplotlib_say_which_extra_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)        # as if it were not installed
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'zerograd\[demos\]'"):
        viz.plot_activations(tmp_path / "a.png")
    with pytest.raises(ImportError, match="matplotlib"):
        viz.plot_history({"loss": [1.0, 0.5]}, tmp_path / "h.png")
    assert not (tmp_path / "a.png").exists()
