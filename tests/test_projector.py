"""The lecture's network on a projector: `MLP(2, [16, 16, 1])` drawn so a class can read it.

The layer view draws the weights between two layers as ONE box, "W2 16×16", with a heat map of
their gradients (`viz/bundles.py`), instead of 256 labelled arrows. Checked here without a
browser: the DOT text (the boxes, how few arrow labels are left, the heat map's colours and its
largest entries against a numpy forward and backward pass written in this file, book style),
the size of the rendered picture against a 1920×1080 screen with text of at least 12 px, and
what max_nodes counts. `test_projector_browser.py` checks the page in Chromium.
"""

from __future__ import annotations

import json
import math
import re
from importlib import import_module

import numpy as np
import pytest

import nn
import viz
from autograd import Value
from viz.bundles import BUNDLE_ARROWS

X = (0.5, -1.0)
TARGET = 1.0


def lecture_loss(sizes=(16, 16, 1), x=X, seed: int = 0):
    """(model, inputs, loss) of the micrograd lecture's setting: one sample, squared error."""
    model = nn.MLP(2, list(sizes), seed=seed)
    inputs = [Value(x[0], name="x0"), Value(x[1], name="x1")]
    loss = (model(inputs) - TARGET) ** 2
    return model, inputs, loss


def numpy_gradients(model, x=X) -> list[np.ndarray]:
    """dloss/dW of every layer by a numpy forward and backward pass (relu layers, a linear
    output, loss = (out - target)²), written from the formulas: an independent reference."""
    weights = [np.array([[w.data for w in neuron.w] for neuron in layer.neurons])
               for layer in model.layers]
    biases = [np.array([neuron.b.data for neuron in layer.neurons]) for layer in model.layers]
    activations, pre = [np.array(x, dtype=float)], []
    for k, (W, b) in enumerate(zip(weights, biases)):
        z = W @ activations[-1] + b
        pre.append(z)
        activations.append(np.maximum(z, 0.0) if k < len(weights) - 1 else z)
    upstream = 2.0 * (activations[-1] - TARGET)             # dloss/dout
    grads = [None] * len(weights)
    for k in reversed(range(len(weights))):
        if k < len(weights) - 1:
            upstream = upstream * (pre[k] > 0)                # relu'(z)
        grads[k] = np.outer(upstream, activations[k])        # dz_i/dW_ij = a_j
        upstream = weights[k].T @ upstream
    return grads


def colour(x: float, largest: float) -> str:
    """The heat map's colour, from its definition: white at 0, red #c0392b at +largest, blue
    #1f5fbf at -largest, linear in between (rounded half up)."""
    t = min(1.0, abs(x) / largest)
    target = (192, 57, 43) if x > 0 else (31, 95, 191)
    return "#" + "".join(f"{math.floor(255 + (c - 255) * t + 0.5):02x}" for c in target)


def box(source: str, title: str) -> str:
    """The DOT label of the bundle box whose title is `title`."""
    found = [line for line in source.splitlines()
             if re.match(r"\s*b\d+ \[label=<", line) and f"<B>{title}</B>" in line]
    assert len(found) == 1, f"no box {title!r}"
    return found[0]


def edge_labels(source: str) -> list[str]:
    """The labels written on arrows."""
    return re.findall(r'-> \S+ \[label=<(.*?)>\]', source)


# ---------------------------------------------------------------------- draw_graph

@pytest.mark.parametrize("sizes", [(16, 16, 1), (16, 16, 16, 1)])
def test_the_lecture_mlp_is_layers_joined_by_weight_boxes(sizes):
    model, _, loss = lecture_loss(sizes)
    loss.backward()
    source = viz.draw_graph(loss, collapse=True).source
    widths = (2, *sizes)
    for k in range(1, len(widths)):
        assert f"W{k} {widths[k]}×{widths[k - 1]}" in source
        assert re.search(rf"layer L{k}<BR/>{widths[k]}( × ReLU)?>", source)
    labels = edge_labels(source)
    assert len(labels) <= 4, labels                     # the loss's two ops; not 256 "∂ 0"
    assert sum("∂ 0<" in label for label in labels) == 0
    # every neuron is drawn once, by its name in its layer's frame
    for k, width in enumerate(sizes, 1):
        assert all(re.search(rf"<B>N{j}</B>", source) for j in range(width))


