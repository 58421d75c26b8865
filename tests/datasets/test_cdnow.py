"""CDNOW loaders reproduce the published Fader-Hardie calibration summary."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from distcrm.data import CustomerSummary, TransactionLog
from distcrm.datasets import load_cdnow, load_cdnow_summary
from distcrm.errors import ValidationError


def _published(name: str) -> np.ndarray:
    path = resources.files("distcrm.datasets").joinpath("data", "clv", name)
    with path.open("r") as f:
        return np.loadtxt(f, delimiter=",", skiprows=1)


def test_sample_summary_equals_the_published_csv() -> None:
    """The 39-week calibration summary of the sample equals cdnow_customers_summary.csv (2 decimals)."""
    s = load_cdnow("sample", as_="summary")
    pub = _published("cdnow_customers_summary.csv")
    assert isinstance(s, CustomerSummary)
    np.testing.assert_array_equal(pub[:, 0], s.customer_ids.astype(float))
    np.testing.assert_array_equal(pub[:, 1], s.frequency)
    np.testing.assert_array_equal(pub[:, 2], np.round(s.recency, 2))
    np.testing.assert_array_equal(pub[:, 3], np.round(s.T, 2))


def test_sample_spend_equals_published_zbar() -> None:
    """Mean repeat spend matches the published zbar to the cent (the file rounds half-cents)."""
    s = load_cdnow("sample", as_="summary")
    zbar = _published("cdnow_customers_summary_with_transactions.csv")[:, 4]
    repeat = s.frequency > 0
    np.testing.assert_allclose(zbar[repeat], s.monetary_value[repeat], atol=0.0051)
    assert bool(np.all(np.isnan(s.monetary_value[~repeat])))


def test_sample_transactions_and_holdout() -> None:
    """The sample has 6,919 rows of 2,357 customers; the holdout is 39 weeks long."""
    log = load_cdnow("sample")
    assert isinstance(log, TransactionLog)
    assert (6919, 2357) == (len(log), log.n_customers)
    s = load_cdnow("sample", as_="summary")
    assert 39.0 == s.duration_holdout
    assert s.frequency_holdout is not None
    assert 0 < int(s.frequency_holdout.sum())


def test_master_log() -> None:
    """The master file has 69,659 transactions of 23,570 customers, 1997-01-01 to 1998-06-30."""
    log = load_cdnow("master")
    assert (69659, 23570) == (len(log), log.n_customers)
    assert np.datetime64("1997-01-01T00:00:00") == log.start
    assert np.datetime64("1998-06-30T00:00:00") == log.end


def test_published_summary_loader() -> None:
    """load_cdnow_summary gives the published x, t_x, T and zbar of 2,357 customers."""
    s = load_cdnow_summary()
    mine = load_cdnow("sample", as_="summary")
    assert 2357 == len(s)
    np.testing.assert_array_equal(mine.frequency, s.frequency)
    assert 30.43 == s.recency[0]


def test_bad_kind_raises() -> None:
    """An unknown kind is a ValidationError naming the argument."""
    with pytest.raises(ValidationError) as info:
        load_cdnow("full")  # type: ignore[arg-type]
    assert "$.kind" == info.value.field
