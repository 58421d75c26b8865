"""Purchase and spend models: published CDNOW fits, predictions, degenerate fits, bad input."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.data import CustomerSummary
from distcrm.errors import ConvergenceWarning, NotFittedError, ValidationError
from distcrm.forecast import BetaGeoModel, GammaGammaModel, ModifiedBetaGeoModel, ParetoNBDModel
from distcrm.forecast._purchase._betageo import beta_expectation_quadrature

DATA = Path(__file__).resolve().parents[2] / "src" / "distcrm" / "datasets" / "data" / "clv"


def sig3(v: float) -> str:
    return f"{v:.3g}"


@pytest.fixture(scope="module")
def cdnow() -> CustomerSummary:
    d = np.loadtxt(DATA / "cdnow_customers_summary.csv", delimiter=",", skiprows=1)
    return CustomerSummary.from_arrays(
        frequency=d[:, 1], recency=d[:, 2], T=d[:, 3], customer_ids=d[:, 0].astype(int).astype(str)
    )


@pytest.fixture(scope="module")
def bg(cdnow: CustomerSummary) -> BetaGeoModel:
    return BetaGeoModel().fit(cdnow)


@pytest.fixture(scope="module")
def pareto(cdnow: CustomerSummary) -> ParetoNBDModel:
    return ParetoNBDModel().fit(cdnow)


def test_bgnbd_matches_published_cdnow_fit(bg: BetaGeoModel) -> None:
    """BG/NBD on the CDNOW sample: r=0.243, α=4.414, a=0.793, b=2.426, LL=-9582.4 (Fader, Hardie & Lee 2005)."""
    expected = {"r": "0.243", "alpha": "4.41", "a": "0.793", "b": "2.43"}
    assert expected == {k: sig3(v) for k, v in bg.params_.items()}
    assert -9582.4 == round(bg.log_likelihood_, 1)
    assert bg.converged_


def test_bgnbd_conditional_expectation_published(bg: BetaGeoModel) -> None:
    """E[Y(39) | x=2, t_x=30.43, T=38.86] = 1.226 for the published BG/NBD fit."""
    one = CustomerSummary.from_arrays(frequency=[2], recency=[30.43], T=[38.86])
    assert "1.226" == f"{bg.expected_purchases(39, one)[0]:.3f}"


def test_bgnbd_standard_errors_are_positive(bg: BetaGeoModel) -> None:
    """Standard errors from the Hessian are finite and positive, r's near lifetimes' 0.0126."""
    assert all(v > 0 and np.isfinite(v) for v in bg.standard_errors_.values())
    assert "0.0126" == f"{bg.standard_errors_['r']:.3g}"


def test_pareto_nbd_matches_published_cdnow_fit(pareto: ParetoNBDModel) -> None:
    """Pareto/NBD on CDNOW: r=0.553, α=10.578, s=0.606, β=11.669, LL=-9595.0."""
    expected = {"r": "0.553", "alpha": "10.6", "s": "0.606", "beta": "11.7"}
    assert expected == {k: sig3(v) for k, v in pareto.params_.items()}
    assert -9595.0 == round(pareto.log_likelihood_, 1)


def test_gamma_gamma_matches_published_cdnow_fit() -> None:
    """Gamma-Gamma on the repeat customers' mean spend: p=6.25, q=3.74, γ=15.44."""
    d = np.loadtxt(DATA / "cdnow_customers_summary_with_transactions.csv", delimiter=",", skiprows=1)
    s = CustomerSummary.from_arrays(
        frequency=d[:, 1], recency=d[:, 2], T=d[:, 3], monetary_value=np.where(d[:, 1] > 0, d[:, 4], np.nan)
    )
    m = GammaGammaModel().fit(s)
    assert {"p": "6.25", "q": "3.74", "gamma": "15.4"} == {k: sig3(v) for k, v in m.params_.items()}
    spend = m.expected_spend(s)
    assert np.isclose(m.population_mean_spend(), spend[d[:, 1] == 0][0])


def test_pmf_sums_to_one_and_matches_mean(bg: BetaGeoModel, pareto: ParetoNBDModel) -> None:
    """P(k purchases in t) sums to 1 over k and its mean equals expected_purchases, for both models."""
    one = CustomerSummary.from_arrays(frequency=[2, 0, 7], recency=[30.43, 0, 35.0], T=[38.86, 20.0, 38.86])
    for m in (bg, pareto):
        probs = np.array([m.probability_of_purchases(k, 39, one) for k in range(200)])
        np.testing.assert_allclose(np.ones(3), probs.sum(0), atol=1e-8)
        np.testing.assert_allclose(
            m.expected_purchases(39, one), (np.arange(200)[:, None] * probs).sum(0), rtol=1e-6
        )


