"""Plots of a GPT (nn/gpt.py): the attention weights of each head over a name, and the loss curve.

As in `plots.py`: each function builds a matplotlib Figure with the object-oriented API and
returns it (inline in Jupyter); `path` also writes a PNG or SVG; lang="en" or "ja" picks the
words from `labels.TEXT` ("gpt ..." keys). matplotlib is imported only when a plot is made.

Read next: `demos/gpt.py`, which trains the model and draws these.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from .labels import words
from .plots import _figure, _finish


def plot_attention(weights: np.ndarray, tokens: Sequence[str], path: str | Path | None = None,
                   lang: str = "en", layer: int = 0, name: str | None = None):
    """One heat map per head: row pos is what position pos attends to (its weights over the
    positions 0..pos, which add up to 1; nothing above the diagonal: the attention is causal).

    weights: [head, pos, t] as `GPT.attention_weights()` gives it; tokens: one label per
    position (the token read there: the start mark, then the name's characters)."""
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 3 or weights.shape[1] != weights.shape[2]:
        raise ValueError(f"weights must have the shape [head, pos, pos], got {weights.shape}")
    if len(tokens) != weights.shape[1]:
        raise ValueError(f"{weights.shape[1]} positions but {len(tokens)} token labels")
    text, n_head = words(lang), weights.shape[0]
    figure = _figure((2.6 * n_head + 1.2, 3.4))
    figure.set_layout_engine("constrained")          # room for the shared colour bar
    axes = figure.subplots(1, n_head, squeeze=False)[0]
    shown = np.where(np.tril(np.ones(weights.shape[1:], bool)), weights, np.nan)
    for h, axis in enumerate(axes):
        image = axis.imshow(shown[h], vmin=0.0, vmax=1.0, cmap="viridis")
        _label_positions(axis, tokens, text, first=h == 0)
        axis.set_title(text["gpt head"].format(head=h), fontsize=10)
    figure.colorbar(image, ax=list(axes), shrink=0.8, label=text["gpt weight"])
    label = name if name is not None else "".join(tokens[1:])
    figure.suptitle(text["gpt attention title"].format(name=label, layer=layer), fontsize=11)
    return _finish(figure, path)


def _label_positions(axis, tokens: Sequence[str], text: dict, first: bool) -> None:
    ticks = range(len(tokens))
    axis.set_xticks(ticks, labels=list(tokens), fontsize=8)
    axis.set_yticks(ticks, labels=list(tokens), fontsize=8)
    axis.set_xlabel(text["gpt key"], fontsize=8)
    if first:
        axis.set_ylabel(text["gpt query"], fontsize=8)


def plot_loss_curve(losses: Sequence[float], path: str | Path | None = None, lang: str = "en",
                    what: str | None = None, every: int = 50):
    """The loss of every training step (faint: each step is one name) and its running mean
    over `every` steps. what names the data in the title (default: English names)."""
    losses = np.asarray(losses, dtype=float)
    if losses.ndim != 1 or not len(losses):
        raise ValueError("losses must be a non-empty list of numbers, one per step")
    if not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be a positive int, got {every!r}")
    text = words(lang)
    figure = _figure((7.0, 3.8))
    axis = figure.subplots()
    steps = np.arange(1, len(losses) + 1)
    axis.plot(steps, losses, color="tab:blue", alpha=0.3, linewidth=0.8, label=text["gpt loss"])
    every = min(every, len(losses))
    mean = np.convolve(losses, np.ones(every) / every, mode="valid")
    axis.plot(steps[every - 1:], mean, color="tab:orange", linewidth=2,
              label=text["gpt mean loss"].format(every=every))
    axis.set_xlabel(text["gpt steps"])
    axis.set_ylabel(text["gpt loss"])
    axis.set_title(text["gpt loss title"].format(what=what or text["gpt en names"]))
    axis.legend()
    axis.grid(alpha=0.3)
    return _finish(figure, path)
