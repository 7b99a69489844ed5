"""Writing drawings to files: `render` (svg, png or pdf) and `backward_frames` (one picture per
step of the forward and backward passes, optionally an animated GIF).

Both need Graphviz's `dot` program. Without it they still write the DOT source (`.gv`) and
raise a RuntimeError that says how to install dot. Every run of dot has a time limit (`timeout`
seconds, DOT_TIMEOUT by default): past it, dot and its children are ended and RenderTimeout
says what to do instead.

Read next: `layout.py` (how the frames share one layout), then `plots.py` (matplotlib plots).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import graphviz

from autograd import Value

from .draw import build, draw_graph, edge_text, value_rows, visible_length
from .frames import backward_scenes, forward_scenes
from .labels import words
from .layout import pin, read_layout
from .scene import Graph, read_graph

FORMATS = ("svg", "png", "pdf")
DOT_TIMEOUT = 10.0     # seconds that one run of dot (or neato) may take
PNG_INCHES = "80,40"   # largest png (at 110 dpi: 8800 x 4400 pixels); svg and pdf are not limited
INSTALL_DOT = ("Graphviz's `dot` program was not found on PATH. Install it (Debian/Ubuntu: "
               "sudo apt-get install graphviz; macOS: brew install graphviz; conda: conda "
               "install graphviz), then run again.")


class RenderTimeout(TimeoutError):
    """Graphviz's dot took longer than its time limit; it was stopped and nothing was written."""


def render(root: Value, path: str | Path, format: str = "svg", timeout: float = DOT_TIMEOUT,
           **draw_options) -> Path:
    """Draw root's graph (see `draw_graph` for the options) and write it to path as svg/png/pdf.

    dot may take `timeout` seconds, else RenderTimeout. lang="ja" writes the words in Japanese.
    >>> render(z, "out/sigmoid.svg")     # returns Path("out/sigmoid.svg")
    """
    format = check_format(format)
    return write(draw_graph(root, **draw_options), Path(path), format, timeout)


def check_format(format: str) -> str:
    """format itself if dot can write it here, else a ValueError listing the allowed ones."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    return format


def write(dot: graphviz.Digraph, path: Path, format: str, timeout: float = DOT_TIMEOUT) -> Path:
    """Lay out with Graphviz's dot and write the picture; without dot, write the .gv source."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if format == "png":
        dot.attr(dpi="110", size=PNG_INCHES)       # a huge graph is scaled down, not rasterised
    if shutil.which("dot") is None:
        source = path.with_suffix(".gv")
        source.write_text(dot.source, encoding="utf-8")
        raise RuntimeError(f"{INSTALL_DOT} The DOT source was written to {source}; "
                           f"`dot -T{format} {source} -o {path}` turns it into a picture.")
    path.write_bytes(run_dot(dot.source, format, timeout))
    return path


def run_dot(source: str, format: str, timeout: float = DOT_TIMEOUT) -> bytes:
    """The picture dot makes of source, or RenderTimeout after `timeout` seconds."""
    return run_graphviz(["dot", f"-T{format}"], source, timeout)


def run_graphviz(command: list[str], source: str, timeout: float = DOT_TIMEOUT) -> bytes:
    """What a Graphviz program (dot, neato) writes when given source, or RenderTimeout after
    `timeout` seconds. It runs in a session of its own, so on timeout it is ended together
    with any children."""
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        picture, errors = process.communicate(source.encode("utf-8"), timeout=max(timeout, 0))
    except subprocess.TimeoutExpired:
        _end(process)
        raise RenderTimeout(_too_slow(timeout)) from None
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: "
                           f"{errors.decode(errors='replace').strip()[:300]}")
    return picture


