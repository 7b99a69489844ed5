"""Hostile and broken files for the nn readers: IDX/MNIST (`nn.data`), and `Module.load`.

Memory bombs are built in tmp_path a chunk at a time, and each reader's peak allocation is
measured with tracemalloc: it must refuse the file long before it allocates the bomb.
"""

import pytest

from demos import mnist as mnist_demo

MNIST_NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


# --- the MNIST demo -----------------------------------------------------------------------------

@pytest.mark.parametrize("present", [[], MNIST_NAMES[:1], MNIST_NAMES[::2]])
def test_mnist_demo_names_each_missing_file_once(tmp_path, capsys, present):
    for name in present:
        (tmp_path / name).write_bytes(b"")
    assert mnist_demo.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tmp_path) in err
    assert [err.count(name) for name in MNIST_NAMES] == [
        int(name not in present) for name in MNIST_NAMES]
