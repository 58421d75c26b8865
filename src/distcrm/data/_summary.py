"""``CustomerSummary``: one row per customer of frequency, recency, T and spend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._checks import (
    as_float_array,
    check_finite,
    check_integer_valued,
    check_nonnegative,
    check_same_length,
)
from distcrm.errors import FieldError, ValidationError

__all__ = ["CustomerSummary"]

FloatArray = npt.NDArray[np.float64]

_UNITS = ("D", "W", "M", "Y", "h")


def _ids_array(customer_ids: Any, n: int) -> npt.NDArray[np.object_]:
    if customer_ids is None:
        return np.array([str(i) for i in range(n)], dtype=object)
    ids = np.asarray(customer_ids, dtype=object)
    if ids.ndim != 1:
        raise ValidationError.single("customer_ids", ids.shape, "must be 1-dimensional")
    return ids


@attrs.frozen(eq=False, kw_only=True)
class CustomerSummary:
    """Per-customer purchase summary in one time unit (the input of the purchase models).

    ``frequency`` counts repeat purchase periods (purchases after the first), ``recency``
    is the age of the customer at the last purchase, ``T`` the age at the end of the
    calibration period, all in ``time_unit`` (``"D"``, ``"W"``, ``"M"``...).
    ``monetary_value`` is the mean value of the repeat purchases (NaN where
    ``frequency == 0``). With a holdout period, ``frequency_holdout`` and
    ``monetary_value_holdout`` hold what happened in the ``duration_holdout`` after ``T``.

    Build one with :meth:`from_arrays` (which validates) or ``TransactionLog.summary``.

    Examples
    --------
    >>> s = CustomerSummary.from_arrays(frequency=[2, 0], recency=[30.4, 0], T=[38.9, 38.9])
    >>> len(s), s.time_unit
    (2, 'W')
    """

    frequency: FloatArray
    recency: FloatArray
    T: FloatArray
    customer_ids: npt.NDArray[np.object_]
    monetary_value: FloatArray | None = None
    first_purchase: npt.NDArray[np.datetime64] | None = None
    last_purchase: npt.NDArray[np.datetime64] | None = None
    frequency_holdout: FloatArray | None = None
    monetary_value_holdout: FloatArray | None = None
    duration_holdout: float | None = None
    time_unit: str = "W"
    calibration_end: np.datetime64 | None = None

    @classmethod
    def from_arrays(
        cls,
        *,
        frequency: Any,
        recency: Any,
        T: Any,
        monetary_value: Any = None,
        customer_ids: Any = None,
        frequency_holdout: Any = None,
        monetary_value_holdout: Any = None,
        duration_holdout: float | None = None,
        first_purchase: Any = None,
        last_purchase: Any = None,
        time_unit: str = "W",
        calibration_end: Any = None,
    ) -> CustomerSummary:
        """Validate and build a summary from array-likes.

        Raises
        ------
        ValidationError
            Empty data; arrays of different lengths; a negative, non-finite or
            non-integer frequency; a negative recency; a recency greater than ``T``; a
            negative monetary value. Each problem names the customer.
        """
        if time_unit not in _UNITS:
            raise ValidationError.single("time_unit", time_unit, f"must be one of {_UNITS}")
        x = as_float_array("frequency", frequency)
        tx = as_float_array("recency", recency)
        t = as_float_array("T", T)
        m = None if monetary_value is None else as_float_array("monetary_value", monetary_value)
        xh = None if frequency_holdout is None else as_float_array("frequency_holdout", frequency_holdout)
        mh = (
            None
            if monetary_value_holdout is None
            else as_float_array("monetary_value_holdout", monetary_value_holdout)
        )
        n = check_same_length(
            frequency=x, recency=tx, T=t, monetary_value=m, frequency_holdout=xh, monetary_value_holdout=mh
        )
        ids = _ids_array(customer_ids, n)
        check_same_length(frequency=x, customer_ids=ids)
        if len(set(ids.tolist())) != n:
            uniq, counts = np.unique(ids.astype(str), return_counts=True)
            raise ValidationError.single("customer_ids", uniq[counts > 1][:5].tolist(), "must be unique")

        problems: list[FieldError] = []
        checks: list[tuple[Callable[..., None], str, FloatArray]] = [
            (check_finite, "frequency", x),
            (check_nonnegative, "frequency", x),
            (check_integer_valued, "frequency", x),
            (check_finite, "recency", tx),
            (check_nonnegative, "recency", tx),
            (check_finite, "T", t),
            (check_nonnegative, "T", t),
        ]
        for check, name, arr in checks:
            try:
                check(name, arr, ids)
            except ValidationError as e:
                problems.extend(e.errors)
        with np.errstate(invalid="ignore"):
            over = tx > t * (1 + 1e-12) + 1e-12
        for i in np.flatnonzero(over)[:10]:
            problems.append(FieldError(f"$.recency[{ids[i]!r}]", f"must be <= T ({t[i]:g})", float(tx[i])))
        if m is not None:
            with np.errstate(invalid="ignore"):
                neg = m < 0
            for i in np.flatnonzero(neg)[:10]:
                problems.append(FieldError(f"$.monetary_value[{ids[i]!r}]", "must be >= 0", float(m[i])))
            if np.isinf(m).any():
                i = int(np.flatnonzero(np.isinf(m))[0])
                problems.append(FieldError(f"$.monetary_value[{ids[i]!r}]", "must be finite", float(m[i])))
        if xh is not None:
            for i in np.flatnonzero(~np.isfinite(xh) | (xh < 0))[:10]:
                problems.append(
                    FieldError(f"$.frequency_holdout[{ids[i]!r}]", "must be finite and >= 0", float(xh[i]))
                )
            if duration_holdout is None or not duration_holdout > 0:
                problems.append(
                    FieldError("$.duration_holdout", "must be > 0 with a holdout", duration_holdout)
                )
        if problems:
            raise ValidationError(problems)
        return cls(
            frequency=x,
            recency=tx,
            T=t,
            customer_ids=ids,
            monetary_value=m,
            first_purchase=None
            if first_purchase is None
            else np.asarray(first_purchase, dtype="datetime64[s]"),
            last_purchase=None if last_purchase is None else np.asarray(last_purchase, dtype="datetime64[s]"),
            frequency_holdout=xh,
            monetary_value_holdout=mh,
            duration_holdout=None if duration_holdout is None else float(duration_holdout),
            time_unit=time_unit,
            calibration_end=None if calibration_end is None else np.datetime64(calibration_end, "s"),
        )

    def __len__(self) -> int:
        return int(self.frequency.shape[0])

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return len(self)

    @property
    def has_holdout(self) -> bool:
        """Whether holdout-period observations are attached."""
        return self.frequency_holdout is not None

    def compressed(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, npt.NDArray[np.intp]]:
        """Unique ``(x, t_x, T)`` rows with their counts, and the inverse index.

        Likelihoods are sums over customers; identical rows need to be evaluated once.
        Returns ``(x, t_x, T, weights, inverse)`` with ``x[inverse]`` equal to
        ``self.frequency``.
        """
        stacked = np.stack([self.frequency, self.recency, self.T], axis=1)
        uniq, inverse, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
        return (
            uniq[:, 0].copy(),
            uniq[:, 1].copy(),
            uniq[:, 2].copy(),
            counts.astype(np.float64),
            inverse.reshape(-1),
        )

    def take(self, index: Any) -> CustomerSummary:
        """The summary restricted to the rows ``index`` (an integer or boolean array)."""
        idx = np.asarray(index)

        def sub(a: Any) -> Any:
            return None if a is None else a[idx]

        return attrs.evolve(
            self,
            frequency=self.frequency[idx],
            recency=self.recency[idx],
            T=self.T[idx],
            customer_ids=self.customer_ids[idx],
            monetary_value=sub(self.monetary_value),
            first_purchase=sub(self.first_purchase),
            last_purchase=sub(self.last_purchase),
            frequency_holdout=sub(self.frequency_holdout),
            monetary_value_holdout=sub(self.monetary_value_holdout),
        )

    def equals(self, other: object) -> bool:
        """Whether both summaries hold the same values (NaN equal to NaN)."""
        if not isinstance(other, CustomerSummary):
            return False
        for f in attrs.fields(CustomerSummary):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
                if a is None or b is None or a.shape != b.shape:
                    return False
                if a.dtype.kind == "f":
                    if not np.array_equal(a, b, equal_nan=True):
                        return False
                elif not np.array_equal(a, b):
                    return False
            elif a != b:
                return False
        return True

    def to_dict(self) -> dict[str, Any]:
        """Columns as a mapping of name to array (absent columns left out)."""
        out: dict[str, Any] = {"customer_id": self.customer_ids}
        for name in (
            "frequency",
            "recency",
            "T",
            "monetary_value",
            "first_purchase",
            "last_purchase",
            "frequency_holdout",
            "monetary_value_holdout",
        ):
            v = getattr(self, name)
            if v is not None:
                out[name] = v
        return out

    def to_frame(self) -> Any:
        """A pandas DataFrame indexed by customer id (needs the ``pandas`` extra)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="CustomerSummary.to_frame")
        cols = self.to_dict()
        ids = cols.pop("customer_id")
        return pd.DataFrame(cols, index=pd.Index(ids, name="customer_id"))

    def __repr__(self) -> str:
        hold = f", holdout={self.duration_holdout:g}{self.time_unit}" if self.has_holdout else ""
        return f"<CustomerSummary: {len(self)} customers, unit={self.time_unit!r}{hold}>"
