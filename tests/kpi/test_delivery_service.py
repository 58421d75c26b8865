"""Tests of the delivery and service KPIs against hand-worked examples."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from distcrm.errors import ValidationError
from distcrm.kpi import delivery_kpis, service_kpis, vehicle_utilisation

PROMISED = ["2024-03-01T12:00"] * 4 + ["2024-04-01T12:00"] * 2
DELIVERED = [
    "2024-03-01T11:00",
    "2024-03-01T12:10",
    "NaT",
    "2024-03-01T12:20",
    "2024-04-01T10:00",
    "2024-04-01T12:00",
]
ORDERED = ["2024-02-29T12:00"] * 4 + ["2024-03-31T10:00"] * 2


def test_on_time_rate_depends_on_stated_tolerance() -> None:
    """On time within 15 min: 2 of 4 in March; with 0 tolerance only 1; the title says which."""
    t15 = delivery_kpis(promised=PROMISED, delivered=DELIVERED, tolerance=timedelta(minutes=15))
    t0 = delivery_kpis(promised=PROMISED, delivered=DELIVERED)
    assert [0.5, 1.0] == t15["on_time_rate"].tolist()
    assert [0.25, 1.0] == t0["on_time_rate"].tolist()
    assert "15 min tolerance" in t15.title
    assert "no tolerance" in t0.title


def test_otif_lead_time_first_attempt_cost() -> None:
    """OTIF, lead-time percentiles, first-attempt rate and cost per drop match the hand count."""
    t = delivery_kpis(
        promised=PROMISED,
        delivered=DELIVERED,
        ordered_at=ORDERED,
        quantity_ordered=[5, 5, 5, 5, 2, 2],
        quantity_delivered=[5, 4, 0, 5, 2, 2],
        attempts=[1, 1, 2, 2, 1, 1],
        cost=[10, 10, 10, 10, 6, 8],
        tolerance=timedelta(minutes=15),
    )
    march = t.lookup(period="2024-03")
    # on time: drops 1, 2; in full: 1, 4 → OTIF only drop 1
    assert 0.25 == march["otif_rate"]
    assert 0.5 == march["in_full_rate"]
    # lead times 23 h, 24.1667 h, 24.3333 h → median 24.1667, p90 = 24.1667 + 0.8·0.1667
    assert pytest.approx(24 + 10 / 60) == march["lead_time_p50_h"]
    assert pytest.approx(24 + 10 / 60 + 0.8 * (10 / 60)) == march["lead_time_p90_h"]
    assert 0.5 == march["first_attempt_rate"]
    assert 10.0 == march["cost_per_drop"]
    assert 7.0 == t.lookup(period="2024-04")["cost_per_drop"]


def test_delivery_bad_inputs() -> None:
    """Mismatched lengths and a negative tolerance raise ValidationError naming the field."""
    with pytest.raises(ValidationError):
        delivery_kpis(promised=PROMISED, delivered=DELIVERED[:3])
    with pytest.raises(ValidationError) as e:
        delivery_kpis(promised=PROMISED, delivered=DELIVERED, tolerance=timedelta(minutes=-1))
    assert "$.tolerance" == e.value.field


def test_vehicle_utilisation_by_territory() -> None:
    """Utilisation is Σ load / Σ capacity per group."""
    t = vehicle_utilisation(load=[80, 50, 30], capacity=[100, 100, 60], territory=["N", "N", "S"])
    assert [0.65, 0.5] == t["utilisation"].tolist()


def test_service_kpis_worked_example() -> None:
    """NPS = %promoters − %detractors, CSAT = top-two-box %, SLA-met % over answered rows."""
    nan = float("nan")
    t = service_kpis(
        at=["2024-01-05"] * 5 + ["2024-02-01"] * 2,
        nps=[10, 9, 7, 3, nan, 0, 10],
        csat=[5, 4, 2, nan, 3, 1, nan],
        sla_met=[1, 1, 1, 0, nan, 0, 1],
    )
    assert [25.0, 0.0] == t["nps"].tolist()
    assert [50.0, 0.0] == t["csat"].tolist()
    assert [75.0, 50.0] == t["sla_met_pct"].tolist()


def test_service_kpis_reject_out_of_range_scores() -> None:
    """Scores outside their scales are all reported in one error."""
    with pytest.raises(ValidationError) as e:
        service_kpis(at=["2024-01-05"] * 2, nps=[11, 5], csat=[0, 5])
    assert ["$.nps[0]", "$.csat[0]"] == e.value.paths


def test_nps_matches_feedback_package() -> None:
    """The KPI NPS equals distcrm.feedback.nps on the same answers."""
    from distcrm import feedback

    scores = np.array([10, 9, 8, 7, 6, 5, 10, 10, 0, 9])
    t = service_kpis(at=["2024-01-05"] * 10, nps=scores)
    assert pytest.approx(float(feedback.nps(scores).value)) == t["nps"][0]


def test_shipment_kpis_from_domain_records() -> None:
    """Shipments and orders give on-time, OTIF, lead time and first-attempt rates; no promise warns."""
    import datetime as dt
    from decimal import Decimal

    from distcrm.domain import DeliveryFailureReason, Money, Order, OrderLine, Shipment, TimeWindow
    from distcrm.errors import DataQualityWarning
    from distcrm.kpi import shipment_kpis

    t = dt.datetime(2024, 5, 2, 8, tzinfo=dt.UTC)
    h = dt.timedelta(hours=1)
    line = OrderLine(product_id="p", quantity=Decimal(2), unit_price=Money.of("5", "CNY"))
    o1 = Order(id="O1", customer_id="A", created_at=t - 24 * h, currency="CNY", lines=(line,)).confirm(
        t - 24 * h
    )
    o2 = Order(id="O2", customer_id="B", created_at=t - 48 * h, currency="CNY", lines=(line,)).confirm(
        t - 48 * h
    )
    o1 = o1.record_delivery(None, t + h)
    o2 = o2.record_delivery([Decimal(1)], t + 30 * h)
    win = TimeWindow(start=t, end=t + 2 * h)
    s1 = Shipment(order_id="O1", customer_id="A", planned_window=win).load(t).dispatch(t).deliver(t + h)
    s2 = Shipment(order_id="O2", customer_id="B", planned_window=win).load(t).dispatch(t)
    s2 = s2.fail(t + h, DeliveryFailureReason.CUSTOMER_ABSENT).dispatch(t + 29 * h).deliver(t + 30 * h)
    s3 = Shipment(order_id="O3", customer_id="C")
    with pytest.warns(DataQualityWarning):
        k = shipment_kpis([s1, s2, s3], [o1, o2], freq=None, territory={"A": "N", "B": "N"})
    row = k.row(0)
    assert "N" == row["territory"]
    assert (0.5, 0.5, 0.5) == (row["on_time_rate"], row["otif_rate"], row["first_attempt_rate"])
    assert pytest.approx((25 + 78) / 2) == row["lead_time_p50_h"]
