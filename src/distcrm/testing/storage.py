"""The storage conformance suite: checks every adapter must pass.

In the spirit of scikit-learn's ``estimator_checks``: :func:`store_checks` yields
``(name, check)`` pairs; each check takes a factory returning a new, empty store and
raises AssertionError (or the unexpected exception) when the adapter misbehaves.
:func:`check_store` runs them all. The project's tests run the suite on
``MemoryStore``, ``SQLiteStore`` and ``PostgresStore``; run it on your own adapter::

    from distcrm.testing.storage import check_store
    check_store(lambda: MyStore(...))

Examples
--------
>>> from distcrm.storage import MemoryStore
>>> from distcrm.testing.storage import check_store
>>> check_store(MemoryStore)
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from distcrm.errors import ConflictError, DuplicateError, IntegrityError, NotFoundError, ValidationError

__all__ = ["UNIQUE_NAME", "check_store", "sample_records", "snapshot", "store_checks"]

StoreFactory = Callable[[], Any]
UNIQUE_NAME = "Qzxwvhumbrelt Personalname"
"""A name that occurs nowhere else, used to prove erasure by grepping raw bytes."""

T0 = dt.datetime(2024, 5, 1, 8, tzinfo=dt.UTC)
_REPOS = (
    "customers",
    "products",
    "depots",
    "vehicles",
    "drivers",
    "competitors",
    "interactions",
    "orders",
    "shipments",
    "feedback",
    "cases",
    "loyalty",
    "campaigns",
    "campaign_contacts",
)


def sample_records() -> dict[str, list[Any]]:
    """A small, fully linked company: one or more records of every aggregate, with personal data."""
    from distcrm import domain as d

    t = T0
    cny = "CNY"
    c1 = d.Customer(
        id="C-1",
        name=UNIQUE_NAME,
        segment="retail",
        territory="north",
        tags=frozenset({"vip", "wine"}),
        contact_points=(d.ContactPoint(channel=d.Channel.EMAIL, value="qzxw@example.com"),),
        addresses=(d.Address(line1="1 Qzxw Street", city="Hangzhou", country="CN"),),
        birthday=dt.date(1980, 2, 3),
        created_at=t,
    )
    c2 = d.Customer(
        id="C-2", name="Bo", segment="horeca", territory="north", tags=frozenset({"vip"}), created_at=t
    )
    c3 = d.Customer(id="C-3", name="Cy", segment="retail", territory="south", created_at=t)
    price = d.Money.of("35.50", cny)

    def order(oid: str, cid: str, day: int, qty: int, status: str = "confirmed") -> Any:
        o = d.Order(
            id=oid,
            customer_id=cid,
            created_at=t + dt.timedelta(days=day),
            currency=cny,
            lines=(
                d.OrderLine(product_id="P-1", quantity=Decimal(qty), unit_price=price),
                d.OrderLine(
                    product_id="P-2",
                    quantity=Decimal("1.5"),
                    unit_price=d.Money.of("9.99", cny),
                    discount=Decimal("0.1"),
                ),
            ),
            shipping_address=d.Address(line1="1 Qzxw Street", city="Hangzhou", country="CN")
            if cid == "C-1"
            else None,
        )
        if status == "confirmed":
            o = o.confirm(o.created_at)
        elif status == "cancelled":
            o = o.confirm(o.created_at).cancel(o.created_at, "changed mind")
        return o

    orders = [
        order("O-1", "C-1", 0, 2),
        order("O-2", "C-1", 3, 1),
        order("O-3", "C-2", 1, 5),
        order("O-4", "C-3", 10, 1, "cancelled"),
        order("O-5", "C-3", 12, 4, "draft"),
    ]
    window = d.TimeWindow(start=t + dt.timedelta(days=1, hours=1), end=t + dt.timedelta(days=1, hours=4))
    ships = [
        d.Shipment(
            id="S-1",
            order_id="O-1",
            customer_id="C-1",
            planned_window=window,
            address=d.Address(line1="1 Qzxw Street", city="Hangzhou", country="CN"),
        ),
        d.Shipment(id="S-2", order_id="O-3", customer_id="C-2", planned_window=window),
        d.Shipment(
            id="S-3",
            order_id="O-2",
            customer_id="C-1",
            planned_window=d.TimeWindow(
                start=window.start + dt.timedelta(days=2), end=window.end + dt.timedelta(days=2)
            ),
        ),
    ]
    sla = d.SlaTargets(first_response=dt.timedelta(hours=4), resolution=dt.timedelta(days=2))
    cases = [
        d.ComplaintCase(
            id="K-1",
            customer_id="C-1",
            opened_at=t,
            subject="Late delivery",
            description=f"{UNIQUE_NAME} waited all day",
            sla=sla,
        ),
        d.ComplaintCase(
            id="K-2", customer_id="C-2", opened_at=t, subject="Broken bottle", sla=sla
        ).acknowledge(t + dt.timedelta(hours=1)),
        d.ComplaintCase(id="K-3", customer_id="C-2", opened_at=t, subject="Invoice", sla=sla)
        .acknowledge(t + dt.timedelta(hours=1))
        .start(t + dt.timedelta(hours=2))
        .resolve(t + dt.timedelta(hours=3)),
    ]
    depot = d.Depot(id="D-1", name="Main depot", location=d.GeoPoint(lat=30.2, lon=120.1))
    return {
        "customers": [c1, c2, c3],
        "products": [
            d.Product(id="P-1", sku="SKU-1", name="Red wine"),
            d.Product(id="P-2", sku="SKU-2", name="Cheese"),
        ],
        "depots": [depot],
        "vehicles": [
            d.Vehicle(
                id="V-1",
                name="Van 1",
                capacity_weight_kg=800.0,
                capacity_volume_m3=6.0,
                capacity_units=60,
                shift=(dt.time(8), dt.time(17)),
                cost_per_km=d.Money.of("2", cny),
                cost_per_hour=d.Money.of("30", cny),
                fixed_cost=d.Money.of("100", cny),
                depot_id="D-1",
            )
        ],
        "drivers": [d.Driver(id="DR-1", name="Dee", depot_id="D-1")],
        "competitors": [d.Competitor(id="X-1", name="Rival Ltd", customer_ids=frozenset({"C-2"}))],
        "interactions": [
            d.Interaction(
                id="I-1",
                customer_id="C-1",
                at=t,
                channel=d.InteractionChannel.PHONE,
                direction=d.Direction.INBOUND,
                summary=f"{UNIQUE_NAME} called about wine",
            ),
            d.Interaction(
                id="I-2",
                customer_id="C-1",
                at=t + dt.timedelta(days=5),
                channel=d.InteractionChannel.EMAIL,
                direction=d.Direction.OUTBOUND,
                summary="Sent offer",
            ),
            d.Interaction(
                id="I-3",
                customer_id="C-2",
                at=t,
                channel=d.InteractionChannel.VISIT,
                direction=d.Direction.OUTBOUND,
            ),
        ],
        "orders": orders,
        "shipments": ships,
        "feedback": [
            d.Feedback(id="F-1", customer_id="C-1", at=t, nps=9, text=f"{UNIQUE_NAME} loves it"),
            d.Feedback(id="F-2", customer_id="C-2", at=t, nps=3),
        ],
        "cases": cases,
        "loyalty": [d.LoyaltyAccount(id="L-1", customer_id="C-1", programme_id="GOLD", card_code="CARD-99")],
        "campaigns": [d.Campaign(id="CA-1", name="Spring", channel=d.Channel.EMAIL, starts_at=t)],
        "campaign_contacts": [d.CampaignContact(id="CC-1", campaign_id="CA-1", customer_id="C-1")],
    }


def _fill(store: Any, records: dict[str, list[Any]] | None = None) -> dict[str, list[Any]]:
    records = records or sample_records()
    with store.unit_of_work() as uow:
        for repo, objs in records.items():
            for obj in objs:
                uow.repository(repo).add(obj)
    return records


def snapshot(store: Any) -> dict[str, list[Any]]:
    """Every record of every repository, ordered by id (compare two stores with ``==``)."""
    return {repo: list(store.repository(repo).all()) for repo in _REPOS}


def _ids(objs: list[Any]) -> list[str]:
    return [o.id for o in objs]


def _raises(exc: type[BaseException], fn: Callable[[], Any]) -> BaseException:
    try:
        fn()
    except exc as e:
        return e
    raise AssertionError(f"expected {exc.__name__}")


# ------------------------------------------------------------------------------------ checks
def check_repositories_follow_protocols(make: StoreFactory) -> None:
    """Every repository satisfies the Repository Protocol, on the store and in a unit of work."""
    from distcrm.storage import Repository

    store = make()
    with store.unit_of_work() as uow:
        for repo in _REPOS:
            assert isinstance(getattr(store, repo), Repository), repo
            assert isinstance(getattr(uow, repo), Repository), repo


def check_round_trip_every_aggregate(make: StoreFactory) -> None:
    """Each record added is returned equal by get() and all(), and counted."""
    store = make()
    records = _fill(store)
    for repo, objs in records.items():
        r = store.repository(repo)
        for obj in objs:
            assert obj == r.get(obj.id), (repo, obj.id)
        assert sorted(objs, key=lambda o: o.id) == list(r.all()), repo
        assert len(objs) == r.count()


def check_missing_and_duplicate(make: StoreFactory) -> None:
    """A missing id raises NotFoundError; a duplicate add raises DuplicateError and changes nothing."""
    store = make()
    records = _fill(store)
    err = _raises(NotFoundError, lambda: store.customers.get("nope"))
    assert "nope" == err.id  # type: ignore[attr-defined]
    assert store.customers.find("nope") is None
    ghost = attrs.evolve(records["customers"][0], id="ghost")
    _raises(NotFoundError, lambda: store.customers.update(ghost))
    before = snapshot(store)
    dup = attrs.evolve(records["customers"][0], name="Other")
    err = _raises(DuplicateError, lambda: store.customers.add(dup))
    assert "C-1" == err.id  # type: ignore[attr-defined]
    _raises(
        DuplicateError,
        lambda: store.orders.add_many([attrs.evolve(records["orders"][0], id="O-new"), records["orders"][1]]),
    )
    _raises(
        DuplicateError,
        lambda: store.products.add_many(
            [records["products"][0]] * 0 + [attrs.evolve(records["products"][0], id="P-9")] * 2
        ),
    )
    assert before == snapshot(store)


def check_optimistic_concurrency(make: StoreFactory) -> None:
    """update() needs the stored version, stores version + 1; a stale version raises ConflictError."""
    store = make()
    _fill(store)
    c = store.customers.get("C-2")
    assert 0 == c.version
    c1 = store.customers.update(attrs.evolve(c, segment="retail"))
    assert 1 == c1.version
    assert c1 == store.customers.get("C-2")
    err = _raises(ConflictError, lambda: store.customers.update(attrs.evolve(c, name="Stale")))
    assert (0, 1) == (err.expected, err.actual)  # type: ignore[attr-defined]
    assert "Bo" == store.customers.get("C-2").name
    assert ["C-1", "C-2", "C-3"] == _ids(store.customers.by_segment("retail"))


def check_unit_of_work_is_all_or_nothing(make: StoreFactory) -> None:
    """An exception inside a unit of work undoes every add and update made in it."""
    store = make()
    _fill(store)
    before = snapshot(store)
    from distcrm import domain as d

    class BoomError(Exception):
        pass

    try:
        with store.unit_of_work() as uow:
            uow.customers.add(d.Customer(id="C-9", name="New", tags=frozenset({"vip"})))
            uow.customers.update(attrs.evolve(uow.customers.get("C-1"), tags=frozenset()))
            uow.orders.add_many([attrs.evolve(store.orders.get("O-1"), id="O-9")])
            assert "C-9" in [c.id for c in uow.customers.by_tag("vip")]
            raise BoomError
    except BoomError:
        pass
    assert before == snapshot(store)
    assert "O-9" not in store.transaction_log().order_ids.tolist()
    try:
        with store.unit_of_work() as uow:
            uow.customers.add(d.Customer(id="C-8", name="New"))
            uow.customers.add(d.Customer(id="C-1", name="Dup"))
    except DuplicateError:
        pass
    assert before == snapshot(store)
    with store.unit_of_work() as uow:
        uow.customers.add(d.Customer(id="C-8", name="New"))
    assert "New" == store.customers.get("C-8").name


def check_queries(make: StoreFactory) -> None:
    """The typed queries select and order the right records."""
    store = make()
    _fill(store)
    t = T0
    day = dt.timedelta(days=1)
    assert ["C-1", "C-2"] == _ids(store.customers.by_tag("vip"))
    assert ["C-1"] == _ids(store.customers.by_tag("wine"))
    assert [] == store.customers.by_tag("nobody")
    assert ["C-1", "C-3"] == _ids(store.customers.by_segment("retail"))
    assert ["C-1", "C-2"] == _ids(store.customers.by_territory("north"))
    assert ["O-1", "O-3", "O-2"] == _ids(store.orders.in_range(t, t + 4 * day))
    assert ["O-3", "O-2"] == _ids(store.orders.in_range(t + day, t + 4 * day))
    assert ["O-4", "O-5"] == _ids(store.orders.in_range(t + 5 * day))
    assert ["O-1", "O-2"] == _ids(store.orders.by_customer("C-1"))
    assert ["O-2"] == _ids(store.orders.by_customer("C-1", start=t + day))
    assert ["I-1", "I-2"] == _ids(store.interactions.by_customer("C-1"))
    assert ["I-2"] == _ids(store.interactions.by_customer("C-1", t + day, t + 6 * day))
    assert [] == store.interactions.by_customer("C-1", t + 6 * day)
    # K-1 never answered: breaches its 4 h first-response target; K-2 answered, breaches
    # after 2 days; K-3 resolved in time.
    assert [] == store.cases.breaching_sla(t + dt.timedelta(hours=3))
    assert ["K-1"] == _ids(store.cases.breaching_sla(t + dt.timedelta(hours=5)))
    assert ["K-1", "K-2"] == _ids(store.cases.breaching_sla(t + 3 * day))
    assert ["S-1", "S-2", "S-3"] == _ids(store.shipments.by_status("planned"))
    on = (t + day).date()
    assert ["S-1", "S-2"] == _ids(store.shipments.by_status("planned", on))
    assert ["S-1", "S-2"] == _ids(store.shipments.on_day(on))
    assert ["S-1", "S-3"] == _ids(store.shipments.by_customer("C-1"))
    assert ["S-2"] == _ids(store.shipments.by_order("O-3"))
    assert ["F-1"] == _ids(store.feedback.by_customer("C-1"))
    assert ["L-1"] == _ids(store.loyalty.by_customer("C-1"))
    assert ["CC-1"] == _ids(store.campaign_contacts.by_campaign("CA-1"))
    # an update moves a record between query results
    c3 = store.customers.get("C-3")
    store.customers.update(attrs.evolve(c3, tags=frozenset({"vip"}), segment="horeca"))
    assert ["C-1", "C-2", "C-3"] == _ids(store.customers.by_tag("vip"))
    assert ["C-1"] == _ids(store.customers.by_segment("retail"))


def check_malformed_input_never_stored(make: StoreFactory) -> None:
    """Wrong types and objects whose fields were corrupted after construction are rejected."""
    store = make()
    records = _fill(store)
    before = snapshot(store)
    _raises(ValidationError, lambda: store.customers.add(records["orders"][0]))
    _raises(ValidationError, lambda: store.customers.add({"id": "C-7", "name": "dict"}))
    bad = attrs.evolve(records["customers"][1], id="C-7")
    object.__setattr__(bad, "name", "   ")
    _raises(ValidationError, lambda: store.customers.add(bad))
    bad_order = attrs.evolve(records["orders"][0], id="O-7")
    object.__setattr__(bad_order, "created_at", dt.datetime(2024, 1, 1))  # naive
    _raises(ValidationError, lambda: store.orders.add_many([bad_order]))
    bad_line = attrs.evolve(records["orders"][1].lines[0])
    object.__setattr__(bad_line, "quantity", 1.5)  # a float in a nested record, not a Decimal
    nested = attrs.evolve(records["orders"][1], id="O-8")
    object.__setattr__(nested, "lines", (bad_line,))
    good = attrs.evolve(records["orders"][1], id="O-9")
    err = _raises(ValidationError, lambda: store.orders.add_many([good, nested]))
    assert ["$[1].lines[0].quantity"] == [e.path for e in err.errors]  # type: ignore[attr-defined]
    _raises(ValidationError, lambda: store.orders.add_many([good, {"id": "O-10"}]))
    stale = store.customers.get("C-2")
    object.__setattr__(stale, "version", -1)
    _raises(ValidationError, lambda: store.customers.update(stale))
    assert before == snapshot(store)


def check_backup_restore_round_trip(make: StoreFactory) -> None:
    """A backup restored into an empty store of the same adapter and into MemoryStore equals the original."""
    from distcrm.storage import MemoryStore, restore

    store = make()
    _fill(store)
    store.customers.update(store.customers.get("C-2"))  # a version > 0 survives too
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "backup.jsonl.gz"
        manifest = store.backup(path)
        assert 3 == manifest.counts["customers"]
        assert store.schema_version == manifest.schema_version
        for target in (make(), MemoryStore()):
            restore(path, into=target)
            assert snapshot(store) == snapshot(target)
            close = getattr(target, "close", None)
            if close:
                close()


def check_damaged_backup_changes_nothing(make: StoreFactory) -> None:
    """Truncated, bit-flipped, edited or invalid backups raise and leave the target unchanged."""
    from distcrm.storage import restore

    store = make()
    _fill(store)
    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "good.jsonl.gz"
        store.backup(good)
        raw = good.read_bytes()
        text = gzip.decompress(raw)
        variants = {
            "truncated": raw[: len(raw) // 2],
            "bit flip": raw[: len(raw) // 2] + bytes([raw[len(raw) // 2] ^ 0x40]) + raw[len(raw) // 2 + 1 :],
            "no manifest": gzip.compress(b"\n".join(text.splitlines()[:-1]) + b"\n"),
            "edited record": gzip.compress(text.replace(b'"name":"Bo"', b'"name":"Bx"')),
            "missing record": gzip.compress(
                b"\n".join(ln for ln in text.splitlines() if b'"C-3"' not in ln) + b"\n"
            ),
            "not a backup": gzip.compress(b'{"hello": 1}\n'),
        }
        target = make()
        target.customers.add(sample_records()["customers"][2])
        before = snapshot(target)
        for name, data in variants.items():
            p = Path(tmp) / f"{name}.gz"
            p.write_bytes(data)
            try:
                restore(p, into=target)
            except IntegrityError:
                pass
            else:
                raise AssertionError(f"restore of a {name} backup did not raise IntegrityError")
            assert before == snapshot(target), name
        invalid = gzip.compress(text.replace(b'"nps":9', b'"nps":99'))
        # the checksum no longer matches either; both are reported as damage
        p = Path(tmp) / "invalid.gz"
        p.write_bytes(invalid)
        _raises((IntegrityError, ValidationError), lambda: restore(p, into=target))  # type: ignore[arg-type]
        # a valid backup colliding with an existing id: DuplicateError, nothing written
        _raises(DuplicateError, lambda: restore(good, into=target))
        assert before == snapshot(target)


def check_forget_customer(make: StoreFactory) -> None:
    """Erasure removes personal data everywhere and keeps orders, deliveries, scores and the KPIs."""
    store = make()
    _fill(store)
    log_before = store.transaction_log()
    report = store.forget_customer("C-1")
    assert report.changed["customers"] == 1
    c = store.customers.get("C-1")
    assert (UNIQUE_NAME != c.name, (), (), None) == (True, c.contact_points, c.addresses, c.birthday)
    assert ["retail", frozenset({"vip", "wine"})] == [c.segment, c.tags]
    for repo in _REPOS:
        for obj in store.repository(repo).all():
            assert UNIQUE_NAME not in repr(obj), (repo, obj.id)
            assert "Qzxw" not in repr(obj), (repo, obj.id)
    assert 9 == store.feedback.get("F-1").nps
    assert ["O-1", "O-2"] == _ids(store.orders.by_customer("C-1"))
    log_after = store.transaction_log()
    assert sorted(log_before.amount.tolist()) == sorted(log_after.amount.tolist())
    assert log_before.customer_ids.tolist() == log_after.customer_ids.tolist()
    _raises(NotFoundError, lambda: store.forget_customer("nobody"))


def check_export_pseudonymised(make: StoreFactory) -> None:
    """The export has keyed-hash ids stable per key, joins intact and no personal fields."""
    import json

    store = make()
    _fill(store)
    with tempfile.TemporaryDirectory() as tmp:
        a, b, other = (Path(tmp) / n for n in ("a.gz", "b.gz", "c.gz"))
        counts = store.export_pseudonymised(a, key=b"k" * 32)
        store.export_pseudonymised(b, key=b"k" * 32)
        store.export_pseudonymised(other, key=b"z" * 32)
        assert 3 == counts["customers"]
        text = gzip.decompress(a.read_bytes())
        assert text == gzip.decompress(b.read_bytes())
        assert text != gzip.decompress(other.read_bytes())
        for needle in (UNIQUE_NAME.encode(), b"Qzxw", b'"C-1"', b'"Bo"', b"1980-02-03"):
            assert needle not in text, needle
        rows = [json.loads(line) for line in text.splitlines()]
        cust = {r["d"]["id"] for r in rows if r["r"] == "customers"}
        order_customers = {r["d"]["customer_id"] for r in rows if r["r"] == "orders"}
        assert order_customers <= cust
        _raises(ValidationError, lambda: store.export_pseudonymised(Path(tmp) / "x.gz", key=b"short"))


def check_transaction_log(make: StoreFactory) -> None:
    """transaction_log() has one row per line of non-draft orders in the range, with exact amounts."""
    from distcrm.storage._txlog import log_from_orders

    store = make()
    records = _fill(store)
    log = store.transaction_log()
    expected = log_from_orders(records["orders"])
    assert 6 == len(log)  # 3 purchase orders x 2 lines (the draft and the cancelled one are not purchases)
    for field in ("customer_ids", "item_ids", "order_ids"):
        np.testing.assert_array_equal(getattr(expected, field), getattr(log, field), err_msg=field)

    def rows(lg: Any) -> list[tuple[Any, ...]]:  # row order within equal keys is not specified
        return sorted(
            zip(
                lg.customer_ids[lg.customer].tolist(),
                lg.item_ids[lg.item].tolist(),
                lg.order_ids[lg.order].tolist(),
                lg.timestamp.tolist(),
                np.round(lg.amount, 6).tolist(),
                np.round(lg.quantity, 6).tolist(),
                strict=True,
            )
        )

    assert rows(expected) == rows(log)
    assert 71.0 in log.amount.tolist()
    part = store.transaction_log(T0 + dt.timedelta(days=1), T0 + dt.timedelta(days=4))
    assert ["O-2", "O-3"] == sorted(part.order_ids.tolist())
    assert 0 == len(store.transaction_log(T0 + dt.timedelta(days=100)))


def store_checks() -> Iterator[tuple[str, Callable[[StoreFactory], None]]]:
    """Every conformance check as ``(name, check)``; each check takes a store factory."""
    for fn in (
        check_repositories_follow_protocols,
        check_round_trip_every_aggregate,
        check_missing_and_duplicate,
        check_optimistic_concurrency,
        check_unit_of_work_is_all_or_nothing,
        check_queries,
        check_malformed_input_never_stored,
        check_backup_restore_round_trip,
        check_damaged_backup_changes_nothing,
        check_forget_customer,
        check_export_pseudonymised,
        check_transaction_log,
    ):
        yield fn.__name__, fn


def check_store(make: StoreFactory) -> None:
    """Run every conformance check against stores made by ``make``."""
    for _name, check in store_checks():
        check(make)


_ = os  # keep the import for users who monkeypatch paths
