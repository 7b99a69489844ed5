"""IEEE arithmetic without exceptions or warnings, detect_anomaly, and no_grad."""

import math
import threading
import warnings
from contextlib import contextmanager

import numpy as np
import pytest

import autograd
from autograd import AnomalyError, Value, detect_anomaly, no_grad


@pytest.fixture(autouse=True)
def no_warnings_at_all():
    """Record every warning not already filtered, and fail the test if there was any."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("always", append=True)
        yield
    assert [str(warning.message) for warning in caught] == []


@pytest.mark.parametrize("compute, expected", [
    (lambda: Value(0.0).log(), -math.inf),
    (lambda: Value(-1.0).log(), math.nan),
    (lambda: 1 / Value(0.0), math.inf),
    (lambda: -1 / Value(0.0), -math.inf),
    (lambda: Value(0.0) / Value(0.0), math.nan),
    (lambda: Value(1000.0).exp(), math.inf),
    (lambda: Value(-8.0) ** (1 / 3), math.nan),
    (lambda: Value(0.0) ** -1, math.inf),
    (lambda: Value(10.0) ** 400, math.inf),
    (lambda: 2 ** Value(5000.0), math.inf),
    (lambda: Value(1e308) * 10.0, math.inf),
    (lambda: Value(math.inf).sin(), math.nan),
    (lambda: Value(-math.inf).cos(), math.nan),
])
def test_ieee_results_instead_of_exceptions(compute, expected):
    result = compute().data
    assert (math.isnan(result) and math.isnan(expected)) or result == expected


def test_ieee_results_on_batches_without_warnings():
    x = Value(np.array([0.0, -1.0, 1000.0]))
    assert np.array_equal(x.log().data[:1], [-np.inf]) and np.isnan(x.log().data[1])
    assert (1 / x).data[0] == np.inf and x.exp().data[2] == np.inf
    assert np.isnan(Value(np.array([1.0, np.inf])).sin().data[1])
    assert np.isnan(Value(np.array([-np.inf, 1.0])).cos().data[0])
    (x.log() * x).sum().backward()          # 0 * -inf = nan, quietly


def test_gradients_follow_ieee_too():
    x = Value(0.0)
    (x ** 0.5).backward()                    # d sqrt(x)/dx = inf at 0
    assert x.grad == math.inf


def test_anomaly_in_a_value_names_the_op_inputs_and_node():
    x = Value(-1.0, name="x")
    with detect_anomaly():
        with pytest.raises(AnomalyError, match=r"log node.*nan.*inputs: \(x=-1\)"):
            x.log()
    assert isinstance(AnomalyError("x"), ArithmeticError)


def test_anomaly_in_a_gradient_names_the_op():
    x = Value(0.0, name="x")
    with detect_anomaly():
        y = x ** 0.5                         # value 0 is fine; its partial is inf
        with pytest.raises(AnomalyError, match=r"pow node passes back a gradient of inf"):
            y.backward()


def test_anomaly_mode_leaves_square_of_negative_alone():
    with detect_anomaly():
        x = Value(-3.0)
        y = x ** 2
        y.backward()
        [dy] = autograd.grad(y, [x], create_graph=True)
        [d2y] = autograd.grad(dy, [x])
    assert x.grad == -6.0 and d2y == 2.0


@pytest.mark.parametrize("op", ["sin", "cos"])
def test_anomaly_in_sin_or_cos_of_inf_names_the_op_and_the_nan(op):
    x = Value(math.inf, name="x")
    with detect_anomaly():
        with pytest.raises(AnomalyError, match=rf"{op} node.*gave nan.*inputs: \(x=inf\)"):
            getattr(x, op)()
        with pytest.raises(AnomalyError, match=rf"{op} node.*nan at sample 1"):
            getattr(Value(np.array([0.5, -np.inf])), op)()


def test_anomaly_in_a_batch_names_the_sample():
    with detect_anomaly(), pytest.raises(AnomalyError, match="at sample 1"):
        Value(np.array([1.0, -1.0])).log()


def test_modes_restore_after_exceptions_and_nest():
    from autograd import modes
    with pytest.raises(RuntimeError):
        with detect_anomaly():
            raise RuntimeError("boom")
    with no_grad():
        with no_grad():
            pass
        assert (Value(1.0) * 2).parents == ()
    assert modes.recording() and not modes.anomaly_on() and modes._modes_on == 0
    assert Value(-1.0).log().op == "log"


def test_no_grad_records_no_parents():
    x = Value(2.0)
    with no_grad():
        y = x * x + 1.0
    assert y.data == 5.0 and y.parents == () and y.op == ""
    y.backward()
    assert x.grad == 0.0


# ------------------------------------------------------------------ detect_anomaly on batches

def test_detect_anomaly_runs_a_finite_batch_backward():
    w, x = Value(0.5), Value(np.array([1.0, 2.0]))
    with detect_anomaly():
        (w * x).sum().backward()
    assert w.grad == 3.0 and np.array_equal(x.grad, [0.5, 0.5])


def test_forward_anomaly_with_an_array_constant_names_the_sample():
    x = Value(np.array([0.0, 2.0]), name="x")
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"div node gave nan at sample 0"):
        x / np.array([0.0, 1.0])


def test_a_minibatch_training_step_runs_under_detect_anomaly_and_names_a_bad_sample():
    import nn
    rng = np.random.default_rng(0)
    X, labels = rng.normal(size=(16, 3)), rng.integers(0, 2, size=16)
    model = nn.MLP(3, [5, 2], activation="sigmoid", output_activation="softmax", seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    with detect_anomaly():
        loss = nn.softmax_cross_entropy(model([Value(c) for c in X.T]), labels)
        loss.backward()
        optimizer.step()
    assert np.isfinite(loss.data)
    X[5, 1] = np.inf                                  # one bad sample in the batch
    with detect_anomaly(), pytest.raises(AnomalyError, match="at sample 5"):
        nn.softmax_cross_entropy(model([Value(c) for c in X.T]), labels).backward()


def test_anomaly_in_a_batch_gradient_names_the_sample():
    x = Value(np.array([4.0, 0.0, 1.0]))
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"gradient of inf at sample 1"):
        (x ** 0.5).sum().backward()


# ------------------------------------------------------------------ modes are per thread

def _in_thread(work):
    """Run work() in a new thread and return what it returned (or raise what it raised)."""
    results = []
    thread = threading.Thread(target=lambda: results.append(_capture(work)))
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    outcome, value = results[0]
    if outcome == "raised":
        raise value
    return value


def _capture(work):
    try:
        return "returned", work()
    except BaseException as error:   # noqa: BLE001  (handed back to the main thread)
        return "raised", error


@contextmanager
def _another_thread_inside(mode):
    """For the duration of the block, another thread sits inside `with mode():`."""
    entered, done = threading.Event(), threading.Event()

    def hold():
        with mode():
            entered.set()
            done.wait(timeout=30)

    worker = threading.Thread(target=hold)
    worker.start()
    assert entered.wait(timeout=30)
    try:
        yield
    finally:
        done.set()
        worker.join(timeout=30)


def test_no_grad_in_one_thread_does_not_stop_another_thread_recording():
    with _another_thread_inside(no_grad):
        x = Value(3.0)
        y = x * x
        assert y.parents == (x, x)            # this thread still records
        y.backward()
        assert x.grad == 6.0


def test_interleaved_no_grad_blocks_in_two_threads_leave_recording_on():
    steps = [threading.Event() for _ in range(4)]

    def first():                              # enters first, leaves first
        with no_grad():
            steps[0].set()
            steps[1].wait(timeout=30)
        steps[2].set()

    def second():                             # enters second, leaves last
        steps[0].wait(timeout=30)
        with no_grad():
            steps[1].set()
            steps[2].wait(timeout=30)
        steps[3].set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(step.is_set() for step in steps)
    x = Value(2.0)
    assert (x * x).parents == (x, x)
    assert _in_thread(lambda: (x * x).parents) == (x, x)


def test_detect_anomaly_in_one_thread_does_not_raise_in_another():
    with _another_thread_inside(detect_anomaly):
        assert np.isnan(Value(-1.0).log().data)   # no AnomalyError in this thread
        with detect_anomaly(), pytest.raises(AnomalyError):
            Value(-1.0).log()


def test_a_new_thread_starts_with_recording_on_and_anomaly_off():
    with no_grad(), detect_anomaly():
        parents, value = _in_thread(lambda: ((Value(1.0) * 2).parents, Value(-1.0).log().data))
    assert len(parents) == 1 and np.isnan(value)
