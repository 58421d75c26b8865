"""make_company: deterministic, internally consistent and plausible."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from distcrm.datasets import SyntheticCompany, make_company
from distcrm.domain import CustomerKind, OrderStatus, ShipmentStatus
from distcrm.errors import ValidationError


@pytest.fixture(scope="module")
def company() -> SyntheticCompany:
    return make_company(seed=7, n_customers=200, days=240)


def test_same_seed_gives_equal_companies(company) -> None:
    """Two calls with the same arguments build equal companies; another seed differs."""
    assert make_company(seed=7, n_customers=200, days=240) == company
    assert make_company(seed=8, n_customers=200, days=240) != company


def test_customers_are_placed_around_the_city(company) -> None:
    """Every customer has a geocoded shipping address within 50 km of the centre."""
    lat = np.array([c.addresses[0].geo.lat for c in company.customers])
    lon = np.array([c.addresses[0].geo.lon for c in company.customers])
    assert 200 == len(company.customers)
    km = np.hypot((lat - 31.2304) * 111, (lon - 121.4737) * 111 * np.cos(np.radians(31.2304)))
    assert float(km.max()) < 50
    kinds = {c.kind for c in company.customers}
    assert {CustomerKind.COMPANY, CustomerKind.INDIVIDUAL} == kinds


def test_references_are_consistent(company) -> None:
    """Orders, shipments, feedback and cases refer to existing customers, orders and products."""
    customers = {c.id for c in company.customers}
    products = {p.id for p in company.products}
    orders = {o.id: o for o in company.orders}
    assert all(o.customer_id in customers for o in company.orders)
    assert all(line.product_id in products for o in company.orders for line in o.lines)
    assert all(
        s.order_id in orders and orders[s.order_id].customer_id == s.customer_id for s in company.shipments
    )
    assert all(f.order_id in orders for f in company.feedback)
    assert all(c.order_id in orders for c in company.cases)
    vehicles = {v.id for v in company.vehicles}
    assert all(s.vehicle_id in vehicles and s.depot_id == company.depot.id for s in company.shipments)


def test_orders_carry_windows_and_lifecycles(company) -> None:
    """Orders promise a delivery window after they are placed; delivered orders have a delivered shipment."""
    assert all(
        o.promised_window is not None and o.promised_window.start > o.created_at for o in company.orders
    )
    statuses = {o.status for o in company.orders}
    assert {OrderStatus.CLOSED, OrderStatus.CANCELLED} <= statuses
    delivered = {s.order_id for s in company.shipments if s.status is ShipmentStatus.DELIVERED}
    done = {o.id for o in company.orders if o.status in (OrderStatus.DELIVERED, OrderStatus.CLOSED)}
    assert done == delivered


def test_heterogeneous_purchasing(company) -> None:
    """Purchase counts vary widely across customers (gamma rates, beta dropout)."""
    counts = np.bincount(
        [int(o.customer_id[2:]) - 1 for o in company.orders], minlength=len(company.customers)
    )
    assert float(counts.std()) > 0.5 * float(counts.mean())
    truth = company.truth
    assert len(truth.purchase_rate) == len(company.customers)
    assert any(t is not None for t in truth.alive_until)


def test_feedback_is_worse_after_late_deliveries(company) -> None:
    """Mean NPS after a late or failed delivery is lower than after an on-time one."""
    shipments = {s.id: s for s in company.shipments}

    def late(s) -> bool:
        return s.attempts > 1 or s.delivered_at > s.planned_window.end

    nps_late = [f.nps for f in company.feedback if late(shipments[f.shipment_id])]
    nps_ok = [f.nps for f in company.feedback if not late(shipments[f.shipment_id])]
    assert nps_late
    assert nps_ok
    assert np.mean(nps_late) + 1.0 < np.mean(nps_ok)
    assert {"en", "zh-CN"} == {f.language for f in company.feedback}


def test_seasonal_demand(company) -> None:
    """Sundays see far fewer orders than weekdays (weekly season)."""
    weekday = np.array([o.created_at.weekday() for o in company.orders])
    per_day = np.bincount(weekday, minlength=7)
    assert per_day[6] < 0.6 * per_day[:5].mean()


def test_birthdays_consents_and_vips(company) -> None:
    """Some customers have birthdays, consents (some withdrawn) and a few are VIP."""
    assert sum(c.birthday is not None for c in company.customers) > 10
    consents = [k for c in company.customers for k in c.consents]
    assert any(k.withdrawn_at is not None for k in consents)
    vips = sum("vip" in c.tags for c in company.customers)
    assert 1 <= vips <= 15


def test_transaction_log_matches_orders(company) -> None:
    """The transaction log holds every line of the non-draft, non-cancelled orders."""
    log = company.transaction_log()
    kept = [o for o in company.orders if o.status not in (OrderStatus.DRAFT, OrderStatus.CANCELLED)]
    assert sum(len(o.lines) for o in kept) == len(log)
    assert company.start <= log.start.astype(dt.datetime).date()


def test_bad_arguments_are_listed_together() -> None:
    """Every bad argument is reported at once."""
    with pytest.raises(ValidationError) as info:
        make_company(n_customers=0, days=3)
    assert ["$.n_customers", "$.days"] == info.value.paths
