"""Competitor profiles linked to customers and lost deals; where and why deals are lost."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from distcrm.domain import Competitor, Customer
from distcrm.errors import ValidationError
from distcrm.kpi._table import Table

__all__ = ["CompetitorSummary", "competitor_summary"]


def _reason(text: str) -> str:
    return " ".join(text.strip().lower().split())


@attrs.frozen(kw_only=True)
class CompetitorSummary:
    """Lost deals by competitor, by reason and by place (territory, segment, category)."""

    by_competitor: Table
    by_reason: Table
    by_territory: Table
    by_segment: Table
    by_category: Table
    currency: str | None

    def summary(self) -> str:
        """A short text: the biggest competitor and reason by lost value."""
        if len(self.by_competitor) == 0:
            return "No lost deals recorded."
        top = self.by_competitor.row(0)
        why = self.by_reason.row(0)
        cur = f" {self.currency}" if self.currency else ""
        return (
            f"{int(sum(self.by_competitor['lost_deals']))} deals lost worth {sum(self.by_competitor['lost_value']):,.2f}{cur}; "
            f"most to {top['competitor']} ({top['lost_deals']} deals, mainly '{top['top_reason']}'); "
            f"top reason '{why['reason']}' ({why['share']:.0%} of deals)."
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return f"<p>{self.summary()}</p>" + self.by_competitor._repr_html_() + self.by_reason._repr_html_()

    def plot(self, ax: Any = None) -> Any:
        """Bar chart of lost value by reason."""
        from distcrm._optional import import_optional

        plt = import_optional("matplotlib.pyplot", feature="CompetitorSummary.plot")
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        ax.barh(self.by_reason["reason"].astype(str)[::-1], self.by_reason["lost_value"][::-1])
        ax.set_xlabel(f"lost value{f' ({self.currency})' if self.currency else ''}")
        ax.set_title("why deals are lost")
        return ax


def competitor_summary(
    competitors: Sequence[Competitor], customers: Mapping[str, Customer] | Sequence[Customer] | None = None
) -> CompetitorSummary:
    """Summarise where and why deals are lost to ``competitors``.

    Reasons are compared case- and space-insensitively. ``customers`` (a mapping by id
    or a sequence) supplies each lost deal's territory and segment.

    Examples
    --------
    >>> import datetime as dt
    >>> from distcrm.domain import LostDeal, Money
    >>> t = dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc)
    >>> rival = Competitor(id="K1", name="Rival", customer_ids=frozenset({"C1"}), lost_deals=(
    ...     LostDeal(customer_id="C1", at=t, reason="Price", value=Money.of("500", "CNY")),
    ...     LostDeal(customer_id="C2", at=t, reason="price ", value=Money.of("300", "CNY")),
    ...     LostDeal(customer_id="C2", at=t, reason="Delivery speed", value=Money.of("100", "CNY"))))
    >>> s = competitor_summary([rival])
    >>> s.by_reason["reason"].tolist(), s.by_reason["lost_value"].tolist()
    (['price', 'delivery speed'], [800.0, 100.0])
    """
    if isinstance(customers, Mapping):
        cust = dict(customers)
    else:
        cust = {c.id: c for c in (customers or ())}
    currencies = {d.value.currency for k in competitors for d in k.lost_deals if d.value is not None}
    if len(currencies) > 1:
        raise ValidationError.single(
            "lost_deals.value", sorted(currencies), "mix currencies; convert them first"
        )
    rows: list[dict[str, Any]] = []
    for k in competitors:
        for d in k.lost_deals:
            c = cust.get(d.customer_id)
            rows.append(
                {
                    "competitor": k.name,
                    "reason": _reason(d.reason),
                    "value": float(d.value.amount) if d.value is not None else 0.0,
                    "territory": (c.territory if c is not None else None) or "(unknown)",
                    "segment": (c.segment if c is not None else None) or "(unknown)",
                    "category": d.product_category or "(unknown)",
                    "customer": d.customer_id,
                }
            )
    n_total = len(rows)

    def group(key: str, title: str) -> Table:
        deals: Counter[str] = Counter()
        value: defaultdict[str, float] = defaultdict(float)
        reasons: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for r in rows:
            deals[r[key]] += 1
            value[r[key]] += r["value"]
            reasons[r[key]][r["reason"]] += 1
        keys = sorted(deals, key=lambda x: (-value[x], -deals[x], x))
        cols: dict[str, Any] = {
            key: keys,
            "lost_deals": [deals[x] for x in keys],
            "lost_value": [value[x] for x in keys],
            "share": [deals[x] / n_total if n_total else 0.0 for x in keys],
        }
        if key != "reason":
            cols["top_reason"] = [min(reasons[x].items(), key=lambda kv: (-kv[1], kv[0]))[0] for x in keys]
        return Table(cols, index=(key,), title=title)

    by_comp = group("competitor", "lost deals by competitor")
    # profile columns
    prof = {k.name: k for k in competitors}
    extra = {
        "price_position": [prof[n].price_position.value for n in by_comp["competitor"].tolist()],
        "customers_linked": [len(prof[n].customer_ids) for n in by_comp["competitor"].tolist()],
        "strengths": ["; ".join(prof[n].strengths) for n in by_comp["competitor"].tolist()],
    }
    by_comp = Table({**by_comp.to_dict(), **extra}, index=("competitor",), title=by_comp.title)
    return CompetitorSummary(
        by_competitor=by_comp,
        by_reason=group("reason", "why deals are lost"),
        by_territory=group("territory", "where deals are lost (territory)"),
        by_segment=group("segment", "where deals are lost (segment)"),
        by_category=group("category", "what deals are lost (product category)"),
        currency=next(iter(currencies)) if currencies else None,
    )
