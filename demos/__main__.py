"""`make demo` / `python -m demos [--lang ja]`: the guided tour.

1. the textbook sigmoid graph, drawn (SVG and PNG) with backprop frames, checked three ways;
2. the table that checks every computational-graph rule against numerical differentiation;
3. a small classifier (micrograd's moons recipe) trained live, with its decision boundary;
4. a GPT (microgpt's model, from nn's blocks) that learns names and makes up new ones
   (with --lang ja: Japanese names).
Every picture goes under out/; each step prints where its files went. --lang ja runs every
stop in Japanese (its words, its printout, its pictures named *_ja.png).
"""

import argparse
import sys

from demos import derivatives, gpt, moons, sigmoid_graph
from viz.labels import words

TOUR = [
    ("tour sigmoid", sigmoid_graph.main),
    ("tour rules", derivatives.main),
    ("tour classifier", moons.main),
    ("tour gpt", gpt.main),
]


def main(argv: list[str] | None = None) -> int:
    """Run each stop of the tour in --lang's language; fail if any stop fails."""
    parser = argparse.ArgumentParser(prog="python -m demos", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=("en", "ja"), default="en",
                        help="the language of every stop's printout and pictures (default en)")
    lang = parser.parse_args(argv).lang
    text, failures = words(lang), 0
    for number, (title, run) in enumerate(TOUR, start=1):
        print(f"\n=== {number}. {text[title]} ===\n", flush=True)
        failures += run(["--lang", lang]) != 0
    print("\n" + (text["tour failed"].format(failures=failures) if failures
                  else text["tour done"]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
