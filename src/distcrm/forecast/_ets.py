"""Exponential smoothing in state-space form: ``SES``, ``Holt``, ``HoltWinters`` and ``ETS``.

One vectorised engine runs the ETS recursions (Hyndman et al. 2008) for every series
and many candidate parameter vectors at once: arrays of shape ``(n_series, n_candidates)``,
a loop over time. Parameters are estimated per series by a coarse grid followed by a
vectorised compass (pattern) search, all series in lock step; no per-series optimiser
calls.

Forms: error additive or multiplicative; trend none, additive or additive damped
(no multiplicative trend, as R ``forecast::ets`` and statsforecast by default);
seasonality none, additive or multiplicative. With raw errors ``e = y - yhat`` the
state updates of additive- and multiplicative-error models coincide; the error type
changes the likelihood (``n log SSE`` versus ``n log sum (e/yhat)^2 + 2 sum log|yhat|``)
and hence the estimates and the AICc. Multiplicative forms are only considered for
strictly positive series. Estimated: smoothing weights, damping, initial level and
trend; initial seasonal states come from the first two seasons (counted in the AICc).
"""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np
import numpy.typing as npt

from distcrm.errors import ValidationError
from distcrm.forecast._base import BaseForecaster, check_fraction, check_int

__all__ = ["ETS", "SES", "Holt", "HoltWinters"]

FloatArray = npt.NDArray[np.float64]

# parameter vector columns
_A, _B, _G, _P, _L0, _B0 = range(6)
_NPAR = 6


