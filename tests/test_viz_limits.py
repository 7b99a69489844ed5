"""Limits that keep viz quick on any input: dot's time limit (a fake `dot` that never finishes
stands in for a slow layout), the layout of a value used many times, and bounded pictures."""

import inspect
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

import viz
import viz.scene
from autograd import Value
from viz.cli import main
from viz.draw import build as build_scene
from viz.formula import build
from viz.frames import backward_scenes
from viz.render import DOT_TIMEOUT
from viz.scene import depths, read_graph

ROOT = Path(__file__).resolve().parents[1]
MANY_X = "*".join(["x"] * 61)          # 121 characters: x used by 60 ops (used to take minutes)


def slow_dot(tmp_path, monkeypatch) -> Path:
    """Put a `dot` on PATH that starts a child and then sleeps; returns the child's pid file."""
    folder, pid_file = tmp_path / "bin", tmp_path / "child.pid"
    folder.mkdir()
    script = folder / "dot"
    script.write_text(f"#!/bin/sh\nsleep 30 &\necho $! > {pid_file}\ncat > /dev/null\nsleep 30\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return pid_file


def ended(pid: int) -> bool:
    """True once process pid is gone (or a zombie nobody has reaped yet)."""
    try:
        return "State:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True


def wait_until_ended(pid: int, seconds: float = 5.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if ended(pid):
            return True
        subprocess.run(["sleep", "0.05"])
    return ended(pid)


def sigmoid():
    x = Value(0.5, name="x")
    z = x.sigmoid()
    z.backward()
    return z


# ---------------------------------------------------------------------- dot's time limit

@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to see the child is gone")
def test_render_stops_a_slow_dot_and_its_children(tmp_path, monkeypatch):
    pid_file = slow_dot(tmp_path, monkeypatch)
    with pytest.raises(viz.RenderTimeout) as error:
        viz.render(sigmoid(), tmp_path / "g.svg", timeout=0.5)
    assert isinstance(error.value, TimeoutError)
    message = str(error.value)
    assert "0.5 s" in message and "show_partials=False" in message and "timeout=" in message
    assert "\n" not in message and not (tmp_path / "g.svg").exists()
    assert wait_until_ended(int(pid_file.read_text()))


def test_backward_frames_layout_has_the_time_limit_and_the_message_quotes_it(tmp_path,
                                                                              monkeypatch):
    slow_dot(tmp_path, monkeypatch)
    with pytest.raises(viz.RenderTimeout) as error:
        viz.backward_frames(sigmoid(), tmp_path / "frames", timeout=0.5)
    assert "longer than 0.5 s" in str(error.value)


def test_the_default_time_limit_is_a_few_seconds():
    for function in (viz.render, viz.backward_frames):
        assert inspect.signature(function).parameters["timeout"].default == DOT_TIMEOUT
    assert 1 <= DOT_TIMEOUT <= 30


def test_the_command_line_turns_a_timeout_into_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    slow_dot(tmp_path, monkeypatch)
    code = main(["x*x", "--at", "x=1", "-o", str(tmp_path / "g.svg"), "--timeout", "0.5"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert "0.5 s" in err and "--no-partials" in err and "--timeout" in err


# ---------------------------------------------------------------------- a value used many times

def test_a_value_used_many_times_draws_within_seconds(tmp_path):
    """A hang check, not a benchmark: before, dot ran for minutes on this formula."""
    for name in ("many.svg", "many.png"):
        result = subprocess.run([sys.executable, "-m", "viz", MANY_X, "--at", "x=1.01", "-o",
                                 str(tmp_path / name)], capture_output=True, text=True,
                                cwd=ROOT, timeout=20)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / name).stat().st_size > 0


def test_far_uses_are_drawn_from_copies_so_arrows_cross_few_columns():
    root, _ = build(MANY_X, {"x": 1.01})
    graph = read_graph(root, 1000)
    depth = depths(graph.order, graph.position)
    long = sum(depth[e.child] - depth[e.parent] for e in graph.edges if not e.copy)
    assert long <= viz.scene.SPAN_BUDGET
    copies = [e for e in graph.edges if e.copy]
    assert copies and all(e.parent == 0 for e in copies)
    source = viz.draw_graph(root).source
    assert source.count("same value, used again here") == len(copies)
    assert "dashed box</FONT>: the same value again" in source


@pytest.mark.parametrize("formula", ["x*x*x*x*x*x", "1/(1+exp(-x))", "x*y + exp(x*y) * y"])
def test_small_graphs_have_no_copies(formula):
    root, _ = build(formula, {"x": 0.5, "y": 2.0} if "y" in formula else {"x": 0.5})
    assert not any(edge.copy for edge in read_graph(root, 1000).edges)
    assert "same value" not in viz.draw_graph(root).source


def test_frames_with_copies_replay_the_engine_gradients(tmp_path, monkeypatch):
    monkeypatch.setattr(viz.scene, "SPAN_BUDGET", 2)
    root, inputs = build("x*x*x*x", {"x": 1.5})
    graph = read_graph(root, 100)
    assert any(edge.copy for edge in graph.edges)
    scenes = backward_scenes(graph)
    assert scenes[-1].grads[0] == pytest.approx(4 * 1.5 ** 3)
    [in_use] = [scene for scene in scenes if scene.edge == (3, 1)]     # x, 2nd operand of op3
    assert re.search(r"u3_0 -> op3 \[.*penwidth=3", build_scene(graph, in_use).source)
    assert len(viz.backward_frames(root, tmp_path, format="svg")) == 4 + 1 + 6


def test_a_huge_png_is_scaled_down_not_rasterised_in_full(tmp_path):
    root, _ = build(MANY_X, {"x": 1.01})
    path = viz.render(root, tmp_path / "many.png", format="png")
    width, height = Image.open(path).size
    assert width <= 80 * 110 + 1 and height <= 40 * 110 + 1
