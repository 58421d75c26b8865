"""Turning raw columns into clean log arrays, and the report of every row set aside.

Nothing is dropped silently: each input row either lands in the log or is counted, with
its row number, under exactly one reason in :class:`IngestReport`.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.errors import DataQualityWarning, ValidationError

__all__ = [
    "RETURNS_POLICIES",
    "IngestReport",
    "ReturnsPolicy",
    "classify_rows",
    "factorize_array",
]

ReturnsPolicy = Literal["separate", "net", "drop-with-report"]
RETURNS_POLICIES: tuple[str, ...] = ("separate", "net", "drop-with-report")

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Why a row was kept out of the log, in the order they are tested (a row gets the first).
SET_ASIDE_REASONS = (
    "missing_customer",
    "missing_timestamp",
    "invalid_quantity",
    "invalid_amount",
    "zero_quantity",
    "cancelled_order",
    "negative_price",
    "returns",
)

_EXPLAIN = {
    "missing_customer": "no customer id (kept out: cannot be attributed)",
    "missing_timestamp": "no or unreadable timestamp",
    "invalid_quantity": "quantity missing or not finite",
    "invalid_amount": "amount/price missing or not finite",
    "zero_quantity": "quantity is 0 (neither a purchase nor a return)",
    "cancelled_order": "marked cancelled with a positive quantity (an order that never happened)",
    "negative_price": "positive quantity at a negative price (an accounting adjustment)",
    "returns": "returns and cancellations (negative quantity)",
    "draft_order": "line of a draft order (not yet a purchase)",
    "zero_price": "price 0 (kept, flagged)",
}


def _empty() -> IntArray:
    return np.zeros(0, dtype=np.intp)


@attrs.frozen(eq=False, kw_only=True)
class IngestReport:
    """What happened to every input row while building a :class:`TransactionLog`.

    Attributes
    ----------
    n_rows
        Rows read from the source.
    n_kept
        Rows in the log (``len(log)``).
    returns_policy
        How returns were handled: ``"separate"`` (moved to ``log.returns``), ``"net"``
        (kept in the log with their negative quantity) or ``"drop-with-report"``.
    set_aside
        Reason → input row numbers (0-based) of the rows kept out of the log. Every row
        is either kept or listed under exactly one reason, so
        ``n_kept + sum(len(v) for v in set_aside.values()) == n_rows``.
    flagged
        Reason → input row numbers of rows that are in the log but deserve a look
        (``"zero_price"``; ``"returns"`` under the ``"net"`` policy).

    Examples
    --------
    >>> r = IngestReport(n_rows=3, n_kept=2, returns_policy="separate",
    ...                  set_aside={"missing_customer": np.array([1])})
    >>> r.counts()
    {'missing_customer': 1}
    """

    n_rows: int
    n_kept: int
    returns_policy: str
    set_aside: Mapping[str, IntArray] = attrs.field(factory=dict)
    flagged: Mapping[str, IntArray] = attrs.field(factory=dict)
    source: str = "arrays"

    @property
    def n_set_aside(self) -> int:
        """Rows kept out of the log, over every reason."""
        return int(sum(len(v) for v in self.set_aside.values()))

    def counts(self) -> dict[str, int]:
        """Reason → number of rows set aside (reasons with no row left out)."""
        return {k: len(v) for k, v in self.set_aside.items() if len(v)}

    def flag_counts(self) -> dict[str, int]:
        """Reason → number of rows kept but flagged."""
        return {k: len(v) for k, v in self.flagged.items() if len(v)}

    def rows(self, reason: str) -> IntArray:
        """Input row numbers set aside or flagged for ``reason`` (empty when none)."""
        if reason in self.set_aside:
            return self.set_aside[reason]
        if reason in self.flagged:
            return self.flagged[reason]
        known = sorted({*_EXPLAIN, *self.set_aside, *self.flagged})
        raise ValidationError.single("reason", reason, f"must be one of {known}")

    @property
    def is_clean(self) -> bool:
        """Whether every row was kept and none was flagged."""
        return self.n_set_aside == 0 and not self.flag_counts()

    def to_frame(self) -> Any:
        """One row per reason: action (set aside / flagged), rows and meaning (``pandas`` extra)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="IngestReport.to_frame")
        return pd.DataFrame(self._rows(), columns=["reason", "action", "rows", "meaning"])

    def _rows(self) -> list[tuple[str, str, int, str]]:
        out = [(k, "set aside", n, _EXPLAIN.get(k, "")) for k, n in self.counts().items()]
        out += [(k, "flagged", n, _EXPLAIN.get(k, "")) for k, n in self.flag_counts().items()]
        return out

    def __str__(self) -> str:
        head = (
            f"ingest from {self.source}: {self.n_rows} rows, {self.n_kept} kept, "
            f"{self.n_set_aside} set aside (returns policy {self.returns_policy!r})"
        )
        lines = [head]
        lines += [f"  {action}: {n} {reason} - {text}" for reason, action, n, text in self._rows()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<IngestReport: {self.n_rows} rows, {self.n_kept} kept, set aside {self.counts()}, "
            f"flagged {self.flag_counts()}>"
        )

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{html.escape(r)}</td><td>{a}</td><td>{n:,}</td><td>{html.escape(t)}</td></tr>"
            for r, a, n, t in self._rows()
        )
        return (
            f"<p><b>IngestReport</b> from {html.escape(self.source)}: {self.n_rows:,} rows, "
            f"{self.n_kept:,} kept, {self.n_set_aside:,} set aside "
            f"(returns policy <code>{html.escape(self.returns_policy)}</code>)</p>"
            f"<table><tr><th>reason</th><th>action</th><th>rows</th><th>meaning</th></tr>{body}</table>"
        )

    def warn(self, stacklevel: int = 3) -> None:
        """Issue one :class:`DataQualityWarning` if rows were set aside for data problems.

        Business events (draft and cancelled orders, returns kept in a log) are
        reported but do not warn.
        """
        business = {"draft_order", "cancelled_order"}
        if self.returns_policy != "drop-with-report":
            business.add("returns")
        problems = {k: n for k, n in self.counts().items() if k not in business}
        if problems:
            listed = ", ".join(f"{n} {k}" for k, n in problems.items())
            warnings.warn(
                f"{sum(problems.values())} of {self.n_rows} rows set aside ({listed}); "
                "see log.ingest_report for the row numbers",
                DataQualityWarning,
                stacklevel=stacklevel,
            )


