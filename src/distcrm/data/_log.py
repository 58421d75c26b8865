"""``TransactionLog``: purchase records as NumPy columns, with id maps and an ingest report."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._checks import check_same_length
from distcrm.data._ingest import IngestReport, ReturnsPolicy, classify_rows, factorize_array, tidy_ids
from distcrm.data._panel import DemandPanel
from distcrm.data._periods import as_datetime64, check_period, period_index, period_start
from distcrm.data._summary import CustomerSummary
from distcrm.errors import FieldError, NotFoundError, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from distcrm.domain import Order

__all__ = ["TransactionLog"]

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]
DatetimeArray = npt.NDArray[np.datetime64]


PERIOD_NAMES = (("h", "hour"), ("D", "day"), ("W", "week"), ("M", "month"), ("Y", "year"))


def _ro(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a.flags.writeable = False
    return a


@attrs.frozen(eq=False, kw_only=True, repr=False)
class TransactionLog:
    """Purchase records as parallel NumPy arrays, one element per order line.

    Rows are sorted by customer, then time. ``customer``, ``item`` and ``order`` are
    integer indices into the sorted id arrays ``customer_ids``, ``item_ids`` and
    ``order_ids`` (``-1`` for a row without an item or order). ``quantity`` is the
    number of units; ``amount`` the money paid for the line (quantity × price, after
    discount), NaN for every row when the source had no amounts.

    Messy input is handled explicitly and reported in ``ingest_report``: rows with no
    customer id or timestamp, non-finite numbers, a zero quantity, cancelled orders and
    negative prices are set aside; zero prices are kept and flagged; returns
    (negative quantities) follow the ``returns`` policy. The default, ``"separate"``,
    keeps the main log to purchases and moves returns to ``log.returns`` (a log of its
    own, with negative quantities), so summaries and demand panels see purchases only
    and no row is lost. ``"net"`` keeps returns in the log (demand panels then net them
    against purchases; summaries still count purchases only) and ``"drop-with-report"``
    only counts them.

    Build one with :meth:`from_arrays`, :meth:`from_frame` (pandas or polars) or
    :meth:`from_orders` (domain ``Order`` objects).

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     customer=["a", "a", "b", "a"],
    ...     timestamp=["2024-01-01", "2024-01-09", "2024-01-02", "2024-01-20"],
    ...     amount=[10.0, 20.0, 5.0, 30.0],
    ... )
    >>> len(log), log.customer_ids.tolist()
    (4, ['a', 'b'])
    >>> s = log.summary(unit="D")
    >>> s.frequency.tolist(), s.recency.tolist(), s.T.tolist(), s.monetary_value.tolist()
    ([2.0, 0.0], [19.0, 0.0], [19.0, 18.0], [25.0, nan])
    """

    customer: IntArray
    timestamp: DatetimeArray
    quantity: FloatArray
    amount: FloatArray
    item: IntArray
    order: IntArray
    customer_ids: npt.NDArray[Any]
    item_ids: npt.NDArray[Any]
    order_ids: npt.NDArray[Any]
    has_amount: bool = True
    ingest_report: IngestReport
    returns: TransactionLog | None = None

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_arrays(
        cls,
        *,
        customer: Any,
        timestamp: Any,
        quantity: Any = None,
        amount: Any = None,
        price: Any = None,
        item: Any = None,
        order: Any = None,
        cancelled: Any = None,
        cancelled_prefix: str | None = None,
        returns: ReturnsPolicy = "separate",
    ) -> TransactionLog:
        """Build a log from parallel array-likes of raw values.

        Parameters
        ----------
        customer
            Customer ids (any comparable type); None, NaN or blank are missing.
        timestamp
            ``datetime64`` values, ISO strings or naive datetimes.
        quantity
            Units per row; defaults to 1 per row (−1 where the amount is negative,
            i.e. a returned unit).
        amount, price
            The money of the row, or the unit price (then ``amount = quantity * price``).
            Give at most one; with neither, the log has no amounts.
        item, order
            Item and order ids (optional; missing is allowed and becomes index −1).
        cancelled
            Booleans marking cancelled rows (e.g. a status column).
        cancelled_prefix
            Orders whose id starts with this prefix are cancelled (``"C"`` for the UCI
            Online Retail invoices).
        returns
            ``"separate"`` (default), ``"net"`` or ``"drop-with-report"``: see the class.

        Raises
        ------
        ValidationError
            Columns of different lengths, both ``amount`` and ``price``, unreadable
            numbers or timestamps, an unknown ``returns`` policy.
        """
        cust_codes, cust_ids = factorize_array("customer", customer)
        n = cust_codes.shape[0]
        ts = _timestamps_from_array("timestamp", timestamp)
        qty = None if quantity is None else _floats("quantity", quantity)
        amt = None if amount is None else _floats("amount", amount)
        prc = None if price is None else _floats("price", price)
        item_codes, item_ids = (
            (np.full(n, -1, np.intp), np.array([], dtype=object))
            if item is None
            else factorize_array("item", item)
        )
        order_codes, order_ids = (
            (np.full(n, -1, np.intp), np.array([], dtype=object))
            if order is None
            else factorize_array("order", order)
        )
        canc = None if cancelled is None else np.asarray(cancelled, dtype=bool)
        check_same_length(
            customer=cust_codes,
            timestamp=ts,
            quantity=qty,
            amount=amt,
            price=prc,
            item=item_codes,
            order=order_codes,
            cancelled=canc,
        )
        return _assemble(
            cust_codes=cust_codes,
            cust_ids=cust_ids,
            ts=ts,
            quantity=qty,
            amount=amt,
            price=prc,
            item_codes=item_codes,
            item_ids=item_ids,
            order_codes=order_codes,
            order_ids=order_ids,
            cancelled=canc,
            cancelled_prefix=cancelled_prefix,
            returns=returns,
            source="arrays",
        )

    @classmethod
    def from_codes(
        cls,
        *,
        customer_codes: Any,
        customer_ids: Any,
        timestamp: Any,
        quantity: Any = None,
        amount: Any = None,
        item_codes: Any = None,
        item_ids: Any = None,
        order_codes: Any = None,
        order_ids: Any = None,
        cancelled: Any = None,
        returns: ReturnsPolicy = "separate",
    ) -> TransactionLog:
        """Build a log from already factorised columns: integer codes into sorted id tables.

        For sources that hold ids as integer keys (a database, a previous log): no id is
        compared or sorted row by row. ``*_ids`` must be 1-D, sorted and without
        duplicates; ``*_codes`` are integers in ``[-1, len(ids))`` (``-1`` is missing).
        Everything else is as :meth:`from_arrays`.

        Raises
        ------
        ValidationError
            Non-integer or out-of-range codes, unsorted or duplicate ids, columns of
            different lengths (every problem is listed).

        Examples
        --------
        >>> log = TransactionLog.from_codes(
        ...     customer_codes=[1, 0, 1], customer_ids=["a", "b"],
        ...     timestamp=["2024-01-02", "2024-01-01", "2024-01-03"], amount=[5.0, 7.0, 1.0])
        >>> log.customer_ids.tolist(), log.customer.tolist(), log.amount.tolist()
        (['a', 'b'], [0, 1, 1], [7.0, 5.0, 1.0])
        """
        errors: list[FieldError] = []

        def table(field: str, codes: Any, ids: Any) -> tuple[IntArray, npt.NDArray[Any]]:
            c = np.asarray(codes)
            t = np.asarray(ids)
            if c.ndim != 1 or (c.size and c.dtype.kind not in "iu"):
                errors.append(FieldError(f"$.{field}_codes", "must be a 1-D array of integers", c.dtype.str))
                return np.empty(0, np.intp), t
            if t.ndim != 1:
                errors.append(FieldError(f"$.{field}_ids", "must be 1-dimensional", t.shape))
                return c.astype(np.intp), t
            if c.size and (int(c.min()) < -1 or int(c.max()) >= t.shape[0]):
                bad = int(c.min()) if int(c.min()) < -1 else int(c.max())
                errors.append(FieldError(f"$.{field}_codes", f"must be in [-1, {t.shape[0]})", bad))
            if t.shape[0] > 1 and not bool(np.all(t[1:] > t[:-1])):
                errors.append(FieldError(f"$.{field}_ids", "must be sorted and without duplicates", None))
            return c.astype(np.intp), tidy_ids(t)

        cust_codes, cust_ids = table("customer", customer_codes, customer_ids)
        n = cust_codes.shape[0]
        none: tuple[IntArray, npt.NDArray[Any]] = (np.full(n, -1, np.intp), np.array([], dtype=object))
        item_codes_, item_ids_ = none if item_codes is None else table("item", item_codes, item_ids)
        order_codes_, order_ids_ = none if order_codes is None else table("order", order_codes, order_ids)
        if errors:
            raise ValidationError(errors)
        ts = _timestamps_from_array("timestamp", timestamp)
        qty = None if quantity is None else _floats("quantity", quantity)
        amt = None if amount is None else _floats("amount", amount)
        canc = None if cancelled is None else np.asarray(cancelled, dtype=bool)
        check_same_length(
            customer_codes=cust_codes,
            timestamp=ts,
            quantity=qty,
            amount=amt,
            item_codes=item_codes_,
            order_codes=order_codes_,
            cancelled=canc,
        )
        return _assemble(
            cust_codes=cust_codes,
            cust_ids=cust_ids,
            ts=ts,
            quantity=qty,
            amount=amt,
            price=None,
            item_codes=item_codes_,
            item_ids=item_ids_,
            order_codes=order_codes_,
            order_ids=order_ids_,
            cancelled=canc,
            cancelled_prefix=None,
            returns=returns,
            source="codes",
        )

    @classmethod
    def from_frame(
        cls,
        df: Any,
        *,
        customer: str,
        timestamp: str,
        item: str | None = None,
        quantity: str | None = None,
        price: str | None = None,
        amount: str | None = None,
        order: str | None = None,
        cancelled: str | None = None,
        cancelled_prefix: str | None = None,
        returns: ReturnsPolicy = "separate",
    ) -> TransactionLog:
        """Build a log from a pandas or polars DataFrame (or polars LazyFrame), naming its columns.

        The keyword arguments name the columns (``price`` is a unit price,
        ``amount`` a line total: give at most one). ``cancelled`` names a boolean
        column; ``cancelled_prefix`` marks orders whose id starts with it as cancelled.
        Everything else is as :meth:`from_arrays`. Timezone-aware timestamps are
        kept as their wall-clock time. Work is done by the frame library's own
        vectorised operations (``factorize`` / ``rank``), never row by row.

        Raises
        ------
        ValidationError
            A named column is missing (every missing one is listed), or as
            :meth:`from_arrays`.
        """
        module = type(df).__module__.split(".")[0]
        if module == "polars" and type(df).__name__ == "LazyFrame":
            df = df.collect()
        cols = {
            "customer": customer,
            "timestamp": timestamp,
            "item": item,
            "quantity": quantity,
            "price": price,
            "amount": amount,
            "order": order,
            "cancelled": cancelled,
        }
        present = set(map(str, df.columns))
        missing = [
            FieldError(f"$.{k}", "names no column of the frame", v)
            for k, v in cols.items()
            if v is not None and v not in present
        ]
        if missing:
            raise ValidationError(missing)
        if module == "polars":
            from distcrm.data import _frames_polars as frames
        elif module == "pandas":
            from distcrm.data import _frames_pandas as frames  # type: ignore[no-redef]
        else:
            raise ValidationError.single("df", type(df).__name__, "must be a pandas or polars DataFrame")
        cust_codes, cust_ids = frames.factorize(df, customer)
        n = cust_codes.shape[0]
        none: tuple[IntArray, npt.NDArray[Any]] = (np.full(n, -1, np.intp), np.array([], dtype=object))
        item_codes, item_ids = none if item is None else frames.factorize(df, item)
        order_codes, order_ids = none if order is None else frames.factorize(df, order)
        return _assemble(
            cust_codes=cust_codes,
            cust_ids=cust_ids,
            ts=frames.timestamps(df, timestamp),
            quantity=None if quantity is None else frames.floats(df, quantity),
            amount=None if amount is None else frames.floats(df, amount),
            price=None if price is None else frames.floats(df, price),
            item_codes=item_codes,
            item_ids=item_ids,
            order_codes=order_codes,
            order_ids=order_ids,
            cancelled=None if cancelled is None else frames.bools(df, cancelled),
            cancelled_prefix=cancelled_prefix,
            returns=returns,
            source=f"{module}.DataFrame",
        )

    @classmethod
    def from_orders(
        cls,
        orders: Iterable[Order],
        *,
        tz: str | None = None,
        returns: ReturnsPolicy = "separate",
    ) -> TransactionLog:
        """Build a log from domain orders, one row per order line.

        The amount of a line is ``quantity * unit_price * (1 - discount)``. Cancelled
        orders are set aside (reported as ``"cancelled_order"``) and so are drafts
        (``"draft_order"``: not yet a purchase). Timestamps are the orders'
        ``created_at`` as wall-clock time in their own offset, or converted to ``tz``
        (an IANA zone name) when given. Row numbers in the ingest report count order
        lines in the order given (the lines of the first order, then the second...).

        Raises
        ------
        ValidationError
            Orders in more than one currency (amounts could not be added up).
        """
        from distcrm.data._orders import order_columns

        cols = order_columns(orders, tz=tz)
        cust_codes, cust_ids = factorize_array("customer", cols["customer"])
        item_codes, item_ids = factorize_array("item", cols["item"])
        order_codes, order_ids = factorize_array("order", cols["order"])
        return _assemble(
            cust_codes=cust_codes,
            cust_ids=cust_ids,
            ts=cols["timestamp"],
            quantity=cols["quantity"],
            amount=cols["amount"],
            price=None,
            item_codes=item_codes,
            item_ids=item_ids,
            order_codes=order_codes,
            order_ids=order_ids,
            cancelled=cols["cancelled"],
            cancelled_prefix=None,
            returns=returns,
            source="orders",
            extra_set_aside=cols["set_aside"],
        )

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return int(self.customer.shape[0])

    @property
    def n_customers(self) -> int:
        """Number of distinct customers with at least one row in this log."""
        c = self.customer
        return int(c.size and 1 + np.count_nonzero(c[1:] != c[:-1]))

    @property
    def start(self) -> np.datetime64 | None:
        """The earliest timestamp (``None`` for an empty log)."""
        return self.timestamp.min() if len(self) else None

    @property
    def end(self) -> np.datetime64 | None:
        """The latest timestamp (``None`` for an empty log)."""
        return self.timestamp.max() if len(self) else None

    def customer_index(self, ids: Any) -> IntArray:
        """Indices into ``customer_ids`` of the given ids (raises ``NotFoundError``)."""
        return _lookup("customer", self.customer_ids, ids)

    def item_index(self, ids: Any) -> IntArray:
        """Indices into ``item_ids`` of the given ids (raises ``NotFoundError``)."""
        return _lookup("item", self.item_ids, ids)

    def order_index(self, ids: Any) -> IntArray:
        """Indices into ``order_ids`` of the given ids (raises ``NotFoundError``)."""
        return _lookup("order", self.order_ids, ids)

    def _subset(self, mask: npt.NDArray[np.bool_]) -> TransactionLog:
        def sub(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return _ro(a[mask])

        return attrs.evolve(
            self,
            customer=sub(self.customer),
            timestamp=sub(self.timestamp),
            quantity=sub(self.quantity),
            amount=sub(self.amount),
            item=sub(self.item),
            order=sub(self.order),
        )

    def between(self, start: Any = None, end: Any = None) -> TransactionLog:
        """The rows with ``start <= timestamp < end`` (either bound may be ``None``).

        The id maps are kept whole, so indices stay comparable with this log's. The
        returns log, if any, is cut the same way.
        """
        mask = np.ones(len(self), dtype=bool)
        if start is not None:
            mask &= self.timestamp >= as_datetime64("start", start)
        if end is not None:
            mask &= self.timestamp < as_datetime64("end", end)
        out = self._subset(mask)
        if self.returns is not None:
            out = attrs.evolve(out, returns=self.returns.between(start, end))
        return out

    def for_customers(self, ids: Any) -> TransactionLog:
        """The rows of the given customers (raises ``NotFoundError`` for an unknown id)."""
        idx = self.customer_index(ids)
        out = self._subset(np.isin(self.customer, idx))
        if self.returns is not None:
            out = attrs.evolve(out, returns=self.returns._subset(np.isin(self.returns.customer, idx)))
        return out

    # ------------------------------------------------------------------ views
    def summary(
        self,
        unit: str = "W",
        *,
        period: str | None = None,
        calibration_end: Any = None,
        observation_end: Any = None,
        monetary: str | None = "amount",
    ) -> CustomerSummary:
        """Per-customer frequency, recency, T and spend, as lifetimes computes them.

        Follows ``lifetimes.utils.summary_data_from_transaction_data`` (and
        ``calibration_and_holdout_data`` when ``calibration_end`` is given): purchases
        are grouped per ``period`` (pandas ``to_period`` calendar: days, Monday-start
        weeks, months...); ``frequency`` is the number of periods with a purchase after
        the first; ``recency`` the time from the first purchase period to the last, and
        ``T`` from the first purchase period to the period of the end, both counted in
        periods and divided by the number of periods per ``unit`` (lifetimes'
        ``freq_multiplier``). ``monetary_value`` is the mean of the repeat periods'
        totals. Only purchase rows (quantity > 0) count: returns never do.

        Parameters
        ----------
        unit
            The unit of ``recency`` and ``T``: ``"h"``, ``"D"``, ``"W"``, ``"M"`` or ``"Y"``.
        period
            The grouping period, ``unit`` by default. ``period="D", unit="W"`` is the
            CDNOW convention (distinct days, measured in weeks: lifetimes'
            ``freq="D", freq_multiplier=7``); ``"h"`` with ``"D"`` or ``"W"`` also works.
        calibration_end
            With it, the summary covers rows up to and including this instant and the
            holdout columns count purchase periods in ``(calibration_end,
            observation_end]`` for the customers of the calibration period.
        observation_end
            The end of the study (default: the last timestamp). Without a calibration
            end, rows in periods after the period of this end are left out.
        monetary
            ``"amount"`` (default), ``"quantity"`` or ``None`` (no monetary column).

        Notes
        -----
        Where lifetimes fills a missing mean with 0, this summary keeps NaN:
        ``monetary_value`` is NaN where ``frequency == 0`` and
        ``monetary_value_holdout`` where ``frequency_holdout == 0``. The holdout
        spend is the mean of the holdout periods' totals, the same definition as the
        calibration spend (lifetimes averages holdout rows instead). Months and years
        are counted in whole calendar periods.

        Raises
        ------
        ValidationError
            An unknown unit or period, a period that does not divide the unit, ends in
            the wrong order, no purchase before the end, or ``monetary="amount"`` on a
            log without amounts.
        """
        from distcrm.data._rfm import summarise

        return summarise(
            self,
            unit=unit,
            period=period,
            calibration_end=calibration_end,
            observation_end=observation_end,
            monetary=monetary,
        )

    def demand_panel(
        self,
        freq: str = "W",
        *,
        by: str = "item",
        start: Any = None,
        end: Any = None,
        value: str = "quantity",
    ) -> DemandPanel:
        """Demand per series and period: a full calendar, zeros where nothing was sold.

        Parameters
        ----------
        freq
            ``"D"``, ``"W"`` (weeks starting on Monday) or ``"M"``.
        by
            ``"item"`` (one series per item in the log) or ``"customer_item"`` (one
            per customer × item pair with a row).
        start, end
            The first and last periods are those holding ``start`` and ``end``
            (default: the log's first and last timestamps).
        value
            ``"quantity"`` (units) or ``"amount"`` (money).

        Notes
        -----
        Rows without an item cannot be placed in a series: they are left out and
        counted in a ``DataQualityWarning``. Under the ``"net"`` returns policy a
        period whose returns exceed its sales is set to 0, also with a warning.

        Examples
        --------
        >>> log = TransactionLog.from_arrays(customer=[1, 2, 1], item=["x", "x", "y"],
        ...     timestamp=["2024-01-01", "2024-01-15", "2024-01-16"], quantity=[2, 1, 5])
        >>> p = log.demand_panel("W")
        >>> p.values.tolist(), [str(d) for d in p.periods]
        ([[2.0, 0.0, 1.0], [0.0, 0.0, 5.0]], ['2024-01-01', '2024-01-08', '2024-01-15'])
        """
        from distcrm.data._demand import panel_from_log

        return panel_from_log(self, freq=freq, by=by, start=start, end=end, value=value)

    def to_frame(self) -> Any:
        """A pandas DataFrame with one row per log row and the ids restored (``pandas`` extra)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="TransactionLog.to_frame")

        def ids(codes: IntArray, table: npt.NDArray[Any]) -> Any:
            if table.size == 0:
                return pd.Series([None] * len(codes), dtype=object)
            out = table.astype(object)[np.where(codes < 0, 0, codes)]
            out[codes < 0] = None
            return pd.Series(out, dtype=object)

        return pd.DataFrame(
            {
                "customer_id": self.customer_ids[self.customer],
                "timestamp": self.timestamp,
                "quantity": self.quantity,
                "amount": self.amount,
                "item_id": ids(self.item, self.item_ids),
                "order_id": ids(self.order, self.order_ids),
            }
        )

    def totals(self, freq: str = "W", *, value: str = "amount") -> tuple[DatetimeArray, FloatArray]:
        """Period starts and the total ``value`` (``"amount"``, ``"quantity"`` or ``"rows"``) per period.

        Every period from the first to the last is present (zeros where nothing happened).

        >>> log = TransactionLog.from_arrays(customer=[1, 1], amount=[3.0, 4.0],
        ...                                  timestamp=["2024-01-01", "2024-01-15"])
        >>> starts, total = log.totals("W")
        >>> total.tolist()
        [3.0, 0.0, 4.0]
        """
        check_period("freq", freq)
        if value not in ("amount", "quantity", "rows"):
            raise ValidationError.single("value", value, "must be 'amount', 'quantity' or 'rows'")
        if value == "amount" and not self.has_amount:
            raise ValidationError.single("value", value, "the log has no amounts")
        if len(self) == 0:
            return np.zeros(0, dtype="datetime64[D]"), np.zeros(0)
        p = period_index(self.timestamp, freq)
        p0 = int(p.min())
        weights = None if value == "rows" else (self.amount if value == "amount" else self.quantity)
        total = np.bincount(p - p0, weights=weights).astype(np.float64)
        return period_start(np.arange(p0, p0 + total.shape[0]), freq), total

    def plot(self, ax: Any = None, *, freq: str = "W", value: str = "amount") -> Any:
        """A line chart of :meth:`totals` over time (``plot`` extra); returns the axes."""
        from distcrm._optional import import_optional

        plt = import_optional("matplotlib.pyplot", feature="TransactionLog.plot")
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 3))
        starts, total = self.totals(freq, value=value)
        ax.plot(starts.astype("datetime64[D]").astype(object), total, drawstyle="steps-post")
        ax.set_ylabel(f"{value} per {dict(PERIOD_NAMES).get(freq, freq)}")
        ax.set_title(f"TransactionLog: {len(self):,} rows, {self.n_customers:,} customers")
        return ax

    def __repr__(self) -> str:
        span = f", {self.start}..{self.end}" if len(self) else ""
        ret = f", returns={len(self.returns)}" if self.returns is not None else ""
        return (
            f"<TransactionLog: {len(self)} rows, {self.n_customers} customers, "
            f"{self.item_ids.size} items{span}{ret}, set aside {self.ingest_report.n_set_aside}>"
        )

    def _repr_html_(self) -> str:
        span = f"{self.start} … {self.end}" if len(self) else "empty"
        money = f"{np.nansum(self.amount):,.2f}" if self.has_amount else "n/a"
        rows = [
            ("rows", f"{len(self):,}"),
            ("customers", f"{self.n_customers:,}"),
            ("items", f"{self.item_ids.size:,}"),
            ("orders", f"{self.order_ids.size:,}"),
            ("period", span),
            ("units", f"{np.sum(self.quantity):,.0f}"),
            ("amount", money),
            ("returns (separate log)", "-" if self.returns is None else f"{len(self.returns):,} rows"),
        ]
        body = "".join(f"<tr><th>{k}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
        return f"<p><b>TransactionLog</b></p><table>{body}</table>{self.ingest_report._repr_html_()}"


# ---------------------------------------------------------------------- helpers
def _floats(field: str, values: Any) -> FloatArray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValidationError.single(field, type(values).__name__, f"is not numeric ({exc})") from None
    if arr.ndim != 1:
        raise ValidationError.single(field, arr.shape, "must be 1-dimensional")
    return arr


def _timestamps_from_array(field: str, values: Any) -> DatetimeArray:
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[s]")
    if arr.dtype.kind == "O" and arr.size:
        first = next((v for v in arr[:100].tolist() if v is not None), None)
        if getattr(first, "tzinfo", None) is not None:
            raise ValidationError.single(
                field, str(first), "timezone-aware datetimes: convert to naive wall-clock times first"
            )
    try:
        out = np.asarray(arr, dtype="datetime64[s]")
    except (TypeError, ValueError) as exc:
        raise ValidationError.single(field, str(exc), "holds values that are not dates or times") from None
    if out.ndim != 1:
        raise ValidationError.single(field, out.shape, "must be 1-dimensional")
    return out


def _lookup(kind: str, table: npt.NDArray[Any], ids: Any) -> IntArray:
    want = np.atleast_1d(np.asarray(ids))
    if table.size == 0:
        raise NotFoundError(kind, want[0].item() if want.size else None)
    try:
        pos = np.searchsorted(table, want)
    except TypeError:
        pos = np.zeros(want.shape, dtype=np.intp)
    pos = np.minimum(pos, table.size - 1)
    ok = table[pos] == want
    if not np.all(ok):
        bad = want[~np.asarray(ok, dtype=bool)][0]
        raise NotFoundError(kind, bad.item() if hasattr(bad, "item") else bad)
    return pos.astype(np.intp)


def _assemble(
    *,
    cust_codes: IntArray,
    cust_ids: npt.NDArray[Any],
    ts: DatetimeArray,
    quantity: FloatArray | None,
    amount: FloatArray | None,
    price: FloatArray | None,
    item_codes: IntArray,
    item_ids: npt.NDArray[Any],
    order_codes: IntArray,
    order_ids: npt.NDArray[Any],
    cancelled: npt.NDArray[np.bool_] | None,
    cancelled_prefix: str | None,
    returns: str,
    source: str,
    extra_set_aside: dict[str, IntArray] | None = None,
) -> TransactionLog:
    n = cust_codes.shape[0]
    if amount is not None and price is not None:
        raise ValidationError.single("amount", "amount and price", "give either amount or price, not both")
    has_amount = amount is not None or price is not None
    if quantity is None:
        quantity = np.ones(n)
        signed = amount if amount is not None else price
        if signed is not None:
            quantity[signed < 0] = -1.0
    if amount is None:
        with np.errstate(invalid="ignore"):
            amount = quantity * price if price is not None else np.full(n, np.nan)
    if cancelled_prefix is not None:
        if order_ids.size == 0:
            raise ValidationError.single("cancelled_prefix", cancelled_prefix, "needs an order column")
        prefixed = np.char.startswith(order_ids.astype(str), cancelled_prefix)
        by_prefix = np.zeros(n, dtype=bool)
        has_order = order_codes >= 0
        by_prefix[has_order] = prefixed[order_codes[has_order]]
        cancelled = by_prefix if cancelled is None else (cancelled | by_prefix)
    pre = np.zeros(n, dtype=bool)
    if extra_set_aside:
        for rows in extra_set_aside.values():
            pre[rows] = True
    keep, is_return, set_aside, flagged = classify_rows(
        customer=np.where(pre, 0, cust_codes),
        timestamp=ts,
        quantity=np.where(pre, 1.0, quantity),
        amount=np.where(pre, 1.0, amount) if has_amount else amount,
        has_amount=has_amount,
        cancelled=cancelled,
        returns=returns,
    )
    if extra_set_aside:
        keep &= ~pre
        is_return &= ~pre
        set_aside = {k: np.setdiff1d(v, np.flatnonzero(pre)) for k, v in set_aside.items()}
        set_aside = {**{k: v for k, v in extra_set_aside.items() if len(v)}, **set_aside}
    report = IngestReport(
        n_rows=n,
        n_kept=int(np.count_nonzero(keep)),
        returns_policy=returns,
        set_aside={k: _ro(v) for k, v in set_aside.items() if len(v)},
        flagged={k: _ro(v) for k, v in flagged.items()},
        source=source,
    )

    def build(mask: npt.NDArray[np.bool_], rep: IngestReport) -> TransactionLog:
        everything = bool(mask.all())
        c = cust_codes if everything else cust_codes[mask]
        t = ts if everything else ts[mask]
        order_ = _sort_order(c, t)
        if order_ is None:
            rows = np.arange(n) if everything else np.flatnonzero(mask)
            c, t = c.copy(), t.copy()
        else:
            rows = order_ if everything else np.flatnonzero(mask)[order_]
            c, t = c[order_], t[order_]
        return TransactionLog(
            customer=_ro(c),
            timestamp=_ro(t),
            quantity=_ro(quantity[rows]),
            amount=_ro(amount[rows]),
            item=_ro(item_codes[rows]),
            order=_ro(order_codes[rows]),
            customer_ids=_ro(cust_ids),
            item_ids=_ro(item_ids),
            order_ids=_ro(order_ids),
            has_amount=has_amount,
            ingest_report=rep,
        )

    log = build(keep, report)
    if returns == "separate":
        ret_mask = is_return & ~keep
        ret_report = IngestReport(
            n_rows=int(np.count_nonzero(ret_mask)),
            n_kept=int(np.count_nonzero(ret_mask)),
            returns_policy=returns,
            source=f"returns of {source}",
        )
        log = attrs.evolve(log, returns=build(ret_mask, ret_report))
    report.warn(stacklevel=4)
    return log


def _sort_order(c: IntArray, t: DatetimeArray) -> IntArray | None:
    """A permutation sorting rows by (customer, time), or ``None`` when already sorted.

    Rows of one customer at the same instant keep no particular (but a deterministic)
    order.
    """
    if c.size < 2:
        return None
    ti = t.view(np.int64)
    if np.all((c[1:] > c[:-1]) | ((c[1:] == c[:-1]) & (ti[1:] >= ti[:-1]))):
        return None
    tmin, tmax = int(ti.min()), int(ti.max())
    span = tmax - tmin + 1
    if int(c.max()) < (2**62) // span:
        key = c.astype(np.int64) * span + (ti - tmin)
        return np.argsort(key).astype(np.intp)
    return np.lexsort((ti, c)).astype(np.intp)
