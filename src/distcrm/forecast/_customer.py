"""Customer-level demand: who orders next, and what each customer usually buys.

:class:`InterPurchaseHazard` is an empirical inter-purchase-interval model: the
Kaplan–Meier survival curve of the gaps between a customer's orders, each gap
measured in units of that customer's own median gap (so regular weekly and
monthly buyers share one curve), with the open gap since the last order as a
censored observation. The chance of an order in the next ``w`` days after ``e``
days of silence is ``1 - S((e + w)/g) / S(e/g)``: it grows as the usual gap
``g`` comes round. The purchase models of the BG/NBD family plug into the same
:func:`who_orders` through :class:`PurchaseProbabilityModel`.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from distcrm._estimator import BaseEstimator, check_is_fitted
from distcrm.errors import FieldError, ValidationError
from distcrm.forecast._tables import CustomerBaskets, OrderProbabilities

__all__ = ["InterPurchaseHazard", "PurchaseProbabilityModel", "expected_basket", "who_orders"]

FloatArray = npt.NDArray[np.float64]


@runtime_checkable
class PurchaseProbabilityModel(Protocol):
    """A fitted BG/NBD-family model: ``probability_of_purchases(k, t, summary)``."""

    def probability_of_purchases(self, k: int, t: Any, summary: Any = None) -> FloatArray:
        """Probability of exactly ``k`` purchases in the next ``t`` time units."""
        ...


def _check_events(customer_ids: Any, times: Any) -> tuple[npt.NDArray[np.object_], FloatArray]:
    ids = np.asarray(customer_ids, dtype=object)
    t = np.asarray(times, dtype=np.float64)
    errs = []
    if ids.ndim != 1 or t.ndim != 1 or ids.shape != t.shape:
        errs.append(FieldError("$.times", f"must be 1-D and as long as customer_ids ({ids.shape})", t.shape))
    elif not np.isfinite(t).all():
        errs.append(FieldError("$.times", "must be finite", None))
    elif t.size == 0:
        errs.append(FieldError("$.times", "is empty", 0))
    if errs:
        raise ValidationError(errs)
    return ids, t


class InterPurchaseHazard(BaseEstimator):
    """Empirical hazard of the next order given the time since the last one.

    ``fit(customer_ids, times, now=None)`` takes one row per order (times in days,
    any origin); ``now`` (default: the last order time) closes the open gaps.

    Parameters
    ----------
    min_orders
        Customers with fewer orders get the pooled median gap as their own.

    Examples
    --------
    >>> ids = ["a"] * 5 + ["b"] * 3
    >>> days = [0, 7, 14, 21, 28, 0, 14, 28]
    >>> m = InterPurchaseHazard().fit(ids, days, now=34)
    >>> p = m.probability_within(7)
    >>> bool(p[0] > 0.5 > p[1])
    True
    """

    def __init__(self, min_orders: int = 3) -> None:
        self.min_orders = min_orders

    def fit(self, customer_ids: Any, times: Any, now: float | None = None) -> InterPurchaseHazard:
        """Learn the gap survival curve from order times."""
        ids, t = _check_events(customer_ids, times)
        order = np.lexsort((t, ids.astype(str)))
        ids, t = ids[order], t[order]
        cust, start = np.unique(ids.astype(str), return_index=True)
        cnum = np.repeat(np.arange(cust.size), np.diff(np.append(start, ids.size)))
        end = float(t.max()) if now is None else float(now)
        if end < float(t.max()):
            raise ValidationError.single("now", now, "must not be before the last order")
        same = cnum[1:] == cnum[:-1]
        gaps = np.diff(t)[same]
        gcust = cnum[1:][same]
        n_orders = np.bincount(cnum, minlength=cust.size)
        last = np.full(cust.size, -np.inf)
        np.maximum.at(last, cnum, t)
        pooled = float(np.median(gaps[gaps > 0])) if (gaps > 0).any() else 1.0
        med = np.full(cust.size, pooled)
        # per-customer median gap, vectorised: sort gaps by customer then value
        if gaps.size:
            o = np.lexsort((gaps, gcust))
            gs, cs = gaps[o], gcust[o]
            cnt = np.bincount(cs, minlength=cust.size)
            first = np.concatenate([[0], np.cumsum(cnt)[:-1]])
            has = cnt > 0
            lo = gs[first[has] + (cnt[has] - 1) // 2]
            hi = gs[first[has] + cnt[has] // 2]
            med[has] = 0.5 * (lo + hi)
        med = np.where((n_orders >= int(self.min_orders)) & (med > 0), med, pooled)
        scaled = gaps / med[gcust]
        open_gap = (end - last) / med
        # Kaplan-Meier on scaled gaps (events) and open gaps (censored)
        durations = np.concatenate([scaled, open_gap])
        event = np.concatenate([np.ones(scaled.size, bool), np.zeros(open_gap.size, bool)])
        o = np.argsort(durations, kind="stable")
        d, ev = durations[o], event[o]
        uniq, first_idx = np.unique(d, return_index=True)
        at_risk = d.size - first_idx
        deaths = np.add.reduceat(ev.astype(np.float64), first_idx)
        surv = np.cumprod(1.0 - deaths / at_risk)
        self.grid_ = uniq
        self.survival_ = surv
        self.customer_ids_ = cust.astype(object)
        self.median_gap_ = med
        self.elapsed_ = end - last
        self.n_orders_ = n_orders
        return self

    def _surv(self, x: FloatArray) -> FloatArray:
        idx = np.searchsorted(self.grid_, x, side="right") - 1
        out: FloatArray = np.where(idx >= 0, self.survival_[np.maximum(idx, 0)], 1.0)
        return out

    def probability_within(self, days: float) -> FloatArray:
        """``P(next order within days | elapsed)`` per customer (``customer_ids_`` order)."""
        check_is_fitted(self, "survival_", "probability_within")
        if not isinstance(days, (int, float)) or days <= 0:
            raise ValidationError.single("days", days, "must be > 0")
        s0 = self._surv(self.elapsed_ / self.median_gap_)
        s1 = self._surv((self.elapsed_ + float(days)) / self.median_gap_)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(s0 > 0, 1.0 - s1 / s0, 1.0)
        # beyond the longest observed gap the curve says nothing: carry the last hazard
        out: FloatArray = np.clip(p, 0.0, 1.0)
        return out


def who_orders(
    model: Any, within_days: float, *, summary: Any = None, min_probability: float = 0.0
) -> OrderProbabilities:
    """Customers likely to order within ``within_days``, most likely first.

    ``model`` is a fitted :class:`InterPurchaseHazard`, or a fitted purchase model
    (BG/NBD family, :class:`PurchaseProbabilityModel`) with its ``summary``
    (``CustomerSummary``; days are converted to its ``time_unit``). Returns an
    :class:`OrderProbabilities` (arrays; ``.to_frame()`` for pandas).

    Examples
    --------
    >>> m = InterPurchaseHazard().fit(["a"] * 4 + ["b"] * 3, [0, 7, 14, 21, 0, 10, 20], now=24)
    >>> who_orders(m, 5, min_probability=0.5).customer_ids.tolist()
    ['a']
    """
    if isinstance(within_days, bool) or not isinstance(within_days, (int, float)) or within_days <= 0:
        raise ValidationError.single("within_days", within_days, "must be > 0")
    if (
        isinstance(min_probability, bool)
        or not isinstance(min_probability, (int, float))
        or not 0 <= min_probability <= 1
    ):
        raise ValidationError.single("min_probability", min_probability, "must be in [0, 1]")
    if isinstance(model, InterPurchaseHazard):
        prob = model.probability_within(float(within_days))
        ids = model.customer_ids_
    elif isinstance(model, PurchaseProbabilityModel):
        if summary is None:
            raise ValidationError.missing("summary", "is required with a purchase model")
        per = {"D": 1.0, "W": 7.0, "M": 30.4375, "Y": 365.25, "h": 1.0 / 24.0}[str(summary.time_unit)]
        prob = 1.0 - np.asarray(model.probability_of_purchases(0, float(within_days) / per, summary))
        ids = np.asarray(summary.customer_ids, dtype=object)
    else:
        raise ValidationError.single(
            "model", type(model).__name__, "must be an InterPurchaseHazard or have probability_of_purchases"
        )
    keep = np.flatnonzero(prob >= float(min_probability))
    keep = keep[np.argsort(-prob[keep], kind="stable")]
    return OrderProbabilities(
        customer_ids=np.asarray(ids, dtype=object)[keep],
        probability=np.asarray(prob, dtype=np.float64)[keep],
        within_days=float(within_days),
    )


def expected_basket(customer_ids: Any, item_ids: Any, quantities: Any, order_ids: Any) -> CustomerBaskets:
    """Each customer's expected basket: mean quantity per order of each item they have bought.

    ``expected_quantity`` = total quantity of the item / number of the customer's
    orders; ``share_of_orders`` = the share of their orders that contained it.
    Takes one row per order line; returns a :class:`CustomerBaskets` (one row per
    customer and item, sorted; ``.to_frame()`` for pandas).

    Examples
    --------
    >>> b = expected_basket(["a", "a", "a"], ["x", "y", "x"], [2, 1, 4], ["o1", "o1", "o2"])
    >>> b.for_customer("a")
    {'x': 3.0, 'y': 0.5}
    """
    q = np.asarray(quantities, dtype=np.float64)
    cust = np.asarray(customer_ids, dtype=object)
    item = np.asarray(item_ids, dtype=object)
    order = np.asarray(order_ids, dtype=object)
    errs = [
        FieldError(
            f"$.{name}",
            f"must be 1-D and as long as quantities ({q.shape[0] if q.ndim else q.shape})",
            a.shape,
        )
        for name, a in (("customer_ids", cust), ("item_ids", item), ("order_ids", order))
        if a.ndim != 1 or q.ndim != 1 or a.shape != q.shape
    ]
    if errs:
        raise ValidationError(errs)
    bad = (q < 0) | ~np.isfinite(q)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValidationError.single(f"quantities[{i}]", float(q[i]), "must be finite and >= 0")
    cu, ci = np.unique(cust.astype(str), return_inverse=True)
    _, ii = np.unique(item.astype(str), return_inverse=True)
    _, oi = np.unique(order.astype(str), return_inverse=True)
    n_items = int(ii.max(initial=-1)) + 1
    n_ord = int(oi.max(initial=-1)) + 1
    # orders per customer: distinct (customer, order) pairs
    co = np.unique(ci.astype(np.int64) * n_ord + oi)
    n_orders = np.bincount(co // n_ord, minlength=cu.size).astype(np.float64)
    pair = ci.astype(np.int64) * n_items + ii
    pairs, pinv = np.unique(pair, return_inverse=True)
    total = np.bincount(pinv, weights=q, minlength=pairs.size)
    pio = np.unique(pinv.astype(np.int64) * n_ord + oi)
    orders_with = np.bincount(pio // n_ord, minlength=pairs.size).astype(np.float64)
    pc = pairs // n_items
    first_item = np.zeros(n_items, dtype=np.int64)
    first_item[ii] = np.arange(ii.size)
    first_cust = np.zeros(cu.size, dtype=np.int64)
    first_cust[ci] = np.arange(ci.size)
    return CustomerBaskets(
        customer_ids=cust[first_cust[pc]],
        item_ids=item[first_item[pairs % n_items]],
        expected_quantity=total / n_orders[pc],
        share_of_orders=orders_with / n_orders[pc],
    )
