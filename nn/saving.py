"""Saving and loading parameters as a numpy .npz archive: named arrays, never pickle.

A module describes its parameters as named arrays ("layer1.weights" of shape (16, 2), ...);
`save` writes one array per name, and `load` checks the file before it touches a single
parameter, so a file that does not fit leaves the model as it was. The checks run in the order
that keeps memory small: first the member names, then each member's zip entry and .npy header
(shape, dtype, byte count) against the model, and only then the data, exactly the bytes the
model's shapes need. A file that claims a huge array, or inflates to gigabytes, is refused
before anything of that size is allocated.

Read next: `losses.py`.
"""

from __future__ import annotations

import math
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numpy.lib import format as npy

from autograd import Value

NamedArrays = list[tuple[str, list[Value], tuple[int, ...]]]
Shapes = dict[str, tuple[int, ...]]

NPY_MAGIC = b"\x93NUMPY"
COMPRESSIONS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated",
                zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}
HEADER_READERS = {(1, 0): npy.read_array_header_1_0, (2, 0): npy.read_array_header_2_0}
# What zipfile and zlib raise on a damaged archive (FileNotFoundError is let through).
UNREADABLE = (OSError, EOFError, KeyError, zipfile.BadZipFile, zlib.error, RuntimeError,
              NotImplementedError)


class Member(NamedTuple):
    """One checked array of the archive: its zip entry, and how its data is laid out."""
    name: str
    info: zipfile.ZipInfo
    dtype: np.dtype
    fortran_order: bool
    header_bytes: int           # the .npy header that comes before the data


def save(named: NamedArrays, path: str | Path) -> None:
    """Write each named group of parameters as an array, to an .npz file at exactly path."""
    arrays = {name: np.array([p.data for p in values], dtype=float).reshape(shape)
              for name, values, shape in named}
    with open(path, "wb") as file:     # a file object: numpy won't append ".npz" to the name
        np.savez(file, **arrays)


def load(named: NamedArrays, path: str | Path) -> None:
    """Copy the arrays of an .npz file into the parameters, after checking every name and shape.

    Raises ValueError naming the file if it is not a readable .npz or does not fit the model.
    """
    arrays = read_npz(path, {name: shape for name, _, shape in named})
    for name, values, _ in named:
        for p, number in zip(values, arrays[name].reshape(-1)):
            p.data = float(number)


def read_npz(path: str | Path, shapes: Shapes) -> dict[str, np.ndarray]:
    """The arrays of an .npz file, once their names, shapes and dtypes match `shapes`.

    Never unpickles; raises ValueError naming the file and the reason if anything is wrong.
    """
    try:
        with open(path, "rb") as file:
            if file.read(len(NPY_MAGIC)) == NPY_MAGIC:
                raise ValueError("it holds a single .npy array, not an .npz archive")
            with zipfile.ZipFile(file) as archive:
                members = check_members(archive, shapes)
                return {member.name: read_member(archive, member, shapes[member.name])
                        for member in members}
    except FileNotFoundError:
        raise
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    except UNREADABLE as error:
        raise ValueError(f"{path}: not a readable .npz archive ({shorten(error)})") from None


# ------------------------------------------------------------------ checks before any data

def check_members(archive: zipfile.ZipFile, shapes: Shapes) -> list[Member]:
    """Check the member names against the model, then each member's zip entry and header."""
    infos = members_by_name(archive.infolist())
    if set(infos) != set(shapes):
        missing, extra = sorted(set(shapes) - set(infos)), sorted(set(infos) - set(shapes))
        raise ValueError(f"its arrays do not fit the model (missing: {listed(missing)}; "
                         f"unexpected: {listed(extra)})")
    return [check_member(archive, infos[name], name, shape) for name, shape in shapes.items()]


def members_by_name(infos: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """Map each array name to its zip entry ("w.npy" holds array "w"); no other entries allowed."""
    members = {}
    for info in infos:
        if not info.filename.endswith(".npy"):
            raise ValueError(f"member {shorten(info.filename)!r} is not a .npy array "
                             f"(an .npz archive holds only NAME.npy members)")
        name = info.filename.removesuffix(".npy")
        if name in members:
            raise ValueError(f"array {shorten(name)!r} appears twice")
        members[name] = info
    return members


def check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str,
                 shape: tuple[int, ...]) -> Member:
    """Check one member's zip entry and .npy header against the model's shape; read no data."""
    if info.flag_bits & 0x1:
        raise ValueError(f"array {name!r} is encrypted (allowed: unencrypted members)")
    if info.compress_type not in COMPRESSIONS:
        raise ValueError(f"array {name!r} uses zip compression method {info.compress_type} "
                         f"(allowed: {', '.join(COMPRESSIONS.values())})")
    with archive.open(info) as stream:
        dtype, fortran_order = read_npy_header(stream, name, shape)
        header_bytes = stream.tell()
    declared = header_bytes + math.prod(shape) * dtype.itemsize
    if info.file_size != declared:
        raise ValueError(f"array {name!r} is {info.file_size} bytes in the zip directory, but "
                         f"its .npy header declares {declared} (header and data)")
    return Member(name, info, dtype, fortran_order, header_bytes)


def read_npy_header(stream, name: str, shape: tuple[int, ...]) -> tuple[np.dtype, bool]:
    """Read a .npy header (never pickle) and check its shape and dtype; return dtype, order."""
    try:
        version = npy.read_magic(stream)
        if version not in HEADER_READERS:
            raise ValueError(f"format version {version[0]}.{version[1]} (allowed: 1.0, 2.0)")
        found_shape, fortran_order, dtype = HEADER_READERS[version](stream)
    except (ValueError, TypeError) as error:
        raise ValueError(f"array {name!r} is not a valid .npy array ({shorten(error)})") from None
    if found_shape != shape:
        raise ValueError(f"array {name!r} has shape {shorten(found_shape)}, the model needs "
                         f"{shape}")
    if dtype.kind not in "iuf":
        raise ValueError(f"array {name!r} holds {shorten(dtype)}, not real numbers "
                         f"(allowed: integers or floats)")
    return dtype, fortran_order


# ------------------------------------------------------------------ reading the data

def read_member(archive: zipfile.ZipFile, member: Member, shape: tuple[int, ...]) -> np.ndarray:
    """Read exactly the data bytes a checked member declares; refuse missing bytes and NaN/inf."""
    n_bytes = math.prod(shape) * member.dtype.itemsize
    with archive.open(member.info) as stream:
        stream.read(member.header_bytes)             # checked already
        data = stream.read(n_bytes + 1)              # one more: trailing data is an error
    if len(data) != n_bytes:
        raise ValueError(f"array {member.name!r} has {len(data)} bytes of data, its header "
                         f"declares {n_bytes}")
    array = np.frombuffer(data, dtype=member.dtype)
    array = array.reshape(shape[::-1]).T if member.fortran_order else array.reshape(shape)
    if not np.isfinite(array).all():
        raise ValueError(f"array {member.name!r} holds NaN or infinite values "
                         f"(allowed: finite numbers)")
    return array


def shorten(thing: object, limit: int = 80) -> str:
    """str(thing) on one line, cut to about `limit` characters."""
    text = " ".join(str(thing).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def listed(names: list[str], limit: int = 5) -> str:
    """A few names for a message: "'a', 'b' and 3 more", or "none"."""
    if not names:
        return "none"
    shown = ", ".join(repr(shorten(name, 40)) for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
