"""The UCI Online Retail invoices (half of the customers, and every row with no customer)."""

from __future__ import annotations

import numpy as np

from distcrm.data import TransactionLog
from distcrm.data._ingest import ReturnsPolicy
from distcrm.datasets._resources import read_csv_columns

__all__ = ["load_online_retail"]


def load_online_retail(*, returns: ReturnsPolicy = "separate") -> TransactionLog:
    """Invoices of a UK online gift wholesaler, 2010-12-01 to 2011-12-09, with all their mess.

    The bundled file holds the customers with an odd ``CustomerID`` and every row with
    no ``CustomerID`` (347,279 rows) of the UCI "Online Retail" data (Chen, Sain & Guo
    2012). Customer ids are the integer ``CustomerID``; items the ``StockCode``; orders
    the ``InvoiceNo``; ``amount = Quantity * UnitPrice``. Invoices starting with ``"C"``
    are cancellations: their (negative) lines are returns handled by ``returns``
    (default ``"separate"``: they land in ``log.returns``). Rows without a customer
    are set aside, zero prices kept and flagged, negative-price adjustments set aside;
    ``log.ingest_report`` has the counts and row numbers (a ``DataQualityWarning``
    says so).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     log = load_online_retail()
    >>> log.ingest_report.n_rows
    347279
    >>> log.ingest_report.n_kept + log.ingest_report.n_set_aside == log.ingest_report.n_rows
    True
    """
    col = read_csv_columns("retail", "online_retail_a.csv.gz")
    customer = col["CustomerID"]
    has_id = np.char.str_len(customer) > 0
    ids = np.full(customer.shape[0], np.nan)
    ids[has_id] = customer[has_id].astype(np.float64)
    return TransactionLog.from_arrays(
        customer=ids,
        timestamp=col["InvoiceDate"].astype("datetime64[s]"),
        quantity=col["Quantity"].astype(np.float64),
        price=col["UnitPrice"].astype(np.float64),
        item=col["StockCode"],
        order=col["InvoiceNo"],
        cancelled_prefix="C",
        returns=returns,
    )
