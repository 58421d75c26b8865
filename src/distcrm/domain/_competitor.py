"""Competitors and the deals lost to them."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator

import attrs

from distcrm.domain._validation import Record, checks, each, err, ge, ident, new_id, nonblank
from distcrm.domain._values import Money
from distcrm.errors import FieldError

__all__ = ["Competitor", "LostDeal", "PricePosition"]


class PricePosition(enum.Enum):
    """A competitor's price level relative to ours."""

    LOWER = "lower"
    SIMILAR = "similar"
    HIGHER = "higher"
    PREMIUM = "premium"


@attrs.frozen(kw_only=True)
class LostDeal(Record):
    """A deal lost to a competitor: with whom, when, why, how much."""

    customer_id: str = attrs.field(metadata=checks(ident))
    at: dt.datetime
    reason: str = attrs.field(metadata=checks(nonblank))
    value: Money | None = None
    product_category: str | None = None

    def _check(self) -> Iterator[FieldError]:
        if self.value is not None and self.value.amount < 0:
            yield err("value.amount", "must be >= 0", self.value.amount)


@attrs.frozen(kw_only=True)
class Competitor(Record):
    """A competitor: strengths, weaknesses, price position, shared customers, lost deals.

    Examples
    --------
    >>> Competitor(name="FastFresh", price_position=PricePosition.LOWER,
    ...            strengths=("same-day delivery",), customer_ids=frozenset({"C-1"})).price_position.value
    'lower'
    """

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    name: str = attrs.field(metadata=checks(nonblank))
    website: str | None = None
    strengths: tuple[str, ...] = attrs.field(default=(), metadata=checks(each(nonblank)))
    weaknesses: tuple[str, ...] = attrs.field(default=(), metadata=checks(each(nonblank)))
    price_position: PricePosition = PricePosition.SIMILAR
    customer_ids: frozenset[str] = attrs.field(factory=frozenset, metadata=checks(each(ident)))
    lost_deals: tuple[LostDeal, ...] = ()
    notes: str = ""
    version: int = attrs.field(default=0, metadata=checks(ge(0)))
