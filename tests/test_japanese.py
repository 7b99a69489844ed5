"""Japanese in the pictures: fonts that have the glyphs, lang="ja" words, the English default,
and the warning when no Japanese font is installed."""

import re
import shutil
import subprocess
import warnings

import pytest

import viz
from autograd import Value
from viz import fonts
from viz.labels import TEXT
from viz.render import backward_frames
from viz.scene import read_graph
from viz.frames import backward_scenes, forward_scenes


def shopping():
    """The book's first example: りんご 100 × 個数 2 × 消費税 1.1 = 220."""
    apple, count, tax = Value(100.0, name="りんご"), Value(2.0, name="個数"), Value(1.1, name="消費税")
    price = apple * count * tax
    price.backward()
    return price


@pytest.fixture
def no_warnings_yet(monkeypatch):
    """Forget the warnings already given in this process, and restore the set afterwards."""
    monkeypatch.setattr(fonts, "_warned", set())


# ---------------------------------------------------------------------- fonts

def test_fontconfig_has_a_font_with_the_kanji_and_kana_the_drawings_use():
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list (fontconfig) is not installed, so the fonts cannot be listed")
    found = subprocess.run(["fc-list", ":charset=91cd 307f", "family"], capture_output=True,
                           text=True).stdout
    assert found.strip(), "no font has 重 and み: run make fonts (fonts-noto-cjk)"
    families = {name.strip() for line in found.splitlines() for name in line.split(",")}
    named = {name.strip() for name in fonts.LABEL_FONTS.split(",")}
    assert named & families, "the drawings' font list names no installed Japanese font"


def test_the_drawings_and_the_page_name_a_japanese_font():
    source = viz.draw_graph(shopping()).source
    assert f'fontname="{fonts.LABEL_FONTS}"' in source
    assert "Noto Sans CJK JP" in fonts.LABEL_FONTS and "Noto Sans Mono CJK JP" in fonts.MONO_FONTS
    assert "Noto Sans CJK JP" in viz.stepper(shopping()).html


def test_the_plots_use_a_japanese_font_that_matplotlib_has():
    figure = viz.plot_history({"loss": [1.0, 0.5]}, lang="ja")
    family = figure.axes[0].xaxis.label.get_fontfamily()
    assert family[0] == "DejaVu Sans"
    assert set(family) & {"Noto Sans CJK JP", "IPAGothic", "IPAexGothic"}


