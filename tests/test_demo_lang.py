"""--lang for the tour, its GPT, the nine demos that print as they run and the book's demos
(lecture_mlp, batchnorm, dropout, cnn, weight_init): with --lang ja every line a learner reads
is Japanese (numbers, formulas, paths and `accuracy=` stay), with en no Japanese is left, and
the Japanese pictures are named *_ja. Where nn.data's English detail follows (a missing or
corrupt file), a Japanese line comes first.

`untranslated(line)` is the check: a line fails when it holds a run of three English words
(numbers, names such as sigmoid, and symbols between them do not break the run; Japanese, paths,
calls like MLP(...) and code do), or an English word of two letters or more and no Japanese at
all. Each test also feeds it the English printout, line by line: every English line that the
Japanese run changed must fail the check, so an untranslated line cannot slip through.
"""

from __future__ import annotations

import functools
import re
import shutil
import struct

import numpy as np
import pytest

import demos.__main__ as tour
from demos import (activations, batchnorm, cnn, derivatives, digits, dropout, gpt, lecture_mlp,
                   mnist, moons, sigmoid_graph, spiral, vanishing_gradients, weight_init, xor)
from nn import data
from demos import terminal_width
from viz.labels import TEXT

NEEDS_DOT = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")
NEEDS_FASHION = pytest.mark.skipif(
    not (data.FASHION_MNIST_FOLDER / "t10k-images-idx3-ubyte.gz").is_file(),
    reason="Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]")   # kana, kanji, full-width
NAMES = {"sigmoid", "tanh", "relu", "softmax", "sympy", "mlp", "gpt", "mnist", "xor", "log"}
CALL = re.compile(r"[A-Za-z_][\w.]*\([^()]*\)")                      # MLP(...), sigmoid(0.5)
NUMBER = re.compile(r"[-+−]?(\d[\d.,eE+\-−×x]*|inf|nan)%?")
SYMBOLS = re.compile(r"[^\w\s]+")                                  # =, |, ×, ---, ...
EDGE = ".,;:!?()[]'\"`"


def kind(token: str) -> str:
    """'word' (English), 'skip' (a number, a name, symbols) or 'break' (anything else)."""
    token = token.strip(EDGE)
    if "/" in token:
        return "break"                                               # paths, dz/dx
    if not token or NUMBER.fullmatch(token) or SYMBOLS.fullmatch(token):
        return "skip"
    if re.fullmatch(r"[A-Za-z]+", token):
        return "skip" if token.lower() in NAMES else "word"
    return "break"


def untranslated(line: str) -> bool:
    """True when line still reads as English (see the module's docstring)."""
    line = re.sub(r"accuracy=\S*", " ", line)
    while CALL.search(line):
        line = CALL.sub(" ", line)
    tokens = line.split()
    run = longest = 0
    for token in tokens:
        sort = kind(token)
        run = run + 1 if sort == "word" else 0 if sort == "break" else run
        longest = max(longest, run)
    english = [t for t in tokens if kind(t) == "word" and len(t.strip(EDGE)) > 1]
    return longest >= 3 or (bool(english) and not JAPANESE.search(line))


def test_the_check_tells_english_from_japanese():
    assert untranslated("trained 100 steps in 0.15 s")
    assert untranslated("wrote /tmp/out/moons_boundary.png")
    assert untranslated("  xor(0, 1) = 1, the 2-4-1 network says 1")
    assert untranslated("sigmoid: layer 1 gets 2.1e-05 × the gradient of layer 10")
    assert not untranslated("/tmp/out/moons_boundary_ja.png に書き出しました")
    assert not untranslated("z = sigmoid(0.5) = 0.622459")
    assert not untranslated("層         sigmoid        tanh        relu")
    assert not untranslated("MLP(2-16-16-1, activation='relu'): 150 エポックの学習時間 0.6 秒")
    assert not untranslated("accuracy=0.9500")


def run(capsys, main, argv: list[str]) -> tuple[int, list[str], str]:
    """main(argv)'s exit code, the lines it printed, and what it wrote to stderr."""
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def check_both_languages(capsys, tmp_path, main, argv: list[str], pictures: list[str],
                         code: int = 0) -> list[str]:
    """Run main in en and in ja, check the printouts line by line and the pictures' names;
    returns the Japanese lines."""
    english = run(capsys, main, [*argv, "--out", str(tmp_path / "en")])
    japanese = run(capsys, main, [*argv, "--out", str(tmp_path / "ja"), "--lang", "ja"])
    assert english[0] == japanese[0] == code
    en_lines, ja_lines = english[1], japanese[1]
    assert not [line for line in en_lines if JAPANESE.search(line)]
    assert any(JAPANESE.search(line) for line in ja_lines)
    assert [line for line in ja_lines if untranslated(line)] == []
    assert len(en_lines) == len(ja_lines)
    changed = [en for en, ja in zip(en_lines, ja_lines) if en != ja and re.search("[a-z]", en)]
    assert changed and [line for line in changed if not untranslated(line)] == []
    assert sorted(path.name for path in (tmp_path / "ja").glob("*")) == sorted(pictures)
    for name in pictures:
        assert (tmp_path / "en" / name.replace("_ja", "")).exists()
    return ja_lines


