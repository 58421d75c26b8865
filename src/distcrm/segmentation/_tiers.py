"""Value tiers (ABC / Pareto analysis) and profitability per customer."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.errors import ValidationError
from distcrm.segmentation._common import axes, floats, frame, html_table, ids_array

__all__ = ["ABCResult", "ProfitabilityResult", "abc_analysis", "customer_profitability"]

FloatArray = npt.NDArray[np.float64]


@attrs.frozen(eq=False, kw_only=True)
class ABCResult:
    """ABC class of each customer by cumulative share of value (largest customers first)."""

    customer_ids: npt.NDArray[np.object_]
    value: FloatArray
    cumulative_share: FloatArray
    tier: npt.NDArray[np.str_]
    cutoffs: tuple[float, float]

    def summary(self) -> dict[str, dict[str, float]]:
        """Per tier: customers, share of customers, share of value."""
        total = float(self.value.sum())
        out = {}
        for t in ("A", "B", "C"):
            sel = self.tier == t
            out[t] = {
                "customers": float(sel.sum()),
                "customer_share": float(sel.mean()),
                "value_share": float(self.value[sel].sum() / total) if total > 0 else float("nan"),
            }
        return out

    def to_frame(self) -> Any:
        return frame(
            {"value": self.value, "cumulative_share": self.cumulative_share, "tier": self.tier},
            self.customer_ids,
            "ABCResult.to_frame",
        )

    def _repr_html_(self) -> str:
        s = self.summary()
        return html_table(
            {
                "tier": list(s),
                "customers": [int(v["customers"]) for v in s.values()],
                "value share": [v["value_share"] for v in s.values()],
            },
            f"ABC analysis (cutoffs {self.cutoffs[0]:.0%} / {self.cutoffs[1]:.0%})",
        )

    def plot(self, ax: Any = None) -> Any:
        """Pareto (Lorenz-style) curve: cumulative share of value vs share of customers."""
        ax = axes(ax, "ABCResult.plot")
        order = np.argsort(self.cumulative_share)
        xs = np.arange(1, len(order) + 1) / len(order)
        ax.plot(xs, self.cumulative_share[order])
        for c in self.cutoffs:
            ax.axhline(c, color="grey", linestyle=":")
        ax.set_xlabel("share of customers (largest first)")
        ax.set_ylabel("cumulative share of value")
        return ax


def abc_analysis(
    value: Any, customer_ids: Any = None, *, cutoffs: tuple[float, float] = (0.8, 0.95)
) -> ABCResult:
    """Classify customers A/B/C by their cumulative share of ``value`` (revenue or margin).

    Customers are ranked by value (ties by id); a customer is A while the cumulative
    share *before* it is below ``cutoffs[0]``, B below ``cutoffs[1]``, else C. Negative
    values (loss-making customers) are allowed and rank last.

    Examples
    --------
    >>> r = abc_analysis([500, 300, 100, 60, 40], customer_ids=list("abcde"))
    >>> r.tier.tolist()
    ['A', 'A', 'B', 'B', 'C']
    """
    v0 = np.asarray(value, dtype=object)
    ids = ids_array(customer_ids, v0.shape[0] if v0.ndim == 1 else -1)
    v = floats("value", value, ids, nonneg=False)
    lo, hi = (float(c) for c in cutoffs)
    if not 0 < lo < hi <= 1:
        raise ValidationError.single("cutoffs", cutoffs, "must satisfy 0 < A < B <= 1")
    order = np.lexsort((ids.astype(str), -v))
    total = v[v > 0].sum()
    cum = np.cumsum(np.where(v[order] > 0, v[order], 0.0)) / total if total > 0 else np.zeros(v.shape[0])
    before = np.r_[0.0, cum[:-1]]
    tier_sorted = np.where(before < lo, "A", np.where(before < hi, "B", "C"))
    tier_sorted = np.where(v[order] <= 0, "C", tier_sorted)
    tier = np.empty(v.shape[0], dtype="<U1")
    tier[order] = tier_sorted
    cshare = np.empty(v.shape[0])
    cshare[order] = cum
    return ABCResult(customer_ids=ids, value=v, cumulative_share=cshare, tier=tier, cutoffs=(lo, hi))


@attrs.frozen(eq=False, kw_only=True)
class ProfitabilityResult:
    """Revenue, each cost and the resulting profit per customer."""

    customer_ids: npt.NDArray[np.object_]
    revenue: FloatArray
    cogs: FloatArray
    delivery_cost: FloatArray
    discounts: FloatArray
    loyalty_cost: FloatArray

    @property
    def profit(self) -> FloatArray:
        """``revenue - cogs - delivery_cost - discounts - loyalty_cost``."""
        return self.revenue - self.cogs - self.delivery_cost - self.discounts - self.loyalty_cost

    @property
    def margin(self) -> FloatArray:
        """Profit as a share of revenue (NaN where revenue is 0)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.revenue != 0, self.profit / self.revenue, np.nan)

    def to_frame(self) -> Any:
        return frame(
            {
                "revenue": self.revenue,
                "cogs": self.cogs,
                "delivery_cost": self.delivery_cost,
                "discounts": self.discounts,
                "loyalty_cost": self.loyalty_cost,
                "profit": self.profit,
                "margin": self.margin,
            },
            self.customer_ids,
            "ProfitabilityResult.to_frame",
        )

    def _repr_html_(self) -> str:
        p = self.profit
        order = np.argsort(p)[::-1]
        return html_table(
            {"customer": self.customer_ids[order], "revenue": self.revenue[order], "profit": p[order]},
            f"profitability: total profit {p.sum():,.2f}, {int((p < 0).sum())} loss-making customers",
            max_rows=10,
        )


