"""The notebooks' first cell on a machine like Colab (root, apt-get): it installs Graphviz's
`dot` when it is missing, and the Japanese notebooks' cell installs a Japanese font when none is
installed. apt-get, fc-list and dot are stand-ins here that log how they were called."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "notebooks"))
import install_cell  # noqa: E402

FAKE = "#!/bin/sh\necho \"{name} $*\" >> {log}\n{output}"


def run_cell(cell: str, tmp_path: Path, dot: bool, japanese_font: bool) -> list[str]:
    """Run the cell with only stand-in programs on PATH; the commands they were called with."""
    bin_folder, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_folder.mkdir(parents=True)
    programs = {"apt-get": "", "fc-list": "echo 'IPAGothic: IPAゴシック'" if japanese_font else ""}
    if dot:
        programs["dot"] = ""
    for name, output in programs.items():
        path = bin_folder / name
        path.write_text(FAKE.format(name=name, log=log, output=output))
        path.chmod(0o755)
    environment = dict(os.environ, PATH=str(bin_folder), PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", cell], env=environment, check=True, cwd=tmp_path,
                   timeout=120)
    calls = log.read_text().splitlines() if log.exists() else []
    return [call for call in calls if call.startswith("apt-get")]


def expected(*packages: str) -> list[str]:
    """What apt-get is asked for: the packages as root, nothing otherwise."""
    return [f"apt-get -qq install {p}" for p in packages] if os.geteuid() == 0 else []


def test_japanese_cell_installs_a_japanese_font_only_where_none_is(tmp_path):
    assert run_cell(install_cell.CELL_JA, tmp_path / "a", dot=True, japanese_font=False) \
        == expected("fonts-ipafont-gothic")
    assert run_cell(install_cell.CELL_JA, tmp_path / "b", dot=True, japanese_font=True) == []


def test_english_cell_installs_no_font_but_dot_where_it_is_missing(tmp_path):
    assert run_cell(install_cell.CELL, tmp_path / "a", dot=True, japanese_font=False) == []
    assert run_cell(install_cell.CELL, tmp_path / "b", dot=False, japanese_font=True) \
        == expected("graphviz")


@pytest.mark.parametrize("name, cell", [("ja/01.ipynb", install_cell.CELL_JA),
                                        ("01.ipynb", install_cell.CELL)])
def test_each_notebook_gets_the_cell_of_its_language(name, cell):
    assert install_cell.cell_for(ROOT / "notebooks" / name) == cell
