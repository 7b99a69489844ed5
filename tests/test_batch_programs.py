"""Random programs that mix float Values, batches and batches of one sample, run two ways.

A batch graph (one node per operation, holding all samples) must give exactly what one scalar
graph gives when every sample is spelled out as its own Value: the same outputs and the same
gradients, for float leaves (the sum over the samples that used them), batch leaves (one per
sample) and batches of one sample (broadcast, so also a sum). A float node may feed batch
nodes and float nodes in any order; reductions (sum, mean) may sit anywhere in the program.
The same programs under detect_anomaly must give bit-identical values and gradients.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
from autograd import Value, detect_anomaly

N = 4   # samples in a batch

# ------------------------------------------------------------------ the operations
# Every operation works on Values, so the same code runs on batch nodes and on scalar ones.
# Each keeps values bounded, so both runs stay finite.
UNARY = {
    "neg": lambda x: -x,
    "exp": lambda x: (-(x * x)).exp(),
    "log": lambda x: (x * x + 1.0).log(),
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "sigmoid": autograd.sigmoid,
    "tanh": autograd.tanh,
    "relu": autograd.relu,
    "square": lambda x: x ** 2,
    "times_constant": lambda x: 0.5 * x - 1.5,
}
BINARY = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / (y * y + 1.0),
    "pow": lambda x, y: (autograd.sigmoid(x) + 0.5) ** autograd.tanh(y),
}
REDUCE = ("sum", "mean")


# ------------------------------------------------------------------ the two ways to run them

class BatchRun:
    """Each quantity is one Value: float, a batch of N samples, or a batch of one sample."""

    def leaf(self, kind, numbers):
        return Value(numbers[0] if kind == "float" else np.array(numbers))

    def unary(self, op, x):
        return UNARY[op](x)

    def binary(self, op, x, y):
        return BINARY[op](x, y)

    def reduce(self, op, x):
        return x.sum() if op == "sum" else x.mean()

    def output(self, x):
        return x.sum() if isinstance(x.data, np.ndarray) else x


class ScalarRun:
    """A float is one Value; a batch is a list of one scalar Value per sample (a batch of one
    sample is a list of one, broadcast to every sample like numpy broadcasts it)."""

    def leaf(self, kind, numbers):
        return Value(numbers[0]) if kind == "float" else [Value(v) for v in numbers]

    def unary(self, op, x):
        return [UNARY[op](v) for v in x] if isinstance(x, list) else UNARY[op](x)

    def binary(self, op, x, y):
        if not isinstance(x, list) and not isinstance(y, list):
            return BINARY[op](x, y)
        x, y = _broadcast(x), _broadcast(y)
        n = max(len(x), len(y))
        return [BINARY[op](x[k % len(x)], y[k % len(y)]) for k in range(n)]

    def reduce(self, op, x):
        if not isinstance(x, list):
            return x
        total = autograd.sum(x)
        return total if op == "sum" else total / len(x)

    def output(self, x):
        return autograd.sum(x) if isinstance(x, list) else x


def _broadcast(x):
    return x if isinstance(x, list) else [x]


def run(program, leaves, engine):
    """Evaluate a program; returns (output, leaf Values)."""
    made = [engine.leaf(kind, numbers) for kind, numbers in leaves]
    env = list(made)
    for op, i, j in program:
        x, y = env[i % len(env)], env[j % len(env)]
        if op in UNARY:
            env.append(engine.unary(op, x))
        elif op in BINARY:
            env.append(engine.binary(op, x, y))
        else:
            env.append(engine.reduce(op, x))
    # the output uses the last result and every float result, so floats feed both paths
    floats = [v for v in env if isinstance(v, Value) and isinstance(v.data, float)]
    out = engine.output(env[-1])
    return autograd.sum([out] + floats[-2:]), made


# ------------------------------------------------------------------ random programs

number = st.floats(-2.0, 2.0, allow_nan=False).map(lambda v: round(v, 3))
leaf = st.one_of(
    st.tuples(st.just("float"), st.lists(number, min_size=1, max_size=1)),
    st.tuples(st.just("batch"), st.lists(number, min_size=N, max_size=N)),
    st.tuples(st.just("one"), st.lists(number, min_size=1, max_size=1)),
)
operation = st.tuples(st.sampled_from(sorted(UNARY) + sorted(BINARY) + list(REDUCE)),
                      st.integers(0, 50), st.integers(0, 50))
programs = st.tuples(st.lists(operation, min_size=1, max_size=12),
                     st.lists(leaf, min_size=1, max_size=4))


def _gradients_per_leaf(made):
    """A leaf's gradient: one number, or one per sample (a list of scalar Values)."""
    return [np.array([v.grad for v in x]) if isinstance(x, list) else x.grad for x in made]


