"""Shared machinery of the purchase and spend models: fitting, checks, standard errors.

Every model maximises a weighted log-likelihood over the unique ``(x, t_x, T)`` rows
of a :class:`~distcrm.data.CustomerSummary` in log-parameter space: by damped Newton
with the model's analytic Hessian, falling back to L-BFGS-B with the analytic gradient. ``scipy.optimize`` is imported inside ``fit``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from distcrm.data import CustomerSummary
from distcrm.errors import ConvergenceWarning, ValidationError

FloatArray = npt.NDArray[np.float64]
Objective = Callable[[FloatArray], tuple[float, FloatArray]]

#: Log-parameter box of every model: parameters live in [1e-8, 1e8].
LOG_BOUND = math.log(1e8)
_NEAR_BOUND = 0.05


def check_summary(summary: object, name: str = "summary") -> CustomerSummary:
    """``summary`` must be a non-empty :class:`CustomerSummary`."""
    if not isinstance(summary, CustomerSummary):
        raise ValidationError.single(
            name,
            type(summary).__name__,
            "must be a distcrm.data.CustomerSummary (see TransactionLog.summary)",
        )
    if len(summary) == 0:
        raise ValidationError.single(name, 0, "has no customers")
    return summary


def check_positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    """A finite number ``> 0`` (or ``>= 0``)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValidationError.single(name, value, "must be a number") from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ValidationError.single(name, value, "must be >= 0" if allow_zero else "must be > 0")
    return v


def as_horizon(t: Any, n: int) -> FloatArray:
    """A non-negative time horizon broadcast to ``n`` customers."""
    arr = np.asarray(t, dtype=np.float64)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != n):
        raise ValidationError.single("t", arr.shape, f"must be a scalar or have one value per customer ({n})")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        bad = arr[~np.isfinite(arr) | (arr < 0)] if arr.ndim else arr
        raise ValidationError.single("t", float(np.ravel(bad)[0]), "must be finite and >= 0")
    return np.broadcast_to(arr, (n,)).astype(np.float64)


def minimize(
    objective: Objective,
    x0: FloatArray,
    *,
    max_iter: int,
    tol: float,
) -> tuple[FloatArray, bool, int, str]:
    """L-BFGS-B on log-parameters within ``[-LOG_BOUND, LOG_BOUND]``; returns (x, success, nit, message)."""
    from scipy.optimize import minimize as sp_minimize

    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(x0)
    res = sp_minimize(
        objective,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": max_iter, "ftol": tol, "gtol": 1e-9, "maxcor": 20},
    )
    return np.asarray(res.x, dtype=np.float64), bool(res.success), int(res.nit), str(res.message)


def newton(
    fgh: Callable[[FloatArray, int], tuple[float, FloatArray, FloatArray]],
    x0: FloatArray,
    *,
    max_iter: int,
    tol: float,
) -> tuple[FloatArray, bool, int, str]:
    """Damped Newton on log-parameters within ``[-LOG_BOUND, LOG_BOUND]``.

    ``fgh(theta, order)`` returns the objective, and for ``order >= 1`` its gradient and
    for ``order == 2`` its Hessian (zeros otherwise). Negative or tiny curvature is
    replaced by its absolute value (a saddle-free step), steps are capped at length 2
    and halved until the objective decreases. Converged when the Newton decrement
    ``g' H^-1 g`` is below ``tol * max(1, |f|)``. Returns (x, success, nit, message).
    """
    x = np.clip(np.asarray(x0, dtype=np.float64), -LOG_BOUND, LOG_BOUND)
    f, g, H = fgh(x, 2)
    if not math.isfinite(f):
        return x, False, 0, "the objective is not finite at the start"
    for it in range(1, max_iter + 1):
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
            return x, False, it, "the gradient or Hessian is not finite"
        lam, Q = np.linalg.eigh(0.5 * (H + H.T))
        floor = 1e-10 * max(float(np.abs(lam).max()), 1e-300)
        lam = np.maximum(np.abs(lam), floor)
        qg = Q.T @ g
        step = -(Q @ (qg / lam))
        decrement = float(qg @ (qg / lam))
        if decrement < tol * max(1.0, abs(f)):
            return x, True, it - 1, "Newton decrement below tolerance"
        norm = float(np.linalg.norm(step))
        if norm > 2.0:
            step *= 2.0 / norm
        t = 1.0
        xn = np.clip(x + step, -LOG_BOUND, LOG_BOUND)
        fn, gn, Hn = fgh(xn, 2)  # the full step is usually accepted: one pass for all three
        if not (math.isfinite(fn) and fn <= f):
            while True:
                t *= 0.5
                if t < 1e-10:
                    at_bound = np.abs(np.abs(x) - LOG_BOUND) < 1e-9
                    return x, bool(at_bound.any()), it, "no decrease along the Newton direction"
                xn = np.clip(x + t * step, -LOG_BOUND, LOG_BOUND)
                fn = fgh(xn, 0)[0]
                if math.isfinite(fn) and fn <= f:
                    break
            fn, gn, Hn = fgh(xn, 2)
        f_old = f
        x, f, g, H = xn, fn, gn, Hn
        if abs(f_old - f) <= 1e-15 * max(1.0, abs(f)) and t < 1.0:
            return x, True, it, "no further decrease"
    return x, False, max_iter, "Newton iteration limit reached"


