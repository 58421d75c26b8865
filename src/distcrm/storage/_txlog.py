"""The analytics bridge: order lines to a columnar ``TransactionLog`` without per-row objects.

SQLite returns each column of a chunk of ``order_lines`` as one ``group_concat`` string
that NumPy parses in C; PostgreSQL streams a binary ``COPY`` that NumPy reads as a
structured array. Customer, product and order ids are stored as integer keys; only the
distinct ids are turned into Python strings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from distcrm.errors import IntegrityError, ValidationError
from distcrm.storage._lines import MICRO, line_columns
from distcrm.storage._spec import to_micros

if TYPE_CHECKING:
    from distcrm.data import TransactionLog
    from distcrm.storage._sql import SqlTx

__all__ = ["log_from_orders", "read_sql_log"]

_COLS = ("customer_key", "product_key", "order_key", "ts_local", "state", "quantity", "amount")
I64 = npt.NDArray[np.int64]


def log_from_orders(orders: Sequence[Any]) -> TransactionLog:
    """The TransactionLog of domain orders, with the SQL adapters' conventions (MemoryStore's path).

    One row per line of every non-draft order; cancelled orders are marked cancelled;
    timestamps are wall-clock times in each order's own offset; amounts are
    ``quantity * unit_price * (1 - discount)``.
    """
    from distcrm.data import TransactionLog

    cols = line_columns(orders)
    _one_currency(cols.currency)
    idx = cols.order_index
    state = cols.state[idx]
    keep = state != 2  # drafts are not purchases
    return TransactionLog.from_arrays(
        customer=np.array(cols.customer_ids, dtype=object)[idx][keep],
        timestamp=cols.ts_local[idx][keep].astype("datetime64[us]"),
        quantity=cols.quantity[keep] / MICRO,
        amount=cols.amount[keep] / MICRO,
        item=np.array(cols.product_ids, dtype=object)[keep],
        order=np.array(cols.order_ids, dtype=object)[idx][keep],
        cancelled=state[keep] == 1,
    )


def _one_currency(currencies: Iterable[str]) -> None:
    cs = sorted(set(currencies))
    if len(cs) > 1:
        raise ValidationError.single(
            "currency", cs, "the order lines are in more than one currency; amounts cannot be added up"
        )


def _where(start: datetime | None, end: datetime | None) -> tuple[str, list[int]]:
    conds = ["state != 2"]  # drafts are not purchases
    args: list[int] = []
    if start is not None:
        conds.append("ts >= ?")
        args.append(to_micros(start, "start"))
    if end is not None:
        conds.append("ts < ?")
        args.append(to_micros(end, "end"))
    return " WHERE " + " AND ".join(conds), args


def read_sql_log(tx: SqlTx, start: datetime | None, end: datetime | None) -> TransactionLog:
    """Read order_lines created in ``[start, end)`` column-wise into a TransactionLog."""
    from distcrm.data import TransactionLog

    where, args = _where(start, end)
    if tx.d.name == "postgresql":
        cols = _pg_columns(tx, where, args)
        currencies = {
            r[0] for r in tx.ex(f"SELECT DISTINCT currency FROM order_lines{where}", args).fetchall()
        }
    else:
        cols, currencies = _sqlite_columns(tx, where, args)
    _one_currency(currencies)
    ck, pk, ok, ts, state, qty, amt = cols
    (c_codes, c_ids), (p_codes, p_ids), (o_codes, o_ids) = _ranked(tx, ck, pk, ok)
    return TransactionLog.from_codes(
        customer_codes=c_codes,
        customer_ids=c_ids,
        timestamp=ts.astype("datetime64[us]"),
        quantity=qty / MICRO,
        amount=amt / MICRO,
        item_codes=p_codes,
        item_ids=p_ids,
        order_codes=o_codes,
        order_ids=o_ids,
        cancelled=state == 1,
    )


def _ranked(tx: SqlTx, *key_arrays: I64) -> list[tuple[I64, npt.NDArray[np.str_]]]:
    """For each key column: codes that sort like the ids, and the sorted distinct ids."""
    out = []
    for keys in key_arrays:
        uniq = np.unique(keys)
        ids = _ids_of(tx, uniq)
        order = np.argsort(ids, kind="stable")  # string sort of the distinct ids only
        rank = np.empty(len(uniq), dtype=np.int64)
        rank[order] = np.arange(len(uniq))
        codes = rank[np.searchsorted(uniq, keys)] if len(keys) else np.empty(0, dtype=np.int64)
        out.append((codes, ids[order]))
    return out


def _ids_of(tx: SqlTx, keys: I64) -> npt.NDArray[np.str_]:
    """The ids of the sorted distinct ``keys``, in the same order (one query)."""
    lst = keys.tolist()
    if tx.d.name == "sqlite":
        sql = "SELECT id FROM id_keys WHERE key IN (SELECT value FROM json_each(?)) ORDER BY key"
        rows = tx.ex(sql, (json.dumps(lst),)).fetchall()
    else:
        rows = tx.ex("SELECT id FROM id_keys WHERE key = ANY(?) ORDER BY key", (lst,)).fetchall()
    if len(rows) != len(lst):  # pragma: no cover - a key without an id would be database damage
        raise IntegrityError(f"{len(lst) - len(rows)} order-line keys have no id in id_keys")
    return np.array([r[0] for r in rows], dtype=str)  # fixed-width: sorted in C


def _sqlite_columns(tx: SqlTx, where: str, args: list[int]) -> tuple[list[I64], set[str]]:
    """The columns, read in rowid slices as ``group_concat`` strings parsed by NumPy in C."""
    lo_hi = tx.ex("SELECT min(rowid), max(rowid) FROM order_lines").fetchone()
    parts: list[list[I64]] = []
    currencies: set[str] = set()
    if lo_hi[0] is not None:
        step = 250_000
        aggs = ", ".join(f"group_concat({c})" for c in _COLS)
        sql = f"SELECT count(*), group_concat(DISTINCT currency), {aggs} FROM order_lines{where} AND rowid >= ? AND rowid < ?"
        for lo in range(int(lo_hi[0]), int(lo_hi[1]) + 1, step):
            row = tx.ex(sql, [*args, lo, lo + step]).fetchone()
            n = int(row[0])
            if n == 0:
                continue
            currencies.update(row[1].split(","))  # ISO 4217 codes: no commas
            arrays = [np.fromstring(s, dtype=np.int64, sep=",") for s in row[2:]]  # parsed in C
            if any(len(a) != n for a in arrays):  # pragma: no cover - would be a SQLite bug
                raise AssertionError("order_lines column lengths disagree")
            parts.append(arrays)
    if not parts:
        return [np.empty(0, dtype=np.int64) for _ in _COLS], currencies
    return [np.concatenate([p[i] for p in parts]) for i in range(len(_COLS))], currencies


def _pg_columns(tx: SqlTx, where: str, args: list[int]) -> list[I64]:
    # binary COPY: 19-byte header (+ extension), per row an int16 field count then, per
    # field, an int32 length and the big-endian value; an int16 -1 trailer.
    sql = tx.d.sql(f"COPY (SELECT {', '.join(_COLS)} FROM order_lines{where}) TO STDOUT (FORMAT BINARY)")
    buf = bytearray()
    with tx.cur.copy(sql, args) as copy:
        for chunk in copy:
            buf += chunk
    ext = int.from_bytes(buf[15:19], "big")
    body = memoryview(buf)[19 + ext : len(buf) - 2]
    fields: list[tuple[str, str]] = [("n", ">i2")]
    for c in _COLS:
        fields += [(f"{c}_len", ">i4"), (c, ">i8")]
    recs = np.frombuffer(body, dtype=np.dtype(fields))
    return [recs[c].astype(np.int64) for c in _COLS]
