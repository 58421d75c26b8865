"""Fixtures for the workflow tests: one small synthetic company per session."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def company() -> Any:
    """A small synthetic company (deterministic)."""
    from distcrm.datasets import make_company

    return make_company(3, n_customers=120, days=400)
