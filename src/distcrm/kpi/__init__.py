"""Business KPIs and pilot evaluation.

Sales (revenue, orders, AOV, repeat rate, cohort retention), delivery (on-time with a
stated tolerance, OTIF, lead-time percentiles, first-attempt success, cost per drop,
vehicle utilisation) and service (NPS, CSAT, SLA-met %) — each by period, segment and
territory as a :class:`KPITable` with ``to_frame()`` and ``plot()``. Pilot tests
(before/after, treatment/control, difference-in-differences) return a
:class:`PilotResult` with a plain-language verdict. :func:`track` answers "where is my
order?"; :func:`competitor_summary` says where and why deals are lost.

>>> from distcrm.kpi import before_after
>>> before_after([1] * 850 + [0] * 150, [1] * 891 + [0] * 109, metric="on-time rate").significant
True
"""

from distcrm.kpi._competitors import CompetitorSummary, competitor_summary
from distcrm.kpi._delivery import delivery_kpis, shipment_kpis, vehicle_utilisation
from distcrm.kpi._group import KPITable
from distcrm.kpi._pilot import (
    PilotResult,
    before_after,
    diff_in_diff,
    mann_whitney_test,
    treatment_control,
    two_proportion_test,
    welch_t_test,
)
from distcrm.kpi._sales import CohortRetention, cohort_retention, sales_kpis
from distcrm.kpi._service import service_kpis
from distcrm.kpi._table import Table
from distcrm.kpi._tracking import ShipmentView, TrackingResult, track

__all__ = [
    "CohortRetention",
    "CompetitorSummary",
    "KPITable",
    "PilotResult",
    "ShipmentView",
    "Table",
    "TrackingResult",
    "before_after",
    "cohort_retention",
    "competitor_summary",
    "delivery_kpis",
    "diff_in_diff",
    "mann_whitney_test",
    "sales_kpis",
    "service_kpis",
    "shipment_kpis",
    "track",
    "treatment_control",
    "two_proportion_test",
    "vehicle_utilisation",
    "welch_t_test",
]
