"""The points ledger engine: append-only, idempotent, FIFO-by-expiry, never negative."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.domain import Customer, LedgerEntry, LedgerKind, LoyaltyAccount, Money, Order, OrderStatus
from distcrm.errors import DistcrmError, DuplicateError, ValidationError
from distcrm.loyalty._programme import Programme

__all__ = ["EventConflictError", "Lot", "LoyaltyEngine", "lots", "points_balance", "trailing_spend"]

_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)
_PAID = (OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_DELIVERED, OrderStatus.DELIVERED, OrderStatus.CLOSED)
_DELIVERED = (OrderStatus.DELIVERED, OrderStatus.CLOSED)


class EventConflictError(DuplicateError):
    """An event id (or an order) was already processed with different content; nothing was written."""

    def __init__(self, event_id: str, existing: object, new: object) -> None:
        DistcrmError.__init__(self)
        self.kind = "loyalty event"
        self.id = event_id
        self.existing = existing
        self.new = new
        ValueError.__init__(
            self,
            f"loyalty event {event_id!r} was already processed with different content: "
            f"recorded {existing!r}, now {new!r}; the ledger is unchanged",
        )


@attrs.frozen
class Lot:
    """Points from one positive entry and what remains of them."""

    entry_id: str
    at: dt.datetime
    expires_at: dt.datetime | None
    points: int
    remaining: int

    def alive(self, at: dt.datetime) -> bool:
        """Whether the lot has not expired by ``at``."""
        return self.expires_at is None or self.expires_at > at


def _fifo_key(lot: dict[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    return (lot["expires_at"] or _FAR, lot["at"])


def _replay(entries: Iterable[LedgerEntry], at: dt.datetime | None) -> list[dict[str, Any]]:
    """Lots after replaying ``entries`` up to ``at``: FIFO by expiry for every debit."""
    pool: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}

    def consume(
        amount: int, when: dt.datetime, first: dict[str, Any] | None = None, expired: bool = False
    ) -> None:
        order = sorted(pool, key=_fifo_key)
        if first is not None:
            order = [first, *[x for x in order if x is not first]]
        for lot in order:
            if amount <= 0:
                break
            live = lot["expires_at"] is None or lot["expires_at"] > when
            if live == expired and lot is not first:
                continue
            take = min(amount, lot["remaining"])
            lot["remaining"] -= take
            amount -= take

    for e in entries:
        if at is not None and e.at > at:
            break
        if e.points > 0:
            lot = {
                "id": e.id,
                "at": e.at,
                "expires_at": e.expires_at,
                "points": e.points,
                "remaining": e.points,
            }
            pool.append(lot)
            by_id[e.id] = lot
        elif e.kind is LedgerKind.EXPIRE:
            target = by_id.get(e.reverses_id or "")
            if target is not None:
                target["remaining"] -= min(-e.points, target["remaining"])
            else:
                consume(-e.points, e.at, expired=True)
        else:
            consume(-e.points, e.at, first=by_id.get(e.reverses_id or ""))
    return pool


def lots(account: LoyaltyAccount, at: dt.datetime | None = None) -> list[Lot]:
    """Every positive lot of ``account`` with what remains of it at ``at``."""
    return [
        Lot(x["id"], x["at"], x["expires_at"], x["points"], x["remaining"])
        for x in _replay(account.entries, at)
    ]


def points_balance(account: LoyaltyAccount, at: dt.datetime | None = None) -> int:
    """Usable points at ``at``: the sum of what remains of the lots not expired by then.

    Unlike ``LoyaltyAccount.balance`` (the plain sum of entries) this counts expiry
    even before :meth:`LoyaltyEngine.expire` has written the expiry entries.
    """
    when = at if at is not None else (account.entries[-1].at if account.entries else _FAR)
    return sum(
        x["remaining"]
        for x in _replay(account.entries, at)
        if x["expires_at"] is None or x["expires_at"] > when
    )


def trailing_spend(
    log: Any, at: Any, window: dt.timedelta = dt.timedelta(days=365)
) -> tuple[npt.NDArray[Any], npt.NDArray[np.float64]]:
    """``(customer_ids, spend)``: each customer's spend in ``(at − window, at]`` from a ``TransactionLog``.

    Vectorised over the log (for tier reviews of every member at once).
    """
    end = np.datetime64(at.replace(tzinfo=None) if isinstance(at, dt.datetime) else at, "s")
    start = end - np.timedelta64(int(window.total_seconds()), "s")
    ts = np.asarray(log.timestamp).astype("datetime64[s]")
    m = (ts > start) & (ts <= end)
    amount = np.nan_to_num(np.asarray(log.amount, dtype=np.float64))
    spend = np.bincount(
        np.asarray(log.customer)[m], weights=amount[m], minlength=len(log.customer_ids)
    ).astype(np.float64)
    return np.asarray(log.customer_ids), spend


def _content(e: LedgerEntry) -> tuple[Any, ...]:
    return (e.kind.value, e.points, e.order_id, e.reverses_id)


class LoyaltyEngine:
    """Applies a :class:`Programme` to loyalty accounts, one event at a time.

    Every method takes an account and returns a new one with entries appended (the
    ledger is append-only) or raises, leaving the given account as it was. Each event
    has an id (derived from the order where there is one); processing the same event
    again returns the account unchanged, and the same id with different content raises
    :class:`EventConflictError`.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from distcrm.domain import OrderLine
    >>> from distcrm.loyalty import Programme, Tier
    >>> eng = LoyaltyEngine(Programme(id="P", currency="CNY"))
    >>> t = datetime(2024, 5, 1, tzinfo=timezone.utc)
    >>> order = Order(id="SO-1", customer_id="C-1", created_at=t, currency="CNY",
    ...               lines=(OrderLine(product_id="tea", quantity=Decimal(2), unit_price=Money.of("60", "CNY")),)).confirm(t)
    >>> acc = LoyaltyAccount(customer_id="C-1", programme_id="P")
    >>> acc = eng.earn(acc, order, at=t)
    >>> eng.balance(acc, t), eng.balance(eng.earn(acc, order, at=t), t)
    (120, 120)
    >>> acc = eng.redeem(acc, 50, at=t, order_total=Money.of("200", "CNY"), event_id="R-1")
    >>> eng.balance(acc, t)
    70
    """

    def __init__(self, programme: Programme) -> None:
        if not isinstance(programme, Programme):
            raise ValidationError.single("programme", type(programme).__name__, "must be a Programme")
        self.programme = programme

    # -- queries -------------------------------------------------------------------
    def balance(self, account: LoyaltyAccount, at: dt.datetime | None = None) -> int:
        """Usable points at ``at`` (see :func:`points_balance`)."""
        return points_balance(account, at)

    def expiring(self, account: LoyaltyAccount, at: dt.datetime, within: dt.timedelta) -> int:
        """Points that will expire in ``(at, at + within]`` unless used."""
        return sum(
            lot.remaining
            for lot in lots(account, at)
            if lot.expires_at is not None and at < lot.expires_at <= at + within
        )

    # -- helpers ---------------------------------------------------------------------
    def _check_account(self, account: LoyaltyAccount) -> None:
        if account.programme_id != self.programme.id:
            raise ValidationError.single(
                "account.programme_id",
                account.programme_id,
                f"account belongs to another programme than {self.programme.id!r}",
            )

    def _append(self, account: LoyaltyAccount, event_id: str, new: Sequence[LedgerEntry]) -> LoyaltyAccount:
        existing = [e for e in account.entries if e.event_id == event_id]
        if existing:
            if [_content(e) for e in existing] == [_content(e) for e in new]:
                return account
            raise EventConflictError(event_id, [_content(e) for e in existing], [_content(e) for e in new])
        out = account
        for e in new:
            out = out.with_entry(e)
        return out

    @staticmethod
    def _entry(event_id: str, n: int, **kw: Any) -> LedgerEntry:
        return LedgerEntry(id=f"{event_id}#{n}", event_id=event_id, **kw)

    # -- events ----------------------------------------------------------------------
    def earn(
        self,
        account: LoyaltyAccount,
        order: Order,
        *,
        at: dt.datetime,
        categories: Mapping[str, str] | None = None,
        event_id: str | None = None,
    ) -> LoyaltyAccount:
        """Points for a paid order, in the account's tier, expiring ``programme.expiry`` later.

        The same order earns once: a second call with the same content returns the
        account unchanged; a different point count for an order already earned raises
        :class:`EventConflictError`.
        """
        self._check_account(account)
        self.programme.check_active(at)
        if order.customer_id != account.customer_id:
            raise ValidationError.single(
                "order.customer_id",
                order.customer_id,
                f"is not the account's customer {account.customer_id!r}",
            )
        if order.status not in _PAID:
            raise ValidationError.single(
                "order.status", order.status.value, "only confirmed (paid) orders earn points"
            )
        points = self.programme.points_for_order(order, account.tier, categories)
        eid = event_id or f"earn:{order.id}"
        earlier = [e for e in account.entries if e.kind is LedgerKind.EARN and e.order_id == order.id]
        if earlier and not any(e.event_id == eid for e in earlier):
            raise EventConflictError(
                eid, [_content(e) for e in earlier], "order already earned under another event id"
            )
        if points <= 0:
            return account
        expires = at + self.programme.expiry if self.programme.expiry is not None else None
        entry = self._entry(
            eid,
            0,
            kind=LedgerKind.EARN,
            points=points,
            at=at,
            expires_at=expires,
            order_id=order.id,
            note=f"order {order.id} in tier {account.tier}",
        )
        return self._append(account, eid, [entry])

    def redeem(
        self,
        account: LoyaltyAccount,
        points: int,
        *,
        at: dt.datetime,
        event_id: str,
        order_id: str | None = None,
        order_total: Money | None = None,
    ) -> LoyaltyAccount:
        """Spend ``points`` (the earliest-expiring first) on an order, within the per-order cap.

        Raises
        ------
        ValidationError
            ``points`` is not a positive int, above the usable balance or above the
            order's cap, or the programme is not running at ``at``.
        """
        self._check_account(account)
        self.programme.check_active(at)
        if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
            raise ValidationError.single("points", points, "must be a positive int")
        bal = self.balance(account, at)
        existing = [e for e in account.entries if e.event_id == event_id]
        if not existing and points > bal:
            raise ValidationError.single(
                "points", points, f"exceeds the balance of {bal} points at {at.isoformat()}"
            )
        cap = self.programme.max_redeemable(order_total)
        if cap is not None and points > cap:
            raise ValidationError.single("points", points, f"exceeds the per-order cap of {cap} points")
        entry = self._entry(
            event_id,
            0,
            kind=LedgerKind.REDEEM,
            points=-points,
            at=at,
            order_id=order_id,
            note=f"worth {self.programme.points_value(points)}",
        )
        return self._append(account, event_id, [entry])

    def adjust(
        self, account: LoyaltyAccount, points: int, *, at: dt.datetime, event_id: str, note: str
    ) -> LoyaltyAccount:
        """A manual correction (positive points expire like earned points; negative ones may not overdraw)."""
        self._check_account(account)
        self.programme.check_active(at)
        if not isinstance(points, int) or isinstance(points, bool) or points == 0:
            raise ValidationError.single("points", points, "must be a non-zero int")
        if not note.strip():
            raise ValidationError.single("note", note, "an adjustment needs a reason")
        existing = [e for e in account.entries if e.event_id == event_id]
        if points < 0 and not existing and -points > self.balance(account, at):
            raise ValidationError.single(
                "points", points, f"would overdraw the balance of {self.balance(account, at)}"
            )
        expires = at + self.programme.expiry if points > 0 and self.programme.expiry is not None else None
        entry = self._entry(
            event_id, 0, kind=LedgerKind.ADJUST, points=points, at=at, expires_at=expires, note=note
        )
        return self._append(account, event_id, [entry])

    def reverse_order(
        self,
        account: LoyaltyAccount,
        order: Order,
        *,
        at: dt.datetime,
        returned: Money | None = None,
        event_id: str | None = None,
    ) -> LoyaltyAccount:
        """Take back points for a returned or cancelled order, pro rata to the value returned.

        ``returned`` is the value returned (``None``: the whole order was cancelled or
        returned, which also refunds points redeemed on it). The reversal is
        ``round(earned × returned / total)``, never more than is left unreversed and never
        more than the usable balance (the balance does not go negative; the shortfall is
        written in the entry's note).
        """
        self._check_account(account)
        eid = event_id or (
            f"reverse:{order.id}:all" if returned is None else f"reverse:{order.id}:{returned.amount}"
        )
        if any(e.event_id == eid for e in account.entries):
            return account  # already processed: content is fixed by the earlier run
        total = order.total()
        if returned is not None:
            if returned.currency != total.currency:
                raise ValidationError.single(
                    "returned.currency", returned.currency, f"order is in {total.currency}"
                )
            if not Decimal(0) < returned.amount <= total.amount:
                raise ValidationError.single(
                    "returned", str(returned), f"must be > 0 and <= the order total {total}"
                )
        share = Decimal(1) if returned is None else returned.amount / total.amount
        new: list[LedgerEntry] = []
        earns = [e for e in account.entries if e.kind is LedgerKind.EARN and e.order_id == order.id]
        bal = self.balance(account, at)
        for earn in earns:
            done = -sum(
                e.points
                for e in account.entries
                if e.kind is LedgerKind.REVERSE and e.reverses_id == earn.id and e.points < 0
            )
            want = int((Decimal(earn.points) * share).to_integral_value(rounding=ROUND_HALF_UP))
            want = min(want, earn.points - done)
            take = min(want, bal)
            if take > 0:
                note = f"return of order {order.id} ({share:.0%})"
                if take < want:
                    note += f"; {want - take} points already spent, not reversed"
                new.append(
                    self._entry(
                        eid,
                        len(new),
                        kind=LedgerKind.REVERSE,
                        points=-take,
                        at=at,
                        order_id=order.id,
                        reverses_id=earn.id,
                        note=note,
                    )
                )
                bal -= take
        if returned is None:
            for red in (e for e in account.entries if e.kind is LedgerKind.REDEEM and e.order_id == order.id):
                refunded = sum(
                    e.points
                    for e in account.entries
                    if e.kind is LedgerKind.REVERSE and e.reverses_id == red.id
                )
                if -red.points - refunded > 0:
                    new.append(
                        self._entry(
                            eid,
                            len(new),
                            kind=LedgerKind.REVERSE,
                            points=-red.points - refunded,
                            at=at,
                            order_id=order.id,
                            reverses_id=red.id,
                            note=f"refund of points redeemed on {order.id}",
                        )
                    )
        if not new:
            return account
        return self._append(account, eid, new)

    def expire(self, account: LoyaltyAccount, at: dt.datetime) -> LoyaltyAccount:
        """Write an expiry entry for every lot that expired by ``at`` with points left."""
        self._check_account(account)
        new: list[LedgerEntry] = []
        for lot in lots(account, at):
            if lot.remaining > 0 and lot.expires_at is not None and lot.expires_at <= at:
                eid = f"expire:{lot.entry_id}"
                new.append(
                    LedgerEntry(
                        id=f"{eid}#0",
                        event_id=eid,
                        kind=LedgerKind.EXPIRE,
                        points=-lot.remaining,
                        at=at,
                        reverses_id=lot.entry_id,
                        note=f"expired on {lot.expires_at.date().isoformat()}",
                    )
                )
        out = account
        for e in new:
            out = out.with_entry(e)
        return out

    def grant_referral(
        self,
        referrer: LoyaltyAccount,
        referee: Customer,
        referee_orders: Sequence[Order],
        *,
        at: dt.datetime,
    ) -> LoyaltyAccount:
        """Reward the referrer once the referee's first paid order is delivered.

        The first paid order is the earliest (by ``created_at``) that was not a draft or
        cancelled. Until it is delivered, or if there is none, the account is returned
        unchanged. Granted once per referee (event ``referral:<referee id>``).
        """
        self._check_account(referrer)
        self.programme.check_active(at)
        if referee.referred_by != referrer.customer_id:
            raise ValidationError.single(
                "referee.referred_by", referee.referred_by, f"was not referred by {referrer.customer_id!r}"
            )
        if self.programme.referral_points <= 0:
            return referrer
        paid = sorted(
            (o for o in referee_orders if o.customer_id == referee.id and o.status in _PAID),
            key=lambda o: o.created_at,
        )
        if not paid or paid[0].status not in _DELIVERED:
            return referrer
        eid = f"referral:{referee.id}"
        expires = at + self.programme.expiry if self.programme.expiry is not None else None
        entry = self._entry(
            eid,
            0,
            kind=LedgerKind.EARN,
            points=self.programme.referral_points,
            at=at,
            expires_at=expires,
            order_id=paid[0].id,
            note=f"referral of {referee.id}",
        )
        existing = [e for e in referrer.entries if e.event_id == eid]
        if existing:
            return referrer if existing[0].points == entry.points else self._append(referrer, eid, [entry])
        return referrer.with_entry(entry)

    def review_tier(self, account: LoyaltyAccount, spend: Decimal | float | int) -> LoyaltyAccount:
        """The account moved to the tier its trailing spend earns (upgrade or downgrade)."""
        self._check_account(account)
        new = self.programme.tier_for(spend).name
        return account if new == account.tier else attrs.evolve(account, tier=new)
