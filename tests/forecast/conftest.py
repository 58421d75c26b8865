"""Shared forecast fixtures: the bundled carparts panel (complete series, 39 + 12 months)."""

from __future__ import annotations

import pytest

from distcrm.data import DemandPanel
from distcrm.datasets import load_carparts
from distcrm.forecast import complete_series


@pytest.fixture(scope="session")
def carparts() -> DemandPanel:
    return complete_series(load_carparts())


@pytest.fixture(scope="session")
def carparts_split(carparts: DemandPanel) -> tuple[DemandPanel, DemandPanel]:
    return carparts.split(12)
