"""Tests for Fashion-MNIST: `nn.data.fashion_mnist` on Debian's real files, its message when they
are missing, `first_per_class`, the class names in both languages, and `demos.fashion_mnist`.

The tests that read the real files need Debian's package dataset-fashion-mnist (`make test`
installs it when run as root); without it they are skipped and say the command. The files are
also read here independently, with gzip and struct, to check what the reader returns.
"""

from __future__ import annotations

import gzip
import hashlib
import struct

import numpy as np
import pytest

from nn import data
from viz.labels import TEXT

FOLDER = data.FASHION_MNIST_FOLDER
NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
COMMAND = "sudo apt-get install dataset-fashion-mnist"
ENGLISH = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
JAPANESE = ["Tシャツ/トップ", "ズボン", "プルオーバー", "ドレス", "コート",
            "サンダル", "シャツ", "スニーカー", "バッグ", "アンクルブーツ"]


@pytest.fixture(scope="module")
def fashion():
    """The four arrays from the Debian files, read once for the module; skipped without them."""
    missing = [name for name in NAMES if not (FOLDER / f"{name}.gz").is_file()]
    if missing:
        pytest.skip(f"Fashion-MNIST is not installed ({', '.join(missing)} missing in {FOLDER}): "
                    f"{COMMAND} (`make test` does it when run as root)")
    return data.fashion_mnist()


def read_header(stream) -> tuple[int, int, list[int]]:
    """An IDX header parsed by hand: (type code, number of dimensions, sizes)."""
    zeros, type_code, ndim = struct.unpack(">HBB", stream.read(4))
    assert zeros == 0
    return type_code, ndim, list(struct.unpack(f">{ndim}I", stream.read(4 * ndim)))


# --- the real files -----------------------------------------------------------------------------

def test_shapes_dtypes_and_ranges(fashion):
    X_train, y_train, X_test, y_test = fashion
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert X_train.dtype == X_test.dtype == np.float64
    assert y_train.dtype == y_test.dtype == np.int64
    for X in (X_train, X_test):
        assert X.min() == 0.0 and X.max() == 1.0
    for y, per_class in ((y_train, 6000), (y_test, 1000)):     # the dataset is balanced
        assert y.min() == 0 and y.max() == 9
        assert np.bincount(y).tolist() == [per_class] * 10


def test_the_headers_read_by_hand_match_load_idx(fashion):
    expected = {"train-images-idx3-ubyte": (0x08, 3, [60000, 28, 28]),
                "train-labels-idx1-ubyte": (0x08, 1, [60000]),
                "t10k-images-idx3-ubyte": (0x08, 3, [10000, 28, 28]),
                "t10k-labels-idx1-ubyte": (0x08, 1, [10000])}
    for name, header in expected.items():
        with gzip.open(FOLDER / f"{name}.gz", "rb") as stream:
            assert read_header(stream) == header, name
        array = data.load_idx(FOLDER / f"{name}.gz")
        assert array.dtype == np.uint8 and list(array.shape) == header[2], name


def test_labels_and_first_image_match_an_independent_read(fashion):
    X_train, y_train, X_test, y_test = fashion
    for prefix, X, y in (("train", X_train, y_train), ("t10k", X_test, y_test)):
        with gzip.open(FOLDER / f"{prefix}-labels-idx1-ubyte.gz", "rb") as stream:
            _, _, [n] = read_header(stream)
            labels = np.frombuffer(stream.read(n), dtype=np.uint8)
        assert np.array_equal(labels, y)
        with gzip.open(FOLDER / f"{prefix}-images-idx3-ubyte.gz", "rb") as stream:
            _, _, [_, rows, columns] = read_header(stream)
            first = stream.read(rows * columns)
        pixels = np.round(X[0] * 255).astype(np.uint8)               # back to the file's bytes
        assert hashlib.sha256(pixels).hexdigest() == hashlib.sha256(first).hexdigest()
        assert np.isclose(X[0].sum(), sum(first) / 255)
        assert y[0] == labels[0]
    assert data.FASHION_CLASSES[y_train[0]] == "Ankle boot"     # the dataset's first photo


def test_the_default_folder_is_debians(fashion):
    assert FOLDER.as_posix() == "/usr/share/datasets/fashion-mnist"
    X_train, y_train, _, _ = data.fashion_mnist(FOLDER)
    assert np.array_equal(X_train[:5], fashion[0][:5]) and np.array_equal(y_train, fashion[1])


# --- missing files ------------------------------------------------------------------------------

