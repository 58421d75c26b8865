"""Shared helpers for the domain tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from distcrm.domain import Money

T0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)


def eur(amount: str) -> Money:
    """Money in EUR from a decimal string."""
    return Money(amount=Decimal(amount), currency="EUR")


@pytest.fixture
def t0() -> dt.datetime:
    """A fixed, timezone-aware reference instant."""
    return T0
