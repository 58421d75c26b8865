"""Tests of the pilot statistics: reference values from SciPy and textbooks, verdict wording."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from distcrm.errors import ValidationError
from distcrm.kpi import (
    before_after,
    diff_in_diff,
    mann_whitney_test,
    treatment_control,
    two_proportion_test,
    welch_t_test,
)


def test_verdict_wording_matches_issue_example() -> None:
    """850/1000 → 891/1000 on time reads 'rose 4.1 points (95 % CI 1.2–7.0), significant'."""
    r = before_after([1] * 850 + [0] * 150, [1] * 891 + [0] * 109, metric="on-time rate")
    assert "on-time rate rose 4.1 points (95 % CI 1.2–7.0), significant" == r.verdict()


def test_pilot_result_plot_and_frame() -> None:
    """The result draws its CI on an Agg axis and becomes a one-row frame."""
    import matplotlib

    matplotlib.use("Agg")
    r = before_after([1] * 850 + [0] * 150, [1] * 891 + [0] * 109, metric="on-time rate")
    assert r.verdict() == r.plot().get_title()
    assert [True] == r.to_frame()["significant"].tolist()


def test_verdict_for_a_fall_that_is_not_significant() -> None:
    """A small drop reads 'fell … not significant (p = …)'."""
    r = before_after([1] * 80 + [0] * 20, [1] * 78 + [0] * 22, metric="on-time rate")
    assert r.verdict().startswith("on-time rate fell 2.0 points (95 % CI ")
    assert "not significant (p = 0.73)" in r.verdict()


def test_two_proportion_p_value_equals_chi_square() -> None:
    """The pooled z test p-value equals Pearson's χ² test without continuity correction."""
    _, _, _, p = two_proportion_test(80, 100, 90, 100)
    chi2 = stats.chi2_contingency([[80, 20], [90, 10]], correction=False)
    assert pytest.approx(chi2.pvalue, rel=1e-9) == p


def test_welch_matches_scipy() -> None:
    """Welch's difference, CI and p-value equal scipy.stats.ttest_ind(equal_var=False)."""
    rng = np.random.default_rng(1)
    a, b = rng.normal(10, 2, 40), rng.normal(11, 4, 25)
    d, lo, hi, p = welch_t_test(a, b)
    ref = stats.ttest_ind(b, a, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert pytest.approx(ref.pvalue) == p
    assert pytest.approx((ci.low, ci.high)) == (lo, hi)
    assert pytest.approx(b.mean() - a.mean()) == d


def test_mann_whitney_hodges_lehmann() -> None:
    """The shift is the median pairwise difference and its CI brackets it; p from SciPy."""
    a = [1.1, 2.0, 3.2, 4.0, 5.5, 6.1, 7.3]
    b = [x + 3 for x in a]
    d, lo, hi, p = mann_whitney_test(a, b)
    assert 3.0 == pytest.approx(d)
    assert lo <= d <= hi
    ref = stats.mannwhitneyu(b, a, alternative="two-sided", method="asymptotic")
    assert pytest.approx(ref.pvalue) == p


def test_treatment_control_rank_and_mean_designs() -> None:
    """treatment_control reports the named test and the treatment − control sign."""
    r = treatment_control(
        [5, 6, 7, 8, 9], [1, 2, 3, 4, 5], metric="drops per hour", kind="mean", unit="drops"
    )
    assert "Welch t test" == r.test
    assert 4.0 == r.estimate
    assert r.verdict().startswith("drops per hour rose 4.0 drops")
    rr = treatment_control([5, 6, 7, 8, 9], [1, 2, 3, 4, 5], metric="rating", kind="rank")
    assert rr.test.startswith("Mann–Whitney")


def test_diff_in_diff_worked_example() -> None:
    """DiD = (0.90 − 0.80) − (0.82 − 0.80) = 0.08 with SE √Σ p(1−p)/n."""
    r = diff_in_diff(
        [1] * 80 + [0] * 20,
        [1] * 90 + [0] * 10,
        [1] * 80 + [0] * 20,
        [1] * 82 + [0] * 18,
        metric="on-time rate",
    )
    se = np.sqrt((0.16 + 0.09 + 0.16 + 0.82 * 0.18) / 100)
    assert pytest.approx(0.08) == r.estimate
    assert pytest.approx(0.08 - 1.959963984540054 * se) == r.ci_low
    assert "difference-in-differences" == r.design


def test_bad_inputs_name_the_field() -> None:
    """Non-binary proportions, NaN and a bad confidence raise ValidationError naming the field."""
    with pytest.raises(ValidationError) as e1:
        before_after([0, 1, 2], [1, 1], metric="x")
    assert "$.before" == e1.value.field
    with pytest.raises(ValidationError) as e2:
        before_after([1.0, float("nan")], [1.0, 2.0], metric="x", kind="mean")
    assert "$.before" == e2.value.field
    with pytest.raises(ValidationError) as e3:
        before_after([1, 0], [1, 1], metric="x", confidence=1.5)
    assert "$.confidence" == e3.value.field


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 200), st.integers(1, 200), st.floats(0, 1), st.floats(0, 1))
def test_proportion_ci_contains_estimate_and_significance_agrees(
    na: int, nb: int, fa: float, fb: float
) -> None:
    """The CI contains the estimate and the verdict mentions significance consistently."""
    sa, sb = round(fa * na), round(fb * nb)
    r = before_after([1] * sa + [0] * (na - sa), [1] * sb + [0] * (nb - sb), metric="rate")
    assert r.ci_low <= r.estimate <= r.ci_high
    assert r.significant == r.verdict().endswith(", significant")
