"""Customer care: the daily care calendar, best contact times, and campaigns with holdouts.

:class:`CarePlanner` turns triggers (birthdays, holidays incl. the Spring Festival,
anniversaries, at-risk valuable customers, post-delivery follow-ups, milestones) into the
day's :class:`CareAction` list, respecting consent per channel × purpose, quiet hours in
the customer's time zone, frequency caps and the preferred channel.
:func:`select_audience` and :func:`campaign_report` run campaigns against a seeded
random holdout.

>>> from distcrm.care import spring_festival
>>> spring_festival(2026).isoformat()
'2026-02-17'
"""

from distcrm.care._calendar import Holiday, HolidayCalendar, spring_festival
from distcrm.care._campaigns import Audience, CampaignReport, campaign_report, select_audience
from distcrm.care._planner import (
    CareAction,
    CarePlan,
    CarePlanner,
    CareRules,
    ConsentError,
    Trigger,
    check_consent,
)
from distcrm.care._timing import ContactTimeModel

__all__ = [
    "Audience",
    "CampaignReport",
    "CareAction",
    "CarePlan",
    "CarePlanner",
    "CareRules",
    "ConsentError",
    "ContactTimeModel",
    "Holiday",
    "HolidayCalendar",
    "Trigger",
    "campaign_report",
    "check_consent",
    "select_audience",
    "spring_festival",
]
