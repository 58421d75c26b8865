"""The daily cycle over a store, and its report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from distcrm.storage import MemoryStore
from distcrm.workflows import DailyReport, daily_cycle, format_table, load_company


@pytest.fixture(scope="module")
def report(company: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[DailyReport, MemoryStore, Path]:
    """The daily cycle of the small company, run once for the module."""
    store = MemoryStore()
    load_company(store, company)
    out = tmp_path_factory.mktemp("report")
    steps: list[str] = []
    rep = daily_cycle(store, company.end, out=out, route_time_limit=0.5, progress=steps.append)
    assert len(steps) == len(rep.sections)
    return rep, store, out


def test_every_section_is_present(report: tuple[DailyReport, MemoryStore, Path]) -> None:
    """The report answers each of the main job's questions."""
    rep, _, _ = report
    expected = [
        "Customers and segments",
        "Customer value",
        "Demand next week",
        "Tomorrow's deliveries",
        "KPIs",
        "Feedback",
        "Care actions",
        "Loyalty",
        "Pilot evaluation",
    ]
    assert expected == [s.title for s in rep.sections]


def test_segments_are_written_back(report: tuple[DailyReport, MemoryStore, Path], company: Any) -> None:
    """Every customer with a purchase gets its RFM segment stored."""
    rep, store, _ = report
    result = rep.results["segments"]
    stored = {c.id: c.segment for c in store.customers.all()}
    for cid, seg in zip(result.customer_ids.tolist(), result.segment.tolist(), strict=True):
        assert seg == stored[cid]


def test_value_results_are_finite(report: tuple[DailyReport, MemoryStore, Path]) -> None:
    """CLV and P(alive) are finite for every customer, P(alive) within [0, 1]."""
    import numpy as np

    rep, _, _ = report
    clv, p_alive = rep.results["clv"], rep.results["p_alive"]
    assert np.isfinite(clv).all()
    assert ((p_alive >= 0) & (p_alive <= 1)).all()


def test_route_plan_is_feasible(report: tuple[DailyReport, MemoryStore, Path]) -> None:
    """Tomorrow's plan passes the independent validator when there is one."""
    rep, _, _ = report
    plan = rep.results.get("route_plan")
    if plan is None:
        assert "nothing to plan" in rep.section("Tomorrow's deliveries").lines[0]
    else:
        assert [] == plan.violations()


def test_html_report_references_written_figures(report: tuple[DailyReport, MemoryStore, Path]) -> None:
    """The HTML page names each figure, and each figure file exists as a PNG."""
    rep, _, out = report
    page = rep.write_html(out).read_text(encoding="utf-8")
    assert len(rep.figures) >= 3
    for fig in rep.figures:
        assert f"src='{fig}'" in page
        assert (out / fig).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_text_report_has_every_title(report: tuple[DailyReport, MemoryStore, Path]) -> None:
    """The text report carries every section title."""
    rep, _, _ = report
    text = rep.to_text()
    for s in rep.sections:
        assert f"## {s.title}" in text


def test_format_table_aligns_wide_characters() -> None:
    """Chinese names take two columns each, so the separators line up."""
    table = format_table(["name", "n"], [("浦东便利店", 1), ("Cafe", 22)])
    lines = table.splitlines()
    assert len({line.index("|") for line in (lines[0],)}) == 1
    assert "浦东便利店 |  1" == lines[2]
    assert "Cafe       | 22" == lines[3]


def test_bad_date_is_a_validation_error(company: Any) -> None:
    """A malformed date names the field and value."""
    from distcrm.errors import ValidationError

    store = MemoryStore()
    with pytest.raises(ValidationError) as info:
        daily_cycle(store, "2024-13-01")
    assert "$.today" == info.value.field


def test_empty_store_is_a_validation_error() -> None:
    """A store without customers is reported, not silently processed."""
    from distcrm.errors import ValidationError

    with pytest.raises(ValidationError):
        daily_cycle(MemoryStore(), "2024-06-01")