def test_activations(tmp_path, capsys):
    lines = check_both_languages(capsys, tmp_path, activations.main, [], ["activations_ja.png"])
    assert "微分の最大値" in "\n".join(lines)


def test_derivatives(capsys):
    code, lines, _ = run(capsys, derivatives.main, ["--lang", "ja"])
    assert code == 0 and [line for line in lines if untranslated(line)] == []
    assert lines[0].split()[:2] == ["規則", "微分"]
    assert sum(line.endswith("  一致") for line in lines) == len(derivatives.RULES)
    assert "a > 0 なら 1、それ以外は 0" in "\n".join(lines)        # the rule table's ja words
    code, english, _ = run(capsys, derivatives.main, [])
    changed = [en for en, ja in zip(english, lines) if en != ja and re.search("[a-z]", en)]
    assert len(changed) == len(derivatives.RULES) + 2
    assert [line for line in changed if not untranslated(line)] == []


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_sigmoid_graph(tmp_path, capsys):
    lines = check_both_languages(
        capsys, tmp_path, sigmoid_graph.main, [],
        ["sigmoid_graph_ja.svg", "sigmoid_graph_ja.png", "sigmoid_frames_ja",
         "sigmoid_stepper_ja.html"])
    frames = tmp_path / "ja" / "sigmoid_frames_ja"
    assert len(list(frames.glob("frame_*.png"))) == 16 and (frames / "backprop.gif").exists()
    assert "逆伝播" in (tmp_path / "ja" / "sigmoid_graph_ja.svg").read_text()
    assert any("dz/dx" in line and line.endswith("はい") for line in lines)


def test_vanishing_gradients(tmp_path, capsys):
    lines = check_both_languages(capsys, tmp_path, vanishing_gradients.main, [],
                                 ["vanishing_gradients_ja.png"])
    assert " sigmoid: 1 層目の勾配は 10 層目の" in "\n".join(lines)


def test_xor(tmp_path, capsys):
    lines = check_both_languages(capsys, tmp_path, xor.main, [], ["xor_boundary_ja.png"])
    assert lines[-1] == "accuracy=1.0000"


def test_moons(tmp_path, capsys):
    lines = check_both_languages(capsys, tmp_path, moons.main, [],
                                 ["moons_boundary_ja.png", "moons_layers_ja.png"])
    assert lines[-1] == "accuracy=1.0000"


def test_spiral(tmp_path, capsys):
    lines = check_both_languages(capsys, tmp_path, spiral.main, ["--epochs", "5"],
                                 ["spiral_boundary_ja.png", "spiral_history_ja.png"])
    assert lines[-1].startswith("accuracy=0.")


def test_digits(tmp_path, capsys, monkeypatch):
    X, y = digits.data.digits()
    monkeypatch.setattr(digits.data, "digits", lambda: (X[:400], y[:400]))    # quicker
    lines = check_both_languages(capsys, tmp_path, digits.main, ["--epochs", "1"],
                                 ["digits_history_ja.png", "digits_misclassified_ja.png"])
    assert lines[-1].startswith("accuracy=")


def write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def test_mnist(tmp_path, capsys):
    folder, rng = tmp_path / "mnist", np.random.default_rng(0)
    folder.mkdir()
    for prefix, n in (("train", 40), ("t10k", 10)):
        write_idx(folder / f"{prefix}-labels-idx1-ubyte", rng.integers(0, 10, n))
        write_idx(folder / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)))
    lines = check_both_languages(capsys, tmp_path, mnist.main, [str(folder), "--epochs", "1"],
                                 ["mnist_history_ja.png", "mnist_misclassified_ja.png"])
    assert lines[-1].startswith("accuracy=")


