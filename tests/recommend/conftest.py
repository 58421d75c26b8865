"""Fixtures for the recommender tests: the bundled Online Retail log (half of the customers)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from distcrm.datasets import load_online_retail
from distcrm.errors import DataQualityWarning


@pytest.fixture(scope="session")
def retail_log() -> Any:
    """The Online Retail log (customers with odd ids), purchases only (returns separated)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return load_online_retail()
