"""Bundles: the arrows between two layers of a network drawn as ONE arrow through a weight matrix.

In the layer view (`layers.py`) a neuron is one node, but `MLP(2, [16, 16, 1])` still has
16 × 16 = 256 arrows between its hidden layers, each labelled with its local partial (most of
them "∂ 0" where a relu is off). When a layer's neurons all read the same inputs and it has
more than BUNDLE_ARROWS weights, the drawing instead shows

    previous layer ──▶ [ W2 16×16 | heat map of ∂loss/∂W2 | largest entries ] ──▶ layer L2

one box per weight matrix, named after the layer ("L2" → "W2"), row i holding neuron i's
weights, column j the weights that read input j. The heat map shows the gradient of every
weight (red positive, blue negative, white zero) when a backward pass has reached the graph,
else the weights themselves. The layer's neurons become a column of small boxes (name, data
in black, grad in red) inside the layer's frame.

`draw.py` (draw_graph) and `stepper.py` (the page) both draw bundles with `add_bundles`.

Read next: `draw.py`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from autograd import Value
from autograd.groups import groups_of

from .labels import escape, number

BUNDLE_ARROWS = 12      # a layer with more weights than this is drawn as one bundle
MAX_CELLS = 1024        # a larger matrix gets no heat map, only its largest entries
TOP = 2                 # how many of the largest entries the box writes, one a line
RED, BLUE = (192, 57, 43), (31, 95, 191)


@dataclass(frozen=True)
class Bundle:
    """One weight matrix drawn as a box: its layer's neurons and the Values they all read."""

    name: str                               # "W2"
    layer: str                              # the layer's name: "L2"
    neurons: tuple[int, ...]                # graph positions of the layer's neurons (rows)
    inputs: tuple[int, ...]                 # graph positions of the Values they read
    weights: tuple[tuple[Value, ...], ...]  # weights[i][j]: neuron i's weight on input j

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns): (neurons, inputs of each neuron)."""
        return len(self.weights), len(self.weights[0])

    @property
    def title(self) -> str:
        """The box's heading: "W2 16×16"."""
        rows, columns = self.shape
        return f"{self.name} {rows}×{columns}"


def find_bundles(order: list[Value], position: dict[Value, int]) -> list[Bundle]:
    """The layers of a collapsed graph drawn as bundles: every neuron of the layer reads the
    same Values, and the layer has more than BUNDLE_ARROWS weights."""
    layers: dict = {}
    for i, node in enumerate(order):
        neuron = _group(node, "neuron") if node.op == "neuron" else None
        layer = _group(node, "layer")
        if neuron is not None and layer is not None and neuron.params:
            layers.setdefault(layer, []).append((i, neuron))
    bundles = []
    for k, (layer, members) in enumerate(layers.items()):
        weights = tuple(tuple(neuron.params[:-1]) for _, neuron in members)
        parents = {order[i].parents for i, _ in members}
        if len(parents) == 1 and len({len(row) for row in weights}) == 1 \
                and sum(map(len, weights)) > BUNDLE_ARROWS:
            inputs = tuple(position[p] for p in next(iter(parents)))
            bundles.append(Bundle(_matrix_name(layer.name, k), layer.name or f"{k + 1}",
                                  tuple(i for i, _ in members), inputs, weights))
    return bundles


def _group(node: Value, kind: str):
    return next((g for g in groups_of(node) if g.kind == kind), None)


def _matrix_name(layer: str | None, k: int) -> str:
    """"L2" -> "W2"; any other layer name -> "W(name)"; no name -> "W" and the layer's number."""
    found = re.fullmatch(r"L(\d+)", layer or "")
    if found:
        return f"W{found.group(1)}"
    return f"W({layer})" if layer else f"W{k + 1}"


def short_name(name: str) -> str:
    """A neuron's name inside its layer's frame: "L2.N3" -> "N3" (other names unchanged)."""
    found = re.fullmatch(r"L\d+\.(N\d+)", name)
    return found.group(1) if found else name


def bundled(bundles: list[Bundle]) -> set[int]:
    """The graph positions of every neuron drawn inside a bundled layer."""
    return {i for bundle in bundles for i in bundle.neurons}


# ---------------------------------------------------------------------- the box

def colour(x: float, largest: float) -> str:
    """A heat-map colour: white at 0, red for positive, blue for negative, full at |largest|;
    black for inf or nan (stepper.js's `heat` computes the same, rounding half up)."""
    if not math.isfinite(x):
        return "#000000"
    t = min(1.0, abs(x) / largest) if largest > 0 else 0.0
    base = RED if x > 0 else BLUE
    return "#" + "".join(f"{math.floor(255 + (c - 255) * t + 0.5):02x}" for c in base)


def largest_entries(matrix: list[list[float]], count: int = 2) -> list[tuple[int, int, float]]:
    """The count entries of largest magnitude, (row, column, value), largest first."""
    entries = [(i, j, x) for i, row in enumerate(matrix) for j, x in enumerate(row)]

    entries.sort(key=lambda e: (-abs(e[2]) if math.isfinite(e[2]) else -math.inf, e[0], e[1]))
    return entries[:count]


