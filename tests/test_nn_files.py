"""Hostile and broken files for the nn readers: IDX/MNIST (`nn.data`), and `Module.load`.

Memory bombs are built in tmp_path a chunk at a time, and each reader's peak allocation is
measured with tracemalloc: it must refuse the file long before it allocates the bomb.
"""

import gzip
import io
import math
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest
from numpy.lib import format as npy

import nn
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


def deflate_bomb(prefix, n_mib):
    """Raw deflate data for `prefix` then `n_mib` MiB of zeros; returns (data, crc32, size).

    One compressed MiB of zeros is repeated: after a full flush the compressor forgets its
    history, so the same block can follow itself. The zeros are never held in memory at once.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    start = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = start.compress(prefix) + start.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush()          # the final, empty block
    crc = zlib.crc32(prefix)
    for _ in range(n_mib):
        crc = zlib.crc32(bytes(MIB), crc)
    return head + block * n_mib + end, crc, len(prefix) + n_mib * MIB


def write_gzip_bomb(path, prefix, n_mib):
    """A valid gzip file of `prefix` followed by `n_mib` MiB of zeros."""
    deflated, crc, size = deflate_bomb(prefix, n_mib)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"          # gzip, no file name
    path.write_bytes(header + deflated + struct.pack("<II", crc, size & 0xFFFFFFFF))
    return path


def peak_allocation(function, *args):
    """Run function(*args), which must raise ValueError; return (the error, peak allocation)."""
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


# --- Module.load: hostile .npz archives ---------------------------------------------------------

def npy_bytes(array=None, shape=None, descr="<f8", fortran_order=False):
    """The bytes of a .npy file: a version 1.0 header declaring `shape`, then array's data."""
    shape = array.shape if shape is None else shape
    out = io.BytesIO()
    npy.write_array_header_1_0(out, {"descr": descr, "fortran_order": fortran_order,
                                     "shape": shape})
    data = b"" if array is None else array.astype(descr).tobytes("F" if fortran_order else "C")
    return out.getvalue() + data


def stored(name, content, method=zipfile.ZIP_STORED, flags=0):
    """A zip member holding `content` as is: (name, method, flags, payload, crc32, size)."""
    return name, method, flags, content, zlib.crc32(content), len(content)


def write_zip(path, members):
    """A zip archive of members (name, method, flags, payload, crc32, size), payload as given.

    Written by hand so a test can give any compression method, flags or sizes it likes.
    """
    out, central = io.BytesIO(), b""
    for name, method, flags, payload, crc, size in members:
        offset, encoded = out.tell(), name.encode()
        fields = (flags, method, 0, 0, crc, len(payload), size, len(encoded))
        out.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, *fields, 0) + encoded + payload)
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, *fields,
                               0, 0, 0, 0, 0, offset) + encoded
    start = out.tell()
    out.write(central + struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(members),
                                    len(members), len(central), start, 0))
    path.write_bytes(out.getvalue())
    return path


def model_members(model, **replace):
    """Stored .npy members for each of model's arrays; `replace` swaps some for other members."""
    members = {name: stored(f"{name}.npy", npy_bytes(np.full(shape, 0.5)))
               for name, _, shape in model.named_arrays()}
    members.update({name.replace("_", "."): member for name, member in replace.items()})
    return [member for member in members.values() if member is not None]


def deflated_member(name, prefix, n_mib, file_size=None):
    """A deflated member: `prefix` then `n_mib` MiB of zeros; `file_size` can lie about its size."""
    payload, crc, size = deflate_bomb(prefix, n_mib)
    return name, zipfile.ZIP_DEFLATED, 0, payload, crc, size if file_size is None else file_size


