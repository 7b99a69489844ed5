"""The book-figure demos (gradient_descent, optimizers, weight_init, shopping): each runs and
writes real pictures, and its numbers agree with formulas computed here independently (closed
forms, numpy re-implementations with analytic gradients, the book's printed values)."""

import re
import shutil
import struct

import numpy as np
import pytest

from demos import gradient_descent, optimizers, shopping, weight_init

PNG = b"\x89PNG\r\n\x1a\n"


def png_size(path) -> tuple[int, int]:
    """(width, height) of a PNG file, read from its header; fails if it is not a PNG."""
    data = path.read_bytes()
    assert data.startswith(PNG) and len(data) > 5000, f"{path} is not a real PNG"
    return struct.unpack(">II", data[16:24])


def assert_sensible_picture(path) -> None:
    width, height = png_size(path)
    assert 500 <= width <= 4000 and 250 <= height <= 3000, (width, height)


# ---------------------------------------------------------------------- gradient descent

@pytest.mark.parametrize("lang, name", [("en", "gradient_descent.png"),
                                        ("ja", "gradient_descent_ja.png")])
def test_gradient_descent_prints_the_closed_form_and_draws_the_path(tmp_path, capsys, lang,
                                                                    name):
    assert gradient_descent.main(["--out", str(tmp_path), "--lang", lang]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines()
            if re.fullmatch(r"\s*\d+(\s+-?\d+\.\d+){3}\s*", line)]
    assert [int(row[0]) for row in rows] == list(range(21))
    for step, x0, x1, f in rows:
        k = int(step)
        closed = np.array([-3.0, 4.0]) * (1 - 2 * 0.1) ** k     # x_k = x_0 (1 - 2 lr)^k
        assert float(x0) == pytest.approx(closed[0], abs=6e-7)
        assert float(x1) == pytest.approx(closed[1], abs=6e-7)
        assert float(f) == pytest.approx(closed @ closed, abs=6e-9)
    assert_sensible_picture(tmp_path / name)
    assert str(tmp_path / name) in out


def test_gradient_descent_points_are_the_closed_form_to_rounding():
    points = gradient_descent.descend()
    k = np.arange(21)[:, None]
    assert np.allclose(points, np.array([-3.0, 4.0]) * 0.8 ** k, rtol=1e-13, atol=0)


# ---------------------------------------------------------------------- optimizers

def numpy_paths(steps=30, start=(-7.0, 2.0)):
    """SGD, Momentum, AdaGrad and Adam with the analytic gradient of x²/20 + y²: (x/10, 2y)."""
    def gradient(p):
        return np.array([p[0] / 10, 2 * p[1]])

    def run(update):
        p, state, points = np.array(start), {}, [np.array(start)]
        for t in range(1, steps + 1):
            p = update(p, gradient(p), state, t)
            points.append(p)
        return np.array(points)

    def sgd(p, g, state, t):
        return p - 0.95 * g

    def momentum(p, g, state, t):
        state["v"] = 0.9 * state.get("v", 0.0) - 0.1 * g
        return p + state["v"]

    def adagrad(p, g, state, t):
        state["h"] = state.get("h", 0.0) + g * g
        return p - 1.5 * g / (np.sqrt(state["h"]) + 1e-7)

    def adam(p, g, state, t):
        state["m"] = 0.9 * state.get("m", 0.0) + 0.1 * g
        state["v"] = 0.999 * state.get("v", 0.0) + 0.001 * g * g
        m_hat, v_hat = state["m"] / (1 - 0.9 ** t), state["v"] / (1 - 0.999 ** t)
        return p - 0.3 * m_hat / (np.sqrt(v_hat) + 1e-8)

    return {"SGD": run(sgd), "Momentum": run(momentum), "AdaGrad": run(adagrad),
            "Adam": run(adam)}


def test_optimizer_paths_equal_numpy_with_the_analytic_gradient():
    ours, reference = optimizers.all_paths(), numpy_paths()
    assert list(ours) == ["SGD", "Momentum", "AdaGrad", "Adam"]
    for name in reference:
        assert ours[name].shape == (31, 2)
        assert np.allclose(ours[name], reference[name], rtol=1e-12, atol=1e-14), name


@pytest.mark.parametrize("lang, name", [("en", "optimizers.png"), ("ja", "optimizers_ja.png")])
def test_optimizers_demo_prints_each_final_point_and_draws_four_panels(tmp_path, capsys, lang,
                                                                       name):
    assert optimizers.main(["--out", str(tmp_path), "--lang", lang]) == 0
    out = capsys.readouterr().out
    for optimizer, points in numpy_paths().items():
        x, y = points[-1]
        line = next(line for line in out.splitlines() if line.strip().startswith(optimizer))
        assert f"({x:.4f}, {y:.4f})" in line.replace("-0.0000", "0.0000")
    assert_sensible_picture(tmp_path / name)


# ---------------------------------------------------------------------- weight init

