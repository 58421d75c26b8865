"""Helpers shared by the segmentation results."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from distcrm._checks import as_float_array, check_finite, check_same_length
from distcrm._optional import import_optional
from distcrm.errors import ValidationError

FloatArray = npt.NDArray[np.float64]


def ids_array(customer_ids: Any, n: int) -> npt.NDArray[np.object_]:
    """Customer ids as an object array of length ``n`` (``"0".."n-1"`` when None), unique."""
    if customer_ids is None:
        return np.array([str(i) for i in range(n)], dtype=object)
    ids = np.asarray(customer_ids, dtype=object)
    if ids.shape != (n,):
        raise ValidationError.single("customer_ids", ids.shape, f"must have one id per customer ({n})")
    if len(set(ids.tolist())) != n:
        raise ValidationError.single("customer_ids", "duplicates", "must be unique")
    return ids


def floats(name: str, values: Any, ids: Any = None, *, nonneg: bool = True) -> FloatArray:
    """A finite float array (``>= 0`` unless ``nonneg=False``), errors naming the customer."""
    arr = as_float_array(name, values)
    check_finite(name, arr, ids)
    if nonneg and (arr < 0).any():
        i = int(np.flatnonzero(arr < 0)[0])
        label = ids[i] if ids is not None else i
        raise ValidationError.single(f"{name}[{label!r}]", float(arr[i]), "must be >= 0")
    return arr


def same_length(**arrays: Any) -> int:
    return check_same_length(**arrays)


def html_table(columns: dict[str, Any], caption: str, max_rows: int = 20) -> str:
    names = list(columns)
    n = len(next(iter(columns.values()))) if columns else 0

    def fmt(v: Any) -> str:
        return f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v)

    head = "".join(f"<th>{c}</th>" for c in names)
    body = "".join(
        "<tr>" + "".join(f"<td>{fmt(columns[c][i])}</td>" for c in names) + "</tr>"
        for i in range(min(n, max_rows))
    )
    more = f"<tr><td colspan={len(names)}>… {n - max_rows} more rows</td></tr>" if n > max_rows else ""
    return f"<table><caption>{caption}</caption><tr>{head}</tr>{body}{more}</table>"


def axes(ax: Any, feature: str) -> Any:
    if ax is None:
        plt = import_optional("matplotlib.pyplot", feature=feature)
        _, ax = plt.subplots()
    return ax


def frame(columns: dict[str, Any], ids: Any, feature: str, index_name: str = "customer_id") -> Any:
    pd = import_optional("pandas", feature=feature)
    return pd.DataFrame(columns, index=pd.Index(ids, name=index_name))
