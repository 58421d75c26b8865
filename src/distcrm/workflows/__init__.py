"""End-to-end jobs built from the engines: the daily cycle and the demo.

>>> from distcrm.workflows import Engines
>>> sorted(n for n in vars(Engines()) if not n.startswith("_"))  # doctest: +SKIP
"""

from distcrm.workflows._daily import Engines, daily_cycle
from distcrm.workflows._demo import load_company, run_demo
from distcrm.workflows._report import DailyReport, Section, format_table

__all__ = ["DailyReport", "Engines", "Section", "daily_cycle", "format_table", "load_company", "run_demo"]