@pytest.mark.skipif(not data.IPADIC_NAMES.is_file(), reason="ipadic-common is not installed")
def test_gpt_the_tours_last_stop(tmp_path, capsys):
    argv = ["--steps", "3", "--samples", "3", "--no-layers"]
    english = run(capsys, gpt.main, [*argv, "--out", str(tmp_path)])
    japanese = run(capsys, gpt.main, [*argv, "--out", str(tmp_path), "--lang", "ja"])
    assert english[0] == japanese[0] == 0
    assert not [line for line in english[1] if JAPANESE.search(line)]
    assert [line for line in japanese[1] if untranslated(line)] == []
    assert [line for line in english[1] if not untranslated(line)] == []   # all changed
    assert (tmp_path / "gpt_ja_loss.png").exists() and (tmp_path / "gpt_en_loss.png").exists()


@pytest.mark.parametrize("argv", [[], ["no-such-folder"], ["."]])
def test_mnist_without_its_files_says_so_in_either_language(capsys, argv):
    english = run(capsys, mnist.main, argv)
    japanese = run(capsys, mnist.main, [*argv, "--lang", "ja"])
    assert english[0] == japanese[0] == 2
    assert untranslated(english[2]) and not JAPANESE.search(english[2])
    assert JAPANESE.search(japanese[2]) and not untranslated(japanese[2])
    assert "train-images-idx3-ubyte" in english[2] and "train-images-idx3-ubyte" in japanese[2]


def test_the_tour_passes_lang_to_every_stop_and_titles_it(monkeypatch, capsys):
    calls = []
    stops = [(title, lambda argv, title=title: calls.append((title, argv)) or 0)
             for title, _ in tour.TOUR]
    monkeypatch.setattr(tour, "TOUR", stops)
    assert tour.main(["--lang", "ja"]) == 0
    out = capsys.readouterr().out
    assert calls == [(title, ["--lang", "ja"]) for title, _ in stops]
    for number, (title, _) in enumerate(stops, 1):
        assert f"=== {number}. {TEXT['ja'][title]} ===" in out
    assert [line for line in out.splitlines() if untranslated(line)] == []
    assert out.strip().endswith(TEXT["ja"]["tour done"])
    assert tour.main([]) == 0 and calls[-1][1] == ["--lang", "en"]
    assert "=== 1. The sigmoid graph, node by node ===" in capsys.readouterr().out


def test_the_tours_stops_are_the_demos_that_take_lang():
    assert [main.__module__ for _, main in tour.TOUR] == [
        "demos.sigmoid_graph", "demos.derivatives", "demos.moons", "demos.gpt"]


def test_every_word_these_demos_use_is_in_the_tables():
    prefixes = ("tour ", "activations ", "rules ", "sigmoid ", "sympy ", "vanishing ", "xor ",
                "moons ", "spiral ", "digits setup", "digits wrong", "mnist ", "gpt demo ",
                "lecture ", "bn table ", "dropout after", "dropout row", "fashion missing",
                "fashion corrupt", "cnn bar", "cnn progress", "cnn setup", "cnn trained",
                "cnn test", "weight init ")
    sources = "".join(module.__loader__.get_source(module.__name__) for module in (
        tour, activations, derivatives, digits, gpt, mnist, moons, sigmoid_graph, spiral,
        vanishing_gradients, xor, lecture_mlp, batchnorm, dropout, cnn, weight_init))
    ours = [key for key in TEXT["en"] if key.startswith(prefixes)]
    assert len(ours) > 55
    assert [key for key in ours if f'"{key}"' not in sources and f"'{key}'" not in sources] == []


# ------------------------------------------- the book's demos: lecture_mlp, batchnorm, ... cnn

@NEEDS_DOT
def test_lecture_mlp(tmp_path, capsys):
    lines = check_both_languages(capsys, tmp_path, lecture_mlp.main, ["--layers", "3,1"],
                                 ["lecture_mlp_ja.png", "lecture_mlp_ja.html"])
    assert lines[0].startswith("MLP(2, [3, 1]): 損失 ")


