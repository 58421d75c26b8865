"""Feedback: NPS/CSAT/CES with uncertainty, satisfaction drivers, sentiment, complaint SLAs.

>>> from distcrm.feedback import nps
>>> str(nps([10, 10, 9, 7, 3]))
'NPS 40.0 (95% CI -30.1 to 100.0, n=5)'
"""

from distcrm.feedback._classifier import SentimentClassifier, hash_char_ngrams
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
from distcrm.feedback._sentiment import (
    LexiconSentiment,
    SentimentAnalyzer,
    default_sentiment,
    detect_language,
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
    "LexiconSentiment",
    "ScoreBreakdown",
    "ScoreResult",
    "SentimentAnalyzer",
    "SentimentClassifier",
    "SlaPolicy",
    "SlaStatus",
    "SlaTarget",
    "WorkingCalendar",
    "breakdown",
    "case_sla",
    "ces",
    "compare",
    "csat",
    "default_sentiment",
    "detect_language",
    "escalation_list",
    "hash_char_ngrams",
    "nps",
    "score_counts",
    "sla_clock",
]
