"""Laying a graph out once and drawing many pictures of it: the frames of `backward_frames`.

Every frame of backprop shows the same nodes and arrows; only numbers and colours change, and
every text is padded to its widest (`render.measure`), so every frame has the same shapes. So
Graphviz's `dot` lays out one frame (`dot -Tjson`: positions, read by `read_layout`), each
frame's DOT source gets those positions written into it (`pin`: `pos` on every node, the spline
and label positions on every edge), and one run of `neato -n2`, which draws given positions
without laying anything out, writes all the pictures (`render.py` runs both, each with the
time limit). Twenty frames cost about one drawing, and nothing moves from one frame to the
next.

Read next: `plots.py` (matplotlib plots), or `cli.py` (the command line).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import graphviz

_EDGE = re.compile(r"^(\t+(\w+) -> (\w+))( \[|\n)")     # "\tv0 -> op2 [label=...]"
_EDGE_PLACES = ("pos", "lp", "head_lp", "tail_lp", "xlp")    # the spline and its labels' places


@dataclass
class Layout:
    """Where dot put everything: each node's attributes by name, each edge's by its two ends
    (a list: two nodes may have several edges, kept in the order they were made), each
    cluster's box by name, and the whole picture's box."""
    nodes: dict[str, str]
    edges: dict[tuple[str, str], list[str]]
    clusters: dict[str, str]
    box: str


def read_layout(drawn: bytes) -> Layout:
    """The positions in what `dot -Tjson` wrote: of every node, edge and cluster."""
    drawn = json.loads(drawn)
    nodes, clusters, names = {}, {}, {}
    for item in drawn.get("objects", []):
        if "pos" in item:
            names[item["_gvid"]] = item["name"]
            nodes[item["name"]] = f'pos="{item["pos"]}"'       # (sizes: from the labels)
        elif "bb" in item:
            clusters[item["name"]] = f'bb="{item["bb"]}"'
    edges: dict[tuple[str, str], list[str]] = {}
    for edge in sorted(drawn.get("edges", []), key=lambda edge: edge["_gvid"]):
        ends = (names[edge["tail"]], names[edge["head"]])
        edges.setdefault(ends, []).append(
            " ".join(f'{key}="{edge[key]}"' for key in _EDGE_PLACES if key in edge))
    return Layout(nodes, edges, clusters, f'bb="{drawn["bb"]}"')


def pin(dot: graphviz.Digraph, layout: Layout) -> str:
    """dot's source with the layout's positions written into each edge and cluster, and given
    to each node by a statement at the end (a node's attributes add up).

    The frames are built by the same code as the laid-out one: the same nodes and edges, the
    edges between two nodes made in the same order."""
    lines, used = [f"\t{layout.box}\n"], {ends: iter(places)
                                            for ends, places in layout.edges.items()}
    for line in dot.body:
        match = _EDGE.match(line)
        if match:
            place = next(used.get((match.group(2), match.group(3)), iter(())), None)
            if place is None:
                raise RuntimeError(f"an edge of a frame is not in its layout: {line.strip()}")
            line = (f"{match.group(1)} [{place} {line[match.end():]}" if match.group(4) == " ["
                    else f"{match.group(1)} [{place}]\n")
        elif line.lstrip().startswith("subgraph ") and line.split()[1] in layout.clusters:
            line += f"\t\t{layout.clusters[line.split()[1]]}\n"
        lines.append(line)
    lines += [f'\t"{_quoted(name)}" [{place}]\n' for name, place in layout.nodes.items()]
    return dot.source[:dot.source.index("{") + 1] + "\n" + "".join(lines) + "}\n"


def _quoted(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')