@NEEDS_DOT
def test_batchnorm(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(batchnorm, "HIDDEN", 10)                           # quicker
    argv = ["--epochs", "1", "--samples", "100", "--scales", "1", "0.01"]
    lines = check_both_languages(capsys, tmp_path, batchnorm.main, argv, [
        "batchnorm_graph_ja.png", "batchnorm_layer_ja.png", "batchnorm_ja.png"])
    header, first, second = lines[2:5]
    assert header.split()[:3] == ["重みの標準偏差", "BN", "あり"]
    assert first.split()[0] == "1" and second.split()[0] == "0.01"
    assert terminal_width(header.split("   （")[0]) == len(first)        # the columns line up


@NEEDS_FASHION
def test_dropout(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dropout, "HIDDEN", 10)                             # quicker
    monkeypatch.setattr(dropout, "LAYERS", 2)
    argv = ["--epochs", "1", "--samples", "100", "--tests", "10"]
    lines = check_both_languages(capsys, tmp_path, dropout.main, argv, ["dropout_ja.png"])
    assert lines[0] == "100 枚の写真で 1 エポック学習した後:"
    assert lines[1].startswith(f"  {TEXT['ja']['dropout plain']} ") and "テスト 0." in lines[1]


@NEEDS_DOT
@NEEDS_FASHION
def test_cnn(tmp_path, capsys):
    argv = ["--subset", "20", "--test-subset", "10", "--filters", "2", "--batch-size", "10"]
    lines = check_both_languages(capsys, tmp_path, cnn.main, argv, [
        "conv_graph_ja.png", "cnn_loss_ja.png", "cnn_filters_ja.png", "cnn_mistakes_ja.png"])
    text = "\n".join(lines)
    assert "ステップ 2/2  損失 " in text and "テスト用の写真 10 枚での認識精度 0." in text


def test_weight_init(tmp_path, capsys, monkeypatch):
    quicker = functools.partial(weight_init.layer_activations, units=20)    # 20 units a layer
    monkeypatch.setattr(weight_init, "layer_activations", quicker)
    lines = check_both_languages(capsys, tmp_path, weight_init.main, ["--samples", "20"],
                                 ["weight_init_ja.png"])
    assert lines[0].startswith("sigmoid, 重みの標準偏差 1: ") and lines[0].endswith(" 秒")
    assert any(line.split()[:3] == ["層", "sigmoid", "1"] for line in lines)


def english_and_japanese_errors(capsys, main, argv: list[str], code: int) -> tuple[str, str]:
    """What main(argv) writes to stderr in en and in ja, after checking its exit code."""
    english = run(capsys, main, argv)
    japanese = run(capsys, main, [*argv, "--lang", "ja"])
    assert english[0] == japanese[0] == code
    return english[2], japanese[2]


def check_the_detail_follows(english: str, japanese: str, program: str, detail: str) -> str:
    """en: program: detail, as before; ja: a Japanese line, then the same English detail.
    Returns the Japanese line."""
    assert english == f"{program}: {detail}\n" and untranslated(english)
    first, second = japanese.splitlines()
    assert first.startswith(f"{program}: ") and not untranslated(first)
    assert second == detail
    return first


@NEEDS_DOT
@pytest.mark.parametrize("corrupt", [False, True])
def test_cnn_without_fashion_mnist_says_so_in_either_language(tmp_path, capsys, corrupt):
    folder = tmp_path / "fashion"
    folder.mkdir()
    if corrupt:
        for name in data.MNIST_FILES.values():
            (folder / name).write_bytes(b"\x00\x00\x08")                 # too short
    with pytest.raises((FileNotFoundError, ValueError)) as error:
        data.fashion_mnist(folder)
    argv = ["--folder", str(folder), "--out", str(tmp_path / "out")]
    english, japanese = english_and_japanese_errors(capsys, cnn.main, argv, 2)
    first = check_the_detail_follows(english, japanese, "demos.cnn", str(error.value))
    assert ("壊れて" in first) == corrupt
    assert (data.INSTALL_FASHION_MNIST in first) == (not corrupt)


def test_dropout_without_fashion_mnist_says_so_in_either_language(tmp_path, capsys,
                                                                   monkeypatch):
    monkeypatch.setattr(data, "FASHION_MNIST_FOLDER", tmp_path)
    with pytest.raises(FileNotFoundError) as error:
        data.fashion_mnist()
    english, japanese = english_and_japanese_errors(capsys, dropout.main, [], 2)
    first = check_the_detail_follows(english, japanese, "demos.dropout", str(error.value))
    assert data.INSTALL_FASHION_MNIST in first


def test_gpt_without_ipadic_says_so_in_japanese(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(data, "IPADIC_NAMES", tmp_path / "Noun.name.dic")
    code, _, japanese = run(capsys, gpt.main, ["--lang", "ja", "--out", str(tmp_path)])
    first, detail = japanese.splitlines()
    assert code == 1 and first.startswith("demos.gpt: ") and not untranslated(first)
    assert data.INSTALL_IPADIC in first and str(tmp_path / "Noun.name.dic") in detail


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_table_of_rules_keeps_its_columns_in_both_languages(lang):
    from demos import derivatives, terminal_width
    text, _ = derivatives.table(derivatives.RULES, lang)
    rows = [line for line in text.splitlines()[2:]]
    starts = {terminal_width(line[:line.index(" d")]) for line in rows if " d" in line}
    assert len(starts) == 1, f"the derivative column starts at columns {sorted(starts)}"
