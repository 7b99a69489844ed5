"""The formula command line (`python -m viz`): what it draws and prints, and that hostile
input is refused with exit code 2 and a message pointing at the problem, without running it."""

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import Value, topological_order
from viz.cli import main
from viz.formula import FormulaError, build

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------------- what it does

def test_draws_the_graph_and_prints_each_input_with_its_gradient(tmp_path, capsys):
    output = tmp_path / "sigmoid.svg"
    code, out, err = run(capsys, "1/(1+exp(-x))", "--at", "x=0.5", "-o", str(output))
    assert code == 0 and err == ""
    assert "1/(1+exp(-x)) = 0.622459" in out
    assert [line.split() for line in out.splitlines()[1:3]] == [
        ["input", "value", "gradient"], ["x", "0.5", "0.235004"]]
    assert "data 0.6225" in output.read_text() and f"wrote {output}" in out


def test_several_variables_and_no_grad(tmp_path, capsys):
    output = tmp_path / "f.png"
    code, out, _ = run(capsys, "x*y + log(x, 2)", "--at", "x=2,y=3", "--no-grad", "-o",
                       str(output))
    assert code == 0 and output.read_bytes().startswith(b"\x89PNG")
    assert "x*y + log(x, 2) = 7" in out and "gradient" not in out


def test_frames_option_writes_the_step_by_step_pictures(tmp_path, capsys):
    code, out, _ = run(capsys, "x*x", "--at", "x=3", "-o", str(tmp_path / "g.svg"),
                       "--frames", str(tmp_path / "frames"))
    assert code == 0
    names = sorted(p.name for p in (tmp_path / "frames").iterdir())
    assert names == ["frame_000_forward.png", "frame_001_forward.png",
                     "frame_002_backward.png", "frame_003_backward.png",
                     "frame_004_backward.png"]


def test_sin_and_cos_in_a_formula_give_the_value_and_the_gradient(tmp_path, capsys):
    output = tmp_path / "sincos.svg"
    code, out, err = run(capsys, "sin(x)*cos(x)", "--at", "x=0.7", "-o", str(output))
    assert code == 0 and err == ""
    value = math.sin(0.7) * math.cos(0.7)                   # = sin(1.4) / 2
    gradient = math.cos(0.7) ** 2 - math.sin(0.7) ** 2      # = cos(1.4)
    assert out.splitlines()[0] == f"sin(x)*cos(x) = {value:.6g}"
    assert out.splitlines()[2].split() == ["x", "0.7", f"{gradient:.6g}"]
    assert ">sin<" in output.read_text() and ">cos<" in output.read_text()
    output, inputs = build("sin(x)*cos(x)", {"x": 0.7})
    assert [node.op for node in topological_order(output)] == ["", "sin", "cos", "mul"]


def test_collapse_and_rules_draw_the_layer_view_with_formulas(tmp_path, capsys):
    output, page = tmp_path / "layers.svg", tmp_path / "layers.html"
    code, out, err = run(capsys, "sigmoid(x)*tanh(x)", "--at", "x=0.5", "--collapse", "--rules",
                         "-o", str(output), "--html", str(page))
    svg = output.read_text()
    assert code == 0 and err == ""
    assert "∂ = y(1−y) = 0.235" in svg and "∂ = 1−y² = 0.7864" in svg   # z(1-z), 1-t^2
    assert ">exp<" not in svg                          # sigmoid's exp is inside its box
    assert re.search(r'"group": *{"kind": *"sigmoid"', page.read_text())   # its layer model
    code, out, err = run(capsys, "sigmoid(x)", "--at", "x=0.5", "-o", str(output),
                         "--html", str(page))
    assert "y(1−y)" not in output.read_text() and ">exp<" in output.read_text()
    assert not re.search(r'"group": *{"kind": *"sigmoid"', page.read_text())


def test_variables_become_one_named_leaf_and_numbers_become_float_constants():
    output, inputs = build("2*x*x - 1", {"x": 3.0})
    x = inputs["x"]
    assert output.data == 17.0 and x.name == "x" and not x.parents
    product = output.operands[0]
    assert output.operands[1] == 1.0 and type(output.operands[1]) is float
    assert product.parents == (product.operands[0], x) and product.operands[0].operands[0] == 2.0


def test_each_new_node_is_named_after_its_piece_of_the_formula():
    output, inputs = build("1/(1+exp(-x))", {"x": 0.5})
    names = [node.name for node in topological_order(output)]
    assert names == ["x", "-x", "exp(-x)", "1 + exp(-x)", "1 / (1 + exp(-x))"]


def test_functions_of_constants_are_folded_into_constants():
    output, inputs = build("x * exp(0) + log(8, 2) + -(-x) + +x", {"x": 1.0})
    assert output.data == pytest.approx(6.0)
    assert all(not isinstance(op, Value) or op.op != "exp" for op in output.operands)


# ---------------------------------------------------------------------- refusals

