"""``DemandPanel``: a series × periods matrix of demand with a calendar and keys."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._checks import as_float_array
from distcrm.errors import FieldError, ValidationError

__all__ = ["DemandPanel"]

FloatArray = npt.NDArray[np.float64]

_FREQS = {"D": "D", "W": "W", "M": "M", "Q": "M", "Y": "Y"}


@attrs.frozen(eq=False, kw_only=True)
class DemandPanel:
    """Demand of many series over the same periods, as one ``(n_series, n_periods)`` array.

    A series is an item, or a customer × item pair (``item_ids`` / ``customer_ids``
    say which, per row). Missing observations are NaN and stay NaN: nothing is filled
    in silently; each forecaster documents how it treats them. Demand is never
    negative.

    Attributes
    ----------
    values
        ``float64`` array of shape ``(n_series, n_periods)``.
    series_ids
        One key per row (strings).
    periods
        The start of each period (``datetime64``), or ``None`` for a bare index.
    freq
        ``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"``, or ``None``.

    Examples
    --------
    >>> p = DemandPanel.from_array([[0, 2, 0, 1], [1, 1, 1, 1]])
    >>> p.shape
    (2, 4)
    >>> train, test = p.split(1)
    >>> train.shape, test.shape
    ((2, 3), (2, 1))
    """

    values: FloatArray
    series_ids: npt.NDArray[np.object_]
    periods: npt.NDArray[np.datetime64] | None = None
    freq: str | None = None
    item_ids: npt.NDArray[np.object_] | None = None
    customer_ids: npt.NDArray[np.object_] | None = None

    @classmethod
    def from_array(
        cls,
        values: Any,
        *,
        series_ids: Any = None,
        start: Any = None,
        freq: str | None = None,
        periods: Any = None,
        item_ids: Any = None,
        customer_ids: Any = None,
        allow_nan: bool = True,
    ) -> DemandPanel:
        """Validate and build a panel.

        ``values`` is a 2-D array-like (a 1-D one is one series). The calendar is
        either ``periods`` (one date per column) or ``start`` and ``freq``.

        Raises
        ------
        ValidationError
            Ragged rows; negative or infinite demand (naming the series and period);
            NaN when ``allow_nan`` is false; keys or calendar of the wrong length;
            an unknown ``freq``.
        """
        if (
            isinstance(values, (list, tuple))
            and values
            and not isinstance(values[0], (list, tuple, np.ndarray))
        ):
            values = [values]
        arr = (
            as_float_array("values", values, ndim=2)
            if not (isinstance(values, np.ndarray) and values.ndim == 1)
            else as_float_array("values", values[None, :], ndim=2)
        )
        n, t = arr.shape
        if t == 0:
            raise ValidationError.single("values", arr.shape, "has no periods")
        ids = (
            np.array([str(i) for i in range(n)], dtype=object)
            if series_ids is None
            else np.asarray(series_ids, dtype=object)
        )
        problems: list[FieldError] = []
        if ids.shape != (n,):
            problems.append(FieldError("$.series_ids", f"must have one id per series ({n})", ids.shape))
            ids = np.array([str(i) for i in range(n)], dtype=object)
        elif len(set(ids.tolist())) != n:
            problems.append(FieldError("$.series_ids", "must be unique", None))
        if freq is not None and freq not in _FREQS:
            problems.append(FieldError("$.freq", f"must be one of {sorted(_FREQS)}", freq))
        cal = None
        if periods is not None:
            cal = np.asarray(periods, dtype="datetime64[D]")
            if cal.shape != (t,):
                problems.append(FieldError("$.periods", f"must have one date per period ({t})", cal.shape))
            elif t > 1 and not (np.diff(cal) > np.timedelta64(0, "D")).all():
                problems.append(FieldError("$.periods", "must be strictly increasing", None))
        elif start is not None:
            if freq is None:
                problems.append(FieldError("$.freq", "is required with start", None))
            else:
                cal = _calendar(np.datetime64(start, "D"), t, freq)
        for name, keys in (("item_ids", item_ids), ("customer_ids", customer_ids)):
            if keys is not None and np.asarray(keys, dtype=object).shape != (n,):
                problems.append(FieldError(f"$.{name}", f"must have one key per series ({n})", None))
        bad_inf = np.isinf(arr)
        with np.errstate(invalid="ignore"):
            bad_neg = arr < 0
        for mask, msg in ((bad_neg, "demand must be >= 0"), (bad_inf, "demand must be finite")):
            for i, j in np.argwhere(mask)[:10]:
                problems.append(FieldError(f"$.values[{ids[i]!r}][{int(j)}]", msg, float(arr[i, j])))
        if not allow_nan and np.isnan(arr).any():
            for i, j in np.argwhere(np.isnan(arr))[:10]:
                problems.append(
                    FieldError(f"$.values[{ids[i]!r}][{int(j)}]", "missing value (NaN) not allowed", None)
                )
        if problems:
            raise ValidationError(problems)
        return cls(
            values=np.ascontiguousarray(arr),
            series_ids=ids,
            periods=cal,
            freq=freq,
            item_ids=None if item_ids is None else np.asarray(item_ids, dtype=object),
            customer_ids=None if customer_ids is None else np.asarray(customer_ids, dtype=object),
        )

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_series, n_periods)``."""
        return (int(self.values.shape[0]), int(self.values.shape[1]))

    @property
    def n_series(self) -> int:
        """Number of series."""
        return self.shape[0]

    @property
    def n_periods(self) -> int:
        """Number of periods."""
        return self.shape[1]

    @property
    def has_missing(self) -> bool:
        """Whether any value is NaN."""
        return bool(np.isnan(self.values).any())

    def __len__(self) -> int:
        return self.n_series

    def split(self, n_test: int) -> tuple[DemandPanel, DemandPanel]:
        """The first ``n_periods - n_test`` periods and the last ``n_test``."""
        if not 0 < n_test < self.n_periods:
            raise ValidationError.single("n_test", n_test, f"must be in 1..{self.n_periods - 1}")
        return self.window(0, self.n_periods - n_test), self.window(self.n_periods - n_test, self.n_periods)

    def window(self, start: int, stop: int) -> DemandPanel:
        """Periods ``start:stop`` of every series."""
        if not 0 <= start < stop <= self.n_periods:
            raise ValidationError.single(
                "window", (start, stop), f"must satisfy 0 <= start < stop <= {self.n_periods}"
            )
        return attrs.evolve(
            self,
            values=np.ascontiguousarray(self.values[:, start:stop]),
            periods=None if self.periods is None else self.periods[start:stop],
        )

    def take(self, rows: Any) -> DemandPanel:
        """The panel restricted to some series (an integer or boolean index)."""
        idx = np.asarray(rows)
        return attrs.evolve(
            self,
            values=np.ascontiguousarray(self.values[idx]),
            series_ids=self.series_ids[idx],
            item_ids=None if self.item_ids is None else self.item_ids[idx],
            customer_ids=None if self.customer_ids is None else self.customer_ids[idx],
        )

    def future_periods(self, h: int) -> npt.NDArray[np.datetime64] | None:
        """The dates of the ``h`` periods after the last one (``None`` without a calendar)."""
        if self.periods is None or self.freq is None:
            return None
        return _calendar(self.periods[-1], h + 1, self.freq)[1:]

    def equals(self, other: object) -> bool:
        """Same values (NaN equal to NaN), keys and calendar."""
        if not isinstance(other, DemandPanel):
            return False
        same_cal = (self.periods is None and other.periods is None) or (
            self.periods is not None
            and other.periods is not None
            and np.array_equal(self.periods, other.periods)
        )
        return (
            self.shape == other.shape
            and np.array_equal(self.values, other.values, equal_nan=True)
            and np.array_equal(self.series_ids, other.series_ids)
            and same_cal
            and self.freq == other.freq
        )

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per series, one column per period (``pandas`` extra)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="DemandPanel.to_frame")
        cols = self.periods if self.periods is not None else np.arange(self.n_periods)
        return pd.DataFrame(self.values, index=pd.Index(self.series_ids, name="series_id"), columns=cols)

    def __repr__(self) -> str:
        cal = ""
        if self.periods is not None:
            cal = f", {self.periods[0]}..{self.periods[-1]} ({self.freq})"
        return f"<DemandPanel: {self.n_series} series x {self.n_periods} periods{cal}>"


def _calendar(start: np.datetime64, n: int, freq: str) -> npt.NDArray[np.datetime64]:
    if freq == "D":
        return start + np.arange(n).astype("timedelta64[D]")
    if freq == "W":
        return start + (7 * np.arange(n)).astype("timedelta64[D]")
    step = {"M": 1, "Q": 3, "Y": 12}[freq]
    month0 = start.astype("datetime64[M]")
    months = month0 + (step * np.arange(n)).astype("timedelta64[M]")
    out: npt.NDArray[np.datetime64] = months.astype("datetime64[D]")
    return out
