"""The text inside a drawing: numbers, batch summaries, operator symbols, and safe escaping.

Graphviz reads our labels as HTML-like text, so every piece of user text (a Value's name) goes
through `escape`: it is shown literally and can never close the label or inject DOT. Text sent
to a terminal goes through `visible`, which shows control characters as escapes (\\x1b).
`TEXT` holds the English words a learner reads in the pictures (legend, notes, frame titles).

Read next: `scene.py` (what one picture shows), then `draw.py` (the picture itself).
"""

from __future__ import annotations

import numpy as np

OP_SYMBOLS = {
    "add": "+", "sub": "−", "neg": "−x", "mul": "×", "div": "÷", "pow": "^",
    "exp": "exp", "log": "log", "sum": "sum", "mean": "mean",
}
TEXT = {
    "legend data": "forward value",
    "legend grad": "d output / d value",
    "legend partial": "local partial d(op)/d(operand)",
    "legend branch": "used twice or more, grads add",
    "legend repeat": "the value enters the op twice (x*x), each time with this partial",
    "legend copy": "the same value again, drawn next to a far use",
    "used": "used {count}×: grads add",
    "copy": "same value, used again here",
    "forward": "Forward pass, step {step} of {steps}: {what}",
    "seed": "Backward pass, step 1: start with d output / d output = {seed}",
    "backward": "Backward pass, step {step} of {steps}: {what}",
    "edge": "grad of {who} += ∂ {partial} × upstream grad {upstream} = {added}",
    "edge use": " (use {use} of {uses} on the ×{uses} arrow)",
    "value": "value {position}",
}
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
MAX_NAME = 40   # longer names are cut, with "…", so one node cannot swallow the picture


def escape(text: str) -> str:
    """text made safe for a Graphviz HTML-like label; unprintable characters shown as escapes."""
    if len(text) > MAX_NAME:
        text = text[:MAX_NAME - 1] + "…"
    return "".join(_escape_char(char) for char in text)


def _escape_char(char: str) -> str:
    if char in _ENTITIES:
        return _ENTITIES[char]
    if char.isprintable():
        return char
    return repr(char)[1:-1]          # "\n" becomes the two visible characters \ and n


def visible(text: str) -> str:
    """text for a terminal: control and format characters (ESC, U+202E, ...) shown as escapes."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def op_symbol(op: str, n_parents: int) -> str:
    """The symbol drawn for an op: Σ for an add of more than two terms (an n-ary sum)."""
    if op == "add" and n_parents > 2:
        return "Σ"
    return OP_SYMBOLS.get(op, op)


def number(x: float, precision: int) -> str:
    """A number with `precision` significant digits: 0.6225, 1.5e-07, inf."""
    return f"{float(x) + 0.0:.{precision}g}"        # + 0.0 turns -0.0 into 0.0: never "-0"


def partials_text(partials: list[str]) -> str:
    """An arrow's label from its partials: "∂ 3", "×2 ∂ 3" (x*x), "∂ 27, 29.66" (x**x)."""
    if len(partials) == 1:
        return "∂ " + partials[0]
    if len(set(partials)) == 1:
        return f"×{len(partials)} ∂ {partials[0]}"
    return "∂ " + ", ".join(partials[:3]) + (", …" if len(partials) > 3 else "")


def summary(data, precision: int) -> str:
    """A float as a number; a batch as its first entries: [0.1, 0.2, 0.3, …]."""
    if not isinstance(data, np.ndarray):
        return number(data, precision)
    head = ", ".join(number(x, precision) for x in data[:3])
    return f"[{head}{', …' if data.size > 3 else ''}]"


def batch_lines(data, precision: int) -> list[str]:
    """How a Value's data is written: one line for a float, two for a batch (shape, entries)."""
    if not isinstance(data, np.ndarray):
        return [number(data, precision)]
    return [f"batch {data.shape}, mean {number(data.mean(), precision)}",
            summary(data, precision)]