def scale_text(matrix: list[list[float]], word: str) -> str:
    """The heat map's key: "|grad| ≤ 0.1234", the largest magnitude, at full colour (word is
    "grad" or "weights", translated)."""
    finite = [abs(x) for row in matrix for x in row if math.isfinite(x)]
    return f"|{word}| ≤ {number(max(finite, default=0.0), 4)}"


def top_lines(matrix: list[list[float]]) -> list[str]:
    """The TOP largest entries, one a line: ["w[3,5] = -0.42", "w[0,1] = 0.31"] (a bundle has
    more than BUNDLE_ARROWS > TOP entries)."""
    return [f"w[{i},{j}] = {number(x, 4)}" for i, j, x in largest_entries(matrix, TOP)]


def box_label(bundle: Bundle, matrix: list[list[float]], word: str) -> str:
    """The bundle's HTML-like label: its title, the heat map of matrix, its key and largest
    entries: 2 + TOP texts, in this order (the page finds them by it)."""
    rows, columns = bundle.shape
    finite = [abs(x) for row in matrix for x in row if math.isfinite(x)]
    largest = max(finite, default=0.0)
    cells = ""
    if rows * columns <= MAX_CELLS:
        side = max(3, min(8, 96 // max(rows, columns)))
        wide = max(side, min(32, 80 // columns))       # a narrow matrix gets wider cells
        lines = "".join("<TR>" + "".join(
            f'<TD WIDTH="{wide}" HEIGHT="{side}" FIXEDSIZE="TRUE" BGCOLOR="{colour(x, largest)}">'
            f'</TD>' for x in row) + "</TR>" for row in matrix)
        cells = (f'<TR><TD><TABLE BORDER="1" COLOR="#888888" CELLBORDER="0" CELLSPACING="0" '
                 f'CELLPADDING="0" BGCOLOR="white">{lines}</TABLE></TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
            f'<TR><TD><FONT POINT-SIZE="12"><B>{escape(bundle.title)}</B></FONT></TD></TR>'
            f'{cells}'
            f'<TR><TD><FONT POINT-SIZE="11" COLOR="#c0392b">{escape(scale_text(matrix, word))}'
            f'</FONT></TD></TR>'
            + "".join(f'<TR><TD><FONT POINT-SIZE="11">{escape(line)}</FONT></TD></TR>'
                      for line in top_lines(matrix)) +
            '</TABLE>>')


def frame_title(bundle: Bundle, activation: str, word: str) -> str:
    """A bundled layer's frame, two lines (as narrow as its neurons): "layer L2\n16 × ReLU"."""
    rows = bundle.shape[0]
    return f"{word} {bundle.layer}\n{rows} × {activation}" if activation else \
        f"{word} {bundle.layer}\n{rows}"


def add_bundles(dot, bundles: list[Bundle], labels: list[str], frames: list[str],
                ids: bool = False) -> None:
    """Each bundle as a box between its inputs and its layer's frame (one arrow in, one out).

    labels[k] is bundle k's box, frames[k] its layer's frame title; with ids, the page's ids
    (zg-bundle-k on the box, zg-bundle-in-k and zg-bundle-out-k on the arrows)."""
    dot.attr(compound="true")
    frame_of = {bundle.neurons: _frame(dot, k, bundle, frames[k])
                for k, bundle in enumerate(bundles)}
    for k, bundle in enumerate(bundles):
        extra = (lambda name: {"id": name}) if ids else (lambda name: {})
        dot.node(f"b{k}", labels[k], shape="box", style="rounded,filled", fillcolor="#e4ecf7",
                 color="#333333", margin="0.06,0.04", **extra(f"zg-bundle-{k}"))
        _arrows_in(dot, k, bundle, bundles, frame_of, extra)
        cluster, middle = frame_of[bundle.neurons]
        dot.edge(f"b{k}", f"v{middle}", lhead=cluster, penwidth="2.5",
                 **extra(f"zg-bundle-out-{k}"))


def _frame(dot, k: int, bundle: Bundle, title: str) -> tuple[str, int]:
    """The layer's frame, its neurons in one column; returns (its name, its middle neuron)."""
    name = f"cluster_bundle{k}"
    with dot.subgraph(name=name) as frame:
        label = "<BR/>".join(escape(line) for line in title.split("\n"))
        frame.attr(label=f"<{label}>", style="rounded,dashed", color="#a6a6a6",
                   fontcolor="#555555", fontsize="12")
        with frame.subgraph() as column:
            column.attr(rank="same")
            for i in bundle.neurons:
                column.node(f"v{i}")
    return name, bundle.neurons[len(bundle.neurons) // 2]


def _arrows_in(dot, k: int, bundle: Bundle, bundles, frame_of: dict, extra) -> None:
    """One arrow from the previous bundled layer's frame, else one from each input."""
    previous = next((b for b in bundles if set(b.neurons) == set(bundle.inputs)), None)
    if previous is not None:
        cluster, middle = frame_of[previous.neurons]
        dot.edge(f"v{middle}", f"b{k}", ltail=cluster, penwidth="2.5",
                 **extra(f"zg-bundle-in-{k}"))
        return
    for j in bundle.inputs:
        dot.edge(f"v{j}", f"b{k}", penwidth="1.5", **extra(f"zg-bundle-in-{k}-{j}"))