def numerical_hessian(grad: Callable[[FloatArray], FloatArray], x: FloatArray) -> FloatArray:
    """Central differences of an (analytic) gradient, symmetrised."""
    k = x.shape[0]
    H = np.empty((k, k))
    for j in range(k):
        h = 1e-5 * max(1.0, abs(x[j]))
        e = np.zeros(k)
        e[j] = h
        H[:, j] = (grad(x + e) - grad(x - e)) / (2 * h)
    return 0.5 * (H + H.T)


def standard_errors(
    grad_natural: Callable[[FloatArray], FloatArray], params: FloatArray, names: tuple[str, ...]
) -> tuple[dict[str, float], FloatArray]:
    """Standard errors from the inverse observed information (Hessian of the total -LL).

    Returns NaN standard errors (and the caller warns) when the Hessian is singular.
    """
    return standard_errors_from_hessian(numerical_hessian(grad_natural, params), names)


def standard_errors_from_hessian(
    H: FloatArray, names: tuple[str, ...]
) -> tuple[dict[str, float], FloatArray]:
    """Standard errors and covariance from the Hessian of the total negative log-likelihood."""
    cov: FloatArray
    try:
        cov = np.asarray(np.linalg.inv(H), dtype=np.float64)
        diag = np.diag(cov)
        se = np.where(diag > 0, np.sqrt(np.abs(diag)), np.nan)
    except np.linalg.LinAlgError:
        cov = np.full((len(names), len(names)), np.nan)
        se = np.full(len(names), np.nan)
    return dict(zip(names, (float(v) for v in se), strict=True)), cov


def warn_degenerate(
    model: str,
    names: tuple[str, ...],
    log_params: FloatArray,
    success: bool,
    message: str,
    extra: list[str],
) -> list[str]:
    """Collect and emit the reasons a fit is degenerate (one ConvergenceWarning)."""
    reasons = list(extra)
    if not success:
        reasons.append(f"the optimiser did not converge ({message})")
    for name, lp in zip(names, log_params, strict=True):
        if abs(abs(lp) - LOG_BOUND) < _NEAR_BOUND:
            reasons.append(f"parameter {name}={math.exp(lp):.3g} is at the bound of [1e-8, 1e8]")
    if reasons:
        warnings.warn(
            f"{model}: degenerate fit: "
            + "; ".join(reasons)
            + ". Predictions stay finite but treat them with care.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return reasons


def params_repr_html(
    title: str, params: Mapping[str, float], se: Mapping[str, float], extra: Mapping[str, Any]
) -> str:
    """A small HTML table of parameters and standard errors."""
    rows = "".join(
        f"<tr><td>{k}</td><td>{v:.4g}</td><td>{se.get(k, float('nan')):.3g}</td></tr>"
        for k, v in params.items()
    )
    info = "".join(f"<tr><td>{k}</td><td colspan=2>{v}</td></tr>" for k, v in extra.items())
    return (
        f"<table><caption>{title}</caption><tr><th>parameter</th><th>estimate</th><th>std. error</th></tr>"
        f"{rows}{info}</table>"
    )


def month_in_units(unit: str) -> float:
    """The length of one average month in ``unit``."""
    return {"D": 365.25 / 12, "W": 365.25 / 7 / 12, "M": 1.0, "Y": 1 / 12, "h": 365.25 * 24 / 12}[unit]
