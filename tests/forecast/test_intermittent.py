"""Intermittent methods against statsforecast 2.1.1 reference forecasts (fixtures)."""

from __future__ import annotations

import collections
import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.data import DemandPanel
from distcrm.forecast import ADIDA, IMAPA, TSB, Croston, CrostonOptimized, CrostonSBA

DATA = Path(__file__).parents[1] / "data" / "forecast"
MODELS: dict[str, Callable[..., Any]] = {
    "Croston": Croston,
    "CrostonSBA": CrostonSBA,
    "CrostonOptimized": CrostonOptimized,
    "TSB": lambda **kw: TSB(alpha_d=0.2, alpha_p=0.1, **kw),
    "ADIDA": ADIDA,
    "IMAPA": IMAPA,
}
#: both implementations: NumPy, and the compiled kernels of the ``speed`` extra
ENGINES = ["numpy", "numba"]


def _reference() -> dict[tuple[str, str], dict[str, float]]:
    ref: dict[tuple[str, str], dict[str, float]] = collections.defaultdict(dict)
    with (DATA / "statsforecast_intermittent.csv").open() as f:
        for r in csv.DictReader(f):
            ref[(r["group"], r["method"])][r["series_id"]] = float(r["forecast"])
    return ref


def _edge_panels() -> dict[str, DemandPanel]:
    groups: dict[str, dict[str, list[float]]] = collections.defaultdict(dict)
    with (DATA / "edge_series.csv").open() as f:
        for r in csv.DictReader(f):
            groups[r["group"]][r["series_id"]] = [float(v) for v in r["values"].split()]
    return {g: DemandPanel.from_array(list(s.values()), series_ids=list(s)) for g, s in groups.items()}


REF = _reference()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("method", list(MODELS))
def test_matches_statsforecast_on_carparts(method: str, engine: str, carparts: DemandPanel) -> None:
    """Every intermittent method, on either engine, reproduces statsforecast on the 1,256 complete carparts series."""
    train = carparts.window(0, 39)
    model = MODELS[method](engine=engine).fit(train)
    assert engine == model.engine_
    got = model.predict(3).mean
    expected = np.array([REF[("carparts39", method)][s] for s in train.series_ids])
    np.testing.assert_allclose(got[:, 0], expected, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(got[:, 0], got[:, 2])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("method", list(MODELS))
def test_matches_statsforecast_on_edge_series(method: str, engine: str) -> None:
    """All-zero, single-demand, first/last-period, leading-zero, constant, short and non-integer series match."""
    for group, panel in _edge_panels().items():
        got = MODELS[method](engine=engine).fit(panel).predict(1).mean[:, 0]
        expected = np.array([REF[(group, method)][s] for s in panel.series_ids])
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9, err_msg=group)


def test_all_zero_forecasts_zero() -> None:
    """An all-zero series forecasts 0 with a zero-width interval under every method."""
    panel = DemandPanel.from_array([[0.0] * 10, [0, 1, 0, 0, 2, 0, 0, 1, 0, 0]])
    for make in MODELS.values():
        fc = make().fit(panel).predict(2)
        assert [0.0, 0.0] == fc.mean[0].tolist()
        assert [0.0, 0.0] == fc.interval(0.9)[1][0].tolist()


def test_sba_is_095_croston() -> None:
    """SBA is exactly 0.95 times Croston."""
    panel = DemandPanel.from_array([[0, 3, 0, 0, 1, 0, 5, 0, 0, 2]])
    c = Croston().fit(panel).predict(1).mean
    s = CrostonSBA().fit(panel).predict(1).mean
    np.testing.assert_allclose(0.95 * c, s, rtol=1e-15)


