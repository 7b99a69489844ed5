"""Turning a formula such as "1/(1+exp(-x))" into a graph of Values, safely.

The formula is parsed with Python's `ast` module and then walked by hand: only numbers,
variable names, + - * / **, unary - and +, parentheses and calls of a few functions are
allowed. Nothing is ever evaluated by Python itself (no eval, no compile), every refusal names
the column of the offending part, and the length and nesting depth are limited before any work.
Messages show the formula with control characters escaped (\\x1b), never raw.
Numbers become constants (floats, so 9**9**9 is inf, never a huge integer); each variable
becomes one named leaf Value.

Read next: `cli.py` (the command line that draws the graph).
"""

from __future__ import annotations

import ast
import re

import autograd
from autograd import Value, arith

from .labels import visible

MAX_LENGTH = 2000          # characters, checked before parsing
NAME_LENGTH = 24           # a node is named after its piece of the formula if this short
MAX_DEPTH = 200            # levels of nesting in the parsed formula (a chain of + counts)
FUNCTIONS = {"exp": autograd.exp, "log": autograd.log, "sigmoid": autograd.sigmoid,
             "tanh": autograd.tanh, "relu": autograd.relu, "step": autograd.step}
N_ARGUMENTS = {"log": (1, 2)}                        # log(y) or log(y, base); others take one
OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
VARIABLE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
ALLOWED = "allowed: numbers, names, + - * / **, ( ), " + " ".join(FUNCTIONS)
REFUSED_OPERATORS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
                     ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^ (a power is **)",
                     ast.BitAnd: "&", ast.Invert: "~", ast.Not: "not"}
REFUSED = {
    ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambdas",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.Starred: "starred arguments", ast.keyword: "keyword arguments",
    ast.JoinedStr: "strings", ast.Compare: "comparisons", ast.BoolOp: "and/or",
    ast.IfExp: "conditional expressions", ast.NamedExpr: "assignments",
    ast.Tuple: "tuples", ast.List: "lists", ast.Dict: "dicts", ast.Set: "sets",
}


