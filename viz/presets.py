"""The book's worked examples, ready to draw: the shopping graphs of chapter 5.

    >>> price = viz.presets.shopping(lang="ja")     # りんご 100円 × 2個 × 消費税 1.1
    >>> viz.draw_graph(price, lang="ja")            # 220; dりんご 2.2, d個数 110, d消費税 200

Each function builds the graph with the book's numbers and names (in the language asked for,
from `labels.TEXT`), runs the backward pass, and returns the output Value. The pictures show
the numbers as a learner writes them (220, 3.3), though the floats are 220.00000000000003 and
3.3000000000000003.

Read next: `formula.py` (the same graphs from a typed formula).
"""

from __future__ import annotations

from autograd import Value

from .labels import words


def shopping(oranges: bool = False, lang: str = "en") -> Value:
    """Apples (100 each, 2 of them) and, with oranges=True, oranges (150 each, 3), with 10% tax.

    Apples only: price 220; gradients apple 2.2, apple_num 110, tax 200 (book, figure 5-16).
    With oranges: price 715; apple 2.2, apple_num 110, orange 3.3, orange_num 165, tax 650
    (book, figure 5-17).
    """
    name = words(lang)
    apple, apple_num = Value(100.0, name=name["apple"]), Value(2.0, name=name["apple num"])
    tax = Value(1.1, name=name["tax"])
    subtotal = _named(apple * apple_num, name["apple price"])
    if oranges:
        orange = Value(150.0, name=name["orange"])
        orange_num = Value(3.0, name=name["orange num"])
        orange_price = _named(orange * orange_num, name["orange price"])
        subtotal = _named(subtotal + orange_price, name["all price"])
    price = _named(subtotal * tax, name["price"])
    price.backward()
    return price


def _named(value: Value, name: str) -> Value:
    value.name = name
    return value
