"""The stepper page (`viz.stepper`) in a real browser, checked against the Python engine.

What a learner sees is compared number by number with autograd: every forward and backward
step of the seed sigmoid graph and of random graphs (batches, branch points, x*x, constants,
pow with a Value exponent), the page's own JavaScript rule table against `autograd` on 500
random graphs with inf/nan and the special points of pow, every record of the rule table
(`autograd.rules.PRIMITIVES`) against its Python forward and partials at special and random
points (with the sentence explaining each partial), a primitive defined at run time with
`autograd.define`, leaf edits, the quiz in both languages, the step in the URL fragment, the
batch sample selector, the console and the network (none). Numbers: data-value/data-grad
within a relative 1e-12 (NaN equals NaN, ±inf exact), the text on the page equal to Python's
`viz.labels.number(x, 4)`; the records bit for bit (see ULPS).

Needs Chromium and ChromeDriver (see conftest.py); without them these tests are skipped.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import struct
from pathlib import Path

import numpy as np
import pytest

import autograd
import viz
from autograd import Value, topological_order
from autograd.graph import reduce_like
from autograd.rules import PARTIALS, PRIMITIVES
from viz.labels import computation, number, rule_text, words
from viz.scene import Scene, operand_slots, read_graph

ROOT = Path(__file__).resolve().parents[1]
REL = 1e-12
SPECIALS = (0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, 800.0, -800.0, 1e-300)


# ---------------------------------------------------------------------- numbers

def same(a, b) -> bool:
    """a equals b within a relative 1e-12; NaN equals NaN, an infinity only itself."""
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=REL, abs_tol=0.0)


def same_data(page, python) -> bool:
    """A number or a batch from the page equals Python's (a scalar partial may stand for a
    batch of equal partials, as `add`'s 1.0 does in the engine)."""
    if isinstance(python, np.ndarray) or isinstance(page, list):
        page_array = np.atleast_1d(np.array(page, dtype=float))
        python_array = np.atleast_1d(np.asarray(python, dtype=float))
        if page_array.size != python_array.size and 1 not in (page_array.size,
                                                               python_array.size):
            return False
        page_array, python_array = np.broadcast_arrays(page_array, python_array)
        return all(same(p, q) for p, q in zip(page_array, python_array))
    return same(page, python)


def encode(data):
    """A float or batch in the model's JSON form: "Infinity", "-Infinity", "NaN" as strings."""
    if isinstance(data, np.ndarray):
        return [encode(x) for x in data]
    x = float(data)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def decode(data):
    """The inverse of encode, on parsed JSON (lists stay lists)."""
    if isinstance(data, list):
        return [decode(x) for x in data]
    if isinstance(data, str):
        return float(data.replace("Infinity", "inf"))
    return data


def model_of(root: Value, lang: str = "en", quiz: bool = False) -> dict:
    """The contract's model of root's graph, written independently of the page's code."""
    order = topological_order(root)
    position = {node: i for i, node in enumerate(order)}
    sizes = {node.data.size for node in order if isinstance(node.data, np.ndarray)}
    sizes |= {np.size(c) for node in order for c in node.operands if isinstance(c, np.ndarray)}
    nodes = [{"name": node.name, "op": node.op,
              "operands": [{"node": position[x]} if isinstance(x, Value) else
                           {"const": encode(x)} for x in node.operands],
              "value": encode(node.data), "grad": encode(node.grad),
              "partials": [encode(p) for p in node.partials]} for node in order]
    return {"lang": lang, "quiz": quiz, "batch_size": max(sizes) if sizes else None,
            "nodes": nodes}


def pick(data, sample: int):
    """What the page shows for one sample: a batch's entry, a float itself (a batch total)."""
    return float(data[sample]) if isinstance(data, np.ndarray) else float(data)


# ---------------------------------------------------------------------- graphs

def sigmoid_graph(x: float = 0.5, c: float = -1.0):
    """The README's graph: z = (-1)² / ((-1)² + exp(-1·x)), after backward."""
    x = Value(x, name="x")
    minus_one = Value(c, name="-1")
    one = minus_one ** 2
    z = one / (one + (minus_one * x).exp())
    z.backward()
    return x, minus_one, one, z


class Recipe:
    """A random graph as a list of steps, so it can be rebuilt at other leaf values.

    leaves: the data of each leaf; steps: (op, operand refs), a ref being ("v", k) for the k-th
    Value made so far (leaves first) or ("c", number or array) for a constant.
    """

    def __init__(self, leaves: list, steps: list):
        self.leaves, self.steps = leaves, steps

    def build(self, leaves: list | None = None) -> tuple[Value, list[Value]]:
        """The root (after backward) and the leaf Values, at the given leaf data."""
        made = [Value(data, name=f"x{k}" if k % 2 == 0 else None)
                for k, data in enumerate(self.leaves if leaves is None else leaves)]
        with np.errstate(all="ignore"):          # inf and nan are part of the test
            for op, refs in self.steps:
                args = [made[r] if kind == "v" else r for kind, r in refs]
                made.append(apply(op, args))
            root = made[-1]
            root.backward(retain_grad=True)   # the tests compare every node's gradient
        return root, made[:len(self.leaves)]


def apply(op: str, args: list):
    """One primitive on Values and constants, the way a learner writes it."""
    if op == "nsum":
        return autograd.sum(args)
    if op == "neg":
        return -args[0]
    if len(args) == 1:                        # x.exp(), x.relu(), x.sqrt(), x.sum(), ...
        return getattr(args[0], op)()
    a, b = args
    operators = {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
                 "div": lambda: a / b, "pow": lambda: a ** b}
    return operators[op]() if op in operators else getattr(autograd, op)(a, b)  # maximum


def random_number(rng: random.Random, specials: float) -> float:
    if rng.random() < specials:
        return rng.choice(SPECIALS)
    return round(rng.uniform(-3, 3), rng.choice((1, 3, 17)))


def random_data(rng: random.Random, batch: int | None, specials: float):
    if batch is None or rng.random() < 0.4:
        return random_number(rng, specials)
    return np.array([random_number(rng, specials) for _ in range(batch)])


def random_recipe(rng: random.Random, n_ops: int, batch: int | None = None,
                  specials: float = 0.0, value_pow: bool = False) -> Recipe:
    """Random DAG over the primitives: reuse (branch points), x*x, constants on either side,
    pow with constant or Value exponents (0, 1, 2, -1, 0.5, ...), n-ary sums, batch reductions.
    The root adds up every value nothing else uses, so the whole graph is reached. With
    value_pow, the first step is a leaf to the power of another (or the same) leaf."""
    leaves = [random_data(rng, batch, specials) for _ in range(rng.randint(1, 3))]
    steps = [("pow", [("v", 0), ("v", len(leaves) - 1)])] if value_pow else []
    count = len(leaves) + len(steps)
    for _ in range(n_ops):
        value = lambda: ("v", max(0, count - 1 - int(rng.expovariate(0.7))))  # noqa: E731
        const = lambda: ("c", random_data(rng, batch, specials))             # noqa: E731
        op = rng.choice(("add", "sub", "mul", "div", "pow", "pow", "neg", "exp", "log", "sin",
                         "cos", "nsum", "mul", "relu", "sqrt", "maximum")
                        + (("sum", "mean") if batch else ()))
        if op == "pow":
            exponent = ("c", rng.choice((0.0, 1.0, 2.0, 3.0, -1.0, 0.5, -0.5, 2.5)))
            refs = [value(), rng.choice((exponent, value(), ("c", 2.0)))]
            if rng.random() < 0.15:
                refs = [("c", rng.choice((0.0, 2.0, 0.5, -2.0, 1.0))), value()]
        elif op in ("neg", "exp", "log", "sin", "cos", "relu", "sqrt", "sum", "mean"):
            refs = [value()]
        elif op == "nsum":
            refs = [value() for _ in range(rng.randint(3, 4))]
        else:
            first = value()
            refs = [first, rng.choice((first, value(), value(), const()))]
            if rng.random() < 0.2:
                refs.reverse()
            if refs[0][0] == "c" and refs[1][0] == "c":
                refs[1] = first
        steps.append((op, refs))
        count += 1
    used = {r for _, refs in steps for kind, r in refs if kind == "v"}
    unused = [("v", k) for k in range(count) if k not in used]
    if len(unused) > 1:
        steps.append(("nsum", unused))
    return Recipe(leaves, steps)


