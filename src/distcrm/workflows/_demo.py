"""The demo: a synthetic company in SQLite, run through :func:`daily_cycle`."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from distcrm.workflows._daily import daily_cycle
from distcrm.workflows._report import DailyReport

__all__ = ["load_company", "run_demo"]


def load_company(store: Any, company: Any) -> dict[str, int]:
    """Write every record of a :class:`~distcrm.datasets.SyntheticCompany` into ``store``.

    One unit of work: the company is stored whole or not at all. Returns counts.
    """
    with store.unit_of_work() as uow:
        uow.depots.add(company.depot)
        uow.vehicles.add_many(company.vehicles)
        uow.drivers.add_many(company.drivers)
        uow.products.add_many(company.products)
        uow.customers.add_many(company.customers)
        uow.orders.add_many(company.orders)
        uow.shipments.add_many(company.shipments)
        uow.feedback.add_many(company.feedback)
        uow.cases.add_many(company.cases)
        uow.interactions.add_many(company.interactions)
    return dict(company.counts())


def run_demo(
    out: str | Path = "distcrm-output",
    *,
    n_customers: int = 400,
    days: int = 540,
    seed: int = 7,
    route_seconds: float = 5.0,
    progress: bool = True,
    echo: Callable[[str], None] = print,
) -> DailyReport:
    """Create the synthetic company, store it in SQLite, run the daily cycle, write the reports.

    The SQLite file, the figures and ``report.html`` go into ``out``; the text report is
    passed to ``echo``.
    """
    from distcrm.datasets import make_company
    from distcrm.storage import SQLiteStore

    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    echo(f"Creating a synthetic distribution company ({n_customers} customers, {days} days, seed {seed}) ...")
    company = make_company(seed, n_customers=n_customers, days=days)
    db = out / "company.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = SQLiteStore(db)
    try:
        counts = load_company(store, company)
        echo(f"Stored in SQLite at {db}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        back = {
            name: getattr(store, name).count() for name in ("customers", "orders", "shipments", "feedback")
        }
        echo("Read back: " + ", ".join(f"{v} {k}" for k, v in back.items()))
        today: dt.date = company.end
        report = daily_cycle(
            store, today, out=out, route_time_limit=route_seconds, seed=seed, progress=progress
        )
    finally:
        store.close()
    echo("")
    echo(report.to_text())
    html = report.write_html(out)
    echo("")
    echo(f"HTML report with {len(report.figures)} figures: {html}")
    echo(f"Done in {time.perf_counter() - t0:.1f} s.")
    return report
