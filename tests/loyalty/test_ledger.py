"""Tests of the loyalty programme and ledger: worked examples, bad input, hypothesis properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.domain import Customer, LedgerKind, LoyaltyAccount, Money, Order, OrderLine
from distcrm.errors import ValidationError
from distcrm.loyalty import EventConflictError, LoyaltyEngine, Programme, Tier, lots, points_balance

T0 = dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)

PROG = Programme(
    id="P",
    currency="CNY",
    points_per_unit=Decimal(1),
    category_rates={"tea": Decimal(2)},
    product_rates={"gift-card": Decimal(0)},
    tiers=(
        Tier(name="base"),
        Tier(name="silver", min_spend=Decimal(1000), multiplier=Decimal("1.5"), discount=Decimal("0.03")),
        Tier(name="gold", min_spend=Decimal(5000), multiplier=Decimal(2), discount=Decimal("0.05")),
    ),
    expiry=dt.timedelta(days=90),
    point_value=Decimal("0.1"),
    max_redeem_share=Decimal("0.5"),
    referral_points=200,
)
ENG = LoyaltyEngine(PROG)


def _order(oid: str, amount: str, at: dt.datetime = T0, product: str = "cup", customer: str = "C1") -> Order:
    line = OrderLine(product_id=product, quantity=Decimal(1), unit_price=Money.of(amount, "CNY"))
    return Order(id=oid, customer_id=customer, created_at=at, currency="CNY", lines=(line,)).confirm(at)


def _account(tier: str = "base") -> LoyaltyAccount:
    return LoyaltyAccount(customer_id="C1", programme_id="P", tier=tier)


def test_earn_per_unit_category_product_and_tier_multiplier() -> None:
    """Cups earn 1/unit, tea 2/unit, gift cards 0; silver multiplies by 1.5 (floored)."""
    cats = {"tea-1": "tea"}
    assert 101 == PROG.points_for_order(_order("A", "101.90"), "base")
    assert 200 == PROG.points_for_order(_order("B", "100", product="tea-1"), "base", cats)
    assert 0 == PROG.points_for_order(_order("C", "100", product="gift-card"), "base")
    assert 152 == PROG.points_for_order(_order("D", "101.90"), "silver")


def test_same_order_earns_once() -> None:
    """Processing the same order twice leaves one earn entry."""
    acc = ENG.earn(_account(), _order("A", "100"), at=T0)
    again = ENG.earn(acc, _order("A", "100"), at=T0 + DAY)
    assert acc == again
    assert 1 == len(again.entries)


def test_same_event_with_different_content_is_an_error_and_ledger_unchanged() -> None:
    """The same order id with a different total raises EventConflictError."""
    acc = ENG.earn(_account(), _order("A", "100"), at=T0)
    with pytest.raises(EventConflictError) as exc:
        ENG.earn(acc, _order("A", "300"), at=T0 + DAY)
    assert "earn:A" == exc.value.id
    assert 100 == ENG.balance(acc, T0)
    with pytest.raises(EventConflictError):
        ENG.redeem(ENG.redeem(acc, 10, at=T0, event_id="R"), 20, at=T0, event_id="R")


def test_redemption_above_balance_is_an_error() -> None:
    """Redeeming more than the balance raises ValidationError naming points; nothing is written."""
    acc = ENG.earn(_account(), _order("A", "100"), at=T0)
    with pytest.raises(ValidationError) as exc:
        ENG.redeem(acc, 101, at=T0, event_id="R1")
    assert "$.points" == exc.value.field
    assert "exceeds the balance of 100" in str(exc.value)
    assert 1 == len(acc.entries)


def test_redemption_cap_per_order() -> None:
    """At most half of a 100 CNY order may be paid with 0.1-CNY points: 500 points."""
    acc = ENG.adjust(_account(), 1000, at=T0, event_id="gift", note="welcome")
    assert 500 == PROG.max_redeemable(Money.of("100", "CNY"))
    with pytest.raises(ValidationError):
        ENG.redeem(acc, 501, at=T0, event_id="R", order_total=Money.of("100", "CNY"))
    assert 500 == ENG.balance(
        ENG.redeem(acc, 500, at=T0, event_id="R", order_total=Money.of("100", "CNY")), T0
    )


def test_expired_programme_is_an_error() -> None:
    """Earning after the programme's end raises ValidationError naming the time."""
    ended = Programme(id="P", currency="CNY", ends_at=T0)
    with pytest.raises(ValidationError) as exc:
        LoyaltyEngine(ended).earn(_account(), _order("A", "100"), at=T0 + DAY)
    assert "$.at" == exc.value.field
    assert "ended" in str(exc.value)


