"""Erasure of a customer's personal data, and pseudonymised exports for analytics."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import os
from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from distcrm.errors import NotFoundError, ValidationError
from distcrm.storage._codec import to_doc
from distcrm.storage._spec import specs

if TYPE_CHECKING:
    from distcrm.storage._repo import UnitOfWork
    from distcrm.storage._store import BaseStore

__all__ = ["ERASED", "PERSONAL_FIELDS", "ErasureReport", "export_pseudonymised", "forget_customer"]

ERASED = "[erased]"
"""What a required text field holds after erasure."""

# Personal fields per repository: left out of pseudonymised exports.
PERSONAL_FIELDS: dict[str, frozenset[str]] = {
    "customers": frozenset(
        {"name", "contact_points", "addresses", "contacts", "birthday", "notes", "tax_id", "website", "extra"}
    ),
    "interactions": frozenset({"subject", "summary", "outcome", "next_action", "contact_name"}),
    "orders": frozenset({"shipping_address", "note", "history"}),
    "shipments": frozenset({"address", "proof_of_delivery", "reason_note", "events"}),
    "feedback": frozenset({"text"}),
    "cases": frozenset({"subject", "description", "resolution", "history"}),
    "loyalty": frozenset({"card_code"}),
    "drivers": frozenset({"name", "phone"}),
}


@attrs.frozen
class ErasureReport:
    """What ``forget_customer`` changed: records rewritten per repository."""

    customer_id: str
    changed: dict[str, int]

    @property
    def total(self) -> int:
        """Records rewritten."""
        return sum(self.changed.values())


def _notes_blank(history: Any) -> Any:
    return tuple(attrs.evolve(h, note="") if getattr(h, "note", "") else h for h in history)


def _scrub_customer(c: Any) -> Any:
    return attrs.evolve(
        c,
        name=ERASED,
        contact_points=(),
        addresses=(),
        contacts=(),
        birthday=None,
        notes="",
        tax_id=None,
        website=None,
        extra={},
    )


def _scrub_interaction(i: Any) -> Any:
    return attrs.evolve(i, subject="", summary="", outcome=None, next_action=None, contact_name=None)


def _scrub_feedback(f: Any) -> Any:
    return attrs.evolve(f, text=None)


def _scrub_case(c: Any) -> Any:
    return attrs.evolve(c, subject=ERASED, description="", resolution=None, history=_notes_blank(c.history))


def _scrub_order(o: Any) -> Any:
    lines = tuple(attrs.evolve(ln, description="") if ln.description else ln for ln in o.lines)
    return attrs.evolve(o, shipping_address=None, note="", lines=lines, history=_notes_blank(o.history))


def _scrub_shipment(s: Any) -> Any:
    pod = s.proof_of_delivery
    if pod is not None:
        pod = attrs.evolve(pod, signed_by=None, photo_ref=None)
    events = tuple(attrs.evolve(e, note="") if e.note else e for e in s.events)
    return attrs.evolve(s, address=None, proof_of_delivery=pod, reason_note=None, events=events)


def _scrub_loyalty(a: Any) -> Any:
    entries = tuple(attrs.evolve(e, note="") if e.note else e for e in a.entries)
    return attrs.evolve(a, card_code=None, entries=entries)


_SCRUB: dict[str, Callable[[Any], Any]] = {
    "interactions": _scrub_interaction,
    "feedback": _scrub_feedback,
    "cases": _scrub_case,
    "orders": _scrub_order,
    "shipments": _scrub_shipment,
    "loyalty": _scrub_loyalty,
}


def _rewrite(uow: UnitOfWork, repo: str, objs: list[Any], fn: Callable[[Any], Any]) -> int:
    n = 0
    r = uow.repository(repo)
    for obj in objs:
        new = fn(obj)
        if new != obj:
            r.update(new)
            n += 1
    return n


def forget_customer(store: BaseStore, customer_id: str) -> ErasureReport:
    """Overwrite the personal data of one customer in one unit of work (see BaseStore)."""
    if not isinstance(customer_id, str) or not customer_id:
        raise ValidationError.single("customer_id", customer_id, "must be a non-empty string")
    changed: dict[str, int] = {}
    with store.unit_of_work() as uow:
        customer = uow.customers.find(customer_id)
        if customer is None:
            raise NotFoundError("Customer", customer_id)
        changed["customers"] = _rewrite(uow, "customers", [customer], _scrub_customer)
        found: dict[str, list[Any]] = {
            "interactions": uow.interactions.by_customer(customer_id),
            "feedback": uow.feedback.by_customer(customer_id),
            "cases": uow.cases.by_customer(customer_id),
            "orders": uow.orders.by_customer(customer_id),
            "loyalty": uow.loyalty.by_customer(customer_id),
        }
        found["shipments"] = uow.shipments.by_customer(customer_id)
        for repo, objs in found.items():
            changed[repo] = _rewrite(uow, repo, objs, _SCRUB[repo])
    return ErasureReport(customer_id, changed)


def _hasher(key: bytes) -> Callable[[str], str]:
    cache: dict[str, str] = {}

    def h(value: str) -> str:
        out = cache.get(value)
        if out is None:
            out = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
            cache[value] = out
        return out

    return h


def _pseudonymise(value: Any, h: Callable[[str], str], name: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _pseudonymise(v, h, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_pseudonymise(v, h, name) for v in value]
    is_id = name == "id" or name.endswith(("_id", "_ids")) or name == "referred_by"
    if is_id and isinstance(value, str):
        return h(value)
    return value


def export_pseudonymised(store: BaseStore, path: str | PathLike[str], *, key: bytes | str) -> dict[str, int]:
    """Write a pseudonymised gzip JSON Lines export (see BaseStore.export_pseudonymised)."""
    if isinstance(key, str):
        key = key.encode()
    if not isinstance(key, bytes) or len(key) < 16:
        raise ValidationError.single("key", "<secret>", "must be a secret of at least 16 bytes")
    h = _hasher(key)
    target = Path(path)
    tmp = target.with_name(target.name + ".partial")
    counts: dict[str, int] = {}
    try:
        with gzip.open(tmp, "wt", encoding="utf-8") as out, store._unit(write=False) as uow:
            for spec in specs():
                drop = PERSONAL_FIELDS.get(spec.repo, frozenset())
                n = 0
                for obj in uow.repository(spec.repo).all():
                    doc = {k: v for k, v in to_doc(obj).items() if k not in drop}
                    out.write(json.dumps({"r": spec.repo, "d": _pseudonymise(doc, h)}, ensure_ascii=False))
                    out.write("\n")
                    n += 1
                counts[spec.repo] = n
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return counts
