"""The compiled JSON encoders write exactly the converter's text, and route odd values to validation."""

from __future__ import annotations

import datetime as dt
import typing
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distcrm.domain import Customer, Money, Order, OrderLine
from distcrm.domain._validation import Record
from distcrm.errors import ValidationError
from distcrm.storage._codec import encode
from distcrm.storage._jsonfast import Mismatch, batch_encoder, compiled_encoder, generic_encode, iso_texts
from distcrm.testing.strategies import aware_datetimes, domain_types, strategy_for

TYPES = [t for t in domain_types() if typing.get_origin(t) is None]


@pytest.mark.parametrize("tp", TYPES, ids=lambda t: t.__name__)
def test_compiled_encoder_writes_the_converters_text(tp: Any) -> None:
    """For generated instances of every domain type the compiled text equals the converter's, byte for byte."""
    enc = compiled_encoder(tp)
    assert enc is not None

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(strategy_for(tp))
    def run(obj: Any) -> None:
        assert generic_encode(obj) == enc(obj)

    run()


def _order() -> Order:
    t = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    line = OrderLine(product_id="P", quantity=Decimal("1.50"), unit_price=Money.of("2.00", "EUR"))
    return Order(id="O", customer_id="C", created_at=t, currency="EUR", lines=(line,))


def test_values_of_the_wrong_type_are_not_written() -> None:
    """A field changed behind the constructor's back to a wrong type stops the fast path and fails validation."""
    order = _order()
    bad = attrs.evolve(order)
    object.__setattr__(bad, "created_at", dt.datetime(2024, 1, 1))  # naive
    enc = compiled_encoder(Order)
    assert enc is not None
    with pytest.raises(Mismatch):
        enc(bad)
    with pytest.raises(ValidationError) as info:
        encode(bad)
    assert ["$.created_at"] == [e.path for e in info.value.errors]
    line = attrs.evolve(order.lines[0])
    object.__setattr__(line, "quantity", 1.5)  # a float, not a Decimal
    nested = attrs.evolve(order)
    object.__setattr__(nested, "lines", (line,))
    with pytest.raises(ValidationError):
        encode(nested)


def test_valid_values_off_the_fast_path_use_the_converter() -> None:
    """A valid value of an unexpected class (an int where a Decimal is declared) is written by the converter."""
    line = OrderLine(product_id="P", quantity=Decimal(2), unit_price=Money.of("1", "EUR"))
    object.__setattr__(line, "quantity", 2)  # an int: valid for a Decimal field
    assert generic_encode(line) == encode(line)
    assert '"quantity":"2"' in encode(line)


def test_subclass_instances_are_encoded_by_the_converter() -> None:
    """An instance of a subclass is not taken for its base class: its own fields are written."""

    @attrs.frozen(kw_only=True)
    class VipCustomer(Customer):
        level: int = 1

    vip = VipCustomer(id="V", name="Vera", level=3)
    assert generic_encode(vip) == encode(vip)
    assert '"level":3' in encode(vip)


@pytest.mark.parametrize("tp", TYPES, ids=lambda t: t.__name__)
def test_batch_encoder_writes_the_converters_text(tp: Any) -> None:
    """Column-wise, a batch of generated instances of every domain type gets the converter's texts."""
    enc = batch_encoder(tp)
    assert enc is not None

    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(strategy_for(tp), max_size=4))
    def run(objs: list[Any]) -> None:
        assert [generic_encode(o) for o in objs] == enc(objs)

    run()


def test_batch_encoder_rejects_any_value_of_the_wrong_type() -> None:
    """One wrong-typed value anywhere in a batch (a naive time, a float quantity, a subclass) stops the batch."""
    enc = batch_encoder(Order)
    assert enc is not None
    good = _order()
    naive = attrs.evolve(good)
    object.__setattr__(naive, "created_at", dt.datetime(2024, 1, 1))
    line = attrs.evolve(good.lines[0])
    object.__setattr__(line, "quantity", 1.5)
    floaty = attrs.evolve(good)
    object.__setattr__(floaty, "lines", (line,))
    listy = attrs.evolve(good)
    object.__setattr__(listy, "lines", list(good.lines))
    for bad in (naive, floaty, listy):
        with pytest.raises(Mismatch):
            enc([good, bad, good])
    assert [generic_encode(good)] * 2 == enc([good, good])


@settings(max_examples=50, deadline=None)
@given(aware_datetimes())
def test_iso_texts_match_isoformat(value: dt.datetime) -> None:
    """The fast ISO text of an aware datetime is ``isoformat()``'s, offsets with seconds included."""
    if value.utcoffset() is None:  # pragma: no cover - the strategies give aware values
        return
    assert [value.isoformat()] == iso_texts([value])


@attrs.frozen
class _Tag(Record):
    name: str
    note: str = ""


@attrs.frozen
class _Box(Record):
    id: str
    tags: tuple[_Tag, ...]
    size: Decimal = Decimal(1)


def test_batch_encoder_tuples_of_records_of_every_shape() -> None:
    """Tuples of records (empty, one item, several, all items alike or not) are written like the converter."""
    enc = batch_encoder(_Box)
    assert enc is not None
    a, b = _Tag(name="a"), _Tag(name="b", note='q"uote')
    alike = [_Box(id="1", tags=(a, a)), _Box(id="2", tags=()), _Box(id="3", tags=(a,))]
    mixed = [_Box(id="1", tags=(a, b), size=Decimal("2.50")), _Box(id="2", tags=()), _Box(id="3", tags=(b,))]
    for batch in (alike, mixed, [_Box(id="4", tags=())], []):
        assert [generic_encode(o) for o in batch] == enc(batch)