def _initial_states(y: FloatArray, m: int, season: str) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Heuristic initial level, trend and seasonal states (n,), (n,), (n, m)."""
    n, t = y.shape
    if season != "N":
        first = y[:, :m].mean(axis=1)
        second = y[:, m : 2 * m].mean(axis=1)
        l0 = first
        b0 = (second - first) / m
        if season == "A":
            s0 = y[:, :m] - first[:, None]
            s0 -= s0.mean(axis=1, keepdims=True)
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                s0 = y[:, :m] / first[:, None]
            s0 = np.where(np.isfinite(s0), s0, 1.0)
            s0 /= s0.mean(axis=1, keepdims=True)
        return l0, b0, s0
    k = min(t, 4)
    l0 = y[:, :k].mean(axis=1)
    b0 = (y[:, min(t - 1, 1)] - y[:, 0]) if t > 1 else np.zeros(n)
    return l0, b0, np.zeros((n, 1))


def _run(
    y: FloatArray,
    par: FloatArray,
    s0: FloatArray,
    trend: str,
    season: str,
    error: str,
    m: int,
    *,
    keep: bool = False,
) -> tuple[FloatArray, dict[str, Any]]:
    """Objective (-2 log-likelihood up to constants) for ``par`` of shape (n, G, 6)."""
    n, t = y.shape
    alpha, beta, gamma, phi = par[..., _A], par[..., _B], par[..., _G], par[..., _P]
    lev = par[..., _L0].copy()
    tr = par[..., _B0].copy() if trend != "N" else np.zeros_like(lev)
    if trend == "A":
        phi = np.ones_like(phi)
    g = par.shape[1]
    seas = np.broadcast_to(s0[:, None, :], (n, g, s0.shape[1])).copy() if season != "N" else None
    sse = np.zeros_like(lev)
    slog = np.zeros_like(lev)
    bad = np.zeros(lev.shape, dtype=bool)
    fitted = np.empty((n, t)) if keep else None
    for i in range(t):
        yt = y[:, i][:, None]
        base = lev + phi * tr
        if season == "N":
            yhat = base
        else:
            assert seas is not None
            sj = seas[..., i % m]
            yhat = base + sj if season == "A" else base * sj
        e = yt - yhat
        if error == "A":
            sse += e * e
        else:
            ok = yhat > 0
            bad |= ~ok
            safe = np.where(ok, yhat, 1.0)
            r = e / safe
            sse += r * r
            slog += np.log(safe)
        if keep:
            assert fitted is not None
            fitted[:, i] = yhat[:, 0]
        if season == "M":
            assert seas is not None
            sj = seas[..., i % m]
            sjs = np.where(sj != 0, sj, 1.0)
            bs = np.where(base != 0, base, 1.0)
            lev = base + alpha * e / sjs
            tr = phi * tr + beta * e / sjs
            seas[..., i % m] = sj + gamma * e / bs
        else:
            lev = base + alpha * e
            tr = phi * tr + beta * e
            if season == "A":
                assert seas is not None
                seas[..., i % m] = seas[..., i % m] + gamma * e
    with np.errstate(divide="ignore", invalid="ignore"):
        obj = t * np.log(np.maximum(sse, 1e-300) / t) + 2.0 * slog
    obj = np.where(bad | ~np.isfinite(obj), np.inf, obj)
    state = {"level": lev, "trend": tr, "phi": phi, "season": seas, "fitted": fitted, "sse": sse}
    return obj, state


def _feasible(par: FloatArray, trend: str, season: str) -> npt.NDArray[np.bool_]:
    a, b, g, p = par[..., _A], par[..., _B], par[..., _G], par[..., _P]
    ok = (a > 1e-4) & (a < 0.9999)
    if trend != "N":
        ok &= (b > 1e-4) & (b < a)
    if trend == "Ad":
        ok &= (p >= 0.8) & (p <= 0.98)
    if season != "N":
        ok &= (g > 1e-4) & (g < 1.0 - a)
    return ok


def _grid(trend: str, season: str) -> FloatArray:
    alphas = [0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9]
    betas = [0.0] if trend == "N" else [0.01, 0.05, 0.15]
    gammas = [0.0] if season == "N" else [0.01, 0.05, 0.15]
    phis = [1.0] if trend != "Ad" else [0.85, 0.95]
    rows = [(a, b, g, p) for a, b, g, p in product(alphas, betas, gammas, phis)]
    rows = [r for r in rows if (trend == "N" or r[1] < r[0]) and (season == "N" or r[2] < 1 - r[0])]
    return np.array(rows)


def fit_ets(
    y: FloatArray,
    trend: str,
    season: str,
    error: str,
    m: int,
    fixed: dict[str, float] | None = None,
    iters: int = 14,
) -> dict[str, Any]:
    """Estimate one ETS form for every series; returns parameters, objective, AICc and states."""
    n, t = y.shape
    fixed = fixed or {}
    l0, b0, s0 = _initial_states(y, m, season)
    grid = _grid(trend, season)
    for name, col in (("alpha", _A), ("beta", _B), ("gamma", _G), ("phi", _P)):
        if name in fixed:
            grid[:, col] = fixed[name]
    grid = np.unique(grid, axis=0)
    g = grid.shape[0]
    par = np.zeros((n, g, _NPAR))
    par[..., :4] = grid[None, :, :]
    par[..., _L0] = l0[:, None]
    par[..., _B0] = b0[:, None]
    obj, _ = _run(y, par, s0, trend, season, error, m)
    obj = np.where(_feasible(par, trend, season) | bool(fixed), obj, np.inf)
    best = obj.argmin(axis=1)
    cur = par[np.arange(n), best][:, None, :]
    cur_obj = obj[np.arange(n), best]
    # compass search over the free parameters, all series in lock step
    free = [c for c, nm in ((_A, "alpha"), (_B, "beta"), (_G, "gamma"), (_P, "phi")) if nm not in fixed]
    if trend == "N":
        free = [c for c in free if c != _B]
    if trend != "Ad":
        free = [c for c in free if c != _P]
    if season == "N":
        free = [c for c in free if c != _G]
    free += [_L0] + ([_B0] if trend != "N" else [])
    scale = np.maximum(np.abs(y).mean(axis=1), 1e-3)
    step = np.zeros((n, _NPAR))
    step[:, [_A, _B, _G, _P]] = 0.05
    step[:, _L0] = 0.25 * scale
    step[:, _B0] = 0.05 * scale
    for _ in range(iters):
        cands = []
        for c in free:
            for sgn in (-1.0, 1.0):
                p2 = cur[:, 0, :].copy()
                p2[:, c] += sgn * step[:, c]
                cands.append(p2)
        cand = np.stack(cands, axis=1)
        o, _ = _run(y, cand, s0, trend, season, error, m)
        o = np.where(_feasible(cand, trend, season), o, np.inf)
        j = o.argmin(axis=1)
        ob = o[np.arange(n), j]
        better = ob < cur_obj - 1e-12
        cur[better, 0, :] = cand[better, j[better], :]
        cur_obj = np.where(better, ob, cur_obj)
        step[~better] *= 0.5
    obj, state = _run(y, cur, s0, trend, season, error, m, keep=True)
    k = len(free) + (m - 1 if season != "N" else 0) + 1
    with np.errstate(divide="ignore", invalid="ignore"):
        aicc = obj[:, 0] + 2 * k + np.where(t - k - 1 > 0, 2.0 * k * (k + 1) / (t - k - 1), np.inf)
    return {
        "params": cur[:, 0, :],
        "aicc": aicc,
        "level": state["level"][:, 0],
        "trend": state["trend"][:, 0],
        "phi": state["phi"][:, 0],
        "season": None if state["season"] is None else state["season"][:, 0, :],
        "fitted": state["fitted"],
        "form": (error, trend, season),
        "m": m,
        "t": t,
    }


def _forecast(fit: dict[str, Any], h: int) -> FloatArray:
    lev, tr, phi = fit["level"], fit["trend"], fit["phi"]
    _, trend, season = fit["form"]
    steps = np.arange(1, h + 1)
    if trend == "N":
        mean = np.repeat(lev[:, None], h, axis=1)
    else:
        damp = np.cumsum(phi[:, None] ** steps[None, :], axis=1)
        mean = lev[:, None] + damp * tr[:, None]
    if season != "N":
        m, t = fit["m"], fit["t"]
        idx = (t + steps - 1) % m
        s = fit["season"][:, idx]
        mean = mean + s if season == "A" else mean * s
    out: FloatArray = mean
    return out


def _var_factor(fit: dict[str, Any], h: int) -> FloatArray:
    """Class-1 ETS variance multipliers ``1 + sum_{i<j} c_i^2`` (additive approximation)."""
    par = fit["params"]
    _, trend, season = fit["form"]
    n = par.shape[0]
    a = par[:, _A][:, None]
    b = par[:, _B][:, None] if trend != "N" else np.zeros((n, 1))
    phi = fit["phi"][:, None]
    g = par[:, _G][:, None] if season != "N" else np.zeros((n, 1))
    i = np.arange(1, h)[None, :]
    damp = np.cumsum(phi ** np.arange(1, h + 1)[None, :], axis=1)[:, : h - 1] if h > 1 else np.zeros((n, 0))
    ci = a + b * damp + g * ((i % fit["m"]) == 0)
    out = np.concatenate([np.ones((n, 1)), 1.0 + np.cumsum(ci * ci, axis=1)], axis=1)
    return out


class _ETSBase(BaseForecaster):
    _forms: tuple[tuple[str, str, str], ...] = ()

    def _season(self) -> int:
        return 1

    def _fixed(self) -> dict[str, float]:
        return {}

    def _candidates(self, y: FloatArray) -> list[tuple[str, str, str]]:
        return list(self._forms)

    def _fit(self, y: FloatArray) -> None:
        m = self._season()
        positive = (y > 0).all(axis=1)
        best: dict[str, Any] | None = None
        forms = self._candidates(y)
        for error, trend, season in forms:
            if (error == "M" or season == "M") and not positive.any():
                continue
            fit = fit_ets(y, trend, season, error, m, self._fixed())
            if error == "M" or season == "M":
                fit["aicc"] = np.where(positive, fit["aicc"], np.inf)
            if best is None:
                best = {"fits": [fit], "choice": np.zeros(y.shape[0], dtype=np.int64), "aicc": fit["aicc"]}
            else:
                better = fit["aicc"] < best["aicc"]
                best["fits"].append(fit)
                best["choice"] = np.where(better, len(best["fits"]) - 1, best["choice"])
                best["aicc"] = np.where(better, fit["aicc"], best["aicc"])
        assert best is not None
        self.fits_ = best["fits"]
        self.choice_ = best["choice"]
        self.aicc_ = best["aicc"]
        self.model_ = np.array(["".join(self.fits_[c]["form"]) for c in self.choice_], dtype=object)
        fitted = np.empty_like(y)
        for j, f in enumerate(self.fits_):
            rows = self.choice_ == j
            fitted[rows] = f["fitted"][rows]
        fitted[:, 0] = np.nan
        self.fitted_ = fitted
        params = np.empty((y.shape[0], _NPAR))
        for j, f in enumerate(self.fits_):
            rows = self.choice_ == j
            params[rows] = f["params"][rows]
        self.alpha_ = params[:, _A]

    def _pick(self, fn: Any, h: int) -> FloatArray:
        out = np.empty((self.choice_.shape[0], h))
        for j, f in enumerate(self.fits_):
            rows = self.choice_ == j
            if rows.any():
                out[rows] = fn(f, h)[rows]
        return out

    def _mean(self, h: int) -> FloatArray:
        return self._pick(_forecast, h)

    def _horizon_factor(self, h: int) -> FloatArray:
        return self._pick(_var_factor, h)


class SES(_ETSBase):
    """Simple exponential smoothing, ETS(A,N,N); ``alpha=None`` estimates it per series.

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> SES(alpha=0.5).fit(DemandPanel.from_array([[2.0, 4.0, 4.0, 4.0]])).predict(1).mean.round(2).tolist()
    [[3.9]]
    """

    _forms = (("A", "N", "N"),)

    def __init__(self, alpha: float | None = None) -> None:
        self.alpha = alpha

    def _check_params(self) -> None:
        if self.alpha is not None:
            check_fraction("alpha", self.alpha)

    def _fixed(self) -> dict[str, float]:
        return {} if self.alpha is None else {"alpha": float(self.alpha)}


class Holt(_ETSBase):
    """Holt's linear trend, ETS(A,A,N), or damped ETS(A,Ad,N) with ``damped=True``.

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> fc = Holt().fit(DemandPanel.from_array([[1.0, 2, 3, 4, 5, 6, 7, 8]])).predict(2)
    >>> bool(fc.mean[0, 1] > fc.mean[0, 0] > 8)
    True
    """

    def __init__(self, damped: bool = False) -> None:
        self.damped = damped

    def _candidates(self, y: FloatArray) -> list[tuple[str, str, str]]:
        return [("A", "Ad" if self.damped else "A", "N")]

    def _needed_periods(self) -> int:
        return 3


class HoltWinters(_ETSBase):
    """Holt–Winters seasonal method: ETS(A,A,A) or ETS(A,A,M) (``seasonal="multiplicative"``).

    Needs at least two full seasons of history.

    Examples
    --------
    >>> import numpy as np
    >>> from distcrm.data import DemandPanel
    >>> y = 10 + np.tile([0.0, 5.0, 2.0, -3.0], 6)
    >>> fc = HoltWinters(season_length=4).fit(DemandPanel.from_array([y])).predict(4)
    >>> np.abs(fc.mean - y[:4]).max() < 0.5
    np.True_
    """

    def __init__(self, season_length: int = 12, seasonal: str = "additive", damped: bool = False) -> None:
        self.season_length = season_length
        self.seasonal = seasonal
        self.damped = damped

    def _check_params(self) -> None:
        check_int("season_length", self.season_length, low=2)
        if self.seasonal not in ("additive", "multiplicative"):
            raise ValidationError.single("seasonal", self.seasonal, "must be 'additive' or 'multiplicative'")

    def _season(self) -> int:
        return int(self.season_length)

    def _needed_periods(self) -> int:
        return 2 * int(self.season_length)

    def _candidates(self, y: FloatArray) -> list[tuple[str, str, str]]:
        return [("A", "Ad" if self.damped else "A", "A" if self.seasonal == "additive" else "M")]


class ETS(_ETSBase):
    """Automatic exponential smoothing: every admissible ETS form per series, chosen by AICc.

    Forms: error A/M x trend N/A/Ad x season N/A/M (seasonal only with
    ``season_length > 1`` and at least two seasons of history; multiplicative only
    for strictly positive series). ``model_`` names each series' choice (``"AAdN"``).

    Parameters
    ----------
    season_length
        Periods per season (1 = no seasonality).
    damped
        ``None`` tries damped and undamped trends, ``True``/``False`` restricts.

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> m = ETS().fit(DemandPanel.from_array([[3.0, 4, 3, 5, 4, 4, 5, 3, 4, 4]]))
    >>> m.model_[0] in {"ANN", "MNN", "AAN", "MAN", "AAdN", "MAdN"}
    True
    """

    def __init__(self, season_length: int = 1, damped: bool | None = None) -> None:
        self.season_length = season_length
        self.damped = damped

    def _check_params(self) -> None:
        check_int("season_length", self.season_length)

    def _season(self) -> int:
        return int(self.season_length)

    def _needed_periods(self) -> int:
        return 3

    def _candidates(self, y: FloatArray) -> list[tuple[str, str, str]]:
        trends = (
            ["N"] + (["A"] if self.damped is not True else []) + (["Ad"] if self.damped is not False else [])
        )
        seasons = ["N"]
        if int(self.season_length) > 1 and y.shape[1] >= 2 * int(self.season_length):
            seasons += ["A", "M"]
        return [(e, t, s) for e in ("A", "M") for t in trends for s in seasons]