def test_points_expire_per_entry_and_fifo_uses_earliest_first() -> None:
    """Two lots 30 days apart: redemption eats the older one, which then cannot expire."""
    acc = ENG.earn(_account(), _order("A", "100"), at=T0)
    acc = ENG.earn(acc, _order("B", "50", at=T0 + 30 * DAY), at=T0 + 30 * DAY)
    acc = ENG.redeem(acc, 120, at=T0 + 40 * DAY, event_id="R")
    remaining = {lot.entry_id: lot.remaining for lot in lots(acc)}
    assert {"earn:A#0": 0, "earn:B#0": 30} == remaining
    assert 30 == ENG.balance(acc, T0 + 100 * DAY)
    assert 0 == ENG.balance(acc, T0 + 120 * DAY)  # B expires at day 120


def test_expire_writes_entries_and_balance_matches_sum() -> None:
    """After expire(), the account's plain sum equals the usable balance."""
    acc = ENG.earn(_account(), _order("A", "100"), at=T0)
    acc = ENG.redeem(acc, 40, at=T0 + DAY, event_id="R")
    later = T0 + 91 * DAY
    assert 0 == ENG.balance(acc, later)
    done = ENG.expire(acc, later)
    assert LedgerKind.EXPIRE == done.entries[-1].kind
    assert -60 == done.entries[-1].points
    assert 0 == done.balance(later)
    assert done == ENG.expire(done, later)


def test_partial_return_reverses_pro_rata_and_cancellation_refunds_redemption() -> None:
    """Returning 25 of 100 takes back 25 points; cancelling the rest takes 75 and refunds redemption."""
    order = _order("A", "100")
    acc = ENG.earn(_account(), order, at=T0)
    acc = ENG.adjust(acc, 50, at=T0, event_id="gift", note="welcome")
    acc = ENG.redeem(acc, 20, at=T0, event_id="R", order_id="A")
    acc = ENG.reverse_order(acc, order, at=T0 + DAY, returned=Money.of("25", "CNY"))
    assert -25 == acc.entries[-1].points
    assert 105 == ENG.balance(acc, T0 + DAY)
    acc = ENG.reverse_order(acc, order, at=T0 + 2 * DAY)
    assert [-75, 20] == [e.points for e in acc.entries[-2:]]
    assert 50 == ENG.balance(acc, T0 + 2 * DAY)


def test_reversal_never_overdraws() -> None:
    """If the earned points were spent, the reversal stops at the balance (noted)."""
    order = _order("A", "100")
    acc = ENG.earn(_account(), order, at=T0)
    acc = ENG.redeem(acc, 90, at=T0, event_id="R")
    acc = ENG.reverse_order(acc, order, at=T0 + DAY)
    assert 0 == ENG.balance(acc, T0 + DAY)
    assert "90 points already spent" in acc.entries[-1].note


def test_tiers_upgrade_and_downgrade_and_member_price() -> None:
    """Trailing spend moves the tier both ways; gold pays 5 % less."""
    acc = _account()
    acc = ENG.review_tier(acc, Decimal(6000))
    assert "gold" == acc.tier
    acc = ENG.review_tier(acc, Decimal(1500))
    assert "silver" == acc.tier
    assert Money.of("95.00", "CNY") == PROG.member_price(Money.of("100", "CNY"), "gold")
    assert ["base", "silver", "gold"] == PROG.tiers_for([0, 1000, 5000]).tolist()


def test_referral_granted_once_after_first_paid_order_delivered() -> None:
    """The referrer gets 200 points when the referee's first paid order is delivered, once."""
    referrer = _account()
    referee = Customer(id="C2", name="Wang", referred_by="C1")
    first = _order("X", "80", customer="C2")
    assert referrer == ENG.grant_referral(referrer, referee, [first], at=T0)  # not delivered yet
    delivered = first.record_delivery(None, T0 + DAY)
    acc = ENG.grant_referral(referrer, referee, [delivered], at=T0 + DAY)
    assert 200 == ENG.balance(acc, T0 + DAY)
    assert acc == ENG.grant_referral(acc, referee, [delivered], at=T0 + 2 * DAY)


def test_invalid_programme_lists_every_field() -> None:
    """A programme with several bad fields reports them all."""
    with pytest.raises(ValidationError) as exc:
        Programme(
            id="", currency="cny", tiers=(Tier(name="a", min_spend=Decimal(5)),), max_redeem_share=Decimal(2)
        )
    assert {"$.id", "$.currency", "$.max_redeem_share", "$.tiers[0].min_spend"} <= set(exc.value.paths)


# ---------------------------------------------------------------- properties
_ops = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(1, 500)),
        st.tuples(st.just("redeem"), st.integers(1, 400)),
        st.tuples(st.just("return"), st.integers(1, 100)),
        st.tuples(st.just("cancel"), st.just(0)),
        st.tuples(st.just("expire"), st.just(0)),
        st.tuples(st.just("wait"), st.integers(1, 60)),
    ),
    max_size=25,
)


