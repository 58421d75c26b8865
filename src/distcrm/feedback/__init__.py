"""Feedback: NPS/CSAT/CES with uncertainty, satisfaction drivers, sentiment, complaint SLAs.

>>> from distcrm.feedback import nps
>>> str(nps([10, 10, 9, 7, 3]))
'NPS 40.0 (95% CI -30.1 to 100.0, n=5)'
"""

from distcrm.feedback._scores import (
    ChangeResult,
    ScoreBreakdown,
    ScoreResult,
    breakdown,
    ces,
    compare,
    csat,
    nps,
    score_counts,
)
from distcrm.feedback._sla import (
    PRIORITIES,
    SlaPolicy,
    SlaStatus,
    SlaTarget,
    WorkingCalendar,
    case_sla,
    escalation_list,
    sla_clock,
)

__all__ = [
    "PRIORITIES",
    "ChangeResult",
    "ScoreBreakdown",
    "ScoreResult",
    "SlaPolicy",
    "SlaStatus",
    "SlaTarget",
    "WorkingCalendar",
    "breakdown",
    "case_sla",
    "ces",
    "compare",
    "csat",
    "escalation_list",
    "nps",
    "score_counts",
    "sla_clock",
]
