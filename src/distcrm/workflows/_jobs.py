"""The command line's jobs: each takes the parsed arguments and returns an exit code.

The Python functions they call (:func:`import_records`, ``daily_cycle`` …) are the API;
these wrappers only parse, print and write files.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from distcrm.errors import DuplicateError, FieldError, ValidationError

__all__ = [
    "KINDS",
    "ImportReport",
    "import_records",
    "run_backup",
    "run_demo",
    "run_forecast",
    "run_import",
    "run_kpi",
    "run_restore",
    "run_route",
    "run_segment",
]

#: record kind on the command line → (domain class name, repository attribute)
KINDS: dict[str, tuple[str, str]] = {
    "customers": ("Customer", "customers"),
    "interactions": ("Interaction", "interactions"),
    "products": ("Product", "products"),
    "orders": ("Order", "orders"),
    "shipments": ("Shipment", "shipments"),
    "vehicles": ("Vehicle", "vehicles"),
    "depots": ("Depot", "depots"),
    "drivers": ("Driver", "drivers"),
    "feedback": ("Feedback", "feedback"),
    "cases": ("ComplaintCase", "cases"),
    "loyalty": ("LoyaltyAccount", "loyalty"),
    "campaigns": ("Campaign", "campaigns"),
    "campaign_contacts": ("CampaignContact", "campaign_contacts"),
    "competitors": ("Competitor", "competitors"),
}


@attrs.frozen
class ImportReport:
    """What :func:`import_records` did: how many records were stored, and every reject."""

    kind: str
    stored: int
    rejects: tuple[tuple[int, tuple[FieldError, ...]], ...]

    @property
    def rejected(self) -> int:
        """Number of rejected records."""
        return len(self.rejects)

    def write_rejects(self, path: str | Path) -> Path:
        """Write one JSON line per reject: ``{"record": N, "reasons": [...]}`` (N is 1-based)."""
        path = Path(path)
        with path.open("w", encoding="utf-8") as fh:
            for index, reasons in self.rejects:
                fh.write(
                    json.dumps(
                        {"record": index + 1, "reasons": [str(r) for r in reasons]}, ensure_ascii=False
                    )
                )
                fh.write("\n")
        return path


def _open_binary(path: Path) -> Any:
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def _open_text(path: Path) -> Any:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open("r", encoding="utf-8", newline="")


def _csv_payloads(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """Rows as payloads: empty cells are left out; cells holding JSON arrays/objects are parsed.

    Dotted headers (``preferences.language``) build nested objects.
    """
    with _open_text(path) as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            payload: dict[str, Any] = {}
            for key, cell in row.items():
                if key is None:  # DictReader puts surplus cells under the key None
                    yield i, None, f"row has more cells than the header: {cell!r}"
                    break
                if cell is None or cell == "":
                    continue
                value: Any = cell
                if cell[:1] in "[{":
                    try:
                        value = json.loads(cell)
                    except json.JSONDecodeError:
                        value = cell
                target = payload
                *parents, leaf = key.split(".")
                for p in parents:
                    target = target.setdefault(p, {})
                target[leaf] = value
            else:
                yield i, payload, ""


def import_records(store: Any, path: str | Path, kind: str) -> ImportReport:
    """Read CSV or JSON Lines records of ``kind`` and add the valid ones to ``store``.

    Every record is structured through the one converter; a record with any bad field,
    or whose id is already stored or repeated in the file, is rejected with every reason
    — never stored, never dropped silently. The valid records are added in one unit of
    work.
    """
    from distcrm import domain
    from distcrm.serialization import Reject, from_dict, iter_jsonl

    if kind not in KINDS:
        raise ValidationError.single("kind", kind, f"must be one of {sorted(KINDS)}")
    cls_name, repo_name = KINDS[kind]
    cls = getattr(domain, cls_name)
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    rejects: list[tuple[int, tuple[FieldError, ...]]] = []
    objects: list[tuple[int, Any]] = []
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        # iter_jsonl skips blank lines and yields objects and rejects in file order, so the
        # k-th item it yields is the k-th non-blank line
        with _open_binary(path) as fh:
            lines = [i for i, raw in enumerate(fh) if raw.strip()]
        for i, item in zip(lines, iter_jsonl(path, cls), strict=True):
            if isinstance(item, Reject):
                rejects.append((item.index, tuple(item.reasons)))
            else:
                objects.append((i, item))
    elif name.endswith((".csv", ".csv.gz")):
        for i, payload, problem in _csv_payloads(path):
            if payload is None:
                rejects.append((i, (FieldError("$", problem),)))
                continue
            try:
                objects.append((i, from_dict(cls, payload)))
            except ValidationError as exc:
                rejects.append((i, exc.errors))
    else:
        raise ValidationError.single(
            "path", str(path), "must end in .csv, .jsonl or .jsonl.gz (optionally .gz)"
        )
    repo = getattr(store, repo_name)
    seen: set[str] = set()
    valid = []
    for i, obj in objects:
        if obj.id in seen:
            rejects.append((i, (FieldError("$.id", "is repeated in the file", obj.id),)))
            continue
        seen.add(obj.id)
        if repo.find(obj.id) is not None:
            rejects.append((i, (FieldError("$.id", "already exists in the store", obj.id),)))
            continue
        valid.append(obj)
    try:
        with store.unit_of_work() as uow:
            getattr(uow, repo_name).add_many(valid)
    except DuplicateError as exc:  # pragma: no cover - raced with another writer
        raise ValidationError.single("id", exc.id, "was added concurrently; nothing imported") from exc
    rejects.sort(key=lambda r: r[0])
    return ImportReport(kind=kind, stored=len(valid), rejects=tuple(rejects))


def _store(path: str) -> Any:
    from distcrm.storage import SQLiteStore

    return SQLiteStore(path)


def _existing_store(path: str) -> Any:
    if not Path(path).exists():
        raise FileNotFoundError(2, "No such file", path)
    return _store(path)


def _write_csv(path: str, headers: list[str], rows: list[list[Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {path}")


def run_demo(args: argparse.Namespace) -> int:
    """``distcrm demo``."""
    from distcrm.workflows._demo import run_demo as demo

    demo(
        args.out,
        n_customers=args.customers,
        days=args.days,
        seed=args.seed,
        route_seconds=args.route_seconds,
        progress=not args.no_progress,
    )
    return 0


def run_import(args: argparse.Namespace) -> int:
    """``distcrm import``: exit code 0 when every record was stored, 1 when some were rejected."""
    store = _store(args.db)
    try:
        report = import_records(store, args.path, args.kind)
    finally:
        store.close()
    print(f"{report.stored} {args.kind} stored in {args.db}; {report.rejected} rejected")
    for index, reasons in report.rejects[:20]:
        print(f"  record {index + 1}: " + "; ".join(str(r) for r in reasons))
    if report.rejected > 20:
        print(f"  ... and {report.rejected - 20} more")
    if args.rejects:
        print(f"reject report: {report.write_rejects(args.rejects)}")
    return 1 if report.rejected else 0


def run_segment(args: argparse.Namespace) -> int:
    """``distcrm segment``."""
    from distcrm.segmentation import RFM, RFMData

    store = _existing_store(args.db)
    try:
        log = store.transaction_log()
        as_of = None if args.as_of is None else np.datetime64(args.as_of)
        result = RFM().score(RFMData.from_log(log, as_of=as_of))
        sizes = result.segment_sizes()
        for seg, n in sorted(sizes.items(), key=lambda kv: -kv[1]):
            print(f"{seg:<20} {n:>7}")
        if args.save:
            from distcrm.workflows._daily import save_segments

            changed = save_segments(store, result.customer_ids, result.segment)
            print(f"saved the segment of {changed} customers")
        if args.csv:
            _write_csv(
                args.csv,
                ["customer_id", "segment", "r", "f", "m"],
                [
                    [cid, seg, int(r), int(f), int(m)]
                    for cid, seg, r, f, m in zip(
                        result.customer_ids, result.segment, result.r, result.f, result.m, strict=True
                    )
                ],
            )
    finally:
        store.close()
    return 0


def run_forecast(args: argparse.Namespace) -> int:
    """``distcrm forecast``."""
    from distcrm.forecast import AutoForecaster

    store = _existing_store(args.db)
    try:
        log = store.transaction_log()
    finally:
        store.close()
    panel = log.demand_panel(args.freq, by="item")
    fc = AutoForecaster().fit(panel).predict(args.horizon)
    lo, hi = fc.interval(0.9)
    total = fc.mean.sum(axis=0)
    print(f"{panel.n_series} items, {panel.n_periods} periods of history ({args.freq})")
    for k in range(args.horizon):
        print(f"  period +{k + 1}: {total[k]:,.1f} units expected in all")
    if args.csv:
        rows = [
            [sid, k + 1, float(fc.mean[i, k]), float(lo[i, k]), float(hi[i, k])]
            for i, sid in enumerate(fc.series_ids)
            for k in range(args.horizon)
        ]
        _write_csv(args.csv, ["item_id", "step", "mean", "lo90", "hi90"], rows)
    return 0


def run_route(args: argparse.Namespace) -> int:
    """``distcrm route``."""
    from distcrm.domain import OrderStatus
    from distcrm.routing import RoutingProblem, solve

    try:
        day = dt.date.fromisoformat(args.date)
    except ValueError:
        raise ValidationError.single("date", args.date, "must be YYYY-MM-DD") from None
    store = _existing_store(args.db)
    try:
        orders = [
            o
            for o in store.orders.all()
            if o.status in {OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_DELIVERED}
            and o.promised_window is not None
            and o.promised_window.start.astimezone(o.created_at.tzinfo).date() == day
        ]
        if not orders:
            print(f"no open orders promised for {day.isoformat()}")
            return 0
        customers = {c.id: c for c in store.customers.all()}
        problem = RoutingProblem.from_domain(
            orders,
            None,
            list(store.vehicles.all()),
            day,
            depots=list(store.depots.all()),
            products={p.id: p for p in store.products.all()},
            customers=customers,
            priority=lambda c, o: 10 if c is not None and "vip" in c.tags else 1,
            tz=orders[0].created_at.tzinfo,
        )
    finally:
        store.close()
    plan = solve(problem, args.engine, time_limit=args.time_limit)
    print(plan.summary())
    if args.map:
        from distcrm._optional import import_optional

        import_optional("matplotlib").use("Agg")
        plt = import_optional("matplotlib.pyplot", feature="route maps")
        fig, ax = plt.subplots(figsize=(7, 7))
        plan.plot(ax=ax)
        fig.savefig(args.map, dpi=110)
        plt.close(fig)
        print(f"route map: {args.map}")
    return 0 if plan.is_feasible() else 1


def run_kpi(args: argparse.Namespace) -> int:
    """``distcrm kpi``."""
    from distcrm.kpi import sales_kpis
    from distcrm.workflows._report import format_table

    store = _existing_store(args.db)
    try:
        log = store.transaction_log()
    finally:
        store.close()
    table = sales_kpis(log, freq=args.period)
    headers = list(table.columns)
    rows = [[table[c][i] for c in headers] for i in range(len(table))]
    print(format_table(headers, rows))
    if args.csv:
        _write_csv(args.csv, headers, rows)
    return 0


def run_backup(args: argparse.Namespace) -> int:
    """``distcrm backup``."""
    store = _existing_store(args.db)
    try:
        manifest = store.backup(args.path)
    finally:
        store.close()
    print(f"backup written to {args.path}: {manifest}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """``distcrm restore``."""
    from distcrm.storage import restore

    store = _store(args.db)
    try:
        restore(args.path, into=store)
        n = store.customers.count()
    finally:
        store.close()
    print(f"restored {args.path} into {args.db} ({n} customers)")
    return 0
