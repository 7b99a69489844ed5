"""Turning a formula such as "1/(1+exp(-x))" into a graph of Values, safely.

The formula is parsed with Python's `ast` module and then walked by hand: only numbers,
variable names, + - * / **, unary - and +, parentheses and calls of a few functions are
allowed. A variable may be any Python identifier not starting with _ (x, 重み, バイアス), read as
Python reads it (NFKC: the full-width ｘ is x). Nothing is ever evaluated by Python itself
(no eval, no compile), every refusal names the column of the offending part (a caret under it,
wide characters counted as two columns), and the length and nesting depth are limited first.
Messages show the formula with control characters escaped (\\x1b), never raw, and come from
CLI_TEXT in labels.py in English or Japanese (`FormulaError.text("ja")`).
Numbers become constants (floats, so 9**9**9 is inf, never a huge integer); each variable
becomes one named leaf Value.

Read next: `cli.py` (the command line that draws the graph).
"""

from __future__ import annotations

import ast
import keyword
import unicodedata

import autograd
from autograd import Value, arith

from .labels import CLI_TEXT, visible

MAX_LENGTH = 2000          # characters, checked before parsing
NAME_LENGTH = 24           # a node is named after its piece of the formula if this short
MAX_DEPTH = 200            # levels of nesting in the parsed formula (a chain of + counts)
# The functions a formula may call: every primitive of the rule table that has one (exp, log,
# sin, cos, sqrt, relu, maximum, ...), then the composites. log(y) or log(y, base); each other
# function takes its primitive's number of operands (one for the composites).
FUNCTIONS = {**{p.function: getattr(autograd, p.function)
                for p in autograd.PRIMITIVES.values() if p.function},
             "sigmoid": autograd.sigmoid, "tanh": autograd.tanh, "step": autograd.step}
N_ARGUMENTS = {**{p.function: (p.arity, p.arity) for p in autograd.PRIMITIVES.values()
                  if p.function and p.arity}, "log": (1, 2)}
OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
REFUSED_OPERATORS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
                     ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^",
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


class Phrase:
    """A message from CLI_TEXT by key, with its fields, in either language: .text("ja").

    A field may itself be a Phrase; user text in a field is inserted as it is, never formatted.
    """

    def __init__(self, key: str, **fields) -> None:
        self.key, self.fields = key, fields

    def text(self, lang: str = "en") -> str:
        fields = {name: value.text(lang) if isinstance(value, Phrase) else value
                  for name, value in self.fields.items()}
        return CLI_TEXT[lang][self.key].format(**fields)


class Refusal(ValueError):
    """Input the command line refuses; `text(lang)` is its message in "en" or "ja"."""

    def __init__(self, key: str, **fields) -> None:
        self.phrase = Phrase(key, **fields)
        super().__init__(self.phrase.text())

    def text(self, lang: str = "en") -> str:
        return self.phrase.text(lang)

    def __str__(self) -> str:
        return self.text()


class FormulaError(Refusal):
    """A refused formula; `text(lang)` shows the message, the formula, and a caret under the
    column (counted in terminal columns: a wide character such as 重 takes two)."""

    def __init__(self, key: str, formula: str = "", column: int | None = None,
                 **fields) -> None:
        super().__init__(key, **fields)
        self.formula, self.column = formula, column

    @property
    def message(self) -> str:
        return self.phrase.text()

    def text(self, lang: str = "en") -> str:
        message = self.phrase.text(lang)
        if self.column is None or not self.formula or len(self.formula) > 200:
            return message
        shown, column = visible(self.formula), display_width(visible(self.formula[:self.column]))
        return f"{message}\n  {shown}\n  {' ' * column}^"


def display_width(text: str) -> int:
    """The columns text takes in a terminal: 2 for wide characters (重, ｘ), 0 for the marks
    that sit on the character before them (Thai ั, Devanagari े, Khmer ំ, a combining accent),
    the invisible format characters, and Hangul's medial vowels and final consonants (ᅡ, ᆨ),
    which join the initial consonant before them into one syllable. A spacing mark
    (Devanagari ा) takes its own column; a Khmer consonant after the coeng sign (្) is
    written below the one before it and takes none."""
    return sum(0 if previous == _KHMER_COENG else _char_width(char)
               for previous, char in zip(" " + text, text))


_KHMER_COENG = "\u17d2"
_ZERO_WIDTH = {"Mn", "Me", "Cf"}                        # marks on the character before, U+200B
_HANGUL_JOINING = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF), (0x3164, 0x3164), (0xFFA0, 0xFFA0))