def missing_mask(arr: npt.NDArray[Any]) -> BoolArray:
    """Missing ids: None, NaN, NaT or the empty / blank string, by dtype, without a Python loop."""
    kind = arr.dtype.kind
    if kind == "f":
        return np.asarray(np.isnan(arr), dtype=bool)
    if kind in "Mm":
        return np.asarray(np.isnat(arr), dtype=bool)
    if kind in "US":
        return np.asarray(np.char.str_len(np.char.strip(arr)) == 0, dtype=bool)
    if kind == "O":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mask = np.asarray(arr == None, dtype=bool)  # noqa: E711 - elementwise comparison
            mask |= np.asarray(arr != arr, dtype=bool)  # NaN and NaT
            mask |= np.asarray(arr == "", dtype=bool)
        return mask
    return np.zeros(arr.shape, dtype=bool)


def tidy_ids(ids: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Whole-number float ids (an artefact of NaN in an integer column) become int64."""
    if ids.dtype.kind == "f" and ids.size and np.all(ids == np.round(ids)) and np.abs(ids).max() < 2**62:
        return ids.astype(np.int64)
    if ids.dtype.kind == "O" and ids.size:
        kinds = {type(v) for v in ids[: min(ids.size, 1000)].tolist()}
        if kinds <= {str}:
            return ids.astype(str)
    return ids


def _dense_integer_codes(arr: npt.NDArray[Any]) -> tuple[IntArray, npt.NDArray[Any]] | None:
    """Integer ids in a compact range: codes by a presence table, O(n) with no sort."""
    lo, hi = int(arr.min()), int(arr.max())
    span = hi - lo + 1
    if span > 4 * arr.shape[0] + 1024:
        return None
    offset = (arr - lo).astype(np.intp)
    present = np.zeros(span, dtype=bool)
    present[offset] = True
    rank = np.cumsum(present, dtype=np.intp) - 1
    ids = (np.flatnonzero(present) + lo).astype(np.int64)
    return rank[offset], ids


def factorize_array(field: str, values: Any) -> tuple[IntArray, npt.NDArray[Any]]:
    """Codes (``-1`` where missing) into sorted unique ids, from any 1-D array-like.

    >>> codes, ids = factorize_array("customer", ["b", "a", None, "b"])
    >>> codes.tolist(), ids.tolist()
    ([1, 0, -1, 1], ['a', 'b'])
    """
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValidationError.single(field, arr.shape, "must be 1-dimensional")
    if arr.dtype.kind in "iu" and arr.size:
        dense = _dense_integer_codes(arr)
        if dense is not None:
            return dense
    miss = missing_mask(arr)
    codes = np.full(arr.shape[0], -1, dtype=np.intp)
    valid = arr[~miss] if miss.any() else arr
    if valid.dtype.kind == "O":
        valid = tidy_ids(valid)
    try:
        ids, inv = np.unique(valid, return_inverse=True)
    except TypeError as exc:
        raise ValidationError.single(field, str(exc), "ids must be of one comparable type") from None
    codes[~miss] = inv.reshape(-1)
    return codes, tidy_ids(ids)


def classify_rows(
    *,
    customer: IntArray,
    timestamp: npt.NDArray[np.datetime64],
    quantity: npt.NDArray[np.float64],
    amount: npt.NDArray[np.float64],
    has_amount: bool,
    cancelled: BoolArray | None,
    returns: str,
) -> tuple[BoolArray, BoolArray, dict[str, IntArray], dict[str, IntArray]]:
    """Sort rows into kept / returns / set aside. Returns ``(keep, is_return, set_aside, flagged)``.

    ``keep`` marks the rows of the main log; ``is_return`` the return rows (kept in the
    log under ``"net"``, moved to the returns log under ``"separate"``).
    """
    if returns not in RETURNS_POLICIES:
        raise ValidationError.single("returns", returns, f"must be one of {list(RETURNS_POLICIES)}")
    n = customer.shape[0]
    undecided = np.ones(n, dtype=bool)
    set_aside: dict[str, IntArray] = {}

    def take(reason: str, mask: BoolArray) -> None:
        hit = mask & undecided
        if hit.any():
            set_aside[reason] = np.flatnonzero(hit)
            undecided[hit] = False

    take("missing_customer", customer < 0)
    take("missing_timestamp", np.isnat(timestamp))
    take("invalid_quantity", ~np.isfinite(quantity))
    if has_amount:
        take("invalid_amount", ~np.isfinite(amount))
    take("zero_quantity", quantity == 0)
    if cancelled is not None:
        take("cancelled_order", cancelled & (quantity > 0))
    if has_amount:
        take("negative_price", (quantity > 0) & (amount < 0))
    is_return = undecided & (quantity < 0)
    flagged: dict[str, IntArray] = {}
    if returns == "net":
        if is_return.any():
            flagged["returns"] = np.flatnonzero(is_return)
    else:
        take("returns", is_return)
    if has_amount:
        zero = undecided & (quantity > 0) & (amount == 0)
        if zero.any():
            flagged["zero_price"] = np.flatnonzero(zero)
    return undecided, is_return, set_aside, flagged
