"""What the SQL adapters share: the schema, its migrations and the transaction object.

Every aggregate has a table ``(id, version, doc, <indexed columns>)``; ``doc`` is the
record's converter JSON. Side tables: ``customer_tags`` (for the tag query),
``id_keys`` (a dictionary of customer/product ids to integers) and ``order_lines``
(one row per order line, numbers as int64 micro-units) for the analytics bridge.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from operator import attrgetter
from typing import Any

import attrs

from distcrm.errors import ConflictError, DuplicateError, IntegrityError, NotFoundError
from distcrm.storage._codec import decode, encode
from distcrm.storage._lines import ROW_COLUMNS, order_keys_needed, order_line_rows
from distcrm.storage._spec import AggregateSpec, Query, spec_for, specs
from distcrm.storage._store import BaseStore

__all__ = ["SCHEMA_VERSION", "Dialect", "SqlStore", "SqlTx", "migrations"]


@attrs.frozen
class Dialect:
    """The few places where SQLite and PostgreSQL SQL differ."""

    name: str
    ph: str  # parameter placeholder
    json_type: str
    json_param: str
    key_pk: str
    integrity_errors: tuple[type[BaseException], ...]

    def sql(self, text: str) -> str:
        """``text`` written with ``?`` placeholders, in this dialect."""
        return text if self.ph == "?" else text.replace("?", self.ph)


def _table_ddl(d: Dialect, s: AggregateSpec) -> list[str]:
    cols = "".join(f", {c.name} {c.sqltype}" for c in s.columns)
    check = " CHECK (json_valid(doc))" if d.name == "sqlite" else ""
    out = [
        (
            f"CREATE TABLE {s.table} (id TEXT PRIMARY KEY, version BIGINT NOT NULL CHECK (version >= 0), "
            f"doc {d.json_type} NOT NULL{check}{cols})"
        )
    ]
    for ix in s.indexes:
        out.append(f"CREATE INDEX {s.table}_{'_'.join(ix)} ON {s.table} ({', '.join(ix)})")
    return out


def _v1(d: Dialect) -> list[str]:
    out = ["CREATE TABLE IF NOT EXISTS distcrm_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"]
    for s in specs():
        out += _table_ddl(d, s)
    out.append(
        "CREATE TABLE customer_tags (customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE, "
        "tag TEXT NOT NULL, PRIMARY KEY (tag, customer_id))"
    )
    out.append("CREATE INDEX customer_tags_customer ON customer_tags (customer_id)")
    return out


def _v2(d: Dialect) -> list[str]:
    return [
        f"CREATE TABLE id_keys (key {d.key_pk}, id TEXT NOT NULL UNIQUE)",
        (
            "CREATE TABLE order_lines (order_id TEXT NOT NULL, line_no INTEGER NOT NULL, "
            "customer_key BIGINT NOT NULL, product_key BIGINT NOT NULL, order_key BIGINT NOT NULL, "
            "ts BIGINT NOT NULL, ts_local BIGINT NOT NULL, state BIGINT NOT NULL, "
            "quantity BIGINT NOT NULL, unit_price BIGINT NOT NULL, discount BIGINT NOT NULL, "
            "amount BIGINT NOT NULL, currency TEXT NOT NULL)"
        ),
        "CREATE INDEX order_lines_order ON order_lines (order_id)",
        "CREATE INDEX order_lines_ts ON order_lines (ts)",
    ]


def _backfill_lines(tx: SqlTx) -> None:
    """Migration 2: derive order_lines from the orders already stored."""
    spec = spec_for("orders")
    batch: list[Any] = []
    for obj in tx.scan(spec):
        batch.append(obj)
        if len(batch) >= 5000:
            tx.insert_lines(batch)
            batch = []
    if batch:
        tx.insert_lines(batch)


# (version, DDL statements for a dialect, optional data step)
Migration = tuple[int, Callable[[Dialect], list[str]], Callable[["SqlTx"], None] | None]


def migrations() -> list[Migration]:
    """The forward migrations, oldest first; the schema version is the last one's number."""
    return [(1, _v1, None), (2, _v2, _backfill_lines)]


SCHEMA_VERSION = 2

