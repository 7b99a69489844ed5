"""zerograd in a real Jupyter kernel (nbclient): plots show inline without switching the
notebook's own plots off, and nn.fit shows its progress bar as a widget, or nothing at all
with progress=False."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the test extra installs nbformat")
nbclient = pytest.importorskip("nbclient", reason="the test extra installs nbclient")

ROOT = Path(__file__).resolve().parents[1]
WIDGET = "application/vnd.jupyter.widget-view+json"


def run_notebook(*cells: str) -> list[list[dict]]:
    """Execute the cells in a fresh kernel started from the repository; each cell's outputs."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError:
        raise
    except Exception as error:               # no kernel could be started on this machine
        pytest.skip(f"no Jupyter kernel could be started ({type(error).__name__}: {error})")
    return [cell.outputs for cell in notebook.cells]


def mime_types(outputs: list[dict]) -> set[str]:
    return {kind for output in outputs for kind in output.get("data", {})}


def text_of(outputs: list[dict]) -> str:
    return "".join(output.get("text", "") for output in outputs)


def test_a_zerograd_plot_and_a_later_pyplot_plot_both_show_inline():
    setup, ours, theirs = run_notebook(
        "import matplotlib.pyplot as plt\nimport viz",
        "viz.plot_activations()",
        "plt.plot([1, 2, 3], [1, 4, 9])\nplt.show()",
    )
    assert "image/png" in mime_types(ours)
    assert "image/png" in mime_types(theirs), "the notebook's own plot no longer shows"


FIT = """
import numpy as np, nn
X, y = nn.data.xor()
model = nn.MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0)
history = nn.fit(model, X, y, nn.mse_loss, nn.Adam(model.parameters(), lr=0.1), epochs=5,
                 progress={progress})
"""


def test_fit_shows_a_widget_progress_bar_in_a_notebook_and_nothing_without_progress():
    with_bar, without = run_notebook(FIT.format(progress=True), FIT.format(progress=False))
    assert WIDGET in mime_types(with_bar), with_bar
    assert without == [], without
