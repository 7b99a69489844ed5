"""Every rule of the computational graph, checked: engine vs numerical vs closed form.

    python -m demos.derivatives [--lang ja]   # prints a table; exit code 1 if any rule fails

Each row takes one derivative with the engine's backward pass (`autograd.grad`), with central
differences (`autograd.numerical_grad`), and, for the composites, with the textbook formula.
The primitives' rows come from the rule table (`autograd.rules`): each is its record's rule,
at a = 1.5 (b = 2.5), so a new primitive shows up here with no edit.

Read next: `demos/activations.py` (where sigmoid and tanh stop passing gradients back).
"""

from __future__ import annotations

import argparse
import math
from typing import Callable, NamedTuple

import autograd
from demos import pad, pad_left, terminal_width
from viz.labels import primitive_rules as rule_texts
from viz.labels import words


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _softmax(values: list[float]) -> list[float]:
    exps = [math.exp(v) for v in values]
    return [e / sum(exps) for e in exps]


class Rule(NamedTuple):
    """One derivative to check: d f(*at) / d at[wrt], and its closed form (or None)."""

    name: str
    derivative: str
    f: Callable
    at: list[float]
    wrt: int
    closed: Callable | None


POINT = (1.5, 2.5)          # a, b for the primitives' rows: inside every one's domain


def primitive_rules(lang: str = "en") -> list[Rule]:
    """One row per operand of every primitive of the rule table (the n-ary ones with two), each
    rule written in lang ("1 if a > 0, else 0", "a > 0 なら 1、それ以外は 0")."""
    rows = []
    for op, primitive in autograd.PRIMITIVES.items():
        if primitive.reduces:
            continue                    # sum and mean: batch reductions (tests/test_batch.py)
        arity = primitive.arity or 2
        text = rule_texts(op, lang)
        for wrt in range(arity):
            rule = text[min(wrt, len(text) - 1)]
            letter = "ab"[wrt]
            rows.append(Rule(op, f"d {op}/d{letter} = {rule}".replace("{i}", ""),
                             lambda *v, op=op: autograd.apply(op, *v), list(POINT[:arity]),
                             wrt, None))
    return rows


COMPOSITES = [
    Rule("log base", "d(log_10 a)/da = 1/(a ln 10)", lambda a: autograd.log(a, 10.0), [2.0], 0,
         lambda a: 1 / (a * math.log(10))),
    Rule("log base", "d(log_b a)/db = -ln a/(b ln²b)", lambda a, b: autograd.log(a, b),
         [2.0, 3.0], 1, lambda a, b: -math.log(a) / (b * math.log(b) ** 2)),
    Rule("sigmoid", "dz/dx = z(1-z)", autograd.sigmoid, [0.5], 0,
         lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    Rule("tanh", "dt/dx = 1-t²", autograd.tanh, [0.5], 0, lambda x: 1 - math.tanh(x) ** 2),
    Rule("softmax", "ds0/dx0 = s0(1-s0)", lambda *x: autograd.softmax(x)[0], [1.0, 2.0, 0.5],
         0, lambda *x: _softmax(x)[0] * (1 - _softmax(x)[0])),
    Rule("softmax", "ds0/dx1 = -s0·s1", lambda *x: autograd.softmax(x)[0], [1.0, 2.0, 0.5],
         1, lambda *x: -_softmax(x)[0] * _softmax(x)[1]),
]
RULES = primitive_rules() + COMPOSITES


def all_rules(lang: str = "en") -> list[Rule]:
    """Every row of the table, the primitives' rules written in lang."""
    return primitive_rules(lang) + COMPOSITES


def check(rule: Rule) -> tuple[float, float, float | None, bool]:
    """(engine, numerical, closed form, passed) for one rule."""
    inputs = [autograd.Value(x) for x in rule.at]
    engine = autograd.grad(rule.f(*inputs), inputs)[rule.wrt]
    numerical = autograd.numerical_grad(rule.f, rule.at)[rule.wrt]
    closed = rule.closed(*rule.at) if rule.closed else None
    passed = math.isclose(engine, numerical, rel_tol=1e-5, abs_tol=1e-7)
    if closed is not None:
        passed = passed and math.isclose(engine, closed, rel_tol=1e-9, abs_tol=1e-12)
    return engine, numerical, closed, passed


def table(rules: list[Rule], lang: str = "en") -> tuple[str, bool]:
    """The aligned table of every rule, and whether all of them passed."""
    text = words(lang)
    width = max(46, *(terminal_width(rule.derivative) + 1 for rule in rules))
    names = [text["rules log base"] if rule.name == "log base" else rule.name for rule in rules]
    first = max(9, *(terminal_width(name) for name in names))   # 底つき log takes 10 columns
    header = (f"{pad(text['rules rule'], first)} {pad(text['rules derivative'], width)} "
              f"{pad(text['rules at'], 16)} {pad_left(text['rules engine'], 11)} "
              f"{pad_left(text['rules numerical'], 11)} {pad_left(text['rules closed'], 11)}  "
              f"{text['rules result']}")
    lines, all_passed = [header, "-" * terminal_width(header)], True
    for rule, name in zip(rules, names):
        engine, numerical, closed, passed = check(rule)
        all_passed &= passed
        at = ", ".join(f"{x:g}" for x in rule.at)
        shown = "-" if closed is None else f"{closed:.6g}"
        lines.append(f"{pad(name, first)} {pad(rule.derivative, width)} {at:<16} {engine:>11.6g} "
                     f"{numerical:>11.6g} {shown:>11}  "
                     f"{text['rules pass' if passed else 'rules fail']}")
    return "\n".join(lines), all_passed


def main(argv: list[str] | None = None) -> int:
    """Print the table; 0 if every rule passes, 1 otherwise. Writes no files."""
    parser = argparse.ArgumentParser(prog="python -m demos.derivatives", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=("en", "ja"), default="en",
                        help="the language of the printout (default en)")
    args = parser.parse_args(argv)
    rules = all_rules(args.lang)
    printout, passed = table(rules, args.lang)
    print(printout)
    summary = "rules all pass" if passed else "rules some fail"
    print("\n" + words(args.lang)[summary].format(count=len(rules)))
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