def _run(ops: list[tuple[str, int]]) -> list[tuple[LoyaltyAccount, dt.datetime]]:
    acc, now, orders, history = _account(), T0, [], []
    for i, (op, x) in enumerate(ops):
        before = acc
        try:
            if op == "earn":
                o = _order(f"O{i}", str(x), at=now)
                orders.append(o)
                acc = ENG.earn(acc, o, at=now)
            elif op == "redeem":
                acc = ENG.redeem(acc, x, at=now, event_id=f"R{i}")
            elif op == "return" and orders:
                o = orders[x % len(orders)]
                acc = ENG.reverse_order(
                    acc,
                    o,
                    at=now,
                    returned=Money.of(str(min(x, int(o.total().amount))), "CNY"),
                    event_id=f"ret{i}",
                )
            elif op == "cancel" and orders:
                acc = ENG.reverse_order(acc, orders[-1], at=now)
            elif op == "expire":
                acc = ENG.expire(acc, now)
            elif op == "wait":
                now += x * DAY
        except ValidationError:
            assert before == acc  # a refused event leaves the ledger unchanged
        assert before.entries == acc.entries[: len(before.entries)]  # append-only
        history.append((acc, now))
    return history


@settings(max_examples=50, deadline=None)
@given(_ops)
def test_balance_never_negative_and_ledger_append_only(ops: list[tuple[str, int]]) -> None:
    """Over any event sequence the balance stays >= 0 and entries are only appended."""
    for acc, now in _run(ops):
        assert ENG.balance(acc, now) >= 0
        assert all(lot.remaining >= 0 for lot in lots(acc, now))


@settings(max_examples=50, deadline=None)
@given(_ops)
def test_balance_is_sum_of_unexpired_after_expiry(ops: list[tuple[str, int]]) -> None:
    """Once expiry is written, the usable balance equals the plain sum of entries."""
    acc, now = _run(ops)[-1] if ops else (_account(), T0)
    done = ENG.expire(acc, now)
    assert points_balance(done, now) == done.balance(now)
    assert ENG.balance(acc, now) == ENG.balance(done, now)


@settings(max_examples=50, deadline=None)
@given(_ops)
def test_replaying_every_event_changes_nothing(ops: list[tuple[str, int]]) -> None:
    """Re-processing the earn of every order already earned leaves the account unchanged."""
    acc, now = _run(ops)[-1] if ops else (_account(), T0)
    for e in acc.entries:
        if e.kind is LedgerKind.EARN and e.order_id is not None:
            amount = next(iter(op for op in [ops[int(e.order_id[1:])]]))[1]
            assert acc == ENG.earn(acc, _order(e.order_id, str(amount), at=e.at), at=now)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 1000), st.integers(1, 1000))
def test_redeem_above_balance_always_refused(earned: int, extra: int) -> None:
    """Any redemption above the balance raises and the account is unchanged."""
    acc = ENG.adjust(_account(), earned, at=T0, event_id="g", note="gift")
    with pytest.raises(ValidationError):
        ENG.redeem(acc, earned + extra, at=T0, event_id="R")
    assert earned == ENG.balance(acc, T0)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 999), st.lists(st.integers(1, 999), min_size=1, max_size=5))
def test_pro_rata_reversals_never_exceed_earned(total: int, returns: list[int]) -> None:
    """Partial returns reverse at most what was earned, and a full return reverses it all."""
    order = _order("A", str(total))
    acc = ENG.earn(_account(), order, at=T0)
    for i, r in enumerate(returns):
        acc = ENG.reverse_order(
            acc, order, at=T0, returned=Money.of(str(min(r, total)), "CNY"), event_id=f"r{i}"
        )
    reversed_pts = -sum(e.points for e in acc.entries if e.kind is LedgerKind.REVERSE)
    assert 0 <= reversed_pts <= total
    acc = ENG.reverse_order(acc, order, at=T0)
    assert 0 == ENG.balance(acc, T0)


def test_regression_erpnext_22167_first_tier_is_used_below_second_threshold() -> None:
    """ERPNext #22167: with a 0-spend first tier, a new customer earns in the first tier, not the second."""
    acc = ENG.review_tier(_account(), Decimal(0))
    assert "base" == acc.tier
    assert 100 == ENG.balance(ENG.earn(acc, _order("A", "100"), at=T0), T0)


def test_regression_erpnext_14930_tier_follows_cumulative_trailing_spend() -> None:
    """ERPNext #14930: the tier follows the trailing-window total, not the number of invoices."""
    acc = _account()
    for spend in (Decimal(400), Decimal(800), Decimal("999.99")):
        acc = ENG.review_tier(acc, spend)
        assert "base" == acc.tier
    assert "silver" == ENG.review_tier(acc, Decimal(1000)).tier


def test_regression_erpnext_59050_every_redemption_deducts_points() -> None:
    """ERPNext #59050: a redemption always writes a debit, whatever earned the points."""
    acc = ENG.adjust(_account(), 106, at=T0, event_id="pos", note="earned at the till")
    acc = ENG.redeem(acc, 50, at=T0, event_id="R", order_id="SI-1")
    assert -50 == acc.entries[-1].points
    assert 56 == ENG.balance(acc, T0)
