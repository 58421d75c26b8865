"""Feedback: NPS/CSAT/CES with uncertainty, satisfaction drivers, sentiment, complaint SLAs.

>>> from distcrm.feedback import nps
>>> str(nps([10, 10, 9, 7, 3]))
'NPS 40.0 (95% CI -30.1 to 100.0, n=5)'
"""

from distcrm.feedback._aspects import ASPECT_KEYWORDS, AspectSummary, AspectTagger, negative_aspects
from distcrm.feedback._classifier import SentimentClassifier, hash_char_ngrams
from distcrm.feedback._complaints import (
    ActionEffect,
    CorrectiveAction,
    ReopenStats,
    RootCauseSummary,
    action_effect,
    reopen_rate,
    root_cause_summary,
)
from distcrm.feedback._delivery import (
    LatenessEffect,
    SatisfactionDrops,
    align_to_shipments,
    lateness_effect,
    satisfaction_drops,
)
from distcrm.feedback._satisfaction import (
    CustomerSatisfaction,
    DriverImportance,
    SatisfactionScorer,
    key_drivers,
    lmg_weights,
    relative_weights,
    wilson_lower_bound,
)
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
    "ASPECT_KEYWORDS",
    "PRIORITIES",
    "ActionEffect",
    "AspectSummary",
    "AspectTagger",
    "ChangeResult",
    "CorrectiveAction",
    "CustomerSatisfaction",
    "DriverImportance",
    "LatenessEffect",
    "LexiconSentiment",
    "ReopenStats",
    "RootCauseSummary",
    "SatisfactionDrops",
    "SatisfactionScorer",
    "ScoreBreakdown",
    "ScoreResult",
    "SentimentAnalyzer",
    "SentimentClassifier",
    "SlaPolicy",
    "SlaStatus",
    "SlaTarget",
    "WorkingCalendar",
    "action_effect",
    "align_to_shipments",
    "breakdown",
    "case_sla",
    "ces",
    "compare",
    "csat",
    "default_sentiment",
    "detect_language",
    "escalation_list",
    "hash_char_ngrams",
    "key_drivers",
    "lateness_effect",
    "lmg_weights",
    "negative_aspects",
    "nps",
    "relative_weights",
    "reopen_rate",
    "root_cause_summary",
    "satisfaction_drops",
    "score_counts",
    "sla_clock",
    "wilson_lower_bound",
]
