"""Small datasets and data helpers for training the zerograd models.

Toy problems made with numpy (`xor`, `moons`, `spiral`), real handwritten digits (`digits`, the 8x8
images scikit-learn ships; `mnist`, read from IDX files you already have, never downloaded),
photos of clothes (`fashion_mnist`, the IDX files of Debian's package dataset-fashion-mnist), a
reader for the IDX file format (`load_idx`), and helpers to feed a training loop (`batches`,
`one_hot`, `train_test_split`, `first_per_class`); and names for a character-level GPT:
`names` (English, shipped in nn/names_en.txt), `japanese_names` (katakana, from Debian's
ipadic-common) and `CharTokenizer`.

Every dataset is a pair (X, y): X float64 of shape (n, features), y int64 labels of shape (n,).
`load_idx` checks a file's header and data length before it sets any memory aside for the data,
and reads gzip a chunk at a time, so a small file cannot make it allocate gigabytes.

Read next: the demos (`demos/digits.py`, `demos/mnist.py`, `demos/fashion_mnist.py`) that train on
these datasets.
"""

import gzip
import math
import os
import re
import struct
import sys
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

Dataset = tuple[np.ndarray, np.ndarray]

# IDX type code (third header byte) -> big-endian numpy dtype of the data that follows.
IDX_DTYPES = {
    0x08: np.dtype(">u1"),  # unsigned byte
    0x09: np.dtype(">i1"),  # signed byte
    0x0B: np.dtype(">i2"),  # short
    0x0C: np.dtype(">i4"),  # int
    0x0D: np.dtype(">f4"),  # float
    0x0E: np.dtype(">f8"),  # double
}
GZIP_MAGIC = b"\x1f\x8b"
CHUNK_BYTES = 1 << 20    # files are read a megabyte at a time
MAX_DIMS = 64 if np.lib.NumpyVersion(np.__version__) >= "2.0.0" else 32   # numpy's ndim limit
SHOWN_DIMS = 4           # error messages show at most this many sizes of a shape

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
# Fashion-MNIST (Zalando): the same four file names and shapes, photos of clothes instead of digits.
FASHION_MNIST_FOLDER = Path("/usr/share/datasets/fashion-mnist")   # where Debian's package puts it
INSTALL_FASHION_MNIST = "sudo apt-get install dataset-fashion-mnist"
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",     # label k is
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")         # FASHION_CLASSES[k]
MNIST_SOURCE = ("they can be obtained from the MNIST distribution (the MNIST database of "
                "handwritten digits).")


# --- input checks -------------------------------------------------------------------------------

def _check_int(name: str, value: object, minimum: int) -> int:
    """Return `value` as an int, or raise ValueError unless it is an integer >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _is_number(value: object) -> bool:
    """True for a real number (int, float or numpy scalar), False for bools and anything else."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _check_same_length(X: np.ndarray, y: np.ndarray) -> None:
    """Raise ValueError unless X and y hold the same number of samples."""
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got {len(X)} samples in X "
                         f"and {len(y)} labels in y")


# --- toy datasets -------------------------------------------------------------------------------

