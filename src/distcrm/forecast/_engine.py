"""Which implementation runs the intermittent methods: NumPy, or compiled kernels (numba).

``engine="auto"`` (the default) uses the compiled kernels when the optional ``speed``
extra (numba) is installed and NumPy otherwise; ``"numpy"`` and ``"numba"`` force one
(``"numba"`` without numba raises :class:`~distcrm.errors.MissingDependencyError`).
Both give the same forecasts bit for bit. ``n_jobs`` follows scikit-learn: ``None``
is one thread, ``-1`` every core, ``-2`` all but one; only the compiled kernels use
threads.
"""

from __future__ import annotations

import importlib.util
import os
from types import ModuleType
from typing import Any

from distcrm._optional import import_optional
from distcrm.errors import ValidationError

__all__ = ["ENGINES", "check_engine", "check_n_jobs", "kernels", "n_threads"]

ENGINES = ("auto", "numpy", "numba")


def check_engine(engine: Any) -> None:
    """Raise ValidationError unless ``engine`` is one of :data:`ENGINES`."""
    if not isinstance(engine, str) or engine not in ENGINES:
        raise ValidationError.single("engine", engine, f"must be one of {', '.join(map(repr, ENGINES))}")


def check_n_jobs(n_jobs: Any) -> None:
    """Raise ValidationError unless ``n_jobs`` is None or a non-zero int."""
    if n_jobs is None:
        return
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ValidationError.single("n_jobs", n_jobs, "must be None or a non-zero integer (-1: every core)")


def n_threads(n_jobs: int | None) -> int:
    """Threads for ``n_jobs`` (scikit-learn's convention)."""
    if n_jobs is None:
        return 1
    cores = os.cpu_count() or 1
    return max(1, n_jobs if n_jobs > 0 else cores + 1 + n_jobs)


def kernels(engine: str, feature: str) -> ModuleType | None:
    """The compiled kernels module for ``engine``, or None for the NumPy path."""
    if engine == "numpy":
        return None
    if engine == "auto" and importlib.util.find_spec("numba") is None:
        return None
    import_optional("numba", feature=feature, extra="speed")
    return importlib.import_module("distcrm.forecast._numba")
