"""Storage declarations: exact microsecond timestamps of aware datetimes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings

from distcrm.errors import ValidationError
from distcrm.storage._spec import from_micros, to_micros
from distcrm.testing.strategies import aware_datetimes

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@settings(max_examples=50, deadline=None)
@given(aware_datetimes(allow_imaginary=False))
@example(dt.datetime(2000, 10, 29, 2, 0, tzinfo=ZoneInfo("Asia/Ust-Nera")))  # a repeated wall time (fold 0)
@example(dt.datetime(2000, 10, 29, 2, 0, fold=1, tzinfo=ZoneInfo("Asia/Ust-Nera")))
def test_to_micros_is_the_exact_utc_instant(value: dt.datetime) -> None:
    """Microseconds since the epoch equal the exact timedelta arithmetic, for any offset or zone."""
    assert (value - _EPOCH) // dt.timedelta(microseconds=1) == to_micros(value)
    # compared in UTC: a wall time repeated at a zone's DST change (fold) never equals a time
    # in another zone under ``==`` (PEP 495), though it is the same instant
    assert value.astimezone(dt.UTC) == from_micros(to_micros(value))


def test_to_micros_rejects_naive_and_non_datetimes() -> None:
    """A naive datetime or a date is refused with the field's name."""
    for bad in (dt.datetime(2024, 1, 1), dt.date(2024, 1, 1)):
        with pytest.raises(ValidationError) as info:
            to_micros(bad, "at")  # type: ignore[arg-type]
        assert ["$.at"] == [e.path for e in info.value.errors]