def test_modified_bg_fits_and_never_assumes_zero_repeaters_alive(cdnow: CustomerSummary) -> None:
    """MBG/NBD fits CDNOW (LL above BG/NBD's) and gives P(alive) < 1 to customers without repeats."""
    m = ModifiedBetaGeoModel().fit(cdnow)
    assert m.log_likelihood_ > -9583.0
    assert (m.p_alive(cdnow)[cdnow.frequency == 0] < 1).all()


def test_clv_discounting_and_margin(bg: BetaGeoModel, cdnow: CustomerSummary) -> None:
    """CLV scales with margin, falls with the discount rate and equals expected purchases × spend at d=0."""
    sub = cdnow.take(np.arange(50))
    base = bg.clv(sub, spend=10.0, horizon=12, discount_rate=0.0)
    months = 12 * 365.25 / 7 / 12
    np.testing.assert_allclose(bg.expected_purchases(months, sub) * 10.0, base, rtol=1e-10)
    np.testing.assert_allclose(base * 0.3, bg.clv(sub, spend=10.0, discount_rate=0.0, margin=0.3))
    assert (bg.clv(sub, spend=10.0, discount_rate=0.05) <= base + 1e-12).all()


def test_churn_risk_flags_low_p_alive(bg: BetaGeoModel, cdnow: CustomerSummary) -> None:
    """churn_risk is exactly P(alive) < threshold."""
    np.testing.assert_array_equal(bg.p_alive(cdnow) < 0.3, bg.churn_risk(cdnow, 0.3))


def test_predict_result_frame_and_html(bg: BetaGeoModel, cdnow: CustomerSummary) -> None:
    """predict() returns a result with to_frame and an HTML table."""
    res = bg.predict(cdnow, 10)
    df = res.to_frame()
    assert ["expected_purchases", "p_alive", "churn_risk"] == list(df.columns)
    assert len(cdnow) == len(df)
    assert "<table>" in res._repr_html_()


def test_evaluate_calibration_holdout_on_cdnow_log() -> None:
    """On the CDNOW sample log (39 weeks + 39 holdout) the per-bucket means track the actuals."""
    raw = np.loadtxt(DATA / "CDNOW_sample.txt", dtype=str)
    from distcrm.data import TransactionLog

    log = TransactionLog.from_arrays(
        customer=raw[:, 0],
        timestamp=np.array([f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in raw[:, 2]], dtype="datetime64[D]"),
        amount=raw[:, 4].astype(float),
    )
    s = log.summary(unit="W", period="D", calibration_end="1997-09-30", observation_end="1998-06-30")
    m = BetaGeoModel().fit(s)
    ev = m.evaluate(s)
    assert abs(ev.aggregate_error) < 0.15
    assert 8 == len(ev.buckets)
    assert 0 < ev.mae < 1.5


def test_unfitted_model_raises() -> None:
    """Predicting before fit raises NotFittedError."""
    with pytest.raises(NotFittedError):
        BetaGeoModel().p_alive(CustomerSummary.from_arrays(frequency=[1], recency=[1], T=[2]))


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"frequency": [1, 2], "recency": [-1.0, 2], "T": [3, 3]}, "$.recency['0']"),
        ({"frequency": [1, 2], "recency": [4.0, 2], "T": [3, 3]}, "$.recency['0']"),
        ({"frequency": [1.5, 2], "recency": [1.0, 2], "T": [3, 3]}, "$.frequency['0']"),
        ({"frequency": [], "recency": [], "T": []}, "$.frequency"),
    ],
)
def test_bad_summaries_name_the_customer(kwargs: dict[str, list[float]], path: str) -> None:
    """Negative recency, recency > T, non-integer frequency and empty data raise naming the row."""
    with pytest.raises(ValidationError) as err:
        CustomerSummary.from_arrays(**kwargs)
    assert path == err.value.field


def test_fit_rejects_non_summary_and_bad_penalizer(cdnow: CustomerSummary) -> None:
    """fit() validates its input and its hyper-parameters."""
    with pytest.raises(ValidationError):
        BetaGeoModel().fit([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as err:
        BetaGeoModel(penalizer=-1).fit(cdnow)
    assert "$.penalizer" == err.value.field


def test_penalizer_shrinks_parameters(cdnow: CustomerSummary, bg: BetaGeoModel) -> None:
    """An L2 penalty pulls the parameters towards 0 (alpha shrinks)."""
    pen = BetaGeoModel(penalizer=0.01).fit(cdnow)
    assert pen.params_["alpha"] < bg.params_["alpha"]


def test_degenerate_fit_warns_and_stays_finite() -> None:
    """Data where nobody churns drives a to ~0: a ConvergenceWarning, and finite predictions."""
    rng = np.random.default_rng(3)
    n = 3000
    T = rng.uniform(30, 60, n)
    x = rng.poisson(0.3 * T).astype(float)
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), 1), 0.0)
    s = CustomerSummary.from_arrays(frequency=x, recency=tx, T=T)
    with pytest.warns(ConvergenceWarning, match="degenerate"):
        m = BetaGeoModel().fit(s)
    assert m.degenerate_
    for arr in (m.expected_purchases(92, s), m.p_alive(s), m.clv(s, spend=1.0)):
        assert np.isfinite(arr).all()


