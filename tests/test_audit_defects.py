"""The held-out audit's defects in the pictures, the page's file and the command line (issue 18,
D5–D7, D10, D11, D13): each reproduction, fixed. Names are shown exactly as written, files are
never left half written, and the terminal gets what it can print."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

import nn
import viz
from autograd import Value

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="needs Graphviz's dot (make test installs it as root)")


def svg_texts(path) -> list[str]:
    tree = ElementTree.parse(path)
    return ["".join(e.itertext()) for e in tree.iter("{http://www.w3.org/2000/svg}text")]


# ---------------------------------------------------------------------- D6, D7: dot's escapes

TRICKY = "a\\N\\G\\\\b\\l\\E\\n"          # what dot would read as its escapes


@needs_dot
def test_a_value_name_with_dots_escapes_is_drawn_as_written(tmp_path):
    x = Value(0.5, name=TRICKY)
    y = (x * 2).sigmoid()
    y.backward()
    for lang in ("en", "ja"):
        texts = svg_texts(viz.render(y, tmp_path / f"{lang}.svg", lang=lang))
        assert TRICKY in texts


@needs_dot
@pytest.mark.parametrize("name", ["layer\\", "L\\N\\G\\l\\E\\n", "\\"])
def test_a_layer_name_with_backslashes_is_drawn_as_written_in_the_layer_view(tmp_path, name):
    model = nn.Layer(2, 2, seed=0, name=name)
    out = sum(model([0.5, -1.0]))
    out.backward()
    texts = svg_texts(viz.render(out, tmp_path / "layer.svg", collapse=True))
    assert any(text.endswith(name) for text in texts), texts


@needs_dot
def test_an_unprintable_character_is_drawn_as_its_escape_not_as_a_line_break(tmp_path):
    x = Value(1.0, name="a\nb")
    texts = svg_texts(viz.render(x * 2, tmp_path / "g.svg"))
    assert "a\\nb" in texts


# ---------------------------------------------------------------------- D10: terminal columns

wcwidth = pytest.importorskip("wcwidth", reason="the test extra (IPython) installs wcwidth")
WORDS = ["สวัสดี", "नमस्ते", "किताब", "ភាសាខ្មែរ", "한", "한국어", "重み", "ｘ", "café", "e\u0301",
         "ไม้", "ញ៉ាំ"]
SCRIPTS = [(0x0E00, 0x0E7F), (0x0900, 0x097F), (0x1780, 0x17FF), (0x1100, 0x11FF),
           (0x0300, 0x036F), (0x3040, 0x30FF), (0xFF00, 0xFFEF), (0x0020, 0x007E)]


@pytest.mark.parametrize("word", WORDS)
def test_display_width_counts_columns_as_the_terminal_does(word):
    from viz.formula import display_width
    assert display_width(word) == wcwidth.wcswidth(word)


def test_display_width_agrees_with_wcwidth_character_by_character():
    import unicodedata
    from viz.formula import display_width
    for first, last in SCRIPTS:
        for code in range(first, last + 1):
            char = chr(code)
            after_a_letter = wcwidth.wcswidth("a" + char) - 1     # (a mark needs a base)
            if unicodedata.category(char) not in ("Cn", "Cc") and after_a_letter >= 0:
                assert display_width(char) == after_a_letter, (hex(code), char)


def cli(capsys, *argv) -> tuple[int, str, str]:
    from viz.cli import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", ["สวัสดี", "नमस्ते", "ភាសា", "한"])
def test_the_table_and_the_caret_line_up_for_every_script(capsys, tmp_path, name):
    code, out, _ = cli(capsys, f"{name}*x", "--at", f"{name}=3,x=2", "-o",
                       str(tmp_path / "g.svg"))
    table = out.splitlines()[1:4]
    assert code == 0 and len({wcwidth.wcswidth(line) for line in table}) == 1, table
    code, _, err = cli(capsys, f"{name} * (x", "--at", f"{name}=3,x=2", "-o",
                       str(tmp_path / "g.svg"))
    formula, caret = err.splitlines()[-2:]
    assert code == 2 and caret.endswith("^")
    column = wcwidth.wcswidth(caret) - 1
    assert wcwidth.wcswidth(formula[:formula.index("(")]) == column, (formula, caret)


# ---------------------------------------------------------------------- D11: a narrow terminal

@needs_dot
@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_terminal_that_cannot_show_japanese_gets_the_table_escaped(tmp_path, encoding, lang):
    import os
    import subprocess
    import sys
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    run = subprocess.run([sys.executable, "-m", "viz", "りんご*2", "--at", "りんご=3", "--lang",
                          lang, "-o", str(tmp_path / "g.svg")], capture_output=True, env=env,
                         cwd=Path(__file__).resolve().parents[1])
    out = run.stdout.decode(encoding)
    assert run.returncode == 0, run.stderr
    assert "\\u308a\\u3093\\u3054*2 = 6" in out and (tmp_path / "g.svg").exists()
    assert len(out.splitlines()) == 4           # the formula, the table (2 lines), "wrote ..."
    helped = subprocess.run([sys.executable, "-m", "viz", "--help", "--lang", lang],
                            capture_output=True, env=env, cwd=Path(__file__).resolve().parents[1])
    assert helped.returncode == 0 and b"--timeout" in helped.stdout


# ---------------------------------------------------------------------- D13: threads

def in_threads(work, n_threads: int = 6) -> list:
    """Run work() in n threads at once, switching between them very often; its results."""
    import sys
    import threading
    results, errors = [], []

    def run() -> None:
        try:
            results.append(work())
        except Exception as error:                      # noqa: BLE001 (reported below)
            errors.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=run) for _ in range(n_threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors
    return results


def long_graph(n: int = 400) -> Value:
    x = Value(0.5, name="x")
    y = x
    for k in range(n):
        y = (y * x + 0.1).tanh() if k % 2 else y + x * 0.5
    y.backward()
    return y


def test_one_graph_listed_from_several_threads_at_once_is_listed_right_every_time():
    from autograd import topological_order
    y = long_graph()
    expected = [id(node) for node in topological_order(y)]
    for order in in_threads(lambda: [[id(n) for n in topological_order(y)] for _ in range(10)]):
        assert all(listed == expected for listed in order)


def test_one_graph_drawn_from_several_threads_at_once_is_drawn_right_every_time():
    y = long_graph(150)
    expected = viz.draw_graph(y).source
    assert all(source == expected for source in in_threads(lambda: viz.draw_graph(y).source))


# ---------------------------------------------------------------------- the page's defects
# D1-D5, D8, D9, D12 and the page's Content-Security-Policy. The browser tests need Chromium
# (conftest.py's `open_page`); the others run anywhere.

def page_numbers(driver, field: str = "values") -> list:
    """zerograd.ev[field] of the page: numbers (inf, nan and -0.0 kept) or lists of them."""
    import json
    import math
    text = driver.execute_script(
        "return JSON.stringify(zerograd.ev[arguments[0]], (k, x) => typeof x !== 'number' ? x"
        " : (x !== x ? 'nan' : (Object.is(x, -0) ? '-0' : (Math.abs(x) === Infinity ?"
        " String(x) : x))))", field)

    def number(x):
        return [number(y) for y in x] if isinstance(x, list) else (
            float({"nan": math.nan, "-0": -0.0, "Infinity": math.inf,
                   "-Infinity": -math.inf}.get(x, x)))
    return [number(x) for x in json.loads(text)]


def bits(x: float) -> str:
    import struct
    return struct.pack("<d", x).hex()


# ---------------------------------------------------------------------- D1: sums of -0.0

def test_a_sum_of_negative_zeros_is_the_add_records_number():
    import math
    import autograd
    from autograd.rules import PRIMITIVES
    total = autograd.sum([Value(-0.0), Value(-0.0)])
    assert bits(total.data) == bits(PRIMITIVES["add"].forward(-0.0, -0.0))
    assert bits(total.data) == bits((Value(-0.0) + Value(-0.0)).data)
    assert (1 / total).data == -math.inf
    assert bits(autograd.sum([Value(-0.0), Value(-0.0), Value(-0.0)]).data) == bits(0.0)


@pytest.mark.parametrize("terms", [2, 3])
def test_the_page_divides_by_a_sum_of_negative_zeros_as_python_does(open_page, terms):
    import autograd
    xs = [Value(-0.0, name=f"x{k}") for k in range(terms)]
    out = 1 / autograd.sum(xs)
    out.backward()
    driver = open_page(out)
    python = [node.data for node in autograd.topological_order(out)]
    assert [bits(x) for x in page_numbers(driver)] == [bits(x) for x in python]


# ---------------------------------------------------------------------- D5: a lone surrogate

def test_a_lone_surrogate_in_a_name_is_saved_escaped_and_never_empties_the_file(tmp_path):
    x = Value(0.5, name="a\ud800b")
    y = (x * 2).exp()
    y.backward()
    target = tmp_path / "page.html"
    target.write_text("the old page", encoding="utf-8")
    page = viz.stepper(y).save(target)
    text = page.read_text(encoding="utf-8")
    assert "a\\ud800b" in text and [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_a_failed_save_leaves_the_old_file_whole(tmp_path):
    stepper = viz.stepper(Value(0.5, name="x") * 2)
    target = tmp_path / "page.html"
    target.write_text("the old page", encoding="utf-8")
    stepper.html = "broken \udc80 page"             # cannot be written as UTF-8
    with pytest.raises(UnicodeEncodeError):
        stepper.save(target)
    assert target.read_text(encoding="utf-8") == "the old page"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


# ---------------------------------------------------------------------- D12: inf × 0, quietly

def quiet_inf_times_zero_graph():
    """A composite whose inside meets inf × 0 in one sample of a batch (√x at 0, times 0)."""
    import numpy as np
    from autograd.groups import mark
    with np.errstate(all="ignore"):
        x = Value(np.array([0.0, 1.0]), name="x")
        out = (x ** 0.5) * 0.0
        mark("tanh", out, [x])
        y = out.sum()
        y.backward()
    return y


@needs_dot
def test_the_layer_view_stays_quiet_where_a_batch_meets_inf_times_zero():
    import warnings
    y = quiet_inf_times_zero_graph()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        viz.draw_graph(y, collapse=True)
        viz.stepper(y, collapse=True)


# ---------------------------------------------------------------------- CSP: its own scripts only

def test_the_page_runs_its_own_scripts_and_no_injected_one(open_page, tmp_path):
    from conftest import console_errors
    x = Value(0.5, name="x")
    y = x.sigmoid()
    y.backward()
    page = viz.stepper(y).html
    injected = page.replace("</body>", "<script>window.injected = 1;</script>\n</body>")
    (tmp_path / "injected.html").write_text(injected, encoding="utf-8")
    driver = open_page.file(tmp_path / "injected.html")
    assert driver.execute_script("return typeof window.injected") == "undefined"
    assert driver.execute_script("return typeof zerograd.goTo") == "function"
    refused = console_errors(driver)                # the refusal, read out of the console
    assert refused and all("Content Security Policy" in line for line in refused), refused
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "unsafe-inline" not in policy.split("style-src")[0], policy


# ---------------------------------------------------------------------- item 4: one name per node

def lecture_mlp_loss():
    """A 2-3-1 network on two samples from nn.as_inputs, with its mse loss, after backward."""
    import numpy as np
    m = nn.MLP(2, [3, 1], seed=0)
    out = m(nn.as_inputs(np.array([[0.5, 1.0], [1.0, 2.0]])))
    out = out[0] if isinstance(out, list) else out
    loss = nn.mse_loss([out], np.array([[0.0], [1.0]]))
    loss.backward()
    return loss


def minus_x_graph():
    x = Value(0.5, name="x")
    minus_one = Value(-1.0, name="-1")
    z = (minus_one * x).exp() + minus_one ** 2
    z.backward()
    return z


def test_each_node_is_called_by_its_name_its_module_or_what_made_it():
    from autograd import topological_order
    from viz.scene import node_labels
    z = minus_x_graph()
    assert node_labels(topological_order(z)) == ["-1", "x", "-1·x", "exp(-1·x)", "(-1)^2",
                                                 "exp(-1·x)+(-1)^2"]
    labels = node_labels(topological_order(lecture_mlp_loss()))
    assert {"x0", "x1", "L1.N0", "L1.N2", "L2.N0", "L1.N0.w1"} <= set(labels)
    assert labels[-1] == "loss" and len(set(labels)) == len(labels)
    y = Value(0.5, name="x").sigmoid()
    assert node_labels(topological_order(y))[-1] == "sigmoid(x)"


def test_a_node_without_a_short_description_is_numbered_the_same_in_both_views(tmp_path):
    from autograd import topological_order
    from viz.scene import node_labels
    x = Value(0.5, name="x")
    long = (((x * 2.5 + 1.25) * x).exp() + x).sigmoid() * 3
    long.backward()
    order = topological_order(long)
    labels = node_labels(order)
    numbered = [(i, label) for i, label in enumerate(labels) if label.startswith("#")]
    assert numbered and all(label == f"#{i}" for i, label in numbered)
    page = viz.stepper(long, collapse=True)
    views = [json_script(page.html, "zg-model"), json_script(page.html, "zg-layer-model")]
    assert [n["label"] for n in views[0]["nodes"]] == labels
    assert all(n["label"] == labels[n["source"]] for n in views[1]["nodes"])


def json_script(page: str, name: str) -> dict:
    import json
    return json.loads(re.search(f'<script type="application/json" id="{name}">(.*?)</script>',
                                page, re.S).group(1))


@needs_dot
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_drawings_and_frames_call_each_node_by_the_same_name(tmp_path, lang):
    from autograd import topological_order
    from viz.frames import backward_scenes, forward_scenes
    from viz.scene import node_labels, read_graph
    z = minus_x_graph()
    labels = node_labels(topological_order(z))
    texts = svg_texts(viz.render(z, tmp_path / f"{lang}.svg", lang=lang))
    assert all(label in texts for label in labels), (labels, texts)
    graph = read_graph(z, 100)
    titles = " ".join(s.title for s in forward_scenes(graph, lang) + backward_scenes(graph, lang))
    assert "値 " not in titles and "value " not in titles and "#" not in titles
    for label in ("exp(-1·x)", "(-1)^2", "-1·x", "x"):
        assert (f"'{label}'" if lang == "en" else f"「{label}」") in titles
    loss = lecture_mlp_loss()
    layer = svg_texts(viz.render(loss, tmp_path / f"layer-{lang}.svg", lang=lang,
                                 collapse=True))
    assert {"x0", "x1", "loss"} <= set(layer) and not any(t.startswith("#") for t in layer)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_page_calls_each_node_by_the_same_name_as_the_picture(open_page, lang):
    from autograd import topological_order
    from viz.scene import node_labels
    loss = lecture_mlp_loss()
    labels = node_labels(topological_order(loss))
    driver = open_page(loss, lang=lang, collapse=True, quiz=True)
    for view in ("layer", "primitive"):
        driver.execute_script("zerograd.useView(arguments[0]); zerograd.render()", view)
        names = driver.execute_script(
            "return zerograd.model.nodes.map((n, i) => { const g = document.getElementById("
            "'zg-node-' + i); const t = g && g.querySelector('text.zg-name');"
            " return [n.source ?? i, t ? t.textContent : null]; })")
        for source, text in names:
            assert text in (labels[source], labels[source].split(".")[-1], None), (source, text)
        asked = driver.execute_script("return zerograd.state.asked")
        question = driver.find_element("id", "zg-question").text
        source = driver.execute_script("return zerograd.model.nodes[arguments[0]].source ?? "
                                       "arguments[0]", asked)
        assert labels[source] in question
    driver.execute_script("zerograd.useView('layer'); zerograd.setQuiz(false)")
    sentences = driver.execute_script(
        "const out = []; for (let k = 0; k < zerograd.steps.length; k++) { zerograd.goTo(k);"
        " out.push(document.getElementById('zg-title').textContent); } return out")
    assert not any("#" in s for s in sentences)
    assert any("grad(L1.N0)" in s or "L1.N0" in s for s in sentences)


# ---------------------------------------------------------------------- D2: a batch of one sample

def test_editing_a_batch_of_one_sample_while_another_sample_is_shown(open_page):
    import numpy as np
    from selenium.webdriver.support.ui import Select
    x = Value(np.array([0.5]), name="x")                 # one sample: stands for all three
    w = Value(np.array([1.0, 2.0, 3.0]), name="w")
    y = (x * w).exp().sum()
    y.backward()
    driver = open_page(y)
    Select(driver.find_element("id", "zg-sample")).select_by_index(2)
    type_into(driver, "zg-input-0", "1.5")
    expected = Value(np.array([1.5]), name="x") * w
    values = page_numbers(driver)
    assert values[0] == [1.5] and values[2] == list(expected.data)
    assert values[-1] == (expected.exp().sum()).data


def type_into(driver, element_id: str, text: str) -> None:
    from selenium.webdriver.common.keys import Keys
    field = driver.find_element("id", element_id)
    field.clear()
    field.send_keys(text, Keys.ENTER)


# ---------------------------------------------------------------------- D8, D9: names on the page

def page_texts(driver) -> str:
    """Every text the page shows: its body and its picture (SVG texts included)."""
    return driver.execute_script("return document.body.innerText + ' ' + [...document"
                                 ".querySelectorAll('svg text')].map(t => t.textContent).join(' ')")


def test_control_and_bidi_characters_are_shown_escaped_on_the_page(open_page):
    import unicodedata
    x = Value(0.5, name="0.5\u202e x\x1b[31m")
    y = (x * 2).exp()
    y.backward()
    driver = open_page(y, quiz=True)
    driver.find_element("id", "zg-node-0").click()
    shown = page_texts(driver)
    assert not [c for c in shown if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t"]
    assert "0.5\\u202e x\\x1b[31m" in shown
    driver.execute_script("zerograd.setQuiz(false); zerograd.goTo(zerograd.steps.length - 1)")
    assert "0.5\\u202e x\\x1b[31m" in driver.find_element("id", "zg-title").text


def test_long_names_are_cut_at_code_points_as_python_cuts_them(open_page):
    name = "𝑥" * 45                                    # outside the BMP: surrogate pairs in JS
    x = Value(0.5, name=name)
    y = x * 3
    y.backward()
    driver = open_page(y)
    driver.find_element("id", "zg-node-0").click()
    shown = page_texts(driver)
    assert "\ufffd" not in shown and name[:39] + "…" in shown
    assert driver.execute_script("return /[\\ud800-\\udfff](?![\\udc00-\\udfff])/.test("
                                 "zerograd.model.nodes[0].label.replace(/[\\ud800-\\udbff]"
                                 "[\\udc00-\\udfff]/g, ''))") is False


# ---------------------------------------------------------------------- item 5: for learners

def sigmoid_graph(x: float = 0.5):
    """z = (-1)² / ((-1)² + exp(-1·x)), the README's graph, after backward."""
    x = Value(x, name="x")
    minus_one = Value(-1.0, name="-1")
    one = minus_one ** 2
    z = one / (one + (minus_one * x).exp())
    z.backward()
    return z


