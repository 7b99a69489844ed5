"""The book's shopping graphs (chapter 5): forward values, the gradients from backward, and the
graph drawn with both.

    python -m demos.shopping [--lang ja] [--out DIR]   # out/shopping_apples.png and .svg,
                                                       # out/shopping_oranges.png and .svg

2 apples at 100 each with a tax of 1.1 cost 220; backward says how the price moves with each
input: apple 2.2, apple_num 110, tax 200 (figure 5-16). With 3 oranges at 150 as well the price
is 715: apple 2.2, apple_num 110, orange 3.3, orange_num 165, tax 650 (figure 5-17). The floats
are 220.00000000000003 and 3.3000000000000003; they are printed rounded, as the book does.
The graphs come from `viz.presets.shopping`, with the book's names (りんご, みかん with --lang ja).

Read next: `demos/sigmoid_graph.py` (the same backward pass through a sigmoid).
"""

from __future__ import annotations

import viz
from autograd import Value, topological_order
from demos import book_parser, pad, picture_path, terminal_width
from viz.labels import CLI_TEXT, words

INPUTS = {False: ["apple", "apple num", "tax"],            # the book's order of the gradients
          True: ["apple", "apple num", "orange", "orange num", "tax"]}


def book_numbers(oranges: bool, lang: str = "en") -> tuple[Value, list, list]:
    """The price, then (name, value) of every computed node in forward order, and
    (name, gradient) of every input in the book's order."""
    price = viz.presets.shopping(oranges=oranges, lang=lang)
    text, order = words(lang), topological_order(price)
    by_name = {node.name: node for node in order}
    forward = [(node.name, node.data) for node in order if node.parents]
    backward = [(text[key], by_name[text[key]].grad) for key in INPUTS[oranges]]
    return price, forward, backward


def rounded(x: float) -> str:
    """A number as the book prints it: 220, 2.2, 3.3 (not 220.00000000000003)."""
    return f"{x:.10g}"


def report(title: str, forward: list, backward: list, text: dict) -> str:
    """The title, the forward values, then the gradients, one per line."""
    width = max(terminal_width(name) for name, _ in forward + backward)
    lines = [title, "  " + text["forward values"]]
    lines += [f"    {pad(name, width)}  {rounded(value)}" for name, value in forward]
    lines.append("  " + text["backward gradients"])
    lines += [f"    {pad(name, width)}  {rounded(grad)}" for name, grad in backward]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print both graphs' numbers and draw both graphs; returns 0."""
    args = book_parser("shopping", __doc__).parse_args(argv)
    text = words(args.lang)
    for oranges, name in ((False, "apples"), (True, "oranges")):
        price, forward, backward = book_numbers(oranges, args.lang)
        print(report(text[f"shopping {name}"], forward, backward, text))
        png = picture_path(args.out, f"shopping_{name}", args.lang)
        for path in (png, png.with_suffix(".svg")):    # the SVG stays sharp on a projector
            viz.render(price, path, format=path.suffix[1:], lang=args.lang)
            print(CLI_TEXT[args.lang]["wrote"].format(path=path))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
