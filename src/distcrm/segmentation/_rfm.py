"""RFM scoring and named segments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._estimator import BaseEstimator, check_is_fitted
from distcrm.data import CustomerSummary
from distcrm.errors import ValidationError
from distcrm.segmentation._common import axes, floats, frame, html_table, ids_array, same_length

__all__ = ["RFM", "SEGMENTS", "RFMData", "RFMResult", "SegmentTransition"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The eleven segment names, best first.
SEGMENTS: tuple[str, ...] = (
    "Champions",
    "Loyal",
    "Potential loyalist",
    "New",
    "Promising",
    "Need attention",
    "About to sleep",
    "At risk",
    "Can't lose them",
    "Hibernating",
    "Lost",
)

# rows: R score 1..5; columns: FM score 1..5 (FM = ceil((F + M) / 2))
_GRID = (
    ("Lost", "Hibernating", "At risk", "At risk", "Can't lose them"),
    ("Hibernating", "Hibernating", "At risk", "At risk", "Can't lose them"),
    ("About to sleep", "About to sleep", "Need attention", "Loyal", "Loyal"),
    ("Promising", "Potential loyalist", "Potential loyalist", "Loyal", "Loyal"),
    ("New", "Potential loyalist", "Potential loyalist", "Champions", "Champions"),
)
_GRID_CODES = np.array([[SEGMENTS.index(s) for s in row] for row in _GRID])


@attrs.frozen(eq=False, kw_only=True)
class RFMData:
    """Per-customer recency (days since the last purchase), frequency and monetary value."""

    customer_ids: npt.NDArray[np.object_]
    recency: FloatArray
    frequency: FloatArray
    monetary: FloatArray

    @classmethod
    def from_arrays(cls, *, recency: Any, frequency: Any, monetary: Any, customer_ids: Any = None) -> RFMData:
        """Validate and build from array-likes (recency in days, lower is more recent).

        Raises
        ------
        ValidationError
            Empty data, different lengths, negative or non-finite values (naming the customer).
        """
        r0 = np.asarray(recency, dtype=object)
        ids = ids_array(customer_ids, r0.shape[0] if r0.ndim == 1 else -1)
        r = floats("recency", recency, ids)
        f = floats("frequency", frequency, ids)
        m = floats("monetary", monetary, ids)
        same_length(recency=r, frequency=f, monetary=m, customer_ids=ids)
        return cls(customer_ids=ids, recency=r, frequency=f, monetary=m)

    @classmethod
    def from_summary(cls, summary: CustomerSummary) -> RFMData:
        """From a :class:`CustomerSummary`: recency ``T - recency``, frequency ``x + 1``, monetary mean spend (0 if none)."""
        m = summary.monetary_value if summary.monetary_value is not None else np.zeros(len(summary))
        return cls(
            customer_ids=summary.customer_ids,
            recency=summary.T - summary.recency,
            frequency=summary.frequency + 1.0,
            monetary=np.where(np.isfinite(m), m, 0.0),
        )

    @classmethod
    def from_log(cls, log: Any, *, as_of: Any = None, by: str = "order") -> RFMData:
        """From a ``TransactionLog``: days since the last purchase at ``as_of`` (default: the log's end),
        the number of distinct orders (``by="order"``) or purchase days (``by="day"``), and total amount.
        """
        if by not in ("order", "day"):
            raise ValidationError.single("by", by, "must be 'order' or 'day'")
        # the log is sorted by customer, then time: every grouping is a boundary scan
        c = log.customer
        ts = log.timestamp
        order = log.order
        amt = log.amount if log.has_amount else None
        end = np.datetime64(log.end if as_of is None else as_of, "s")
        end_s = int(end.astype(np.int64))
        if as_of is not None:
            keep = np.flatnonzero(ts <= end)
            c, ts, order = c.take(keep), ts.take(keep), order.take(keep)
            amt = amt.take(keep) if amt is not None else None
        if c.shape[0] == 0:
            z = np.zeros(0)
            return cls(customer_ids=log.customer_ids[:0], recency=z, frequency=z, monetary=z)
        change = c[1:] != c[:-1]
        starts = np.concatenate(([0], np.flatnonzero(change) + 1))
        ends = np.concatenate((starts[1:], [c.shape[0]]))
        cust = c.take(starts)
        last = ts.take(ends - 1).astype("datetime64[s]").astype(np.int64)
        freq: FloatArray | None = None
        if by == "order" and order.shape[0] and int(order.min()) >= 0:
            # distinct orders per customer: each order belongs to one customer, so count
            # the orders through an order -> customer table (no sort)
            owner = np.full(log.order_ids.shape[0], -1, dtype=np.int64)
            owner[order] = c
            if np.array_equal(owner.take(order), c):
                counts = np.bincount(owner[owner >= 0], minlength=log.customer_ids.shape[0])
                freq = counts.take(cust).astype(np.float64)
            else:  # an order shared by customers: count (customer, order) pairs
                key = c.astype(np.int64) * (log.order_ids.shape[0] + 1) + order
                uk = np.unique(key)
                counts = np.bincount(
                    (uk // (log.order_ids.shape[0] + 1)).astype(np.intp), minlength=log.customer_ids.shape[0]
                )
                freq = counts.take(cust).astype(np.float64)
        if freq is None:  # distinct purchase days: days are sorted within each customer
            day = ts.astype("datetime64[D]").astype(np.int64)
            new = np.empty(c.shape[0], dtype=bool)
            new[0] = True
            np.logical_or(change, day[1:] != day[:-1], out=new[1:])
            freq = np.add.reduceat(new.astype(np.float64), starts)
        if amt is None:
            mon = np.zeros(cust.shape[0])
        else:
            mon = np.add.reduceat(amt if not np.isnan(amt).any() else np.nan_to_num(amt), starts)
        return cls(
            customer_ids=log.customer_ids.take(cust),
            recency=(end_s - last) / 86400.0,
            frequency=freq,
            monetary=np.maximum(mon, 0.0),
        )

    def __len__(self) -> int:
        return int(self.recency.shape[0])


def _coerce(data: Any) -> RFMData:
    if isinstance(data, RFMData):
        out = data
    elif isinstance(data, CustomerSummary):
        out = RFMData.from_summary(data)
    elif hasattr(data, "customer") and hasattr(data, "timestamp") and hasattr(data, "ingest_report"):
        out = RFMData.from_log(data)
    else:
        raise ValidationError.single(
            "data", type(data).__name__, "must be RFMData, a CustomerSummary or a TransactionLog"
        )
    if len(out) == 0:
        raise ValidationError.single("data", 0, "has no customers")
    return out


def _id_order(ids: npt.NDArray[np.object_]) -> IntArray | None:
    """The permutation sorting customers by id as text, or ``None`` when already sorted."""
    if ids.shape[0] < 2:
        return None
    if isinstance(ids[0], str | np.str_):
        try:
            if bool(np.all(ids[1:] > ids[:-1])):  # text ids of a log come sorted
                return None
        except TypeError:  # mixed id types: compare as text
            pass
    return np.argsort(ids.astype(str), kind="stable").astype(np.int64)


def _quantile_scores(
    values: FloatArray, id_order: IntArray | None, n_bins: int, higher_is_better: bool
) -> IntArray:
    """Scores 1..n_bins from the ordinal rank by value, ties broken by customer id (deterministic).

    One stable argsort per score: customers are laid out in id order first, so a stable
    sort by value leaves ties in id order.
    """
    v = values if higher_is_better else -values
    n = v.shape[0]
    if id_order is None:
        order = np.argsort(v, kind="stable")
    else:
        order = id_order[np.argsort(v[id_order], kind="stable")]
    score = np.empty(n, dtype=np.int64)
    score[order] = np.arange(n, dtype=np.int64) * n_bins // n + 1
    return score


def _threshold_scores(
    values: FloatArray, cuts: Sequence[float], higher_is_better: bool, n_bins: int
) -> IntArray:
    s = np.searchsorted(np.asarray(cuts, dtype=np.float64), values, side="right") + 1
    return (s if higher_is_better else n_bins + 1 - s).astype(np.int64)


class RFM(BaseEstimator):
    """Recency, frequency, monetary scores 1..``n_bins`` and named segments.

    ``method="quantile"`` scores by rank within the data: customers are ordered by the
    value, ties broken by customer id (so equal values at a bin edge are split
    deterministically), and the ordinal rank is cut into ``n_bins`` equal groups. Lower
    recency (days since the last purchase) scores higher. ``method="thresholds"``
    scores against fixed business cut points: ``thresholds={"recency": [...],
    "frequency": [...], "monetary": [...]}``, ``n_bins - 1`` increasing values each
    (a value equal to a cut point goes to the upper bin).

    Segments come from the R score and ``FM = ceil((F + M) / 2)`` (scores rescaled to
    1..5 when ``n_bins != 5``):

    ====== =============== =============== ================== ================== ===============
    R \\ FM 1               2               3                  4                  5
    ====== =============== =============== ================== ================== ===============
    5      New             Pot. loyalist   Pot. loyalist      Champions          Champions
    4      Promising       Pot. loyalist   Pot. loyalist      Loyal              Loyal
    3      About to sleep  About to sleep  Need attention     Loyal              Loyal
    2      Hibernating     Hibernating     At risk            At risk            Can't lose them
    1      Lost            Hibernating     At risk            At risk            Can't lose them
    ====== =============== =============== ================== ================== ===============

    Examples
    --------
    >>> d = RFMData.from_arrays(recency=[3, 40, 200, 10, 90], frequency=[12, 3, 1, 6, 2],
    ...     monetary=[900.0, 120.0, 15.0, 400.0, 60.0], customer_ids=list("abcde"))
    >>> res = RFM().score(d)
    >>> res.segment.tolist()
    ['Champions', 'Need attention', 'Lost', 'Loyal', 'Hibernating']
    """

    def __init__(
        self,
        *,
        n_bins: int = 5,
        method: str = "quantile",
        thresholds: Mapping[str, Sequence[float]] | None = None,
    ) -> None:
        self.n_bins = n_bins
        self.method = method
        self.thresholds = thresholds

    def _check(self) -> None:
        if isinstance(self.n_bins, bool) or not isinstance(self.n_bins, int) or not 2 <= self.n_bins <= 10:
            raise ValidationError.single("n_bins", self.n_bins, "must be an integer in 2..10")
        if self.method not in ("quantile", "thresholds"):
            raise ValidationError.single("method", self.method, "must be 'quantile' or 'thresholds'")
        if self.method == "thresholds":
            th = self.thresholds or {}
            for key in ("recency", "frequency", "monetary"):
                cuts = th.get(key)
                if (
                    cuts is None
                    or len(cuts) != self.n_bins - 1
                    or np.any(np.diff(np.asarray(cuts, float)) <= 0)
                ):
                    raise ValidationError.single(
                        f"thresholds.{key}", cuts, f"must be {self.n_bins - 1} strictly increasing cut points"
                    )

    is_fitted_: bool

    def fit(self, data: Any = None) -> RFM:
        """Validate the configuration (scores are computed within each data set by :meth:`score`)."""
        self._check()
        self.is_fitted_ = True
        return self

    def predict(self, data: Any) -> IntArray:
        """Segment code of each customer (an index into :data:`SEGMENTS`); needs :meth:`fit`.

        Raises
        ------
        NotFittedError
            Before :meth:`fit` (use :meth:`score` to score without fitting).
        """
        check_is_fitted(self, "is_fitted_", "predict")
        return self.score(data).segment_code

    def score(self, data: Any) -> RFMResult:
        """Scores and segments for ``data`` (``RFMData``, ``CustomerSummary`` or ``TransactionLog``)."""
        self._check()
        d = _coerce(data)
        n = self.n_bins
        if self.method == "quantile":
            ido = _id_order(d.customer_ids)
            r = _quantile_scores(d.recency, ido, n, False)
            f = _quantile_scores(d.frequency, ido, n, True)
            m = _quantile_scores(d.monetary, ido, n, True)
        else:
            th = self.thresholds or {}
            r = _threshold_scores(d.recency, th["recency"], False, n)
            f = _threshold_scores(d.frequency, th["frequency"], True, n)
            m = _threshold_scores(d.monetary, th["monetary"], True, n)
        r5 = np.ceil(r * 5 / n).astype(np.int64)
        fm5 = np.ceil(np.ceil((f + m) / 2) * 5 / n).astype(np.int64)
        codes = _GRID_CODES[r5 - 1, fm5 - 1]
        return RFMResult(data=d, r=r, f=f, m=m, segment_code=codes, n_bins=n)


@attrs.frozen(eq=False, kw_only=True)
class RFMResult:
    """RFM scores and segment of each customer."""

    data: RFMData
    r: IntArray
    f: IntArray
    m: IntArray
    segment_code: IntArray
    n_bins: int

    @property
    def customer_ids(self) -> npt.NDArray[np.object_]:
        """Customer ids, in input order."""
        return self.data.customer_ids

    @property
    def segment(self) -> npt.NDArray[np.object_]:
        """Segment name of each customer."""
        return np.asarray(SEGMENTS, dtype=object)[self.segment_code]

    @property
    def score(self) -> npt.NDArray[np.str_]:
        """The three scores as a string (``"545"``)."""
        return np.char.add(np.char.add(self.r.astype(str), self.f.astype(str)), self.m.astype(str))

    def segment_sizes(self) -> dict[str, int]:
        """Number of customers per segment, in :data:`SEGMENTS` order."""
        counts = np.bincount(self.segment_code, minlength=len(SEGMENTS))
        return {s: int(c) for s, c in zip(SEGMENTS, counts, strict=True)}

    def to_frame(self) -> Any:
        """One row per customer: values, scores and segment."""
        return frame(
            {
                "recency": self.data.recency,
                "frequency": self.data.frequency,
                "monetary": self.data.monetary,
                "r": self.r,
                "f": self.f,
                "m": self.m,
                "segment": self.segment,
            },
            self.customer_ids,
            "RFMResult.to_frame",
        )

    def _repr_html_(self) -> str:
        sizes = self.segment_sizes()
        return html_table(
            {"segment": list(sizes), "customers": list(sizes.values())},
            f"RFM segments of {len(self.r)} customers",
        )

    def __repr__(self) -> str:
        top = sorted(self.segment_sizes().items(), key=lambda kv: -kv[1])[:3]
        return f"<RFMResult: {len(self.r)} customers; largest: {', '.join(f'{k} {v}' for k, v in top)}>"

    def heatmap(self, value: str = "count") -> FloatArray:
        """R (rows, 1..n) × F (columns, 1..n) matrix of customer counts or mean monetary value."""
        n = self.n_bins
        idx = (self.r - 1) * n + (self.f - 1)
        cnt = np.bincount(idx, minlength=n * n).astype(np.float64)
        if value == "count":
            return cnt.reshape(n, n)
        if value == "monetary":
            with np.errstate(invalid="ignore", divide="ignore"):
                return (np.bincount(idx, weights=self.data.monetary, minlength=n * n) / cnt).reshape(n, n)
        raise ValidationError.single("value", value, "must be 'count' or 'monetary'")

    def plot(self, ax: Any = None, *, value: str = "count") -> Any:
        """RFM heatmap: R score × F score, coloured by customer count or mean monetary value."""
        ax = axes(ax, "RFMResult.plot")
        mat = self.heatmap(value)
        im = ax.imshow(mat, origin="lower", extent=(0.5, self.n_bins + 0.5, 0.5, self.n_bins + 0.5))
        ax.figure.colorbar(im, ax=ax, label=value)
        ax.set_xlabel("F score")
        ax.set_ylabel("R score")
        ax.set_title("RFM heatmap")
        return ax

    def plot_segments(self, ax: Any = None) -> Any:
        """Bar chart of segment sizes."""
        ax = axes(ax, "RFMResult.plot_segments")
        sizes = self.segment_sizes()
        ax.barh(list(sizes)[::-1], list(sizes.values())[::-1])
        ax.set_xlabel("customers")
        return ax

    def transition(self, later: RFMResult) -> SegmentTransition:
        """Segment transition matrix from this result to ``later`` (customers in both)."""
        return SegmentTransition.between(self, later)


@attrs.frozen(eq=False, kw_only=True)
class SegmentTransition:
    """Counts of customers moving from segment (rows) to segment (columns) between two dates.

    ``new`` counts customers only in the later result (per segment), ``gone`` those only in the earlier one.
    """

    counts: npt.NDArray[np.int64]
    new: npt.NDArray[np.int64]
    gone: npt.NDArray[np.int64]
    segments: tuple[str, ...] = SEGMENTS

    @classmethod
    def between(cls, before: RFMResult, after: RFMResult) -> SegmentTransition:
        ids_a = before.customer_ids.astype(str)
        ids_b = after.customer_ids.astype(str)
        common, ia, ib = np.intersect1d(ids_a, ids_b, assume_unique=True, return_indices=True)
        k = len(SEGMENTS)
        flat = before.segment_code[ia] * k + after.segment_code[ib]
        counts = np.bincount(flat, minlength=k * k).reshape(k, k)
        only_b = np.ones(ids_b.shape[0], bool)
        only_b[ib] = False
        only_a = np.ones(ids_a.shape[0], bool)
        only_a[ia] = False
        del common
        return cls(
            counts=counts,
            new=np.bincount(after.segment_code[only_b], minlength=k),
            gone=np.bincount(before.segment_code[only_a], minlength=k),
        )

    def rates(self) -> FloatArray:
        """Row-normalised transition probabilities (NaN for empty rows)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            out: FloatArray = self.counts / self.counts.sum(axis=1, keepdims=True)
        return out

    def to_frame(self) -> Any:
        """The count matrix, rows = earlier segment, columns = later segment."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="SegmentTransition.to_frame")
        return pd.DataFrame(
            self.counts,
            index=pd.Index(self.segments, name="from"),
            columns=pd.Index(self.segments, name="to"),
        )

    def _repr_html_(self) -> str:
        cols: dict[str, Any] = {"from \\ to": list(self.segments)}
        for j, s in enumerate(self.segments):
            cols[s] = self.counts[:, j].tolist()
        return html_table(cols, "segment transitions", max_rows=len(self.segments))