def quiz_answer(driver, text: str) -> str:
    field = driver.find_element("id", "zg-answer")
    field.clear()
    field.send_keys(text)
    driver.find_element("id", "zg-check").click()
    return driver.find_element("id", "zg-feedback").text


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_quiz_takes_full_width_answers_and_says_what_it_checks(open_page, lang):
    driver = open_page(sigmoid_graph(), lang=lang, quiz=True)
    rule = driver.find_element("id", "zg-quiz-rule").text
    assert "4" in rule and rule == viz.labels.PAGE_TEXT[lang]["quiz rule"]
    asked = lambda: driver.execute_script("return zerograd.state.asked")  # noqa: E731
    truth = lambda: driver.execute_script(                                # noqa: E731
        "return zerograd.ev.grads[zerograd.state.asked]")
    first = asked()
    wrong = quiz_answer(driver, "９９")
    assert asked() == first and "?" not in wrong
    full_width = viz.labels.number(truth(), 4).translate(
        str.maketrans("0123456789.-", "０１２３４５６７８９．－"))
    quiz_answer(driver, full_width)                    # "０．６２２５": right
    assert asked() != first
    second, value = asked(), truth()
    quiz_answer(driver, f" {value * (1 + 4e-5):.7f} ")     # rounds to the same 4 digits
    assert asked() != second
    score = driver.find_element("id", "zg-score").text
    assert score.endswith("2 / 3")


