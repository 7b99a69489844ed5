"""`make demo` / `python -m demos`: the guided tour.

1. the textbook sigmoid graph, drawn (SVG and PNG) with backprop frames, checked three ways;
2. the table that checks every computational-graph rule against numerical differentiation;
3. a small classifier (micrograd's moons recipe) trained live, with its decision boundary;
4. a GPT (microgpt's model, from nn's blocks) that learns names and makes up new ones
   (python -m demos.gpt --lang ja: Japanese names).
Every picture goes under out/; each step prints where its files went.
"""

import sys

from demos import derivatives, gpt, moons, sigmoid_graph

TOUR = [
    ("The sigmoid graph, node by node", sigmoid_graph.main),
    ("Every rule, checked", derivatives.main),
    ("A classifier, trained live", moons.main),
    ("A GPT that invents names", gpt.main),
]


def main() -> int:
    """Run each stop of the tour; fail if any stop fails."""
    failures = 0
    for number, (title, run) in enumerate(TOUR, start=1):
        print(f"\n=== {number}. {title} ===\n", flush=True)
        failures += run([]) != 0
    print("\nAll pictures are under out/." if not failures else f"\n{failures} step(s) failed.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
