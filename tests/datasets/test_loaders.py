"""Online Retail, carparts, sentiment and routing loaders."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from distcrm.datasets import load_carparts, load_online_retail, load_sentiment
from distcrm.errors import DataQualityWarning, ValidationError


@pytest.fixture(scope="module")
def retail_and_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        log = load_online_retail()
    return log, caught


@pytest.fixture(scope="module")
def retail(retail_and_warnings):
    return retail_and_warnings[0]


def test_online_retail_counts_every_row(retail) -> None:
    """Every one of the 347,279 rows is kept, moved to returns, or counted under a reason."""
    r = retail.ingest_report
    assert 347279 == r.n_rows
    assert r.n_rows == len(retail) + r.n_set_aside
    assert len(retail.returns) == r.counts()["returns"]


def test_online_retail_mess_is_reported(retail) -> None:
    """Missing customer ids, cancellations (C invoices) and zero prices are all reported."""
    counts = retail.ingest_report.counts()
    assert counts["missing_customer"] > 100_000
    assert retail.ingest_report.flag_counts()["zero_price"] > 0
    cancelled = np.char.startswith(retail.order_ids[retail.returns.order].astype(str), "C")
    assert bool(cancelled.all())
    assert bool((retail.quantity > 0).all())


def test_online_retail_warns(retail_and_warnings) -> None:
    """Loading the raw retail data raises one DataQualityWarning about the rows set aside."""
    messages = [str(w.message) for w in retail_and_warnings[1] if issubclass(w.category, DataQualityWarning)]
    assert 1 == len(messages)
    assert "missing_customer" in messages[0]


def test_carparts_panel() -> None:
    """Carparts is 1,337 monthly series from 1998-01 to 2002-03 with NaN kept and ~75 % zeros."""
    p = load_carparts()
    assert (1337, 51) == p.shape
    assert np.datetime64("1998-01-01") == p.periods[0]
    assert np.datetime64("2002-03-01") == p.periods[-1]
    assert p.has_missing
    finite = p.values[np.isfinite(p.values)]
    assert 0.6 < float(np.mean(finite == 0)) < 0.9


@pytest.mark.parametrize("name", ["amazon_cells", "yelp"])
def test_sentiment_sets(name: str) -> None:
    """Each UCI sentiment set has 1,000 English sentences, half positive."""
    d = load_sentiment(name)
    assert (1000, 500) == (len(d), int(d.labels.sum()))
    assert set(np.unique(d.labels).tolist()) == {0, 1}
    assert "en" == d.language


def test_unknown_sentiment_set_raises() -> None:
    """An unknown name is a ValidationError listing the choices."""
    with pytest.raises(ValidationError):
        load_sentiment("imdb")


def test_routing_loaders_are_reexported() -> None:
    """load_solomon, load_cvrplib and load_bks reach the bundled routing instances through distcrm.routing."""
    from distcrm.datasets import load_bks, load_cvrplib, load_solomon

    solomon = load_solomon("C101")
    cvrp = load_cvrplib("A-n32-k5")
    bks = load_bks()
    assert 101 == len(solomon.stops) + 1
    assert 32 == len(cvrp.stops) + 1
    assert any("C101" in str(key) for key in bks)
