"""``Table``: a light, immutable column table that becomes a pandas frame on request.

The engines of the retention area (KPIs, recommendations, campaigns, competitors) return
tables of a few columns. pandas is optional, so the result is this small object: columns
are NumPy arrays of equal length, ``to_frame()`` makes a ``DataFrame``, ``_repr_html_``
shows it in a notebook, and ``rows()`` yields plain dictionaries.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from distcrm.errors import ValidationError

__all__ = ["Table"]

_MAX_SHOWN = 30


def _fmt(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if np.isnan(f):
            return "NaN"
        return f"{f:.4g}" if abs(f) < 1e5 else f"{f:,.0f}"
    if isinstance(v, np.datetime64):
        return str(v)
    return str(v)


class Table:
    """An immutable table: named columns of equal length, with an optional index.

    Parameters
    ----------
    columns
        Column name → values (array-likes of one length).
    index
        Names of the columns that identify a row (period, segment, territory…); they
        become the frame's index in :meth:`to_frame`.
    title
        A caption shown by ``repr`` and in notebooks.

    Examples
    --------
    >>> t = Table({"segment": ["a", "b"], "revenue": [10.0, 5.5]}, index=("segment",))
    >>> len(t), t.columns
    (2, ('segment', 'revenue'))
    >>> t["revenue"].tolist()
    [10.0, 5.5]
    >>> t.row(1)
    {'segment': 'b', 'revenue': 5.5}
    """

    __slots__ = ("_cols", "_index", "_title")

    def __init__(self, columns: Mapping[str, Any], *, index: Sequence[str] = (), title: str = "") -> None:
        cols: dict[str, npt.NDArray[Any]] = {}
        for name, values in columns.items():
            arr = np.asarray(values)
            if arr.ndim != 1:
                arr = np.asarray(list(values), dtype=object)
            if arr.dtype.kind == "U":
                arr = arr.astype(object)
            cols[str(name)] = arr
        lengths = {k: len(v) for k, v in cols.items()}
        if len(set(lengths.values())) > 1:
            raise ValidationError.single("columns", lengths, "columns must have the same length")
        missing = [i for i in index if i not in cols]
        if missing:
            raise ValidationError.single("index", missing, "names columns that do not exist")
        for arr in cols.values():
            arr.flags.writeable = False
        self._cols = cols
        self._index = tuple(index)
        self._title = title

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names, in order."""
        return tuple(self._cols)

    @property
    def index(self) -> tuple[str, ...]:
        """The columns that identify a row."""
        return self._index

    @property
    def title(self) -> str:
        """The caption."""
        return self._title

    def __len__(self) -> int:
        return len(next(iter(self._cols.values()))) if self._cols else 0

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        try:
            return self._cols[name]
        except KeyError:
            raise ValidationError.single(
                "column", name, f"is not a column (columns: {', '.join(self._cols)})"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._cols

    def row(self, i: int) -> dict[str, Any]:
        """Row ``i`` as a dictionary of plain Python values."""
        return {k: (v[i].item() if isinstance(v[i], np.generic) else v[i]) for k, v in self._cols.items()}

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every row as a dictionary."""
        for i in range(len(self)):
            yield self.row(i)

    def where(self, mask: Any) -> Table:
        """The rows where the boolean ``mask`` holds."""
        m = np.asarray(mask, dtype=bool)
        return Table({k: v[m] for k, v in self._cols.items()}, index=self._index, title=self._title)

    def lookup(self, **keys: Any) -> dict[str, Any]:
        """The one row whose columns equal ``keys`` (``t.lookup(period="2024-01")``)."""
        mask = np.ones(len(self), dtype=bool)
        for k, v in keys.items():
            mask &= self[k] == v
        hits = np.flatnonzero(mask)
        if hits.size != 1:
            raise ValidationError.single("keys", keys, f"match {hits.size} rows, expected exactly 1")
        return self.row(int(hits[0]))

    def to_dict(self) -> dict[str, npt.NDArray[Any]]:
        """Column name → array (read-only views)."""
        return dict(self._cols)

    def to_frame(self) -> Any:
        """A pandas ``DataFrame`` (needs the ``pandas`` extra), indexed by :attr:`index`."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="Table.to_frame")
        df = pd.DataFrame({k: v.copy() for k, v in self._cols.items()})
        if self._index:
            df = df.set_index(list(self._index))
        return df

    def _lines(self) -> list[list[str]]:
        out = [list(self._cols)]
        for i in range(min(len(self), _MAX_SHOWN)):
            out.append([_fmt(v[i]) for v in self._cols.values()])
        return out

    def __repr__(self) -> str:
        lines = self._lines()
        widths = [max(len(r[j]) for r in lines) for j in range(len(lines[0]))] if lines[0] else []
        text = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in lines]
        head = f"{self._title} " if self._title else ""
        more = f"\n… {len(self) - _MAX_SHOWN} more rows" if len(self) > _MAX_SHOWN else ""
        return f"<Table {head}({len(self)} rows)>\n" + "\n".join(text) + more

    def _repr_html_(self) -> str:
        lines = self._lines()
        head = "".join(f"<th>{html.escape(c)}</th>" for c in lines[0])
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in lines[1:])
        cap = f"<caption>{html.escape(self._title)}</caption>" if self._title else ""
        return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
