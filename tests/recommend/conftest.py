"""Fixtures for the recommender tests: the bundled Online Retail log (half of the customers)."""

from __future__ import annotations

import csv
import gzip
from importlib import resources
from typing import Any

import numpy as np
import pytest


def _load_from_csv() -> Any:
    from distcrm.data import TransactionLog

    path = resources.files("distcrm.datasets") / "data" / "retail" / "online_retail_a.csv.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["CustomerID"] and not r["InvoiceNo"].startswith("C")]
    rows = [r for r in rows if float(r["Quantity"]) > 0]
    return TransactionLog.from_arrays(
        customer=np.array([r["CustomerID"] for r in rows]),
        timestamp=np.array([r["InvoiceDate"].replace(" ", "T") for r in rows], dtype="datetime64[s]"),
        item=np.array([r["StockCode"] for r in rows]),
        quantity=np.array([float(r["Quantity"]) for r in rows]),
        price=np.array([float(r["UnitPrice"]) for r in rows]),
        order=np.array([r["InvoiceNo"] for r in rows]),
    )


@pytest.fixture(scope="session")
def retail_log() -> Any:
    """The Online Retail log (customers with odd ids), purchases only."""
    try:
        from distcrm.datasets import load_online_retail  # type: ignore[attr-defined]
    except ImportError:
        return _load_from_csv()
    return load_online_retail()
