"""Feedback in a few lines: NPS with its CI, the lateness effect, sentiment and aspects, SLA breaches.

Run: ``.venv/bin/python examples/feedback_sentiment.py``
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from distcrm.feedback import (
    default_sentiment,
    escalation_list,
    lateness_effect,
    negative_aspects,
    nps,
    sla_clock,
)

rng = np.random.default_rng(7)
n = 5000
lateness = np.where(rng.random(n) < 0.25, rng.exponential(45, n), 0.0)
promoter_p = np.where(lateness > 30, 0.25, 0.55)
scores = np.where(rng.random(n) < promoter_p, rng.integers(9, 11, n), rng.integers(0, 9, n))

print(nps(scores))
print(nps(scores, method="bootstrap", random_state=0))
print(lateness_effect(lateness, scores, threshold=15))

texts = [
    "送货很快，包装完好，很满意",
    "骑手迟到了一个小时，菜都凉了",
    "The driver was rude and the parcel arrived damaged",
    "Great price and fast delivery",
    "价格太贵了，味道一般",
]
s = default_sentiment()
for t, p in zip(texts, s.polarities(texts), strict=True):
    print(f"{p:+.2f}  {t}")
print("top negative aspects:", negative_aspects(texts).top(3))

t0 = datetime(2024, 3, 4, 9, tzinfo=UTC)
now = t0 + timedelta(hours=6)
cases = [
    sla_clock("urgent", [(t0, "open")], now=now, case_id="K-1"),
    sla_clock("normal", [(t0, "open"), (t0 + timedelta(hours=1), "in_progress")], now=now, case_id="K-2"),
    sla_clock("high", [(t0, "open"), (t0 + timedelta(minutes=20), "acknowledged")], now=now, case_id="K-3"),
]
for c in escalation_list(cases):
    print(f"escalate {c.case_id}: {c.priority}, breached={c.breached}, overdue {c.overdue}")
