"""The one converter: formats, strictness, and whole-payload error reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import cattrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.domain import (
    ComplaintCase,
    Customer,
    GeoPoint,
    Money,
    Order,
    OrderLine,
    OrderStatus,
    ShipmentStatus,
    SlaTargets,
    StatusChange,
    TrackingEvent,
)
from distcrm.errors import ValidationError
from distcrm.serialization import (
    converter,
    format_duration,
    from_dict,
    from_json,
    parse_duration,
    to_dict,
    to_json,
)

T0 = dt.datetime(2024, 5, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def _order_payload() -> dict[str, Any]:
    line = {"product_id": "P-1", "quantity": "2", "unit_price": {"amount": "3.50", "currency": "CNY"}}
    return {
        "id": "SO-1",
        "customer_id": "C-1",
        "created_at": T0.isoformat(),
        "currency": "CNY",
        "lines": [line] * 3,
    }


def test_converter_is_library_owned() -> None:
    """The converter is our own cattrs Converter, not cattrs' global one."""
    assert isinstance(converter, cattrs.Converter)
    assert converter is not cattrs.global_converter


def test_formats_of_decimal_datetime_enum_set_tuple() -> None:
    """Decimal as string, datetime ISO 8601 with offset, enums by value, sets sorted, tuples as lists."""
    c = Customer(id="C-1", name="Li", created_at=T0, tags=frozenset({"vip", "b2b", "东区"}))
    data = to_dict(c)
    assert "2024-05-01T09:00:00+08:00" == data["created_at"]
    assert ["b2b", "vip", "东区"] == data["tags"]
    assert "individual" == data["kind"]
    assert [] == data["contact_points"]
    assert {"amount": "1.10", "currency": "EUR"} == to_dict(Money.of("1.10", "EUR"))


def test_datetime_keeps_the_instant_and_offset() -> None:
    """A ZoneInfo datetime comes back as the same instant with the same offset."""
    back = from_dict(Customer, to_dict(Customer(id="C", name="x", created_at=T0))).created_at
    assert (T0, dt.timedelta(hours=8)) == (back, back.utcoffset())


def test_naive_datetime_rejected() -> None:
    """A datetime string without offset is rejected with its path."""
    data = to_dict(Customer(id="C", name="x", created_at=T0))
    data["created_at"] = "2024-05-01T09:00:00"
    with pytest.raises(ValidationError) as info:
        from_dict(Customer, data)
    assert ["$.created_at"] == info.value.paths
    assert "offset" in info.value.errors[0].message


def test_trailing_z_is_accepted_as_utc() -> None:
    """'Z' is read as UTC."""
    data = to_dict(Customer(id="C", name="x", created_at=T0))
    data["created_at"] = "2024-05-01T01:00:00Z"
    assert T0 == from_dict(Customer, data).created_at


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("PT0S", dt.timedelta(0)),
        ("P1DT2H30M", dt.timedelta(days=1, hours=2, minutes=30)),
        ("PT0.000001S", dt.timedelta(microseconds=1)),
        ("-PT15M", dt.timedelta(minutes=-15)),
        ("P2W", dt.timedelta(weeks=2)),
    ],
)
def test_parse_duration(text: str, delta: dt.timedelta) -> None:
    """ISO 8601 durations in weeks/days/hours/minutes/seconds parse exactly."""
    assert delta == parse_duration(text)


@pytest.mark.parametrize("text", ["P1Y", "P1M", "P", "PT", "1H", "PT1.5H", "P1DT", ""])
def test_parse_duration_rejects(text: str) -> None:
    """Years, months, empty designators and fractional hours are rejected."""
    with pytest.raises(ValidationError):
        parse_duration(text)


@settings(max_examples=50, deadline=None)
@given(st.timedeltas(min_value=dt.timedelta(days=-(10**5)), max_value=dt.timedelta(days=10**5)))
def test_duration_round_trip(delta: dt.timedelta) -> None:
    """format_duration then parse_duration gives back the same timedelta."""
    assert delta == parse_duration(format_duration(delta))


def test_sla_serialized_as_iso_durations() -> None:
    """SlaTargets durations are ISO 8601 strings."""
    sla = SlaTargets(first_response=dt.timedelta(hours=4), resolution=dt.timedelta(days=2))
    assert {"first_response": "PT4H", "resolution": "P2D"} == to_dict(sla)


