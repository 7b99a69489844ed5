// The stepper page: backprop through one computational graph, step by step, in the browser.
// viz/stepper.py embeds the graph as a model (#zg-model), the words (#zg-text), the picture
// that Graphviz laid out, and the rule table PRIMITIVES (the script before this one, written
// from autograd/rules.py); this script brings them to life. No framework, no build step.
// Read in order: the table's helpers, the rule table, numbers, evaluation, steps, the state,
// the rendering, the explanations, controls.
"use strict";

// ---------------------------------------------------------------- the rule table's helpers
// The JavaScript of the records (js_forward, js_partial in autograd/rules.py) calls these
// mirrors of arith.py and rules.py, so they are global, outside the function below.

// arith.power: IEEE pow, as C and Python compute it: 1^y = 1 and (-1)^±inf = 1 (Math.pow: NaN).
function power(a, b) {
  if (a === 1 || (a === -1 && Math.abs(b) === Infinity)) return 1;
  return Math.pow(a, b);                           // 0^-1 = inf; (-8)^(1/3) = nan; 10^400 = inf
}
const divide = (a, b) => a / b;                    // arith.divide: inf or nan for b = 0
const log = (a) => Math.log(a);                    // arith.log: -inf at 0, nan below 0

// rules.pow_base_partial: d(a^b)/da = b a^(b-1); where b == 0 it reads b a^0 = 0, for every a.
function powBasePartial(a, b) {
  return b * power(a, b === 0 ? 0 : b - 1);
}

// rules.pow_exponent_partial: d(a^b)/db = a^b ln a; where a == 0 <= b it reads a^b ln 1 = 0.
// A negative base gives nan, as in PyTorch.
function powExponentPartial(a, b, out) {
  return out * log(a === 0 && b >= 0 ? a + 1 : a);
}

// rules._dot_forward: w0*x0 + w1*x1 + ... (+ b); the operands are n weights, n inputs, maybe b.
function weightedSum(args) {
  const n = args.length >> 1;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += args[i] * args[n + i];   // in order, as Python's sum
  return args.length > 2 * n ? sum + args[2 * n] : sum;
}

// rules._dot_partial: d(w0*x0 + ... + b)/d(operand i).
function dotPartial(args, i) {
  const n = args.length >> 1;
  if (i < n) return args[n + i];                               // d/dw_i = x_i
  return i < 2 * n ? args[i - n] : 1;                          // d/dx_i = w_i, d/db = 1
}

// A batch is an array of numbers, one per sample (a numpy array in Python).
const isBatch = Array.isArray;
const size = (a) => (isBatch(a) ? a.length : 1);               // np.size
const ones = (a) => (isBatch(a) ? a.map(() => 1) : 1);         // rules._ones
const scale = (a, factor) => (isBatch(a) ? a.map((x) => x * factor) : a * factor);  // a * factor

// rules._total: numpy's sum of a batch (pairwise: blocks of 8 partial sums, halves above 128
// entries), so that a batch total has the same last digit as in Python.
const total = (a) => (isBatch(a) ? pairwiseSum(a, 0, a.length) : a);

function pairwiseSum(a, start, end) {
  const n = end - start;
  if (n < 8) {
    let sum = 0;
    for (let k = start; k < end; k++) sum += a[k];
    return sum;
  }
  if (n <= 128) {
    const r = a.slice(start, start + 8);
    let k = start + 8;
    for (; k < end - (n % 8); k += 8) for (let j = 0; j < 8; j++) r[j] += a[k + j];
    let sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; k < end; k++) sum += a[k];
    return sum;
  }
  const half = Math.floor(n / 2) - (Math.floor(n / 2) % 8);
  return pairwiseSum(a, start, start + half) + pairwiseSum(a, start + half, end);
}

