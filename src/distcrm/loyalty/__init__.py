"""Loyalty programmes: points earned and redeemed on an append-only ledger, tiers, referrals.

A :class:`Programme` states the rules; a :class:`LoyaltyEngine` applies them to
``distcrm.domain.LoyaltyAccount`` records, event by event, idempotently. The balance is
the sum of the unexpired points, spent earliest-expiring first, and never negative.

>>> from distcrm.loyalty import Programme
>>> Programme(id="P", currency="CNY").tiers[0].name
'base'
"""

from distcrm.loyalty._ledger import (
    EventConflictError,
    Lot,
    LoyaltyEngine,
    lots,
    points_balance,
    trailing_spend,
)
from distcrm.loyalty._programme import Programme, Tier

__all__ = [
    "EventConflictError",
    "Lot",
    "LoyaltyEngine",
    "Programme",
    "Tier",
    "lots",
    "points_balance",
    "trailing_spend",
]
