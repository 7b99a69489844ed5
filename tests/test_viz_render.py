"""viz.render and viz.backward_frames: real files written with Graphviz's dot, the fallback
when dot is missing, and the step-by-step scenes of forward and backward passes."""

import os
import re
import shutil
import xml.etree.ElementTree as ElementTree

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import autograd
import viz
from autograd import Value
from viz.draw import build
from viz.frames import backward_scenes, forward_scenes
from viz.labels import words
from viz.render import measure, run_dot
from viz.scene import read_graph


def sigmoid_graph():
    """The seed's sigmoid graph: 7 values, 8 edges between values; c and c² are branch points."""
    x, c = Value(0.5, name="x"), Value(-1.0, name="-1")
    one = c ** 2
    z = one / (one + (c * x).exp())
    z.name = "z"
    return x, c, z


def svg_texts(path) -> list[str]:
    tree = ElementTree.parse(path)
    return ["".join(e.itertext()) for e in tree.iter("{http://www.w3.org/2000/svg}text")]


# ---------------------------------------------------------------------- render

def test_render_writes_a_real_svg_with_the_values(tmp_path):
    x, c, z = sigmoid_graph()
    z.backward()
    path = viz.render(z, tmp_path / "sigmoid.svg")
    texts = svg_texts(path)
    assert path == tmp_path / "sigmoid.svg"
    assert {"z", "data 0.6225", "grad 0.235", "∂ -0.3875", "grad -0.5875"} <= set(texts)


