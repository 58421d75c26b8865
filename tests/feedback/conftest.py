"""Shared fixtures for the feedback tests: the bundled UCI sentences and our delivery reviews."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "feedback"
BUNDLED = Path(__file__).resolve().parents[2] / "src" / "distcrm" / "datasets" / "data" / "sentiment"


def _load(path: Path) -> tuple[list[str], np.ndarray]:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], np.array([int(r["label"]) for r in rows])


@pytest.fixture(scope="session")
def amazon() -> tuple[list[str], np.ndarray]:
    """UCI Amazon cell-phone review sentences (CC BY 4.0)."""
    return _load(BUNDLED / "uci_amazon_cells.csv")


@pytest.fixture(scope="session")
def yelp() -> tuple[list[str], np.ndarray]:
    """UCI Yelp review sentences (CC BY 4.0)."""
    return _load(BUNDLED / "uci_yelp.csv")


@pytest.fixture(scope="session")
def delivery_zh() -> tuple[list[str], np.ndarray]:
    """Chinese delivery reviews written by the distcrm developers."""
    return _load(DATA / "delivery_reviews_zh.csv")


@pytest.fixture(scope="session")
def delivery_en() -> tuple[list[str], np.ndarray]:
    """English delivery reviews written by the distcrm developers."""
    return _load(DATA / "delivery_reviews_en.csv")
