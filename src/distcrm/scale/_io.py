"""Partitioned Parquet transaction logs: the schema, writing, listing, reading and running.

Everything touching dask, distributed or pyarrow imports it inside the function (the
``dask`` extra), so importing :mod:`distcrm.scale` stays cheap.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from distcrm._optional import import_optional
from distcrm.errors import FieldError, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from distcrm.data import TransactionLog

__all__ = [
    "LOG_COLUMNS",
    "Source",
    "compute",
    "list_partitions",
    "log_from_frame",
    "persist",
    "read_log",
    "write_partitioned_log",
]

#: The Parquet columns of a partitioned transaction log and what each holds. Only
#: ``customer_id`` and ``timestamp`` are required.
LOG_COLUMNS: Mapping[str, str] = {
    "customer_id": "string or int64: the customer (every row of a customer in one file)",
    "timestamp": "timestamp (naive wall-clock time, any unit)",
    "item_id": "string or int64, null for a row without an item",
    "quantity": "float64 units; negative for a returned unit",
    "amount": "float64 money of the line (quantity x price after discount)",
    "order_id": "string or int64, null for a row without an order",
}
_LOG_KW = {"item_id": "item", "quantity": "quantity", "amount": "amount", "order_id": "order"}

Source = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


def _feature(name: str) -> str:
    return f"distcrm.scale.{name}"


def list_partitions(source: Source) -> list[str]:
    """The Parquet files of ``source``: a directory (searched recursively), a glob or a list.

    Each file is one partition. Paths may carry an fsspec protocol (``s3://...``).

    Raises
    ------
    ValidationError
        No Parquet file matches ``source``.
    """
    fsspec = import_optional("fsspec", feature=_feature("list_partitions"), extra="dask")
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    files: list[str] = []
    for item in items:
        path = os.fspath(item)
        fs, root = fsspec.core.url_to_fs(path)
        protocol = path.split("://")[0] + "://" if "://" in path else ""
        if any(ch in root for ch in "*?["):
            found = sorted(fs.glob(root))
        elif fs.isdir(root):
            found = sorted(p for p in fs.find(root) if p.endswith((".parquet", ".parq")))
        else:
            found = [root] if fs.exists(root) else []
        files.extend(protocol + p if protocol and not p.startswith(protocol) else p for p in found)
    if not files:
        raise ValidationError.single("source", str(source), "matches no Parquet file")
    return files


def _read_frame(path: str) -> Any:
    """One Parquet file as a pandas DataFrame (only the known log columns)."""
    pq = import_optional("pyarrow.parquet", feature=_feature("read"), extra="dask")
    fsspec = import_optional("fsspec", feature=_feature("read"), extra="dask")
    fs, root = fsspec.core.url_to_fs(path)
    names = set(pq.read_schema(root, filesystem=fs).names)
    cols = [c for c in LOG_COLUMNS if c in names]
    return pq.read_table(root, columns=cols, filesystem=fs).to_pandas()


def log_from_frame(df: Any, *, returns: str = "separate") -> TransactionLog:
    """A ``TransactionLog`` from a frame with the :data:`LOG_COLUMNS` names.

    Raises
    ------
    ValidationError
        ``customer_id`` or ``timestamp`` missing (both listed), or as
        :meth:`TransactionLog.from_frame`.
    """
    from distcrm.data import TransactionLog

    present = set(map(str, df.columns))
    missing = [
        FieldError(f"$.{c}", "is a required column of a partitioned log", None)
        for c in ("customer_id", "timestamp")
        if c not in present
    ]
    if missing:
        raise ValidationError(missing)
    kw = {v: k for k, v in _LOG_KW.items() if k in present}
    return TransactionLog.from_frame(
        df,
        customer="customer_id",
        timestamp="timestamp",
        returns=returns,  # type: ignore[arg-type]
        **kw,
    )


def read_log(path: str, *, returns: str = "separate") -> TransactionLog:
    """Read one partition file into a ``TransactionLog`` (runs on a worker)."""
    return log_from_frame(_read_frame(path), returns=returns)


def _as_pandas(log_or_frame: Any) -> Any:
    from distcrm.data import TransactionLog

    pd = import_optional("pandas", feature=_feature("write_partitioned_log"))
    if isinstance(log_or_frame, TransactionLog):
        frames = [log_or_frame.to_frame()]
        if log_or_frame.returns is not None and len(log_or_frame.returns):
            frames.append(log_or_frame.returns.to_frame())
        df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        if not log_or_frame.has_amount:
            df = df.drop(columns="amount")
        for col in ("item_id", "order_id"):
            if df[col].isna().all():
                df = df.drop(columns=col)
        return df
    module = type(log_or_frame).__module__.split(".")[0]
    if module == "polars":
        return log_or_frame.to_pandas()
    if module == "pandas":
        return log_or_frame
    raise ValidationError.single(
        "log_or_frame", type(log_or_frame).__name__, "must be a TransactionLog or a pandas/polars DataFrame"
    )


def write_partitioned_log(log_or_frame: Any, path: str | os.PathLike[str], n_partitions: int) -> list[str]:
    """Write a transaction log as ``n_partitions`` Parquet files, range-partitioned by customer.

    Customers are sorted by id and cut into ``n_partitions`` contiguous ranges of about
    equal customer counts; file ``part-00000.parquet`` holds the lowest ids, and so on.
    Every row of a customer lands in one file (what the per-partition entry points
    need), and reading the files in name order gives customers in id order (what
    makes the Dask results come out in the single-machine order). Rows within a file
    are sorted by customer, then time. Empty ranges write no file.

    Parameters
    ----------
    log_or_frame
        A ``TransactionLog`` (its returns are written too) or a pandas/polars DataFrame
        with the :data:`LOG_COLUMNS` names.
    path
        The output directory (created if needed; existing ``part-*.parquet`` files in it
        are overwritten when their names collide).
    n_partitions
        The number of ranges, at least 1.

    Returns
    -------
    list of str
        The files written, in order.

    Raises
    ------
    ValidationError
        ``n_partitions`` below 1, a frame without ``customer_id`` or ``timestamp``.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["b", "a", "c", "a"], "amount": [1.0, 2.0, 3.0, 4.0],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"])})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     files = write_partitioned_log(df, d, 2)
    ...     [os.path.basename(f) for f in files], len(read_log(files[0]))
    (['part-00000.parquet', 'part-00001.parquet'], 3)
    """
    if isinstance(n_partitions, bool) or not isinstance(n_partitions, (int, np.integer)) or n_partitions < 1:
        raise ValidationError.single("n_partitions", n_partitions, "must be an integer >= 1")
    pa = import_optional("pyarrow", feature=_feature("write_partitioned_log"), extra="dask")
    pq = import_optional("pyarrow.parquet", feature=_feature("write_partitioned_log"), extra="dask")
    pd = import_optional("pandas", feature=_feature("write_partitioned_log"))
    df = _as_pandas(log_or_frame)
    missing = [
        FieldError(f"$.{c}", "is a required column of a partitioned log", None)
        for c in ("customer_id", "timestamp")
        if c not in df.columns
    ]
    if missing:
        raise ValidationError(missing)
    df = df[[c for c in LOG_COLUMNS if c in df.columns]]
    df = df[df["customer_id"].notna()]
    codes, uniques = pd.factorize(df["customer_id"], sort=True)
    n_cust = max(len(uniques), 1)
    part = (codes.astype(np.int64) * int(n_partitions)) // n_cust
    order = np.lexsort((pd.to_datetime(df["timestamp"]).to_numpy().view(np.int64), codes))
    df = df.iloc[order].reset_index(drop=True)
    part = part[order]
    os.makedirs(path, exist_ok=True)
    bounds = np.searchsorted(part, np.arange(int(n_partitions) + 1))
    written: list[str] = []
    for i in range(int(n_partitions)):
        lo, hi = int(bounds[i]), int(bounds[i + 1])
        if hi <= lo:
            continue
        out = os.path.join(os.fspath(path), f"part-{i:05d}.parquet")
        pq.write_table(pa.Table.from_pandas(df.iloc[lo:hi], preserve_index=False), out)
        written.append(out)
    return written


# ---------------------------------------------------------------------- running
def compute(client: Any, objs: Sequence[Any]) -> list[Any]:
    """Compute dask collections on ``client`` (or the default scheduler); a list of results."""
    if not objs:
        return []
    if client is not None:
        return list(client.compute(list(objs), sync=True))
    dask = import_optional("dask", feature=_feature("compute"))
    return list(dask.compute(*objs))


def persist(client: Any, objs: Sequence[Any]) -> list[Any]:
    """Persist dask collections in the cluster's memory (or the local scheduler's)."""
    if not objs:
        return []
    if client is not None:
        return list(client.persist(list(objs)))
    dask = import_optional("dask", feature=_feature("persist"))
    return list(dask.persist(*objs))


def share(client: Any, obj: Any, name: str) -> Any:
    """``obj`` as one graph node every task can use (scattered to all workers with a client)."""
    if client is not None:
        return client.scatter(obj, broadcast=True, hash=False)
    dask = import_optional("dask", feature=_feature("share"))
    import uuid

    return dask.delayed(obj, name=f"{name}-{uuid.uuid4().hex}", traverse=False)


def delayed(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``dask.delayed(fn, pure=True)``."""
    dask = import_optional("dask", feature=_feature("delayed"))
    out: Callable[..., Any] = dask.delayed(fn, pure=True)
    return out


def ids_in_order(
    bounds: Sequence[tuple[Any, Any] | None],
) -> list[int] | None:
    """The partition order giving customer ids in ascending order, or ``None`` if ranges overlap.

    ``bounds`` holds the smallest and largest customer id of each partition (``None``
    for an empty one; empty partitions are left out of the order).
    """
    nonempty = [(b[0], b[1], i) for i, b in enumerate(bounds) if b is not None]
    nonempty.sort(key=lambda t: t[0])
    for (_, hi, _), (lo, _, _) in itertools.pairwise(nonempty):
        if not hi < lo:
            return None
    return [i for _, _, i in nonempty]


def concat_ids(parts: Sequence[npt.NDArray[Any]]) -> npt.NDArray[Any]:
    """Concatenate id arrays as one object array."""
    if not parts:
        return np.array([], dtype=object)
    return np.concatenate([np.asarray(p, dtype=object) for p in parts])
