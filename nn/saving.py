"""Saving and loading parameters as a numpy .npz archive: named arrays, never pickle.

A module describes its parameters as named arrays ("layer1.weights" of shape (16, 2), ...);
`save` writes one array per name, and `load` checks that the file holds exactly those names
with exactly those shapes before it touches a single parameter, so a file that does not fit
leaves the model as it was.

Read next: `losses.py`.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import numpy as np
from numpy.lib.npyio import NpzFile

from autograd import Value

NamedArrays = list[tuple[str, list[Value], tuple[int, ...]]]


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
    arrays = read_npz(path)
    check_fits(named, arrays, path)
    for name, values, shape in named:
        for p, number in zip(values, arrays[name].reshape(-1)):
            p.data = float(number)


def read_npz(path: str | Path) -> dict[str, np.ndarray]:
    """Every array of an .npz file, read without pickle; ValueError if that is impossible."""
    try:
        archive = np.load(path, allow_pickle=False)   # pickled data raises ValueError
        if not isinstance(archive, NpzFile):
            raise ValueError("it holds a single .npy array, not an .npz archive")
        with archive:
            return {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as error:
        raise ValueError(f"{path}: not a readable .npz file of parameters ({error})") from None


def check_fits(named: NamedArrays, arrays: dict[str, np.ndarray], path: str | Path) -> None:
    """Raise ValueError unless arrays holds exactly the model's names, shapes and real numbers."""
    expected = {name: shape for name, _, shape in named}
    if set(arrays) != set(expected):
        missing = sorted(set(expected) - set(arrays))
        extra = sorted(set(arrays) - set(expected))
        raise ValueError(f"{path}: its arrays do not fit the model (missing: {missing or 'none'}"
                         f"; unexpected: {extra or 'none'})")
    for name, shape in expected.items():
        array = arrays[name]
        if array.shape != shape:
            raise ValueError(f"{path}: array {name!r} has shape {array.shape}, the model needs "
                             f"{shape}")
        if array.dtype.kind not in "iuf":
            raise ValueError(f"{path}: array {name!r} holds {array.dtype}, not real numbers")
