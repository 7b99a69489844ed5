"""The first code cell of every notebook, in one place: it installs zerograd where it is missing.

    python notebooks/install_cell.py     # writes CELL into every notebook (en and ja)

Where a notebook runs without zerograd (Colab), the cell installs it from ZEROGRAD_SOURCE when
that environment variable is set (a path or URL pip accepts), else from the wheel `make dist`
put next to the notebooks (dist/zerograd-*.whl), else from the package index. HIPS autograd, a
different package, is also called `autograd` (Colab has it): when that is the `autograd` that
imports, the cell says so in one line, uninstalls it (and any zerograd whose files were mixed
with it), installs zerograd and checks that `Value`, `nn` and `viz` import. On Colab (root, with
apt-get) it also installs Graphviz's `dot` for the drawings when it is missing, and the Japanese
notebooks' cell (CELL_JA) installs a Japanese font (IPA Gothic) when none is installed, so that
their plots and graphs show 日本語 instead of empty boxes.
tests/test_notebooks.py checks that every notebook starts with exactly this cell, and
tests/test_colab_install.py runs it, with notebook 01, where HIPS autograd was installed first.
"""

from __future__ import annotations

import string
from pathlib import Path

_TEMPLATE = string.Template('''\
$comment
import glob, importlib, os, shutil, subprocess, sys
try:
    from autograd import Value
    import nn, viz
except ImportError:
    wheels = sorted(glob.glob("../dist/zerograd-*.whl") + glob.glob("dist/zerograd-*.whl"))
    source = os.environ.get("ZEROGRAD_SOURCE") or (wheels[-1] if wheels else "zerograd")
    pip = [sys.executable, "-m", "pip", "--quiet"]
    if importlib.util.find_spec("autograd") is not None:
        print("$hips")
        subprocess.run(pip + ["uninstall", "--yes", "autograd", "zerograd"], check=True)
    subprocess.run(pip + ["install", source], check=True)
    for name in [m for m in sys.modules if m.split(".")[0] in ("autograd", "nn", "viz")]:
        del sys.modules[name]                 # $forget
    importlib.invalidate_caches()
    from autograd import Value
    import nn, viz
    print(f"$installed")
if shutil.which("dot") is None and shutil.which("apt-get") and os.geteuid() == 0:
    subprocess.run(["apt-get", "-qq", "install", "graphviz"], check=False)  # Colab: dot''')

_WORDS = {
    "en": {"comment": ("# zerograd, installed where it is missing (Colab): from ZEROGRAD_SOURCE if "
                       "set (a path or URL\n# pip accepts), else the wheel `make dist` made, else "
                       "the package index. HIPS autograd, another\n# package also called "
                       "`autograd`, is replaced if it is the one installed."),
           "hips": "The `autograd` installed here is HIPS autograd, not zerograd's: replacing it.",
           "forget": "forget the old autograd: import zerograd's",
           "installed": "zerograd installed from {source}"},
    "ja": {"comment": ("# zerograd がなければ（Colab）インストールします: 環境変数 ZEROGRAD_SOURCE "
                       "があればそこ（pip が\n# 受け付けるパスか URL）から、なければ `make dist` "
                       "が作った wheel、それもなければパッケージの\n# インデックスから。同じ "
                       "`autograd` という名前の別のパッケージ HIPS autograd が入っていれば置き換えます。"),
           "hips": "ここに入っている `autograd` は zerograd のものではなく HIPS autograd なので、置き換えます。",
           "forget": "古い autograd を忘れて zerograd のものを import する",
           "installed": "zerograd を {source} からインストールしました"},
}

CELL = _TEMPLATE.substitute(_WORDS["en"])

CELL_JA = _TEMPLATE.substitute(_WORDS["ja"]) + '''
if (shutil.which("apt-get") and os.geteuid() == 0 and shutil.which("fc-list")
        and not subprocess.run(["fc-list", ":lang=ja"], capture_output=True).stdout.strip()):
    subprocess.run(["apt-get", "-qq", "install", "fonts-ipafont-gothic"], check=False)  # 日本語フォント'''


def cell_for(path: Path) -> str:
    """The first cell of the notebook at path: CELL_JA for the Japanese ones (under ja/)."""
    return CELL_JA if "ja" in Path(path).parent.parts else CELL


def first_code_cell(notebook) -> dict:
    """The notebook's first code cell."""
    return next(cell for cell in notebook.cells if cell.cell_type == "code")


def main() -> None:
    """Write cell_for(path) as the first code cell of every notebook under this folder."""
    import nbformat
    for path in sorted(Path(__file__).parent.glob("**/*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        cell = first_code_cell(notebook)
        if cell.source != cell_for(path):
            cell.source = cell_for(path)
            nbformat.write(notebook, path)
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