def customer_profitability(
    revenue: Any,
    *,
    cogs: Any = 0.0,
    delivery_cost: Any = 0.0,
    deliveries: Any = None,
    discounts: Any = 0.0,
    loyalty_cost: Any = 0.0,
    customer_ids: Any = None,
) -> ProfitabilityResult:
    """Profit per customer: revenue − cost of goods − share of delivery cost − discounts − loyalty cost.

    ``delivery_cost`` is either per customer (an array) or, with ``deliveries`` (the
    number of deliveries, stops or drops per customer), a total allocated in proportion
    to them. Every other cost is a number (applied to all) or one value per customer.

    Examples
    --------
    >>> r = customer_profitability([100, 50], cogs=[60, 30], delivery_cost=20.0, deliveries=[3, 1],
    ...     customer_ids=["a", "b"])
    >>> r.profit.tolist()
    [25.0, 15.0]
    """
    r0 = np.asarray(revenue, dtype=object)
    ids = ids_array(customer_ids, r0.shape[0] if r0.ndim == 1 else -1)
    n = ids.shape[0]
    rev = floats("revenue", revenue, ids, nonneg=False)

    def per(name: str, v: Any) -> FloatArray:
        arr = np.asarray(v, dtype=np.float64)
        if arr.ndim == 0:
            arr = np.full(n, float(arr))
        out = floats(name, arr, ids)
        if out.shape != (n,):
            raise ValidationError.single(name, out.shape, f"must be a number or one value per customer ({n})")
        return out

    if deliveries is not None:
        total = np.asarray(delivery_cost, dtype=np.float64)
        if total.ndim != 0 or not np.isfinite(total) or total < 0:
            raise ValidationError.single(
                "delivery_cost", delivery_cost, "must be a total >= 0 when deliveries are given"
            )
        dv = per("deliveries", deliveries)
        share = dv / dv.sum() if dv.sum() > 0 else np.zeros(n)
        dc = float(total) * share
    else:
        dc = per("delivery_cost", delivery_cost)
    return ProfitabilityResult(
        customer_ids=ids,
        revenue=rev,
        cogs=per("cogs", cogs),
        delivery_cost=dc,
        discounts=per("discounts", discounts),
        loyalty_cost=per("loyalty_cost", loyalty_cost),
    )
