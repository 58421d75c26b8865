"""The CDNOW customer log (Fader & Hardie) as bundled with lifetimes."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from distcrm.data import CustomerSummary, TransactionLog
from distcrm.datasets._resources import open_text
from distcrm.errors import ValidationError

__all__ = ["CDNOW_CALIBRATION_END", "CDNOW_OBSERVATION_END", "load_cdnow", "load_cdnow_summary"]

#: The end of the 39-week calibration period used by Fader, Hardie & Lee (2005).
CDNOW_CALIBRATION_END = "1997-09-30"
#: The end of the CDNOW observation period (78 weeks after 1997-01-01).
CDNOW_OBSERVATION_END = "1998-06-30"


def _yyyymmdd(d: npt.NDArray[np.int64]) -> npt.NDArray[np.datetime64]:
    months = (d // 10000 - 1970) * 12 + (d // 100 % 100 - 1)
    days = months.astype("datetime64[M]").astype("datetime64[D]") + (d % 100 - 1)
    return days.astype("datetime64[s]")


def load_cdnow(
    kind: Literal["sample", "master"] = "sample",
    as_: Literal["transactions", "summary"] = "transactions",
) -> TransactionLog | CustomerSummary:
    """The CDNOW purchases of the customers who first bought in Q1 1997.

    Parameters
    ----------
    kind
        ``"sample"``: the 1/10 sample of 2,357 customers (6,919 transactions) used in
        the published BG/NBD and Pareto/NBD fits; ``"master"``: all 23,570 customers
        (69,659 transactions), 1997-01-01 to 1998-06-30.
    as_
        ``"transactions"``: a :class:`~distcrm.data.TransactionLog` (customer ids are the
        integer CDNOW ids; for the sample, the sample's own ids 1..2357, those of the
        published summary; items none, quantity the number of CDs, amount in dollars);
        ``"summary"``: the calibration summary of Fader, Hardie & Lee (2005): distinct
        purchase days up to 1997-09-30, recency and T in weeks (``period="D"``,
        ``unit="W"``), with the holdout to 1998-06-30 attached.

    Examples
    --------
    >>> s = load_cdnow("sample", as_="summary")
    >>> len(s), round(float(s.T.max()), 2), s.duration_holdout
    (2357, 38.86, 39.0)
    """
    if kind not in ("sample", "master"):
        raise ValidationError.single("kind", kind, "must be 'sample' or 'master'")
    if as_ not in ("transactions", "summary"):
        raise ValidationError.single("as_", as_, "must be 'transactions' or 'summary'")
    name = "CDNOW_sample.txt" if kind == "sample" else "CDNOW_master.txt"
    with open_text("clv", name) as f:
        raw = np.loadtxt(f, dtype=np.float64, skiprows=0 if kind == "sample" else 1)
    if kind == "sample":  # master id, sample id, date, quantity, amount: keep the sample id
        raw = raw[:, [1, 2, 3, 4]]
    customer = raw[:, 0].astype(np.int64)
    log = TransactionLog.from_arrays(
        customer=customer,
        timestamp=_yyyymmdd(raw[:, 1].astype(np.int64)),
        quantity=raw[:, 2],
        amount=raw[:, 3],
    )
    if as_ == "transactions":
        return log
    return log.summary(
        unit="W",
        period="D",
        calibration_end=CDNOW_CALIBRATION_END,
        observation_end=CDNOW_OBSERVATION_END,
    )


def load_cdnow_summary() -> CustomerSummary:
    """The published CDNOW-sample calibration summary, as distributed by Fader & Hardie.

    2,357 customers with ``x`` (frequency), ``t_x`` (recency) and ``T`` in weeks,
    rounded to two decimals, and ``zbar`` (mean repeat spend, as
    ``monetary_value``; 0 in the file where ``x == 0`` is NaN here). Customer ids are
    1..2357, in the order of the CDNOW ids. This is the input of the published fits:
    BG/NBD r=0.243, α=4.414, a=0.793, b=2.426 (LL −9582.4).

    Examples
    --------
    >>> s = load_cdnow_summary()
    >>> int(s.frequency.sum()), s.time_unit
    (2457, 'W')
    """
    with open_text("clv", "cdnow_customers_summary_with_transactions.csv") as f:
        raw = np.loadtxt(f, delimiter=",", skiprows=1)
    x = raw[:, 1]
    zbar = np.where(x > 0, raw[:, 4], np.nan)
    return CustomerSummary.from_arrays(
        frequency=x,
        recency=raw[:, 2],
        T=raw[:, 3],
        monetary_value=zbar,
        customer_ids=raw[:, 0].astype(np.int64).astype(object),
        time_unit="W",
    )
