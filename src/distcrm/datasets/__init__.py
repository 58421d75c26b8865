"""Bundled public benchmark data and a seeded synthetic distribution company.

Every loader reads the files under ``distcrm/datasets/data`` (sources in the README
there) through ``importlib.resources``, so they work offline and from a wheel.

* :func:`load_cdnow`, :func:`load_cdnow_summary`: the CDNOW purchase log (Fader & Hardie)
* :func:`load_online_retail`: the UCI Online Retail invoices, mess included
* :func:`load_carparts`: intermittent monthly car-part demand (Hyndman et al.)
* :func:`load_sentiment`: labelled English review sentences (UCI)
* :func:`load_solomon`, :func:`load_cvrplib`, :func:`load_bks`: routing benchmarks
* :func:`make_company`: a realistic, deterministic synthetic company
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "CompanyTruth",
    "SentimentData",
    "SyntheticCompany",
    "load_bks",
    "load_carparts",
    "load_cdnow",
    "load_cdnow_summary",
    "load_cvrplib",
    "load_online_retail",
    "load_sentiment",
    "load_solomon",
    "make_company",
]

_WHERE = {
    "CompanyTruth": "_company",
    "SyntheticCompany": "_company",
    "make_company": "_company",
    "SentimentData": "_sentiment",
    "load_bks": "_routing",
    "load_carparts": "_carparts",
    "load_cdnow": "_cdnow",
    "load_cdnow_summary": "_cdnow",
    "load_cvrplib": "_routing",
    "load_online_retail": "_retail",
    "load_sentiment": "_sentiment",
    "load_solomon": "_routing",
}

if TYPE_CHECKING:  # pragma: no cover
    from distcrm.datasets._carparts import load_carparts
    from distcrm.datasets._cdnow import load_cdnow, load_cdnow_summary
    from distcrm.datasets._company import CompanyTruth, SyntheticCompany, make_company
    from distcrm.datasets._retail import load_online_retail
    from distcrm.datasets._routing import load_bks, load_cvrplib, load_solomon
    from distcrm.datasets._sentiment import SentimentData, load_sentiment


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f"distcrm.datasets.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'distcrm.datasets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