@settings(max_examples=40, deadline=None)
@given(
    a=st.floats(0.005, 5.0),
    b=st.floats(0.5, 50.0),
    x=st.integers(0, 60),
    t=st.floats(0.1, 200.0),
    T=st.floats(0.0, 100.0),
)
def test_closed_form_expectation_matches_quadrature(a: float, b: float, x: int, t: float, T: float) -> None:
    """The Euler-transformed 2F1 conditional expectation equals Gauss–Jacobi quadrature."""
    m = BetaGeoModel()
    m.params_ = {"r": 0.5, "alpha": 5.0, "a": a, "b": b}
    xs, ts, Ts = np.array([float(x)]), np.array([t]), np.array([T])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        closed = m._expected_alive(ts, xs, Ts)
    ref = beta_expectation_quadrature(a, b + xs, 0.5 + xs, ts / (5.0 + Ts), n_nodes=200)
    np.testing.assert_allclose(ref, closed, rtol=1e-5)


def test_pareto_quadrature_likelihood_equals_closed_form(cdnow: CustomerSummary) -> None:
    """The Gauss–Legendre Pareto/NBD likelihood equals the hypergeometric closed form at varied parameters."""
    from distcrm.forecast._purchase._rows import Rows

    rows = Rows.from_summary(cdnow)
    m = ParetoNBDModel()
    for p in ([0.553, 10.58, 0.606, 11.67], [2.0, 1.0, 0.3, 0.5], [0.5, 50.0, 3.0, 2.0]):
        q = np.array(p)
        with np.errstate(all="ignore"):
            closed = m._ll_rows(q, rows)
        assert closed == pytest.approx(m._loglik(q, rows, 0)[0], rel=1e-11)


@pytest.mark.parametrize("cls", [BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel])
def test_analytic_gradient_and_hessian_match_finite_differences(cdnow: CustomerSummary, cls: type) -> None:
    """The analytic gradient and Hessian of each purchase model agree with central differences."""
    from distcrm.forecast._purchase._rows import Rows

    rows = Rows.from_summary(cdnow)
    m = cls()
    p = np.array([0.4, 6.0, 0.9, 3.0])
    _, g, H = m._loglik(p, rows, 2)
    for j in range(4):
        e = np.zeros(4)
        e[j] = 1e-6 * p[j]
        fd_g = (m._loglik(p + e, rows, 0)[0] - m._loglik(p - e, rows, 0)[0]) / (2 * e[j])
        fd_h = (m._loglik(p + e, rows, 1)[1] - m._loglik(p - e, rows, 1)[1]) / (2 * e[j])
        assert fd_g == pytest.approx(g[j], rel=1e-5, abs=1e-3)
        np.testing.assert_allclose(H[:, j], fd_h, rtol=1e-5, atol=1e-3)


def test_large_fit_starts_from_subsample_and_matches_simulation() -> None:
    """A 100k-customer BG/NBD fit (subsample start, Newton polish) recovers the simulated parameters."""
    from distcrm.forecast._purchase._simulate import simulate_bgnbd

    s = simulate_bgnbd(100_000, r=0.25, alpha=4.0, a=0.8, b=2.5, seed=5)
    m = BetaGeoModel().fit(s)
    assert m.converged_
    for k, v in {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}.items():
        assert v == pytest.approx(m.params_[k], abs=4 * m.standard_errors_[k])


def test_pareto_quadrature_is_accurate_over_a_wide_parameter_box(cdnow: CustomerSummary) -> None:
    """Across random parameters in [0.02, 100]^4 the quadrature likelihood stays within 1e-8 of the closed form."""
    from distcrm.forecast._purchase._rows import Rows

    rows = Rows.from_summary(cdnow)
    m = ParetoNBDModel()
    rng = np.random.default_rng(0)
    for _ in range(40):
        q = np.exp(rng.uniform(np.log(0.02), np.log(100.0), 4))
        with np.errstate(all="ignore"):
            closed = m._ll_rows(q, rows)
        assert closed == pytest.approx(m._loglik(q, rows, 0)[0], rel=1e-8)