def numpy_network(activation, init, samples, seed=0, layers=5, units=100):
    """The demo's network in plain numpy: activations and mean |d output / d W| per layer."""
    x = np.random.default_rng(seed).normal(size=(samples, units)).T
    draws = np.random.default_rng(seed + 1).normal(size=(layers, units, units))
    std = {"xavier": 1 / np.sqrt(units), "he": np.sqrt(2 / units)}.get(init, init)
    act, slope = {"sigmoid": (lambda z: 1 / (1 + np.exp(-z)),
                              lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
                  "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0)}[activation]
    hidden, zs = [x], []
    for w in draws * std:
        zs.append(w @ hidden[-1])
        hidden.append(act(zs[-1]))
    upstream, magnitudes = np.full((units, samples), 1 / samples), []   # d mean(sum) / d a
    for layer in reversed(range(layers)):
        dz = upstream * slope(zs[layer])
        magnitudes.append(np.abs(dz @ hidden[layer].T).mean())
        upstream = (draws[layer] * std).T @ dz
    return hidden[1:], magnitudes[::-1]


@pytest.mark.parametrize("activation, init", [("sigmoid", 1), ("relu", "he")])
def test_weight_init_forward_and_gradients_equal_numpy(activation, init):
    ours, our_magnitudes = weight_init.layer_activations(activation, init, samples=40)
    reference, magnitudes = numpy_network(activation, init, samples=40)
    for layer, expected in zip(ours, reference):
        assert layer.shape == (100, 40) and np.allclose(layer, expected, rtol=1e-9, atol=1e-12)
    assert np.allclose(our_magnitudes, magnitudes, rtol=1e-8)


def test_weight_init_histograms_pile_up_as_in_the_book():
    std_1, _ = weight_init.layer_activations("sigmoid", 1, samples=300)
    std_001, _ = weight_init.layer_activations("sigmoid", 0.01, samples=300)
    xavier, _ = weight_init.layer_activations("sigmoid", "xavier", samples=300)
    for layer in std_1:                      # near 0 and 1: sigmoid saturated
        assert np.mean((layer < 0.1) | (layer > 0.9)) > 0.6
        assert np.mean(layer < 0.1) > 0.25 and np.mean(layer > 0.9) > 0.25
    for layer in std_001:                    # all near 0.5: every unit says the same
        assert np.all(np.abs(layer - 0.5) < 0.15) and layer.std() < 0.05
    for layer in xavier:                     # in between: spread, but not saturated
        assert 0.08 < layer.std() < 0.3 and np.mean((layer < 0.1) | (layer > 0.9)) < 0.1


def test_weight_init_demo_draws_histograms_and_gradients(tmp_path, capsys):
    assert weight_init.main(["--out", str(tmp_path), "--samples", "100", "--lang", "ja"]) == 0
    out = capsys.readouterr().out
    assert "sigmoid, 重みの標準偏差 1" in out and "relu He" in out
    assert_sensible_picture(tmp_path / "weight_init_ja.png")
    assert png_size(tmp_path / "weight_init_ja.png")[0] > 1500      # 5 columns and the gradients


# ---------------------------------------------------------------------- shopping

BOOK = {False: (220, [2.2, 110, 200]),                 # figure 5-16: apple, apple_num, tax
        True: (715, [2.2, 110, 3.3, 165, 650])}        # figure 5-17: ..., orange, orange_num


@pytest.mark.parametrize("oranges", [False, True])
def test_shopping_numbers_are_the_books(oranges):
    price, forward, backward = shopping.book_numbers(oranges)
    book_price, book_gradients = BOOK[oranges]
    assert price.data == pytest.approx(book_price) and forward[-1][1] == price.data
    assert [grad for _, grad in backward] == pytest.approx(book_gradients)
    assert [shopping.rounded(grad) for _, grad in backward] == [f"{g:g}" for g in book_gradients]
    assert [name for name, _ in backward][:2] == ["apple", "apple_num"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
@pytest.mark.parametrize("lang, suffix, apple", [("en", "", "apple"), ("ja", "_ja", "りんご")])
def test_shopping_prints_the_books_order_and_draws_both_graphs(tmp_path, capsys, lang, suffix,
                                                               apple):
    assert shopping.main(["--out", str(tmp_path), "--lang", lang]) == 0
    out = capsys.readouterr().out
    numbers = re.findall(r"^\s{4}\S+\s+([\d.]+)$", out, flags=re.MULTILINE)
    assert numbers == ["200", "220", "2.2", "110", "200",
                       "200", "450", "650", "715", "2.2", "110", "3.3", "165", "650"]
    assert re.search(rf"^\s+{apple}\s+2\.2$", out, flags=re.MULTILINE)
    for name in ("apples", "oranges"):
        assert_sensible_picture(tmp_path / f"shopping_{name}{suffix}.png")
        assert (tmp_path / f"shopping_{name}{suffix}.svg").read_text().lstrip().startswith("<")


# ---------------------------------------------------------------------- the plots themselves

def test_book_plots_return_figures_in_either_language_and_save_only_with_a_path(tmp_path):
    import viz
    from matplotlib.figure import Figure

    points = gradient_descent.descend(steps=5)
    figure = viz.plot_descent_path(points, gradient_descent.function, "f", 0.1, lang="ja")
    assert isinstance(figure, Figure) and not list(tmp_path.iterdir())
    titles = " ".join(axis.get_title() for axis in figure.axes)
    assert "学習率 0.1" in titles and "5 ステップ" in titles
    paths = optimizers.all_paths(steps=3)
    figure = viz.plot_optimizer_paths(paths, {name: 0.1 for name in paths},
                                      optimizers.function, "f", tmp_path / "o.svg")
    assert len(figure.axes) == 4 and (tmp_path / "o.svg").stat().st_size > 1000
    layers = [np.full((3, 10), 0.5), np.full((3, 10), 0.25)]
    figure = viz.plot_activation_histograms({"a": layers, "b": layers}, {"a": [1, 2], "b": [3, 4]})
    assert len(figure.axes) == 2 * 2 + 1
    with pytest.raises(ValueError, match="en, ja"):
        viz.plot_descent_path(points, gradient_descent.function, "f", 0.1, lang="fr")
    with pytest.raises(ValueError, match="same point"):
        viz.plot_optimizer_paths({"a": points, "b": points + 1}, {"a": 1, "b": 1},
                                 gradient_descent.function, "f")
