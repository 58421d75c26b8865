"""The ``distcrm`` command line: the demo and common batch jobs over a store.

Every sub-command is a thin shell around a function in :mod:`distcrm.workflows`, so what
the command line does can be done from Python too.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from distcrm.errors import DistcrmError

__all__ = ["build_parser", "main"]

_DEFAULT_DB = "distcrm.sqlite"


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=_DEFAULT_DB, help=f"SQLite store path (default: {_DEFAULT_DB})")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``distcrm`` command."""
    parser = argparse.ArgumentParser(
        prog="distcrm",
        description="Customer management for sales-and-delivery businesses.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="run the main job end to end on a synthetic company",
        description=(
            "Create a synthetic distribution company, store it in SQLite, segment the customers, "
            "fit purchase and spend models, forecast demand, plan tomorrow's deliveries, compute "
            "KPIs, score feedback and list care actions; print a text report and write an HTML "
            "report with plots."
        ),
    )
    demo.add_argument("--out", default="distcrm-output", help="output folder (default: distcrm-output)")
    demo.add_argument("--customers", type=int, default=600, help="number of synthetic customers")
    demo.add_argument("--days", type=int, default=365, help="days of history")
    demo.add_argument("--seed", type=int, default=7, help="random seed")
    demo.add_argument("--route-seconds", type=float, default=5.0, help="routing time limit")
    demo.add_argument("--no-progress", action="store_true", help="hide progress bars")

    imp = sub.add_parser("import", help="import CSV or JSON Lines records into a store, with a reject report")
    imp.add_argument("path", help="a .csv, .jsonl or .jsonl.gz file")
    imp.add_argument(
        "--kind",
        required=True,
        help="record type: customers, products, orders, shipments, feedback, interactions, ...",
    )
    imp.add_argument("--rejects", default=None, help="write rejected records with reasons here (JSON Lines)")
    _add_db(imp)

    seg = sub.add_parser("segment", help="RFM segments (and k-means clusters) of the stored customers")
    _add_db(seg)
    seg.add_argument("--as-of", default=None, help="reference date (default: last order date)")
    seg.add_argument("--save", action="store_true", help="write the segment back onto each customer")
    seg.add_argument("--csv", default=None, help="write the per-customer table to this CSV")

    fc = sub.add_parser("forecast", help="forecast item demand from the stored orders")
    _add_db(fc)
    fc.add_argument("--freq", default="W", choices=["D", "W", "M"], help="period length")
    fc.add_argument("--horizon", type=int, default=4, help="periods ahead")
    fc.add_argument("--csv", default=None, help="write forecasts with 90%% intervals to this CSV")

    rt = sub.add_parser("route", help="plan deliveries for a date from the stored orders and fleet")
    _add_db(rt)
    rt.add_argument("--date", required=True, help="delivery date, YYYY-MM-DD")
    rt.add_argument("--time-limit", type=float, default=10.0, help="solver seconds")
    rt.add_argument("--engine", default="auto", help="auto, pyvrp or ortools")
    rt.add_argument("--map", default=None, help="save a route map PNG here")

    kpi = sub.add_parser("kpi", help="sales, delivery and service KPIs")
    _add_db(kpi)
    kpi.add_argument("--period", default="M", choices=["W", "M", "Q"], help="period length")
    kpi.add_argument("--csv", default=None, help="write the KPI table to this CSV")

    bk = sub.add_parser("backup", help="write a gzip JSON Lines backup of a store")
    _add_db(bk)
    bk.add_argument("path", help="backup file to write")

    rs = sub.add_parser("restore", help="restore a backup into a store")
    rs.add_argument("path", help="backup file to read")
    _add_db(rs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        import distcrm

        print(distcrm.__version__)
        return 0
    if args.command is None:
        parser.print_help()
        return 0
    from distcrm.workflows import _jobs

    handler = getattr(_jobs, f"run_{args.command}")
    try:
        return int(handler(args))
    except DistcrmError as exc:
        print(f"distcrm {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"distcrm {args.command}: no such file: {Path(str(exc.filename))}", file=sys.stderr)
        return 2