def test_a_leaf_field_takes_full_width_digits_signs_and_spaces(open_page):
    driver = open_page(sigmoid_graph())
    type_into(driver, "zg-input-2", "－０．３８７５")       # x (node 2): full-width
    assert page_numbers(driver)[2] == -0.3875
    type_into(driver, "zg-input-2", " 1 . 5 ")
    assert page_numbers(driver)[2] == 1.5


def all_explanations(driver) -> list[str]:
    """The sentence of every step and the explanation of every node, at every step's end."""
    return driver.execute_script(
        "const out = []; for (let k = 0; k < zerograd.steps.length; k++) { zerograd.goTo(k);"
        " out.push(document.getElementById('zg-title').textContent); }"
        " zerograd.model.nodes.forEach((n, i) => { document.getElementById('zg-node-' + i)"
        ".dispatchEvent(new MouseEvent('click', {bubbles: true}));"
        " out.push(document.getElementById('zg-explain').innerText); }); return out")


def repeats(text: str) -> list[str]:
    """Neighbouring parts of an "a = b = c" chain that say the same (parentheses aside)."""
    found = []
    for line in text.splitlines():
        parts = [p.strip().strip("()").replace("−", "-") for p in line.split(" = ")]
        found += [line for a, b in zip(parts, parts[1:]) if a == b]
    return found


