"""The higher-order demo (demos/higher_order.py): tanh's derivatives by repeated
grad(create_graph=True) against sympy, Newton's method against the closed-form f′ and f″ of
x⁴ − 2x², and the demo itself, run in-process in both languages."""

import math
import re

import numpy as np
import pytest
import sympy as sp

from autograd import Value, topological_order
from demos import higher_order
from viz import draw_graph
from viz.book_plots import plot_derivatives
from viz.labels import TEXT

POINTS = [-2.7, -1.0, -0.3, 0.0, 0.25, 1.0, 2.2]
PNG = b"\x89PNG\r\n\x1a\n"


def sympy_derivatives(points, orders=4):
    """d^k tanh/dx^k at each point, k = 0..orders, from sympy's diff (exact, then evaluated)."""
    s = sp.Symbol("s")
    return [[float(sp.diff(sp.tanh(s), s, k).subs(s, x).evalf(30)) for x in points]
            for k in range(orders + 1)]


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


def test_tanh_derivatives_on_a_batch_match_sympy():
    curves = higher_order.tanh_curves(np.array(POINTS))
    expected = sympy_derivatives(POINTS)
    assert len(curves) == 5
    for k, (curve, exact) in enumerate(zip(curves, expected)):
        for x, got, want in zip(POINTS, curve, exact):
            assert close(got, want), (k, x, got, want)


@pytest.mark.parametrize("x", [-1.3, 0.0, 0.7])
def test_tanh_derivatives_of_one_number_match_sympy(x):
    values = higher_order.derivatives(higher_order.tanh, Value(x))
    for k, (value, [want]) in enumerate(zip(values, sympy_derivatives([x]))):
        assert isinstance(value, Value)           # create_graph: every derivative is a Value
        assert close(float(value.data), want), (k, value.data, want)


def closed_form_newton(x=2.0, tolerance=1e-12, limit=10):
    """Newton's iterates on x⁴ − 2x² with f′ = 4x³ − 4x and f″ = 12x² − 4 written out."""
    iterates = [x]
    while len(iterates) <= limit:
        step = (4 * x ** 3 - 4 * x) / (12 * x ** 2 - 4)
        if abs(step) < tolerance:
            break
        x -= step
        iterates.append(x)
    return iterates


def test_newton_iterates_match_the_closed_form():
    rows = higher_order.newton()
    expected = closed_form_newton()
    assert [x for x, _, _ in rows] == pytest.approx(expected, rel=1e-14)
    for x, first, second in rows:
        assert first == pytest.approx(4 * x ** 3 - 4 * x, rel=1e-12, abs=1e-12)
        assert second == pytest.approx(12 * x ** 2 - 4, rel=1e-12)
    assert rows[-1][0] == pytest.approx(1.0, abs=1e-15)
    assert len(rows) - 1 < 10                     # stopped by the tolerance, not the limit


def test_newton_starts_like_dezero_step_34():
    printed = [2.0, 1.4545454545454546, 1.1510467893775467, 1.0253259289766978,
               1.0009084519430513, 1.0000012353089454]          # DeZero's printout
    iterates = [x for x, _, _ in higher_order.newton()]
    assert iterates[:6] == pytest.approx(printed, rel=1e-15)


def test_newton_stops_at_the_iteration_limit():
    rows = higher_order.newton(tolerance=0.0, max_iterations=3)
    assert len(rows) == 4                         # the start and 3 updates


def test_tanh_is_one_box_with_its_rule_in_the_collapsed_forward_graph():
    y, first, second = higher_order.derivative_graphs()
    source = draw_graph(y, collapse=True, show_rules=True).source
    assert re.search(r"<B>tanh</B>.*∂ = 1−y².*shape=box", source)


def test_derivative_graphs_reuse_tanh_inside_so_it_stays_expanded():
    y, first, second = higher_order.derivative_graphs()
    inside = {node.name: node for node in topological_order(y)}
    assert {"e", "1 + e", "1 − e"} <= set(inside)
    assert inside["1 + e"] in topological_order(second)   # the very node, not a copy
    source = draw_graph(second, collapse=True).source
    assert "<B>tanh</B>" not in source and "<B>1 + e</B>" in source
    assert "<B>∂y/∂y</B>" in source and "<B>∂y′/∂y′</B>" in source
    assert float(second.data) == pytest.approx(sympy_derivatives([1.0], 2)[2][0], rel=1e-12)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_plot_derivatives_draws_five_labelled_curves(lang):
    x = np.linspace(-3, 3, 61)
    figure = plot_derivatives(x, higher_order.tanh_curves(x), lang=lang)
    axis = figure.axes[0]
    labels = [line.get_label() for line in axis.get_legend().get_lines()]
    assert labels == [TEXT[lang][f"derivative {k}"] for k in range(5)]
    assert axis.get_title() == TEXT[lang]["derivatives title"]


@pytest.mark.parametrize("lang, suffix", [("en", ""), ("ja", "_ja")])
def test_demo_runs_and_writes_its_pictures(tmp_path, capsys, lang, suffix):
    assert higher_order.main(["--out", str(tmp_path), "--lang", lang]) == 0
    out = capsys.readouterr().out
    for name in ("derivatives", "tanh_graph", "d1_graph", "d2_graph"):
        path = tmp_path / f"higher_order_{name}{suffix}.png"
        data = path.read_bytes()
        assert data.startswith(PNG) and len(data) > 5000, path
        assert str(path) in out
    for name in ("d1_graph", "d2_graph"):
        assert (tmp_path / f"higher_order_{name}{suffix}.svg").read_text().startswith("<?xml")
    printed = [float(row[1]) for row in (line.split() for line in out.splitlines())
               if len(row) == 5 and re.fullmatch(r"\d+", row[0])]
    assert printed == pytest.approx(closed_form_newton(), rel=1e-15)
