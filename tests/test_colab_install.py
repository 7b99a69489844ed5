"""Colab, offline: a fresh environment where HIPS autograd (also called `autograd`) is installed
first, notebook 01 run top to bottom with ZEROGRAD_SOURCE naming the wheel `make dist` makes.
Its first cell (notebooks/install_cell.py) must say what it found, replace HIPS autograd by
zerograd, and the notebook then teach what it teaches.

The fresh environment borrows numpy, graphviz and the Jupyter kernel from the test's own
environment (a path in a .pth file, which does not run that environment's editable install of
zerograd), so nothing is downloaded: `make test` fetched HIPS autograd's wheel beforehand."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the test extra installs nbformat")
nbclient = pytest.importorskip("nbclient", reason="the test extra installs nbclient")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "notebooks"))
import install_cell  # noqa: E402  (the notebooks' first cell and its words in each language)

HIPS_WHEELS = sorted((Path(sys.prefix) / "wheels").glob("autograd-*.whl"))


def fresh_environment(folder: Path) -> Path:
    """A new virtual environment that sees this one's packages but not zerograd; its python."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, capture_output=True)
    python = folder / "bin" / "python"
    [packages] = [Path(p) for p in json.loads(subprocess.run(
        [str(python), "-c", "import json, site; print(json.dumps(site.getsitepackages()))"],
        check=True, capture_output=True, text=True).stdout)]
    (packages / "borrowed.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return python


def kernel_for(python: Path, folder: Path, env: dict) -> str:
    """A Jupyter kernel spec that runs that python; its name (found through JUPYTER_PATH)."""
    spec = folder / "kernels" / "fresh"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "fresh", "language": "python", "env": env}))
    return "fresh"


@pytest.mark.skipif(not HIPS_WHEELS, reason="HIPS autograd's wheel is missing: make test "
                    "downloads it (pip download --no-deps -d .venv/wheels autograd==1.7.0)")
@pytest.mark.parametrize("notebook_path, lang", [("01_computational_graphs.ipynb", "en"),
                                                 ("ja/01_computational_graphs.ipynb", "ja")])
def test_notebook_01_replaces_hips_autograd_and_runs(tmp_path, monkeypatch, zerograd_wheel,
                                                    notebook_path, lang):
    python = fresh_environment(tmp_path / "env")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
                    str(HIPS_WHEELS[-1])], check=True)
    hips = subprocess.run([str(python), "-c", "from autograd import Value"],
                          capture_output=True, text=True, cwd=tmp_path)   # (not this checkout)
    assert hips.returncode == 1 and "cannot import name 'Value'" in hips.stderr
    env = {"ZEROGRAD_SOURCE": str(zerograd_wheel), "PIP_NO_INDEX": "1"}
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    notebook = nbformat.read(ROOT / "notebooks" / notebook_path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=180,
                                     kernel_name=kernel_for(python, tmp_path, env),
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    shown = "\n".join(output.get("text", "") for cell in notebook.cells
                      if cell.cell_type == "code" for output in cell.outputs)
    said = install_cell._WORDS[lang]                  # in the notebook's language
    assert said["hips"] in shown
    assert said["installed"].format(source=zerograd_wheel) in shown
    missing = [want for want in notebook.metadata["zerograd"]["expect"] if want not in shown]
    assert not missing
    after = subprocess.run([str(python), "-c", "import autograd, nn, viz; print(autograd.Value)"],
                           capture_output=True, text=True, cwd=tmp_path,
                           env={**os.environ, "PYTHONPATH": ""})
    assert "autograd.value.Value" in after.stdout, after.stderr