@pytest.mark.parametrize("x", [0.5, -1000.0])
def test_explanations_never_repeat_and_a_nan_says_where_it_comes_from(open_page, x):
    driver = open_page(sigmoid_graph(x))
    texts = all_explanations(driver)
    assert [r for text in texts for r in repeats(text)] == []
    nan = [text for text in texts if "nan" in text]
    if x == -1000.0:
        assert nan and all("comes from" in text for text in nan[:1])
        assert any("inf × 0 = nan at exp(-1·x)" in t or "0 × inf = nan at exp(-1·x)" in t
                   for t in nan), nan
    else:
        assert nan == []


def test_play_has_a_speed_control(open_page):
    from selenium.webdriver.support.ui import Select
    driver = open_page(sigmoid_graph())
    driver.execute_script("window.delays = []; const set = window.setInterval; window"
                          ".setInterval = (f, ms) => { delays.push(ms); return set(f, ms); }")
    for speed, delay in (("4", 225), ("0.5", 1800)):
        Select(driver.find_element("id", "zg-speed")).select_by_value(speed)
        driver.find_element("id", "zg-play").click()
        driver.find_element("id", "zg-play").click()         # pause
        assert driver.execute_script("return delays.at(-1)") == delay


# ---------------------------------------------------------------------- D3, D4: composites on edit

