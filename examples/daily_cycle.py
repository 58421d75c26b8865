"""The full daily cycle on a synthetic company, in an in-memory store.

Run: python examples/daily_cycle.py [OUTPUT_FOLDER]

It builds a small synthetic distribution company, loads it into a store, runs
``distcrm.workflows.daily_cycle`` (segments, customer value, demand, tomorrow's routes,
KPIs, feedback, care, loyalty, a pilot verdict) and writes the HTML report with its
figures. Swap ``MemoryStore`` for ``SQLiteStore(path)`` or ``PostgresStore(dsn)`` and any
engine in ``Engines(...)`` for your own.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from distcrm.datasets import make_company
from distcrm.forecast import ADIDA
from distcrm.storage import MemoryStore
from distcrm.workflows import Engines, daily_cycle, load_company


def main(out: Path) -> None:
    company = make_company(11, n_customers=150, days=365)
    store = MemoryStore()
    counts = load_company(store, company)
    print("stored:", counts)
    engines = Engines(forecaster=ADIDA())  # any DemandForecaster plugs in by shape
    report = daily_cycle(store, company.end, engines=engines, out=out, route_time_limit=1.0)
    print(report.to_text())
    print("HTML report:", report.write_html(out))


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="distcrm-daily-"))
    main(folder)
