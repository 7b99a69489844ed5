"""Fonts that cover Latin and Japanese, and a warning when Japanese text would show as boxes.

Graphviz takes a font list (Pango picks, character by character, the first face that has the
glyph); matplotlib (3.6 and later) takes a list of families per text. If no Japanese font is
installed, the first picture with Japanese text in it warns once per process with the command
that installs one, instead of drawing empty boxes ("tofu") silently.

Read next: `draw.py` (the drawing that names these fonts).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import warnings

LABEL_FONTS = "DejaVu Sans, Noto Sans CJK JP, IPAGothic"         # names, legends, titles
MONO_FONTS = "DejaVu Sans Mono, Noto Sans Mono CJK JP, monospace"  # numbers (and 値, 勾配)
PLOT_FONTS = ["DejaVu Sans", "Noto Sans CJK JP", "IPAGothic", "IPAexGothic"]
JAPANESE_FONTS = ("Noto Sans CJK JP", "Noto Sans Mono CJK JP", "IPAGothic", "IPAexGothic")
INSTALL_FONT = ("no Japanese font is installed, so Japanese text shows as empty boxes: install "
                "one (Debian/Ubuntu: sudo apt-get install fonts-noto-cjk; macOS: brew install "
                "--cask font-noto-sans-cjk-jp), then run again.")
_warned: set[str] = set()     # "graphviz", "matplotlib": the tools already warned about


def is_japanese(text: str) -> bool:
    """True when text holds kana or kanji (or full-width forms), which Latin fonts lack."""
    return any("\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef" for char in text)


@functools.cache
def graphviz_has_japanese() -> bool:
    """True when fontconfig (which Graphviz uses) knows a Japanese font, or cannot be asked."""
    if shutil.which("fc-list") is None:
        return True                      # no fontconfig to ask: say nothing rather than guess
    found = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True,
                           timeout=30)
    return bool(found.stdout.strip())


@functools.cache
def matplotlib_has_japanese() -> bool:
    """True when matplotlib finds one of PLOT_FONTS' Japanese faces (without falling back).

    matplotlib caches its font list once; a font installed after that (`make` installs
    fonts-noto-cjk) is added from fontconfig's files, for this process only.
    """
    return _matplotlib_finds_japanese() or (_add_fontconfig_fonts() and
                                            _matplotlib_finds_japanese())


@functools.cache
def plot_fonts() -> list[str]:
    """PLOT_FONTS without the Japanese families matplotlib lacks (each would log "not found")."""
    matplotlib_has_japanese()                   # adds fontconfig's Japanese fonts if needed
    return [PLOT_FONTS[0]] + [family for family in PLOT_FONTS[1:] if _matplotlib_knows(family)]


def _matplotlib_finds_japanese() -> bool:
    return any(_matplotlib_knows(family) for family in PLOT_FONTS[1:])


def _matplotlib_knows(family: str) -> bool:
    from matplotlib import font_manager

    try:
        font_manager.findfont(font_manager.FontProperties(family=family),
                              fallback_to_default=False)
        return True
    except ValueError:
        return False


def _add_fontconfig_fonts() -> bool:
    """Add to matplotlib the files fontconfig holds for PLOT_FONTS' Japanese families."""
    from matplotlib import font_manager

    if shutil.which("fc-list") is None:
        return False
    files = set()
    for family in PLOT_FONTS[1:]:
        found = subprocess.run(["fc-list", f":family={family}", "file"], capture_output=True,
                               text=True, timeout=30)
        files.update(line.rstrip(": ") for line in found.stdout.splitlines() if line.strip())
    for path in sorted(files):
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue
    return bool(files)


def check_japanese(text: str, tool: str) -> None:
    """Warn once per process and tool ("graphviz" or "matplotlib") if text is Japanese and no
    Japanese font is there to draw it."""
    if tool in _warned or not is_japanese(text):
        return
    has_font = graphviz_has_japanese if tool == "graphviz" else matplotlib_has_japanese
    if not has_font():
        _warned.add(tool)
        warnings.warn(f"{tool}: {INSTALL_FONT}", stacklevel=3)