BULK_REBUILD_MIN = 5_000
"""From this many records, an insert into a smaller table rebuilds its indexes (SQLite)."""

LINES_HEAD = f"INSERT INTO order_lines ({', '.join(ROW_COLUMNS)})"
LINES_INSERT = f"{LINES_HEAD} VALUES ({', '.join('?' * len(ROW_COLUMNS))})"

ROWS_PER_INSERT = 64
"""Rows per multi-row ``INSERT`` statement of the SQLite bulk path (see ``SqlTx.insert_rows``)."""


class SqlTx:
    """One transaction on a DB-API connection (the adapter begins and ends it)."""

    def __init__(self, store: SqlStore, cur: Any) -> None:
        self.store = store
        self.d = store.dialect
        self.cur = cur

    def ex(self, text: str, params: Sequence[Any] = ()) -> Any:
        self.cur.execute(self.d.sql(text), params)
        return self.cur

    def many(self, text: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cur.executemany(self.d.sql(text), rows)

    def insert_rows(self, head: str, rows: Iterable[tuple[Any, ...]], n: int) -> None:
        """Run ``{head} VALUES (?, ...)`` for each of the ``n`` rows (one value per column named in ``head``).

        On SQLite, :data:`ROWS_PER_INSERT` rows go in one multi-row statement: per row,
        SQLite then runs only the insert itself instead of a whole statement (about a
        third less CPU for a million short rows). The rows are flattened and regrouped
        with C-level iterators; the last ``n % ROWS_PER_INSERT`` go one by one. The
        multi-row statement is ``INSERT OR FAIL``: a failing row stops it and leaves its
        earlier rows in place, just as one row per statement would, so SQLite keeps no
        statement journal for it (it would write every touched page a second time). The
        caller's savepoint or transaction undoes a failed batch as a whole.
        """
        width = head.count(",") + 1
        one = "(" + ", ".join([self.d.ph] * width) + ")"
        it = iter(rows)
        k = ROWS_PER_INSERT
        full = n // k * k if self.d.name == "sqlite" else 0
        if full:
            flat = iter(chain.from_iterable(islice(it, full)))
            multi = head.replace("INSERT INTO", "INSERT OR FAIL INTO", 1)
            self.cur.executemany(
                f"{multi} VALUES {', '.join([one] * k)}", zip(*[flat] * (k * width), strict=False)
            )
            if self.cur.rowcount != full:  # fewer rows than announced: never leave some out silently
                raise IntegrityError(f"{head}: expected {full} rows, wrote {self.cur.rowcount}")
        if full < n:
            self.cur.executemany(f"{head} VALUES {one}", it)

    # -- id keys -------------------------------------------------------------------------------
    def keys_for(self, ids: set[str]) -> dict[str, int]:
        """The integer key of every id in ``ids`` (new ids get new keys); the store's cache."""
        cache = self.store._key_cache
        missing = [i for i in ids if i not in cache]
        if missing:
            self._load_keys(missing)
            new = sorted(i for i in missing if i not in cache)
            if new:
                self.store._touched_keys = True
                if self.d.name == "sqlite":
                    # one writer at a time (BEGIN IMMEDIATE): number the new ids ourselves
                    top = self.ex("SELECT coalesce(max(key), 0) FROM id_keys").fetchone()[0]
                    fresh = dict(zip(new, range(int(top) + 1, int(top) + 1 + len(new)), strict=True))
                    self.insert_rows(
                        "INSERT INTO id_keys (key, id)", zip(fresh.values(), fresh, strict=True), len(fresh)
                    )
                    cache.update(fresh)
                else:
                    self.many(
                        "INSERT INTO id_keys (id) VALUES (?) ON CONFLICT (id) DO NOTHING", [(i,) for i in new]
                    )
                    self._load_keys(new)
        return cache

    def _load_keys(self, ids: list[str]) -> None:
        cache = self.store._key_cache
        if self.d.name == "sqlite":
            sql = "SELECT key, id FROM id_keys WHERE id IN (SELECT value FROM json_each(?))"
            rows = self.ex(sql, (json.dumps(ids),)).fetchall()
        else:
            rows = self.ex("SELECT key, id FROM id_keys WHERE id = ANY(?)", (ids,)).fetchall()
        for key, id in rows:
            cache[id] = int(key)

    # -- writes --------------------------------------------------------------------------------
    def _existing(self, spec: AggregateSpec, ids: Sequence[str]) -> list[str]:
        if self.d.name == "sqlite":
            sql = f"SELECT id FROM {spec.table} WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id"
            return [r[0] for r in self.ex(sql, (json.dumps(list(ids)),))]
        return [
            r[0] for r in self.ex(f"SELECT id FROM {spec.table} WHERE id = ANY(?) ORDER BY id", (list(ids),))
        ]

    def _row(self, spec: AggregateSpec, obj: Any, doc: str | None = None) -> tuple[Any, ...]:
        return (obj.id, obj.version, encode(obj) if doc is None else doc, *spec.index_values(obj))

    def insert(self, spec: AggregateSpec, objs: Sequence[Any], docs: Sequence[str]) -> None:
        ids = [o.id for o in objs]
        if len(set(ids)) != len(ids):
            seen: set[str] = set()
            dup = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
            raise DuplicateError(spec.kind, dup)
        columns = [map(c.get, objs) for c in spec.columns]  # one C-level pass per indexed column
        rows = zip(ids, map(attrgetter("version"), objs), docs, *columns, strict=True)
        cols = ", ".join(["id", "version", "doc", *(c.name for c in spec.columns)])
        marks = [self.d.ph, self.d.ph, self.d.json_param, *(self.d.ph for _ in spec.columns)]
        self.ex("SAVEPOINT distcrm_insert")
        try:
            rebuild = self._drop_indexes_for_bulk(spec, objs)
            # one row per statement: a multi-row statement here needs SQLite's statement journal
            # (the documents' pages written twice) and saves no CPU
            self.cur.executemany(f"INSERT INTO {spec.table} ({cols}) VALUES ({', '.join(marks)})", rows)
            self._write_side(spec, objs, replace=False)
            for stmt in rebuild:
                self.ex(stmt)
        except self.d.integrity_errors as exc:
            self.ex("ROLLBACK TO SAVEPOINT distcrm_insert")
            self.ex("RELEASE SAVEPOINT distcrm_insert")
            existing = self._existing(spec, ids)
            if existing:
                raise DuplicateError(spec.kind, existing[0]) from exc
            raise IntegrityError(f"the {spec.repo} batch violates a database constraint: {exc}") from exc
        self.ex("RELEASE SAVEPOINT distcrm_insert")

    def _drop_indexes_for_bulk(self, spec: AggregateSpec, objs: Sequence[Any]) -> list[str]:
        """For a batch bigger than its table, drop the secondary indexes; returns the DDL to rebuild them.

        SQLite builds an index over existing rows by sorting them, much faster than
        inserting a large batch of keys into a B-tree one by one. Everything happens inside
        the unit of work's transaction (SQLite's DDL is transactional), so other
        connections never see the table without its indexes and a rollback restores them.
        """
        if self.d.name != "sqlite" or len(objs) < BULK_REBUILD_MIN:
            return []
        sizes = {spec.table: len(objs)}
        if spec.repo == "orders" and self.store.has_lines:
            sizes["order_lines"] = sum(len(o.lines) for o in objs)
        ddl: list[str] = []
        for table, n in sizes.items():
            top = self.ex(f"SELECT max(rowid) FROM {table}").fetchone()[0]  # an upper bound of the row count
            if top is not None and int(top) >= n:
                continue
            for name, sql in self.ex(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (table,),
            ).fetchall():
                self.ex(f'DROP INDEX "{name}"')
                ddl.append(sql)
        return ddl

    def _write_side(self, spec: AggregateSpec, objs: Sequence[Any], *, replace: bool) -> None:
        if spec.tags is not None:
            if replace:
                self.many("DELETE FROM customer_tags WHERE customer_id = ?", [(o.id,) for o in objs])
            self.many(
                "INSERT INTO customer_tags (customer_id, tag) VALUES (?, ?)",
                [(o.id, t) for o in objs for t in sorted(spec.tags(o))],
            )
        if spec.repo == "orders" and self.store.has_lines:
            if replace:
                self.many("DELETE FROM order_lines WHERE order_id = ?", [(o.id,) for o in objs])
            self.insert_lines(objs)

    def insert_lines(self, orders: Sequence[Any]) -> None:
        if not orders:
            return
        keys = self.keys_for(order_keys_needed(orders))
        n = sum(map(len, map(attrgetter("lines"), orders)))
        self.insert_rows(LINES_HEAD, order_line_rows(orders, keys), n)

    def replace(self, spec: AggregateSpec, obj: Any, expected_version: int, doc: str | None = None) -> None:
        sets = ", ".join(
            [
                "version = ?",
                f"doc = {self.d.json_param.replace(self.d.ph, '?')}",
                *(f"{c.name} = ?" for c in spec.columns),
            ]
        )
        row = self._row(spec, obj, doc)
        cur = self.ex(
            f"UPDATE {spec.table} SET {sets} WHERE id = ? AND version = ?",
            (*row[1:], obj.id, expected_version),
        )
        if cur.rowcount != 1:
            found = self.ex(f"SELECT version FROM {spec.table} WHERE id = ?", (obj.id,)).fetchone()
            if found is None:
                raise NotFoundError(spec.kind, obj.id)
            raise ConflictError(spec.kind, obj.id, expected_version, int(found[0]))
        self._write_side(spec, [obj], replace=True)

    # -- reads ---------------------------------------------------------------------------------
    def get(self, spec: AggregateSpec, id: str) -> Any | None:
        row = self.ex(f"SELECT doc FROM {spec.table} WHERE id = ?", (id,)).fetchone()
        return None if row is None else decode(spec.cls, row[0])

    def scan(self, spec: AggregateSpec) -> Iterator[Any]:
        cls = spec.cls
        cur = self.store._cursor()
        try:
            cur.execute(f"SELECT doc FROM {spec.table} ORDER BY id")
            while True:
                rows = cur.fetchmany(1000)
                if not rows:
                    break
                for (doc,) in rows:
                    yield decode(cls, doc)
        finally:
            cur.close()

    def query(self, spec: AggregateSpec, query: Query, params: dict[str, Any]) -> list[Any]:
        where: list[str] = []
        args: list[Any] = []
        for c in query.conds:
            p = params.get(c.param)
            if p is None:
                continue
            if c.op == "tag":
                where.append("id IN (SELECT customer_id FROM customer_tags WHERE tag = ?)")
            else:
                where.append(f"{c.column} {c.op} ?")
            args.append(p)
        sql = f"SELECT doc FROM {spec.table}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY " + ", ".join([*query.order_by, "id"])
        cls = spec.cls
        return [decode(cls, r[0]) for r in self.ex(sql, args).fetchall()]

    def count(self, spec: AggregateSpec) -> int:
        return int(self.ex(f"SELECT count(*) FROM {spec.table}").fetchone()[0])


class SqlStore(BaseStore):
    """Base of the SQL adapters: schema creation and migration, key cache."""

    dialect: Dialect
    has_lines = True

    def __init__(self) -> None:
        self._key_cache: dict[str, int] = {}
        self._touched_keys = False
        super().__init__()

    def _cursor(self) -> Any:
        raise NotImplementedError

    def _forget_keys_on_rollback(self) -> None:
        if self._touched_keys:
            self._key_cache.clear()
            self._touched_keys = False

    def _migrate(self, tx: SqlTx, *, target: int = SCHEMA_VERSION) -> int:
        """Bring the schema to ``target`` (called in a write transaction); returns the version."""
        tx.ex("CREATE TABLE IF NOT EXISTS distcrm_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = tx.ex("SELECT value FROM distcrm_meta WHERE key = 'schema_version'").fetchone()
        current = int(row[0]) if row else 0
        if current > SCHEMA_VERSION:
            raise IntegrityError(
                f"the database's schema version is {current}, newer than this distcrm supports "
                f"({SCHEMA_VERSION}); upgrade distcrm to open it"
            )
        for version, ddl, data in migrations():
            if current < version <= target:
                self.has_lines = version >= 2
                for stmt in ddl(self.dialect):
                    tx.ex(stmt)
                if data is not None:
                    data(tx)
                tx.ex(
                    "INSERT INTO distcrm_meta (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(version),),
                )
                current = version
        self.has_lines = current >= 2
        return current