def write_idx(path, array: np.ndarray) -> None:
    """A small unsigned-byte IDX file, written by hand."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I",
                                                                    *array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


@pytest.mark.parametrize("present", [[], NAMES[:1], NAMES[::2], NAMES[:3]])
def test_missing_files_are_named_once_with_the_install_command_once(tmp_path, present):
    shapes = {NAMES[0]: (2, 28, 28), NAMES[1]: (2,), NAMES[2]: (1, 28, 28), NAMES[3]: (1,)}
    for name in present:
        write_idx(tmp_path / name, np.zeros(shapes[name]))
    with pytest.raises(FileNotFoundError) as caught:
        data.fashion_mnist(tmp_path)
    message = str(caught.value)
    assert "Fashion-MNIST" in message and str(tmp_path) in message
    assert [message.count(name) for name in NAMES] == [int(name not in present) for name in NAMES]
    assert message.count(COMMAND) == 1


def test_a_missing_folder_lists_all_four_files_and_the_command(tmp_path):
    with pytest.raises(FileNotFoundError) as caught:
        data.fashion_mnist(tmp_path / "nowhere")
    message = str(caught.value)
    assert "does not exist" in message and message.count(COMMAND) == 1
    assert all(message.count(name) == 1 for name in NAMES)


def test_fake_files_in_a_folder_are_read_like_mnist(tmp_path):
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 256, (3, 28, 28)), np.array([9, 0, 4]),
              rng.integers(0, 256, (2, 28, 28)), np.array([1, 7])]
    for name, array in zip(NAMES, arrays):
        write_idx(tmp_path / name, array)
    X_train, y_train, X_test, y_test = data.fashion_mnist(tmp_path)
    assert np.allclose(X_train, arrays[0].reshape(3, 784) / 255) and y_train.tolist() == [9, 0, 4]
    assert np.allclose(X_test, arrays[2].reshape(2, 784) / 255) and y_test.tolist() == [1, 7]


def test_the_demo_without_files_says_the_command_once_and_exits_with_2(tmp_path, capsys):
    from demos import fashion_mnist
    assert fashion_mnist.main(["--folder", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count(COMMAND) == 1


# --- stratified subsets -------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 6, 7, 9, 30])
def test_first_per_class_takes_the_first_of_each_class_in_order(n):
    y = np.array([2, 0, 0, 1, 2, 2, 0, 1, 1, 0, 2, 1])
    X = np.arange(len(y)) * 10.0
    X_part, y_part = data.first_per_class(X, y, n)
    shares = [min(n // 3 + (k < n % 3), 4) for k in range(3)]     # each class has 4 samples
    positions = [[j for j in range(len(y)) if y[j] == k] for k in range(3)]
    expected = sorted(i for k in range(3) for i in positions[k][:shares[k]])
    assert X_part.tolist() == [10.0 * i for i in expected]
    assert y_part.tolist() == y[expected].tolist()


def test_first_per_class_refuses_a_bad_n():
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        data.first_per_class(np.zeros((3, 2)), np.array([0, 1, 1]), 0)


# --- class names --------------------------------------------------------------------------------

def test_the_class_names_in_english_and_japanese():
    assert list(data.FASHION_CLASSES) == ENGLISH
    for english, japanese in zip(ENGLISH, JAPANESE):
        assert TEXT["en"][f"class {english}"] == english
        assert TEXT["ja"][f"class {english}"] == japanese


@pytest.mark.parametrize("lang, names", [("en", ENGLISH), ("ja", JAPANESE)])
def test_the_grid_names_the_predicted_class_above_and_the_true_one_below(lang, names):
    import viz
    images = np.random.default_rng(0).random((4, 784))
    predicted, true = [6, 0, 5, 9], [0, 0, 7, 9]
    figure = viz.plot_digit_grid(images, predicted, true, shape=(28, 28), columns=2, lang=lang,
                                 class_names=ENGLISH)
    axes = figure.axes
    assert [axis.get_title() for axis in axes] == [names[k] for k in predicted]
    assert [axis.texts[0].get_text() for axis in axes] == [names[k] for k in true]
    colors = [axis.title.get_color() for axis in axes]
    assert colors[0] == colors[2] != colors[1] == colors[3]          # wrong, right, wrong, right
    assert figure._suptitle.get_text() == TEXT[lang]["classes title"]


def test_the_history_curves_are_named_in_words():
    import viz
    history = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.7], "val_accuracy": [0.6, 0.65]}
    figure = viz.plot_history(history, lang="ja")
    legends = [[t.get_text() for t in axis.get_legend().get_texts()] for axis in figure.axes]
    assert legends == [["訓練データの損失"], ["訓練データの認識精度", "テストデータの認識精度"]]


# --- the demo -----------------------------------------------------------------------------------

def test_confusions_counts_the_most_frequent_mistakes():
    from demos.fashion_mnist import confusions
    true = np.array([6, 6, 6, 6, 0, 0, 5, 5, 9])             # 3 shirts called T-shirts,
    predicted = np.array([0, 0, 0, 6, 6, 0, 7, 7, 9])        # 2 sandals sneakers, 1 T-shirt a shirt
    assert confusions(predicted, true, top=2) == ["Shirt taken for T-shirt/top: 3 times",
                                                  "Sandal taken for Sneaker: 2 times"]
    assert confusions(predicted, true, top=1, lang="ja") == ["シャツをTシャツ/トップと間違えた：3 回"]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_demo_trains_on_a_small_subset_and_draws(fashion, tmp_path, capsys, lang):
    from demos import fashion_mnist
    argv = ["--subset", "100", "--test-subset", "55", "--epochs", "1", "--hidden", "5",
            "--lang", lang, "--out", str(tmp_path)]
    assert fashion_mnist.main(argv) == 0
    out = capsys.readouterr().out
    said = {"en": ["100 of 60000 training photos (a stratified subset: the first 10 of each "
                   "class)", "55 of 10000 test photos (a stratified subset: the first 5-6 of "
                   "each class)", "epoch  1  loss", "trained in", "wrote"],
            "ja": ["訓練用の写真 60000 枚のうち 100 枚（層化した部分集合：各クラスの最初の 10 枚）",
                   "テスト用の写真 10000 枚のうち 55 枚（層化した部分集合：各クラスの最初の 5-6 枚）",
                   "エポック  1  損失", "学習時間", "に書き出しました"]}
    assert all(line in out for line in said[lang]), out
    assert not any(line in out for line in said["en" if lang == "ja" else "ja"])
    suffix = "" if lang == "en" else "_ja"
    for kind in ("history", "misclassified"):
        path = tmp_path / f"fashion_mnist_{kind}{suffix}.png"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
    wrong = (int(out.split(" of 55 test photos misclassified")[0].split()[-1]) if lang == "en"
             else int(out.split("テスト用の写真 55 枚のうち ")[1].split()[0]))
    accuracy = float(out.split("accuracy=")[-1])
    assert np.isclose(accuracy, 1 - wrong / 55, atol=1e-4)
