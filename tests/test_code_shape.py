"""The shape of autograd/ that a learner relies on: one reading order, no import cycle, short
functions, and `import autograd` pulling in numpy only."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import autograd

PACKAGE = Path(autograd.__file__).parent
README = PACKAGE.parent / "README.md"


def reading_order() -> list[str]:
    """The files in the order autograd/__init__.py's docstring lists them."""
    return re.findall(r"^\d+\. `(\w+\.py)`", autograd.__doc__, flags=re.M)


def imports_of(path: Path) -> set[str]:
    """The autograd modules a file imports, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_the_reading_order_is_the_same_everywhere():
    order = reading_order()
    assert order[:3] == ["rules.py", "value.py", "graph.py"]        # the teaching core
    assert set(order) | {"arith.py", "__init__.py"} == {p.name for p in PACKAGE.glob("*.py")}
    for this, following in zip(order, order[1:]):
        text = (PACKAGE / this).read_text()
        assert f"Read next: `{following}`" in text, f"{this} should say Read next: {following}"
    readme_order = re.findall(r"^\| `autograd/(\w+\.py)` \|", README.read_text(), flags=re.M)
    assert [f for f in readme_order if f != "arith.py"] == order


def test_no_import_cycle_inside_autograd():
    graph = {p.stem: imports_of(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for imported in graph.get(module, ()):
            assert state.get(imported) != "open", f"import cycle: {' -> '.join(path + [imported])}"
            if imported not in state:
                visit(imported, path + [imported])
        state[module] = "done"

    for module in graph:
        if module not in state:
            visit(module, [module])


def test_no_function_in_autograd_is_longer_than_25_lines():
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 25, f"{path.name}: {node.name} has {length} lines"


def test_import_autograd_pulls_in_numpy_only():
    code = ("import sys, autograd; heavy = {'graphviz', 'matplotlib', 'IPython', 'selenium', "
            "'sympy', 'viz', 'nn'} & set(sys.modules); print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PACKAGE.parent).stdout
    assert out.strip() == "[]"


def test_files_of_hips_autograd_mixed_into_ours_are_named_with_the_fix(tmp_path):
    """HIPS autograd is also called `autograd`: pip installing one over the other mixes their
    files in one folder. Importing ours then says so, naming the files and the fix."""
    import shutil
    mixed = tmp_path / "autograd"
    shutil.copytree(PACKAGE, mixed, ignore=shutil.ignore_patterns("__pycache__"))
    (mixed / "tracer.py").write_text("# HIPS autograd's tracer\n")
    run = subprocess.run([sys.executable, "-c", "import autograd"], capture_output=True,
                         text=True, cwd=tmp_path)
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError:") and "HIPS autograd's (tracer.py)" in last
    assert "pip uninstall -y autograd zerograd" in last and str(mixed) in last