def _end(process: subprocess.Popen) -> None:
    """Stop process and everything it started, and wait for it."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except ProcessLookupError:
        pass
    process.communicate()


def _too_slow(timeout: float) -> str:
    return (f"Graphviz's dot took longer than {timeout:g} s to lay out the graph and was stopped; "
            f"draw it without partials (show_partials=False, --no-partials), draw a smaller "
            f"formula or subgraph, or allow more time (timeout=..., --timeout).")


def backward_frames(root: Value, folder: str | Path, format: str = "png", gif: bool = False,
                    max_nodes: int = 100, timeout: float = DOT_TIMEOUT, lang: str = "en",
                    **draw_options) -> list[Path]:
    """One picture per step of backprop through root's graph, in order, written to folder.

    First the forward pass (frame_000_forward.png, ...: one per value), then the backward pass
    (..., frame_NNN_backward.png: the seed, then one per operand). Gradients are replayed from
    the recorded partials; no `.grad` changes. With gif=True the last path is an animated GIF.
    The graph is laid out once and every frame drawn in that layout (`layout.py`): each of
    the two runs of Graphviz may take `timeout` seconds, else RenderTimeout. lang="ja"
    writes the titles and words in Japanese (順伝播, 逆伝播, 勾配, 局所的な微分).
    """
    format = check_format(format)
    if gif and format != "png":
        raise ValueError("an animated GIF is made from png frames: use format='png' with gif=True")
    graph = read_graph(root, max_nodes)
    scenes = [("forward", s) for s in forward_scenes(graph, lang)]
    scenes += [("backward", s) for s in backward_scenes(graph, lang)]
    widths = measure(graph, [scene for _, scene in scenes], draw_options.get("precision", 4),
                     words(lang))
    dots = [build(graph, scene, widths=widths, lang=lang, **draw_options) for _, scene in scenes]
    folder = Path(folder)
    targets = [folder / f"frame_{k:03d}_{phase}.{format}" for k, (phase, _) in enumerate(scenes)]
    paths = _draw_frames(dots, targets, format, timeout)
    return paths + [make_gif(paths, folder / "backprop.gif")] if gif else paths


def _draw_frames(dots: list[graphviz.Digraph], targets: list[Path], format: str,
                 timeout: float) -> list[Path]:
    """Lay the last frame out (every gradient known) with dot, then draw every frame in that
    layout with one run of neato -n2 (layout.py)."""
    for dot in dots:
        if format == "png":
            dot.attr(dpi="110", size=PNG_INCHES)
    if shutil.which("dot") is None or shutil.which("neato") is None:
        return [write(dots[0], targets[0], format)]          # writes the .gv, then raises
    targets[0].parent.mkdir(parents=True, exist_ok=True)
    layout = read_layout(run_graphviz(["dot", "-Tjson"], dots[-1].source, timeout))
    with tempfile.TemporaryDirectory(dir=targets[0].parent, prefix=".frames-") as folder:
        files = [Path(folder) / f"{k:05d}.gv" for k in range(len(dots))]
        for file, dot in zip(files, dots):
            file.write_text(pin(dot, layout), encoding="utf-8")
        run_graphviz(["neato", "-n2", f"-T{format}", "-O", *map(str, files)], "", timeout)
        for file, target in zip(files, targets):
            file.with_name(f"{file.name}.{format}").replace(target)
    return targets


def measure(graph: Graph, scenes: list, precision: int, text: dict | None = None) -> dict:
    """The widest text each value node and each edge label shows in any scene (in characters).

    Padding every frame to these widths keeps the layout still from one frame to the next.
    """
    widths: dict = {}
    for scene in scenes:
        for i in range(len(graph.order)):
            rows = value_rows(graph, scene, i, precision, text)
            _widen(widths, ("value", i), max(visible_length(r[0]) for r in rows if r[2] == "mono"))
        for edge in graph.edges:
            label = edge_text(scene, edge, precision)
            _widen(widths, ("edge", edge.child, edge.parent), visible_length(label))
    return widths


def _widen(widths: dict, key, width: int) -> None:
    widths[key] = max(widths.get(key, 0), width)


def make_gif(paths: list[Path], target: Path, milliseconds: int = 900) -> Path:
    """An animated GIF of png frames (Pillow comes with matplotlib), padded to one size."""
    try:
        from PIL import Image
    except ImportError as error:
        raise ModuleNotFoundError("an animated GIF needs Pillow, which is not installed: "
                                  "pip install 'zerograd[demos]' (or pip install pillow)",
                                  name="PIL") from error

    frames = [Image.open(path).convert("RGB") for path in paths]
    width = max(frame.width for frame in frames)
    height = max(frame.height for frame in frames)
    canvases = []
    for frame in frames:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(frame, (0, 0))
        canvases.append(canvas)
    durations = [milliseconds] * (len(canvases) - 1) + [milliseconds * 4]
    canvases[0].save(target, save_all=True, append_images=canvases[1:], duration=durations,
                     loop=0)
    return target