@settings(max_examples=300, deadline=None)
@given(programs)
def test_batch_graph_equals_one_scalar_graph_per_sample(program_and_leaves):
    program, leaves = program_and_leaves
    batch_out, batch_leaves = run(program, leaves, BatchRun())
    scalar_out, scalar_leaves = run(program, leaves, ScalarRun())
    batch_out.backward()
    scalar_out.backward()
    assert np.isclose(batch_out.data, scalar_out.data, rtol=1e-12, atol=1e-12)
    reached = set(autograd.topological_order(batch_out))
    for x, expected in zip(batch_leaves, _gradients_per_leaf(scalar_leaves)):
        if x in reached:                                   # else .grad is still 0.0
            assert np.shape(x.grad) == np.shape(x.data)    # .grad has data's shape
            assert type(x.grad) is type(x.data)
        assert np.allclose(x.grad, expected, rtol=1e-10, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(programs)
def test_detect_anomaly_changes_nothing_in_a_finite_program(program_and_leaves):
    program, leaves = program_and_leaves
    plain_out, plain_leaves = run(program, leaves, BatchRun())
    plain_out.backward()
    with detect_anomaly():
        checked_out, checked_leaves = run(program, leaves, BatchRun())
        checked_out.backward()
    assert np.array_equal(plain_out.data, checked_out.data)
    for plain, checked in zip(plain_leaves, checked_leaves):
        assert np.array_equal(plain.grad, checked.grad)


@settings(max_examples=100, deadline=None)
@given(programs)
def test_create_graph_gradients_equal_backward_on_mixed_programs(program_and_leaves):
    program, leaves = program_and_leaves
    out, made = run(program, leaves, BatchRun())
    as_values = autograd.grad(out, made, create_graph=True)
    out.backward()
    for x, gradient in zip(made, as_values):
        assert np.shape(gradient.data) == np.shape(x.data)
        assert np.allclose(gradient.data, x.grad, rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------ the reported cases

def test_float_value_on_a_batch_path_and_a_float_path_counts_each_once():
    x = Value(np.array([1.0, 2.0, 3.0, 4.0]))
    w = Value(0.5)
    out = (w * x).mean() + w * 2          # d/dw = mean(x) + 2 = 4.5 (PyTorch agrees)
    out.backward()
    assert w.grad == 4.5


@pytest.mark.parametrize("float_path_first", [True, False])
def test_the_order_in_which_the_two_paths_arrive_does_not_matter(float_path_first):
    x = Value(np.array([1.0, 2.0, 3.0]))
    w = Value(2.0)
    float_path, batch_path = w * w, (w * x).sum()       # d/dw: 2w = 4, sum(x) = 6
    out = float_path + batch_path if float_path_first else batch_path + float_path
    out.backward()
    assert w.grad == 10.0


def test_l2_penalty_with_a_batch_loss_is_not_multiplied_by_the_batch_size():
    import nn
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 2)), np.where(rng.normal(size=8) > 0, 1, -1)
    model = nn.MLP(2, [4, 1], activation="relu", seed=0)
    scores = model([Value(column) for column in X.T])
    loss = nn.hinge_loss(scores, y) + 1e-4 * nn.l2_penalty(model.parameters())
    loss.backward()
    with_penalty = [p.grad for p in model.parameters()]
    model.zero_grad()
    nn.hinge_loss(model([Value(column) for column in X.T]), y).backward()
    without = [p.grad for p in model.parameters()]
    penalty = [g1 - g0 for g1, g0 in zip(with_penalty, without)]
    expected = [2e-4 * p.data for p in model.parameters()]   # d(1e-4 * sum p^2)/dp
    assert np.allclose(penalty, expected, rtol=1e-6, atol=1e-15)


def test_a_batch_of_one_sample_broadcast_over_three_gets_the_summed_gradient():
    a, b = Value(np.array([2.0])), Value(np.array([1.0, 2.0, 3.0]))
    (a * b).sum().backward()
    assert a.grad.shape == (1,) and a.grad[0] == 6.0
    assert np.array_equal(b.grad, [2.0, 2.0, 2.0])
    [da] = autograd.grad((a * b).sum(), [a], create_graph=True)
    assert da.data.shape == (1,) and da.data[0] == 6.0
