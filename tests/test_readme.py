"""The READMEs (English and Japanese) are the front door: their examples print what their
comments say, and the commands they tell a new user to type run as written (with the Python of
the .venv that `make` sets up)."""

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
README_JA = (ROOT / "README.ja.md").read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)
JA_BLOCKS = re.findall(r"```python\n(.*?)```", README_JA, flags=re.S)


def _printed_and_expected(block: str) -> list[tuple[str, str]]:
    """Run a README example; pair each print's output line with the comment after it."""
    expected = [line.split("#", 1)[1].strip() for line in block.splitlines()
                if line.startswith("print(") and "#" in line]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})
    return list(zip(out.getvalue().splitlines(), expected))


LAYER_VIEW = next(block for block in PYTHON_BLOCKS if "collapse=True" in block)


@pytest.mark.parametrize("block", [PYTHON_BLOCKS[0], PYTHON_BLOCKS[1], LAYER_VIEW, JA_BLOCKS[0]],
                         ids=["example", "training", "layer view", "ja example"])
def test_readme_example_prints_what_its_comments_say(block):
    pairs = _printed_and_expected(block)
    assert pairs
    for printed, comment in pairs:
        claimed = comment.split("  ")[0]       # the part before any explanation
        assert printed.replace(" ", "").startswith(claimed.replace(" ", "")), (printed, comment)


@pytest.mark.parametrize("text", [README, README_JA], ids=["en", "ja"])
def test_every_python_command_a_new_user_types_names_the_venv_or_is_a_reference(text):
    """Commands to type use .venv/bin/python (make installs everything there); the API section
    may describe the command line as `python -m viz`, after the note on activating the venv."""
    note = text.index(". .venv/bin/activate")
    for match in re.finditer(r"(?<![\w/.])python -m (\w[\w.]*)", text):
        assert match.start() > note, f"README tells a new user to type {match.group(0)!r}"


def test_the_readmes_link_to_each_other():
    assert "README.ja.md" in README.split("\n## ")[0]       # at the top
    assert "README.md" in README_JA.split("\n## ")[0]


@pytest.mark.parametrize("module", sorted(set(re.findall(r"\.venv/bin/python -m (\w[\w.]*)",
                                                         README + README_JA))))
def test_modules_the_readme_runs_exist_and_answer_help(module):
    result = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_make_notebooks_starts_jupyter_as_root_too():
    """Jupyter refuses to run as root without --allow-root, and root is how make installs the
    Debian parts: `make notebooks` passes it exactly when running as root (a dry run)."""
    import os
    import shutil
    import subprocess
    if shutil.which("make") is None:
        pytest.skip("needs make (Debian: apt-get install make)")
    dry = subprocess.run(["make", "-n", "notebooks"], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1])
    [line] = [line for line in dry.stdout.splitlines() if "jupyter lab" in line]
    assert ("--allow-root" in line) == (os.getuid() == 0), line


def _demo_table(text: str) -> dict[str, str]:
    """The README's table of demos: {name: time}, from rows "| `name` | ... | time |"."""
    rows = re.findall(r"^\| `(\w+)` \| .+ \| ([\d.]+ s|\d+ min \d+ s) \|$", text, re.MULTILINE)
    names = [name for name, _ in rows]
    assert len(names) == len(set(names)), f"a demo listed twice: {names}"
    return dict(rows)


@pytest.mark.parametrize("text", [README, README_JA], ids=["en", "ja"])
def test_the_table_of_demos_gives_every_demo_one_time(text):
    from demos.timings import demo_names
    assert sorted(_demo_table(text)) == demo_names()


def test_both_readmes_give_each_demo_the_same_time():
    assert _demo_table(README) == _demo_table(README_JA)
