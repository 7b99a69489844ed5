"""The formula command line for Japanese learners: variables named in Japanese (重み, バイアス),
full-width letters read as Python reads them (ｘ is x), carets under wide characters, and
`--lang ja` for the table and the messages, with English the default."""

import string
import unicodedata
from pathlib import Path

import pytest

from viz.cli import main
from viz.formula import FUNCTIONS, REFUSED, FormulaError, build
from viz.labels import CLI_TEXT

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rows(out: str) -> dict[str, list[str]]:
    """The table's rows by input name: {"りんご": ["100", "2.2"], ...}."""
    return {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:]
            if not line.startswith(("wrote", "/"))}


def width(text: str) -> int:
    """Terminal columns, counted here by hand: W and F are 2, combining characters 0."""
    return sum(0 if unicodedata.combining(char) else
               2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


# ---------------------------------------------------------------------- names

def test_japanese_names_get_values_and_gradients(capsys, tmp_path):
    code, out, err = run(capsys, "りんご*個数*消費税", "--at", "りんご=100,個数=2,消費税=1.1",
                         "-o", str(tmp_path / "g.svg"))
    assert code == 0, err
    assert out.splitlines()[0] == "りんご*個数*消費税 = 220"      # 220.00000000000003, as %g
    table = rows(out)
    assert table["りんご"] == ["100", "2.2"]
    assert table["個数"] == ["2", "110"]
    assert table["消費税"] == ["1.1", "200"]


def test_the_issue_example_with_weight_and_bias(capsys, tmp_path):
    output = tmp_path / "g.svg"
    code, out, err = run(capsys, "重み*x+バイアス", "--at", "重み=0.5,x=2,バイアス=1", "-o",
                         str(output))
    assert code == 0, err
    assert rows(out) == {"重み": ["0.5", "2"], "x": ["2", "0.5"], "バイアス": ["1", "1"]}
    assert "重み" in output.read_text() and "バイアス" in output.read_text()


def test_japanese_names_become_the_values_names():
    output, inputs = build("重み*x+バイアス", {"重み": 0.5, "x": 2.0, "バイアス": 1.0})
    assert [leaf.name for leaf in inputs.values()] == ["重み", "x", "バイアス"]
    assert output.name == "重み * x + バイアス"


def test_the_table_columns_line_up_under_wide_names(capsys, tmp_path):
    code, out, _ = run(capsys, "りんご*x", "--at", "りんご=3,x=2", "-o", str(tmp_path / "g.svg"))
    lines = out.splitlines()[1:4]
    assert code == 0 and len({width(line) for line in lines}) == 1, lines


@pytest.mark.parametrize("formula, at", [("x*2", "ｘ=3"), ("ｘ*2", "ｘ=3")])
def test_a_full_width_letter_is_the_same_variable_as_in_python(capsys, tmp_path, formula, at):
    code, out, err = run(capsys, formula, "--at", at, "-o", str(tmp_path / "g.svg"))
    assert code == 0, err
    assert rows(out) == {"x": ["3", "2"]}


def test_a_name_given_twice_in_two_widths_is_refused(capsys):
    code, _, err = run(capsys, "x", "--at", "x=1,ｘ=2", "-o", "/nonexistent/g.svg")
    assert code == 2 and "--at gives x twice" in err


def test_at_names_that_cannot_name_a_variable_are_refused(capsys):
    for assignment in ["if=3", "_重み=1", "1x=2", "重 み=1", "x-y=1", "x\u200b=1"]:
        code, out, err = run(capsys, "x", "--at", assignment, "-o", "/nonexistent/g.svg")
        assert code == 2 and out == "" and "write NAME=NUMBER" in err, assignment


# ---------------------------------------------------------------------- carets

@pytest.mark.parametrize("formula, culprit", [
    ("重み + open(x)", "open"),
    ("バイアス*x // 2", "//"),
    ("ｘ + 'テキスト'", "'"),
    ("e\u0301 + 重み[0]", "重み["),            # é written as e + a combining accent: 0 columns
])
def test_the_caret_sits_under_the_culprit_after_wide_characters(capsys, formula, culprit):
    code, _, err = run(capsys, formula, "--at", "x=1", "-o", "/nonexistent/g.svg")
    lines = err.splitlines()
    assert code == 2 and lines[1] == "  " + formula
    column = width(formula[:formula.index(culprit)])
    assert lines[2] == "  " + " " * column + "^"


def test_formula_error_counts_columns_not_characters():
    with pytest.raises(FormulaError) as error:
        build("重み * 個数", {"重み": 1.0})
    assert str(error.value).splitlines()[1:] == ["  重み * 個数", "  " + " " * 7 + "^"]


# ---------------------------------------------------------------------- --lang ja

def test_lang_ja_prints_the_table_and_wrote_in_japanese(capsys, tmp_path):
    output = tmp_path / "g.svg"
    code, out, err = run(capsys, "重み*x", "--at", "重み=0.5,x=2", "--lang", "ja", "-o",
                         str(output))
    assert code == 0, err
    assert out.splitlines()[1].split() == ["入力", "値", "勾配"]
    assert f"{output} に書き出しました" in out and "wrote" not in out


@pytest.mark.parametrize("argv, words", [
    (["x + open(x)", "--at", "x=1"], "'open' という関数はありません"),
    (["x * 重み", "--at", "x=1"], "変数 '重み' に値がありません: --at 重み=数値 を加えてください"),
    (["x", "--at", "x=abc"], "値は有限の数にしてください"),
    (["x[0]", "--at", "x=1"], "添字は使えません"),
    (["x", "--at", "x=1", "--quiz"], "--quiz はステップ実行ページのオプションです"),
])
def test_lang_ja_gives_the_error_messages_in_japanese(capsys, argv, words):
    code, out, err = run(capsys, *argv, "--lang", "ja", "-o", "/nonexistent/g.svg")
    assert code == 2 and out == ""
    assert err.startswith("python -m viz: エラー: ") and words in err


def test_lang_ja_frames_argparse_complaints_in_japanese(capsys):
    code, _, err = run(capsys, "x", "--lang=ja", "--bogus")
    assert code == 2 and "エラー" in err and "--help を参照" in err


def test_english_stays_the_default(capsys, tmp_path):
    output = tmp_path / "g.svg"
    code, out, _ = run(capsys, "重み*x", "--at", "重み=0.5,x=2", "-o", str(output))
    assert code == 0 and out.splitlines()[1].split() == ["input", "value", "gradient"]
    assert f"wrote {output}" in out
    code, _, err = run(capsys, "x + open(x)", "--at", "x=1", "-o", "/nonexistent/g.svg")
    assert err.startswith("python -m viz: error: unknown function 'open'")


def test_lang_ja_reaches_the_picture(capsys, tmp_path):
    for lang, legend in (("ja", "順伝播で求めた値"), ("en", "forward value")):
        output = tmp_path / f"{lang}.svg"
        code, _, err = run(capsys, "重み*2", "--at", "重み=1", "--lang", lang, "-o", str(output))
        assert code == 0 and legend in output.read_text(), err


def test_lang_no_longer_needs_html(capsys, tmp_path):
    code, _, err = run(capsys, "x", "--at", "x=1", "--lang", "en", "-o", str(tmp_path / "g.svg"))
    assert code == 0, err


# ---------------------------------------------------------------------- the table of words

def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_cli_text_has_the_same_keys_and_placeholders_in_both_languages():
    assert set(CLI_TEXT) == {"en", "ja"}
    assert CLI_TEXT["en"].keys() == CLI_TEXT["ja"].keys()
    for key, english in CLI_TEXT["en"].items():
        assert placeholders(english) == placeholders(CLI_TEXT["ja"][key]), key


def test_every_cli_text_key_is_used_by_the_code():
    source = "".join((ROOT / "viz" / f"{name}.py").read_text() for name in ("cli", "formula"))
    kinds = {f"kind {kind}" for kind in REFUSED.values()}
    unused = [key for key in CLI_TEXT["en"] if f'"{key}"' not in source and key not in kinds]
    assert unused == []


def test_help_is_in_japanese_with_lang_ja_and_english_by_default(capsys):
    code, out, _ = run(capsys, "--lang", "ja", "--help")
    assert code == 0
    for words in ("使い方:", "位置引数", "オプション", "このヘルプを表示して終了",
                  CLI_TEXT["ja"]["help at"], CLI_TEXT["ja"]["help description"]):
        assert words in out
    code, out, _ = run(capsys, "--help")
    assert code == 0 and out.startswith("usage:") and "positional arguments" in out
    assert CLI_TEXT["en"]["help at"] in out and "使い方" not in out


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_help_lists_every_function_the_formula_allows(lang, capsys):
    code, out, _ = run(capsys, "--help", *(["--lang", "ja"] if lang == "ja" else []))
    assert code == 0
    flat = " ".join(out.split())
    assert all(f" {name}," in flat or f" {name} " in flat for name in FUNCTIONS)
    assert {"sqrt", "maximum", "relu", "exp", "sigmoid"} <= set(FUNCTIONS)  # from rules.py too
