"""Column extraction from polars DataFrames (imported only when a polars frame is given)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from distcrm._optional import import_optional
from distcrm.data._ingest import tidy_ids

__all__ = ["bools", "factorize", "floats", "timestamps"]


def _pl() -> Any:
    return import_optional("polars", feature="TransactionLog.from_frame")


def factorize(df: Any, col: str) -> tuple[npt.NDArray[np.intp], npt.NDArray[Any]]:
    """Codes (-1 where missing or blank) into sorted unique ids, by a dense rank."""
    pl = _pl()
    expr = pl.col(col)
    dtype = df.schema[col]
    missing = expr.is_null()
    if dtype.is_float():
        missing = missing | expr.is_nan()
    if dtype == pl.String:
        missing = missing | (expr.str.strip_chars() == "")
    s = df.select(pl.when(missing).then(None).otherwise(expr).alias(col)).get_column(col)
    codes = s.rank("dense").cast(pl.Int64).fill_null(0).to_numpy().astype(np.intp) - 1
    ids = s.drop_nulls().unique().sort().to_numpy()
    return codes, tidy_ids(np.asarray(ids))


def timestamps(df: Any, col: str) -> npt.NDArray[np.datetime64]:
    """``datetime64[s]``; unreadable values become NaT (then reported as ``missing_timestamp``)."""
    pl = _pl()
    s = df.get_column(col)
    if s.dtype == pl.String:
        s = s.str.to_datetime(strict=False)
    elif s.dtype == pl.Date:
        s = s.cast(pl.Datetime("us"))
    if isinstance(s.dtype, pl.Datetime) and s.dtype.time_zone is not None:
        s = s.dt.replace_time_zone(None)
    return np.asarray(s.to_numpy()).astype("datetime64[s]")


def floats(df: Any, col: str) -> npt.NDArray[np.float64]:
    """``float64``; missing or non-numeric values become NaN (then reported)."""
    pl = _pl()
    s = df.get_column(col).cast(pl.Float64, strict=False)
    return np.asarray(s.to_numpy(), dtype=np.float64)


def bools(df: Any, col: str) -> npt.NDArray[np.bool_]:
    """Booleans; a missing flag counts as not set."""
    pl = _pl()
    return np.asarray(df.get_column(col).fill_null(False).cast(pl.Boolean).to_numpy(), dtype=bool)
