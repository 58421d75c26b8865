"""Shared forecast fixtures: the bundled carparts panel (complete series, 39 + 12 months)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from distcrm.data import DemandPanel
from distcrm.forecast import complete_series

CARPARTS = Path(__file__).parents[2] / "src" / "distcrm" / "datasets" / "data" / "forecast" / "carparts_a.csv"


def read_carparts() -> DemandPanel:
    with CARPARTS.open() as f:
        rows = list(csv.reader(f))
    ids = rows[0][1:]
    data = np.array([[np.nan if c == "" else float(c) for c in r[1:]] for r in rows[1:]]).T
    return DemandPanel.from_array(data, series_ids=ids, start="1998-01-01", freq="M")


@pytest.fixture(scope="session")
def carparts() -> DemandPanel:
    return complete_series(read_carparts())


@pytest.fixture(scope="session")
def carparts_split(carparts: DemandPanel) -> tuple[DemandPanel, DemandPanel]:
    return carparts.split(12)