# ---------------------------------------------------------------------- the page, read

READ_PAGE = """
const nodes = [];
for (let i = 0; document.getElementById('zg-node-' + i); i++) {
  const node = document.getElementById('zg-node-' + i);
  const text = (cls) => {
    const found = node.querySelector(cls);
    return found ? found.textContent.trim() : null;
  };
  nodes.push({value: node.getAttribute('data-value'), grad: node.getAttribute('data-grad'),
              valueText: text('.zg-value'), gradText: text('.zg-grad')});
}
const active = [...document.querySelectorAll('[id^="zg-edge-"].zg-active')].map((e) => e.id);
const title = document.getElementById('zg-title');
const explain = document.getElementById('zg-explain');
const phase = document.getElementById('zg-phase');
return JSON.stringify({nodes, active, title: title ? title.textContent : null,
  phase: phase ? phase.textContent : null,
  explain: explain ? explain.textContent : null, step: zerograd.state.step,
  sample: zerograd.state.sample, hash: location.hash});
"""

EVALUATE = """
const [models, leafValues] = arguments;
const decodeNum = (key, v) => (key !== 'name' && key !== 'op' &&
  (v === 'Infinity' || v === '-Infinity' || v === 'NaN')) ? Number(v) : v;
const encodeNum = (key, v) => (typeof v === 'number' && !Number.isFinite(v)) ? String(v) : v;
return models.map((text, k) => {
  try {
    const model = JSON.parse(text, decodeNum);
    const leaves = JSON.parse(leafValues[k] || '{}', decodeNum);
    const result = zerograd.evaluate(model, leaves);
    return JSON.stringify({values: result.values, partials: result.partials, grads: result.grads},
                          encodeNum);
  } catch (error) { return JSON.stringify({error: String(error && error.stack || error)}); }
});
"""


def read_page(driver) -> dict:
    """Everything the page shows for the current step, in one round trip."""
    return json.loads(driver.execute_script(READ_PAGE))


def evaluate_in_page(driver, models: list[dict], leaves: list[dict] | None = None) -> list:
    """zerograd.evaluate on each model (one call for all of them), decoded: inf and nan."""
    texts = [json.dumps(model, allow_nan=False) for model in models]
    leaf_texts = [json.dumps({str(i): encode(x) for i, x in (leaf or {}).items()})
                  for leaf in (leaves or [{}] * len(models))]
    results = [json.loads(text) for text in driver.execute_script(EVALUATE, texts, leaf_texts)]
    for result in results:
        assert "error" not in result, result.get("error")
    return [{key: decode(value) for key, value in result.items()} for result in results]


def differences(result: dict, root: Value) -> list[str]:
    """Where the page's evaluate differs from the Python engine on root's graph."""
    wrong = []
    for i, node in enumerate(topological_order(root)):
        if not same_data(result["values"][i], node.data) or \
                isinstance(node.data, np.ndarray) != isinstance(result["values"][i], list):
            wrong.append(f"value of node {i} ({node.op or 'leaf'}): page {result['values'][i]}, "
                         f"python {node.data}")
        if not same_data(result["grads"][i], node.grad) or \
                isinstance(node.grad, np.ndarray) != isinstance(result["grads"][i], list):
            wrong.append(f"grad of node {i} ({node.op or 'leaf'}): page {result['grads'][i]}, "
                         f"python {node.grad}")
        page_partials = result["partials"][i]
        if len(page_partials) != len(node.partials) or not all(
                same_data(p, q) for p, q in zip(page_partials, node.partials)):
            wrong.append(f"partials of node {i} ({node.op or 'leaf'}): page {page_partials}, "
                         f"python {list(node.partials)}")
    return wrong


def describe_graph(root: Value) -> str:
    lines = []
    for i, node in enumerate(topological_order(root)):
        operands = [f"#{topological_order(root).index(x)}" if isinstance(x, Value) else repr(x)
                    for x in node.operands]
        lines.append(f"  {i}: {node.op or 'leaf'}({', '.join(operands)}) = {node.data}")
    return "\n".join(lines)


# ---------------------------------------------------------------------- the rule table

def test_the_page_rule_table_agrees_with_python_on_500_random_graphs(open_page):
    """zerograd.evaluate (the page's JavaScript rules only) against autograd, graph by graph:
    values, partials and gradients, with batches, constants, inf, nan, and pow at 0."""
    driver = open_page(sigmoid_graph()[-1])
    rng = random.Random(20240601)
    roots = [random_recipe(rng, rng.randint(2, 12), batch=rng.choice((None, None, 2, 3, 4)),
                           specials=rng.choice((0.0, 0.1, 0.3))).build()[0] for _ in range(500)]
    results = evaluate_in_page(driver, [model_of(root) for root in roots])
    wrong = [(k, differences(result, root)) for k, (result, root) in
             enumerate(zip(results, roots))]
    wrong = [(k, found) for k, found in wrong if found]
    report = "\n".join(f"graph {k}:\n{describe_graph(roots[k])}\n  " + "\n  ".join(found[:4])
                       for k, found in wrong[:5])
    assert not wrong, f"{len(wrong)} of 500 graphs differ:\n{report}"


POW_POINTS = [(0.0, 0.0), (0.0, 2.0), (0.0, -1.0), (0.0, 0.5), (-0.0, 3.0), (-0.0, -1.0),
              (-2.0, 0.5), (-2.0, 3.0), (1.0, math.inf), (1.0, math.nan), (-1.0, math.inf),
              (math.nan, 0.0), (2.0, -math.inf), (0.5, math.inf), (math.inf, 0.0),
              (-math.inf, 3.0), (3.0, 1e308), (0.0, -math.inf), (1e-300, 0.0)]


