"""The vectorised customer summary (lifetimes' ``summary_data_from_transaction_data``).

The log is sorted by customer, then time, so every grouping is a boundary scan
(``!=`` of neighbours, ``flatnonzero``, ``reduceat``): O(n), no sort, no Python loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from distcrm.data._periods import as_datetime64, check_period, period_index
from distcrm.data._summary import CustomerSummary
from distcrm.errors import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from distcrm.data._log import TransactionLog

__all__ = ["summarise"]

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]

#: ``(period, unit)`` → how many periods make one unit (lifetimes' ``freq_multiplier``).
MULTIPLIER = {("D", "W"): 7.0, ("h", "D"): 24.0, ("h", "W"): 168.0}


class _PerCustomer:
    """Purchase periods per customer of rows sorted by (customer, period).

    A handful of O(n) passes: neighbour comparisons, ``flatnonzero`` and one
    ``reduceat``; per-customer work is on arrays the size of the customer count.
    """

    def __init__(
        self, c: IntArray, p: npt.NDArray[np.int64], v: FloatArray | None, *, totals: bool = False
    ) -> None:
        n = c.shape[0]
        new_customer = np.empty(n, dtype=bool)
        new_customer[0] = True
        np.not_equal(c[1:], c[:-1], out=new_customer[1:])
        new_group = new_customer.copy()
        new_group[1:] |= p[1:] != p[:-1]
        first_row = np.flatnonzero(new_customer)
        group_start = np.flatnonzero(new_group)
        del new_group
        first_group = np.flatnonzero(new_customer[group_start])
        del new_customer
        last_row = np.append(first_row[1:], n) - 1
        self.count = np.diff(np.append(first_group, group_start.shape[0]))
        self.customers = c[first_row]
        self.first_row = first_row
        self.last_row = last_row
        self.first_period = p[first_row]
        self.last_period = p[last_row]
        self.repeat_total: FloatArray | None = None
        self.total: FloatArray | None = None
        if v is not None:
            k = first_row.shape[0]
            second = group_start[np.minimum(first_group + 1, group_start.shape[0] - 1)]
            second = np.where(self.count > 1, second, last_row + 1)
            bounds = np.empty(2 * k, dtype=np.intp)
            bounds[0::2] = second
            bounds[1::2] = last_row + 1
            padded = np.append(v, 0.0)
            repeat = np.add.reduceat(padded, bounds)[0::2]
            self.repeat_total = np.where(self.count > 1, repeat, 0.0)
            if totals:
                self.total = np.add.reduceat(v, first_row)


def summarise(
    log: TransactionLog,
    *,
    unit: str,
    period: str | None,
    calibration_end: Any,
    observation_end: Any,
    monetary: str | None,
) -> CustomerSummary:
    """See :meth:`TransactionLog.summary`."""
    check_period("unit", unit)
    period = unit if period is None else period
    check_period("period", period)
    if period == unit:
        mult = 1.0
    elif (period, unit) in MULTIPLIER:
        mult = MULTIPLIER[(period, unit)]
    else:
        raise ValidationError.single(
            "period",
            period,
            f"must equal unit {unit!r} or divide it exactly ({sorted(MULTIPLIER)} are supported)",
        )
    if monetary not in ("amount", "quantity", None):
        raise ValidationError.single("monetary", monetary, "must be 'amount', 'quantity' or None")
    if monetary == "amount" and not log.has_amount:
        raise ValidationError.single("monetary", monetary, "the log has no amounts: use 'quantity' or None")

    c, ts, q = log.customer, log.timestamp, log.quantity
    values = None if monetary is None else (log.amount if monetary == "amount" else q)
    purchase = q > 0
    if not purchase.all():  # returns kept under the "net" policy never count
        c, ts = c[purchase], ts[purchase]
        values = None if values is None else values[purchase]
    if c.size == 0:
        raise ValidationError.single("log", 0, "has no purchases to summarise")

    obs = ts.max() if observation_end is None else as_datetime64("observation_end", observation_end)
    p = period_index(ts, period)
    if calibration_end is None:
        cal = None
        end_p = int(period_index(np.array([obs]), period)[0])
        mask = p <= end_p
    else:
        cal = as_datetime64("calibration_end", calibration_end)
        if not cal < obs:
            raise ValidationError.single(
                "calibration_end", str(cal), f"must be before observation_end ({obs})"
            )
        end_p = int(period_index(np.array([cal]), period)[0])
        mask = ts <= cal
    all_in = bool(mask.all())
    cc = c if all_in else c[mask]
    if cc.size == 0:
        raise ValidationError.single(
            "calibration_end" if cal is not None else "observation_end",
            str(cal if cal is not None else obs),
            "is before the first purchase",
        )
    pc = p if all_in else p[mask]
    vc = None if values is None else (values if all_in else values[mask])
    tsc = ts if all_in else ts[mask]
    g = _PerCustomer(cc, pc, vc)

    frequency = (g.count - 1).astype(np.float64)
    recency = (g.last_period - g.first_period) / mult
    T = (end_p - g.first_period) / mult
    monetary_value = None
    if g.repeat_total is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            monetary_value = g.repeat_total / frequency
        monetary_value[frequency == 0] = np.nan

    freq_h = mon_h = duration = None
    if cal is not None:
        hmask = (ts > cal) & (ts <= obs)
        freq_h = np.zeros(frequency.shape[0])
        mon_h = None if values is None else np.full(frequency.shape[0], np.nan)
        if hmask.any():
            h = _PerCustomer(c[hmask], p[hmask], None if values is None else values[hmask], totals=True)
            pos = np.minimum(np.searchsorted(g.customers, h.customers), g.customers.shape[0] - 1)
            known = g.customers[pos] == h.customers
            freq_h[pos[known]] = h.count[known]
            if mon_h is not None:
                assert h.total is not None
                mon_h[pos[known]] = (h.total / h.count)[known]
        duration = float(int(period_index(np.array([obs]), period)[0]) - end_p) / mult

    return CustomerSummary(
        frequency=frequency,
        recency=recency.astype(np.float64),
        T=T.astype(np.float64),
        customer_ids=log.customer_ids[g.customers].astype(object),
        monetary_value=monetary_value,
        first_purchase=tsc[g.first_row],
        last_purchase=tsc[g.last_row],
        frequency_holdout=freq_h,
        monetary_value_holdout=mon_h,
        duration_holdout=duration,
        time_unit=unit,
        calibration_end=cal,
    )