def test_tsb_rejects_bad_alpha() -> None:
    """TSB names the bad smoothing weight."""
    from distcrm.errors import ValidationError

    panel = DemandPanel.from_array([[0, 1, 0, 2]])
    with pytest.raises(ValidationError) as exc:
        TSB(alpha_d=1.5, alpha_p=0.1).fit(panel)
    assert "$.alpha_d" == exc.value.field


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("make", [Croston, lambda **kw: TSB(alpha_d=0.2, alpha_p=0.1, **kw), IMAPA])
@pytest.mark.parametrize("where", [0, 299, 5000])
def test_count_data_sees_one_fraction_anywhere(make: Callable[..., Any], where: int, engine: str) -> None:
    """One non-integer demand in any sub-block or block makes the forecast family normal."""
    rng = np.random.default_rng(1)
    y = rng.poisson(0.5, (5003, 20)).astype(np.float64)
    assert make(engine=engine).fit(DemandPanel.from_array(y)).count_data_
    y[where, 3] = 1.5
    fc = make(engine=engine).fit(DemandPanel.from_array(y))
    assert not fc.count_data_
    assert "normal" == fc.predict(1).family


def _intermittent_panel(seed: int, n: int, t: int, *, fractional: bool = False) -> DemandPanel:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.0, 0.7, size=(n, 1))
    sizes = rng.poisson(3.0, (n, t)) + 1.0
    if fractional:
        sizes = sizes * rng.uniform(0.5, 1.5, (n, t))
    return DemandPanel.from_array(np.where(rng.random((n, t)) < p, sizes, 0.0))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 40),
    t=st.integers(1, 30),
    fractional=st.booleans(),
    method=st.sampled_from(list(MODELS)),
)
def test_engines_agree(seed: int, n: int, t: int, fractional: bool, method: str) -> None:
    """The compiled kernels and the NumPy path give the same forecasts (the optimised weights bit for bit)."""
    panel = _intermittent_panel(seed, n, t, fractional=fractional)
    a = MODELS[method](engine="numpy").fit(panel)
    b = MODELS[method](engine="numba").fit(panel)
    np.testing.assert_allclose(a.level_, b.level_, rtol=1e-12, atol=1e-12)
    if method == "CrostonOptimized":
        np.testing.assert_array_equal(a.alpha_demand_, b.alpha_demand_)
        np.testing.assert_array_equal(a.alpha_interval_, b.alpha_interval_)
    if method in ("CrostonOptimized", "ADIDA", "IMAPA"):  # the same operations in the same order
        np.testing.assert_array_equal(a.level_, b.level_)
    np.testing.assert_allclose(a.sigma2_, b.sigma2_, rtol=1e-12, atol=1e-12)
    assert a.count_data_ == b.count_data_


@pytest.mark.parametrize("method", list(MODELS))
def test_threads_give_the_same_forecasts(method: str) -> None:
    """``n_jobs=2`` (threads over chunks of series) gives exactly the forecasts of one thread."""
    panel = _intermittent_panel(3, 9000, 26, fractional=method == "IMAPA")
    one = MODELS[method](engine="numba").fit(panel).level_
    two = MODELS[method](engine="numba", n_jobs=2).fit(panel).level_
    np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize(
    "bad", [{"engine": "cuda"}, {"engine": None}, {"n_jobs": 0}, {"n_jobs": 1.5}, {"n_jobs": True}]
)
def test_bad_engine_or_n_jobs_is_named(bad: dict[str, Any]) -> None:
    """An unknown engine or a bad n_jobs raises ValidationError naming it."""
    from distcrm.errors import ValidationError

    panel = DemandPanel.from_array([[0, 1, 0, 2]])
    with pytest.raises(ValidationError) as exc:
        Croston(**bad).fit(panel)
    assert f"$.{next(iter(bad))}" == exc.value.field


def _hand_built(y: np.ndarray) -> DemandPanel:
    """A panel that bypasses ``from_array``'s checks (NaN is allowed there; negatives are not)."""
    return DemandPanel(values=y, series_ids=np.array([f"s{i}" for i in range(y.shape[0])], dtype=object))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("method", sorted(MODELS))