def test_the_heat_map_is_the_gradient_of_the_weights():
    model, _, loss = lecture_loss()
    loss.backward()
    source = viz.draw_graph(loss, collapse=True).source
    for k, expected in enumerate(numpy_gradients(model), 1):
        rows, columns = expected.shape
        label = box(source, f"W{k} {rows}×{columns}")
        cells = re.findall(r'BGCOLOR="(#[0-9a-f]{6})"', label)
        largest = np.abs(expected).max()
        assert cells == [colour(x, largest) for x in expected.ravel()]
        i, j = np.unravel_index(np.abs(expected).argmax(), expected.shape)
        assert f"w[{i},{j}] = {viz.labels.number(expected[i, j], 4)}" in label
        assert f"|grad| ≤ {viz.labels.number(largest, 4)}" in label


def test_before_backward_the_heat_map_shows_the_weights():
    model, _, loss = lecture_loss()
    source = viz.draw_graph(loss, collapse=True).source
    weights = np.array([[w.data for w in neuron.w] for neuron in model.layers[1].neurons])
    label = box(source, "W2 16×16")
    assert re.findall(r'BGCOLOR="(#[0-9a-f]{6})"', label) == [
        colour(x, np.abs(weights).max()) for x in weights.ravel()]
    assert "|weights| ≤" in label
    assert "|重み| ≤" in viz.draw_graph(loss, collapse=True, lang="ja").source


def test_a_small_network_keeps_its_labelled_arrows():
    """2-3-1: 6 and 3 weights, at most BUNDLE_ARROWS: the textbook picture, one arrow each."""
    model = nn.MLP(2, [3, 1], seed=0)
    out = model([Value(0.5, name="x0"), Value(-1.0, name="x1")])
    out.backward()
    source = viz.draw_graph(out, collapse=True).source
    assert 2 * 3 <= BUNDLE_ARROWS and "W1 3×2" not in source and "b0 [" not in source
    assert len(edge_labels(source)) == 2 * 3 + 3


def svg_size(svg: str) -> tuple[float, float, float]:
    """(width, height, smallest font size), all in points."""
    width, height = (float(x) for x in re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"',
                                                 svg).groups())
    sizes = [float(x) for x in re.findall(r'font-size="([0-9.]+)"', svg)]
    return width, height, min(sizes)


@pytest.mark.parametrize("sizes", [(16, 16, 1), (16, 16, 16, 1)])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_drawing_fits_a_1920_by_1080_screen_with_text_of_12_px(sizes, lang):
    """Scaled down to fit 1920×1080 (1 pt is 4/3 px), its smallest text is still 12 px."""
    pytest.importorskip("graphviz")
    from viz.render import run_dot
    _, _, loss = lecture_loss(sizes)
    loss.backward()
    dot = viz.draw_graph(loss, collapse=True, lang=lang)
    width, height, smallest = svg_size(run_dot(dot.source, "svg", 60).decode())
    scale = min(1.0, 1920 / (width * 4 / 3), 1080 / (height * 4 / 3))
    assert smallest * 4 / 3 * scale >= 12, (width, height, smallest, scale)


# ---------------------------------------------------------------------- max_nodes

def test_max_nodes_counts_the_view_drawn():
    _, _, loss = lecture_loss()
    primitive = len(viz.scene.read_graph(loss, 10_000).order)
    layer = len(viz.scene.read_graph(viz.layers.collapse(loss), 10_000).order)
    assert layer < 300 < primitive                       # 37 and 404
    page = viz.stepper(loss, collapse=True)               # default max_nodes=300: the layer view
    assert 'id="zg-no-picture"' in page.html and str(primitive) in page.html
    with pytest.raises(ValueError, match=r"operation view.*max_nodes=300.*collapse=True"):
        viz.stepper(loss)
    with pytest.raises(ValueError, match=r"the layer view .*max_nodes=20 .*smaller subgraph"):
        viz.stepper(loss, collapse=True, max_nodes=20)
    with pytest.raises(ValueError, match=r"the layer view .*max_nodes=20 "):
        viz.draw_graph(loss, collapse=True, max_nodes=20)
    viz.stepper(loss, collapse=True, max_nodes=layer)     # the limit is the limit
    with pytest.raises(ValueError, match=rf"max_nodes={layer - 1} "):
        viz.stepper(loss, collapse=True, max_nodes=layer - 1)