def test_every_bad_field_reported_with_paths() -> None:
    """Faults at several depths come back in one ValidationError, with JSONPath-like paths."""
    data = _order_payload()
    data["lines"] = [dict(line) for line in data["lines"]]
    data["lines"][2]["quantity"] = -3
    data["lines"][0]["unit_price"] = {"amount": 1.5, "currency": "CNY"}
    data["status"] = "shipped"
    data["colour"] = "red"
    del data["customer_id"]
    with pytest.raises(ValidationError) as info:
        from_dict(Order, data)
    expected = {
        "$.colour",
        "$.customer_id",
        "$.lines[0].unit_price.amount",
        "$.lines[2].quantity",
        "$.status",
    }
    assert expected == set(info.value.paths)
    assert "$.lines[2].quantity: must be > 0, got -3" in str(info.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer_id", 5),
        ("currency", None),
        ("version", "1"),
        ("version", True),
        ("lines", {}),
        ("tags", "a"),
    ],
)
def test_no_coercion(field: str, value: Any) -> None:
    """Wrong JSON types are not coerced (5 is not a string, '1' and true are not ints)."""
    data = _order_payload()
    data[field] = value
    with pytest.raises(ValidationError) as info:
        from_dict(Order, data)
    assert [f"$.{field}"] == info.value.paths


def test_decimal_accepts_string_and_int_not_float() -> None:
    """Decimal fields read '2.50' and 2 exactly and refuse 2.5 (a float)."""
    for raw, expected in (("2.50", Decimal("2.50")), (2, Decimal(2))):
        assert Money(amount=expected, currency="EUR") == from_dict(Money, {"amount": raw, "currency": "EUR"})
    with pytest.raises(ValidationError, match="decimal string"):
        from_dict(Money, {"amount": 2.5, "currency": "EUR"})
    with pytest.raises(ValidationError):
        from_dict(Money, {"amount": "NaN", "currency": "EUR"})


def test_duplicate_set_items_rejected() -> None:
    """A JSON list for a set field with duplicates is rejected (nothing silently dropped)."""
    data = to_dict(Customer(id="C", name="x", created_at=T0))
    data["tags"] = ["a", "a"]
    with pytest.raises(ValidationError, match="duplicates"):
        from_dict(Customer, data)


def test_union_place_reads_name_or_point() -> None:
    """TrackingEvent.place is a string or a GeoPoint; a bad point reports its inner field."""
    ev = TrackingEvent(at=T0, status=ShipmentStatus.LOADED, place=GeoPoint(lat=1.5, lon=2.5))
    assert ev == from_dict(TrackingEvent, to_dict(ev))
    data = to_dict(ev)
    data["place"] = {"lat": 100, "lon": 0}
    with pytest.raises(ValidationError) as info:
        from_dict(TrackingEvent, data)
    assert ["$.place.lat"] == info.value.paths


def test_generic_status_change_needs_its_enum() -> None:
    """StatusChange[OrderStatus] round-trips; bare StatusChange is a TypeError (a programming error)."""
    step = StatusChange(at=T0, from_status=OrderStatus.DRAFT, to_status=OrderStatus.CONFIRMED)
    assert step == from_dict(StatusChange[OrderStatus], to_dict(step))
    with pytest.raises(TypeError):
        from_dict(StatusChange, to_dict(step))


def test_case_history_round_trip_via_json() -> None:
    """A complaint case with history and SLA survives to_json/from_json."""
    case = ComplaintCase(
        customer_id="C",
        opened_at=T0,
        subject="破损",
        sla=SlaTargets(first_response=dt.timedelta(hours=1), resolution=dt.timedelta(days=1)),
    ).start(T0 + dt.timedelta(minutes=5), "called back")
    assert case == from_json(ComplaintCase, to_json(case))
    assert "破损" in to_json(case)  # non-ASCII kept as is


@pytest.mark.parametrize(
    "text", ["", "{", "[1,", '{"lat": NaN, "lon": 0}', '{"lat": 1, "lat": 2, "lon": 0}', b"\xff\xfe"]
)
def test_bad_json_is_a_validation_error(text: str | bytes) -> None:
    """Malformed JSON, NaN constants and duplicate keys raise ValidationError."""
    with pytest.raises(ValidationError):
        from_json(GeoPoint, text)


def test_to_dict_rejects_non_domain_objects() -> None:
    """to_dict of something that is not a domain object is a TypeError."""
    with pytest.raises(TypeError):
        to_dict({"a": 1})


def test_order_line_error_uses_raw_payload_value() -> None:
    """The reported value is the payload's own value, not the parsed one."""
    with pytest.raises(ValidationError) as info:
        from_dict(
            OrderLine, {"product_id": "P", "quantity": "-3", "unit_price": {"amount": "1", "currency": "EUR"}}
        )
    assert ("$.quantity", "-3") == (info.value.field, info.value.value)
