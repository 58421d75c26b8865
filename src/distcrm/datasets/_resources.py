"""Access to the bundled data files through ``importlib.resources``."""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
from collections.abc import Iterator
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["data_file", "open_text", "path_of", "read_csv_columns"]


def data_file(*parts: str) -> Traversable:
    """The bundled resource ``distcrm/datasets/data/<parts>``."""
    node = resources.files("distcrm.datasets").joinpath("data")
    for part in parts:
        node = node.joinpath(part)
    return node


def open_text(*parts: str) -> io.TextIOBase:
    """A text stream of a bundled file (``.gz`` files are decompressed)."""
    data = data_file(*parts).read_bytes()
    if parts[-1].endswith(".gz"):
        data = gzip.decompress(data)
    return io.StringIO(data.decode("utf-8"), newline="")


@contextlib.contextmanager
def path_of(*parts: str) -> Iterator[Path]:
    """A real filesystem path of a bundled file, for readers that need one."""
    with resources.as_file(data_file(*parts)) as p:
        yield Path(p)


def read_csv_columns(*parts: str) -> dict[str, npt.NDArray[np.str_]]:
    """Every column of a bundled CSV file as a string array (empty cells are ``""``).

    Uses pandas' C parser when pandas is installed, else the standard ``csv`` module.
    """
    with open_text(*parts) as f:
        try:
            import pandas as pd
        except ImportError:
            reader = csv.reader(f)
            header = next(reader)
            columns = list(zip(*reader, strict=True))
            return {h: np.asarray(c, dtype=str) for h, c in zip(header, columns, strict=True)}
        df = pd.read_csv(f, dtype=str, keep_default_na=False, na_filter=False)
        return {str(h): np.asarray(df[h].to_numpy(), dtype=str) for h in df.columns}
