"""One calculus: every place that shows or uses a primitive reads its record in autograd/rules.py.

These tests walk the rule table, so a record that is missing a part, or a place that does not
know a primitive, fails here with the op's name and the place. The last ones register a
throwaway primitive at run time and check that it is drawn, framed, differentiated twice and
collapsed with no other edit (the page is checked in test_stepper_browser.py).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import autograd
import viz
from autograd import Primitive, Value
from autograd.rules import PARTIALS, PRIMITIVES
from viz.frames import describe
from viz.labels import rule_text, words

POINT = (1.5, 2.5)


def build(op: str) -> tuple[Value, list[Value]]:
    """The primitive applied to fresh leaves (a batch for the reductions), and the leaves."""
    primitive = PRIMITIVES[op]
    if primitive.reduces:
        leaves = [Value(np.array([1.5, 2.5, -0.5]), name="a")]
    else:
        leaves = [Value(x, name="ab"[i]) for i, x in enumerate(POINT[:primitive.arity or 2])]
    return autograd.apply(op, *leaves), leaves


@pytest.mark.parametrize("op", sorted(PRIMITIVES))
def test_every_record_is_complete(op):
    primitive = PRIMITIVES[op]
    assert primitive.op == op and PARTIALS[op] is primitive.partial, op
    assert primitive.symbol and primitive.rule, f"{op}: no symbol or rule text"
    assert primitive.js_forward.strip() and primitive.js_partial.strip(), f"{op}: no JavaScript"
    for lang in ("en", "ja"):
        for rule in primitive.rule:
            assert isinstance(rule, str) or rule.get(lang), f"{op}: no {lang} rule text"


@pytest.mark.parametrize("op", sorted(PRIMITIVES))
def test_every_primitive_is_drawn_with_its_symbol_and_rule(op):
    out, leaves = build(op)
    out.backward()
    for lang in ("en", "ja"):
        source = viz.draw_graph(out, show_rules=True, lang=lang).source
        symbol = PRIMITIVES[op].symbol
        assert f">{viz.labels.escape(symbol)}<" in source or f"label={symbol}" in source or \
            f'label="{symbol}"' in source, f"{op}: its symbol {symbol!r} is not drawn ({lang})"
        rule = rule_text(op, 0, len(out.operands), words(lang))
        assert rule and f"∂ = {viz.labels.escape(rule)} =" in source, \
            f"{op}: the rule {rule!r} is not on its edge ({lang})"


@pytest.mark.parametrize("op", sorted(PRIMITIVES))
def test_every_primitive_has_a_frame_title_with_its_numbers(op):
    out, leaves = build(op)
    text = describe(out)
    assert text.endswith(f"= {viz.labels.summary(out.data, 4)}"), (op, text)
    form = PRIMITIVES[op].form
    if form == "call":
        assert text.startswith(f"{op}("), (op, text)
    elif form == "infix":
        assert f" {PRIMITIVES[op].symbol} " in text, (op, text)
    else:
        assert text.startswith(PRIMITIVES[op].symbol.replace("x", "(")), (op, text)


@pytest.mark.parametrize("op", sorted(PRIMITIVES))
def test_every_primitive_differentiates_twice_under_create_graph(op):
    """The record's partial built as Values gives the recorded numbers, and can itself be
    differentiated (checked against central differences of the first derivative)."""
    out, leaves = build(op)
    total = out.sum() if isinstance(out.data, np.ndarray) else out
    first = autograd.grad(total, leaves, create_graph=True)
    plain = autograd.grad(total, leaves)
    for g, h in zip(first, plain):
        assert np.allclose(g.data, h, rtol=1e-12), op
    if PRIMITIVES[op].reduces:
        return
    for k, leaf in enumerate(leaves):
        [second] = autograd.grad(first[k], [leaf])

        def first_derivative(*values, k=k):
            return autograd.grad(autograd.apply(op, *values), list(values),
                                 create_graph=True)[k]
        [numerical] = autograd.numerical_grad(
            lambda x: first_derivative(*[x if j == k else v for j, v in enumerate(leaves)]),
            [leaf.data])
        assert math.isclose(second, numerical, rel_tol=1e-5, abs_tol=1e-6), (op, k)


def test_relu_partial_at_zero_is_zero_as_in_pytorch_everywhere():
    for x in (0.0, -0.0):
        out = Value(x).relu()
        assert out.data == 0.0 and out.partials == (0.0,)
        assert PRIMITIVES["relu"].partial((x,), out.data, 0) == 0.0
    batch = Value(np.array([0.0, -0.0, 2.0, -1.0]))
    out = batch.relu()
    assert out.partials[0].tolist() == [0.0, 0.0, 1.0, 0.0]
    [as_value] = autograd.grad(out.sum(), [batch], create_graph=True)
    assert as_value.data.tolist() == [0.0, 0.0, 1.0, 0.0]
    assert out.op == "relu" and out.parents == (batch,)      # one node, not a mul by a gate


def test_maximum_ties_give_half_to_each_operand_everywhere():
    a, b = Value(2.0), Value(2.0)
    out = autograd.maximum(a, b)
    assert out.partials == (0.5, 0.5)
    out.backward()
    assert a.grad == b.grad == 0.5
    batch = autograd.maximum(Value(np.array([1.0, 2.0, 3.0])), 2.0)
    assert batch.partials[0].tolist() == [0.0, 0.5, 1.0]
    nan = autograd.maximum(Value(math.nan), Value(1.0))
    assert math.isnan(nan.data) and nan.partials == (0.0, 0.0)


def test_a_missing_primitive_and_a_wrong_operand_count_name_what_is_allowed():
    with pytest.raises(ValueError, match="no primitive 'cube' in the rule table; it has add"):
        autograd.apply("cube", Value(1.0))
    with pytest.raises(TypeError, match="maximum takes 2 operand"):
        autograd.apply("maximum", Value(1.0))


@pytest.fixture
def cube():
    """A throwaway primitive, cube(a) = a³ with d/da = 3a², registered for one test only."""
    record = autograd.define(Primitive(
        "cube", 1, "³", "call", lambda a: a * a * a,
        lambda args, out, i: 3.0 * args[0] * args[0],           # d(a³)/da = 3a²
        ("3a²",), "a * a * a", "3 * a * a", function="cube"))
    try:
        yield record
    finally:
        del PRIMITIVES["cube"], PARTIALS["cube"]
        delattr(Value, "cube")


def test_a_primitive_registered_at_run_time_is_drawn_framed_and_differentiated(cube, tmp_path):
    x = Value(0.5, name="x")
    y = x.cube().sigmoid()
    y.backward()
    assert math.isclose(x.grad, y.data * (1 - y.data) * 3 * 0.25, rel_tol=1e-12)
    [dy] = autograd.grad(x.cube(), [x], create_graph=True)                 # 3x²
    [d2y] = autograd.grad(dy, [x])                                         # 6x
    assert math.isclose(dy.data, 0.75) and math.isclose(d2y, 3.0)
    source = viz.draw_graph(y, show_rules=True).source
    assert "³" in source and "∂ = 3a² = 0.75" in source
    assert re.search(r"cube\(0\.5\) = 0\.125", describe(x.cube()))
    layered = viz.draw_graph(y, collapse=True, show_rules=True, lang="ja").source
    assert "³" in layered and "y(1−y)" in layered
    frames = viz.backward_frames(y, tmp_path / "frames", format="svg")      # needs dot
    assert frames and any("cube(0.5) = 0.125" in f.read_text() for f in frames)


def test_a_bad_record_or_operand_is_refused_with_what_is_allowed():
    good = dict(op="bad", arity=1, symbol="?", form="call", forward=lambda a: a,
                partial=lambda args, out, i: 1.0, rule=("1",), js_forward="a", js_partial="1")
    with pytest.raises(ValueError, match="form must be 'infix', 'prefix' or 'call'"):
        autograd.define(Primitive(**{**good, "form": "postfix"}))
    with pytest.raises(ValueError, match="arity must be 0 \\(any\\), 1 or 2"):
        autograd.define(Primitive(**{**good, "arity": 3}))
    assert "bad" not in PRIMITIVES
    with pytest.raises(TypeError, match="sqrt takes Values and numbers .* got str"):
        autograd.apply("sqrt", "x")
    with pytest.raises(TypeError, match="maximum needs|maximum takes 2"):
        autograd.apply("maximum")