def refused(capsys, formula, *extra, column=None):
    code, out, err = run(capsys, "-o", "/nonexistent/never.svg", formula, *extra)
    assert code == 2, err
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith("python -m viz: error: ")
    if column is not None:
        assert lines[1] == f"  {formula}"
        assert lines[2] == "  " + " " * column + "^"
    return lines[0]


@pytest.mark.parametrize("formula, column, words", [
    ("__import__('os').system('echo pwned')", 17, "attribute access (.system)"),
    ("().__class__", 3, "attribute access (.__class__)"),
    ("x[0]", 0, "subscripts"),
    ("lambda: x", 0, "lambdas"),
    ("[x for x in y]", 0, "comprehensions"),
    ("x + 'text'", 4, "strings"),
    ("x + open(x)", 4, "unknown function 'open'"),
    ("exp(x, base=2)", 7, "keyword arguments"),
    ("exp(*x)", 4, "starred arguments"),
    ("x + __x", 4, "not a simple variable name"),
    ("_x * 2", 0, "not a simple variable name"),
    ("exp + x", 0, "exp is a function"),
    ("x // 2", 2, "the operator // is not allowed"),
    ("x ^ 2", 2, "a power is **"),
    ("x if x else x", 0, "conditional expressions"),
    ("log(x, 2, 3)", 0, "takes 1 or 2 argument(s), got 3"),
    ("sin(x, 2)", 0, "takes 1 argument(s), got 2"),
    ("x + True", 4, "only real numbers"),
    ("x + 1j", 4, "only real numbers"),
    ("x +", 3, "cannot parse"),
])
def test_hostile_or_unsupported_formulas_are_refused_with_a_caret(capsys, formula, column,
                                                                   words):
    assert words in refused(capsys, formula, "--at", "x=1", column=column)


def test_code_in_a_formula_never_runs(capsys, tmp_path):
    marker = tmp_path / "pwned"
    refused(capsys, f"__import__('os').system('touch {marker}')")
    refused(capsys, f"exp(__import__('os').system('touch {marker}'))")
    assert not marker.exists()


def test_huge_powers_are_floats_never_giant_integers(capsys, tmp_path):
    assert "no variables" in refused(capsys, "9**9**9**9")
    code, out, _ = run(capsys, "x**9**9**9", "--at", "x=2", "-o", str(tmp_path / "g.svg"))
    assert code == 0 and "x**9**9**9 = inf" in out          # 9.0**387420489.0 is inf at once


def test_a_formula_starting_with_minus_goes_after_double_dash(capsys, tmp_path):
    code, out, _ = run(capsys, "--at", "x=1", "-o", str(tmp_path / "g.svg"), "--", "-x*2")
    assert code == 0 and "-x*2 = -2" in out


def test_a_very_long_formula_is_refused_before_parsing(capsys):
    assert "100000 characters; the limit is 2000" in refused(capsys, "x" * 100_000)


@pytest.mark.parametrize("formula", ["x*" + "-" * 1500 + "x", "+".join(["x"] * 600)])
def test_deep_nesting_is_refused(capsys, formula):
    assert "nests more than 200 levels" in refused(capsys, formula, "--at", "x=1")


def test_parentheses_nested_beyond_the_parser_limit_are_refused(capsys):
    assert "too many nested parentheses" in refused(capsys, "exp(" * 300 + "x" + ")" * 300,
                                                    "--at", "x=1")


def test_a_variable_without_a_value_is_pointed_at(capsys):
    assert "variable 'y' has no value: add --at y=NUMBER" in refused(
        capsys, "x * y", "--at", "x=1", column=4)


@pytest.mark.parametrize("assignment, words", [
    ("x=abc", "must be a finite number"), ("x=nan", "must be a finite number"),
    ("x=1e999", "must be a finite number"), ("x", "write NAME=NUMBER"),
    ("__class__=1", "write NAME=NUMBER"), ("y=1", "does not use"),
])
def test_bad_at_values_are_refused(capsys, assignment, words):
    assert words in refused(capsys, "x + 1", "--at", "x=1" if assignment.startswith("y")
                            else assignment, *(["--at", assignment] if assignment.startswith("y")
                                               else []))


def test_a_graph_too_large_to_draw_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "*".join(["x"] * 50), "--at", "x=1", "--max-nodes", "10", "-o",
                       str(tmp_path / "g.svg"))
    assert code == 2 and "max_nodes=10" in err and not (tmp_path / "g.svg").exists()


def test_an_unknown_output_format_is_refused(capsys, tmp_path):
    assert "must end in .svg, .png, .pdf" in refused(capsys, "x", "--at", "x=1", "-o",
                                                       str(tmp_path / "g.txt"))


