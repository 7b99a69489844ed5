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


def test_plot_activations_returns_a_figure_and_writes_a_png(tmp_path):
    from matplotlib.figure import Figure
    path = tmp_path / "sub" / "activations.png"
    figure = viz.plot_activations(path)
    assert isinstance(figure, Figure) and len(figure.axes) == 8 and is_picture(path)
    assert figure._repr_png_().startswith(PNG)        # what Jupyter shows inline
    assert isinstance(viz.plot_activations(), Figure)  # no path: nothing written


def test_plots_use_no_pyplot_and_leave_the_backend_alone(tmp_path):
    code = ("import sys, matplotlib, viz; before = matplotlib.rcParams._get_backend_or_none(); "
            "viz.plot_activations(); viz.plot_history({'loss': [2, 1]}, sys.argv[1]); "
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'; "
            "assert matplotlib.rcParams._get_backend_or_none() == before, 'backend changed'")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "h.png")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert is_picture(tmp_path / "h.png")


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


def test_curves_that_coincide_both_show_each_next_one_thinner_and_broken(tmp_path):
    same = [2.4, 1.9, 1.0]
    [axis] = viz.plot_history({"zerograd": same, "PyTorch": same}, tmp_path / "h.png").axes
    first, second = axis.get_lines()
    assert np.array_equal(first.get_ydata(), second.get_ydata())
    assert first.get_linestyle() == "-" and second.get_linestyle() == "--"
    assert second.get_linewidth() < first.get_linewidth()
    assert first.get_marker() != second.get_marker()


def test_digit_grid_without_predictions_shows_each_label_once_in_black(tmp_path):
    images = np.random.default_rng(0).random((12, 64))
    figure = viz.plot_digit_grid(images, true=list(range(10)) + [3, 7], path=tmp_path / "d.png")
    titles = [axis.title for axis in figure.axes if axis.get_title()]
    assert [t.get_text() for t in titles] == [str(k) for k in range(10)] + ["3", "7"]
    assert {t.get_color() for t in titles} == {"black"}
    assert figure.texts[0].get_text() == "the label above each image"
    with pytest.raises(TypeError, match="true=labels"):
        viz.plot_digit_grid(images, [1] * 12)


def test_plot_history_writes_loss_and_accuracy(tmp_path):
    history = {"loss": [1.0, 0.6, 0.4], "accuracy": [0.5, 0.7, 0.9], "val_loss": [1, 0.7, 0.5]}
    assert len(viz.plot_history(history, tmp_path / "history.png").axes) == 2
    assert len(viz.plot_history({"loss": [3, 2, 1]}, tmp_path / "loss.png").axes) == 1
    assert is_picture(tmp_path / "history.png") and is_picture(tmp_path / "loss.png")


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

    path = tmp_path / "boundary.png"
    viz.plot_decision_boundary("model", X, y, path, resolution=50, predict=predict)
    assert calls == [("model", (2500, 2))] and is_picture(path)


def test_plot_digit_grid_writes_a_png(tmp_path):
    images = np.random.default_rng(0).random((23, 64))
    figure = viz.plot_digit_grid(images, [1] * 23, [1, 2] * 11 + [1], tmp_path / "digits.png")
    assert len(figure.axes) == 30 and is_picture(tmp_path / "digits.png")


def test_plot_gradient_magnitudes_writes_svg_too_and_tolerates_zeros(tmp_path):
    magnitudes = {"sigmoid": [1e-7, 1e-4, 1e-1], "relu": [0.0, 0.0, 0.0]}
    viz.plot_gradient_magnitudes(magnitudes, tmp_path / "gradients.svg")
    assert is_picture(tmp_path / "gradients.svg", b"<?xml")


def test_importing_the_packages_stays_light():
    code = ("import sys, autograd; assert 'graphviz' not in sys.modules; "
            "assert 'matplotlib' not in sys.modules; import viz, viz.cli; "
            "assert 'matplotlib' not in sys.modules, 'viz imported matplotlib'")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_plots_without_matplotlib_say_which_extra_to_install(tmp_path, monkeypatch):
    loaded = [name for name in sys.modules if name.startswith("matplotlib.")]
    for name in ["matplotlib", "matplotlib.pyplot", "matplotlib.figure"] + loaded:
        monkeypatch.setitem(sys.modules, name, None)            # as if it were not installed
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'zerograd\[demos\]'"):
        viz.plot_activations(tmp_path / "a.png")
    with pytest.raises(ImportError, match="matplotlib"):
        viz.plot_history({"loss": [1.0, 0.5]}, tmp_path / "h.png")
    assert not (tmp_path / "a.png").exists()