class FormulaError(ValueError):
    """A refused formula; `str()` shows the message, the formula, and a caret under the column."""

    def __init__(self, message: str, formula: str = "", column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.formula, self.column = message, formula, column

    def __str__(self) -> str:
        if self.column is None or not self.formula or len(self.formula) > 200:
            return self.message
        shown, column = visible(self.formula), len(visible(self.formula[:self.column]))
        return f"{self.message}\n  {shown}\n  {' ' * column}^"


def parse(formula: str) -> ast.expr:
    """The checked syntax tree of formula, or a FormulaError pointing at what is not allowed."""
    formula = formula.strip()
    if len(formula) > MAX_LENGTH:
        raise FormulaError(f"the formula has {len(formula)} characters; the limit is "
                           f"{MAX_LENGTH}")
    if "\n" in formula or "\r" in formula:
        raise FormulaError("the formula must be a single line")
    try:
        tree = ast.parse(formula, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        offset = getattr(error, "offset", None) or len(formula) + 1   # 0: at the very end
        raise FormulaError(f"cannot parse the formula: {getattr(error, 'msg', error)}", formula,
                           min(offset, len(formula) + 1) - 1) from None
    _check(tree, formula)
    return tree


def _check(tree: ast.expr, formula: str) -> None:
    """Visit every node without recursion; refuse anything outside the whitelist."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise FormulaError(f"the formula nests more than {MAX_DEPTH} levels deep",
                               formula, _column(node, formula))
        problem = _problem(node)
        if problem:
            raise FormulaError(f"{problem} ({ALLOWED})", formula, _column(node, formula))
        stack.extend((child, depth + 1) for child in _children(node))


def _problem(node: ast.AST) -> str | None:
    """Why node is not allowed, or None when it is."""
    if isinstance(node, ast.Constant):
        return _constant_problem(node.value)
    if isinstance(node, ast.Name):
        return _name_problem(node.id)
    if isinstance(node, ast.BinOp):
        return None if type(node.op) in OPERATORS else _operator_problem(node.op)
    if isinstance(node, ast.UnaryOp):
        allowed = isinstance(node.op, (ast.USub, ast.UAdd))
        return None if allowed else _operator_problem(node.op)
    if isinstance(node, ast.Call):
        return _call_problem(node)
    if isinstance(node, ast.Attribute):
        return f"attribute access (.{node.attr}) is not allowed"
    return f"{REFUSED.get(type(node), type(node).__name__ + ' expressions')} are not allowed"


def _operator_problem(operator: ast.AST) -> str:
    symbol = REFUSED_OPERATORS.get(type(operator), type(operator).__name__)
    return f"the operator {symbol} is not allowed"


def _constant_problem(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "strings are not allowed" if isinstance(value, (str, bytes)) else \
            f"the constant {value!r} is not allowed: only real numbers"
    return None


def _name_problem(name: str) -> str | None:
    if name in FUNCTIONS:
        return f"{name} is a function: call it, as in {name}(x)"
    if name.startswith("_") or not VARIABLE.fullmatch(name):
        return f"{name!r} is not a simple variable name (letters, digits, _; not starting with _)"
    return None


def _call_problem(call: ast.Call) -> str | None:
    if not isinstance(call.func, ast.Name):
        return _problem(call.func) or "only calls of a function by its name are allowed"
    name = call.func.id
    if name not in FUNCTIONS:
        return f"unknown function {name!r}"
    if call.keywords:
        return "keyword arguments are not allowed"
    low, high = N_ARGUMENTS.get(name, (1, 1))
    if not low <= len(call.args) <= high:
        wanted = f"{low} or {high}" if low != high else f"{low}"
        return f"{name}() takes {wanted} argument(s), got {len(call.args)}"
    return None


def _children(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _column(node: ast.AST, formula: str) -> int | None:
    """The character column of the part of node at fault (ast counts UTF-8 bytes)."""
    return _characters(formula, _byte_offset(node, formula.encode()))


def _byte_offset(node: ast.AST, source: bytes) -> int:
    if isinstance(node, ast.Call):              # the bad callee, or the first keyword
        culprit = node.keywords[0] if node.keywords else node.func
        return node.func.col_offset if isinstance(node.func, ast.Name) and not node.keywords \
            else _byte_offset(culprit, source)
    if isinstance(node, ast.Attribute):         # a.b: point at b
        return node.end_col_offset - len(node.attr.encode())
    if isinstance(node, ast.BinOp):             # a // b: point at the operator
        between = source[node.left.end_col_offset:node.right.col_offset]
        return node.left.end_col_offset + len(between) - len(between.lstrip(b" )\t"))
    return node.col_offset


def _characters(formula: str, byte_offset: int) -> int:
    """The number of characters in the first byte_offset bytes of formula."""
    return len(formula.encode()[:byte_offset].decode(errors="ignore"))


def variables(tree: ast.expr) -> dict[str, int]:
    """Each variable's name and the column of its first use, in order of appearance."""
    names = sorted((node.col_offset, node.id) for node in ast.walk(tree)
                   if isinstance(node, ast.Name) and node.id not in FUNCTIONS)
    first: dict[str, int] = {}
    for column, name in names:
        first.setdefault(name, column)
    return first


def build(formula: str, at: dict[str, float]) -> tuple[Value, dict[str, Value]]:
    """The output Value of formula with variables set from `at`, and the input leaves by name."""
    formula = formula.strip()
    tree = parse(formula)
    used = variables(tree)
    for name, column in used.items():
        if name not in at:
            raise FormulaError(f"variable {name!r} has no value: add --at {name}=NUMBER",
                               formula, _characters(formula, column))
    unused = sorted(set(at) - set(used))
    if unused:
        raise FormulaError(f"--at gives {listing(unused)}, which the formula does not use")
    inputs = {name: Value(float(at[name]), name=name) for name in used}
    output = _evaluate(tree, inputs)
    if not isinstance(output, Value):
        raise FormulaError("the formula has no variables: there is nothing to differentiate")
    return output, inputs


def listing(names: list[str], shown: int = 5) -> str:
    """names joined with commas, the first few only: "a, b, c, d, e and 9995 more"."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown} more"


def _evaluate(node: ast.expr, inputs: dict[str, Value]) -> Value | float:
    """The value of a checked tree: Values where a variable is involved, else plain floats.

    Each new node is named after its piece of the formula, e.g. "exp(-x)", for the drawing.
    """
    result = _compute(node, inputs)
    if isinstance(result, Value) and result.name is None:
        text = ast.unparse(node)
        result.name = text if len(text) <= NAME_LENGTH else None
    return result


def _compute(node: ast.expr, inputs: dict[str, Value]) -> Value | float:
    if isinstance(node, ast.Constant):
        return _number(node.value)
    if isinstance(node, ast.Name):
        return inputs[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, inputs)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        return _binary(type(node.op), _evaluate(node.left, inputs), _evaluate(node.right, inputs))
    arguments = [_evaluate(argument, inputs) for argument in node.args]
    result = FUNCTIONS[node.func.id](*arguments)
    if all(not isinstance(argument, Value) for argument in arguments):
        return result.data                  # a function of constants is a constant
    return result


def _number(value: int | float) -> float:
    """A literal as a float (never a Python int, so no huge integer arithmetic can happen)."""
    try:
        return float(value)
    except OverflowError:
        raise FormulaError(f"the number {str(value)[:20]}... is too large for a float") from None


def _binary(operator: type, left, right):
    if isinstance(left, float) and isinstance(right, float):
        if operator is ast.Div:
            return arith.divide(left, right)      # IEEE: 1/0 is inf, not an exception
        if operator is ast.Pow:
            return arith.power(left, right)       # 9.0**9.0**9.0 is inf, computed at once
    if operator is ast.Add:
        return left + right
    if operator is ast.Sub:
        return left - right
    if operator is ast.Mult:
        return left * right
    return left / right if operator is ast.Div else left ** right
