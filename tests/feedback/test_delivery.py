"""Tests for joining feedback to shipments, the lateness effect and satisfaction-drop alerts."""

from __future__ import annotations

import numpy as np
import pytest

from distcrm.errors import DataQualityWarning, ValidationError
from distcrm.feedback import align_to_shipments, lateness_effect, nps, satisfaction_drops


def test_align_joins_by_id_and_warns_on_unknown() -> None:
    """Each feedback gets its shipment's lateness; unknown shipments get NaN and a warning."""
    with pytest.warns(DataQualityWarning, match="1 feedback"):
        out = align_to_shipments(["s3", "s1", "zz"], ["s1", "s2", "s3"], [5.0, 0.0, 70.0])
    assert [70.0, 5.0] == out[:2].tolist()
    assert np.isnan(out[2])


def test_align_rejects_duplicate_shipments() -> None:
    """Duplicate shipment ids are an error."""
    with pytest.raises(ValidationError):
        align_to_shipments(["a"], ["a", "a"], [1.0, 2.0])


def test_lateness_effect_matches_separate_scores() -> None:
    """On-time and late NPS equal nps() of each part; the difference CI uses both SEs."""
    rng = np.random.default_rng(2)
    late = np.where(rng.random(2000) < 0.3, rng.exponential(60, 2000), 0.0)
    p_prom = np.where(late > 0, 0.3, 0.6)
    scores = np.where(rng.random(2000) < p_prom, 10, rng.integers(0, 9, 2000))
    e = lateness_effect(late, scores)
    assert nps(scores[late <= 0]).value == pytest.approx(e.on_time.value)
    assert nps(scores[late > 0]).value == pytest.approx(e.late.value)
    assert e.difference.ci_high < 0
    assert sum(r.n for _, r in e.by_band) == 2000
    assert "late − on time" in str(e)


def test_lateness_effect_skips_unknown_and_keeps_empty_bands() -> None:
    """NaN lateness rows are counted as unmatched; a band without deliveries is an empty result."""
    e = lateness_effect([0.0, np.nan, 5.0], [10, 3, 9], bands=[0, 10, 1000])
    assert 1 == e.n_unmatched
    assert e.by_band["> 1000"].is_empty


def test_lateness_effect_validates_scores() -> None:
    """An out-of-range score is reported with its row."""
    with pytest.raises(ValidationError) as info:
        lateness_effect([0, 10], [10, 12])
    assert "$.scores[1]" == info.value.field


def test_satisfaction_drops_flags_only_real_drops() -> None:
    """A customer falling from 9 to 3 is flagged; a stable one and a one-response one are not."""
    ids = ["a"] * 8 + ["b"] * 8 + ["c"] * 2
    s = [9, 9, 10, 9, 3, 2, 4, 3, 8, 8, 9, 8, 8, 9, 8, 8, 10, 0]
    after = [False] * 4 + [True] * 4 + [False] * 4 + [True] * 4 + [False, True]
    d = satisfaction_drops(ids, s, np.array(after))
    assert ["a"] == d.customer_ids.tolist()
    assert 6.25 == pytest.approx(d.drop[0])
    assert d.p_value[0] < 0.01
    assert ["a"] == list(d.to_frame().index)


def test_satisfaction_drops_needs_boolean_after() -> None:
    """The period marker must be boolean."""
    with pytest.raises(ValidationError):
        satisfaction_drops(["a"], [1.0], [0])
