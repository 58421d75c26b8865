"""Tests for distcrm.feedback scores: NPS, CSAT, CES, breakdowns and period comparison."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.errors import ValidationError
from distcrm.feedback import breakdown, ces, compare, csat, nps, score_counts


def test_nps_worked_example_matches_formula() -> None:
    """NPS of 50 promoters, 30 passives, 20 detractors is 30 with se 100·sqrt((0.7 − 0.09)/100)."""
    scores = [10] * 30 + [9] * 20 + [8] * 15 + [7] * 15 + [6] * 10 + [0] * 10
    r = nps(scores)
    assert 30.0 == pytest.approx(r.value)
    expected_se = 100 * math.sqrt(((0.5 + 0.2) - (0.5 - 0.2) ** 2) / 100)
    assert expected_se == pytest.approx(r.se)
    assert 7.8102 == pytest.approx(r.se, abs=1e-4)
    assert r.value - 1.959964 * r.se == pytest.approx(r.ci_low, abs=1e-5)
    assert 100 == r.n


def test_nps_all_promoters_has_zero_width_interval() -> None:
    """A group of only promoters has NPS 100 and a degenerate CI, not NaN."""
    r = nps([9, 10, 10])
    assert (100.0, 0.0, 100.0, 100.0) == (r.value, r.se, r.ci_low, r.ci_high)


def test_csat_top_two_box_on_custom_scale() -> None:
    """CSAT on a 1–7 scale counts 6 and 7 as satisfied."""
    assert 50.0 == csat([7, 6, 5, 1], scale=7).value


def test_ces_mean_and_se() -> None:
    """CES is the mean answer with population-variance standard error."""
    r = ces([1, 7])
    assert 4.0 == r.value
    assert 3.0 / math.sqrt(2) == pytest.approx(r.se)


def test_out_of_range_score_names_record() -> None:
    """A score of 11 raises ValidationError naming the record id and value."""
    with pytest.raises(ValidationError) as info:
        nps([10, 11, 3], ids=["f1", "f2", "f3"])
    assert "$.scores['f2']" == info.value.field
    assert 11 == info.value.value


def test_fractional_and_nan_scores_rejected() -> None:
    """Fractional and missing answers are errors naming each row."""
    with pytest.raises(ValidationError) as info:
        csat([4.5, float("nan"), 5])
    assert ["$.scores[0]", "$.scores[1]"] == info.value.paths


def test_empty_input_gives_explicit_empty_result() -> None:
    """No responses give n=0 and None fields, never NaN."""
    r = nps([])
    assert (0, None, None, None, None) == (r.n, r.value, r.se, r.ci_low, r.ci_high)
    assert r.is_empty
    assert "no responses" in str(r)


def test_bootstrap_ci_close_to_analytic_for_large_n() -> None:
    """With 20k responses the bootstrap CI agrees with the analytic one to within 0.3 points."""
    rng = np.random.default_rng(1)
    s = rng.integers(0, 11, 20_000)
    a = nps(s)
    b = nps(s, method="bootstrap", n_boot=4000, random_state=2)
    assert a.value == b.value
    assert a.ci_low == pytest.approx(b.ci_low, abs=0.3)
    assert a.ci_high == pytest.approx(b.ci_high, abs=0.3)
    assert a.se == pytest.approx(b.se, rel=0.05)


def test_bootstrap_is_reproducible_with_seed() -> None:
    """The same seed gives the same bootstrap interval."""
    s = [10, 9, 8, 3, 2, 10, 7]
    assert nps(s, method="bootstrap", random_state=5) == nps(s, method="bootstrap", random_state=5)


def test_breakdown_matches_per_group_scores_and_keeps_empty_groups() -> None:
    """A breakdown equals scoring each group alone; an unused category is an empty result."""
    rng = np.random.default_rng(3)
    s = rng.integers(0, 11, 500)
    g = rng.choice(["a", "b", "c"], 500)
    b = breakdown(s, g, categories=["c", "a", "b", "d"])
    assert ("c", "a", "b", "d") == b.groups
    for name in "abc":
        alone = nps(s[g == name])
        assert alone.value == pytest.approx(b[name].value)
        assert alone.se == pytest.approx(b[name].se)
    assert b["d"].is_empty


def test_breakdown_unknown_group_label_is_error() -> None:
    """A group label not among the categories is reported with its row."""
    with pytest.raises(ValidationError) as info:
        breakdown([10, 9], ["a", "z"], categories=["a"])
    assert "$.groups[1]" == info.value.field


def test_compare_detects_drop_between_periods() -> None:
    """A 40-point NPS drop on 100 responses each is significant; the CI excludes zero."""
    ch = compare(nps([10] * 60 + [5] * 40), nps([10] * 40 + [5] * 60))
    assert -40.0 == ch.difference
    assert ch.ci_high < 0
    assert ch.significant()


def test_compare_with_empty_side_is_empty() -> None:
    """Comparing with an empty period yields an empty change, not NaN."""
    ch = compare(nps([]), nps([10]))
    assert ch.is_empty
    assert not ch.significant()


def test_score_counts() -> None:
    """Counts per answer category on the CSAT scale."""
    assert [1, 0, 0, 1, 2] == score_counts([1, 4, 5, 5], metric="csat").tolist()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=200))
def test_nps_property_equals_definition(scores: list[int]) -> None:
    """NPS equals 100·(share 9–10 − share 0–6) and lies within its CI and bounds."""
    r = nps(scores)
    a = np.array(scores)
    expected = 100 * ((a >= 9).mean() - (a <= 6).mean())
    assert expected == pytest.approx(r.value)
    assert -100 <= r.ci_low <= r.value <= r.ci_high <= 100


def test_to_frame_and_html() -> None:
    """Results render as a DataFrame row and as HTML."""
    b = breakdown([10, 1], ["x", "y"])
    assert ["x", "y"] == list(b.to_frame().index)
    assert "<table>" in b._repr_html_()
    assert "NPS" in nps([10])._repr_html_()


def test_breakdown_plot_draws_error_bars() -> None:
    """plot() draws one error-bar point per non-empty group."""
    import matplotlib

    matplotlib.use("Agg")
    ax = breakdown([10, 1, 5], ["x", "y", "y"], categories=["x", "y", "z"]).plot()
    assert 3 == len(ax.get_xticks())
