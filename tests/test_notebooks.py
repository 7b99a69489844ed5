"""The course in notebooks/: every notebook runs top to bottom in a fresh Jupyter kernel
(nbclient), is committed executed with its outputs (so GitHub shows them: `python
notebooks/run.py` writes them), starts with the cell that installs zerograd where it is
missing (Colab), and prints the numbers it teaches.

A notebook lists those numbers in its metadata, `{"zerograd": {"expect": ["220", "2.2"]}}`:
each must appear in the executed outputs (text or HTML), so a notebook whose checks stop
printing what the chapter says fails here. The text it prints now must also be the text
committed (`run.shown_text`: addresses and cells marked volatile left out), so the outputs a
reader sees on GitHub cannot go stale.
"""

import json
import math
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the test extra installs nbformat")
nbclient = pytest.importorskip("nbclient", reason="the test extra installs nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(path for path in (ROOT / "notebooks").glob("**/*.ipynb")   # ja/: Japanese
                   if ".ipynb_checkpoints" not in path.parts)
NAMES = [str(path.relative_to(ROOT / "notebooks")) for path in NOTEBOOKS]
sys.path.insert(0, str(ROOT / "notebooks"))
import install_cell  # noqa: E402  (the first cell of every notebook, in one place)
import run  # noqa: E402  (runs the notebooks and keeps their outputs)


def test_there_is_a_course():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_notebook_is_committed_executed_and_starts_by_installing_zerograd(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1)), \
        f"{path.name}: commit it run top to bottom in one kernel (python notebooks/run.py)"
    assert any(cell.outputs for cell in code), f"{path.name}: committed without its outputs"
    assert path.stat().st_size < 1_500_000, f"{path.name}: outputs too large to commit"
    assert code[0].source == install_cell.cell_for(path), \
        f"{path.name}: the first code cell must be notebooks/install_cell.py's cell (run it)"
    assert notebook.metadata.get("zerograd", {}).get("expect"), \
        f"{path.name}: list the numbers it teaches in metadata zerograd.expect"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_notebook_runs_top_to_bottom_and_prints_what_it_teaches(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    committed = [run.shown_text(cell) for cell in notebook.cells if cell.cell_type == "code"]
    client = nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()                          # any error in any cell fails the test
    shown = "\n".join(_output_text(cell) for cell in notebook.cells if cell.cell_type == "code")
    missing = [want for want in _expected(notebook.metadata["zerograd"]) if want not in shown]
    assert not missing, f"{path.name}: expected in the outputs but not found: {missing}"
    now = [run.shown_text(cell) for cell in notebook.cells if cell.cell_type == "code"]
    stale = [k for k, (old, new) in enumerate(zip(committed, now)) if not _same(old, new)]
    assert not stale, (f"{path.name}: code cells {stale} print something else than committed "
                       f"(run python notebooks/run.py {path.relative_to(ROOT / 'notebooks')})")


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def _same(committed: str, now: str) -> bool:
    """The same words, and numbers within 2% (or 0.02): another machine's BLAS may round the
    last bit of a training run differently, which can move a printed digit."""
    if NUMBER.split(committed) != NUMBER.split(now):
        return False
    pairs = zip(NUMBER.findall(committed), NUMBER.findall(now))
    return all(math.isclose(float(a), float(b), rel_tol=0.02, abs_tol=0.02) for a, b in pairs)


def _expected(metadata: dict) -> list[str]:
    """The notebook's "expect" strings, and those of "expect_with": {module: [...]} for each
    optional module that imports here (a part that needs PyTorch prints its numbers only
    where PyTorch is installed, and says how to install it elsewhere)."""
    import importlib.util
    wanted = list(metadata["expect"])
    for module, strings in metadata.get("expect_with", {}).items():
        wanted += strings if importlib.util.find_spec(module) else []
    return wanted


def _output_text(cell) -> str:
    parts = []
    for output in cell.outputs:
        parts.append(output.get("text", ""))
        for kind in ("text/plain", "text/html", "text/markdown"):
            parts.append(output.get("data", {}).get(kind, ""))
    return "\n".join(json.dumps(p) if not isinstance(p, str) else p for p in parts)


JA_NOTEBOOKS = [path for path in NOTEBOOKS if path.parent.name == "ja"]
ENGLISH_PHRASE = re.compile(r"[A-Za-z']{2,}(?: [A-Za-z']{2,}){2,}")   # three English words
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


@pytest.mark.parametrize("path", JA_NOTEBOOKS, ids=[p.name for p in JA_NOTEBOOKS])
def test_japanese_notebooks_comment_their_code_in_japanese(path):
    notebook = nbformat.read(path, as_version=4)
    english = [comment for cell in notebook.cells if cell.cell_type == "code"
               for comment in re.findall(r"#(.*)$", cell.source, re.MULTILINE)
               if ENGLISH_PHRASE.search(comment) and not JAPANESE.search(comment)]
    assert not english, f"{path.name}: comments left in English: {english}"