def close_to(page: float, python: float) -> bool:
    import math
    return page == python or math.isclose(page, python, rel_tol=1e-12, abs_tol=0.0)


@pytest.mark.parametrize("kind, start, edits", [
    ("tanh", 0.2, [0.0, -0.0, 1e-9, -0.1, 0.3, 5.0, -30.0]),      # D3: c is recomputed
    ("sigmoid", 2.0, [-40.0, -700.0, 0.0, 1e-9, 3.0, 40.0]),        # D4: no cancellation
    ("sigmoid", -3.0, [40.0, 2.0, -0.0]),
])
def test_an_edited_sigmoid_or_tanh_is_what_python_computes(open_page, kind, start, edits):
    import math
    x = Value(start, name="x")
    y = getattr(x, kind)() * 2
    y.backward()
    driver = open_page(y, collapse=True)
    for edit in edits:
        driver.execute_script("zerograd.setLeaf(0, arguments[0])", edit)
        python = getattr(Value(edit, name="x"), kind)()
        python_y = python * 2
        python_y.backward()
        layer = page_numbers(driver)
        assert close_to(layer[1], python.data), (kind, edit, layer[1], python.data)
        assert close_to(layer[-1], python_y.data)
        grads = page_numbers(driver, "grads")            # the layer view's: x is node 0
        slope = python.data * (1 - python.data) if kind == "sigmoid" else 1 - python.data ** 2
        assert math.isclose(grads[0], 2 * slope, rel_tol=1e-12, abs_tol=0.0), (edit, grads[0])
    driver.execute_script("zerograd.useView('primitive'); zerograd.render();"
                          "zerograd.goTo(zerograd.model.nodes.length - 2)")   # its output
    said = driver.find_element("id", "zg-title").text
    assert said == f"{kind}({viz.labels.number(edits[-1], 4)}) = {viz.labels.number(python.data, 4)}"
    assert not [c for c in console_lines(driver)]


def console_lines(driver) -> list[str]:
    from conftest import console_errors
    return console_errors(driver)
