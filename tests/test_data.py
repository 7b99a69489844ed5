"""Tests for nn/data.py: toy datasets, digits, IDX/MNIST reading and the training-loop helpers."""

import gzip
import struct
import sys

import numpy as np
import pytest

from nn import data

# type code -> big-endian dtype, as in the IDX format
IDX_CODES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
MNIST_NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def idx_bytes(array, type_code=0x08):
    """The bytes of an IDX file holding `array`."""
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(IDX_CODES[type_code]).tobytes()


def write(path, content, compress=False):
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


# --- toy datasets -------------------------------------------------------------------------------

def test_xor_points_and_labels():
    X, y = data.xor()
    assert X.shape == (4, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert set(map(tuple, X)) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert np.array_equal(y, np.logical_xor(X[:, 0], X[:, 1]))


@pytest.mark.parametrize("n", [2, 7, 100])
def test_moons_shape_dtype_and_balance(n):
    X, y = data.moons(n=n, seed=3)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [n // 2, n - n // 2]


@pytest.mark.parametrize("make", [lambda seed: data.moons(50, seed=seed),
                                  lambda seed: data.spiral(20, 3, seed=seed)])
def test_toy_datasets_reproducible_with_seed(make):
    (X1, y1), (X2, y2), (X3, _) = make(0), make(0), make(1)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.allclose(X1, X3)


def test_moons_lie_on_two_half_circles_without_noise():
    X, y = data.moons(40, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    assert np.allclose(np.hypot(*upper.T), 1.0) and (upper[:, 1] >= -1e-12).all()
    assert np.allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_moons_classes_are_apart_and_noise_moves_points():
    X, y = data.moons(400, noise=0.1, seed=0)
    assert X[y == 0, 1].mean() - X[y == 1, 1].mean() > 0.5
    assert X[y == 1, 0].mean() - X[y == 0, 0].mean() > 0.5
    distance_from_circle = np.hypot(*X[y == 0].T) - 1.0
    assert 0.05 < distance_from_circle.std() < 0.2


def test_spiral_shape_labels_and_radius():
    X, y = data.spiral(n_per_class=30, classes=4, seed=1)
    assert X.shape == (120, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [30] * 4
    for k in range(4):  # every arm goes out from the centre to radius 1
        assert np.allclose(np.hypot(*X[y == k].T), np.linspace(0, 1, 30))


@pytest.mark.parametrize("make", [
    lambda: data.moons(n=1), lambda: data.moons(n=10.0), lambda: data.moons(noise=-0.1),
    lambda: data.spiral(n_per_class=0), lambda: data.spiral(classes=0),
])
def test_toy_datasets_reject_bad_arguments(make):
    with pytest.raises(ValueError, match="must be"):
        make()


def test_digits_shape_range_and_classes():
    pytest.importorskip("sklearn")
    X, y = data.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert sorted(set(y.tolist())) == list(range(10))


def test_digits_without_sklearn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install -e '\.\[demos\]'"):
        data.digits()


# --- IDX files and MNIST ------------------------------------------------------------------------

@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("type_code, array", [
    (0x08, np.arange(2 * 3 * 4).reshape(2, 3, 4) * 10),
    (0x09, np.array([-128, -1, 0, 127])),
    (0x0B, np.array([[-30000, 2], [3, 30000]])),
    (0x0C, np.array([0, 9, -70000, 2**31 - 1])),
    (0x0D, np.array([0.5, -1.25, 3e10])),
    (0x0E, np.array([[np.pi, -1e-300]])),
])
def test_load_idx_reads_every_type(tmp_path, type_code, array, compress):
    # no .gz suffix even when compressed: gzip must be recognised by its magic bytes
    path = write(tmp_path / "file.idx", idx_bytes(array, type_code), compress)
    loaded = data.load_idx(path)
    assert loaded.shape == array.shape and loaded.dtype.isnative
    assert loaded.dtype == np.dtype(IDX_CODES[type_code]).newbyteorder("=")
    assert np.array_equal(loaded, array.astype(loaded.dtype))


def corrupt_gzip(content):
    packed = bytearray(gzip.compress(content))
    packed[12:20] = b"\xff" * 8  # garbage inside the deflate stream
    return bytes(packed)


IMAGES = np.arange(2 * 4 * 4).reshape(2, 4, 4)
BROKEN_FILES = {
    "truncated": (idx_bytes(IMAGES)[:-5], "found 27 (truncated file?)"),
    "trailing": (idx_bytes(IMAGES) + b"\x00\x00", "found 34 (trailing bytes"),
    "wrong-magic": (b"\x01\x00" + idx_bytes(IMAGES)[2:], "wrong magic"),
    "unknown-type": (b"\x00\x00\x0a" + idx_bytes(IMAGES)[3:], "type code 0x0A"),
    "zero-dims": (b"\x00\x00\x08\x00", "zero dimensions"),
    "short-header": (idx_bytes(IMAGES)[:9], "truncated file?"),
    "tiny": (b"\x00\x00", "too short"),
    "corrupt-gzip": (corrupt_gzip(idx_bytes(IMAGES)), "corrupt gzip data"),
    "cut-gzip": (gzip.compress(idx_bytes(IMAGES))[:-12], "corrupt gzip data"),
}


@pytest.mark.parametrize("name", BROKEN_FILES)
def test_load_idx_rejects_broken_files_naming_them(tmp_path, name):
    content, problem = BROKEN_FILES[name]
    path = write(tmp_path / "images-idx3-ubyte", content)
    with pytest.raises(ValueError) as info:
        data.load_idx(path)
    assert path.name in str(info.value) and problem in str(info.value)


def test_load_idx_truncation_message_gives_byte_counts(tmp_path):
    path = write(tmp_path / "short", idx_bytes(IMAGES)[:-5])
    with pytest.raises(ValueError, match="expected 32 bytes of data after the header, found 27"):
        data.load_idx(path)


def test_load_idx_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        data.load_idx(tmp_path / "nothing-here")


def write_fake_mnist(folder, n_train=5, n_test=3, gz=(False, True, False, True)):
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 256, (n_train, 28, 28)), rng.integers(0, 10, n_train),
              rng.integers(0, 256, (n_test, 28, 28)), rng.integers(0, 10, n_test)]
    for name, array, compress in zip(MNIST_NAMES, arrays, gz):
        write(folder / (name + ".gz" * compress), idx_bytes(array), compress)
    return arrays


def test_mnist_reads_a_fake_folder(tmp_path):
    images, labels, test_images, test_labels = write_fake_mnist(tmp_path)
    X_train, y_train, X_test, y_test = data.mnist(tmp_path)
    assert X_train.shape == (5, 784) and X_test.shape == (3, 784)
    assert X_train.dtype == X_test.dtype == np.float64
    assert y_train.dtype == y_test.dtype == np.int64
    assert np.allclose(X_train, images.reshape(5, 784) / 255)
    assert np.allclose(X_test, test_images.reshape(3, 784) / 255)
    assert np.array_equal(y_train, labels) and np.array_equal(y_test, test_labels)
    assert 0 <= X_train.min() and X_train.max() <= 1


def test_mnist_missing_folder_lists_expected_files(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        data.mnist(tmp_path / "no-such-folder")
    message = str(info.value)
    assert "no-such-folder" in message and "MNIST distribution" in message
    assert all(name in message for name in MNIST_NAMES)


def test_mnist_missing_one_file_is_named(tmp_path):
    write_fake_mnist(tmp_path)
    (tmp_path / "t10k-images-idx3-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match="missing in .*: t10k-images-idx3-ubyte\\."):
        data.mnist(tmp_path)


@pytest.mark.parametrize("remove", [[], MNIST_NAMES[1:3], MNIST_NAMES])
def test_mnist_missing_files_message_names_each_file_once(tmp_path, remove):
    write_fake_mnist(tmp_path, gz=(False,) * 4)
    for name in remove:
        (tmp_path / name).unlink()
    folder = tmp_path if remove else tmp_path / "absent"
    with pytest.raises(FileNotFoundError) as info:
        data.mnist(folder)
    message = str(info.value)
    expected = remove or MNIST_NAMES      # a missing folder lists all four files
    assert [message.count(name) for name in MNIST_NAMES] == [
        int(name in expected) for name in MNIST_NAMES]
    assert "\n" not in message and str(folder) in message


def test_mnist_folder_that_is_a_file_is_called_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="plain-file is not a folder"):
        data.mnist(write(tmp_path / "plain-file", b""))


def test_mnist_count_mismatch(tmp_path):
    write_fake_mnist(tmp_path)
    write(tmp_path / "train-labels-idx1-ubyte.gz", idx_bytes(np.arange(4)), compress=True)
    with pytest.raises(ValueError, match="5 images .* 4 labels"):
        data.mnist(tmp_path)


# --- training-loop helpers ----------------------------------------------------------------------

def test_batches_cover_every_sample_once_with_the_right_sizes():
    X, y = np.arange(23).reshape(23, 1) * 2.0, np.arange(23)
    pairs = list(data.batches(X, y, batch_size=5, seed=4))
    assert [len(yb) for _, yb in pairs] == [5, 5, 5, 5, 3]
    seen = np.concatenate([yb for _, yb in pairs])
    assert sorted(seen.tolist()) == list(range(23)) and not np.array_equal(seen, y)
    assert all(np.array_equal(Xb[:, 0], yb * 2.0) for Xb, yb in pairs)  # rows stay paired


def test_batches_order_with_and_without_shuffle():
    X, y = np.zeros((10, 2)), np.arange(10)
    order = lambda **kw: np.concatenate([yb for _, yb in data.batches(X, y, 3, **kw)])
    assert np.array_equal(order(shuffle=False), y)
    assert np.array_equal(order(seed=7), order(seed=7))
    assert not np.array_equal(order(seed=7), order(seed=8))


@pytest.mark.parametrize("size, n_labels, problem", [
    (0, 4, "batch_size"), (-2, 4, "batch_size"), (2.0, 4, "batch_size"), (True, 4, "batch_size"),
    ("4", 4, "batch_size"), (None, 4, "batch_size"), (2, 5, "same length")])
def test_batches_reject_bad_arguments_before_iterating(size, n_labels, problem):
    with pytest.raises(ValueError, match=problem):
        data.batches(np.zeros((4, 1)), np.zeros(n_labels), size)


def test_one_hot_values():
    encoded = data.one_hot(np.array([2, 0, 1, 2]), 3)
    assert encoded.dtype == np.float64
    assert np.array_equal(encoded, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert np.array_equal(data.one_hot([1.0], 2), [[0, 1]])


@pytest.mark.parametrize("labels, bad", [([0, 3], "3"), ([-1, 0], "-1"), ([0, 1.5], "1.5"),
                                         ([0.0, np.nan], "nan"), (["a"], "dtype")])
def test_one_hot_rejects_bad_labels_naming_them(labels, bad):
    with pytest.raises(ValueError, match=f"label.*{bad}"):
        data.one_hot(labels, 3)


def test_train_test_split_is_a_reproducible_partition():
    X, y = np.arange(40).reshape(20, 2), np.arange(20)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, 0.25, seed=1)
    assert len(y_test) == 5 and len(y_train) == 15
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(20))
    assert np.array_equal(X_train[:, 0], 2 * y_train) and np.array_equal(X_test[:, 0], 2 * y_test)
    assert np.array_equal(data.train_test_split(X, y, 0.25, seed=1)[3], y_test)
    assert not np.array_equal(data.train_test_split(X, y, 0.25, seed=2)[3], y_test)


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5, True, "0.2"])
def test_train_test_split_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match="between 0 and 1"):
        data.train_test_split(np.zeros((10, 1)), np.zeros(10), fraction, seed=0)
