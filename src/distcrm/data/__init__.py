"""Columnar views of sales data: the bridge from domain records to NumPy arrays.

Engines take these objects, never storage or per-record domain objects in hot paths.
"""

from distcrm.data._ingest import IngestReport
from distcrm.data._log import TransactionLog
from distcrm.data._panel import DemandPanel
from distcrm.data._summary import CustomerSummary

__all__ = ["CustomerSummary", "DemandPanel", "IngestReport", "TransactionLog"]
