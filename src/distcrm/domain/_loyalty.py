"""Loyalty accounts and their points ledger (the rules live in :mod:`distcrm.loyalty`)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator

import attrs

from distcrm.domain._validation import Record, checks, err, ge, ident, new_id, nonblank, opt
from distcrm.errors import FieldError

__all__ = ["LedgerEntry", "LedgerKind", "LoyaltyAccount"]


class LedgerKind(enum.Enum):
    """What a ledger entry records."""

    EARN = "earn"
    REDEEM = "redeem"
    EXPIRE = "expire"
    ADJUST = "adjust"
    REVERSE = "reverse"


@attrs.frozen(kw_only=True)
class LedgerEntry(Record):
    """One movement of points: earned (> 0), redeemed or expired (< 0), adjusted or reversed (≠ 0).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> LedgerEntry(id="E-1", kind=LedgerKind.EARN, points=120, at=datetime(2024, 5, 1, tzinfo=timezone.utc),
    ...             order_id="SO-1").points
    120
    """

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    kind: LedgerKind
    points: int
    at: dt.datetime
    expires_at: dt.datetime | None = None
    order_id: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    event_id: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    reverses_id: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    note: str = ""

    def _check(self) -> Iterator[FieldError]:
        k = self.kind
        if k is LedgerKind.EARN and self.points <= 0:
            yield err("points", "must be > 0 for an earn entry", self.points)
        elif k in (LedgerKind.REDEEM, LedgerKind.EXPIRE) and self.points >= 0:
            yield err("points", f"must be < 0 for a {k.value} entry", self.points)
        elif k in (LedgerKind.ADJUST, LedgerKind.REVERSE) and self.points == 0:
            yield err("points", f"must not be 0 for a {k.value} entry", self.points)
        if self.expires_at is not None:
            if k is not LedgerKind.EARN and not (k is LedgerKind.ADJUST and self.points > 0):
                yield err("expires_at", "only earned (or positively adjusted) points expire", self.expires_at)
            elif self.expires_at <= self.at:
                yield err("expires_at", f"must be after at ({self.at.isoformat()})", self.expires_at)
        if k is LedgerKind.REVERSE and self.reverses_id is None:
            yield err("reverses_id", "is required for a reverse entry")


@attrs.frozen(kw_only=True)
class LoyaltyAccount(Record):
    """A customer's membership of a loyalty programme: tier and points ledger.

    A plain validated record: entries are in time order with unique ids; the earning,
    expiry and tier rules are applied by :mod:`distcrm.loyalty`.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> t = datetime(2024, 5, 1, tzinfo=timezone.utc)
    >>> acc = LoyaltyAccount(customer_id="C-1", programme_id="GOLD", tier="silver", entries=(
    ...     LedgerEntry(id="E-1", kind=LedgerKind.EARN, points=120, at=t),
    ...     LedgerEntry(id="E-2", kind=LedgerKind.REDEEM, points=-50, at=t.replace(day=9))))
    >>> acc.balance(t.replace(day=5)), acc.balance(t.replace(day=10))
    (120, 70)
    """

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    customer_id: str = attrs.field(metadata=checks(ident))
    programme_id: str = attrs.field(metadata=checks(ident))
    tier: str = attrs.field(default="base", metadata=checks(nonblank))
    entries: tuple[LedgerEntry, ...] = ()
    card_code: str | None = attrs.field(default=None, metadata=checks(opt(nonblank)))
    opened_at: dt.datetime | None = None
    version: int = attrs.field(default=0, metadata=checks(ge(0)))

    def _check(self) -> Iterator[FieldError]:
        seen: set[str] = set()
        for i, e in enumerate(self.entries):
            if e.id in seen:
                yield err(f"entries[{i}].id", "must be unique within the account", e.id)
            seen.add(e.id)
            if i and e.at < self.entries[i - 1].at:
                yield err(
                    f"entries[{i}].at",
                    f"must not be before the previous entry ({self.entries[i - 1].at.isoformat()})",
                    e.at,
                )
        for i, e in enumerate(self.entries):
            if e.reverses_id is not None and e.reverses_id not in seen:
                yield err(
                    f"entries[{i}].reverses_id", "must be the id of an entry of this account", e.reverses_id
                )

    def balance(self, at: dt.datetime | None = None) -> int:
        """Sum of the points of every entry at or before ``at`` (all entries when ``None``)."""
        return sum(e.points for e in self.entries if at is None or e.at <= at)

    def with_entry(self, entry: LedgerEntry) -> LoyaltyAccount:
        """A copy with ``entry`` appended (validated like any account)."""
        return attrs.evolve(self, entries=(*self.entries, entry))