def _char_width(char: str) -> int:
    if char == "\u00ad":                                # the soft hyphen is shown: one column
        return 1
    code = ord(char)
    if (unicodedata.category(char) in _ZERO_WIDTH
            or any(first <= code <= last for first, last in _HANGUL_JOINING)):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def variable_name(name: str) -> str | None:
    """name as Python reads it (NFKC: ｘ is x), or None if it cannot name a variable here.

    Any identifier works (重み, バイアス, x1), except one starting with _ or a keyword.
    """
    name = unicodedata.normalize("NFKC", name)
    if not name.isidentifier() or name.startswith("_") or keyword.iskeyword(name):
        return None
    return name


def parse(formula: str) -> ast.expr:
    """The checked syntax tree of formula, or a FormulaError pointing at what is not allowed."""
    formula = formula.strip()
    if len(formula) > MAX_LENGTH:
        raise FormulaError("too long", length=len(formula), limit=MAX_LENGTH)
    if "\n" in formula or "\r" in formula:
        raise FormulaError("one line")
    try:
        tree = ast.parse(formula, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        offset = getattr(error, "offset", None) or len(formula) + 1   # 0: at the very end
        raise FormulaError("cannot parse", formula, min(offset, len(formula) + 1) - 1,
                           reason=getattr(error, "msg", error)) from None
    _check(tree, formula)
    return tree


def _check(tree: ast.expr, formula: str) -> None:
    """Visit every node without recursion; refuse anything outside the whitelist."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise FormulaError("too deep", formula, _column(node, formula), limit=MAX_DEPTH)
        problem = _problem(node)
        if problem:
            raise FormulaError("refused", formula, _column(node, formula), problem=problem,
                               allowed=Phrase("allowed", functions=" ".join(FUNCTIONS)))
        stack.extend((child, depth + 1) for child in _children(node))


def _problem(node: ast.AST) -> Phrase | None:
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
        return Phrase("attribute", attribute=node.attr)
    return Phrase("not allowed", kind=_kind(node))


def _kind(node: ast.AST) -> Phrase:
    """The kind of syntax node is, for "... are not allowed": "subscripts", "lambdas", ..."""
    if type(node) in REFUSED:
        return Phrase("kind " + REFUSED[type(node)])
    return Phrase("kind other", syntax=type(node).__name__)


def _operator_problem(operator: ast.AST) -> Phrase:
    symbol = REFUSED_OPERATORS.get(type(operator), type(operator).__name__)
    return Phrase("operator ^") if symbol == "^" else Phrase("operator", symbol=symbol)


def _constant_problem(value) -> Phrase | None:
    if isinstance(value, (str, bytes)):
        return Phrase("not allowed", kind=Phrase("kind strings"))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return Phrase("constant", value=repr(value))
    return None


def _name_problem(name: str) -> Phrase | None:
    if name in FUNCTIONS:
        return Phrase("function name", name=name)
    if variable_name(name) != name:
        return Phrase("bad name", name=repr(name))
    return None


def _call_problem(call: ast.Call) -> Phrase | None:
    if not isinstance(call.func, ast.Name):
        return _problem(call.func) or Phrase("callee")
    name = call.func.id
    if name not in FUNCTIONS:
        return Phrase("unknown function", name=repr(name))
    if call.keywords:
        return Phrase("not allowed", kind=Phrase("kind keyword arguments"))
    low, high = N_ARGUMENTS.get(name, (1, 1))
    if not low <= len(call.args) <= high:
        wanted = Phrase("either", low=low, high=high) if low != high else str(low)
        return Phrase("arguments", name=name, wanted=wanted, count=len(call.args))
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
            raise FormulaError("no value", formula, _characters(formula, column),
                               name=repr(name), bare=name)
    unused = sorted(set(at) - set(used))
    if unused:
        raise FormulaError("unused", names=listing(unused))
    inputs = {name: Value(float(at[name]), name=name) for name in used}
    output = _evaluate(tree, inputs)
    if not isinstance(output, Value):
        raise FormulaError("no variables")
    return output, inputs


def listing(names: list[str], shown: int = 5) -> str | Phrase:
    """names joined with commas, the first few only: "a, b, c, d, e and 9995 more"."""
    if len(names) <= shown:
        return ", ".join(names)
    return Phrase("and more", names=", ".join(names[:shown]), more=len(names) - shown)


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
        raise FormulaError("too large", digits=str(value)[:20]) from None


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