@pytest.mark.parametrize("bad", [float("nan"), -2.0])
def test_nan_or_negative_demand_is_named(bad: float, method: str, engine: str) -> None:
    """NaN or negative demand raises the ValidationError that names the series and period, on
    either engine (these methods look for them in their own pass over the values)."""
    from distcrm.errors import ValidationError

    y = np.random.default_rng(1).poisson(1.0, (6, 20)).astype(float)
    y[4, 13] = bad
    with pytest.raises(ValidationError) as exc:
        MODELS[method](engine=engine).fit(_hand_built(y))
    assert "$.panel.values['s4'][13]" == exc.value.field
    assert ("missing value" if bad != bad else "demand must be >= 0") in str(exc.value)


@pytest.mark.parametrize("method", ["CrostonOptimized", "ADIDA", "IMAPA"])
def test_bad_value_in_a_later_block_is_found(method: str) -> None:
    """The compiled path takes the series in blocks; a NaN in the last block is still named."""
    from distcrm.errors import ValidationError
    from distcrm.forecast._intermittent import _BLOCK

    y = np.zeros((_BLOCK + 2, 5))
    y[:, 1] = 1.0
    y[_BLOCK + 1, 3] = float("nan")
    with pytest.raises(ValidationError) as exc:
        MODELS[method](engine="numba").fit(_hand_built(y))
    assert f"$.panel.values['s{_BLOCK + 1}'][3]" == exc.value.field


