"""Loyalty programme rules: earning, tiers, expiry, redemption caps, member discounts, referrals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.domain import Money, Order
from distcrm.errors import FieldError, ValidationError

__all__ = ["Programme", "Tier"]


def _dec(
    field: str, v: Any, errors: list[FieldError], *, lo: Decimal = Decimal(0), hi: Decimal | None = None
) -> None:
    if not isinstance(v, (Decimal, int)) or isinstance(v, bool):
        errors.append(FieldError(f"$.{field}", "must be a Decimal or int", v))
    elif v < lo or (hi is not None and v > hi):
        rng = f"in [{lo}, {hi}]" if hi is not None else f">= {lo}"
        errors.append(FieldError(f"$.{field}", f"must be {rng}", v))


@attrs.frozen(kw_only=True)
class Tier:
    """A membership tier, reached by trailing-window spend of at least ``min_spend``.

    ``multiplier`` scales earned points; ``discount`` is the member price discount
    (a share, 0.05 = 5 %).

    Examples
    --------
    >>> Tier(name="gold", min_spend=Decimal(5000), multiplier=Decimal("1.5"), discount=Decimal("0.05")).name
    'gold'
    """

    name: str
    min_spend: Decimal = Decimal(0)
    multiplier: Decimal = Decimal(1)
    discount: Decimal = Decimal(0)

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if not isinstance(self.name, str) or not self.name.strip():
            errors.append(FieldError("$.name", "must be a non-empty string", self.name))
        _dec("min_spend", self.min_spend, errors)
        _dec("multiplier", self.multiplier, errors)
        _dec("discount", self.discount, errors, hi=Decimal(1))
        if errors:
            raise ValidationError(errors, title="invalid Tier")


@attrs.frozen(kw_only=True)
class Programme:
    """The rules of one loyalty programme.

    Parameters
    ----------
    id
        Programme id (matches ``LoyaltyAccount.programme_id``).
    currency
        ISO 4217 currency of spend and of the points' value.
    points_per_unit
        Points earned per currency unit of an order line (after discount).
    category_rates, product_rates
        Overrides of ``points_per_unit`` by product category and by product id
        (product beats category beats the default; 0 excludes a product).
    points_per_order
        Flat points per earning order, added after the tier multiplier.
    tiers
        Tiers by ascending ``min_spend``; the first must start at 0.
    tier_window
        The trailing window over which tier spend is measured (365 days).
    expiry
        Life of each earn entry (``None``: points never expire).
    point_value
        Money value of one point when redeemed.
    max_redeem_share
        At most this share of an order's total may be paid with points.
    max_redeem_points
        At most this many points per order (``None``: no cap).
    referral_points
        Points for a referrer when the referee's first paid order is delivered.
    starts_at, ends_at
        When the programme runs; every event outside raises ``ValidationError``.

    Examples
    --------
    >>> p = Programme(id="P", currency="CNY", tiers=(Tier(name="base"),
    ...     Tier(name="gold", min_spend=Decimal(1000), multiplier=Decimal(2))))
    >>> p.tier_for(Decimal(1200)).name, p.tier_for(Decimal(10)).name
    ('gold', 'base')
    """

    id: str
    currency: str
    points_per_unit: Decimal = Decimal(1)
    category_rates: Mapping[str, Decimal] = attrs.field(factory=dict)
    product_rates: Mapping[str, Decimal] = attrs.field(factory=dict)
    points_per_order: int = 0
    tiers: tuple[Tier, ...] = (Tier(name="base"),)
    tier_window: dt.timedelta = dt.timedelta(days=365)
    expiry: dt.timedelta | None = dt.timedelta(days=365)
    point_value: Decimal = Decimal("0.01")
    max_redeem_share: Decimal = Decimal("0.5")
    max_redeem_points: int | None = None
    referral_points: int = 0
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if not isinstance(self.id, str) or not self.id.strip():
            errors.append(FieldError("$.id", "must be a non-empty string", self.id))
        if not isinstance(self.currency, str) or len(self.currency) != 3 or not self.currency.isupper():
            errors.append(FieldError("$.currency", "must be an ISO 4217 code", self.currency))
        _dec("points_per_unit", self.points_per_unit, errors)
        for name in ("category_rates", "product_rates"):
            for k, v in getattr(self, name).items():
                _dec(f"{name}[{k!r}]", v, errors)
        for name in ("points_per_order", "referral_points"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                errors.append(FieldError(f"$.{name}", "must be an int >= 0", v))
        if self.max_redeem_points is not None and (
            not isinstance(self.max_redeem_points, int) or self.max_redeem_points < 0
        ):
            errors.append(
                FieldError("$.max_redeem_points", "must be an int >= 0 or None", self.max_redeem_points)
            )
        _dec("point_value", self.point_value, errors)
        _dec("max_redeem_share", self.max_redeem_share, errors, hi=Decimal(1))
        if not self.tiers:
            errors.append(FieldError("$.tiers", "must have at least one tier", self.tiers))
        else:
            if self.tiers[0].min_spend != 0:
                errors.append(
                    FieldError(
                        "$.tiers[0].min_spend", "the first tier must start at 0", self.tiers[0].min_spend
                    )
                )
            for i in range(1, len(self.tiers)):
                if self.tiers[i].min_spend <= self.tiers[i - 1].min_spend:
                    errors.append(
                        FieldError(
                            f"$.tiers[{i}].min_spend",
                            "tiers must have increasing min_spend",
                            self.tiers[i].min_spend,
                        )
                    )
            names = [t.name for t in self.tiers]
            if len(set(names)) != len(names):
                errors.append(FieldError("$.tiers", "tier names must be unique", names))
        if self.expiry is not None and self.expiry <= dt.timedelta(0):
            errors.append(FieldError("$.expiry", "must be positive or None", self.expiry))
        if self.tier_window <= dt.timedelta(0):
            errors.append(FieldError("$.tier_window", "must be positive", self.tier_window))
        for name in ("starts_at", "ends_at"):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, dt.datetime) or v.tzinfo is None):
                errors.append(FieldError(f"$.{name}", "must be a timezone-aware datetime", v))
        if errors:
            raise ValidationError(errors, title="invalid Programme")

    # -- rules -------------------------------------------------------------------
    def check_active(self, at: dt.datetime) -> None:
        """Raise ``ValidationError`` unless the programme runs at ``at``."""
        if not isinstance(at, dt.datetime) or at.tzinfo is None:
            raise ValidationError.single("at", at, "must be a timezone-aware datetime")
        if self.starts_at is not None and at < self.starts_at:
            raise ValidationError.single(
                "at", at.isoformat(), f"programme {self.id!r} starts on {self.starts_at.isoformat()}"
            )
        if self.ends_at is not None and at >= self.ends_at:
            raise ValidationError.single(
                "at", at.isoformat(), f"programme {self.id!r} ended on {self.ends_at.isoformat()}"
            )

    def tier(self, name: str) -> Tier:
        """The tier called ``name``."""
        for t in self.tiers:
            if t.name == name:
                return t
        raise ValidationError.single(
            "tier", name, f"is not a tier of {self.id!r} ({[t.name for t in self.tiers]})"
        )

    def tier_for(self, spend: Decimal | int | float) -> Tier:
        """The highest tier whose ``min_spend`` is at most ``spend``."""
        s = Decimal(str(spend))
        best = self.tiers[0]
        for t in self.tiers:
            if s >= t.min_spend:
                best = t
        return best

    def tiers_for(self, spend: Any) -> npt.NDArray[np.object_]:
        """Tier names for an array of trailing spends (vectorised).

        Examples
        --------
        >>> p = Programme(id="P", currency="CNY", tiers=(Tier(name="base"), Tier(name="gold", min_spend=Decimal(1000))))
        >>> p.tiers_for([0, 999.99, 1000, 5000]).tolist()
        ['base', 'base', 'gold', 'gold']
        """
        s = np.asarray(spend, dtype=np.float64)
        if np.isnan(s).any():
            raise ValidationError.single("spend", "NaN", "must not contain NaN")
        edges = np.array([float(t.min_spend) for t in self.tiers])
        idx = np.searchsorted(edges, s, side="right") - 1
        names = np.array([t.name for t in self.tiers], dtype=object)
        return names[np.maximum(idx, 0)]

    def rate(self, product_id: str, category: str | None) -> Decimal:
        """Points per currency unit for a product (product rate, else category rate, else default)."""
        if product_id in self.product_rates:
            return Decimal(self.product_rates[product_id])
        if category is not None and category in self.category_rates:
            return Decimal(self.category_rates[category])
        return Decimal(self.points_per_unit)

    def points_for_order(self, order: Order, tier: str, categories: Mapping[str, str] | None = None) -> int:
        """Points an order earns in ``tier``: ⌊Σ line total × rate × multiplier⌋ + points per order."""
        if order.currency != self.currency:
            raise ValidationError.single(
                "order.currency", order.currency, f"programme {self.id!r} runs in {self.currency}"
            )
        cats = categories or {}
        base = sum(
            (
                line.total().amount * self.rate(line.product_id, cats.get(line.product_id))
                for line in order.lines
            ),
            Decimal(0),
        )
        raw = (base * self.tier(tier).multiplier).to_integral_value(rounding=ROUND_FLOOR)
        return int(raw) + self.points_per_order

    def member_price(self, amount: Money, tier: str) -> Money:
        """``amount`` after the tier's member discount (rounded to the currency's minor unit)."""
        t = self.tier(tier)
        return Money(amount=amount.amount * (1 - t.discount), currency=amount.currency).rounded()

    def points_value(self, points: int) -> Money:
        """The money value of ``points``."""
        return Money(amount=Decimal(points) * self.point_value, currency=self.currency)

    def max_redeemable(self, order_total: Money | None) -> int | None:
        """The most points one order may use (share of its total and the absolute cap)."""
        caps: list[int] = []
        if order_total is not None:
            if order_total.currency != self.currency:
                raise ValidationError.single(
                    "order_total.currency", order_total.currency, f"programme runs in {self.currency}"
                )
            if self.point_value > 0:
                caps.append(
                    int(
                        (order_total.amount * self.max_redeem_share / self.point_value).to_integral_value(
                            rounding=ROUND_FLOOR
                        )
                    )
                )
        if self.max_redeem_points is not None:
            caps.append(self.max_redeem_points)
        return min(caps) if caps else None
