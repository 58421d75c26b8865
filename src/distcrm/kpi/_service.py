"""Service KPIs per period, segment and territory: NPS, CSAT and SLA-met share."""

from __future__ import annotations

from typing import Any

import numpy as np

from distcrm._checks import as_float_array, check_same_length
from distcrm.errors import FieldError, ValidationError
from distcrm.kpi._group import KPITable, group_rows, resolve_labels

__all__ = ["service_kpis"]


def service_kpis(
    *,
    at: Any,
    nps: Any = None,
    csat: Any = None,
    sla_met: Any = None,
    csat_scale: int = 5,
    freq: str | None = "M",
    segment: Any = None,
    territory: Any = None,
) -> KPITable:
    """NPS, CSAT and SLA-met % per group; one input row per response or case.

    ``nps`` holds 0–10 answers, ``csat`` 1–``csat_scale`` answers and ``sla_met``
    booleans (1/0); NaN where a row has no such answer. Each KPI is computed over the
    rows that have it:

    - ``nps = 100 · (promoters (9–10) − detractors (0–6)) / answers`` (Reichheld 2003);
    - ``csat = 100 · satisfied (the top two boxes: 4–5 on a 5-point scale) / answers``;
    - ``sla_met_pct = 100 · cases within SLA / cases``.

    Examples
    --------
    >>> t = service_kpis(at=["2024-01-05"] * 5, nps=[10, 9, 7, 3, float("nan")],
    ...                  csat=[5, 4, 2, float("nan"), 3], sla_met=[1, 1, 1, 0, float("nan")])
    >>> t["nps"].tolist(), t["nps_responses"].tolist(), t["csat"].tolist(), t["sla_met_pct"].tolist()
    ([25.0], [4.0], [50.0], [75.0])
    """
    ts = np.asarray(at, dtype="datetime64[s]")
    n = ts.shape[0]
    g = group_rows(
        n,
        timestamp=ts,
        freq=freq,
        segment=resolve_labels("segment", segment, n),
        territory=resolve_labels("territory", territory, n),
    )
    cols: dict[str, Any] = {}
    problems: list[FieldError] = []
    if nps is not None:
        s = as_float_array("nps", nps)
        check_same_length(at=ts, nps=s)
        ok = ~np.isnan(s)
        bad = ok & ((s < 0) | (s > 10) | (s != np.round(s)))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            problems.append(FieldError(f"$.nps[{i}]", "must be a whole number 0–10", float(s[i])))
        answers = g.count(ok)
        with np.errstate(invalid="ignore", divide="ignore"):
            cols["nps"] = 100.0 * (g.count(ok & (s >= 9)) - g.count(ok & (s <= 6))) / answers
        cols["nps_responses"] = answers
    if csat is not None:
        c = as_float_array("csat", csat)
        check_same_length(at=ts, csat=c)
        ok = ~np.isnan(c)
        bad = ok & ((c < 1) | (c > csat_scale) | (c != np.round(c)))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            problems.append(FieldError(f"$.csat[{i}]", f"must be a whole number 1–{csat_scale}", float(c[i])))
        answers = g.count(ok)
        with np.errstate(invalid="ignore", divide="ignore"):
            cols["csat"] = 100.0 * g.count(ok & (c >= csat_scale - 1)) / answers
        cols["csat_responses"] = answers
    if sla_met is not None:
        m = as_float_array("sla_met", sla_met)
        check_same_length(at=ts, sla_met=m)
        ok = ~np.isnan(m)
        bad = ok & (m != 0) & (m != 1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            problems.append(FieldError(f"$.sla_met[{i}]", "must be 0/1 (or NaN)", float(m[i])))
        cases = g.count(ok)
        with np.errstate(invalid="ignore", divide="ignore"):
            cols["sla_met_pct"] = 100.0 * g.count(ok & (m == 1)) / cases
        cols["sla_cases"] = cases
    if problems:
        raise ValidationError(problems)
    if not cols:
        raise ValidationError.missing("nps", "give at least one of nps, csat, sla_met")
    return g.table(cols, title="service KPIs")
