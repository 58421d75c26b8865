"""Tests of customer summaries and purchase-model scoring on Dask against one machine."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from distcrm.data import TransactionLog
from distcrm.errors import ConvergenceWarning, ValidationError
from distcrm.forecast import BetaGeoModel, GammaGammaModel, ModifiedBetaGeoModel
from distcrm.scale import CustomerScores, customer_summaries, score_customers

RTOL = 1e-12  # documented: floating-point reordering only (see docs/scale-out.md)


def _reference(log: TransactionLog, **kw: Any) -> pd.DataFrame:
    return log.summary(**kw).to_frame().reset_index()


def test_summaries_equal_single_machine(client: Any, parts: Path, log: TransactionLog) -> None:
    """Per-partition summaries, concatenated, equal the single-machine summary exactly, in id order."""
    expected = _reference(log, unit="W")
    actual = customer_summaries(parts, unit="W", client=client).compute().reset_index(drop=True)
    pd.testing.assert_frame_equal(expected.astype(actual.dtypes.to_dict()), actual, check_exact=True)


def test_summaries_hash_partitioned(client: Any, hashed: Path, log: TransactionLog) -> None:
    """Overlapping id ranges still give the same customers and values (sorted per partition)."""
    expected = _reference(log, unit="D", period="D", monetary="quantity")
    actual = customer_summaries(hashed, unit="D", period="D", monetary="quantity", client=client).compute()
    actual = actual.sort_values("customer_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(expected.astype(actual.dtypes.to_dict()), actual, check_exact=True)


def test_summaries_holdout_default_scheduler(parts: Path, log: TransactionLog) -> None:
    """With a calibration end and no client (default scheduler) the holdout columns match too."""
    kw = {"unit": "W", "period": "D", "calibration_end": "2023-09-30"}
    expected = _reference(log, **kw)
    actual = customer_summaries(parts, **kw).compute(scheduler="sync").reset_index(drop=True)
    pd.testing.assert_frame_equal(expected.astype(actual.dtypes.to_dict()), actual, check_exact=True)


def test_summaries_written_to_parquet(client: Any, parts: Path, log: TransactionLog, tmp_path: Path) -> None:
    """With ``output`` the summaries are written as Parquet and the path comes back."""
    out = customer_summaries(parts, client=client, output=tmp_path / "out", observation_end=log.end)
    assert str(tmp_path / "out") == out
    back = pd.read_parquet(out).sort_values("customer_id").reset_index(drop=True)
    assert log.n_customers == len(back)
    np.testing.assert_array_equal(log.summary().frequency, back["frequency"].to_numpy())


def test_summaries_bad_source(tmp_path: Path) -> None:
    """A source without Parquet files raises a ValidationError naming it."""
    with pytest.raises(ValidationError) as err:
        customer_summaries(tmp_path)
    assert "$.source" == err.value.errors[0].path


def _single_machine(log: TransactionLog, model: Any, t: float) -> dict[str, Any]:
    s = log.summary("W")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pm = model.fit(s)
        gg = GammaGammaModel().fit(s)
    return {
        "summary": s,
        "pm": pm,
        "gg": gg,
        "expected_purchases": pm.expected_purchases(t, s),
        "p_alive": pm.p_alive(s),
        "expected_spend": gg.expected_spend(s),
        "clv": pm.clv(s, spend=gg),
    }


@pytest.mark.parametrize("model", [BetaGeoModel(), ModifiedBetaGeoModel()], ids=["bgnbd", "mbgnbd"])
def test_scores_equal_single_machine(client: Any, parts: Path, log: TransactionLog, model: Any) -> None:
    """Fitted parameters are identical; expected purchases, P(alive) and CLV equal to rtol 1e-12."""
    ref = _single_machine(log, model, 4.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = score_customers(parts, purchase_model=model, t=4.0, client=client)
    assert isinstance(res, CustomerScores)
    assert ref["pm"].params_ == res.purchase_model.params_
    assert ref["gg"].params_ == res.spend_model.params_
    out = res.scores.compute().reset_index(drop=True)
    assert ref["summary"].customer_ids.tolist() == out["customer_id"].tolist()
    for col in ("expected_purchases", "p_alive", "expected_spend", "clv"):
        np.testing.assert_allclose(ref[col], out[col].to_numpy(), rtol=RTOL, atol=0, err_msg=col)
    assert len(log.summary()) == res.n_customers


def test_scores_hash_partitioned_to_parquet(
    client: Any, hashed: Path, log: TransactionLog, tmp_path: Path
) -> None:
    """Overlapping id ranges: the ids are sorted on the driver and the fit is still identical."""
    ref = _single_machine(log, BetaGeoModel(), 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = score_customers(hashed, client=client, output=tmp_path / "scores")
    assert ref["pm"].params_ == res.purchase_model.params_
    assert res.scores is None
    out = pd.read_parquet(res.path).sort_values("customer_id").reset_index(drop=True)
    np.testing.assert_allclose(ref["clv"], out["clv"].to_numpy(), rtol=RTOL, atol=0)


def test_scores_without_clv_needs_no_money(client: Any, parts: Path) -> None:
    """``clv=False`` with ``monetary=None`` fits only the purchase model; CLV needs money."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = score_customers(parts, clv=False, monetary=None, client=client)
    assert res.spend_model is None
    assert "clv" not in res.scores.columns
    with pytest.raises(ValidationError) as err:
        score_customers(parts, monetary=None)
    assert "$.monetary" == err.value.errors[0].path
