"""Calendar periods as integer indices, shared by summaries and demand panels.

Periods follow pandas' ``Timestamp.to_period(freq)`` conventions, which lifetimes relies
on: hours, days, weeks that start on Monday (pandas ``W`` = ``W-SUN``, weeks ending on
Sunday), calendar months and calendar years.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from distcrm.errors import ValidationError

__all__ = ["PERIODS", "as_datetime64", "period_index", "period_start"]

PERIODS = ("h", "D", "W", "M", "Y")

Int64Array = npt.NDArray[np.int64]
DatetimeArray = npt.NDArray[np.datetime64]


def check_period(field: str, unit: str) -> None:
    """Raise a ``ValidationError`` naming ``field`` unless ``unit`` is a known period."""
    if unit not in PERIODS:
        raise ValidationError.single(field, unit, f"must be one of {list(PERIODS)}")


def as_datetime64(field: str, value: Any) -> np.datetime64:
    """One instant as ``datetime64[s]`` (a string, date, datetime or datetime64)."""
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        value = value.replace(tzinfo=None)
    try:
        out = np.datetime64(value, "s")
    except (TypeError, ValueError) as exc:
        raise ValidationError.single(field, value, f"is not a date or time ({exc})") from None
    if np.isnat(out):
        raise ValidationError.single(field, value, "is not a date or time")
    return out


def period_index(ts: DatetimeArray, unit: str) -> Int64Array:
    """The integer index of the period of ``unit`` holding each timestamp.

    >>> period_index(np.array(["1970-01-04", "1970-01-05"], dtype="datetime64[s]"), "W")
    array([0, 1])
    """
    if unit == "W" and ts.dtype == np.dtype("datetime64[s]"):
        week: Int64Array = (ts.view(np.int64) + 3 * 86400) // (7 * 86400)
        return week
    if unit == "W":
        days = ts.astype("datetime64[D]").astype(np.int64)
        out: Int64Array = (days + 3) // 7  # 1970-01-05 is a Monday: week 1 starts there
        return out
    return ts.astype(f"datetime64[{unit}]").astype(np.int64)


def period_start(index: Int64Array, unit: str) -> DatetimeArray:
    """The first instant of each period (``datetime64[D]``, or ``[h]`` for hours).

    >>> period_start(np.array([0, 1]), "W")
    array(['1969-12-29', '1970-01-05'], dtype='datetime64[D]')
    """
    idx = np.asarray(index, dtype=np.int64)
    if unit == "W":
        return (idx * 7 - 3).astype("datetime64[D]")
    if unit == "h":
        return idx.astype("datetime64[h]")
    return idx.astype(f"datetime64[{unit}]").astype("datetime64[D]")
