"""Column extraction from pandas DataFrames (imported only when a pandas frame is given)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from distcrm._optional import import_optional
from distcrm.data._ingest import tidy_ids
from distcrm.errors import ValidationError

__all__ = ["bools", "factorize", "floats", "timestamps"]


def _pd() -> Any:
    return import_optional("pandas", feature="TransactionLog.from_frame")


def factorize(df: Any, col: str) -> tuple[npt.NDArray[np.intp], npt.NDArray[Any]]:
    """Codes (-1 where missing or blank) into sorted unique ids, by ``pandas.factorize``."""
    pd = _pd()
    try:
        codes, uniques = pd.factorize(df[col], sort=True, use_na_sentinel=True)
    except TypeError as exc:
        raise ValidationError.single(col, str(exc), "ids must be of one comparable type") from None
    codes = np.asarray(codes, dtype=np.intp)
    ids = np.asarray(uniques.to_numpy() if hasattr(uniques, "to_numpy") else uniques)
    ids = tidy_ids(ids)
    if ids.dtype.kind in "UO" and ids.size:
        text = ids.astype(str) if ids.dtype.kind == "O" else ids
        blank = np.char.str_len(np.char.strip(text)) == 0
        if blank.any():
            keep = ~blank
            new_index = np.cumsum(keep) - 1
            valid = codes >= 0
            ok = np.zeros(codes.shape, dtype=bool)
            ok[valid] = keep[codes[valid]]
            codes = np.where(ok, new_index[np.where(valid, codes, 0)], -1).astype(np.intp)
            ids = ids[keep]
    return codes, ids


def timestamps(df: Any, col: str) -> npt.NDArray[np.datetime64]:
    """``datetime64[s]``; unreadable values become NaT (then reported as ``missing_timestamp``)."""
    pd = _pd()
    s = df[col]
    if not pd.api.types.is_datetime64_any_dtype(s):
        s = pd.to_datetime(s, errors="coerce")
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    return np.asarray(s.to_numpy()).astype("datetime64[s]")


def floats(df: Any, col: str) -> npt.NDArray[np.float64]:
    """``float64``; missing or non-numeric values become NaN (then reported)."""
    pd = _pd()
    return np.asarray(pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan))


def bools(df: Any, col: str) -> npt.NDArray[np.bool_]:
    """Booleans; a missing flag counts as not set."""
    return np.asarray(df[col].fillna(False).astype(bool).to_numpy(), dtype=bool)
