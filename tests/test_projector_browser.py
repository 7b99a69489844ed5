"""The lecture's network on a projector, in Chromium: `viz.stepper(loss, collapse=True)` for
`MLP(2, [16, 16, 1])` and `[2, 16, 16, 16, 1]` on one sample.

At 1920×1080 and 1024×768 the page fits the window's width; at 1920 wide the whole picture is
on screen with no text under 12 px and only a few arrow labels. A bundle (a weight matrix drawn
as one box) opens on click; a weight followed to the output shows the chain rule along its path,
checked against a numpy forward and backward pass (`test_projector.numpy_gradients`); the heat
map follows an input edit and the steps; the text size control; Jupyter's frame takes the
page's height. Needs Chromium and ChromeDriver (see conftest.py); without them, skipped.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import viz
from test_projector import colour, lecture_loss, numpy_gradients
from viz.labels import number

SCREENS = [(1920, 1080), (1024, 768)]

MEASURE = """
const svg = document.querySelector('#zg-graph svg'), panel = document.getElementById('zg-graph');
const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim());
return JSON.stringify({
  smallest: Math.min(...texts.map((t) => Number(t.getAttribute('font-size')) * scale)),
  pageWidth: document.documentElement.scrollWidth, window: [innerWidth, innerHeight],
  panel: [panel.scrollWidth, panel.clientWidth],
  bottom: svg.getBoundingClientRect().bottom,
  partials: [...svg.querySelectorAll('text.zg-partial')].map((t) => t.textContent.trim()),
  view: zerograd.view, toggleDisabled: document.getElementById('zg-view').disabled});
"""


@pytest.fixture
def screen(browser):
    """screen(width, height): the browser's viewport set to exactly that size (reset after)."""
    def set_size(width: int, height: int):
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    yield set_size
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def measure(driver) -> dict:
    return json.loads(driver.execute_script(MEASURE))


def click(driver, element_id: str) -> None:
    """A click on an SVG group (selenium cannot always click SVG elements directly)."""
    driver.execute_script("document.getElementById(arguments[0]).dispatchEvent("
                          "new MouseEvent('click', {bubbles: true}))", element_id)


def explanation(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('#zg-explain p')].map((p) => p.textContent)")


@pytest.mark.parametrize("sizes", [(16, 16, 1), (16, 16, 16, 1)])
@pytest.mark.parametrize("width, height", SCREENS)
def test_the_lecture_page_fits_the_screen(open_page, screen, sizes, width, height):
    screen(width, height)
    driver = open_page(lecture_loss(sizes)[2], collapse=True)
    shown = measure(driver)
    assert shown["window"] == [width, height]
    assert shown["view"] == "layer" and shown["toggleDisabled"]   # no picture of 400+ ops
    assert shown["pageWidth"] <= width                             # no sideways scrolling
    assert shown["smallest"] >= 12 - 1e-3                          # never shrunk below 12 px
    assert len(shown["partials"]) <= 36 and shown["partials"].count("∂ 0") <= 2
    if width == 1920:                  # the whole picture on screen, under the controls
        assert shown["panel"][0] <= shown["panel"][1] + 1 and shown["bottom"] <= height


def follow_weight(driver, bundle: int, row: int, column: int) -> list[str]:
    click(driver, f"zg-bundle-{bundle}")
    lines = explanation(driver)
    assert lines[0].startswith(driver.execute_script(
        "return zerograd.model.bundles[arguments[0]].title", bundle))
    driver.find_element("id", f"zg-cell-{row}-{column}").click()
    return explanation(driver)


def test_opening_a_bundle_and_following_a_weight_of_the_last_hidden_layer(open_page):
    model, _, loss = lecture_loss()
    driver = open_page(loss, collapse=True)
    grads = numpy_gradients(model)
    row, column = np.unravel_index(np.abs(grads[1]).argmax(), grads[1].shape)
    lines = follow_weight(driver, 1, row, column)
    # numpy: the layer-1 activations and W3, for the factors of the path
    hidden = np.maximum(np.array([[w.data for w in n.w] for n in model.layers[0].neurons])
                        @ np.array([0.5, -1.0]), 0.0)
    w3 = model.layers[2].neurons[0].w[row].data
    text = "\n".join(lines)
    assert f"∂(L2.N{row})/∂w[{row},{column}] = {number(hidden[column], 4)}" in text
    assert f"∂(L3.N0)/∂(L2.N{row}) = {number(w3, 4)}" in text
    assert f"this product is grad(w[{row},{column}]) = {number(grads[1][row, column], 4)}" in text
    on_path = driver.execute_script("return [...zerograd.state.highlight].map("
                                    "(i) => zerograd.model.nodes[i].name)")
    assert on_path == [f"L2.N{row}", "L3.N0", None, None]     # then out - 1, then its square
    marked = driver.execute_script(
        "return document.querySelectorAll('#zg-graph g.node.zg-member').length")
    assert marked == 1 + 1 + 2 + 2            # the two neurons; each op: its value and its op
    driver.find_element("id", "zg-back-bundle").click()
    assert explanation(driver)[0].startswith("W2 16×16")