def test_a_japanese_named_graph_renders_to_png_without_warnings(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = viz.render(shopping(), tmp_path / "shopping.png", format="png", lang="ja")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------- words

def test_both_languages_have_the_same_keys_and_placeholders():
    assert set(TEXT) == {"en", "ja"} and set(TEXT["en"]) == set(TEXT["ja"])
    for key, english in TEXT["en"].items():
        assert set(re.findall(r"\{(\w+)", english)) == set(re.findall(r"\{(\w+)", TEXT["ja"][key]))


def test_the_japanese_drawing_uses_the_books_words():
    source = viz.draw_graph(shopping(), lang="ja").source
    for term in ("値 100", "勾配 2.2", "勾配 110", "勾配 200", "りんご", "消費税", "局所的な微分"):
        assert term in source, term
    assert "data 100" not in source and ">grad<" not in source


def test_the_english_drawing_is_unchanged():
    source = viz.draw_graph(shopping()).source
    assert "data 100" in source and "grad 2.2" in source and "local partial" in source
    assert "値" not in source and "勾配" not in source


def test_the_frame_titles_are_in_japanese():
    x = Value(3.0, name="x")
    graph = read_graph(x * x, 100)
    forward = [scene.title for scene in forward_scenes(graph, "ja")]
    backward = [scene.title for scene in backward_scenes(graph, "ja")]
    assert forward[0] == "順伝播、ステップ 1 / 2: 入力 x = 3"
    assert backward[0].startswith("逆伝播、ステップ 1")
    assert "局所的な微分" in backward[1] and "勾配" in backward[1]
    assert backward_scenes(graph)[0].title.startswith("Backward pass, step 1")


def test_a_branch_says_gradients_add_in_japanese():
    x = Value(2.0, name="x")
    assert "分岐: 勾配を足す" in viz.draw_graph(x * 3.0 + x, lang="ja").source


def test_the_frames_files_say_it_in_japanese(tmp_path):
    paths = backward_frames(shopping(), tmp_path, format="svg", lang="ja")
    first, last = paths[0].read_text(), paths[-1].read_text()
    assert "順伝播" in first and "逆伝播" in last and "値" in last


def test_the_plots_speak_japanese():
    figure = viz.plot_gradient_magnitudes({"sigmoid": [0.01, 0.1]}, lang="ja")
    axis = figure.axes[0]
    assert axis.get_title() == "層ごとの勾配の大きさ" and axis.get_xlabel() == "層（1 = 入力の隣）"
    english = viz.plot_gradient_magnitudes({"sigmoid": [0.01, 0.1]}).axes[0]
    assert english.get_title() == "gradient magnitude per layer"
    history = viz.plot_history({"loss": [1.0, 0.5]}, lang="ja").axes[0]
    assert (history.get_xlabel(), history.get_ylabel()) == ("エポック", "損失")


def test_the_steppers_picture_uses_the_pages_words():
    japanese = viz.stepper(shopping(), lang="ja").html
    assert 'class="zg-label"' in japanese
    labels = re.findall(r'<text class="zg-label"[^>]*>([^<]*)</text>', japanese)
    assert set(labels) == {"値", "勾配"}
    english = re.findall(r'<text class="zg-label"[^>]*>([^<]*)</text>',
                         viz.stepper(shopping()).html)
    assert set(english) == {"data", "grad"}


@pytest.mark.parametrize("call", [
    lambda: viz.draw_graph(Value(1.0), lang="fr"),
    lambda: viz.render(Value(1.0), "x.svg", lang="de"),
    lambda: backward_frames(Value(1.0), "frames", lang="jp"),
    lambda: viz.plot_history({"loss": [1.0]}, lang="japanese"),
    lambda: viz.plot_activations(lang="EN"),
])
def test_an_unknown_language_is_refused_with_the_allowed_ones(call):
    with pytest.raises(ValueError, match="use one of en, ja"):
        call()


# ---------------------------------------------------------------------- no Japanese font

def test_without_a_japanese_font_drawing_warns_once_with_the_install_command(
        monkeypatch, no_warnings_yet):
    monkeypatch.setattr(fonts, "graphviz_has_japanese", lambda: False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        viz.draw_graph(Value(1.0, name="x"))              # no Japanese: nothing to warn about
        viz.draw_graph(shopping())
        viz.draw_graph(shopping(), lang="ja")
    assert len(caught) == 1
    assert "apt-get install fonts-noto-cjk" in str(caught[0].message)


def test_without_a_japanese_font_plotting_warns_once(monkeypatch, no_warnings_yet):
    monkeypatch.setattr(fonts, "matplotlib_has_japanese", lambda: False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        viz.plot_history({"loss": [1.0, 0.5]})
        viz.plot_history({"loss": [1.0, 0.5]}, lang="ja")
        viz.plot_history({"loss": [1.0, 0.5]}, lang="ja")
    assert len(caught) == 1 and "fonts-noto-cjk" in str(caught[0].message)


def test_with_a_japanese_font_nothing_warns(monkeypatch, no_warnings_yet):
    monkeypatch.setattr(fonts, "graphviz_has_japanese", lambda: True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        viz.draw_graph(shopping(), lang="ja")


def test_japanese_frame_titles_put_names_in_corner_brackets():
    from viz.frames import backward_scenes
    from viz.scene import read_graph
    price = viz.presets.shopping(lang="ja")
    titles = [scene.title for scene in backward_scenes(read_graph(price, 100), lang="ja")]
    assert any("「りんごの個数」 の勾配" in title for title in titles), titles
    assert not any("'" in title for title in titles)