(() => {

// ---------------------------------------------------------------- the rule table (rules.py)

// PRIMITIVES[op] is one record of autograd/rules.py: forward(args) and partial(args, out, i)
// on one sample's numbers (a reduction, sum or mean, takes the whole data), arity, symbol,
// form, reduces and its rule texts. RULES is the contract's name for it.
const RULES = PRIMITIVES;
const PARTIALS = Object.fromEntries(Object.entries(RULES).map(([op, r]) => [op, r.partial]));
const FORWARD = Object.fromEntries(Object.entries(RULES).map(([op, r]) => [op, r.forward]));
const REDUCTIONS = new Set(Object.keys(RULES).filter((op) => RULES[op].reduces));

// ---------------------------------------------------------------- numbers and batches

const sampleOf = (a, k) => (isBatch(a) ? a[a.length === 1 ? 0 : k] : a);

// f on one sample's numbers, applied sample by sample where an argument is a batch.
function lift(f, args) {
  const n = Math.max(0, ...args.map((a) => (isBatch(a) ? a.length : 0)));
  if (n === 0) return f(args);
  return Array.from({length: n}, (_, k) => f(args.map((a) => sampleOf(a, k))));
}

// JSON cannot hold inf or nan: the model writes them as strings.
const NONFINITE = {"Infinity": Infinity, "-Infinity": -Infinity, "NaN": NaN};
const decode = (x) => (isBatch(x) ? x.map(decode) : (x in NONFINITE ? NONFINITE[x] : x));

function decodeModel(model) {
  for (const node of model.nodes) {
    node.value = decode(node.value);
    node.grad = decode(node.grad);
    node.partials = node.partials.map(decode);
    for (const operand of node.operands) if ("const" in operand) operand.const = decode(operand.const);
  }
  return model;
}

// Python's f"{x + 0.0:.4g}": 4 significant digits, ties to even, "1.5e-07", "inf", never "-0".
function fmt(x, digits = 4) {
  if (x === undefined || x === null) return "?";
  if (x !== x) return "nan";
  if (Math.abs(x) === Infinity) return x > 0 ? "inf" : "-inf";
  if (x === 0) return "0";
  const [mantissa, exponent] = roundedDigits(Math.abs(x), digits);
  const sign = x < 0 ? "-" : "";
  if (exponent < -4 || exponent >= digits) {
    const m = trimZeros(mantissa[0] + "." + mantissa.slice(1));
    const e = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${m}e${exponent < 0 ? "-" : "+"}${e}`;
  }
  const point = exponent + 1;                     // digits before the decimal point
  const text = point <= 0 ? "0." + "0".repeat(-point) + mantissa
    : mantissa.slice(0, point).padEnd(point, "0") + "." + mantissa.slice(point);
  return sign + trimZeros(text);
}

// The first `digits` significant digits of x > 0 and x's exponent. toExponential rounds a tie
// away from zero; Python rounds it to even, so a tie (exact digits "…d5000…") is checked for.
function roundedDigits(x, digits) {
  const [m, e] = x.toExponential(digits - 1).split("e");
  const [exactM, exactE] = x.toExponential(100).split("e");   // enough digits to see a tie
  const exact = exactM.replace(".", "");
  if (/^50*$/.test(exact.slice(digits)) && Number(exact[digits - 1]) % 2 === 0) {
    return [exact.slice(0, digits), Number(exactE)];
  }
  return [m.replace(".", ""), Number(e)];
}

const trimZeros = (text) => (text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text);

// ---------------------------------------------------------------- evaluation: forward, backward

// Every value, partial and gradient of the model, with some leaves changed: only the rules above.
function evaluate(model, leafValues = {}) {
  const values = [], partials = [];
  const given = (i) => (leafValues instanceof Map ? leafValues.get(i) : leafValues[i]);
  const edited = (leafValues instanceof Map ? leafValues.size : Object.keys(leafValues).length) > 0;
  model.nodes.forEach((node, i) => {
    if (!node.op) {
      values.push(given(i) !== undefined ? given(i) : node.value);
      partials.push([]);
      return;
    }
    const args = operandValues(node, values);
    values.push(forward(node, args));
    if (edited && node.composite) values[i] = rebuilt(node.composite, values);   // D3, D4
    partials.push(valueSlots(node).map((slot) => partial(node, args, values[i], slot)));
  });
  const {grads, terms} = backward(model, values, partials);
  return {values, partials, grads, terms, edited};
}

// A sigmoid's or tanh's output after an edit, as functions.py computes it for the new input,
// sample by sample: Python builds each for the sign of x (sigmoid: e^x / (1 + e^x) for x <= 0,
// 1 - e^-x / (1 + e^-x) above; tanh: on -2|x|, with a rounding constant that depends on x), so
// the exported nodes alone would cancel (sigmoid(-40) = 0) or keep a stale constant (tanh(0)
// = -3e-17). The nodes inside keep the exported recipe; this output is the one Python gives.
const COMPOSITES = {
  sigmoid(x) {
    const e = Math.exp(x > 0 ? -x : x), share = e / (1 + e);
    return x > 0 ? 1 - share : share;
  },
  tanh(x) {                                        // arith.sign, exp_rounding_error
    const s = x < 0 || Object.is(x, -0) ? -1 : 1, y = x * (-2 * s), e = Math.exp(y);
    const c = e > 0.5 ? e * (y - Math.log(e)) : 0;
    return (s * (c ? (1 - e) - c : 1 - e)) / (1 + e);
  },
};
// Their partials from the output y, the rules the layer view writes (y(1−y), 1−y²): after an
// edit, the exported nodes inside may cancel where Python's own recipe would not.
const SLOPES = {sigmoid: (y) => y * (1 - y), tanh: (y) => 1 - y * y};
const rebuilt = ({kind, input}, values) => lift(([x]) => COMPOSITES[kind](x), [values[input]]);

function operandValues(node, values) {
  return node.operands.map((o) => ("node" in o ? values[o.node] : o.const));
}

const valueSlots = (node) => node.operands.flatMap((o, slot) => ("node" in o ? [slot] : []));

function forward(node, args) {
  if (REDUCTIONS.has(node.op)) return FORWARD[node.op](args);
  return lift(FORWARD[node.op], args);
}

function partial(node, args, out, slot) {
  if (REDUCTIONS.has(node.op)) return PARTIALS[node.op](args, out, slot);
  return lift((sample) => PARTIALS[node.op](sample.slice(0, -1), sample.at(-1), slot),
              [...args, out]);
}

// The chain rule, in viz/frames.py's order: children from the output back, operands in order.
// Each term is partial × upstream, summed over the batch where the parent is one number.
function backward(model, values, partials) {
  const n = model.nodes.length, grads = new Array(n).fill(undefined), terms = [];
  grads[n - 1] = lift(() => 1, [values[n - 1]]);
  for (let i = n - 1; i >= 0; i--) {
    valueSlots(model.nodes[i]).forEach((slot, k) => {
      const parent = model.nodes[i].operands[slot].node;
      const term = reduceLike(values[parent],
                              lift(([p, g]) => p * g, [partials[i][k], grads[i]]));
      const before = grads[parent];
      grads[parent] = before === undefined ? term : lift(([a, b]) => a + b, [before, term]);
      terms.push({node: i, slot, parent, partial: partials[i][k], upstream: grads[i], term,
                  before, after: grads[parent]});
    });
  }
  return {grads, terms};
}

// autograd.graph.reduce_like: a parent used once per sample gets the sum of its terms.
function reduceLike(target, gradient) {
  if (!isBatch(gradient)) return gradient;
  if (!isBatch(target)) return total(gradient);
  return gradient.length === target.length ? gradient : [total(gradient)];
}

// ---------------------------------------------------------------- the layer view's numbers

// The layer view's numbers, derived from the primitive model's (base = evaluate(primitive)):
// a copied node has its source node's value and partials; a composite's value is its output
// node's value, its partials come from groupPartials. Then the usual backward pass.
function evaluateLayer(layer, prim, base) {
  const values = layer.nodes.map((node) => base.values[node.source]);
  const partials = layer.nodes.map((node) => (node.group
    ? (base.edited && prim.nodes[node.group.output].composite
      ? [lift(([y]) => SLOPES[node.group.kind](y), [base.values[node.group.output]])]
      : groupPartials(prim, node.group, base.values, base.partials))
    : base.partials[node.source]));
  const {grads, terms} = backward(layer, values, partials);
  return {values, partials, grads, terms};
}

// viz/layers.local_partials in JS: d(output)/d(input) for each input of a composite, a
// mini-backprop over the group's own nodes. The gradient starts at 1 on the output and flows
// back through the recorded partials, children before parents (the model is in topological
// order, so from the highest index down), only into inner nodes and inputs; per sample (no
// sum over a batch), so each result is the partial drawn on an arrow.
function groupPartials(prim, group, values, partials) {
  const inside = new Set(group.inner), wanted = new Set(group.inputs);
  const upstream = new Map([[group.output, lift(() => 1, [values[group.output]])]]);
  const order = [group.output, ...group.inner].sort((a, b) => b - a);
  for (const i of order) {
    if (!upstream.has(i)) continue;               // not on a path from the output
    valueSlots(prim.nodes[i]).forEach((slot, k) => {
      const parent = prim.nodes[i].operands[slot].node;
      if (!inside.has(parent) && !wanted.has(parent)) return;
      const term = lift(([p, u]) => p * u, [partials[i][k], upstream.get(i)]);
      const before = upstream.get(parent);
      upstream.set(parent, before === undefined ? term : lift(([a, b]) => a + b, [before, term]));
    });
  }
  return group.inputs.map((x) => upstream.get(x));
}

// ---------------------------------------------------------------- steps (viz/frames.py's order)

// The backward pass comes in two sizes of step (the page's "Step" control, state.mode):
// "arrow", one term ∂ × upstream a step, or "node", every term a node sends to its parents at
// once. A backward step applies the terms ev.terms[start..end) (the same order in both).
function makeSteps(model, mode = "arrow") {
  const n = model.nodes.length;
  const steps = model.nodes.map((_, k) => ({phase: "forward", node: k}));
  steps.push({phase: "backward", kind: "seed", node: n - 1, start: 0, end: 0});
  let done = 0;                                    // terms applied so far
  for (let i = n - 1; i >= 0; i--) {
    const slots = valueSlots(model.nodes[i]);
    if (mode === "node" && slots.length) {         // the node's whole fan-in, one step
      steps.push({phase: "backward", kind: "node", node: i, slots, start: done,
                  end: done + slots.length});
      done += slots.length;
      continue;
    }
    for (const slot of slots) {
      steps.push({phase: "backward", kind: "edge", node: i, slot,
                  parent: model.nodes[i].operands[slot].node, start: done, end: done + 1});
      done += 1;
    }
  }
  return steps;
}

// The step of `to` at the same point of the backward pass as step k of `from`: a forward step
// keeps its number; arrow -> node lands on the node of that term, node -> arrow on its last.
function samePoint(from, k, to) {
  if (from[k].phase === "forward") return k;
  return to.findIndex((s) => s.phase === "backward" && s.end >= from[k].end);
}

// Where the page opens: one node a step on a network (weight boxes) or a long backward pass.
const MANY_ARROWS = 60, STEP_SIZES = ["arrow", "node"];
function defaultMode({model, steps}) {
  const arrows = steps.arrow.length - model.nodes.length - 1;
  return (model.bundles || []).length || arrows > MANY_ARROWS ? "node" : "arrow";
}
const stepsOf = (model) => ({arrow: makeSteps(model), node: makeSteps(model, "node")});

// ---------------------------------------------------------------- the state

// Two views when the page has a layer view: each has its model, steps, picture and the texts
// found in it (dom). The globals below are the current view's (useView sets them).
const primitive = decodeModel(JSON.parse(document.getElementById("zg-model").textContent));
const layerScript = document.getElementById("zg-layer-model");
const layerModel = layerScript ? decodeModel(JSON.parse(layerScript.textContent)) : null;
const TEXT = JSON.parse(document.getElementById("zg-text").textContent);
const views = {primitive: {name: "primitive", model: primitive, steps: stepsOf(primitive),
                           svg: document.querySelector("#zg-graph svg"), dom: null}};
if (layerModel) {
  const picture = document.importNode(document.getElementById("zg-layer-svg").content, true);
  views.layer = {name: "layer", model: layerModel, steps: stepsOf(layerModel),
                 svg: picture.querySelector("svg"), dom: null};
}
// Each primitive node inside a composite -> the composite's node in the layer view.
const memberOf = new Map();
if (layerModel) layerModel.nodes.forEach((node, j) => {
  if (node.group) for (const i of [...node.group.inner, node.group.output]) memberOf.set(i, j);
});
let view = views.primitive, model = primitive, steps = view.steps.arrow;   // the mode's
let N = model.nodes.length, ROOT = N - 1;

const state = {
  step: steps.length - 1,     // which step the picture shows
  mode: "arrow",              // the step size: "arrow" or "node" (readFragment decides)
  sample: 0,                  // which sample of a batch
  leaves: {},                 // leaf index -> changed value
  selected: null,             // the node explained
  playing: null,              // the timer while playing
  quiz: model.quiz,           // the quiz is on
  quizMode: "grad",           // "grad" (backward) or "value" (forward)
  answered: new Set(),        // nodes answered right
  asked: null,                // the node asked now
  right: 0,                   // answers right
  tries: 0,                   // answers checked
  feedback: "",
  highlight: new Set(),       // nodes marked after expanding a composite, or along a path
  bundle: null,               // the bundle explained (an index into model.bundles)
  follow: null,               // the weight followed to the output: {bundle, row, column}
  fit: true,                  // projector mode: the picture fitted to the window's width
  size: 1,                    // the text size control: a factor on the picture and the text
};
let ev = evaluate(model);      // the numbers for the current inputs

// The current view's numbers: the primitive model's with the changed leaves (state.leaves,
// by primitive index), and in the layer view those derived from them.
function evaluateView() {
  const base = evaluate(primitive, state.leaves);
  if (view.name !== "layer") return Object.assign(base, {base});
  return Object.assign(evaluateLayer(layerModel, primitive, base), {base});   // base: weights
}

const say = (key, params = {}) =>
  TEXT[key].replace(/\{(\w+)\}/g, (_, name) => String(params[name]));
// A node's one name, the same as in the picture, the frames and the other view: Python's
// viz.scene.node_labels writes it into the model ("x", "-1·x", "L1.N0", "loss", "#5"), its
// control and bidi characters escaped and a long one cut at a code point. No rule of its own.
const who = (i) => model.nodes[i].label;
const shown = (x) => (x === undefined ? undefined : sampleOf(x, state.sample));

// What step k shows: how many values are known, each node's gradient so far, the step's
// terms (one in arrow mode, a node's fan-in in node mode; term: the last), the node in focus
// (the one computed, or the gradient's receiver; in node mode the sender) and the receivers.
function stepView(k) {
  const step = steps[k];
  if (step.phase === "forward") {
    return {computed: step.node + 1, grads: {}, terms: [], term: null, focus: step.node,
            receiving: new Set()};
  }
  const grads = {[ROOT]: seedOf()};
  for (let t = 0; t < step.end; t++) grads[ev.terms[t].parent] = ev.terms[t].after;
  const terms = ev.terms.slice(step.start, step.end), term = terms.at(-1) || null;
  if (step.kind === "node") {
    return {computed: N, grads, terms, term, focus: step.node,
            receiving: new Set(terms.map((t) => t.parent))};
  }
  return {computed: N, grads, terms, term, focus: term ? term.parent : ROOT, receiving: new Set()};
}
const seedOf = () => lift(() => 1, [ev.values[ROOT]]);

// The order of the quiz's questions, and the next one not yet answered right.
function quizOrder() {
  const order = [...model.nodes.keys()];
  if (state.quizMode === "grad") return order.reverse().filter((i) => i !== ROOT);
  return order.filter((i) => model.nodes[i].op);
}
function nextQuestion() {
  const next = quizOrder().find((i) => !state.answered.has(i));
  return next === undefined ? null : next;
}
const hiddenValue = (i) => state.quiz && state.quizMode === "value" && model.nodes[i].op &&
  !state.answered.has(i);
const hiddenGrad = (i) => state.quiz && (state.quizMode === "value" ||
  (i !== ROOT && !state.answered.has(i)));

// ---------------------------------------------------------------- the rendering

const $ = (id) => document.getElementById(id);
const svgText = (group, cls) => (group ? group.querySelector(`text.${cls}`) : null);

// The texts of the picture, found once; each is centred on where Graphviz put it.
let dom = {nodes: [], copies: [], edges: [], consts: []};
function findPicture() {
  for (let i = 0; i < N; i++) {
    const group = $(`zg-node-${i}`);
    dom.nodes.push({group, value: svgText(group, "zg-value"), grad: svgText(group, "zg-grad"),
                    op: $(`zg-op-${i}`), out: $(`zg-out-${i}`)});
    model.nodes[i].operands.forEach((o, slot) => {
      if ("const" in o) dom.consts.push({node: i, slot, text: svgText($(`zg-const-${i}-${slot}`), "zg-const")});
    });
  }
  const seen = new Set();
  view.steps.arrow.filter((s) => s.kind === "edge").forEach(({node, parent}) => {
    if (seen.has(`${node}-${parent}`)) return;
    seen.add(`${node}-${parent}`);
    const group = $(`zg-edge-${node}-${parent}`), copy = $(`zg-copy-${node}-${parent}`);
    dom.edges.push({node, parent, group, text: svgText(group, "zg-partial"),
                    title: group && group.querySelector("title")});
    if (copy) dom.copies.push({parent, group: copy, value: svgText(copy, "zg-value")});
  });
  dom.bundles = (model.bundles || []).map((_, k) => {
    const group = $(`zg-bundle-${k}`);
    return {group, cells: group ? [...group.querySelectorAll("polygon.zg-cell")] : [],
            scale: svgText(group, "zg-bundle-scale"),
            top: group ? [...group.querySelectorAll("text.zg-bundle-top")] : []};
  });
  centreTexts([...document.querySelectorAll("#zg-graph text")]);
  view.smallest = smallestText(view.svg);
}

// ---------------------------------------------------------------- projector mode

// The picture's size: fitted to the panel's width (never above its natural size, and never so
// small that its smallest text is under MIN_TEXT pixels: then the panel scrolls instead),
// times the text size control. Graphviz writes sizes in points: 1 pt is 4/3 CSS pixels.
const MIN_TEXT = 12;
let laidOutWidth = 0;         // the panel's width at the last layout (see watchPanelWidth)
function layoutPicture() {
  const svg = view.svg;
  laidOutWidth = $("zg-graph").clientWidth;
  document.documentElement.style.setProperty("--zg-size", String(state.size));
  setText($("zg-size"), say("projector size", {percent: Math.round(state.size * 100)}));
  if ($("zg-fit")) $("zg-fit").setAttribute("aria-pressed", String(state.fit));
  if (!svg) return;
  const natural = svg.viewBox.baseVal.width * 4 / 3, panel = $("zg-graph").clientWidth - 14;
  const floor = view.smallest ? MIN_TEXT / (view.smallest * 4 / 3) : 0;
  const fitted = state.fit ? Math.max(Math.min(1, panel / natural), Math.min(1, floor)) : 1;
  svg.style.width = `${natural * fitted * state.size}px`;
  svg.style.height = "auto";
  reportHeight();
}

// A page scrollbar that appears (a longer explanation, say) narrows the panel but fires no
// window resize: fit again. Only when it narrows, so that the picture never oscillates.
function watchPanelWidth() {
  if (!window.ResizeObserver) return;
  new ResizeObserver(() => {
    if ($("zg-graph").clientWidth < laidOutWidth) layoutPicture();
  }).observe($("zg-graph"));
}

// The smallest font size in a picture, in points.
function smallestText(svg) {
  const texts = svg ? [...svg.querySelectorAll("text")] : [];
  const sizes = texts.map((t) => Number(t.getAttribute("font-size"))).filter((x) => x > 0);
  return sizes.length ? Math.min(...sizes) : 0;
}

function setSize(factor) {
  state.size = Math.round(Math.max(0.6, Math.min(2.5, factor)) * 10) / 10;
  layoutPicture();
}

// A picture larger than its panel scrolls inside it: dragging its background pans it.
function dragToPan(panel) {
  let start = null;
  panel.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || event.target.closest("g.node, g.edge, button, p")) return;
    start = {x: event.clientX, y: event.clientY, left: panel.scrollLeft, top: panel.scrollTop};
    panel.classList.add("zg-panning");
  });
  window.addEventListener("pointermove", (event) => {
    if (!start) return;
    panel.scrollLeft = start.left - (event.clientX - start.x);
    panel.scrollTop = start.top - (event.clientY - start.y);
  });
  window.addEventListener("pointerup", () => {
    start = null;
    panel.classList.remove("zg-panning");
  });
}

// Inside Jupyter's iframe (viz.Stepper._repr_html_), tell the notebook the page's height.
function reportHeight() {
  if (window.parent === window) return;
  const height = Math.ceil(document.body.getBoundingClientRect().height);   // not the window's
  window.parent.postMessage({zerogradHeight: height}, "*");
}

// Graphviz starts each text at its left edge; the page rewrites them, so they are anchored at
// their middle instead. All boxes are measured first: writing between reads would re-layout.
function centreTexts(texts) {
  const boxes = texts.map((text) => text.getBBox());
  texts.forEach((text, k) => {
    if (!boxes[k].width || text.getAttribute("text-anchor") === "middle") return;
    text.setAttribute("x", boxes[k].x + boxes[k].width / 2);
    text.setAttribute("text-anchor", "middle");
  });
}

// A text without a number or an expression said twice in a row: "grad(a) = (-0.235) =
// -0.235" -> "grad(a) = -0.235" (parts between " = " compared without their parentheses).
function unrepeat(text) {
  const bare = (part) => part.replace(/^\((.*)\)$/, "$1").replaceAll("−", "-").trim();
  const parts = text.split(" = ");
  return parts.filter((part, k) => k === parts.length - 1 || bare(part) !== bare(parts[k + 1]))
    .join(" = ");
}

function setText(element, text) {
  if (element && element.textContent !== text) element.textContent = text;
}

function render() {
  const view = stepView(state.step);
  state.asked = state.quiz ? nextQuestion() : null;
  renderHeader(view);
  renderNodes(view);
  renderEdges(view);
  renderConstants();
  renderBundles(view);
  renderLeaves();
  renderExplain(view);
  renderQuiz();
  writeFragment();
}

function renderHeader(view) {
  const step = steps[state.step];
  const phase = step.phase === "forward" ? say("forward") : say("backward");
  // one count for the whole walk, from 1, as in the address (#step=1 is the first step)
  const counted = say("step of", {step: state.step + 1, steps: steps.length});
  setText($("zg-phase"), say("phase and step", {phase, step: counted}));
  setText($("zg-title"), unrepeat(sentence(step, view)));
  $("zg-slider").value = state.step;
  $("zg-first").disabled = $("zg-prev").disabled = state.step === 0;
  $("zg-last").disabled = $("zg-next").disabled = state.step === steps.length - 1;
  setText($("zg-play"), state.playing ? `⏸ ${say("pause")}` : `▶ ${say("play")}`);
  if ($("zg-sample")) $("zg-sample").value = String(state.sample);
  $("zg-step-size").value = state.mode;
  document.body.classList.toggle("zg-backward", step.phase === "backward");
}

// The sentence of a step: "exp(-0.5) = 0.6065", "grad(x) += ∂ 0.235 × upstream 1 = 0.235";
// a nan or an inf it shows is followed by where it comes from.
function sentence(step, view) {
  const text = stepSentence(step, view);
  const numbers = step.phase === "forward" ? [ev.values[step.node]]
    : view.terms.flatMap((t) => [t.term, t.after]);
  if (numbers.every((x) => Number.isFinite(shown(x))) || /\?$/.test(text)) return text;
  return text + origin(step.phase === "forward" ? step.node : null);
}

// Where this sample's nan or inf comes from: " (nan: inf × 0 = nan at exp(-x))". For a
// gradient (upto null): the first term of the backward pass that turns finite numbers, or an
// inf and a 0, into a nan or an inf; for a value, or without one: the first value of the
// forward pass (up to node upto) made from finite operands ("exp(1000) = inf at exp(x)").
function origin(upto) {
  const bad = (x) => !Number.isFinite(shown(x)), nan = (x) => Number.isNaN(shown(x));
  const born = (t) => (nan(t.term) ? !nan(t.partial) && !nan(t.upstream)
                                   : bad(t.term) && !bad(t.upstream) && !bad(t.partial));
  const t = upto === null ? ev.terms.find(born) : undefined;
  if (t) {
    const how = `${fmt(shown(t.partial))} × ${fmt(shown(t.upstream))} = ${fmt(shown(t.term))}`;
    return say("page nonfinite", {what: fmt(shown(t.term)), how, who: who(t.node)});
  }
  for (const i of model.nodes.keys()) {
    if (upto !== null && i > upto) break;
    const node = model.nodes[i];
    if (node.op && bad(ev.values[i]) && !operandValues(node, ev.values).some(bad)) {
      return say("page nonfinite", {what: fmt(shown(ev.values[i])), how: nodeComputation(i),
                                    who: who(i)});
    }
  }
  return "";
}

function stepSentence(step, view) {
  if (step.phase === "forward") return nodeComputation(step.node, hiddenValue(step.node));
  if (step.kind === "seed") return say("seed", {who: who(ROOT), seed: fmt(shown(seedOf()))});
  if (view.terms.length > 1) {                     // node mode: the whole fan-in in one line
    const upstream = hiddenGrad(step.node) ? "?" : fmt(shown(view.term.upstream));
    return say("node step", {who: who(step.node), count: view.terms.length, upstream});
  }
  return termSentence(view.term);
}

// One term: "grad(x) += ∂ 0.235 × upstream 1 = 0.235", and at a branch point the sum.
function termSentence(term) {
  const hide = hiddenGrad(term.parent);
  const known = (x, i) => (hiddenGrad(i) ? "?" : fmt(shown(x)));
  let text = say("edge", {who: who(term.parent), partial: fmt(shown(term.partial)),
                          upstream: known(term.upstream, term.node),
                          term: hide ? "?" : fmt(shown(term.term))});
  if (term.before !== undefined) {
    text += say("branch sum", {who: who(term.parent), before: hide ? "?" : fmt(shown(term.before)),
                               term: hide ? "?" : paren(fmt(shown(term.term))),
                               after: hide ? "?" : fmt(shown(term.after))});
  }
  return text;
}

// How node i was computed, with numbers: "x = 0.5", "exp(-0.5) = 0.6065", "relu(2) = 2".
function nodeComputation(i, hideResult = false) {
  const node = model.nodes[i];
  const result = hideResult ? "?" : fmt(shown(ev.values[i]));
  if (!node.op) return `${who(i)} = ${result}`;
  const args = operandValues(node, ev.values).map((a, slot) =>
    ("node" in node.operands[slot] && hiddenValue(node.operands[slot].node)) ? "?" : fmt(shown(a)));
  if (node.group) return `${node.group.label}(${args.join(", ")}) = ${result}`;
  if (ev.edited && node.composite) {             // recomputed as Python does (COMPOSITES)
    const x = hiddenValue(node.composite.input) ? "?" : fmt(shown(ev.values[node.composite.input]));
    return `${node.composite.kind}(${x}) = ${result}`;
  }
  return computation(node.op, args, result);
}

function renderNodes(view) {
  dom.nodes.forEach(({group, value, grad, op, out}, i) => {
    if (!group) return;
    const known = i < view.computed && !hiddenValue(i);
    const g = shown(gradShown(view, i));
    setText(value, known ? fmt(shown(ev.values[i])) : "?");
    setText(grad, g === undefined ? "" : fmt(g));
    group.setAttribute("data-value", known ? String(shown(ev.values[i])) : "");
    group.setAttribute("data-grad", g === undefined ? "" : String(g));
    group.classList.toggle("zg-unknown", i >= view.computed);
    group.classList.toggle("zg-focus", i === view.focus);
    group.classList.toggle("zg-receive", view.receiving.has(i));    // node mode: its parents
    group.classList.toggle("zg-selected", i === state.selected);
    group.classList.toggle("zg-asked", i === state.asked);
    const member = state.highlight.has(i);
    for (const part of [group, op]) if (part) part.classList.toggle("zg-member", member);
    for (const part of [op, out]) if (part) part.classList.toggle("zg-unknown", i >= view.computed);
  });
  dom.copies.forEach(({parent, value}) => {
    setText(value, parent < view.computed && !hiddenValue(parent) ? fmt(shown(ev.values[parent])) : "?");
  });
}

// The gradient node i shows: as far as the step has got, or once answered in the quiz, its final
// value (so the learner sees the upstream gradient the next question needs); undefined if none.
function gradShown(view, i) {
  if (hiddenGrad(i)) return undefined;
  if (state.quiz && state.answered.has(i)) return ev.grads[i];
  return view.grads[i];
}

function renderEdges(view) {
  for (const edge of dom.edges) {
    if (!edge.group) continue;
    const slots = slotsOf(edge.node, edge.parent);
    const known = edge.node < view.computed && !hiddenValue(edge.node);
    const partials = slots.map((k) => fmt(shown(ev.partials[edge.node][k])));
    setText(edge.text, known ? partialsText(partials) : "∂ ?");
    const active = view.terms.some((t) => t.node === edge.node && t.parent === edge.parent);
    edge.group.classList.toggle("zg-active", active);
    edge.group.classList.toggle("zg-unknown", !known);
    if (edge.title) setText(edge.title, known ? edgeRules(edge.node, slots).join("\n") : "∂ ?");
  }
}

// The positions, among node i's Value operands, of the operands that are node `parent`.
function slotsOf(i, parent) {
  return valueSlots(model.nodes[i]).flatMap((slot, k) =>
    (model.nodes[i].operands[slot].node === parent ? [k] : []));
}

// viz/labels.partials_text: "∂ 3", "×2 ∂ 3" (x*x), "∂ 27, 29.66" (x**x).
function partialsText(partials) {
  if (partials.length === 1) return "∂ " + partials[0];
  if (new Set(partials).size === 1) return `×${partials.length} ∂ ${partials[0]}`;
  return "∂ " + partials.slice(0, 3).join(", ") + (partials.length > 3 ? ", …" : "");
}

// The rule of each use of an arrow, numbers substituted: "∂(a × b)/∂a = b = -1".
function edgeRules(i, valueIndexes) {
  const node = model.nodes[i], slots = valueSlots(node);
  return valueIndexes.map((k) => ruleLine(i, slots[k], k));
}

function ruleLine(i, slot, k) {
  const node = model.nodes[i];
  if (node.group) return groupRuleLine(i, k);
  const args = operandValues(node, ev.values).map(shown);
  const n = size(operandValues(node, ev.values)[0]);          // mean's n: the batch size
  return partialLine(node.op, args, shown(ev.values[i]), slot, shown(ev.partials[i][k]), n);
}

// A composite's rule, numbers substituted where the rule reads them from the output y or the
// input x: "sigmoid: ∂ = y(1−y) = 0.6225·(1−0.6225) = 0.235".
function groupRuleLine(i, k) {
  const group = model.nodes[i].group, y = fmt(shown(ev.values[i]));
  const numbers = {sigmoid: `${paren(y)}·(1−${paren(y)})`, tanh: `1−${paren(y)}²`}[group.kind];
  return say("group partial", {kind: group.label, rule: group.rules[k]}) +
    (numbers ? ` = ${numbers}` : "") + ` = ${fmt(shown(ev.partials[i][k]))}`;
}

function renderConstants() {
  for (const {node, slot, text} of dom.consts) {
    setText(text, fmt(shown(operandValues(model.nodes[node], ev.values)[slot])));
  }
}

// ---------------------------------------------------------------- the explanations

const paren = (text) => (text.startsWith("-") ? `(${text})` : text);

// How a node was computed, with numbers: "2 × 3 = 6", "−(2) = -2", "exp(0) = 1".
// mirrors viz/labels.computation
function computation(op, operands, result) {
  const primitive = PRIMITIVES[op], form = primitive ? primitive.form : "call";
  if (form === "infix") return operands.join(` ${primitive.symbol} `) + ` = ${result}`;
  if (form === "prefix") {
    return primitive.symbol.replaceAll("x", `(${operands[0]})`) + ` = ${result}`;
  }
  return `${op}(${operands.join(", ")}) = ${result}`;
}

// A primitive's local partial, from its record: the formula with letters, the rule, the rule
// with the numbers in place of a, b, y (the result) and n (the batch size), and the number:
// "∂(a × b)/∂a = b = 3", "∂(exp(a))/∂a = eᵃ = e^0.5 = 1.649"; no text twice in a row.
function partialLine(op, args, out, slot, partial, n = 1) {
  const names = operandNames(op, args.length);
  const rule = ruleText(op, slot, args.length);
  let numbers = {a: args[0], b: args[1], y: out, n};
  if (op === "dot") {                          // the pair (w_i, x_i) this operand belongs to
    const half = Math.max(args.length >> 1, 1), pair = slot % half;
    numbers = {[`w${subscript(pair)}`]: args[pair], [`x${subscript(pair)}`]: args[half + pair]};
  }
  const parts = [rule, substitute(rule, numbers), fmt(partial)];
  const kept = parts.filter((text, k) => k === 0 || !sameText(text, parts[k - 1]));
  return `∂(${formula(op, names)})/∂${names[slot]} = ${kept.join(" = ")}`;
}

// The letters of an op's operands: a, b; a₀, a₁, a₂ (an n-ary sum); w₀, w₁, x₀, x₁, b (dot).
function operandNames(op, count) {
  const indexed = (letter, k) => `${letter}${subscript(k)}`;
  if (op === "dot") {
    const half = count >> 1;
    const pairs = Array.from({length: half}, (_, k) => indexed("w", k));
    return [...pairs, ...pairs.map((_, k) => indexed("x", k)), ...(count % 2 ? ["b"] : [])];
  }
  if (count <= 2) return ["a", "b"].slice(0, count);
  return Array.from({length: count}, (_, k) => indexed("a", k));
}

// A primitive's formula with letters: "a × b", "−a", "exp(a)", "a₀ + a₁ + … + a₉", "Σ w·x + b".
function formula(op, names) {
  const {form, symbol} = PRIMITIVES[op];
  if (op === "dot") return symbol + (names.length % 2 ? " + b" : "");
  const some = names.length > 4 ? [names[0], names[1], "…", names.at(-1)] : names;
  if (form === "infix") return some.join(` ${symbol} `);
  if (form === "prefix") return symbol.replaceAll("x", some[0]);
  return `${op}(${some.join(", ")})`;
}

// An operand's rule text: "b", "x₃" (weight 3 of a weighted sum). mirrors viz/labels.rule_text
function ruleText(op, slot, count) {
  const rules = PRIMITIVES[op].rule;
  if (op === "dot") {
    const half = Math.max(count >> 1, 1);
    return rules[Math.min(Math.floor(slot / half), 2)].replaceAll("{i}", subscript(slot % half));
  }
  return rules[Math.min(slot, rules.length - 1)].replaceAll("{i}", subscript(slot));
}

// The same text, reading the minus sign − (U+2212) of the rules as the - of the numbers.
const sameText = (a, b) => a.replaceAll("−", "-") === b.replaceAll("−", "-");

const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
const subscript = (k) => String(k).replace(/[0-9]/g, (digit) => SUBSCRIPTS[digit]);
const SUPERSCRIPTS = {"ᵃ": "a", "ᵇ": "b", "ʸ": "y", "ⁿ": "n"};

// A rule with numbers for its letters (each letter standing alone: not the a of "max"):
// "b·a^(b−1)" -> "2·3^(2−1)", "aᵇ" -> "3^2", "3a²" -> "3·0.5²". The text itself when the rule
// reads no letter, or is only one letter (then the number, without parentheses).
function substitute(rule, numbers) {
  const letters = Object.keys(numbers).filter((name) => numbers[name] !== undefined);
  if (letters.includes(rule)) return fmt(numbers[rule]);
  const text = rule.replace(/[ᵃᵇʸⁿ]/g,
                           (s) => (letters.includes(SUPERSCRIPTS[s]) ? "^" + SUPERSCRIPTS[s] : s));
  const latin = "A-Za-z\u00C0-\u024F";
  const pattern = new RegExp(`(?<![${latin}])(${letters.join("|")})(?![${latin}₀-₉])`, "g");
  const done = text.replace(pattern, (name, _, at) => {
    const before = /[0-9)²³]/.test(text[at - 1] || "") ? "·" : "";
    const after = /[0-9(]/.test(text[at + name.length] || "") ? "·" : "";
    return before + paren(fmt(numbers[name])) + after;
  });
  return done === text ? rule : done;
}

function renderExplain(view) {
  const panel = $("zg-explain");
  if (state.follow) return panel.replaceChildren(...paragraphs(followLines(state.follow)),
                                                  backButton());
  if (state.bundle !== null) return panel.replaceChildren(...bundlePanel(state.bundle));
  if (state.selected === null) return renderTerms(panel, view);
  const i = state.selected, node = model.nodes[i];
  const lines = [[`${say("node", {who: who(i)})}`, "zg-strong"]];
  lines.push([node.op ? say("operation", {op: opName(i)}) : say("input node")]);
  lines.push([`${say("value")}: ${nodeComputation(i, hiddenValue(i))}`]);
  valueSlots(node).forEach((slot, k) => {
    lines.push([`${say("local derivative")} (${who(node.operands[slot].node)}): ${ruleLine(i, slot, k)}`, "zg-blue"]);
  });
  if (node.group) lines.push([say("group chain", {count: node.group.inner.length + 1})]);
  if (node.group && node.group.params && node.group.params.length) lines.push(...weightLines(i));
  lines.push(...gradientLines(i));
  panel.replaceChildren(...paragraphs(lines), ...viewButtons(i));
}

// With nothing selected, a node step's terms fill the explanation (at most SHOWN_TERMS, the
// largest |term| first, nan and inf before them); another step puts the help text back.
const SHOWN_TERMS = 8;
let explainHelp = null;                            // the panel's first text, kept to restore
function renderTerms(panel, view) {
  explainHelp = explainHelp || panel.firstElementChild;
  const step = steps[state.step];
  if (step.kind !== "node") {
    if (panel.firstElementChild !== explainHelp) panel.replaceChildren(explainHelp);
    return;
  }
  const size = (t) => (Number.isFinite(shown(t.term)) ? Math.abs(shown(t.term)) : Infinity);
  const largest = [...view.terms].sort((a, b) => size(b) - size(a) || 0);
  const lines = [[say("node terms", {who: who(step.node), count: view.terms.length}),
                  "zg-strong"]];
  for (const t of largest.slice(0, SHOWN_TERMS)) lines.push([termSentence(t), "zg-red"]);
  if (largest.length > SHOWN_TERMS) {
    lines.push([say("more terms", {count: largest.length - SHOWN_TERMS})]);
  }
  panel.replaceChildren(...paragraphs(lines));
}

// Lines [text, class] as paragraphs of the explanation.
function paragraphs(lines) {
  return lines.map(([text, cls]) => {
    const p = document.createElement("p");
    p.textContent = unrepeat(text);
    if (cls) p.className = cls;
    return p;
  });
}

const opName = (i) => {
  const node = model.nodes[i];
  return node.group ? node.group.label : node.op;
};

// The layer view's controls in the explanation: expand a composite, or collapse the
// primitive node's composite back into one node.
function viewButtons(i) {
  const node = model.nodes[i];
  const button = (id, text, action) => {
    const b = Object.assign(document.createElement("button"),
                            {id, type: "button", textContent: text});
    b.addEventListener("click", action);
    return b;
  };
  if (view.name === "layer" && node.group && views.primitive.svg) {
    return [button("zg-expand", say("expand", {kind: node.group.label}), () => expand(i))];
  }
  if (view.name === "primitive" && memberOf.has(i)) {
    const j = memberOf.get(i), label = layerModel.nodes[j].group.label;
    const whoThere = layerModel.nodes[j].label;
    const p = document.createElement("p");
    p.textContent = say("in group", {kind: label, who: whoThere});
    return [p, button("zg-collapse", say("collapse into", {kind: label}), () => collapseInto(i))];
  }
  return [];
}

// d output / d node i as the sum over its uses: "grad = 0.2 × 1 + 0.5 × 0.1 = 0.25".
function gradientLines(i) {
  if (hiddenGrad(i)) return [[`${say("gradient")}: ?`, "zg-red"]];
  if (i === ROOT) return [[`${say("gradient")}: ${say("root grad")}`, "zg-red"]];
  const uses = ev.terms.filter((t) => t.parent === i);
  const lines = [[say("uses")]];
  for (const t of uses) {
    const op = opName(t.node);
    lines.push([`  ← ${who(t.node)} (${op}): ∂ ${fmt(shown(t.partial))} × ${say("upstream")} ` +
                `${fmt(shown(t.upstream))} = ${fmt(shown(t.term))}`]);
  }
  const parts = uses.map((t) => paren(fmt(shown(t.term))));
  const branch = uses.length > 1 ? ` (${say("branch")})` : "";
  const sum = uses.length > 1 ? `${parts.join(" + ")} = ` : "";    // one use: its term is it
  lines.push([`grad(${who(i)}) = ${sum}${fmt(shown(ev.grads[i]))}${branch}`, "zg-red"]);
  if (!Number.isFinite(shown(ev.grads[i]))) lines.push([origin(null).trim(), "zg-red"]);
  return lines;
}

// ---------------------------------------------------------------- bundles: a weight matrix

// The weights of bundle k, and their gradients, as matrices (row i: neuron i).
function bundleMatrix(k, field) {
  const numbers = ev.base[field];
  return model.bundles[k].weights.map((row) => row.map((p) => shown(numbers[p])));
}

// viz/bundles.colour: white at 0, red above, blue below, full colour at |largest|.
function heat(x, largest) {
  if (!Number.isFinite(x)) return "#000000";
  const t = largest > 0 ? Math.min(1, Math.abs(x) / largest) : 0;
  const base = x > 0 ? [192, 57, 43] : [31, 95, 191];
  const hex = (c) => Math.floor(255 + (c - 255) * t + 0.5).toString(16).padStart(2, "0");
  return "#" + base.map(hex).join("");
}

const largestOf = (matrix) => Math.max(0, ...matrix.flat().filter(Number.isFinite).map(Math.abs));

// viz/bundles.largest_entries: [row, column, x], largest magnitude first (inf and nan first).
function largestEntries(matrix, count) {
  const size = (x) => (Number.isFinite(x) ? Math.abs(x) : Infinity);
  const entries = matrix.flatMap((row, i) => row.map((x, j) => [i, j, x]));
  entries.sort((a, b) => size(b[2]) - size(a[2]) || a[0] - b[0] || a[1] - b[1]);
  return entries.slice(0, count);
}

// The heat maps show the weights' gradients once the backward pass has passed the layer
// (every term from a node after it is done): until then they are blank, with "?".
function renderBundles(view) {
  (dom.bundles || []).forEach((box, k) => {
    const bundle = model.bundles[k], last = Math.max(...bundle.neurons);
    const after = ev.terms.reduce((found, t, index) => (t.node > last ? index : found), -1);
    const step = steps[state.step];             // step.end: how many terms are done
    const known = step.phase === "backward" && step.end > after && !hiddenGrad(bundle.neurons[0]);
    const matrix = bundleMatrix(k, "grads"), largest = largestOf(matrix);
    const colours = matrix.flat().map((x) => (known ? heat(x, largest) : "#ffffff"));
    box.cells.forEach((cell, c) => cell.setAttribute("fill", colours[c]));
    setText(box.scale, `|${bundle.word}| ≤ ${known ? fmt(largest) : "?"}`);
    const top = largestEntries(matrix, box.top.length);
    box.top.forEach((text, n) => {
      setText(text, known ? `w[${top[n][0]},${top[n][1]}] = ${fmt(top[n][2])}` : "?");
    });
    if (!box.group) return;
    const active = view.terms.some((t) => bundle.neurons.includes(t.node));
    box.group.classList.toggle("zg-focus", active);                   // the step is in it
    const open = state.bundle === k || (state.follow || {}).bundle === k;
    box.group.classList.toggle("zg-selected", open);
  });
}

function openBundle(k) {
  Object.assign(state, {bundle: k, follow: null, selected: null, highlight: new Set()});
  render();
}

// A bundle explained: what it holds, its rule, its largest gradients and every weight as a
// cell of a heat map; a click on one follows that weight to the output.
function bundlePanel(k) {
  const bundle = model.bundles[k], values = bundleMatrix(k, "values");
  const grads = bundleMatrix(k, "grads"), largest = largestOf(grads);
  const lines = [[say("bundle open", {title: bundle.title, layer: bundle.layer}), "zg-strong"],
                 [say("bundle rule", {activation: bundle.activation}), "zg-blue"],
                 [say("bundle pick")]];
  const cell = (i, j) => say("bundle cell",
                             {i, j, value: fmt(values[i][j]), grad: fmt(grads[i][j])});
  const top = largestEntries(grads, 4).map(([i, j]) => followButton(k, i, j, cell(i, j)));
  const grid = document.createElement("div");
  grid.className = "zg-heat";
  grid.style.setProperty("--columns", String(grads[0].length));
  grads.forEach((row, i) => row.forEach((x, j) => {
    const button = followButton(k, i, j, "");
    Object.assign(button, {id: `zg-cell-${i}-${j}`, title: cell(i, j)});
    button.style.background = heat(x, largest);
    grid.append(button);
  }));
  return [...paragraphs(lines), ...top, grid];
}

function followButton(k, row, column, text) {
  const button = Object.assign(document.createElement("button"),
                               {type: "button", textContent: text});
  button.addEventListener("click", () => follow(k, row, column));
  return button;
}

function backButton() {
  const {bundle} = state.follow;
  const button = Object.assign(document.createElement("button"), {type: "button",
    id: "zg-back-bundle", textContent: model.bundles[bundle].title});
  button.addEventListener("click", () => openBundle(bundle));
  return button;
}

// Weight w[row, column] of bundle k followed to the output: its local partial into its
// neuron, then at each node the use with the largest term, each local partial written out;
// their product, and how it relates to grad(w) (equal when there is one path only).
function follow(k, row, column) {
  const bundle = model.bundles[k];
  Object.assign(state, {follow: {bundle: k, row, column}, bundle: null, selected: null});
  state.highlight = new Set(followPath(bundle.neurons[row]).path);
  render();
}

// From node `start` to the output, taking at each node the use with the largest term.
function followPath(start) {
  const path = [start], steps = [], branches = [];
  for (let node = start; node !== ROOT;) {
    const uses = ev.terms.filter((t) => t.parent === node);
    if (!uses.length) break;
    const size = (t) => Math.abs(shown(t.term));
    const use = uses.reduce((best, t) => (size(t) > size(best) ? t : best));
    if (uses.length > 1) branches.push([node, uses.length]);
    steps.push(use);
    path.push(use.node);
    node = use.node;
  }
  return {path, steps, branches};
}

// How many paths lead from each node to the output (terms run from the output back).
function pathCounts() {
  const count = new Array(N).fill(0);
  count[ROOT] = 1;
  for (const t of ev.terms) count[t.parent] += count[t.node];
  return count;
}

function followLines({bundle: k, row, column}) {
  const bundle = model.bundles[k], neuron = bundle.neurons[row], w = bundle.weights[row][column];
  const group = {...model.nodes[neuron].group, inputs: [w]};
  const local = shown(groupPartials(primitive, group, ev.base.values, ev.base.partials)[0]);
  const {steps, branches} = followPath(neuron);
  const ij = {i: row, j: column};
  const lines = [
    [say("bundle path title", {...ij, layer: bundle.layer, who: who(neuron), root: who(ROOT)}),
     "zg-strong"],
    [say("bundle path local", {...ij, neuron: who(neuron), partial: fmt(local),
                               activation: bundle.activation}), "zg-blue"]];
  let product = local;
  for (const t of steps) {
    const partial = shown(t.partial);
    product *= partial;
    const branch = branches.find(([node]) => node === t.parent);
    if (branch) lines.push([say("bundle path branch", {who: who(branch[0]), count: branch[1]})]);
    lines.push([say("bundle path step", {child: who(t.node), parent: who(t.parent),
                                         partial: fmt(partial)}), "zg-blue"]);
  }
  const factors = [local, ...steps.map((t) => shown(t.partial))].map((x) => paren(fmt(x)));
  lines.push([say("bundle path product", {root: who(ROOT), factors: factors.join(" × "),
                                          product: fmt(product)}), "zg-red"]);
  const paths = pathCounts()[neuron], grad = fmt(shown(ev.base.grads[w]));
  lines.push([paths === 1 && !model.batch_size ? say("bundle path exact", {...ij, grad})
    : say("bundle path sum", {...ij, paths, grad}), "zg-red"]);
  if (model.batch_size) {
    lines.push([say("bundle path batch", {k: state.sample, n: model.batch_size})]);
  }
  return lines;
}

// A neuron's weights and bias with their gradients: "w₀ = 0.12 → -0.03, …, b = 0 → 0.5".
function weightLines(i) {
  const params = model.nodes[i].group.params, base = ev.base;
  const name = (k) => (k === params.length - 1 ? "b" : `w${subscript(k)}`);
  const text = params.map((p, k) =>
    `${name(k)} = ${fmt(shown(base.values[p]))} → ${fmt(shown(base.grads[p]))}`);
  return [[say("bundle neuron weights")], [text.join(", ")]];
}

// ---------------------------------------------------------------- the quiz

function renderQuiz() {
  $("zg-quiz-toggle").checked = state.quiz;
  $("zg-quiz-mode").value = state.quizMode;
  document.body.classList.toggle("zg-quiz-on", state.quiz);
  const asked = state.asked;
  let question = "";
  if (state.quiz) {
    question = asked === null ? say("quiz done")
      : say(state.quizMode === "grad" ? "ask grad" : "ask value", {who: who(asked)});
  }
  setText($("zg-question"), question);
  $("zg-answer").disabled = $("zg-check").disabled = !state.quiz || asked === null;
  setText($("zg-feedback"), unrepeat(state.feedback));
  setText($("zg-score"), say("score", {right: state.right, answered: state.tries}));
}

// The number a question expects: this sample's value or gradient (a float node's batch total).
function expected(i) {
  return shown(state.quizMode === "grad" ? ev.grads[i] : ev.values[i]);
}

// A number typed in a field, as a learner with an IME types it too: NFKC turns full-width
// digits, signs, points and spaces into ASCII ("－０．３８７５" -> "-0.3875"); spaces
// anywhere and the minus sign − are accepted. undefined when it is not a number.
function parseAnswer(text) {
  const word = text.normalize("NFKC").replace(/\s+/g, "").toLowerCase().replaceAll("−", "-");
  const named = {"inf": Infinity, "+inf": Infinity, "-inf": -Infinity, "nan": NaN}[word];
  if (named !== undefined) return named;
  return word === "" ? undefined : (Number.isNaN(Number(word)) ? undefined : Number(word));
}

// Right when it rounds to the same 4 significant digits as the truth (what the picture
// shows: fmt), or lies within 0.1% of it (a product of rounded numbers), or within 1e-6 near
// 0; inf and nan must match exactly. The page says so (TEXT "quiz rule").
function close(answer, truth) {
  if (truth !== truth) return answer !== answer;
  if (!Number.isFinite(truth)) return answer === truth;
  if (fmt(answer) === fmt(truth)) return true;
  const gap = Math.abs(answer - truth);
  return gap <= 1e-6 || gap <= 1e-3 * Math.abs(truth);
}

function check() {
  const i = state.asked;
  if (!state.quiz || i === null) return;
  const answer = parseAnswer($("zg-answer").value);
  if (answer === undefined) {
    state.feedback = say("not a number");
  } else {
    state.tries += 1;
    if (close(answer, expected(i))) {
      state.right += 1;
      state.answered.add(i);
      state.feedback = `${say("right")} ${computationOrGrad(i)}`;
      $("zg-answer").value = "";
    } else {
      state.feedback = say("wrong", {hint: hint(i)});
      $("zg-answer").select();                     // typing again replaces the wrong answer
    }
  }
  render();
}

function computationOrGrad(i) {
  if (state.quizMode === "value") return nodeComputation(i);
  return `grad(${who(i)}) = ${fmt(expected(i))}`;
}

// A hint: the rule and the two numbers to multiply, or the terms to add at a branch point.
function hint(i) {
  if (state.quizMode === "value") return say("hint value", {what: nodeComputation(i, true)});
  const uses = ev.terms.filter((t) => t.parent === i);
  const terms = uses.map((t) => {
    const upstream = hiddenGrad(t.node) ? `grad(${who(t.node)})` : fmt(shown(t.upstream));
    return `[${ruleLine(t.node, t.slot, valueSlots(model.nodes[t.node]).indexOf(t.slot))}] × ${paren(upstream)}`;
  });
  const text = terms.join(" + ");
  return uses.length > 1 ? `${say("branch")}: ${say("hint grad", {terms: text})}` : say("hint grad", {terms: text});
}

function setQuiz(on, mode = state.quizMode) {
  const changed = on !== state.quiz || mode !== state.quizMode;
  state.quiz = on;
  state.quizMode = mode;
  if (changed) {
    state.answered = new Set();
    state.feedback = "";
  }
  if (on) state.step = mode === "grad" ? N : N - 1;   // the seed step, or the whole forward pass
  render();
}

// ---------------------------------------------------------------- the live inputs

let leaves = [];

function buildLeafInputs() {
  const box = $("zg-leaves");
  box.replaceChildren();
  leaves = [...model.nodes.keys()].filter((i) => !model.nodes[i].op);
  for (const i of leaves) {
    const start = shown(model.nodes[i].value);
    const span = Math.max(3, 2 * Math.abs(Number.isFinite(start) ? start : 0));
    const row = document.createElement("div");
    row.className = "zg-leaf";
    const label = document.createElement("label");
    label.textContent = who(i);
    label.htmlFor = `zg-input-${i}`;
    const field = Object.assign(document.createElement("input"),
                                {type: "text", inputMode: "decimal", autocomplete: "off",
                                 id: `zg-input-${i}`});      // text: full-width digits work
    const range = Object.assign(document.createElement("input"), {type: "range", id: `zg-range-${i}`});
    const centre = Number.isFinite(start) ? start : 0;
    Object.assign(range, {min: String(centre - span), max: String(centre + span), step: "any"});
    field.addEventListener("input", () => {
      const x = parseAnswer(field.value);
      if (x !== undefined) setLeaf(i, x);
    });
    range.addEventListener("input", () => setLeaf(i, Number(range.value)));
    row.append(label, field, range);
    box.append(row);
  }
}

function renderLeaves() {
  for (const i of leaves) {
    const x = shown(ev.values[i]), field = $(`zg-input-${i}`), range = $(`zg-range-${i}`);
    const stale = field && !Object.is(parseAnswer(field.value), x);
    if (stale && document.activeElement !== field) field.value = String(x);
    if (range && document.activeElement !== range) range.value = String(x);
  }
}

// Change leaf i of the current view (this sample's entry of a batch) and recompute everything
// with the rule table. The changes are kept by the leaf's index in the primitive model.
function setLeaf(i, x) {
  if (model.nodes[i].op) throw new Error(`node ${i} is not a leaf`);
  const p = view.name === "layer" ? model.nodes[i].source : i;
  const old = p in state.leaves ? state.leaves[p] : primitive.nodes[p].value;
  // a batch of one sample stands for every sample (sampleOf): editing it changes that one
  const mine = (k) => k === state.sample || old.length === 1;
  state.leaves[p] = isBatch(old) ? old.map((v, k) => (mine(k) ? Number(x) : v)) : Number(x);
  ev = evaluateView();
  render();
}

// ---------------------------------------------------------------- the two views

// Show a view: its picture, its leaves, its steps (at the end, or at the quiz's start); the
// quiz's answers and the selection belong to a view and start again.
function useView(name) {
  if (!views[name].svg && views.layer) name = "layer";     // no picture of the operations
  view = views[name];
  [model, steps] = [view.model, view.steps[state.mode]];
  [N, ROOT] = [model.nodes.length, model.nodes.length - 1];
  $("zg-graph").replaceChildren(view.svg);
  if (!view.dom) {
    view.dom = dom = {nodes: [], copies: [], edges: [], consts: []};
    findPicture();
    connectPicture();
  }
  dom = view.dom;
  $("zg-slider").max = String(steps.length - 1);
  Object.assign(state, {selected: null, highlight: new Set(), answered: new Set(), feedback: "",
                        bundle: null, follow: null});
  state.step = state.quiz ? (state.quizMode === "grad" ? N : N - 1) : steps.length - 1;
  ev = evaluateView();
  buildLeafInputs();
  layoutPicture();
  if ($("zg-view")) {
    setText($("zg-view"), say(name === "layer" ? "primitive view" : "layer view"));
    setText($("zg-view-note"), say(name === "layer" ? "view now layer" : "view now primitive"));
    $("zg-view-note").classList.remove("zg-expanded");
  }
}

// Layer view, composite i: the primitive view, with the composite's nodes marked.
function expand(i) {
  const group = model.nodes[i].group;
  useView("primitive");
  state.highlight = new Set([...group.inner, group.output]);
  state.selected = group.output;
  setText($("zg-view-note"), say("expanded note", {kind: group.label}));
  $("zg-view-note").classList.add("zg-expanded");
  render();
  const output = dom.nodes[group.output].group;
  if (output && output.scrollIntoView) output.scrollIntoView({block: "center", inline: "center"});
}

// Primitive view, node i inside a composite: the layer view, that composite selected.
function collapseInto(i) {
  const j = memberOf.get(i);
  useView("layer");
  state.selected = j;
  state.highlight = new Set([j]);
  render();
}

function connectPicture() {
  dom.nodes.forEach(({group, op}, i) => {
    if (group) group.addEventListener("click", () => select(i));
    if (op && model.nodes[i].group) {
      op.addEventListener("click", () => (views.primitive.svg ? expand(i) : select(i)));
    }
  });
  dom.bundles.forEach(({group}, k) => {
    if (group) group.addEventListener("click", () => openBundle(k));
  });
}

function select(i) {
  Object.assign(state, {selected: i, bundle: null, follow: null, highlight: new Set()});
  render();
}

// ---------------------------------------------------------------- the controls

function goTo(k) {
  state.step = Math.max(0, Math.min(steps.length - 1, Math.round(Number(k)) || 0));
  render();
}

// The step size, "arrow" or "node" (the "Step" control): the same point of the backward pass
// in the other size's steps (samePoint).
function setMode(mode) {
  if (!STEP_SIZES.includes(mode)) throw new Error(`unknown step size ${mode}: use arrow or node`);
  state.step = samePoint(steps, state.step, view.steps[mode]);
  state.mode = mode;
  steps = view.steps[mode];
  $("zg-slider").max = String(steps.length - 1);
  render();
}

function togglePlay() {
  if (state.playing) {
    clearInterval(state.playing);
    state.playing = null;
  } else {
    if (state.step === steps.length - 1) state.step = 0;
    state.playing = setInterval(() => {
      if (state.step >= steps.length - 1) togglePlay();
      else goTo(state.step + 1);
    }, 900 / Number($("zg-speed").value));        // the speed control: 0.5× to 4×
  }
  render();
}

function writeFragment() {
  const fragment = `#step=${state.step + 1}&mode=${state.mode}` +
    (model.batch_size ? `&sample=${state.sample}` : "") +
    (layerModel ? `&view=${view.name}` : "");
  if (location.hash === fragment) return;
  try {
    history.replaceState(null, "", fragment);
  } catch (error) {
    // an iframe's srcdoc page may not have a URL of its own to change: nothing to keep then
  }
}

function readFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const wanted = layerModel && params.get("view") === "primitive" ? "primitive"
    : (layerModel ? "layer" : "primitive");
  const mode = STEP_SIZES.includes(params.get("mode")) ? params.get("mode")
    : (view.dom ? state.mode : defaultMode(views[wanted]));     // opening: the view's default
  if (wanted !== view.name || !view.dom) {
    state.mode = mode;
    useView(wanted);
  } else if (mode !== state.mode) {
    [state.mode, steps] = [mode, view.steps[mode]];
    $("zg-slider").max = String(steps.length - 1);
  }
  if (params.has("step")) {                       // counted from 1, as on the page
    state.step = Math.max(0, Math.min(steps.length - 1, (Number(params.get("step")) || 1) - 1));
  }
  const sample = Number(params.get("sample"));
  if (model.batch_size && Number.isInteger(sample) && sample >= 0 && sample < model.batch_size) state.sample = sample;
}

function onKey(event) {
  if (event.target.closest && event.target.closest("input, select, textarea")) return;
  const moves = {ArrowRight: state.step + 1, ArrowLeft: state.step - 1, Home: 0, End: steps.length - 1};
  if (event.key in moves) {
    event.preventDefault();
    goTo(moves[event.key]);
  } else if (event.key === " ") {
    event.preventDefault();
    togglePlay();
  }
}

function connect() {
  $("zg-first").addEventListener("click", () => goTo(0));
  $("zg-prev").addEventListener("click", () => goTo(state.step - 1));
  $("zg-next").addEventListener("click", () => goTo(state.step + 1));
  $("zg-last").addEventListener("click", () => goTo(steps.length - 1));
  $("zg-play").addEventListener("click", togglePlay);
  $("zg-speed").addEventListener("change", () => {    // playing: go on at the new speed
    if (state.playing) { togglePlay(); togglePlay(); }
  });
  $("zg-slider").addEventListener("input", () => goTo($("zg-slider").value));
  $("zg-step-size").addEventListener("change", () => setMode($("zg-step-size").value));
  if ($("zg-sample")) $("zg-sample").addEventListener("change", () => {
    state.sample = Number($("zg-sample").value);
    render();
  });
  $("zg-quiz-toggle").addEventListener("change", () => setQuiz($("zg-quiz-toggle").checked));
  $("zg-quiz-mode").addEventListener("change", () => setQuiz(state.quiz, $("zg-quiz-mode").value));
  $("zg-check").addEventListener("click", check);
  $("zg-answer").addEventListener("keydown", (event) => { if (event.key === "Enter") check(); });
  if ($("zg-view")) $("zg-view").addEventListener("click", () => {
    useView(view.name === "layer" ? "primitive" : "layer");
    render();
  });
  document.addEventListener("keydown", onKey);
  window.addEventListener("hashchange", () => { readFragment(); render(); });
  $("zg-fit").addEventListener("click", () => { state.fit = !state.fit; layoutPicture(); });
  $("zg-smaller").addEventListener("click", () => setSize(state.size - 0.1));
  $("zg-larger").addEventListener("click", () => setSize(state.size + 0.1));
  window.addEventListener("resize", layoutPicture);
  watchPanelWidth();
  dragToPan($("zg-graph"));
  if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
}

if (window.parent !== window) document.body.classList.add("zg-embedded");   // in Jupyter
if (!views.primitive.svg && $("zg-view")) {        // too large to draw: say so on the toggle
  $("zg-view").disabled = true;
  $("zg-view").title = $("zg-no-picture").textContent;
}
readFragment();
if (state.quiz) state.step = location.hash.includes("step=") ? state.step : N;
connect();
render();

// model, steps and ev are the current view's (the primitive model's without a layer view).
window.zerograd = {
  get model() { return model; }, get steps() { return steps; }, get view() { return view.name; },
  get ev() { return ev; }, get mode() { return state.mode; }, views: {primitive, layer: layerModel},
  evaluate, evaluateLayer, groupPartials, state, goTo, setLeaf, useView, expand, collapseInto,
  render, RULES, PARTIALS, FORWARD, fmt, setQuiz, check, computation, partialLine, setMode,
  openBundle, follow, heat, layoutPicture, setSize};
})();
