"""Hostile and broken files for the nn readers: IDX/MNIST (`nn.data`), and `Module.load`.

Memory bombs are built in tmp_path a chunk at a time, and each reader's peak allocation is
measured with tracemalloc: it must refuse the file long before it allocates the bomb.
"""

import gzip
import itertools
import struct
import tracemalloc
import zlib

import numpy as np
import pytest

from demos import mnist as mnist_demo
from nn import data

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


# --- building bombs without allocating them -----------------------------------------------------

MIB = 1 << 20


def deflate_zeros(n_mib):
    """Raw deflate data for `n_mib` MiB of zero bytes, not final: one compressed MiB, repeated.

    After a full flush the compressor forgets its history, so the same block can be repeated.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return itertools.repeat(block, n_mib)


def write_gzip_bomb(path, prefix, n_mib):
    """A valid gzip file of `prefix` followed by `n_mib` MiB of zeros, written a block at a time."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc, size = zlib.crc32(prefix), len(prefix)
    with open(path, "wb") as file:
        file.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")    # gzip header, no name
        file.write(compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH))
        zeros = bytes(MIB)
        for block in deflate_zeros(n_mib):
            file.write(block)
            crc, size = zlib.crc32(zeros, crc), size + MIB
        file.write(zlib.compressobj(9, zlib.DEFLATED, -15).flush())  # the final, empty block
        file.write(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return path


def peak_allocation(function, *args):
    """Run function(*args), which must raise ValueError; return (the error, peak bytes allocated)."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            function(*args)
        return info.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def idx_header(type_code, sizes):
    """The bytes of an IDX header declaring `sizes`."""
    return bytes([0, 0, type_code, len(sizes)]) + struct.pack(f">{len(sizes)}I", *sizes)


def test_gzip_bomb_helper_makes_what_it_says(tmp_path):
    path = write_gzip_bomb(tmp_path / "small.gz", b"head", 3)
    assert gzip.decompress(path.read_bytes()) == b"head" + bytes(3 * MIB)
    assert path.stat().st_size < 20_000


# --- IDX files ----------------------------------------------------------------------------------

@pytest.mark.parametrize("sizes, n_mib, problem", [
    ((2, 2), 1024, "found more than 4 (trailing bytes"),     # small shape, a GiB of data after it
    ((1 << 30,), 256, "found 268435464 (truncated file?)"),  # 1 GiB declared, 256 MiB there
])
def test_load_idx_refuses_a_gzip_bomb_without_inflating_it(tmp_path, sizes, n_mib, problem):
    header = idx_header(0x08, sizes)
    path = write_gzip_bomb(tmp_path / "bomb-idx3-ubyte.gz", header + bytes(8), n_mib)
    assert path.stat().st_size < 2 * MIB
    error, peak = peak_allocation(data.load_idx, path)
    assert peak < 8 * MIB                         # a few chunks of 1 MiB, never the bomb
    assert path.name in str(error) and problem in str(error)


def test_load_idx_allocates_only_what_the_header_declares(tmp_path):
    array = np.arange(3 * 1000 * 1000, dtype=">i4").reshape(3, 1000, 1000)      # 12 MB
    path = tmp_path / "big.gz"
    with gzip.open(path, "wb", compresslevel=1) as file:
        file.write(idx_header(0x0C, array.shape) + array.tobytes())
    tracemalloc.start()
    try:
        loaded = data.load_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(loaded, array) and loaded.dtype.isnative
    assert peak < array.nbytes + 4 * MIB          # the array, and a chunk of decompressed data


@pytest.mark.parametrize("sizes", [(1,) * 65, (0xFFFFFFFF,) * 255, (0xFFFFFFFF,) * 64])
def test_load_idx_header_with_many_dimensions_gives_one_short_line(tmp_path, sizes):
    path = tmp_path / "many-dims"
    path.write_bytes(idx_header(0x0E, sizes) + bytes(8))
    with pytest.raises(ValueError) as info:
        data.load_idx(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert len(message) < 160 + len(str(path))
