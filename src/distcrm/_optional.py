"""Lazy import of optional dependencies with an error that names the extra."""

from __future__ import annotations

import importlib
from types import ModuleType

from distcrm.errors import MissingDependencyError

__all__ = ["import_optional"]

# package import name -> extra that installs it
_EXTRAS = {
    "pandas": "pandas",
    "polars": "polars",
    "matplotlib": "plot",
    "tqdm": "progress",
    "psycopg": "postgres",
    "dask": "dask",
    "distributed": "dask",
    "pyarrow": "dask",
    "jieba": "sentiment",
    "numba": "speed",
}


def import_optional(name: str, *, feature: str = "", extra: str | None = None) -> ModuleType:
    """Import ``name`` or raise :class:`MissingDependencyError` naming the extra to install.

    Examples
    --------
    >>> import_optional("json").__name__
    'json'
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        top = name.split(".")[0]
        raise MissingDependencyError(top, extra or _EXTRAS.get(top, top), feature) from exc
