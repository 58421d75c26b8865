"""``MemoryStore``: the in-process adapter for tests and notebooks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from distcrm.errors import ConflictError, DuplicateError, NotFoundError
from distcrm.storage._spec import AggregateSpec, Query, specs
from distcrm.storage._store import BaseStore

__all__ = ["MemoryStore"]

# one stored record: the object, its index column values and its tags
_Row = tuple[Any, tuple[Any, ...], frozenset[str]]


def _matches(spec: AggregateSpec, row: _Row, query: Query, params: dict[str, Any]) -> bool:
    names = [c.name for c in spec.columns]
    for cond in query.conds:
        p = params.get(cond.param)
        if p is None:
            continue
        if cond.op == "tag":
            if p not in row[2]:
                return False
            continue
        v = row[1][names.index(cond.column)]
        if v is None:
            return False
        if (cond.op == "=" and v != p) or (cond.op == ">=" and v < p) or (cond.op == "<" and v >= p):
            return False
    return True


class _MemoryTx:
    def __init__(self, tables: dict[str, dict[str, _Row]]) -> None:
        self.tables = tables
        self.undo: list[tuple[str, str, _Row | None]] = []

    def _row(self, spec: AggregateSpec, obj: Any) -> _Row:
        tags = spec.tags(obj) if spec.tags is not None else frozenset()
        return (obj, spec.index_values(obj), tags)

    def insert(self, spec: AggregateSpec, objs: Sequence[Any], docs: Sequence[str] = ()) -> None:
        table = self.tables[spec.repo]
        seen: set[str] = set()
        for obj in objs:
            if obj.id in table or obj.id in seen:
                raise DuplicateError(spec.kind, obj.id)
            seen.add(obj.id)
        rows = [self._row(spec, obj) for obj in objs]
        for obj, row in zip(objs, rows, strict=True):
            self.undo.append((spec.repo, obj.id, None))
            table[obj.id] = row

    def replace(self, spec: AggregateSpec, obj: Any, expected_version: int, doc: str = "") -> None:
        table = self.tables[spec.repo]
        old = table.get(obj.id)
        if old is None:
            raise NotFoundError(spec.kind, obj.id)
        if old[0].version != expected_version:
            raise ConflictError(spec.kind, obj.id, expected_version, old[0].version)
        row = self._row(spec, obj)
        self.undo.append((spec.repo, obj.id, old))
        table[obj.id] = row

    def get(self, spec: AggregateSpec, id: str) -> Any | None:
        row = self.tables[spec.repo].get(id)
        return None if row is None else row[0]

    def scan(self, spec: AggregateSpec) -> Iterator[Any]:
        table = self.tables[spec.repo]
        for key in sorted(table):
            yield table[key][0]

    def query(self, spec: AggregateSpec, query: Query, params: dict[str, Any]) -> list[Any]:
        rows = [r for r in self.tables[spec.repo].values() if _matches(spec, r, query, params)]
        names = [c.name for c in spec.columns]
        idx = [names.index(c) for c in query.order_by]
        rows.sort(key=lambda r: (*(r[1][i] for i in idx), r[0].id))
        return [r[0] for r in rows]

    def count(self, spec: AggregateSpec) -> int:
        return len(self.tables[spec.repo])

    def rollback(self) -> None:
        for repo, id, old in reversed(self.undo):
            if old is None:
                self.tables[repo].pop(id, None)
            else:
                self.tables[repo][id] = old
        self.undo.clear()


class MemoryStore(BaseStore):
    """Every record in Python dictionaries; units of work roll back through an undo log.

    Behaves like the database adapters (same conformance suite) but keeps nothing after
    the process ends. Thread-safe: units of work are serialised by a lock.

    Examples
    --------
    >>> from distcrm.storage import MemoryStore
    >>> store = MemoryStore()
    >>> store.customers.count()
    0
    """

    schema_version = 0

    def __init__(self) -> None:
        self._tables: dict[str, dict[str, _Row]] = {s.repo: {} for s in specs()}
        super().__init__()

    def _begin(self, write: bool) -> _MemoryTx:
        return _MemoryTx(self._tables)

    def _commit(self, tx: Any) -> None:
        tx.undo.clear()

    def _rollback(self, tx: Any) -> None:
        tx.rollback()
