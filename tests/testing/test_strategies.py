"""Properties over every domain type: valid instances round-trip, invalid payloads are reported whole."""

from __future__ import annotations

import contextlib
import json
import typing
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import distcrm.domain as d
from distcrm.errors import ValidationError
from distcrm.serialization import from_dict, from_json, to_dict, to_json
from distcrm.testing.strategies import domain_types, invalid_payloads, strategy_for

TYPES = domain_types()


def _name(tp: Any) -> str:
    origin = typing.get_origin(tp) or tp
    return str(origin.__name__)


def test_every_domain_record_has_a_strategy() -> None:
    """Every attrs class exported by distcrm.domain is covered by strategy_for."""
    exported = {
        v for k in d.__all__ if isinstance(v := getattr(d, k), type) and hasattr(v, "__attrs_attrs__")
    }
    covered = {typing.get_origin(t) or t for t in TYPES}
    assert set() == exported - covered


@pytest.mark.parametrize("tp", TYPES, ids=_name)
def test_round_trip(tp: Any) -> None:
    """obj -> to_dict (plain JSON) -> from_dict and obj -> to_json -> from_json give back an equal object."""

    @settings(max_examples=20, deadline=None)
    @given(strategy_for(tp))
    def check(obj: Any) -> None:
        data = to_dict(obj)
        assert data == json.loads(json.dumps(data, allow_nan=False))  # plain JSON builtins only
        assert obj == from_dict(tp, data)
        assert obj == from_json(tp, to_json(obj))

    check()


@pytest.mark.parametrize("tp", TYPES, ids=_name)
def test_invalid_payload_reports_every_bad_field(tp: Any) -> None:
    """A payload with 1-3 independent faults raises one ValidationError naming each faulty path."""

    @settings(max_examples=20, deadline=None)
    @given(invalid_payloads(tp))
    def check(case: tuple[dict[str, Any], frozenset[str]]) -> None:
        payload, expected = case
        with pytest.raises(ValidationError) as info:
            from_dict(tp, payload)
        assert set() == set(expected) - set(info.value.paths)

    check()


json_garbage = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)


@st.composite
def mutated(draw: st.DrawFn, tp: Any) -> Any:
    """A valid payload with random keys replaced by random JSON values."""
    data = to_dict(draw(strategy_for(tp)))
    for key in draw(st.lists(st.sampled_from(sorted(data)), max_size=4)):
        data[key] = draw(json_garbage)
    return data


@pytest.mark.parametrize(
    "tp", [d.Order, d.Customer, d.Shipment, d.ComplaintCase, d.LoyaltyAccount], ids=_name
)
def test_garbage_only_raises_validation_error(tp: Any) -> None:
    """Arbitrary JSON, or a valid payload with fields replaced by arbitrary JSON, raises only ValidationError."""

    @settings(max_examples=40, deadline=None)
    @given(json_garbage | mutated(tp))
    def check(data: Any) -> None:
        errors = []
        try:
            from_dict(tp, data)
        except ValidationError as e:
            errors = list(e.errors)
        assert [] == [err for err in errors if not err.path.startswith("$")]

    check()


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=60) | st.binary(max_size=60))
def test_from_json_garbage_only_raises_validation_error(text: str | bytes) -> None:
    """Arbitrary text or bytes given to from_json raise ValidationError, never another exception."""
    with contextlib.suppress(ValidationError):
        from_json(d.Order, text)


def test_strategy_for_unknown_type_names_the_known_ones() -> None:
    """strategy_for on a non-domain type raises TypeError listing the supported types."""
    with pytest.raises(TypeError, match="Customer"):
        strategy_for(int)


def test_status_change_strategy_uses_the_given_enum() -> None:
    """strategy_for(StatusChange[CaseStatus]) draws case-status changes only."""

    @settings(max_examples=10, deadline=None)
    @given(strategy_for(d.StatusChange[d.CaseStatus]))
    def check(step: d.StatusChange[d.CaseStatus]) -> None:
        assert (d.CaseStatus, d.CaseStatus) == (type(step.from_status), type(step.to_status))

    check()