def xor() -> Dataset:
    """The four XOR points: label 1 when exactly one of the two inputs is 1."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([0, 1, 1, 0], dtype=np.int64)
    return X, y


def moons(n: int = 100, noise: float = 0.1, seed: int | None = 0) -> Dataset:
    """Two interleaving half circles (like scikit-learn's make_moons), `n` points in total.

    Label 0 is the upper moon, label 1 the lower one; gaussian noise of std `noise` is added.
    """
    n = _check_int("n", n, 2)
    if not _is_number(noise) or not 0 <= noise < math.inf:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    n_upper, n_lower = n // 2, n - n // 2
    t_upper, t_lower = np.linspace(0, np.pi, n_upper), np.linspace(0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.vstack([upper, lower])
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n_upper, n_lower])
    rng = np.random.default_rng(seed)
    X = X + rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def spiral(n_per_class: int = 100, classes: int = 3, seed: int | None = 0) -> Dataset:
    """The CS231n spiral: `classes` arms of `n_per_class` points each.

    Along an arm the radius grows from 0 to 1 and the angle turns by 4 radians (noise std 0.2).
    """
    n_per_class = _check_int("n_per_class", n_per_class, 1)
    classes = _check_int("classes", classes, 1)
    rng = np.random.default_rng(seed)
    radius = np.linspace(0.0, 1.0, n_per_class)
    X = np.empty((n_per_class * classes, 2), dtype=np.float64)
    for k in range(classes):
        angle = np.linspace(4 * k, 4 * (k + 1), n_per_class) + rng.normal(0, 0.2, n_per_class)
        X[k * n_per_class:(k + 1) * n_per_class] = np.column_stack(
            [radius * np.sin(angle), radius * np.cos(angle)])
    y = np.repeat(np.arange(classes, dtype=np.int64), n_per_class)
    return X, y


def digits() -> Dataset:
    """The 1797 real 8x8 handwritten digits shipped inside scikit-learn (no download).

    X has shape (1797, 64), pixels scaled to [0, 1]; y holds the digits 0-9.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as err:
        raise ImportError("digits() needs scikit-learn, which comes with the 'demos' extra: "
                          "pip install -e '.[demos]'") from err
    X, y = load_digits(return_X_y=True)
    return X.astype(np.float64) / 16.0, y.astype(np.int64)


# --- IDX files, MNIST and Fashion-MNIST --------------------------------------------------------

def _open_idx(path: Path) -> BinaryIO:
    """Open `path` for reading, through gzip when it starts with the gzip magic bytes."""
    with open(path, "rb") as file:
        compressed = file.read(2) == GZIP_MAGIC
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def _shape_text(sizes: list[int]) -> str:
    """The shape as a short tuple: at most SHOWN_DIMS sizes, then how many there are."""
    if len(sizes) <= SHOWN_DIMS:
        return str(tuple(sizes))
    shown = ", ".join(map(str, sizes[:SHOWN_DIMS]))
    return f"({shown}, ...) ({len(sizes)} dimensions)"


def _read_idx_header(stream: BinaryIO, path: Path) -> tuple[np.dtype, list[int]]:
    """Read and check an IDX header (magic, type code, sizes); return the data dtype and sizes."""
    start = stream.read(4)
    if len(start) < 4:
        raise ValueError(f"{path}: file has {len(start)} bytes, too short for an IDX header")
    zero1, zero2, type_code, ndim = start
    if zero1 != 0 or zero2 != 0:
        raise ValueError(f"{path}: not an IDX file (wrong magic: the first two bytes are "
                         f"{start[:2].hex(' ')}, expected 00 00)")
    if type_code not in IDX_DTYPES:
        known = ", ".join(f"0x{code:02X}" for code in IDX_DTYPES)
        raise ValueError(f"{path}: unknown IDX type code 0x{type_code:02X} (known: {known})")
    if not 1 <= ndim <= MAX_DIMS:
        raise ValueError(f"{path}: IDX header declares {ndim or 'zero'} dimensions "
                         f"(allowed: 1 to {MAX_DIMS}, numpy's limit)")
    packed = stream.read(4 * ndim)
    if len(packed) < 4 * ndim:
        raise ValueError(f"{path}: header declares {ndim} dimensions but the file ends "
                         f"after {4 + len(packed)} bytes (truncated file?)")
    return IDX_DTYPES[type_code], list(struct.unpack(f">{ndim}I", packed))


def _count_bytes(stream: BinaryIO, limit: int) -> int:
    """Read and discard the rest of `stream` a chunk at a time, stopping after `limit` bytes."""
    count = 0
    while count < limit:
        chunk = stream.read(min(CHUNK_BYTES, limit - count))
        if not chunk:
            break
        count += len(chunk)
    return count


def _check_data_length(stream: BinaryIO, path: Path, dtype: np.dtype, sizes: list[int]) -> int:
    """Return the number of data bytes the header declares, after checking the file holds them.

    A plain file is measured by its size; gzip data is decompressed and thrown away, never
    more than the declared length plus one byte, so nothing the size of the data is allocated.
    """
    expected = math.prod(sizes) * dtype.itemsize
    header_len = 4 + 4 * len(sizes)
    described = f"the header declares shape {_shape_text(sizes)} of {dtype.itemsize}-byte values"
    if expected > sys.maxsize:
        raise ValueError(f"{path}: {described}, more than 2**63 bytes: too large to load")
    if isinstance(stream, gzip.GzipFile):
        found = _count_bytes(stream, expected + 1)
        found_text = f"more than {expected}" if found > expected else str(found)
    else:
        found = os.fstat(stream.fileno()).st_size - header_len
        found_text = str(found)
    if found != expected:
        hint = "truncated file?" if found < expected else "trailing bytes after the data?"
        raise ValueError(f"{path}: expected {expected} bytes of data after the header, found "
                         f"{found_text} ({hint}); {described}")
    return expected


def _read_exactly(stream: BinaryIO, n_bytes: int, path: Path) -> np.ndarray:
    """Read `n_bytes` from `stream` into a new uint8 array, a chunk at a time."""
    buffer = np.empty(n_bytes, dtype=np.uint8)
    view, filled = memoryview(buffer), 0
    while filled < n_bytes:
        got = stream.readinto(view[filled:filled + CHUNK_BYTES])
        if not got:
            raise ValueError(f"{path}: the file ended after {filled} of {n_bytes} data bytes "
                             f"(did it change while being read?)")
        filled += got
    return buffer


def _read_idx(stream: BinaryIO, path: Path) -> np.ndarray:
    """Check the header and the data length, then read the data: the body of `load_idx`."""
    dtype, sizes = _read_idx_header(stream, path)
    n_bytes = _check_data_length(stream, path, dtype, sizes)
    stream.seek(4 + 4 * len(sizes))          # back to the data (gzip: decompressed again)
    values = _read_exactly(stream, n_bytes, path).view(dtype)
    if not dtype.isnative:                   # swap the bytes in place: no second copy
        values = values.byteswap(inplace=True).view(dtype.newbyteorder())
    return values.reshape(sizes)


def load_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (the MNIST format), plain or gzip-compressed, into a numpy array.

    The header is checked, then the data length, before any memory is set aside for the data.
    Raises ValueError naming the file when the header or the data length is wrong.
    """
    path = Path(path)
    with _open_idx(path) as stream:
        try:
            return _read_idx(stream, path)
        except (gzip.BadGzipFile, EOFError, zlib.error) as err:
            raise ValueError(f"{path}: corrupt gzip data ({err})") from None


def _find_mnist_files(folder: Path, dataset: str = "MNIST",
                      how_to_get: str = MNIST_SOURCE) -> dict[str, Path]:
    """Locate the four MNIST-format files (each plain or .gz) in `folder`, else
    FileNotFoundError naming the missing ones and saying `how_to_get` them, once."""
    found, missing = {}, []
    for key, name in MNIST_FILES.items():
        candidates = [folder / name, folder / f"{name}.gz"]
        existing = [path for path in candidates if path.is_file()]
        if existing:
            found[key] = existing[0]
        else:
            missing.append(name)
    if missing:
        raise FileNotFoundError(_missing_mnist_message(folder, missing, dataset, how_to_get))
    return found


def _missing_mnist_message(folder: Path, missing: list[str], dataset: str,
                           how_to_get: str) -> str:
    """One line saying which files are missing from `folder`, each file named once."""
    if folder.is_dir():
        problem = f"missing in {folder}: {', '.join(missing)}."
    else:
        where = "is not a folder" if folder.exists() else "does not exist"
        problem = f"{folder} {where}; it should hold {', '.join(MNIST_FILES.values())}."
    return f"Cannot read {dataset}, {problem} Each file may also end in .gz; {how_to_get}"


def _load_mnist_pair(images_path: Path, labels_path: Path) -> Dataset:
    """Read one images file and its labels file; return flattened images in [0, 1] and labels."""
    images, labels = load_idx(images_path), load_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"{images_path}: expected unsigned-byte images of shape (n, 28, 28), "
                         f"got {images.dtype} of shape {images.shape}")
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{labels_path}: expected a 1-D array of integer labels, "
                         f"got {labels.dtype} of shape {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{images_path} holds {len(images)} images but {labels_path} "
                         f"holds {len(labels)} labels")
    X = images.reshape(len(images), -1).astype(np.float64) / 255.0
    return X, labels.astype(np.int64)


def mnist(folder: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read MNIST from the four standard IDX files in `folder` (never downloads).

    Returns X_train (n, 784) in [0, 1], y_train, X_test, y_test (labels int64).
    """
    return _load_mnist_files(_find_mnist_files(Path(folder)))


def fashion_mnist(folder: str | Path | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read Fashion-MNIST (photos of clothes, labels named by FASHION_CLASSES), like `mnist`.

    folder defaults to FASHION_MNIST_FOLDER, where Debian's dataset-fashion-mnist puts the files.
    Returns X_train (60000, 784) in [0, 1], y_train, X_test (10000, 784), y_test (int64, 0-9).
    """
    folder = FASHION_MNIST_FOLDER if folder is None else Path(folder)
    how_to_get = (f"to get them, install Debian's package: {INSTALL_FASHION_MNIST} "
                  f"(it puts them in {FASHION_MNIST_FOLDER}).")
    return _load_mnist_files(_find_mnist_files(folder, "Fashion-MNIST", how_to_get))


def _load_mnist_files(paths: dict[str, Path]
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The training pair, then the test pair, from the paths `_find_mnist_files` found."""
    X_train, y_train = _load_mnist_pair(paths["train_images"], paths["train_labels"])
    X_test, y_test = _load_mnist_pair(paths["test_images"], paths["test_labels"])
    return X_train, y_train, X_test, y_test


# --- helpers for training loops -----------------------------------------------------------------

def batches(X: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool = True,
            seed: int | None = None) -> Iterator[Dataset]:
    """Yield (X_batch, y_batch) pairs that cover every sample exactly once.

    All batches have `batch_size` samples except perhaps the last; `shuffle` mixes the order.
    """
    batch_size = _check_int("batch_size", batch_size, 1)
    X, y = np.asarray(X), np.asarray(y)
    _check_same_length(X, y)
    order = np.random.default_rng(seed).permutation(len(X)) if shuffle else np.arange(len(X))
    return _iterate_batches(X, y, order, batch_size)  # checks above run now, not at first next()


def _iterate_batches(X: np.ndarray, y: np.ndarray, order: np.ndarray,
                     batch_size: int) -> Iterator[Dataset]:
    """Yield consecutive slices of `order` of length `batch_size` as (X, y) pairs."""
    for start in range(0, len(order), batch_size):
        index = order[start:start + batch_size]
        yield X[index], y[index]


def first_per_class(X: np.ndarray, y: np.ndarray, n: int) -> Dataset:
    """A stratified subset of about n samples: the first n // k of each of the k classes in y.

    The first n % k classes give one more; the samples keep their order in (X, y). A class
    with fewer samples than its share gives all it has, so the subset may be smaller than n.
    """
    n = _check_int("n", n, 1)
    X, y = np.asarray(X), np.asarray(y)
    _check_same_length(X, y)
    classes = np.unique(y)
    shares = [n // len(classes) + (i < n % len(classes)) for i in range(len(classes))]
    chosen = [np.flatnonzero(y == label)[:share] for label, share in zip(classes, shares)]
    index = np.sort(np.concatenate(chosen))
    return X[index], y[index]


def one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    """Turn integer labels into rows of zeros with a single 1 at the label's column.

    Returns float64 of shape (n, classes); labels must be whole numbers in 0..classes-1.
    """
    classes = _check_int("classes", classes, 1)
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be a 1-D array, got shape {labels.shape}")
    if not (np.issubdtype(labels.dtype, np.integer) or np.issubdtype(labels.dtype, np.floating)):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    not_whole = labels != np.round(labels)  # NaN counts as not whole
    if not_whole.any():
        raise ValueError(f"labels must be integers, got {labels[not_whole][0].item()!r}")
    outside = (labels < 0) | (labels >= classes)
    if outside.any():
        raise ValueError(f"label {labels[outside][0].item()!r} is out of range: labels must be in "
                         f"0..{classes - 1} for {classes} classes")
    encoded = np.zeros((len(labels), classes), dtype=np.float64)
    encoded[np.arange(len(labels)), labels.astype(np.int64)] = 1.0
    return encoded


def train_test_split(X: np.ndarray, y: np.ndarray, test_fraction: float = 0.25,
                     seed: int | None = None) -> tuple[np.ndarray, ...]:
    """Shuffle and split into X_train, X_test, y_train, y_test (scikit-learn's order).

    About `test_fraction` of the samples (at least one, and at least one left to train) go to test.
    """
    if not _is_number(test_fraction) or not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be a number strictly between 0 and 1, "
                         f"got {test_fraction!r}")
    X, y = np.asarray(X), np.asarray(y)
    _check_same_length(X, y)
    if len(X) < 2:
        raise ValueError(f"need at least 2 samples to split into train and test, got {len(X)}")
    n_test = min(max(round(len(X) * test_fraction), 1), len(X) - 1)
    order = np.random.default_rng(seed).permutation(len(X))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


# --- names, for a character-level GPT -----------------------------------------------------------

NAMES_FILE = Path(__file__).with_name("names_en.txt")     # its header says where it comes from
IPADIC_NAMES = Path("/usr/share/chasen/ipadic/Noun.name.dic")   # Debian's ipadic-common
INSTALL_IPADIC = "sudo apt-get install ipadic-common"
GIVEN_NAME_TAG = "(品詞 (名詞 固有名詞 人名 名))"       # noun, proper, person's name, given name
_READING = re.compile(r"\(読み (\S+?)\)")
_KATAKANA = re.compile(r"[ァ-ヺー]+")
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(ord("ぁ"), ord("ゖ") + 1)}


def names() -> list[str]:
    """English first names (5,163, lowercase a-z, sorted): the US Census 1990 lists shipped
    in nn/names_en.txt (public domain; the file's header gives the source)."""
    lines = NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def japanese_names(path: str | Path | None = None) -> list[str]:
    """The katakana readings of ipadic's given names (7,000+, deduplicated, sorted), read from
    Debian's ipadic-common (`sudo apt-get install ipadic-common`); never downloaded.

    An entry can have several readings, {シン/ココロ}: each one is a name. The few readings
    written in hiragana (かほる) are turned into katakana (カホル)."""
    path = Path(path) if path is not None else IPADIC_NAMES
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: Japanese names come from Debian's package "
                                f"ipadic-common; install it with: {INSTALL_IPADIC}")
    found = set()
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(GIVEN_NAME_TAG):
                found.update(_readings(line))
    return sorted(found)


