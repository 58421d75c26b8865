"""The Pareto/NBD purchase model (Schmittlein, Morrison & Colombo 1987)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import numpy.typing as npt
from scipy import special as sp

from distcrm.forecast._purchase._model import PurchaseModelBase, warn_small
from distcrm.forecast._purchase._rows import Rows

__all__ = ["ParetoNBDModel"]

FloatArray = npt.NDArray[np.float64]

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(64)


def _log_a0(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, tx: FloatArray, T: FloatArray
) -> FloatArray:
    """``log A0`` of Fader & Hardie's note on the Pareto/NBD likelihood.

    ``A0 = 2F1(r+s+x, c; r+s+x+1; |α-β|/(m+t_x)) / (m+t_x)^(r+s+x) - (same at T)`` with
    ``m = max(α, β)`` and ``c = r+x`` when ``α < β``, else ``c = s+1`` (the switch keeps
    the argument of 2F1 in ``[0, 1)``). The difference is taken in log space with
    ``log1p(-exp(.))``; it is ``-inf`` where ``t_x == T``.
    """
    if alpha < beta:
        mn, mx, c = alpha, beta, r + x
    else:
        mn, mx, c = beta, alpha, s + 1.0
    d = mx - mn
    rsx = r + s + x
    q1 = mx + tx
    q2 = mx + T
    l1 = np.log(sp.hyp2f1(rsx, c, rsx + 1.0, d / q1)) - rsx * np.log(q1)
    l2 = np.log(sp.hyp2f1(rsx, c, rsx + 1.0, d / q2)) - rsx * np.log(q2)
    diff = np.minimum(l2 - l1, 0.0)
    return l1 + np.log(-np.expm1(diff))


class ParetoNBDModel(PurchaseModelBase):
    """The Pareto/NBD purchase model.

    While active a customer buys at a Poisson rate ``λ ~ Gamma(r, alpha)``; lifetimes
    are exponential with rate ``μ ~ Gamma(s, beta)``.

    The likelihood needs a Gauss hypergeometric function (``scipy.special.hyp2f1``),
    whose derivatives in its parameters have no closed form: the gradient is by central
    differences in log-parameters (step 1e-6), vectorised over the compressed rows.
    Everything else (compression, penalty, standard errors) is as in
    :class:`BetaGeoModel`.

    Parameters
    ----------
    penalizer
        L2 penalty on the parameters; 0 is plain maximum likelihood.
    max_iter, tol
        L-BFGS-B iteration limit and relative tolerance on the objective.

    Examples
    --------
    >>> from distcrm.forecast._purchase._simulate import simulate_bgnbd
    >>> s = simulate_bgnbd(2000, a=2.0, b=3.0, seed=1)
    >>> m = ParetoNBDModel().fit(s)
    >>> sorted(m.params_)
    ['alpha', 'beta', 'r', 's']
    """

    _names: ClassVar[tuple[str, ...]] = ("r", "alpha", "s", "beta")
    _model_name: ClassVar[str] = "Pareto/NBD"

    def _initial(self, rows: Rows) -> FloatArray:
        rate = float((rows.w * rows.x).sum() / max((rows.w * rows.T).sum(), 1e-12))
        scale = float((rows.w * rows.T).sum() / rows.n)
        return np.array([1.0, 1.0 / max(rate, 1e-6), 1.0, max(scale, 1e-3)])

    def _degenerate(self, p: FloatArray) -> list[str]:
        return warn_small("s", float(p[2]), 0.01, "the dropout rates pile up at 0: almost nobody churns")

    def _ll_rows(self, p: FloatArray, rows: Rows) -> float:
        r, alpha, s, beta = (float(v) for v in p)
        ux = rows.ux
        g_x = sp.gammaln(r + ux) - sp.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        x, tx, T = rows.x, rows.tx, rows.T
        k = r + x
        la0 = _log_a0(r, alpha, s, beta, x, tx, T)
        with np.errstate(divide="ignore"):
            mix = np.logaddexp(
                -k * np.log(alpha + T) - s * np.log(beta + T), np.log(s) - np.log(r + s + x) + la0
            )
        return float(rows.ux_w @ g_x + rows.w @ mix)

    def _loglik(self, p: FloatArray, rows: Rows, order: int) -> tuple[float, FloatArray, FloatArray]:
        with np.errstate(divide="ignore", invalid="ignore"):
            ll = self._ll_rows(p, rows)
            if order == 0:
                return ll, np.zeros(4), np.zeros((4, 4))
            g = np.empty(4)
            h = 1e-6
            for j in range(4):
                up, dn = p.copy(), p.copy()
                up[j] *= np.exp(h)
                dn[j] *= np.exp(-h)
                g[j] = (self._ll_rows(up, rows) - self._ll_rows(dn, rows)) / (2 * h) / p[j]
        return ll, g, np.zeros((4, 4))

    def _log_odds_dead(self, x: FloatArray, tx: FloatArray, T: FloatArray) -> FloatArray:
        r, alpha, s, beta = (float(v) for v in self._p())
        la0 = _log_a0(r, alpha, s, beta, x, tx, T)
        return np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + T) + s * np.log(beta + T) + la0

    def _expected_alive(self, t: FloatArray, x: FloatArray, T: FloatArray) -> FloatArray:
        """``(r+x)/(α+T) · (β+T) · (1 - ((β+T)/(β+T+t))^(s-1)) / (s-1)`` (its limit at ``s = 1``)."""
        r, alpha, s, beta = (float(v) for v in self._p())
        B = beta + T
        lq = np.log1p(t / B)
        if abs(s - 1.0) < 1e-10:
            life = B * lq
        else:
            life = B * -np.expm1(-(s - 1.0) * lq) / (s - 1.0)
        return (r + x) / (alpha + T) * life

    def _pmf_alive(self, k: int, t: FloatArray, x: FloatArray, T: FloatArray) -> FloatArray:
        """``P(Y(t) = k | alive)``: NB purchases over the remaining lifetime, by Gauss–Legendre in τ."""
        r, alpha, s, beta = (float(v) for v in self._p())
        kk = (r + x)[:, None]
        A = (alpha + T)[:, None]
        B = (beta + T)[:, None]
        tt = t[:, None]

        def nb(tau: FloatArray) -> FloatArray:
            lg = sp.gammaln(kk + k) - sp.gammaln(kk) - sp.gammaln(k + 1.0)
            return np.exp(lg + kk * np.log(A / (A + tau)) + sp.xlogy(k, tau / (A + tau)))

        survive = np.exp(s * np.log(B / (B + tt)))
        out = nb(tt) * survive
        tau = (tt / 2.0) * (_GL_NODES[None, :] + 1.0)
        dens = s * np.exp(s * np.log(B) - (s + 1.0) * np.log(B + tau))
        integral = ((nb(tau) * dens) @ _GL_WEIGHTS)[:, None] * (tt / 2.0)
        return (out + integral)[:, 0]
