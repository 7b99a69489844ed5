"""Run every notebook top to bottom and keep its outputs, so GitHub shows them.

    python notebooks/run.py              # every notebook, en and ja, in place
    python notebooks/run.py 05 ja/05     # only those (a name's start is enough)

Each notebook runs in a fresh kernel in a temporary folder (what it writes there is thrown
away), with its outputs kept as a reader sees them. tests/test_notebooks.py runs them again and
checks that the text they print now is the text committed (`shown_text`: the same
normalisation on both sides), so a committed output cannot go stale. What changes from run to
run is left out of that comparison: the memory addresses in an object's repr, progress-bar
widgets, and the text of a cell whose metadata says `"zerograd": {"volatile": true}` (one that
prints a time). The kernel's timestamps are not kept, so running a notebook again changes its
file only where an output changed.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
WIDGET = "application/vnd.jupyter.widget-view+json"
ADDRESS = re.compile(r" at 0x[0-9a-f]+>")


def notebooks(names: list[str] | None = None) -> list[Path]:
    """The notebooks under this folder (en, then ja/), or those whose path starts with a name."""
    found = sorted(FOLDER.glob("*.ipynb")) + sorted(FOLDER.glob("ja/*.ipynb"))
    if not names:
        return found
    return [path for path in found
            if any(str(path.relative_to(FOLDER)).startswith(name) for name in names)]


def execute(path: Path) -> None:
    """Run the notebook at path in a fresh kernel and write it back with its outputs."""
    import nbclient
    import nbformat
    notebook = nbformat.read(path, as_version=4)
    lang = "ja" if path.parent.name == "ja" else "en"
    with tempfile.TemporaryDirectory(prefix="zerograd-notebook-") as folder:
        nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": folder}}).execute()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = merged_streams([compact(output, lang) for output in cell.outputs
                                           if WIDGET not in output.get("data", {})])
            cell.metadata.pop("execution", None)   # run times: a diff on every run, no use
    nbformat.write(notebook, path)


def merged_streams(outputs: list) -> list:
    """Consecutive printouts to the same stream as one output: how the kernel splits them
    depends on timing, so unmerged they would change the file on every run."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream"
                and previous.get("name") == output.get("name")):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def compact(output, lang: str):
    """The output as committed: a stepper page (an iframe of a few hundred KB that GitHub does
    not run anyway) becomes one line, in the notebook's language, saying how to see it; an
    object's address in its repr becomes "0x…"."""
    from viz.labels import PAGE_TEXT
    plain = output.get("data", {}).get("text/plain")
    if plain:                                    # an object's address changes on every run
        output["data"]["text/plain"] = ADDRESS.sub(" at 0x…>", plain)
    html = output.get("data", {}).get("text/html", "")
    if html.startswith("<iframe srcdoc="):
        note = PAGE_TEXT[lang]["saved notebook note"]
        output["data"]["text/html"] = f"<p><i>{note}</i></p>"
    return output


def shown_text(cell) -> str:
    """The text a code cell shows (printed, and the plain text of its results), normalised:
    an object's address left out; nothing for a cell marked volatile."""
    if cell.get("metadata", {}).get("zerograd", {}).get("volatile"):
        return ""
    parts = []
    for output in cell.get("outputs", []):
        if WIDGET in output.get("data", {}):
            continue
        parts.append(output.get("text", "") if output.get("output_type") == "stream" else
                     output.get("data", {}).get("text/plain", ""))
    return ADDRESS.sub(" at 0x…>", "".join(parts))


def main(names: list[str]) -> int:
    """Run the named notebooks (all by default) in place; print each one's path."""
    for path in notebooks(names):
        execute(path)
        print(f"ran {path.relative_to(FOLDER)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
