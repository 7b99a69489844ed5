"""demos.timings, which measures the times in the README's table of demos."""

from __future__ import annotations

import pytest

from demos import timings


def test_every_demo_module_is_timed_and_nothing_else():
    names = timings.demo_names()
    assert "moons" in names and "fashion_mnist" in names
    assert not {"__init__", "__main__", "timings"} & set(names)


@pytest.mark.parametrize("seconds, text", [(0.44, "0.4 s"), (9.72, "9.7 s"), (15.2, "15 s"),
                                           (78.4, "1 min 18 s"), (343.0, "5 min 43 s")])
def test_times_are_shown_as_the_readme_gives_them(seconds, text):
    assert timings.shown(seconds) == text


def test_a_demo_is_timed_in_a_folder_of_its_own_and_its_row_printed(capsys):
    assert timings.main(["shopping"]) == 0
    row = capsys.readouterr().out.splitlines()[-1]
    assert row.startswith("| `demos.shopping` | ") and row.endswith(" s |")


def test_a_failing_demo_is_marked_and_fails_the_run(monkeypatch, capsys):
    monkeypatch.setattr(timings, "command", lambda name: ["python3", "-c", "exit(3)"])
    assert timings.main(["shopping"]) == 1
    assert "(exit 3)" in capsys.readouterr().out


def test_an_unknown_demo_is_refused_naming_the_demos(capsys):
    with pytest.raises(SystemExit):
        timings.main(["nope"])
    assert "no demo named nope; the demos are activations" in capsys.readouterr().err