def test_pow_special_points_agree(open_page):
    """a ** b with a and b Values (and each as a constant), where IEEE, Python and JavaScript
    like to disagree: 0^0, 0^-1, (-2)^0.5, 1^inf, 1^nan, nan^0, ..."""
    roots = []
    for base, exponent in POW_POINTS:
        for make in (lambda a, b: a ** b, lambda a, b: a ** exponent, lambda a, b: base ** b):
            with np.errstate(all="ignore"):
                root = make(Value(base, name="a"), Value(exponent, name="b"))
                root.backward()
            roots.append(root)
    driver = open_page(sigmoid_graph()[-1])
    results = evaluate_in_page(driver, [model_of(root) for root in roots])
    wrong = {POW_POINTS[k // 3]: found for k, (result, root) in enumerate(zip(results, roots))
             if (found := differences(result, root))}
    assert wrong == {}


# ---------------------------------------------------------------------- every record of the table

POINTS = (0.0, -0.0, 1.0, -1.0, 0.5, -2.5, math.inf, -math.inf, math.nan)
# Where one op has special cases of its own, beyond every pair of POINTS (the ops themselves
# come from the table: an op not named here is checked at POINTS and random points alone).
OWN_POINTS = {
    "pow": [(0.0, 0.0), (0.0, -1.0), (-8.0, 1 / 3), (1.0, math.inf), (-1.0, -math.inf),
            (1.0, math.nan), (math.nan, 0.0), (2.0, 1024.0), (10.0, -400.0), (-2.0, 3.0)],
    "maximum": [(2.0, 2.0), (0.0, -0.0), (-0.0, 0.0), (math.inf, math.inf), (-3.0, -3.0),
                (math.nan, math.nan), (1e-300, 0.0)],
    "relu": [(0.0,), (-0.0,), (math.nan,), (5e-324,), (-5e-324,)],
    "sqrt": [(0.0,), (-0.0,), (-1.0,), (-4.0,), (4.0,), (2.0,), (5e-324,), (1e308,)],
    "div": [(1.0, 0.0), (1.0, -0.0), (0.0, 0.0), (1e308, 1e-308)],
    "exp": [(709.0,), (710.0,), (-745.0,), (-746.0,)],
    "log": [(5e-324,), (1e308,), (-1e-300,)],
}
# V8's Math.exp, log, pow, sin and cos are not the C library's that Python calls, and neither
# promises the correctly rounded result: they may differ in the last bit (1 ulp), and pow's
# exponent partial a^b ln a multiplies two such numbers (2 ulps). With Chromium 156 and glibc
# 2.36 no difference showed at 15,000 random points; other builds may differ. Everything else
# (+ − × ÷, √, relu, max, the sums) must agree bit for bit, the sign of a zero included.
ULPS = {"exp": 1, "log": 1, "sin": 1, "cos": 1, "pow": 2}

COMPARE = """
const [points, lang] = arguments;
const number = (s) => Number(s);
const text = (x) => (Array.isArray(x) ? x.map(text) : (Object.is(x, -0) ? "-0" : String(x)));
const data = (x) => (Array.isArray(x) ? x.map(number) : number(x));
const sample = (x) => (Array.isArray(x) ? x[0] : x);
return points.map(({op, args: encoded}) => {
  try {
    const args = encoded.map(data), rule = zerograd.RULES[op];
    const out = rule.forward(args);
    const partials = args.map((_, i) => rule.partial(args, out, i));
    const n = Array.isArray(args[0]) ? args[0].length : 1;
    const lines = partials.map((p, i) =>
      zerograd.partialLine(op, args.map(sample), sample(out), i, sample(p), n));
    const computation = args.some(Array.isArray) ? null
      : zerograd.computation(op, args.map((a) => zerograd.fmt(a)), zerograd.fmt(out));
    return {out: text(out), partials: partials.map(text), lines, computation};
  } catch (error) { return {error: String(error && error.stack || error)}; }
});
"""


def js_text(x: float) -> str:
    """A float as the page's Number() reads it back exactly (-0 and non-finite ones too)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return repr(x)


def js_data(data):
    return [js_text(float(x)) for x in data] if isinstance(data, np.ndarray) else js_text(data)


def from_js(data):
    return np.array([float(x) for x in data]) if isinstance(data, list) else float(data)


def ulps_apart(x: float, y: float) -> int:
    """How many floats lie between x and y (0 for equal ones; -0 and 0 are 0 apart)."""
    def ordered(v: float) -> int:
        bits = struct.unpack("<q", struct.pack("<d", v))[0]
        return bits if bits >= 0 else -(bits & 0x7FFFFFFFFFFFFFFF)
    return abs(ordered(x) - ordered(y))


def agrees(page: float, python: float, ulps: int) -> bool:
    """The same IEEE result: nan for nan, the same infinity, the same zero (sign included), and
    a finite number bit for bit, or within `ulps` for V8's own exp, log, pow, sin, cos."""
    if math.isnan(python) or math.isnan(page):
        return math.isnan(python) and math.isnan(page)
    if math.isinf(python) or math.isinf(page) or python == 0.0 or page == 0.0:
        return page == python and math.copysign(1, page) == math.copysign(1, python)
    return ulps_apart(page, python) <= ulps


def agrees_data(page, python, ulps: int) -> bool:
    if isinstance(python, np.ndarray) or isinstance(page, np.ndarray):
        page, python = np.atleast_1d(page), np.atleast_1d(python)
        return page.shape == python.shape and all(
            agrees(float(p), float(q), ulps) for p, q in zip(page, python))
    return agrees(float(page), float(python), ulps)


def points_of(primitive, rng: random.Random) -> list[tuple]:
    """The operands to try an op at: POINTS (every pair of them for two operands), the op's
    own special points, and random ones; batches of several lengths for a reduction."""
    def anything():
        return rng.choice(POINTS) if rng.random() < 0.2 else round(
            rng.uniform(-3, 3) * 10 ** rng.choice((0, 0, 0, -5, 5, 100)), rng.choice((1, 3, 17)))
    if primitive.reduces:
        lengths = (1, 2, 3, 7, 8, 9, 17, 130)
        return [(x,) for x in POINTS] + [(np.array([anything() for _ in range(n)]),)
                                         for n in lengths for _ in range(3)]
    counts = (primitive.arity,) if primitive.arity else (2, 3, 4, 5)
    points = [tuple(anything() for _ in range(count)) for count in counts for _ in range(40)]
    for count in counts:
        points += [(x,) * count for x in POINTS] if count > 2 else \
            list(itertools.product(POINTS, repeat=count))
    return points + OWN_POINTS.get(primitive.op, [])


def python_side(primitive, args: tuple):
    """The record's forward and partials on these operands, as the engine computes them."""
    with np.errstate(all="ignore"):
        out = primitive.forward(*args)
        out = out if isinstance(out, np.ndarray) else float(out)
        partials = [primitive.partial(list(args), out, i) for i in range(len(args))]
    return out, [p if isinstance(p, np.ndarray) else float(p) for p in partials]


def explanation_problems(op: str, args: tuple, slot: int, line: str, partial, lang: str) -> list:
    """What is wrong with the page's sentence for d(out)/d(operand slot): it must be
    "∂(<the formula with letters>)/∂<letter> = <the record's rule> [= <with numbers>] = <number>",
    never the same text twice in a row."""
    rule = rule_text(op, slot, len(args), words(lang))
    found = re.fullmatch(r"∂\((.+)\)/∂(\S+) = (.+)", line)
    if not found or not found.group(3).startswith(rule):
        return [f"{line!r} does not read ∂(...)/∂... = {rule!r} ..."]
    value = number(float(np.atleast_1d(partial)[0]), 4)
    plain = line.replace("−", "-")
    parts = plain.split(" = ")
    problems = [] if plain.endswith(" = " + value) else [f"{line!r} does not end in = {value}"]
    if any(a == b for a, b in zip(parts, parts[1:])):
        problems.append(f"{line!r} repeats itself")
    primitive = PRIMITIVES[op]
    if op != "dot" and len(args) <= 2:
        letters = ["a", "b"][:len(args)]
        formula = computation(op, letters, "y").removesuffix(" = y")
        if primitive.form == "prefix":
            formula = primitive.symbol.replace("x", "a")       # −a: no parentheses for letters
        if found.group(1) != formula or found.group(2) != letters[slot]:
            problems.append(f"{line!r}: expected ∂({formula})/∂{letters[slot]}")
    return problems


def table_disagreements(driver, ops: list[str], lang: str = "en", seed: int = 0) -> list[str]:
    """Every way the page's records of these ops differ from Python's at their points: the
    value, each partial, each partial's sentence, and the computation (labels.computation)."""
    rng = random.Random(seed)
    cases = [(op, args) for op in ops for args in points_of(PRIMITIVES[op], rng)]
    results = driver.execute_script(COMPARE, [{"op": op, "args": [js_data(a) for a in args]}
                                              for op, args in cases], lang)
    wrong = []
    for (op, args), page in zip(cases, results):
        shown = f"{op}{tuple(args)}"
        if "error" in page:
            wrong.append(f"{shown}: the page raised {page['error']}")
            continue
        out, partials = python_side(PRIMITIVES[op], args)
        ulps = ULPS.get(op, 0)
        if not agrees_data(from_js(page["out"]), out, ulps):
            wrong.append(f"{shown}: forward page {page['out']}, python {out!r}")
        for i, (mine, theirs) in enumerate(zip(page["partials"], partials)):
            if not agrees_data(from_js(mine), theirs, ulps):
                wrong.append(f"{shown}: partial {i} page {mine}, python {theirs!r}")
            wrong += [f"{shown}: {problem}" for problem in
                      explanation_problems(op, args, i, page["lines"][i], theirs, lang)]
        if page["computation"] is not None:
            expected = computation(op, [number(x, 4) for x in args], number(out, 4))
            if page["computation"] != expected:
                wrong.append(f"{shown}: computation {page['computation']!r}, python {expected!r}")
    return wrong


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_record_of_the_table_agrees_with_python_at_special_and_random_points(open_page,
                                                                                     lang):
    """For each op of autograd.rules.PRIMITIVES: the page's RULES[op].forward and .partial
    against the record's own forward and partial (the same IEEE result, bit for bit but for
    V8's transcendental functions), and the page's sentence for each partial."""
    driver = open_page(sigmoid_graph()[-1], lang=lang)
    assert sorted(driver.execute_script("return Object.keys(zerograd.RULES)")) == \
        sorted(PRIMITIVES)
    wrong = table_disagreements(driver, list(PRIMITIVES), lang)
    assert wrong == [], f"{len(wrong)} disagreements:\n" + "\n".join(wrong[:30])


# ---------------------------------------------------------------------- a primitive defined now

@pytest.fixture
def cube():
    """autograd.define(cube) for one test; the table and Value are as before afterwards."""
    record = autograd.Primitive(
        "cube", 1, "³", "call", lambda a: a * a * a,
        lambda args, out, i: 3.0 * args[0] * args[0],                # d(a³)/da = 3a²
        ("3a²",), "a * a * a", "3 * a * a", function="cube")
    try:
        yield autograd.define(record)
    finally:
        PRIMITIVES.pop("cube", None)
        PARTIALS.pop("cube", None)
        if "cube" in vars(Value):
            delattr(Value, "cube")


def test_a_primitive_defined_at_run_time_is_in_the_page(open_page, cube):
    """One record added with autograd.define: the page computes, draws, steps through and
    explains it like any other, from the table alone."""
    x = Value(0.5, name="x")
    root = x.cube().sigmoid()
    root.backward()
    order = topological_order(root)
    i = next(k for k, node in enumerate(order) if node.op == "cube")
    driver = open_page(root)
    assert [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE"] == []
    assert table_disagreements(driver, ["cube"]) == []
    symbol = driver.find_element("css selector", f"#zg-op-{i} .zg-symbol").text
    assert symbol == "³"
    shown = step_through(driver, root)                          # #zg-first, then #zg-next
    assert shown[i]["title"].strip() == "cube(0.5) = 0.125"
    edge = next(k for k, step in enumerate(driver.execute_script("return zerograd.steps"))
                if step.get("kind") == "edge" and step["node"] == i)
    upstream = order[i].grad
    assert shown[edge]["title"].strip() == \
        f"grad(x) += ∂ 0.75 × upstream {number(upstream, 4)} = {number(0.75 * upstream, 4)}"
    driver.execute_script("document.getElementById(arguments[0]).dispatchEvent("
                          "new MouseEvent('click', {bubbles: true}))", f"zg-node-{i}")
    explained = read_page(driver)["explain"]
    assert "cube(0.5) = 0.125" in explained
    assert "∂(cube(a))/∂a = 3a² = 3·0.5² = 0.75" in explained
    assert [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE"] == []


def test_the_throwaway_primitive_is_gone_after_its_test():
    assert "cube" not in PRIMITIVES and "cube" not in PARTIALS and not hasattr(Value, "cube")


def test_evaluate_at_new_leaf_values_matches_python_recomputation(open_page):
    """evaluate(model, leafValues) with some leaves changed equals a rebuild of the graph at
    those inputs, and leaves the model itself alone (it is pure)."""
    driver = open_page(sigmoid_graph()[-1])
    rng = random.Random(7)
    recipes = [random_recipe(rng, rng.randint(2, 10), batch=rng.choice((None, 3)))
               for _ in range(60)]
    models, changes, rebuilt = [], [], []
    for recipe in recipes:
        root, leaves = recipe.build()
        order = topological_order(root)
        new = [random_data(rng, 3 if isinstance(x, np.ndarray) else None, 0.0)
               for x in recipe.leaves]
        new = [x if isinstance(x, np.ndarray) == isinstance(old, np.ndarray) else old
               for x, old in zip(new, recipe.leaves)]
        change = {k: x for k, x in enumerate(new) if rng.random() < 0.7}
        models.append(model_of(root))
        changes.append({order.index(leaves[k]): x for k, x in change.items()})
        rebuilt.append(recipe.build([change.get(k, old)
                                     for k, old in enumerate(recipe.leaves)])[0])
    results = evaluate_in_page(driver, models, changes)
    wrong = [(k, differences(result, root)) for k, (result, root) in
             enumerate(zip(results, rebuilt))]
    assert [(k, found) for k, found in wrong if found] == []


def test_evaluate_is_pure(open_page):
    """evaluate on the page's own model, with a leaf changed, changes neither the model nor
    what the page shows."""
    driver = open_page(sigmoid_graph()[-1])
    before = read_page(driver)
    changed = driver.execute_script("""
        const snapshot = () => JSON.stringify(zerograd.model, (k, v) => typeof v === 'number'
                                              ? String(v) : v);
        const first = snapshot();
        const result = zerograd.evaluate(zerograd.model, {0: 2.0});
        return [first === snapshot(), result.values[0], zerograd.model.nodes[0].value];""")
    assert changed == [True, 2.0, -1.0]   # node 0 is the input -1
    assert read_page(driver) == before


# ---------------------------------------------------------------------- stepping through

def scenes_of(root: Value):
    """The graph and the steps the page must show, in the order of viz/frames.py: one per value
    (forward), the seed, then one per Value operand from the root back (backward)."""
    graph = read_graph(root, 10**6)
    n = len(graph.order)
    scenes = [Scene(computed=k + 1, grads={}) for k in range(n)]
    root_data = graph.order[-1].data
    grads = {n - 1: np.ones_like(root_data) if isinstance(root_data, np.ndarray) else 1.0}
    scenes.append(Scene(computed=n, grads=dict(grads)))
    for i in reversed(range(n)):
        for slot, operand, partial in operand_slots(graph.order[i]):
            if not isinstance(operand, Value):
                continue
            parent = graph.position[operand]
            with np.errstate(all="ignore"):
                added = reduce_like(operand, partial * grads[i])
                before = grads.get(parent)
                grads[parent] = added if before is None else before + added
            sums = {} if before is None else {parent: (before, added, grads[parent])}
            scenes.append(Scene(computed=n, grads=dict(grads), sums=sums, edge=(i, slot)))
    return graph, scenes


def attribute_number(text: str) -> float:
    """A data-value / data-grad attribute (JavaScript's String(x)) as a float."""
    return float(text.replace("Infinity", "inf"))


def shown_wrongly(kind: str, i: int, attribute: str | None, text: str | None, python) -> list:
    """A problem if the attribute (full precision) or the text (4 digits) differs from python;
    python None means the number is not known yet: no attribute, no digits."""
    if python is None:
        blank = "?" if kind == "value" else ""
        if attribute not in ("", None) or (text or "").strip() not in (blank, ""):
            return [f"node {i} {kind} shown before it is known: {attribute!r} / {text!r}"]
        return []
    if attribute in ("", None) or not same(attribute_number(attribute), python) or \
            text != number(python, 4):
        return [f"node {i} {kind}: page {attribute!r} / {text!r}, "
                f"python {python!r} / {number(python, 4)!r}"]
    return []


def mismatches(page: dict, graph, scene, sample: int = 0) -> list[str]:
    """What the page shows wrongly for one scene: values, gradients, the active arrow."""
    wrong = []
    for i, node in enumerate(graph.order):
        shown = page["nodes"][i]
        value = pick(node.data, sample) if i < scene.computed else None
        grad = pick(scene.grads[i], sample) if i in scene.grads else None
        wrong += shown_wrongly("value", i, shown["value"], shown["valueText"], value)
        wrong += shown_wrongly("grad", i, shown["grad"], shown["gradText"], grad)
        if value is None and shown["valueText"] != "?":
            wrong.append(f"node {i}: {shown['valueText']!r} instead of '?' before it is computed")
    if scene.edge is not None:
        i, slot = scene.edge
        edge = f"zg-edge-{i}-{graph.edge_of(i, slot).parent}"
        if page["active"] != [edge]:
            wrong.append(f"active arrows {page['active']}, expected [{edge!r}]")
    elif scene.grads:                       # the seed step: no arrow in use yet
        if page["active"]:
            wrong.append(f"active arrows at the seed step: {page['active']}")
    else:                                   # forward: at most the arrows into the new value
        k = scene.computed - 1
        if any(not name.startswith(f"zg-edge-{k}-") for name in page["active"]):
            wrong.append(f"forward step {k}: active arrows {page['active']}")
    return wrong


def press(driver, *keys) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(*keys).perform()


def first_step(driver) -> int:
    """The number the page gives its first step (zerograd.state.step after #zg-first)."""
    driver.find_element("id", "zg-first").click()
    return read_page(driver)["step"]


def step_through(driver, root: Value, sample: int = 0, keys: bool = False) -> list[dict]:
    """Every step from the first to the last with #zg-next (or the → key), each checked
    against scenes_of(root); returns what the page showed at each step."""
    from selenium.webdriver.common.keys import Keys

    graph, scenes = scenes_of(root)
    base = first_step(driver)
    assert driver.execute_script("return zerograd.steps.length") == len(scenes)
    shown, wrong = [], []
    for k, scene in enumerate(scenes):
        if k:
            press(driver, Keys.ARROW_RIGHT) if keys else \
                driver.find_element("id", "zg-next").click()
        page = read_page(driver)
        assert page["step"] == base + k, f"step {k}: the page is at {page['step'] - base}"
        wrong += [f"step {k}: {problem}" for problem in mismatches(page, graph, scene, sample)]
        shown.append(page)
    assert wrong == []
    return shown


def test_sigmoid_page_shows_every_step_as_the_engine_computes_it(open_page):
    x, minus_one, one, z = sigmoid_graph()
    driver = open_page(z)
    shown = step_through(driver, z)
    titles = [page["title"].strip() for page in shown]
    assert "Forward" in shown[4]["phase"] and "5" in shown[4]["phase"]
    assert "Backward" in shown[10]["phase"]
    assert titles[2] == "x = 0.5"                                   # forward: an input
    assert titles[4] == "exp(-0.5) = 0.6065"                        # forward: an op
    assert titles[6] == "1 ÷ 1.607 = 0.6225"
    assert re.match(r"grad\(#6\) = 1\b", titles[7]), titles[7]     # backward: the seed
    assert titles[8] == "grad((-1)^2) += ∂ 0.6225 × upstream 1 = 0.6225"   # called as made
    assert titles[14] == "grad(x) += ∂ -1 × upstream -0.235 = 0.235"
    # (-1)² and -1 are branch points: their second term is added to the first
    branch = r"; .*grad\(\(-1\)\^2\) = 0\.6225 \+ \(?-0\.3875\)? = 0\.235$"
    assert re.search(branch, titles[10]), titles[10]
    branch = (r"^grad\(-1\) \+= ∂ -2 × upstream 0\.235 = -0\.47; "
              r".*grad\(-1\) = -0\.1175 \+ \(?-0\.47\)? = -0\.5875$")
    assert re.search(branch, titles[15]), titles[15]


def test_keys_move_between_steps(open_page):
    from selenium.webdriver.common.keys import Keys

    root = sigmoid_graph()[-1]
    driver = open_page(root)
    base = first_step(driver)
    last = base + len(scenes_of(root)[1]) - 1
    press(driver, Keys.END)
    assert read_page(driver)["step"] == last
    press(driver, Keys.ARROW_LEFT, Keys.ARROW_LEFT)
    assert read_page(driver)["step"] == last - 2
    press(driver, Keys.HOME)
    assert read_page(driver)["step"] == base
    press(driver, Keys.ARROW_LEFT)                                  # nothing before the first
    assert read_page(driver)["step"] == base
    press(driver, Keys.ARROW_RIGHT)
    assert read_page(driver)["step"] == base + 1
    driver.find_element("id", "zg-last").click()
    press(driver, Keys.ARROW_RIGHT)                                 # nothing after the last
    assert read_page(driver)["step"] == last
    driver.find_element("id", "zg-prev").click()
    assert read_page(driver)["step"] == last - 1


def test_buttons_and_slider_agree(open_page):
    root = sigmoid_graph()[-1]
    driver = open_page(root)
    base = first_step(driver)
    slider = driver.find_element("id", "zg-slider")
    steps = len(scenes_of(root)[1])
    assert (slider.get_attribute("type"), int(slider.get_attribute("min")),
            int(slider.get_attribute("max"))) == ("range", base, base + steps - 1)
    driver.execute_script("""const s = arguments[0]; s.value = String(arguments[1]);
        s.dispatchEvent(new Event('input', {bubbles: true}));
        s.dispatchEvent(new Event('change', {bubbles: true}));""", slider, base + 9)
    assert read_page(driver)["step"] == base + 9
    graph, scenes = scenes_of(root)
    assert mismatches(read_page(driver), graph, scenes[9]) == []
    driver.find_element("id", "zg-next").click()
    assert int(slider.get_attribute("value")) == base + 10


def mostly_finite_recipes(count: int, batch: int | None, seed: int) -> list[Recipe]:
    """The first `count` random recipes (from a fixed seed) whose values and gradients are
    finite, with a Value exponent, at least one branch point and one x*x-like double use (and
    a batch when batch is given)."""
    rng, found = random.Random(seed), []
    while len(found) < count:
        recipe = random_recipe(rng, rng.randint(4, 8), batch=batch, value_pow=True)
        graph = read_graph(recipe.build()[0], 1000)
        finite = all(np.isfinite(node.data).all() and np.isfinite(node.grad).all()
                     for node in graph.order)
        branches = any(graph.is_branch(i) for i in range(len(graph.order)))
        batches = batch is None or any(isinstance(node.data, np.ndarray) for node in graph.order)
        if finite and branches and batches and any(len(e.slots) > 1 for e in graph.edges):
            found.append(recipe)
    return found


RANDOM_GRAPHS = [(recipe, None) for recipe in mostly_finite_recipes(4, None, 1)] + \
    [(recipe, batch) for batch in (2, 3) for recipe in mostly_finite_recipes(2, batch, batch)]


@pytest.mark.parametrize("k", range(len(RANDOM_GRAPHS)))
def test_random_graphs_step_by_step(open_page, k):
    """Random graphs (branch points, x*x, constants, pow with a Value exponent, batches): every
    step as the engine computes it; a batch at its last sample, chosen with #zg-sample."""
    from selenium.webdriver.support.ui import Select

    recipe, batch = RANDOM_GRAPHS[k]
    root, _ = recipe.build()
    driver = open_page(root)
    sample = 0
    if batch:
        sample = batch - 1
        Select(driver.find_element("id", "zg-sample")).select_by_index(sample)
        assert read_page(driver)["sample"] == sample
    step_through(driver, root, sample, keys=k % 2 == 0)


# ---------------------------------------------------------------------- leaves, fragment, batches

def final_mismatches(driver, root: Value, sample: int = 0) -> list[str]:
    """What the page shows wrongly at its last step (every value and gradient known)."""
    graph, scenes = scenes_of(root)
    return mismatches(read_page(driver), graph, scenes[-1], sample)


def type_into(driver, element_id: str, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    field = driver.find_element("id", element_id)
    field.clear()
    field.send_keys(text, Keys.ENTER)


def test_typing_a_leaf_value_recomputes_every_value_and_gradient(open_page):
    x, minus_one, one, z = sigmoid_graph()
    driver = open_page(z)
    driver.find_element("id", "zg-last").click()
    assert final_mismatches(driver, z) == []
    for leaf in (0, 2):
        assert driver.find_element("id", f"zg-range-{leaf}").get_attribute("type") == "range"
        field = driver.find_element("id", f"zg-input-{leaf}")      # text: full-width digits too
        assert (field.get_attribute("type"), field.get_attribute("inputmode")) == ("text",
                                                                                  "decimal")
    type_into(driver, "zg-input-2", "-1.75")                      # x
    assert final_mismatches(driver, sigmoid_graph(x=-1.75)[-1]) == []
    driver.execute_script("zerograd.setLeaf(0, -0.5)")             # the constant -1
    assert final_mismatches(driver, sigmoid_graph(x=-1.75, c=-0.5)[-1]) == []
    assert driver.find_element("id", "zg-input-0").get_attribute("value") == "-0.5"
    type_into(driver, "zg-input-2", "1000")                      # exp(-1000·(-0.5)) = inf
    assert final_mismatches(driver, sigmoid_graph(x=1000.0, c=-0.5)[-1]) == []


def test_every_leaf_field_shows_its_number_zero_included(open_page):
    driver = open_page(Value(0.0, name="b") + Value(2.0, name="w") * Value(-0.0, name="x"))
    fields = [driver.find_element("id", f"zg-input-{i}").get_attribute("value")
              for i in range(3)]
    assert sorted(fields) == ["0", "0", "2"]


def relu_tanh_graph(x: float, w: float = 0.8):
    """relu, tanh and sigmoid as the engine builds them, with constants that depend on data."""
    x, w = Value(x, name="x"), Value(w, name="w")
    z = (x * w).relu() + autograd.tanh(x - 0.25) * autograd.sigmoid(w * x)
    z.backward()
    return z


def replay(root: Value, leaves: dict[int, float]) -> Value:
    """root's graph recomputed in Python with the leaves at these positions changed: the same
    nodes and constants (as the page keeps them)."""
    order, made = topological_order(root), []
    with np.errstate(all="ignore"):
        for i, node in enumerate(order):
            args = [made[order.index(x)] if isinstance(x, Value) else x for x in node.operands]
            if not node.op:
                made.append(Value(leaves.get(i, node.data), name=node.name))
            else:
                made.append(apply("nsum" if node.op == "add" and len(args) != 2 else node.op,
                                  args))
        made[-1].backward()
    return made[-1]


@pytest.mark.parametrize("new_x", [0.9, -0.3, -2.0])
def test_changing_a_leaf_through_relu_and_composites(open_page, new_x):
    """relu (a primitive) follows its input across 0; sigmoid's and tanh's constants keep
    their numbers (STEPPER_CONTRACT.md), so the page must equal a Python replay of the same
    graph, and the output and the inputs' gradients equal a fresh build at the new x."""
    root = relu_tanh_graph(0.5)
    order = topological_order(root)
    relu = order.index(root.parents[0])
    driver = open_page(root)
    ops = driver.execute_script("return zerograd.model.nodes.map((n) => n.op)")
    assert [i for i, op in enumerate(ops) if op == "relu"] == [relu]
    driver.execute_script("zerograd.setLeaf(0, arguments[0])", new_x)
    assert final_mismatches(driver, replay(root, {0: new_x})) == []
    fresh, page = relu_tanh_graph(new_x), read_page(driver)["nodes"]
    for i, node in ((0, topological_order(fresh)[0]), (len(order) - 1, fresh)):
        assert math.isclose(attribute_number(page[i]["value"]), node.data, rel_tol=REL)
    for i, name in enumerate(("x", "w")):
        position = next(k for k, node in enumerate(order) if node.name == name)
        leaf = next(node for node in topological_order(fresh) if node.name == name)
        assert math.isclose(attribute_number(page[position]["grad"]), leaf.grad, rel_tol=REL)


NUMBERS = [0.0, -0.0, 1.0, -1.0, 0.5, 1000.0, -1000.0, 9999.0, 9999.5, 9998.5, 10000.0, 12345.0,
           0.0001, 0.00012345, 0.000123456, 1e-05, -1.5e-07, 1e16, 1.0625, 1.00005, 2.00015,
           0.12345, 0.62245933, 5e-324, 1.7976931348623157e308, 100.0, 123.45, 99.995, 0.1,
           1e-300, 123.0, 1234.5, 1235.5, -0.00099995, math.inf, -math.inf, math.nan]


def test_numbers_are_written_like_python(open_page):
    """The page's 4-digit format against Python's f"{x + 0.0:.4g}" (viz.labels.number): ties,
    four-digit integers, exponents, subnormals, inf, nan, -0; then 300 random numbers."""
    x = Value(2.0, name="x")
    root = x * 1.0
    driver = open_page(root)
    rng = random.Random(4)
    numbers = NUMBERS + [rng.uniform(-1, 1) * 10 ** rng.randint(-9, 9) for _ in range(300)]
    numbers += [round(rng.uniform(-10, 10), rng.randint(0, 5)) for _ in range(100)]
    shown = driver.execute_script("""
        return arguments[0].map((text) => {
          zerograd.setLeaf(0, Number(text));
          return document.querySelector('#zg-node-0 .zg-value').textContent.trim();
        });""", [repr(x).replace("inf", "Infinity").replace("nan", "NaN") for x in numbers])
    wrong = [(x, page, number(x, 4)) for x, page in zip(numbers, shown) if page != number(x, 4)]
    assert wrong == []


def test_the_step_is_in_the_url_fragment(open_page):
    root = sigmoid_graph()[-1]
    graph, scenes = scenes_of(root)
    driver = open_page(root)
    assert read_page(driver)["step"] == len(scenes) - 1            # no fragment: the last step
    driver.execute_script("zerograd.goTo(7)")                       # the API counts from 0,
    assert re.search(r"(^#|&)step=8(&|$)", read_page(driver)["hash"])   # the address from 1
    assert f"step 8 of {len(scenes)}" in read_page(driver)["phase"]    # as the page does
    driver.find_element("id", "zg-next").click()
    assert re.search(r"(^#|&)step=9(&|$)", read_page(driver)["hash"])
    assert f"step 9 of {len(scenes)}" in read_page(driver)["phase"]
    driver = open_page(root, fragment="#step=8")
    page = read_page(driver)
    assert page["step"] == 7 and mismatches(page, graph, scenes[7]) == []
    driver = open_page(root, fragment="#step=4")
    page = read_page(driver)
    assert page["step"] == 3 and mismatches(page, graph, scenes[3]) == []
    assert "step 4 of" in page["phase"]


def batch_graph():
    """A batch of 4 inputs, a float weight (its gradient is a batch total), a mean."""
    x = Value(np.array([0.5, -1.0, 2.0, 0.25]), name="x")
    w, b = Value(0.75, name="w"), Value(-0.5, name="b")
    h = (x * w + b).exp()
    loss = (h * h + x / w).mean()
    loss.backward(retain_grad=True)   # model_of reads every node's .grad
    return loss


def test_the_sample_selector_shows_that_samples_numbers_and_batch_totals(open_page):
    from selenium.webdriver.support.ui import Select

    root = batch_graph()
    driver = open_page(root)
    selector = Select(driver.find_element("id", "zg-sample"))
    assert len(selector.options) == 4
    graph, scenes = scenes_of(root)
    for sample in (3, 1, 0):
        selector.select_by_index(sample)
        page = read_page(driver)
        assert page["sample"] == sample and mismatches(page, graph, scenes[-1], sample) == []
        assert re.search(rf"(^#|&)sample={sample}(&|$)", page["hash"])
    w = next(i for i, node in enumerate(graph.order) if node.name == "w")
    assert attribute_number(page["nodes"][w]["grad"]) == pytest.approx(graph.order[w].grad,
                                                                       rel=REL)
    driver = open_page(root, fragment="#step=13&sample=2")           # step 13: index 12
    page = read_page(driver)
    assert (page["step"], page["sample"]) == (12, 2)
    assert mismatches(page, graph, scenes[12], 2) == []


def test_a_scalar_graph_has_no_sample_selector(open_page):
    driver = open_page(sigmoid_graph()[-1])
    assert driver.find_elements("id", "zg-sample") == [] or \
        not driver.find_element("id", "zg-sample").is_displayed()


# ---------------------------------------------------------------------- quiz

def answer(driver, text: str) -> dict:
    """Type an answer and press #zg-check (once: Enter in the field would check it too)."""
    field = driver.find_element("id", "zg-answer")
    field.clear()
    field.send_keys(text)
    driver.find_element("id", "zg-check").click()
    return json.loads(driver.execute_script(
        "return JSON.stringify({asked: zerograd.state.asked, quiz: zerograd.state.quiz,"
        " feedback: document.getElementById('zg-feedback').textContent,"
        " score: document.getElementById('zg-score').textContent})"))


def test_quiz_accepts_right_answers_hints_after_wrong_ones_and_keeps_score(open_page):
    x, minus_one, one, z = sigmoid_graph()
    graph, _ = scenes_of(z)
    driver = open_page(z)
    driver.find_element("id", "zg-quiz-toggle").click()
    assert driver.execute_script("return zerograd.state.asked") == 5   # 1 + exp(-x) first
    driver.find_element("id", "zg-last").click()                      # every grad known...
    hidden = read_page(driver)["nodes"]
    assert [(node["grad"], node["gradText"]) for node in hidden[:6]] == [("", "")] * 6  # ...hidden
    for node in (5, 4):
        state = answer(driver, repr(graph.order[node].grad))
        assert state["asked"] == node - 1
    state = answer(driver, "0.5")                                       # wrong: 0.6065 × -0.3875
    assert state["asked"] == 3 and state["score"].strip() == "score: 2 / 3"
    assert "0.6065" in state["feedback"] and "-0.3875" in state["feedback"], state["feedback"]
    assert read_page(driver)["nodes"][3]["grad"] == ""
    state = answer(driver, repr(graph.order[3].grad))
    assert state["asked"] == 2 and state["score"].strip() == "score: 3 / 4"
    shown = read_page(driver)["nodes"]
    assert shown_wrongly("grad", 3, shown[3]["grad"], shown[3]["gradText"],
                         graph.order[3].grad) == []                    # revealed
    answer(driver, repr(x.grad))
    state = answer(driver, "-0.3875")                                   # (-1)²: two terms to add
    assert state["asked"] == 1 and "0.6225" in state["feedback"] and "-0.3875" in state["feedback"]
    answer(driver, repr(one.grad))
    state = answer(driver, repr(minus_one.grad))
    assert state["asked"] is None and state["score"].strip() == "score: 6 / 8"
    driver.find_element("id", "zg-quiz-toggle").click()                # off: everything shown
    driver.find_element("id", "zg-last").click()
    assert final_mismatches(driver, z) == []


def test_a_right_answer_shows_in_the_picture_where_the_quiz_starts(open_page):
    """The quiz opens at the seed step; a right answer must appear in the graph there too,
    so the learner sees the upstream gradient the next question needs."""
    z = sigmoid_graph()[-1]
    driver = open_page(z, quiz=True)
    asked = driver.execute_script("return zerograd.state.asked")
    expected = topological_order(z)[asked].grad
    answer(driver, repr(expected))
    shown = read_page(driver)["nodes"][asked]
    assert shown_wrongly("grad", asked, shown["grad"], shown["gradText"], expected) == []


def test_quiz_in_japanese(open_page):
    x, minus_one, one, z = sigmoid_graph()
    graph, _ = scenes_of(z)
    driver = open_page(z, lang="ja", quiz=True)
    assert driver.execute_script("return zerograd.state.quiz") and \
        driver.find_element("id", "zg-quiz-toggle").is_selected()
    state = answer(driver, "7")
    assert state["asked"] == 5 and state["score"].strip() == "得点: 0 / 1"
    assert "-0.3875" in state["feedback"] and "1" in state["feedback"]
    state = answer(driver, repr(graph.order[5].grad))
    assert state["asked"] == 4 and state["score"].strip() == "得点: 1 / 2"
    driver.find_element("id", "zg-first").click()
    assert read_page(driver)["phase"].startswith("順伝播、ステップ 1 / ")   # a Japanese comma
    driver.find_element("id", "zg-last").click()
    assert "逆伝播" in read_page(driver)["phase"]


def test_quiz_on_values(open_page):
    from selenium.webdriver.support.ui import Select

    x, minus_one, one, z = sigmoid_graph()
    driver = open_page(z, quiz=True)
    Select(driver.find_element("id", "zg-quiz-mode")).select_by_value("value")
    assert driver.execute_script("return zerograd.state.asked") == 1   # (-1)², the first op
    assert read_page(driver)["nodes"][1]["value"] == ""
    state = answer(driver, "1")
    assert state["asked"] == 3 and state["score"].strip() == "score: 1 / 1"
    state = answer(driver, "0.5")                                       # -1 × 0.5 is -0.5
    assert state["asked"] == 3 and "-1" in state["feedback"] and "0.5" in state["feedback"]


# ---------------------------------------------------------------------- the file itself

def page_model(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="zg-model">(.*?)</script>', text,
                      re.S)
    assert found, "no <script type=\"application/json\" id=\"zg-model\"> in the page"
    return json.loads(found.group(1))


def contract_fields(nodes: list[dict]) -> list[dict]:
    """The nodes of a page's model with only the contract's fields (extra ones are allowed)."""
    return [{key: node.get(key, "(missing)") for key in
             ("name", "op", "operands", "value", "grad", "partials")} for node in nodes]


@pytest.mark.parametrize("make", [lambda: sigmoid_graph()[-1], batch_graph,
                                  lambda: RANDOM_GRAPHS[-1][0].build()[0],
                                  lambda: mostly_finite_recipes(1, None, 99)[0].build()[0]])
def test_the_embedded_model_is_the_contract_format(tmp_path, make):
    root = make()
    path = tmp_path / "page.html"
    viz.stepper(root, lang="ja", quiz=True).save(path)
    model, expected = page_model(path), model_of(root, lang="ja", quiz=True)
    assert {key: model[key] for key in expected if key != "nodes"} == \
        {key: value for key, value in expected.items() if key != "nodes"}
    assert contract_fields(model["nodes"]) == expected["nodes"]


def test_the_page_is_small_and_refuses_graphs_above_max_nodes(tmp_path):
    path = tmp_path / "sigmoid.html"
    viz.stepper(sigmoid_graph()[-1]).save(path)
    assert path.stat().st_size < 300_000
    chain = Value(0.5, name="x")
    for _ in range(300):
        chain = chain * 1.001
    with pytest.raises(ValueError) as drawn:
        viz.draw_graph(chain, max_nodes=300)
    with pytest.raises(ValueError) as stepped:
        viz.stepper(chain)
    assert str(stepped.value) == str(drawn.value) and "max_nodes=300" in str(drawn.value)
    with pytest.raises(ValueError) as drawn:
        viz.draw_graph(sigmoid_graph()[-1], max_nodes=5)
    with pytest.raises(ValueError) as stepped:
        viz.stepper(sigmoid_graph()[-1], max_nodes=5)
    assert str(stepped.value) == str(drawn.value)
    viz.stepper(chain, max_nodes=301).save(tmp_path / "chain.html")   # the limit is the limit


def csp_directives(driver) -> dict[str, list[str]]:
    metas = driver.execute_script(
        "return [...document.querySelectorAll('meta[http-equiv]')]"
        ".filter(m => m.httpEquiv.toLowerCase() === 'content-security-policy')"
        ".map(m => m.content)")
    assert len(metas) == 1, f"expected one Content-Security-Policy meta, found {metas}"
    directives = {}
    for part in metas[0].split(";"):
        if part.strip():
            name, *sources = part.split()
            directives[name.lower()] = [source.lower() for source in sources]
    return directives


SAFE_SOURCES = re.compile(r"^('none'|'unsafe-inline'|'sha(256|384|512)-[a-z0-9+/=]+'|"
                          r"'nonce-[a-z0-9+/=]+'|data:|blob:)$")


def performance_requests(driver) -> list[str]:
    """The URLs of every request the page sent since the performance log was last read."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_no_console_errors_no_network_and_a_csp_that_forbids_it(open_page):
    from selenium.webdriver.common.keys import Keys

    for root, options in ((sigmoid_graph()[-1], {}), (batch_graph(), {"lang": "ja"}),
                          (relu_tanh_graph(0.5), {"quiz": True})):
        driver = open_page(root, **options)
        driver.find_element("id", "zg-first").click()
        press(driver, Keys.ARROW_RIGHT, Keys.END, Keys.ARROW_LEFT)
        driver.execute_script("zerograd.setLeaf(0, 0.125)")
        driver.find_element("id", "zg-node-0").click()
        driver.find_element("id", "zg-play").click()
        requests = performance_requests(driver)
        page = driver.current_url.split("#")[0]
        assert [url for url in requests if url.split("#")[0] != page
                and not url.startswith(("data:", "blob:"))] == []
        assert [entry["message"] for entry in driver.get_log("browser")
                if entry["level"] == "SEVERE"] == []
        directives = csp_directives(driver)
        assert directives.get("default-src") == ["'none'"], directives
        for name, sources in directives.items():
            assert all(SAFE_SOURCES.match(source) for source in sources), (name, sources)


# ---------------------------------------------------------------------- Jupyter's iframe, CLI

def test_repr_html_is_an_iframe_whose_page_works(browser, tmp_path):
    """What Jupyter shows: an iframe whose srcdoc is the whole page, working inside a host."""
    import html

    from selenium.webdriver.support.ui import WebDriverWait

    root = sigmoid_graph()[-1]
    markup = viz.stepper(root)._repr_html_()
    assert markup.lstrip().startswith("<iframe") and "srcdoc=" in markup
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', markup).group(1))
    assert 'id="zg-model"' in srcdoc and "Content-Security-Policy" in srcdoc
    host = tmp_path / "notebook.html"
    host.write_text(f"<!doctype html><html><body>{markup}</body></html>", encoding="utf-8")
    browser.get_log("browser")
    browser.get(host.as_uri())
    try:
        browser.switch_to.frame(browser.find_element("tag name", "iframe"))
        WebDriverWait(browser, 10).until(lambda d: d.execute_script(
            "return !!window.zerograd && !!document.getElementById('zg-node-0')"))
        assert final_mismatches(browser, root) == []
        browser.find_element("id", "zg-first").click()
        assert read_page(browser)["step"] == 0
    finally:
        browser.switch_to.default_content()
    assert [entry["message"] for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE"] == []


def test_the_command_line_writes_a_page(open_page, tmp_path):
    import subprocess
    import sys

    from viz.formula import build

    path = tmp_path / "sigmoid.html"
    done = subprocess.run([sys.executable, "-m", "viz", "1/(1+exp(-x))", "--at", "x=0.5",
                           "--html", str(path), "--quiz", "--lang", "ja"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    model = page_model(path)
    assert (model["lang"], model["quiz"]) == ("ja", True)
    root, _ = build("1/(1+exp(-x))", {"x": 0.5})
    root.backward()
    assert contract_fields(model["nodes"]) == model_of(root, "ja", True)["nodes"]
    driver = open_page.file(path)
    driver.find_element("id", "zg-quiz-toggle").click()            # quiz off: every number
    driver.find_element("id", "zg-last").click()
    assert final_mismatches(driver, root) == []