def test_the_picture_still_fits_when_a_long_explanation_brings_a_page_scrollbar(open_page,
                                                                                 screen):
    screen(1920, 1080)
    model, _, loss = lecture_loss()
    driver = open_page(loss, collapse=True)
    grads = numpy_gradients(model)
    follow_weight(driver, 1, *np.unravel_index(np.abs(grads[1]).argmax(), grads[1].shape))
    page = driver.execute_script("return [document.documentElement.scrollHeight, innerHeight]")
    assert page[0] > page[1]                       # the page scrolls: a scrollbar took width
    driver.execute_script("return new Promise((done) => requestAnimationFrame(done))")
    shown = measure(driver)
    assert shown["panel"][0] <= shown["panel"][1] + 1       # no sideways scrolling in the panel


def test_a_first_layer_weight_reaches_the_output_by_sixteen_paths(open_page):
    model, _, loss = lecture_loss()
    driver = open_page(loss, collapse=True)
    grads = numpy_gradients(model)
    row, column = np.unravel_index(np.abs(grads[0]).argmax(), grads[0].shape)
    text = "\n".join(follow_weight(driver, 0, row, column))
    alive = sum(1 for n in model.layers[1].neurons)          # every L2 neuron reads L1.N{row}
    assert f"L1.N{row} is used {alive} times" in text
    assert (f"all {alive} paths added up: grad(w[{row},{column}]) = "
            f"{number(grads[0][row, column], 4)}") in text


def cell_colours(driver, bundle: int) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('#zg-bundle-' + arguments[0] + ' .zg-cell')]"
        ".map((c) => c.getAttribute('fill'))", bundle)


def test_the_heat_map_follows_an_input_edit_and_the_steps(open_page):
    model, _, loss = lecture_loss()
    driver = open_page(loss, collapse=True)
    expected = numpy_gradients(model)[1]
    largest = np.abs(expected).max()
    assert cell_colours(driver, 1) == [colour(x, largest) for x in expected.ravel()]
    x0 = driver.execute_script("return zerograd.model.nodes.findIndex((n) => n.name === 'x0')")
    driver.execute_script("zerograd.setLeaf(arguments[0], 0.9)", x0)
    edited = numpy_gradients(model, (0.9, -1.0))[1]
    assert cell_colours(driver, 1) == [colour(x, np.abs(edited).max()) for x in edited.ravel()]
    driver.execute_script("zerograd.goTo(0)")                  # forward: no gradient yet
    assert set(cell_colours(driver, 1)) == {"#ffffff"}
    assert driver.find_element("css selector", "#zg-bundle-1 .zg-bundle-scale").text == \
        "|grad| ≤ ?"


def test_the_text_size_control_and_fit(open_page, screen):
    screen(1024, 768)
    driver = open_page(lecture_loss()[2], collapse=True)
    width = lambda: driver.execute_script(                               # noqa: E731
        "return document.querySelector('#zg-graph svg').getBoundingClientRect().width")
    fitted = width()
    driver.find_element("id", "zg-larger").click()
    assert width() == pytest.approx(fitted * 1.1, rel=1e-3)
    assert driver.find_element("id", "zg-size").text == "text 110%"
    assert driver.execute_script("return getComputedStyle(document.body).fontSize") == "15.4px"
    driver.find_element("id", "zg-fit").click()                           # natural size
    natural = driver.execute_script(
        "return document.querySelector('#zg-graph svg').viewBox.baseVal.width * 4 / 3")
    assert width() == pytest.approx(natural * 1.1, rel=1e-3)
    assert measure(driver)["pageWidth"] <= 1024                           # the panel scrolls


def test_jupyters_frame_takes_the_height_of_the_page(browser, tmp_path):
    page = viz.stepper(lecture_loss()[2], collapse=True)
    host = tmp_path / "notebook.html"
    host.write_text(f"<!DOCTYPE html><html><body>{page._repr_html_()}</body></html>",
                    encoding="utf-8")
    browser.get(host.as_uri())
    frame = browser.find_element("tag name", "iframe")
    initial = f"{page.height}px"
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(browser, 10).until(lambda d: frame.value_of_css_property("height") != initial)
    browser.switch_to.frame(frame)
    inner = browser.execute_script("return document.body.getBoundingClientRect().height")
    browser.switch_to.default_content()
    outer = float(frame.value_of_css_property("height").removesuffix("px"))
    assert abs(outer - (inner + 4)) <= 1 and outer != page.height
    assert 'id="zg-frame-' in page._repr_html_() and "zerogradHeight" in page._repr_html_()