@pytest.mark.parametrize("format, magic", [("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_render_writes_png_and_pdf(tmp_path, format, magic):
    _, _, z = sigmoid_graph()
    path = viz.render(z, tmp_path / f"graph.{format}", format=format)
    assert path.read_bytes().startswith(magic)


def test_render_refuses_an_unknown_format(tmp_path):
    _, _, z = sigmoid_graph()
    with pytest.raises(ValueError, match="unknown format 'jpg': use one of svg, png, pdf"):
        viz.render(z, tmp_path / "graph.jpg", format="jpg")


def test_without_dot_the_source_is_written_and_the_error_says_how_to_install(tmp_path,
                                                                          monkeypatch):
    _, _, z = sigmoid_graph()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(RuntimeError) as error:
        viz.render(z, tmp_path / "graph.svg")
    message = str(error.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert str(tmp_path / "graph.gv") in message
    assert (tmp_path / "graph.gv").read_text().startswith("digraph")
    assert not (tmp_path / "graph.svg").exists()


# ---------------------------------------------------------------------- frames

def test_frames_are_one_per_value_forward_then_seed_and_one_per_edge_backward(tmp_path):
    x, c, z = sigmoid_graph()
    paths = viz.backward_frames(z, tmp_path)
    n_values, n_edges = 7, 8
    assert len(paths) == n_values + 1 + n_edges
    assert [p.name for p in paths[:2]] == ["frame_000_forward.png", "frame_001_forward.png"]
    assert paths[n_values - 1].name == "frame_006_forward.png"
    assert paths[n_values].name == "frame_007_backward.png"
    assert paths[-1].name == "frame_015_backward.png"
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)
    assert sorted(tmp_path.iterdir()) == paths


def test_frames_keep_one_layout_from_first_to_last(tmp_path):
    _, _, z = sigmoid_graph()
    sizes = {Image.open(p).size for p in viz.backward_frames(z, tmp_path)}
    assert len(sizes) == 1


def test_frames_do_not_touch_grad(tmp_path):
    x, c, z = sigmoid_graph()
    viz.backward_frames(z, tmp_path, format="svg")
    assert all(node.grad == 0.0 for node in autograd.topological_order(z))
    z.backward()
    viz.backward_frames(z, tmp_path, format="svg")
    assert x.grad == pytest.approx(z.data * (1 - z.data))


def svg_shapes(path) -> list[str]:
    """Where every box, circle and arrow of an svg is: its path and polygon coordinates."""
    return re.findall(r'(?: d| points)="([^"]*)"', path.read_text())


def test_every_frame_is_drawn_in_one_layout_with_the_arrows_at_their_own_edges(tmp_path):
    """The layout of the last frame, pinned into every frame: each box, arrow and label stays
    where it is, and each arrow's label is the partial of its own edge."""
    x, c, z = sigmoid_graph()
    paths = viz.backward_frames(z, tmp_path, format="svg")
    shapes = [svg_shapes(path) for path in paths]
    assert all(s == shapes[0] for s in shapes) and len(shapes[0]) > 20
    graph = read_graph(z, 100)
    scenes = forward_scenes(graph) + backward_scenes(graph)
    widths = measure(graph, scenes, 4, words("en"))
    laid_out_alone = tmp_path / "alone.svg"            # the last frame, laid out by dot itself
    laid_out_alone.write_bytes(run_dot(build(graph, scenes[-1], widths=widths).source, "svg"))
    alone, pinned = svg_shapes(laid_out_alone)[1:], shapes[-1][1:]      # (past the background)
    assert len(alone) == len(pinned)
    for a, b in zip(alone, pinned):                   # the same places, to a point's rounding
        assert np.allclose(numbers(a), numbers(b), atol=1.0), (a, b)
    assert svg_texts(laid_out_alone) == svg_texts(paths[-1])


def numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?[0-9.]+", text)]


def logging_graphviz(tmp_path, monkeypatch) -> Path:
    """`dot` and `neato` on PATH that log their arguments, then run the real ones."""
    folder, log = tmp_path / "bin", tmp_path / "runs.log"
    folder.mkdir()
    for program in ("dot", "neato"):
        real = shutil.which(program)
        script = folder / program
        script.write_text(f'#!/bin/sh\necho "{program} $*" >> {log}\nexec {real} "$@"\n')
        script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log


def test_frames_cost_one_layout_and_one_drawing_run(tmp_path, monkeypatch):
    log = logging_graphviz(tmp_path, monkeypatch)
    _, _, z = sigmoid_graph()
    paths = viz.backward_frames(z, tmp_path / "frames")
    runs = log.read_text().splitlines()
    assert len(paths) == 16 and len(runs) == 2
    assert runs[0] == "dot -Tjson" and runs[1].startswith("neato -n2 -Tpng -O ")


def test_the_gif_has_every_frame(tmp_path):
    _, _, z = sigmoid_graph()
    paths = viz.backward_frames(z, tmp_path, gif=True)
    assert paths[-1].name == "backprop.gif"
    assert Image.open(paths[-1]).n_frames == len(paths) - 1


def test_a_gif_needs_png_frames(tmp_path):
    _, _, z = sigmoid_graph()
    with pytest.raises(ValueError, match="png"):
        viz.backward_frames(z, tmp_path, format="svg", gif=True)


def test_forward_scenes_reveal_values_in_topological_order():
    x, c, z = sigmoid_graph()
    graph = read_graph(z, 100)
    scenes = forward_scenes(graph)
    assert [s.computed for s in scenes] == list(range(1, 8))
    first = build(graph, scenes[0]).source
    assert first.count("data ?") == 6 and "∂ ?" in first
    assert scenes[-1].title == "Forward pass, step 7 of 7: 1 ÷ 1.607 = 0.6225"


def test_backward_scenes_replay_the_chain_rule_to_the_engine_gradients():
    x, c, z = sigmoid_graph()
    graph = read_graph(z, 100)
    scenes = backward_scenes(graph)
    expected = autograd.grad(z, graph.order)
    final = scenes[-1].grads
    assert [final[i] for i in range(7)] == pytest.approx(expected)
    assert [s.edge is None for s in scenes] == [True] + [False] * 8


def test_a_branch_point_shows_the_addition_of_its_gradients():
    x, c, z = sigmoid_graph()
    graph = read_graph(z, 100)
    scenes = backward_scenes(graph)
    c_position = graph.position[c]
    [adding] = [s for s in scenes if c_position in s.sums]
    before, added, after = adding.sums[c_position]
    assert before + added == after == pytest.approx(-(0.5 + 2) * z.data * (1 - z.data))
    assert "grad -0.1175 + (-0.47) = -0.5875" in build(graph, adding).source
    assert 'penwidth=3' in build(graph, adding).source          # the edge in use stands out


def test_batch_frames_sum_the_gradient_of_a_shared_number():
    w = Value(2.0, name="w")
    x = Value(np.array([1.0, 2.0, 3.0]), name="x")
    loss = (w * x).sum()
    graph = read_graph(loss, 100)
    final = backward_scenes(graph)[-1].grads
    assert final[graph.position[w]] == pytest.approx(6.0)
    assert np.allclose(final[graph.position[x]], [2.0, 2.0, 2.0])


def test_frames_refuse_large_graphs(tmp_path):
    x = Value(1.0)
    for _ in range(200):
        x = x + 1.0
    with pytest.raises(ValueError, match="max_nodes=100"):
        viz.backward_frames(x, tmp_path)


def test_one_arrow_for_x_times_x_is_in_use_in_both_of_its_backward_steps():
    x = Value(3.0, name="x")
    graph = read_graph(x * x, 100)
    seed, first, second = backward_scenes(graph)
    assert first.title.endswith("= 3 (use 1 of 2 on the ×2 arrow)")
    assert second.title.endswith("= 3 (use 2 of 2 on the ×2 arrow)")
    for scene in (first, second):
        [arrow] = [line for line in build(graph, scene).source.splitlines() if "v0 -> op1" in line]
        assert "penwidth=3" in arrow and "×2 ∂ 3" in arrow
    assert "grad 3 + 3 = 6" in build(graph, second).source


def test_frames_and_drawings_never_show_negative_zero(tmp_path):
    x = Value(-0.0, name="x")
    y = x * 1.0
    y.backward()
    graph = read_graph(y, 100)
    texts = [s.title for s in forward_scenes(graph) + backward_scenes(graph)]
    texts += svg_texts(viz.render(y, tmp_path / "g.svg"))
    assert texts and not [t for t in texts if re.search(r"(?<![\w.])-0(?![\w.])", t)]


def test_frames_describe_a_batch_array_constant(tmp_path):
    from viz.frames import describe
    x = Value(np.array([1.0, 2.0]), name="x")
    y = x * np.array([3.0, 4.0])
    assert describe(y) == "[1, 2] × [3, 4] = [3, 8]"
    (y.sum()).backward()
    assert len(viz.backward_frames(y.sum(), tmp_path, format="svg")) > 3
