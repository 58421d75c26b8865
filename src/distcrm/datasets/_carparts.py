"""The carparts intermittent-demand series (Hyndman et al. 2008, R package expsmooth)."""

from __future__ import annotations

import csv

import numpy as np

from distcrm.data import DemandPanel
from distcrm.datasets._resources import open_text

__all__ = ["load_carparts"]


def load_carparts() -> DemandPanel:
    """1,337 monthly car-part demand series, January 1998 to March 2002 (51 months).

    Half of the 2,674 series of the R package ``expsmooth`` (``carparts``), about 75 %
    zeros. Missing months stay NaN. The usual evaluation fits the first 39 months and
    tests on the last 12: ``train, test = load_carparts().split(12)``.

    Examples
    --------
    >>> p = load_carparts()
    >>> p.shape, str(p.periods[0]), p.freq, p.has_missing
    ((1337, 51), '1998-01-01', 'M', True)
    """
    with open_text("forecast", "carparts_a.csv") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    cells = np.asarray([r[1:] for r in body])
    values = np.full(cells.shape, np.nan)
    filled = np.char.str_len(cells) > 0
    values[filled] = cells[filled].astype(np.float64)
    months = np.asarray([r[0] for r in body], dtype="datetime64[M]").astype("datetime64[D]")
    return DemandPanel.from_array(
        values.T,
        series_ids=np.asarray(header[1:], dtype=object),
        periods=months,
        freq="M",
        item_ids=np.asarray(header[1:], dtype=object),
    )
