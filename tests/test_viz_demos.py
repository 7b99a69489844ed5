"""The four seed demos run, print their checks, write their pictures under --out, and pass."""

import pytest

from demos import activations, derivatives, sigmoid_graph, vanishing_gradients


def test_sigmoid_graph_checks_both_derivatives_and_draws_everything(tmp_path, capsys):
    assert sigmoid_graph.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "dz/dx           0.235004    0.235004      0.235004  yes" in out
    assert "dz/d(-1)       -0.587509   -0.587509     -0.587509  yes" in out
    assert "equals  -(x+2)·z(1-z)" in out
    for name in ("sigmoid_graph.svg", "sigmoid_graph.png", "sigmoid_frames/backprop.gif"):
        assert (tmp_path / name).exists() and str(tmp_path / name) in out
    frames = sorted((tmp_path / "sigmoid_frames").glob("frame_*.png"))
    assert len(frames) == 16 and f"16 frames to {tmp_path / 'sigmoid_frames'}/" in out


def test_sigmoid_closed_forms_match_the_engine_away_from_zero():
    from autograd import Value
    x, c = Value(-1.7), Value(-1.0)
    z = sigmoid_graph.sigmoid_from_primitives(x, c)
    z.backward()
    assert (x.grad, c.grad) == pytest.approx(sigmoid_graph.closed_forms(x.data, z.data))


def test_derivatives_table_passes_every_rule(capsys):
    assert derivatives.main([]) == 0
    out = capsys.readouterr().out
    results = [line.split()[-1] for line in out.splitlines()[2:] if line.strip()][:-1]
    assert results == ["pass"] * len(derivatives.RULES) and "FAIL" not in out


def test_derivatives_table_reports_a_wrong_closed_form():
    wrong = derivatives.Rule("mul", "wrong", lambda a, b: a * b, [1.5, -0.7], 0, lambda a, b: a)
    text, passed = derivatives.table([wrong])
    assert not passed and text.endswith("FAIL")


def test_activations_prints_the_saturation_table_and_plots(tmp_path, capsys):
    assert activations.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "      0 |          0.5         0.25 |            0            1" in out
    assert len([line for line in out.splitlines() if " | " in line]) == 10
    assert (tmp_path / "activations.png").stat().st_size > 1000


def test_vanishing_gradients_shrink_with_sigmoid_and_not_with_relu(tmp_path, capsys):
    assert vanishing_gradients.main(["--out", str(tmp_path)]) == 0
    weights = vanishing_gradients.make_weights(10, 10, seed=3)
    inputs = __import__("numpy").random.default_rng(4).normal(size=10)
    sigmoid = vanishing_gradients.gradient_magnitudes(
        vanishing_gradients.ACTIVATIONS["sigmoid"], weights, inputs)
    relu = vanishing_gradients.gradient_magnitudes(
        vanishing_gradients.ACTIVATIONS["relu"], weights, inputs)
    assert sigmoid[0] < 1e-3 * sigmoid[-1] and relu[0] > 0.1 * relu[-1]
    assert (tmp_path / "vanishing_gradients.png").stat().st_size > 1000
    assert "sigmoid: layer 1 gets" in capsys.readouterr().out
