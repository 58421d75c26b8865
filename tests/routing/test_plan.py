"""RoutePlan views: totals, promised windows, frame, summary, HTML and plot."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from distcrm.errors import ValidationError
from distcrm.routing import RoutePlan, RoutingProblem, solve


@pytest.fixture(scope="module")
def plan(c101_10: RoutingProblem) -> RoutePlan:
    return solve(c101_10, time_limit=0.3, seed=1)


def test_totals_add_up(plan: RoutePlan) -> None:
    """Plan totals are the sums over routes, and every stop is served once."""
    assert sum(r.distance for r in plan.routes) == plan.distance
    assert sorted(s.id for s in plan.problem.stops) == sorted(plan.served)
    assert plan.is_feasible()


def test_start_times_leave_no_needless_wait(plan: RoutePlan) -> None:
    """The depot departure is delayed so the first stop is not waited for."""
    for r in plan.routes:
        assert 0.0 == pytest.approx(r.visits[0].wait, abs=1e-9)


def test_promised_windows_contain_eta_and_stay_in_the_window(plan: RoutePlan) -> None:
    """ETA ± margin, clipped to the stop's own window."""
    pw = plan.promised_windows(margin=30)
    stops = {s.id: s for s in plan.problem.stops}
    for r in plan.routes:
        for v in r.visits:
            lo, hi = pw[v.stop_id]
            w = stops[v.stop_id].windows[0]
            assert lo <= v.start <= hi
            assert w.start <= lo
            assert hi <= w.end
    with pytest.raises(ValidationError):
        plan.promised_windows(-1)


def test_to_frame_has_one_row_per_visit(plan: RoutePlan) -> None:
    """The frame lists each visit with its times."""
    df = plan.to_frame()
    assert len(plan.served) == len(df)
    assert {"stop_id", "arrival", "start", "departure", "load"} <= set(df.columns)


def test_summary_and_html(plan: RoutePlan) -> None:
    """Text and HTML summaries name the engine and the vehicles."""
    assert "pyvrp" in plan.summary()
    assert f"{plan.num_vehicles} vehicles" in plan._repr_html_()
    assert "RoutePlan(" in repr(plan)


def test_plot_draws_routes_and_depot(plan: RoutePlan) -> None:
    """plot draws one line per route on the given axes."""
    fig, ax = plt.subplots()
    out = plan.plot(ax=ax)
    assert ax is out
    assert plan.num_vehicles == len(ax.lines)
    plt.close(fig)
