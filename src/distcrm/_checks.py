"""Array validation shared by the columnar layer and the engines.

Every check raises :class:`~distcrm.errors.ValidationError` naming the field and the
first offending rows (by id where ids are known), never a bare numpy error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from distcrm.errors import FieldError, ValidationError

__all__ = [
    "as_float_array",
    "check_finite",
    "check_integer_valued",
    "check_nonnegative",
    "check_same_length",
    "row_label",
]

_MAX_LISTED = 10


def row_label(i: int, ids: npt.NDArray[Any] | Sequence[Any] | None) -> str:
    """``customer 'C-17' (row 3)`` when ids are known, else ``row 3``."""
    if ids is None:
        return f"row {i}"
    return f"{ids[i]!r} (row {i})"


def _fail(
    field: str,
    mask: npt.NDArray[np.bool_],
    values: npt.NDArray[Any],
    message: str,
    ids: npt.NDArray[Any] | Sequence[Any] | None,
) -> None:
    bad = np.flatnonzero(mask)
    if bad.size == 0:
        return
    errors = []
    for i in bad[:_MAX_LISTED]:
        idx = int(i)
        label = f"[{ids[idx]!r}]" if ids is not None else f"[{idx}]"
        errors.append(FieldError(f"$.{field}{label}", message, values.ravel()[idx].item()))
    title = None
    if bad.size > _MAX_LISTED:
        title = f"{bad.size} bad values in {field!r} (first {_MAX_LISTED} listed)"
    raise ValidationError(errors, title=title)


def as_float_array(
    field: str, values: Any, *, ndim: int = 1, allow_empty: bool = False
) -> npt.NDArray[np.float64]:
    """Convert ``values`` to a float64 array of ``ndim`` dimensions, or raise naming ``field``."""
    if isinstance(values, (list, tuple)) and ndim == 2:
        lengths = {len(r) if isinstance(r, (list, tuple, np.ndarray)) else -1 for r in values}
        if len(lengths) > 1:
            raise ValidationError.single(field, sorted(lengths), "rows have different lengths (ragged)")
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValidationError.single(field, type(values).__name__, f"is not numeric ({exc})") from None
    if arr.ndim != ndim:
        raise ValidationError.single(field, arr.shape, f"must be {ndim}-dimensional")
    if arr.size == 0 and not allow_empty:
        raise ValidationError.single(field, arr.shape, "is empty")
    return arr


def check_finite(
    field: str, arr: npt.NDArray[np.float64], ids: Any = None, *, allow_nan: bool = False
) -> None:
    """No inf (and no NaN unless ``allow_nan``)."""
    mask = np.isinf(arr) if allow_nan else ~np.isfinite(arr)
    if mask.any():
        _fail(field, mask, arr, "must be finite", ids)


def check_nonnegative(field: str, arr: npt.NDArray[np.float64], ids: Any = None) -> None:
    """Every non-NaN value is ``>= 0``."""
    mask = arr < 0
    if mask.any():
        _fail(field, mask, arr, "must be >= 0", ids)


def check_integer_valued(field: str, arr: npt.NDArray[np.float64], ids: Any = None) -> None:
    """Every non-NaN value is a whole number."""
    with np.errstate(invalid="ignore"):
        mask = np.isfinite(arr) & (arr != np.round(arr))
    if mask.any():
        _fail(field, mask, arr, "must be a whole number", ids)


def check_same_length(**arrays: npt.NDArray[Any] | None) -> int:
    """All given (non-None) arrays have the same length; returns it."""
    lengths = {k: len(v) for k, v in arrays.items() if v is not None}
    if len(set(lengths.values())) > 1:
        first = next(iter(lengths))
        errors = [
            FieldError(f"$.{k}", f"has length {n}, expected {lengths[first]} (the length of {first!r})")
            for k, n in lengths.items()
            if n != lengths[first]
        ]
        raise ValidationError(errors)
    return next(iter(lengths.values()), 0)
