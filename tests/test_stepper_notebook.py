"""The stepper page in Jupyter: a notebook whose last line is `viz.stepper(z)` shows the page.

The notebook is built with nbformat and executed with nbclient in a real "python3" kernel (the
test extra installs ipykernel; jupyter_client starts it with this interpreter), working in the
repository, so it imports this checkout's packages. Skipped only when no kernel can start.
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CELLS = [
    f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nimport viz\nprint(sys.executable)\n"
    f"print(viz.__file__)",
    "from autograd import Value\n"
    "x = Value(0.5, name='x')\n"
    "y = (x * x + 1).log()        # log(1 + x²): dy/dx = 2x / (1 + x²) = 0.8\n"
    "y.backward()\n"
    "print(x.grad)",
    "viz.stepper(y)",
]


def run_notebook(cells: list[str]):
    """The executed notebook; skips the test if no kernel can be started (and says why)."""
    nbformat = pytest.importorskip("nbformat", reason="pip install nbformat (the test extra)")
    nbclient = pytest.importorskip("nbclient", reason="pip install nbclient (the test extra)")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=120,
                                     resources={"metadata": {"path": str(ROOT)}})
    started = False
    try:
        with client.setup_kernel():
            started = True
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)
    except Exception as error:
        if started:
            raise
        pytest.skip(f"no Jupyter kernel 'python3' could be started ({type(error).__name__}: "
                    f"{error}); pip install ipykernel (the test extra) in this interpreter")
    return notebook


def text_output(cell) -> str:
    return "".join(output.get("text", "") for output in cell.outputs
                   if output.output_type == "stream")


def test_a_notebook_shows_the_stepper_page():
    import sys

    notebook = run_notebook(CELLS)
    setup, graph, shown = notebook.cells
    executable, module = text_output(setup).split()
    assert Path(executable).resolve() == Path(sys.executable).resolve()
    assert Path(module).resolve().is_relative_to(ROOT)            # this checkout's viz
    assert math.isclose(float(text_output(graph)), 0.8, rel_tol=1e-12)
    [result] = [output for output in shown.outputs if output.output_type == "execute_result"]
    markup = result["data"]["text/html"]
    assert markup.lstrip().startswith("<iframe")
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', markup).group(1))
    assert "<script" in srcdoc and "zerograd" in srcdoc and "Content-Security-Policy" in srcdoc
    found = re.search(r'<script type="application/json" id="zg-model">(.*?)</script>', srcdoc,
                      re.S)
    model = json.loads(found.group(1))
    x, y = model["nodes"][0], model["nodes"][-1]
    assert (x["name"], x["value"], x["grad"]) == ("x", 0.5, 0.8)
    assert (y["op"], y["value"], y["grad"]) == ("log", math.log(1.25), 1.0)
    assert [node["op"] for node in model["nodes"]] == ["", "mul", "add", "log"]