WEIGHTS = "layer1.weights.npy"     # shape (4, 2) in nn.MLP(2, [4, 1])
HOSTILE_ARCHIVES = {
    # name: (members replaced or added, what the message must say)
    "huge-shape": (dict(layer1_weights=stored(WEIGHTS, npy_bytes(shape=(10**12,)))),
                   "has shape (1000000000000,), the model needs (4, 2)"),
    "deflate-bomb": (dict(layer1_weights=deflated_member(
        WEIGHTS, npy_bytes(shape=(4, 2)), 1024)), "1073741952 bytes in the zip directory"),
    "not-npy-name": (dict(layer1_weights=stored("layer1.weights", b"hello")),
                     "member 'layer1.weights' is not a .npy array"),
    "not-npy-data": (dict(layer1_weights=stored(WEIGHTS, b"hello, not an array")),
                     "'layer1.weights' is not a valid .npy array"),
    "unknown-method": (dict(layer1_weights=stored(WEIGHTS, npy_bytes(np.ones((4, 2))), 99)),
                       "compression method 99 (allowed: stored, deflated"),
    "encrypted": (dict(layer1_weights=stored(WEIGHTS, npy_bytes(np.ones((4, 2))), flags=1)),
                  "'layer1.weights' is encrypted"),
    "missing-bytes": (dict(layer1_weights=stored(WEIGHTS, npy_bytes(np.ones((4, 2)))[:-8])),
                      "184 bytes in the zip directory, but its .npy header declares 192"),
    "trailing-bytes": (dict(layer1_weights=stored(WEIGHTS, npy_bytes(np.ones((4, 2)))
                                                  + b"\0" * 8)),
                       "200 bytes in the zip directory, but its .npy header declares 192"),
    "object-dtype": (dict(layer1_weights=stored(WEIGHTS, npy_bytes(shape=(4, 2), descr="|O"))),
                     "holds object, not real numbers"),
    "complex-dtype": (dict(layer1_weights=stored(WEIGHTS, npy_bytes(np.ones((4, 2)),
                                                                    descr="<c16"))),
                      "not real numbers"),
    "npy-version-3": (dict(layer1_weights=stored(WEIGHTS, npy_bytes(np.ones((4, 2)))
                                                 .replace(b"NUMPY\x01", b"NUMPY\x03"))),
                      "format version 3.0"),
    "nan": (dict(layer1_weights=stored(WEIGHTS, npy_bytes(np.array([[1, np.nan]] * 4)))),
            "'layer1.weights' holds NaN or infinite values"),
    "inf": (dict(layer2_biases=stored("layer2.biases.npy", npy_bytes(np.array([-np.inf])))),
            "'layer2.biases' holds NaN or infinite values"),
    "extra-member": (dict(notes=stored("notes.npy", npy_bytes(np.ones(3)))),
                     "unexpected: 'notes'"),
    "twice": (dict(layer1_again=stored(WEIGHTS, npy_bytes(np.ones((4, 2))))), "appears twice"),
}


@pytest.mark.parametrize("case", HOSTILE_ARCHIVES)
def test_load_refuses_a_hostile_archive_early_and_leaves_the_model(tmp_path, case):
    replace, problem = HOSTILE_ARCHIVES[case]
    model = nn.MLP(2, [4, 1], seed=0)
    path = write_zip(tmp_path / f"{case}.npz", model_members(model, **replace))
    assert path.stat().st_size < 2 * MIB
    before = [p.data for p in model.parameters()]
    error, peak = peak_allocation(model.load, path)
    assert peak < MIB                                   # never the size a header claims
    message = str(error)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message
    assert [p.data for p in model.parameters()] == before


def test_load_stops_at_the_size_in_the_zip_directory(tmp_path):
    # the directory says 8 floats (and gives their crc); the deflate stream goes on for a GiB
    model = nn.MLP(2, [4, 1], seed=0)
    prefix = npy_bytes(np.zeros((4, 2)))
    bomb = deflated_member(WEIGHTS, prefix, 1024)
    lying = bomb[:4] + (zlib.crc32(prefix), len(prefix))
    path = write_zip(tmp_path / "lying.npz", model_members(model, layer1_weights=lying))
    tracemalloc.start()
    try:
        model.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MIB
    assert [w.data for neuron in model.layers[0].neurons for w in neuron.w] == [0.0] * 8


@pytest.mark.parametrize("member", [
    stored(WEIGHTS, npy_bytes(np.arange(8.0).reshape(4, 2), fortran_order=True)),
    stored(WEIGHTS, npy_bytes(np.arange(8).reshape(4, 2), descr=">i4")),
    deflated_member(WEIGHTS, npy_bytes(np.arange(8.0).reshape(4, 2)), 0),
])
def test_load_reads_fortran_order_integers_and_deflate(tmp_path, member):
    model = nn.MLP(2, [4, 1], seed=0)
    model.load(write_zip(tmp_path / "fine.npz", model_members(model, layer1_weights=member)))
    weights = [[w.data for w in neuron.w] for neuron in model.layers[0].neurons]
    assert weights == np.arange(8.0).reshape(4, 2).tolist()
    assert model.layers[0].neurons[0].b.data == 0.5


def test_load_reads_a_bzip2_archive_written_by_zipfile(tmp_path):
    trained, fresh = nn.MLP(2, [4, 1], seed=0), nn.MLP(2, [4, 1], seed=1)
    trained.save(tmp_path / "plain.npz")
    with zipfile.ZipFile(tmp_path / "plain.npz") as plain, \
            zipfile.ZipFile(tmp_path / "bz2.npz", "w", zipfile.ZIP_BZIP2) as packed:
        for name in plain.namelist():
            packed.writestr(name, plain.read(name))
    fresh.load(tmp_path / "bz2.npz")
    assert [p.data for p in fresh.parameters()] == [p.data for p in trained.parameters()]


def test_load_refuses_nan_weights_that_save_wrote(tmp_path):
    model, other = nn.MLP(2, [4, 1], seed=0), nn.MLP(2, [4, 1], seed=1)
    model.layers[1].neurons[0].b.data = math.nan
    model.save(tmp_path / "nan.npz")
    before = [p.data for p in other.parameters()]
    with pytest.raises(ValueError, match=r"nan\.npz: array 'layer2\.biases' holds NaN"):
        other.load(tmp_path / "nan.npz")
    assert [p.data for p in other.parameters()] == before
