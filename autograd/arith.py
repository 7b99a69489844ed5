"""IEEE-754 arithmetic on the two kinds of data a Value holds: a float, or a 1-D batch array.

Python floats raise where IEEE arithmetic gives inf or nan (`1.0 / 0.0`, `math.exp(1000)`,
`math.log(-1)`, `math.sin(inf)`); numpy arrays warn instead. Here both follow IEEE quietly, like
numpy with warnings off and like PyTorch: `log(0)` is -inf, `log(-1)` is nan, `1/0` is inf,
`sin(inf)` is nan. Each function takes the fast Python path first and falls back to numpy (or
IEEE's answer) only when Python would raise.

The functions that the rule table (`rules.py`) calls inside its partials (power, exp, log,
sin, cos, sqrt) also take a Value: then they are the primitive itself, a new node, which is how
`create_graph` builds the backward pass as a graph.

It also holds `summary`, the one short text for either kind of data in messages and repr.

Read next: `rules.py`, the first file of the reading order (see `__init__.py`).
"""

import math
import warnings

import numpy as np

Data = float | np.ndarray


def quiet_batch_warnings() -> None:
    """Silence numpy's floating-point RuntimeWarnings raised on autograd's own lines (only there).

    Called on import and whenever a batch array enters the engine, because a
    `warnings.catch_warnings()` block around our import (pytest has one) drops the filter.
    """
    if _QUIET not in warnings.filters:
        _add_quiet_filter()


def _add_quiet_filter() -> None:
    warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"autograd(\.|$)")


_add_quiet_filter()
_QUIET = warnings.filters[0]


def quietly(ufunc, *args) -> float:
    """`ufunc(*args)` on floats with IEEE results and no warnings, as a Python float."""
    with np.errstate(all="ignore"):
        return float(ufunc(*args))


# ---------------------------------------------------------------- what a Value may hold

_NUMBERS = (int, float, np.integer, np.floating)  # bool counts as an int


def constant(x, beside: Data | None = None) -> float | np.ndarray | None:
    """x as a constant operand (a float, or a batch array), or None if x is not a number.

    A batch array must hold as many samples as the data it meets (`beside`), if that is a batch.
    """
    if type(x) is float:
        return x
    if isinstance(x, (_NUMBERS, np.ndarray)):
        c = as_data(x)
        if type(c) is np.ndarray and type(beside) is np.ndarray:
            same_batch(beside, c)
        return c
    return None


def mismatch(*data: Data) -> ValueError:
    """The error for batches of different sizes in one operation (numpy would say "could not be
    broadcast"): every batch in one graph holds one value per sample of the same samples."""
    sizes = " and ".join(f"{d.size} samples" for d in data if type(d) is np.ndarray)
    return ValueError(f"batches of different sizes meet in one operation ({sizes}); every batch "
                      f"in one graph must hold one value per sample of the same samples: take "
                      f"the inputs and the targets from the same rows (X[i:j] and y[i:j])")


def same_batch(*data: Data) -> None:
    """Raise `mismatch` unless the batch arrays among data hold the same number of samples (a
    batch of one sample is broadcast to every sample, as numpy does)."""
    if len({d.size for d in data if type(d) is np.ndarray} - {1}) > 1:
        raise mismatch(*data)


def as_data(data) -> float | np.ndarray:
    """Check what a Value may hold: a real number (kept as float) or a 1-D batch array."""
    if isinstance(data, _NUMBERS):
        try:
            return float(data)
        except OverflowError:
            raise ValueError(f"Value data {data} is too large for a float") from None
    if isinstance(data, np.ndarray):
        return _as_batch(data)
    shown = repr(data) if len(repr(data)) < 60 else repr(data)[:57] + "..."
    raise TypeError(f"Value data must be an int, a float, a numpy real scalar or a 1-D numpy "
                    f"array of reals (a batch); got {type(data).__name__} {shown}")


def _as_batch(array: np.ndarray) -> float | np.ndarray:
    if array.dtype.kind not in "biuf":
        raise TypeError(f"a batch array must hold real numbers; got dtype {array.dtype}")
    if array.ndim == 0:
        return float(array)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"a batch array must be 1-D with at least one sample (one value per "
                         f"sample); got shape {array.shape}")
    quiet_batch_warnings()
    return np.array(array, dtype=float)  # a copy: later changes to the caller's array don't leak


# ---------------------------------------------------------------- IEEE arithmetic


def divide(a: Data, b: Data) -> Data:
    """a / b, with inf or nan for a zero divisor."""
    try:
        return a / b
    except ZeroDivisionError:
        return quietly(np.divide, a, b)
    except ValueError:
        raise mismatch(a, b) from None        # numpy: two batches of different sizes


