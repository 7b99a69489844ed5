"""demos.gpt on a few steps: it trains, prints made-up names and writes its pictures (en and
ja); the Japanese run needs Debian's ipadic-common (skipped otherwise, saying the command).
The plots of viz/gpt_plots.py refuse bad input with a clear message."""

from __future__ import annotations

import numpy as np
import pytest

from demos import gpt as demo
from nn import data
from viz.gpt_plots import plot_attention, plot_loss_curve

pytest.importorskip("matplotlib", reason="pip install 'zerograd[demos]'")


def test_demo_trains_on_english_names_and_draws(tmp_path, capsys):
    assert demo.main(["--steps", "4", "--samples", "3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "5163 names, 26 characters" in out and "made up (temperature 0.5): " in out
    made_up = out.split("made up (temperature 0.5): ")[1].splitlines()[0].split(", ")
    assert len(made_up) == 3 and all(set(n) <= set("abcdefghijklmnopqrstuvwxyz") for n in made_up)
    for name in ("gpt_en_loss.png", "gpt_en_attention.png", "gpt_en_layers.svg"):
        assert (tmp_path / name).stat().st_size > 1000
    svg = (tmp_path / "gpt_en_layers.svg").read_text(encoding="utf-8")
    for kind in ("Linear", "RMSNorm", "attention head", "MLP block", "softmax with loss"):
        assert kind in svg


def test_demo_trains_on_japanese_names(tmp_path, capsys):
    if not data.IPADIC_NAMES.is_file():
        pytest.skip(f"ipadic-common is not installed: {data.INSTALL_IPADIC}")
    assert demo.main(["--lang", "ja", "--steps", "3", "--samples", "4", "--no-layers",
                      "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    made_up = out.split("モデルが作った名前（温度 0.5）: ")[1].splitlines()[0].split(", ")
    assert len(made_up) == 4 and all(all("ァ" <= c <= "ヺ" or c == "ー" for c in n)
                                     for n in made_up)
    assert (tmp_path / "gpt_ja_attention.png").stat().st_size > 1000


def test_demo_without_the_japanese_names_says_the_command(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(data, "IPADIC_NAMES", tmp_path / "missing.dic")
    monkeypatch.setitem(demo.NAMES, "ja", lambda: data.japanese_names(tmp_path / "missing.dic"))
    assert demo.main(["--lang", "ja", "--steps", "1"]) == 1
    assert "sudo apt-get install ipadic-common" in capsys.readouterr().err


def test_plots_refuse_bad_input():
    with pytest.raises(ValueError, match=r"shape \[head, pos, pos\]"):
        plot_attention(np.zeros((2, 3)), ["a", "b", "c"])
    with pytest.raises(ValueError, match="3 positions but 2 token labels"):
        plot_attention(np.zeros((1, 3, 3)), ["a", "b"])
    with pytest.raises(ValueError, match="non-empty"):
        plot_loss_curve([])
    with pytest.raises(ValueError, match="every must be a positive int"):
        plot_loss_curve([1.0, 2.0], every=0)