def test_auto_falls_back_to_numpy_without_numba(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without numba, ``engine="auto"`` runs NumPy and ``engine="numba"`` names the ``speed`` extra."""
    import importlib.util

    from distcrm.errors import MissingDependencyError

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "numba" else real(name, *a)
    )
    monkeypatch.setitem(__import__("sys").modules, "numba", None)  # import numba -> ImportError
    panel = DemandPanel.from_array([[0, 1, 0, 2, 0, 0, 3]])
    assert "numpy" == CrostonOptimized().fit(panel).engine_
    with pytest.raises(MissingDependencyError, match="speed"):
        CrostonOptimized(engine="numba").fit(panel)


def test_compiled_golden_section_spans_chunks_and_ragged_columns() -> None:
    """The compiled golden-section search equals the NumPy one bit for bit over several
    chunks whose columns end anywhere inside a group of four steps (1 to 61 values)."""
    from distcrm.forecast import _numba as compiled
    from distcrm.forecast import _sesops as ops

    rng = np.random.default_rng(11)
    m = 3 * compiled.CHUNK + 77
    k = np.sort(rng.integers(1, 62, m))[::-1].copy()
    xt = np.zeros((int(k[0]), m))
    for j in range(m):
        xt[: k[j], j] = rng.poisson(3.0, k[j]) + rng.uniform(0.0, 1.0, k[j]) * (j % 2)
    want = ops.golden_section_ses(xt, k)
    np.testing.assert_array_equal(compiled.golden_section_ses(xt, k), want)
    np.testing.assert_array_equal(compiled.golden_section_ses(xt, k, n_threads=2), want)
    np.testing.assert_array_equal(compiled.ses_forecast(xt, k, want), ops.ses_forecast(xt, k, want))


@settings(max_examples=50, deadline=None)
@given(
    keys=st.lists(st.integers(-(2**16), 2**16), max_size=300) | st.lists(st.integers(0, 104), max_size=300),
    descending=st.booleans(),
)
def test_stable_order_is_numpys_stable_argsort(keys: list[int], descending: bool) -> None:
    """The radix shortcut for small keys orders exactly like ``np.argsort(kind="stable")``."""
    from distcrm.forecast._sesops import stable_order

    k = np.array(keys, dtype=np.int64)
    want = np.argsort(-k if descending else k, kind="stable")
    np.testing.assert_array_equal(stable_order(k, descending=descending), want)


def _families(rng: np.random.Generator, t: int, m: int) -> np.ndarray:
    """Columns whose optimised weight sits at 0.1, at 0.3, just inside either bound or in
    between: white noise (low bound), random walks (high bound) and mixtures of the two at
    scales from 0.01 to 1, some shifted below zero, some lumpy."""
    scale = np.geomspace(0.01, 1.0, m)
    walk = np.cumsum(rng.normal(0.0, 1.0, (t, m)), axis=0) * scale
    x = rng.poisson(3.0, (t, m)) + walk
    x[:, 1::7] -= 5.0
    x[:, 2::7] *= rng.random((t, m))[:, 2::7] < 0.3
    return np.ascontiguousarray(x)


def test_compiled_golden_section_certified_paths_equal_numpy() -> None:
    """Columns heading for a bound finish without evaluations once their remaining comparisons
    are proved (or resume where a proof fails); the weights stay bit-identical to NumPy's,
    also for columns whose optimum lies just inside a bound, where no proof may hold."""
    from distcrm.forecast import _numba as compiled
    from distcrm.forecast import _sesops as ops

    rng = np.random.default_rng(5)
    t, m = 104, 4 * compiled.CHUNK
    xt = _families(rng, t, m)
    k = np.full(m, t)
    want = ops.golden_section_ses(xt, k)
    np.testing.assert_array_equal(compiled.golden_section_ses(xt, k), want)
    np.testing.assert_array_equal(compiled.golden_section_ses(xt, k, n_threads=2), want)
    inside = ((want > 0.1 + 1e-9) & (want < 0.105)) | ((want < 0.3 - 1e-9) & (want > 0.295))
    assert inside.sum() >= 20
    assert (want < 0.1 + 1e-9).sum() >= 200
    assert (want > 0.3 - 1e-9).sum() >= 20

    # the certification is exercised on both sides, finishing and resuming columns
    x = np.zeros((t + 2, compiled.CHUNK))
    x[:t] = xt[:, ::4]  # one chunk across all scales
    want = want[::4]
    kl = k[::4].copy()
    w = compiled._widths(kl)
    mm = compiled.CHUNK
    a, b = np.full(mm, 0.1), np.full(mm, 0.3)
    c, d = b - (b - a) / compiled._GR, a + (b - a) / compiled._GR
    fc, fd, f = np.empty(mm), np.empty(mm), np.empty(mm)
    compiled._sse(x, w, c, f, fc)
    compiled._sse(x, w, d, f, fd)
    active, out, resumed = np.ones(mm, dtype=bool), np.empty(mm), np.zeros(mm, dtype=bool)
    assert compiled._golden_run(x, w, a, b, c, d, fc, fd, active, out, compiled._CERT_AFTER) > 0
    # leaving early, the loop hands back the SSE at the bracket's current points (the
    # certification compares them, and the resumed search starts from them)
    at_c, at_d = np.empty(mm), np.empty(mm)
    compiled._sse(x, w, c, f, at_c)
    compiled._sse(x, w, d, f, at_d)
    np.testing.assert_array_equal(fc[active], at_c[active])
    np.testing.assert_array_equal(fd[active], at_d[active])
    before = active.copy()
    assert compiled._certify(x, w, kl, 0.1, 0.3, a, b, c, d, fc, fd, active, out, resumed) > 0
    finished = before & ~active
    assert (finished & (want < 0.2)).any()
    assert (finished & (want > 0.2)).any()
    assert resumed.any()
    np.testing.assert_array_equal(out[finished], want[finished])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), t=st.integers(2, 60), m=st.integers(1, 300))
def test_compiled_golden_section_equals_numpy_property(seed: int, t: int, m: int) -> None:
    """Any series mix and length: the compiled search (certification included) is NumPy's."""
    from distcrm.forecast import _numba as compiled
    from distcrm.forecast import _sesops as ops

    xt = _families(np.random.default_rng(seed), t, m)
    k = np.full(m, t)
    np.testing.assert_array_equal(compiled.golden_section_ses(xt, k), ops.golden_section_ses(xt, k))


@settings(max_examples=60, deadline=None)
@given(lengths=st.lists(st.integers(1, 120), max_size=80))
def test_widths_count_the_longer_columns(lengths: list[int]) -> None:
    """``_widths(kl)[i]`` is the number of columns longer than ``i`` (``kl`` descending)."""
    from distcrm.forecast import _numba as compiled

    kl = np.array(sorted(lengths, reverse=True), dtype=np.int64)
    want = [int((kl > i).sum()) for i in range(max(int(kl[0]), 1) if kl.size else 1)]
    assert compiled._widths(kl).tolist() == want


def test_golden_finish_gathers_the_columns_still_searching() -> None:
    """Run to the end, the columns still searching move into narrower chunks once half of
    a chunk is done; the weights are those of the plain lock-step loop, bit for bit."""
    from distcrm.forecast import _numba as compiled

    rng = np.random.default_rng(8)
    mm = compiled.CHUNK
    kl = np.sort(rng.integers(2, 70, mm))[::-1].copy()
    w = compiled._widths(kl)
    x = np.zeros((int(kl[0]) + 2, mm))
    fam = _families(rng, int(kl[0]), mm)
    for j in range(mm):
        x[: kl[j], j] = fam[: kl[j], j]
    # columns part of the way (40, 30 or 16 evaluations) finish at different times: the
    # first group lets the chunk shrink, the second the narrower one, the third ends it
    states = []
    for n_evals in (40, 30, 16):
        a, b = np.full(mm, 0.1), np.full(mm, 0.3)
        c, d = b - (b - a) / compiled._GR, a + (b - a) / compiled._GR
        fc, fd, f = np.empty(mm), np.empty(mm), np.empty(mm)
        compiled._sse(x, w, c, f, fc)
        compiled._sse(x, w, d, f, fd)
        active, out = np.ones(mm, dtype=bool), np.full(mm, np.nan)
        assert compiled._golden_run(x, w, a, b, c, d, fc, fd, active, out, n_evals) > 0
        states.append((a, b, c, d, fc, fd, active, out))
    group = np.minimum(np.arange(mm) % 10 // 5 + np.arange(mm) % 10 // 8, 2)  # 5 : 3 : 2
    a, b, c, d, fc, fd, active, out = (np.choose(group, vals) for vals in zip(*states, strict=True))
    active[::20] = False  # as if proved: some columns are done already
    out[::20] = -1.0
    plain = [v.copy() for v in (a, b, c, d, fc, fd, active, out)]
    assert compiled._golden_run(x, w, *plain[:7], plain[7], 1 << 30) == 0
    half = int(active.sum()) // 2
    early = [v.copy() for v in (a, b, c, d, fc, fd, active, out)]
    left = compiled._golden_run(x, w, *early[:7], early[7], 1 << 30, half)
    assert 0 < left <= half  # the early return the gathering relies on
    compiled._golden_finish(x, w, kl, a, b, c, d, fc, fd, active, out)
    np.testing.assert_array_equal(out, plain[7])
    assert not np.isnan(out).any()


@pytest.mark.parametrize("n_threads", [1, 2])
def test_bucket_ses_levels_equals_one_level_at_a_time(n_threads: int) -> None:
    """IMAPA's fused kernel (each chunk's rows read once, every level's bucket sums added
    from the level-1 chunk) gives, level by level, the forecasts of ``bucket_ses``."""
    from distcrm.forecast import _numba as compiled

    rng = np.random.default_rng(4)
    n, t = 2 * compiled.CHUNK + 300, 53
    y = np.where(rng.random((n, t)) < rng.uniform(0.05, 0.7, (n, 1)), rng.poisson(3.0, (n, t)) + 1.0, 0.0)
    top = np.sort(rng.integers(1, 14, n))[::-1].copy()
    top[: compiled.CHUNK + 5] = np.maximum(top[: compiled.CHUNK + 5], 3)
    series = rng.permutation(n)
    got = compiled.bucket_ses_levels(y, series, top, 9, n_threads)
    assert len(got) == 9
    for lv, fc in enumerate(got, start=1):
        m = int((top >= lv).sum())
        want = compiled.bucket_ses(y, series[:m], np.full(m, lv, dtype=np.int64))
        np.testing.assert_array_equal(fc, want)