def test_with_a_layer_view_the_operation_view_is_drawn_up_to_max_nodes():
    _, _, loss = lecture_loss()
    both = viz.stepper(loss, collapse=True, max_nodes=500).html
    assert 'id="zg-no-picture"' not in both and both.count("<svg") == 2
    wide = nn.Neuron(500, seed=0)(list(np.linspace(-1.0, 1.0, 500)))  # 1 node, 503 values
    with pytest.raises(ValueError, match=r"operation view under the layer view .*max_nodes=10"):
        viz.stepper(wide, collapse=True, max_nodes=10)


def test_the_lecture_page_is_small():
    _, _, loss = lecture_loss((16, 16, 16, 1))
    page = viz.stepper(loss, collapse=True).html
    assert len(page.encode()) < 500_000


# ---------------------------------------------------------------------- a large batch

def batch_loss(n: int = 10_000):
    """A mean squared error over n samples of 2 features, through MLP(2, [4, 1])."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    model = nn.MLP(2, [4, 1], seed=0)
    return model, X, y, nn.mse_loss(model(nn.as_inputs(X)), y)


def embedded(page: str, element_id: str = "zg-model") -> dict:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>',
                      page, re.S)
    return json.loads(found.group(1))


def test_a_large_batch_is_embedded_as_its_first_samples_and_the_page_says_so():
    model, X, y, loss = batch_loss()
    page = viz.stepper(loss, collapse=True).html
    assert len(page.encode()) < 1_000_000                 # not 27 MB
    data = embedded(page)
    assert data["batch_size"] == import_module("viz.stepper").SAMPLES == 32
    assert "the first 32 of the 10000 samples" in page
    assert re.search(r'<select id="zg-sample">(.*?)</select>', page).group(1).count("<option") == 32
    # the numbers are those of the first 32 samples, recomputed: the loss is their mean error
    first = [Value(X[:32, 0]), Value(X[:32, 1])]
    expected = float(np.mean(0.5 * (model(first).data - y[:32]) ** 2))     # the book's ½
    assert math.isclose(data["nodes"][-1]["value"], expected, rel_tol=1e-12)
    inputs = [node for node in data["nodes"] if not node["op"] and isinstance(node["value"],
                                                                               list)]
    assert [node["value"] for node in inputs] == [list(X[:32, 0]), list(X[:32, 1])]
    ja = viz.stepper(loss, lang="ja", samples=50).html
    assert embedded(ja)["batch_size"] == 50 and "10000 個のうち最初の 50 個" in ja


def test_samples_must_be_a_positive_whole_number_and_a_small_batch_is_whole():
    _, _, _, loss = batch_loss(20)
    page = viz.stepper(loss)
    assert embedded(page.html)["batch_size"] == 20 and "zg-samples-note" not in page.html
    for bad in (0, -1, 2.5, True, "8"):
        with pytest.raises(ValueError, match="samples must be a whole number of at least 1"):
            viz.stepper(loss, samples=bad)


def test_the_lecture_demo_writes_its_picture_and_page(tmp_path, capsys):
    pytest.importorskip("graphviz")
    from demos import lecture_mlp
    assert lecture_mlp.main(["--out", str(tmp_path), "--lang", "ja"]) == 0
    assert (tmp_path / "lecture_mlp_ja.png").read_bytes().startswith(b"\x89PNG")
    page = (tmp_path / "lecture_mlp_ja.html").read_text(encoding="utf-8")
    assert "W2 16×16" in page and "W3 1×16" in page and 'lang="ja"' in page
    assert "lecture_mlp_ja.html" in capsys.readouterr().out
