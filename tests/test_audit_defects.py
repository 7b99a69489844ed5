"""The held-out audit's defects in the pictures, the page's file and the command line (issue 18,
D5–D7, D10, D11, D13): each reproduction, fixed. Names are shown exactly as written, files are
never left half written, and the terminal gets what it can print."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ElementTree

import pytest

import nn
import viz
from autograd import Value

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="needs Graphviz's dot (make test installs it as root)")


def svg_texts(path) -> list[str]:
    tree = ElementTree.parse(path)
    return ["".join(e.itertext()) for e in tree.iter("{http://www.w3.org/2000/svg}text")]


# ---------------------------------------------------------------------- D6, D7: dot's escapes

TRICKY = "a\\N\\G\\\\b\\l\\E\\n"          # what dot would read as its escapes


@needs_dot
def test_a_value_name_with_dots_escapes_is_drawn_as_written(tmp_path):
    x = Value(0.5, name=TRICKY)
    y = (x * 2).sigmoid()
    y.backward()
    for lang in ("en", "ja"):
        texts = svg_texts(viz.render(y, tmp_path / f"{lang}.svg", lang=lang))
        assert TRICKY in texts


@needs_dot
@pytest.mark.parametrize("name", ["layer\\", "L\\N\\G\\l\\E\\n", "\\"])
def test_a_layer_name_with_backslashes_is_drawn_as_written_in_the_layer_view(tmp_path, name):
    model = nn.Layer(2, 2, seed=0, name=name)
    out = sum(model([0.5, -1.0]))
    out.backward()
    texts = svg_texts(viz.render(out, tmp_path / "layer.svg", collapse=True))
    assert any(text.endswith(name) for text in texts), texts


@needs_dot
def test_an_unprintable_character_is_drawn_as_its_escape_not_as_a_line_break(tmp_path):
    x = Value(1.0, name="a\nb")
    texts = svg_texts(viz.render(x * 2, tmp_path / "g.svg"))
    assert "a\\nb" in texts
