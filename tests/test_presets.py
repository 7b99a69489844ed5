"""The book's shopping graphs (chapter 5) as one call: its numbers, its names in both languages,
and a drawing that shows the numbers as the book writes them."""

import pytest

import viz
from autograd import topological_order


def _by_name(price):
    return {node.name: node for node in topological_order(price)}


@pytest.mark.parametrize("lang, apple, number, tax", [("en", "apple", "apple_num", "tax"),
                                                      ("ja", "りんご", "りんごの個数", "消費税")])
def test_apples_are_the_books_figure_5_16(lang, apple, number, tax):
    price = viz.presets.shopping(lang=lang)
    nodes = _by_name(price)
    assert price.data == pytest.approx(220.0)
    assert nodes[apple].grad == pytest.approx(2.2)
    assert nodes[number].grad == pytest.approx(110.0)
    assert nodes[tax].grad == pytest.approx(200.0)


def test_apples_and_oranges_are_the_books_figure_5_17():
    price = viz.presets.shopping(oranges=True, lang="ja")
    nodes = _by_name(price)
    assert price.data == pytest.approx(715.0)
    expected = {"りんご": 2.2, "りんごの個数": 110, "みかん": 3.3, "みかんの個数": 165,
                "消費税": 650, "合計": 1.1}
    assert {name: nodes[name].grad for name in expected} == pytest.approx(expected)


def test_the_drawing_shows_the_numbers_as_the_book_writes_them():
    source = viz.draw_graph(viz.presets.shopping(oranges=True, lang="ja"), lang="ja").source
    for shown in ("715", "3.3", "2.2", "650", "165", "りんご", "みかん", "消費税"):
        assert shown in source
    assert "715.0000" not in source and "3.3000" not in source


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="en, ja"):
        viz.presets.shopping(lang="fr")
