"""The wheel a notebook or Colab installs (`make dist`): the three packages with the page's
files, the licence and complete metadata, and nothing of the repository's own (tests, demos)."""

from __future__ import annotations

import zipfile
from email.parser import Parser
from pathlib import Path

import pytest


@pytest.fixture
def wheel(zerograd_wheel) -> Path:
    return zerograd_wheel          # (conftest.py builds it once)


def test_the_wheel_holds_the_three_packages_and_the_pages_files(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.startswith("zerograd-")}
    assert tops == {"autograd", "nn", "viz"}
    for needed in ("autograd/rules.py", "autograd/micrograd.py", "nn/modules.py",
                   "viz/stepper.js", "viz/stepper.css", "viz/stepper.html"):
        assert needed in names
    assert any(name.endswith("licenses/LICENSE") for name in names)


def test_the_wheels_metadata_is_complete(wheel):
    archive = zipfile.ZipFile(wheel)
    [metadata] = [name for name in archive.namelist() if name.endswith("METADATA")]
    fields = Parser().parsestr(archive.read(metadata).decode())
    assert fields["Name"] == "zerograd" and fields["Version"]
    assert fields["License"] == "MIT" and fields["Requires-Python"] == ">=3.11"
    assert fields["Description-Content-Type"] == "text/markdown"
    assert "# zerograd" in fields.get_payload()                 # the README is the description
    requires = fields.get_all("Requires-Dist")
    assert any(r.startswith("numpy") for r in requires)
    assert {"test", "demos", "notebooks"} <= set(fields.get_all("Provides-Extra"))
