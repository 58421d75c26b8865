"""``distcrm.show_versions()``: what to paste into a bug report."""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

__all__ = ["show_versions", "versions"]

_PACKAGES = (
    "distcrm",
    "attrs",
    "cattrs",
    "numpy",
    "scipy",
    "ortools",
    "pyvrp",
    "pandas",
    "polars",
    "matplotlib",
    "tqdm",
    "psycopg",
    "dask",
    "jieba",
    "hypothesis",
)


def versions() -> dict[str, str | None]:
    """Python, platform and the versions of distcrm's dependencies (``None`` when absent)."""
    out: dict[str, str | None] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
    }
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def show_versions() -> None:
    """Print the versions of Python, the platform and every (optional) dependency.

    >>> show_versions()  # doctest: +ELLIPSIS
    python...
    """
    for key, value in versions().items():
        print(f"{key:>12}: {value if value is not None else 'not installed'}")
