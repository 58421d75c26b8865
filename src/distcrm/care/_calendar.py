"""Holiday calendars: fixed-date holidays plus dated tables (Spring Festival and other lunar holidays)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from functools import cache
from importlib import resources

import attrs

from distcrm.errors import FieldError, ValidationError

__all__ = ["Holiday", "HolidayCalendar", "spring_festival"]


@attrs.frozen
class Holiday:
    """One holiday on one date."""

    date: dt.date
    key: str
    name: str
    local_name: str = ""


@cache
def _china_table() -> tuple[Holiday, ...]:
    path = resources.files("distcrm.care") / "data" / "china_holidays.csv"
    with path.open("r", encoding="utf-8") as fh:
        return tuple(
            Holiday(dt.date.fromisoformat(r["date"]), r["key"], r["name"], r["name_zh"])
            for r in csv.DictReader(fh)
        )


def spring_festival(year: int) -> dt.date:
    """The date of the Spring Festival (Chinese New Year) in ``year`` (2020–2035).

    Examples
    --------
    >>> spring_festival(2024)
    datetime.date(2024, 2, 10)
    """
    for h in _china_table():
        if h.key == "spring_festival" and h.date.year == year:
            return h.date
    years = sorted({h.date.year for h in _china_table()})
    raise ValidationError.single("year", year, f"is outside the bundled table ({years[0]}–{years[-1]})")


@attrs.frozen
class HolidayCalendar:
    """A configurable set of holidays: fixed ``(month, day, key, name)`` dates and dated holidays.

    Combine calendars with ``+``. ``HolidayCalendar.china()`` holds the Chinese public
    holidays (New Year's Day, Spring Festival, Qingming, Labour Day, Dragon Boat,
    Mid-Autumn, National Day) for 2020–2035.

    Examples
    --------
    >>> cal = HolidayCalendar.china()
    >>> [h.key for h in cal.on(dt.date(2025, 1, 29))]
    ['spring_festival']
    >>> [h.name for h in cal.on(dt.date(2025, 10, 1))]
    ['National Day']
    >>> xmas = HolidayCalendar(fixed=((12, 25, "christmas", "Christmas"),))
    >>> len((cal + xmas).between(dt.date(2025, 12, 1), dt.date(2025, 12, 31)))
    1
    """

    fixed: tuple[tuple[int, int, str, str], ...] = ()
    dated: tuple[Holiday, ...] = ()

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        for i, f in enumerate(self.fixed):
            try:
                dt.date(2024, f[0], f[1])
            except (TypeError, ValueError, IndexError):
                errors.append(
                    FieldError(f"$.fixed[{i}]", "must be (month, day, key, name) with a real date", f)
                )
        if errors:
            raise ValidationError(errors, title="invalid HolidayCalendar")

    @classmethod
    def china(cls) -> HolidayCalendar:
        """The Chinese public holidays (first days), 2020–2035."""
        return cls(
            fixed=(
                (1, 1, "new_year", "New Year's Day"),
                (5, 1, "labour_day", "Labour Day"),
                (10, 1, "national_day", "National Day"),
            ),
            dated=_china_table(),
        )

    @classmethod
    def from_dates(cls, holidays: Iterable[tuple[dt.date, str, str]]) -> HolidayCalendar:
        """A calendar of dated holidays ``(date, key, name)``."""
        return cls(dated=tuple(Holiday(d, k, n) for d, k, n in holidays))

    def __add__(self, other: HolidayCalendar) -> HolidayCalendar:
        return HolidayCalendar(fixed=self.fixed + other.fixed, dated=self.dated + other.dated)

    def on(self, day: dt.date) -> list[Holiday]:
        """The holidays falling on ``day``."""
        out = [Holiday(day, k, n) for m, d, k, n in self.fixed if (m, d) == (day.month, day.day)]
        out += [h for h in self.dated if h.date == day]
        return out

    def between(self, start: dt.date, end: dt.date) -> list[Holiday]:
        """Holidays in ``[start, end]``, by date."""
        out: list[Holiday] = []
        day = start
        while day <= end:
            out.extend(self.on(day))
            day += dt.timedelta(days=1)
        return out
