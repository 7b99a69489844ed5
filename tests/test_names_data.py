"""Tests for the names a character-level GPT trains on: `nn.data.names`, `nn.data.japanese_names`
and `nn.data.CharTokenizer`.

The Japanese names need Debian's package ipadic-common (`make test` installs it when run as
root); without it those tests are skipped and say the command. The dictionary is also read here
independently (a plain split of each line, no regular expression) to check what the reader keeps.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, strategies as st

from nn import data

COMMAND = "sudo apt-get install ipadic-common"
KATAKANA = re.compile("[\u30a1-\u30fa\u30fc]+")      # ァ..ヺ and the long-vowel mark ー


@pytest.fixture(scope="module")
def japanese():
    """japanese_names(), once for the module; skipped without Debian's ipadic-common."""
    if not data.IPADIC_NAMES.is_file():
        pytest.skip(f"ipadic-common is not installed ({data.IPADIC_NAMES} missing): {COMMAND} "
                    f"(`make test` does it when run as root)")
    return data.japanese_names()


def test_english_names_are_lowercase_letters_without_repeats():
    names = data.names()
    assert len(names) == 5163
    assert all(re.fullmatch("[a-z]+", n) for n in names)
    assert names == sorted(set(names))
    assert {"mary", "james", "emma", "olivia"} <= set(names)


def test_the_names_file_says_where_it_comes_from():
    header = [line for line in data.NAMES_FILE.read_text(encoding="utf-8").splitlines()
              if line.startswith("#")]
    text = " ".join(header)
    assert "Census" in text and "public domain" in text and "names" in text


def test_japanese_names_are_katakana_deduplicated(japanese):
    assert len(japanese) > 7000
    assert all(KATAKANA.fullmatch(n) for n in japanese)
    assert len(set(japanese)) == len(japanese)
    assert any("ー" in n for n in japanese)            # long vowels are kept (ユーコ, ...)
    assert {"ハナコ", "タロウ", "ユウコ"} <= set(japanese)


def test_japanese_names_match_an_independent_reading_of_the_dictionary(japanese):
    expected = set()
    for line in data.IPADIC_NAMES.read_text(encoding="utf-8").splitlines():
        if "(品詞 (名詞 固有名詞 人名 名))" not in line:
            continue
        reading = line.split("(読み ")[1].split(")")[0].strip("{}")
        for r in reading.split("/"):
            r = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in r)
            if KATAKANA.fullmatch(r):
                expected.add(r)
    assert set(japanese) == expected


def test_family_names_are_left_out(japanese, tmp_path):
    path = tmp_path / "Noun.name.dic"
    path.write_text("(品詞 (名詞 固有名詞 人名 姓)) ((見出し語 (山田 3000)) (読み ヤマダ) (発音 ヤマダ) )\n"
                    "(品詞 (名詞 固有名詞 人名 名)) ((見出し語 (心 2956)) (読み {シン/ココロ}) "
                    "(発音 {シン/ココロ}) )\n"
                    "(品詞 (名詞 固有名詞 人名 名)) ((見出し語 (かほる 3000)) (読み かほる) )\n",
                    encoding="utf-8")
    assert data.japanese_names(path) == ["カホル", "ココロ", "シン"]


def test_a_missing_dictionary_names_the_install_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="apt-get install ipadic-common"):
        data.japanese_names(tmp_path / "nowhere.dic")


@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=5))
def test_tokenizer_round_trip(docs):
    tok = data.CharTokenizer(docs)
    assert tok.vocab_size == len(set("".join(docs))) + 1 and tok.bos == tok.vocab_size - 1
    for doc in docs:
        ids = tok.encode(doc)
        assert all(0 <= i < tok.bos for i in ids)
        assert tok.decode(ids) == doc
        assert tok.decode([tok.bos, *ids, tok.bos]) == doc        # bos is not a character


def test_tokenizer_on_the_english_names():
    tok = data.CharTokenizer(data.names())
    assert tok.vocab_size == 27 and tok.bos == 26
    assert tok.encode("abz") == [0, 1, 25]


def test_tokenizer_refuses_bad_input():
    tok = data.CharTokenizer(["abc"])
    with pytest.raises(ValueError, match="not in the tokenizer's vocabulary"):
        tok.encode("abd")
    with pytest.raises(ValueError, match="out of range"):
        tok.decode([0, 7])
    with pytest.raises(TypeError, match="list of strings"):
        data.CharTokenizer("abc")
    with pytest.raises(ValueError, match="at least one character"):
        data.CharTokenizer([""])