def _readings(line: str) -> list[str]:
    """The katakana readings of one dictionary entry ({A/B} holds two of them)."""
    match = _READING.search(line)
    if match is None:
        return []
    text = match.group(1).translate(_HIRAGANA_TO_KATAKANA)
    readings = text[1:-1].split("/") if text.startswith("{") else [text]
    return [r for r in readings if _KATAKANA.fullmatch(r)]


class CharTokenizer:
    """Characters to token ids and back, as microgpt does it: one id per distinct character
    of the documents (sorted), and one more, `bos`, that starts and ends every document.

    >>> tok = CharTokenizer(["anna", "bob"])
    >>> tok.encode("nab"), tok.bos, tok.vocab_size
    ([2, 0, 1], 4, 5)
    >>> tok.decode([2, 0, 1])
    'nab'
    """

    def __init__(self, docs: Sequence[str]) -> None:
        if isinstance(docs, str) or not all(isinstance(d, str) for d in docs):
            raise TypeError("CharTokenizer needs a list of strings (documents), e.g. names()")
        self.chars = sorted(set("".join(docs)))
        if not self.chars:
            raise ValueError("CharTokenizer needs documents with at least one character")
        self.ids = {c: i for i, c in enumerate(self.chars)}
        self.bos = len(self.chars)                  # begin (and end) of sequence
        self.vocab_size = len(self.chars) + 1

    def encode(self, text: str) -> list[int]:
        """The ids of text's characters (no bos added)."""
        unknown = sorted(set(text) - set(self.ids))
        if unknown:
            raise ValueError(f"characters {''.join(unknown)!r} are not in the tokenizer's "
                             f"vocabulary ({''.join(self.chars)!r})")
        return [self.ids[c] for c in text]

    def decode(self, ids: Sequence[int]) -> str:
        """The text of ids; bos is left out."""
        bad = [i for i in ids if not isinstance(i, (int, np.integer)) or not 0 <= i <= self.bos]
        if bad:
            raise ValueError(f"token id {bad[0]!r} is out of range: ids are 0..{self.bos}")
        return "".join(self.chars[i] for i in ids if i != self.bos)

    def __repr__(self) -> str:
        return f"CharTokenizer(vocab_size={self.vocab_size})"