def power(a: Data, b: Data) -> Data:
    """a ** b, real-valued: nan for a negative base with a fractional exponent."""
    if type(a) is float and type(b) is float:
        try:
            return math.pow(a, b)
        except (ValueError, OverflowError, ZeroDivisionError):
            return quietly(np.power, a, b)
    if is_node(a) or is_node(b):
        return a ** b                         # a Value: the pow node
    same_batch(a, b)
    return np.power(a, b)


def exp(a: Data) -> Data:
    """e ** a, with inf on overflow."""
    if type(a) is float:
        try:
            return math.exp(a)
        except OverflowError:
            return math.inf
    return np.exp(a) if type(a) is np.ndarray else a.exp()


def log(a: Data) -> Data:
    """Natural log: -inf at 0, nan below 0."""
    if type(a) is float:
        return math.log(a) if a > 0.0 else quietly(np.log, a)
    return np.log(a) if type(a) is np.ndarray else a.log()


def sqrt(a: Data) -> Data:
    """Square root: nan below 0."""
    if type(a) is float:
        return math.sqrt(a) if a >= 0.0 else math.nan
    return np.sqrt(a) if type(a) is np.ndarray else a.sqrt()


def sin(a: Data) -> Data:
    """sin a: nan at +-inf (math.sin raises there)."""
    if type(a) is float:
        return math.sin(a) if math.isfinite(a) else math.nan
    return np.sin(a) if type(a) is np.ndarray else a.sin()


def cos(a: Data) -> Data:
    """cos a: nan at +-inf (math.cos raises there)."""
    if type(a) is float:
        return math.cos(a) if math.isfinite(a) else math.nan
    return np.cos(a) if type(a) is np.ndarray else a.cos()


def is_node(x) -> bool:
    """True for a node of the graph (a Value): it has local partials; numbers have none."""
    return hasattr(x, "partials")


def numbers_of(x) -> Data:
    """The number(s) of a Value, or x itself (a float or a batch array)."""
    return x.data if is_node(x) else x


def step(a: Data) -> Data:
    """1.0 where a > 0, else 0.0 (the perceptron's step and relu's partial)."""
    if type(a) is float:
        return 1.0 if a > 0.0 else 0.0
    return (a > 0.0).astype(float)


def relu(a: Data) -> Data:
    """max(a, 0): exactly 0.0 for every a <= 0 (-inf and -0.0 included); nan stays nan."""
    if type(a) is float:
        return a if a > 0.0 or a != a else 0.0
    out = np.maximum(a, 0.0)
    out += 0.0                                   # turns -0.0 into 0.0
    return out


def sign(a: Data) -> Data:
    """1.0 where a >= 0, else -1.0; -1.0 for -0.0 too, so that odd functions keep its sign."""
    if type(a) is float:
        return math.copysign(1.0, a)
    return np.copysign(1.0, a)


def exp_rounding_error(y: Data, e: Data) -> Data:
    """e^y - e, where e is exp(y) rounded to a float, for e above 1/2 (else 0).

    ln e = y - r, where r is the relative rounding error of e, so e^y = e * e^r = e + e*r
    (r is about 1e-16, so r^2 is far below a float's precision). Near e = 1 this recovers the
    digits that `1 - e` loses to cancellation; below 1/2 nothing cancels, and it is 0.
    """
    if type(e) is float:
        return e * (y - math.log(e)) if e > 0.5 else 0.0
    with np.errstate(all="ignore"):
        return np.where(e > 0.5, e * (y - np.log(e)), 0.0)


def maximum(a: Data, b: Data) -> Data:
    """The larger of a and b (sample by sample): nan if either is nan; a at a tie."""
    if type(a) is float and type(b) is float:
        return math.nan if a != a or b != b else (a if a >= b else b)
    return np.where(np.isnan(a) | np.isnan(b), np.nan, np.where(a >= b, a, b))


def larger(a: Data, b: Data) -> Data:
    """1.0 where a > b, 0.5 where a == b, else 0.0 (nan included): d max(a, b)/da."""
    if type(a) is float and type(b) is float:
        return 1.0 if a > b else (0.5 if a == b else 0.0)
    return np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))


def largest(values: list) -> Data:
    """The element-wise maximum of floats and batch arrays (softmax's shift)."""
    if all(type(value) is float for value in values):
        return max(values)
    return np.max(np.broadcast_arrays(*values), axis=0)


def is_finite(data: Data) -> bool:
    """True when every entry of data is a finite number."""
    if type(data) is float:
        return math.isfinite(data)
    return bool(np.isfinite(data).all())


def summary(data: Data) -> str:
    """A short text for messages: the number, or a batch's size, first entries and mean.

    Negative zero is shown as 0 (`+ 0.0` turns -0.0 into 0.0): learners should not see "-0".
    """
    if isinstance(data, np.ndarray):
        head = np.array2string(data[:3] + 0.0, precision=4, separator=", ")[1:-1]
        more = ", ..." if data.size > 3 else ""
        return f"batch[{data.size}]([{head}{more}], mean={data.mean() + 0.0:.4g})"
    return f"{data + 0.0:.6g}"