def test_missing_dot_exits_1_with_install_advice(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, _, err = run(capsys, "x*2", "--at", "x=1", "-o", str(tmp_path / "g.svg"))
    assert code == 1 and "apt-get install graphviz" in err and (tmp_path / "g.gv").exists()


def test_formula_error_shows_the_caret_under_the_right_character():
    with pytest.raises(FormulaError) as error:
        build("θ + open(x)", {"x": 1.0})       # θ is 2 bytes in UTF-8, 1 character
    assert str(error.value).splitlines()[1:] == ["  θ + open(x)", "      ^"]


def test_python_dash_m_viz_refuses_hostile_input_with_exit_code_2(tmp_path):
    marker = tmp_path / "pwned"
    result = subprocess.run(
        [sys.executable, "-m", "viz", f"__import__('os').system('touch {marker}')", "-o",
         str(tmp_path / "g.svg")], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert "attribute access (.system) is not allowed" in result.stderr
    assert not marker.exists() and not (tmp_path / "g.svg").exists()


# ---------------------------------------------------------------------- what a new user types

def test_a_formula_may_start_with_minus_anywhere_among_the_options(capsys, tmp_path):
    output = str(tmp_path / "g.svg")
    for argv in (["-log(y)", "--at", "y=0.7", "-o", output],
                 ["--at", "y=0.7", "-log(y)", "-o", output],
                 ["--at", "y=0.7", "-o", output, "--", "-log(y)"]):
        code, out, err = run(capsys, *argv)
        assert code == 0, err
        assert out.splitlines()[0] == "-log(y) = 0.356675"


def test_an_option_value_starting_with_minus_is_not_taken_for_the_formula(capsys, tmp_path):
    code, _, err = run(capsys, "x", "--at", "x=1", "--max-nodes", "-5", "-o",
                       str(tmp_path / "g.svg"))
    assert code == 2 and "max_nodes=-5" in err


@pytest.mark.parametrize("formula, at", [("x*1", "x=-0"), ("relu(x)*step(x)", "x=-0.3"),
                                         ("-x", "x=0")])
def test_negative_zero_is_printed_as_0(capsys, tmp_path, formula, at):
    code, out, _ = run(capsys, formula, "--at", at, "-o", str(tmp_path / "g.svg"))
    negative_zero = re.compile(r"(?<![\w.])-0(?![\w.])")
    assert code == 0 and not negative_zero.search(out)
    assert not negative_zero.search((tmp_path / "g.svg").read_text())


def test_no_partials_leaves_the_arrows_unlabelled(capsys, tmp_path):
    code, _, _ = run(capsys, "x*x", "--at", "x=3", "--no-partials", "-o",
                     str(tmp_path / "g.svg"))
    assert code == 0 and "∂" not in (tmp_path / "g.svg").read_text()


# ---------------------------------------------------------------------- outputs that cannot be

def one_line_error(capsys, *argv) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    return err


def test_an_output_inside_a_file_is_refused_in_one_line(capsys):
    assert "/dev/null is not a folder" in one_line_error(capsys, "x", "--at", "x=1", "-o",
                                                         "/dev/null/x.svg")


def test_an_output_naming_a_folder_is_refused_in_one_line(capsys, tmp_path):
    folder = tmp_path / "picture.svg"
    folder.mkdir()
    assert "is a folder" in one_line_error(capsys, "x", "--at", "x=1", "-o", str(folder))


def test_frames_naming_a_file_is_refused_before_anything_is_written(capsys, tmp_path):
    existing = tmp_path / "frames.txt"
    existing.write_text("")
    err = one_line_error(capsys, "x", "--at", "x=1", "-o", str(tmp_path / "g.svg"), "--frames",
                         str(existing))
    assert "--frames" in err and "is a file" in err and not (tmp_path / "g.svg").exists()


def test_an_unwritable_output_is_one_line(capsys, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "g.svg"))
    monkeypatch.setattr("pathlib.Path.write_bytes", refuse)
    assert "Permission denied" in one_line_error(capsys, "x", "--at", "x=1", "-o",
                                                 str(tmp_path / "g.svg"))


# ---------------------------------------------------------------------- short, safe messages

def test_a_long_list_of_unused_variables_is_cut(capsys):
    names = ",".join(f"v{i}=1" for i in range(10_000))
    err = one_line_error(capsys, "x", "--at", f"{names},x=1")
    assert "v0, v1, v10, v100, v1000 and 9995 more, which the formula does not use" in err
    assert len(err) < 200


@pytest.mark.parametrize("argv", [
    ["x\x1b[2J + \u202e1\v"], ["x + y\x1b[31m", "--at", "x=1"], ["x", "--at", "x=1\x1b[31m"],
    ["x", "--at", "x\u202e=1"], ["x", "--bogus\x1b[31m"], ["x", "--at", "x=1", "-o", "g\x1b.txt"],
])
def test_control_characters_from_the_input_are_shown_escaped(capsys, argv):
    code, out, err = run(capsys, *argv, *(["-o", "/nonexistent/g.svg"] if "-o" not in argv
                                          else []))
    assert code == 2 and out == ""
    assert all(char.isprintable() for char in err.replace("\n", ""))
    assert "\\x1b" in err or "\\u202e" in err


def test_every_message_line_is_short(capsys):
    err = run(capsys, "x", *["--bogus"] * 10_000)[2]
    assert len(err.splitlines()) == 1 and len(err) < 400