def test_following_a_weight_in_japanese(open_page):
    model, _, loss = lecture_loss()
    driver = open_page(loss, collapse=True, lang="ja")
    text = "\n".join(follow_weight(driver, 1, 2, 4))
    assert "から (L3.N0−1)^2 まで" in text and "∂((L3.N0−1)^2)/∂w = " in text   # the loss's name
    assert "経路" in text and re.search(r"∂\(L2\.N2\)/∂w\[2,4\]", text)


def test_a_bounded_batch_is_recomputed_in_the_page_as_in_python(open_page):
    from test_projector import batch_loss
    driver = open_page(batch_loss()[3], collapse=True)
    page, python = driver.execute_script(
        "const p = zerograd.views.primitive;"
        "return [zerograd.evaluate(p).values.at(-1), p.nodes.at(-1).value]")
    assert page == pytest.approx(python, rel=1e-12)
    note = driver.find_element("id", "zg-samples-note").text
    assert "first 32 of the 10000 samples" in note
    assert measure(driver)["pageWidth"] <= driver.execute_script("return innerWidth")


def test_a_neuron_opens_on_click_with_its_weights_and_their_gradients(open_page):
    model, _, loss = lecture_loss()
    driver = open_page(loss, collapse=True)
    neuron = model.layers[2].neurons[0]                       # the output neuron L3.N0
    index = driver.execute_script(
        "return zerograd.model.nodes.findIndex((n) => n.name === 'L3.N0')")
    click(driver, f"zg-node-{index}")
    text = "\n".join(explanation(driver))
    assert "L3.N0" in text and "its weights, w = value → grad:" in text
    grads = numpy_gradients(model)[2][0]
    for k in (0, 2, 15):
        assert (f"w{''.join('₀₁₂₃₄₅₆₇₈₉'[int(d)] for d in str(k))} = "
                f"{number(neuron.w[k].data, 4)} → {number(grads[k], 4)}") in text


def test_a_large_operation_view_pans_inside_its_panel(open_page, screen):
    """The lecture MLP's 404 operations drawn (max_nodes raised): the page stays about one
    screen tall, the picture scrolls inside its panel and a drag on it pans it."""
    screen(1920, 1080)
    driver = open_page(lecture_loss()[2], "#view=primitive", collapse=True, max_nodes=500)
    assert driver.execute_script("return zerograd.view") == "primitive"
    page, panel, inside = driver.execute_script(
        "const p = document.getElementById('zg-graph');"
        "return [document.documentElement.scrollHeight, p.clientHeight, p.scrollHeight]")
    assert page < 2 * 1080 and inside > 5 * panel
    driver.execute_script("""
        const p = document.getElementById('zg-graph'), r = p.getBoundingClientRect();
        const at = (type, dy) => new PointerEvent(type, {bubbles: true, button: 0,
            clientX: r.left + 5, clientY: r.top + 300 + dy});
        p.dispatchEvent(at('pointerdown', 0));
        window.dispatchEvent(at('pointermove', -250));
        window.dispatchEvent(at('pointerup', -250));""")
    assert driver.execute_script("return document.getElementById('zg-graph').scrollTop") == 250


def test_the_pages_heat_colours_and_largest_entries_are_pythons(open_page):
    """stepper.js's `heat` against viz.bundles.colour on random and special numbers, and the
    box's texts as the page rewrites them against viz.bundles on numpy's gradients."""
    from viz import bundles
    model, _, loss = lecture_loss()
    driver = open_page(loss, collapse=True)
    rng = np.random.default_rng(0)
    xs = [*rng.normal(size=300), 0.0, -0.0, 1.0, -1.0, 2.5, float("inf"), float("nan")]
    largest = [*np.abs(rng.normal(size=300)) + 0.01, 1.0, 1.0, 1.0, 1.0, 2.0, 1.0, 1.0]
    js = {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}       # for Number(...)
    pairs = [[x if np.isfinite(x) else js[str(x)], m] for x, m in zip(xs, largest)]
    page = driver.execute_script(
        "return arguments[0].map(([x, m]) => zerograd.heat(Number(x), m))", pairs)
    assert page == [bundles.colour(x, m) for x, m in zip(xs, largest)]
    expected = numpy_gradients(model)[1]
    texts = driver.execute_script(
        "return [...document.querySelectorAll('#zg-bundle-1 text')].map((t) => t.textContent)")
    assert texts[1:] == [bundles.scale_text(expected.tolist(), "grad"),
                         *bundles.top_lines(expected.tolist())]
