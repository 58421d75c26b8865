"""BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam, Denizel & Filiztekin 2007)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import numpy.typing as npt
from scipy import special as sp

from distcrm.forecast._purchase._model import PurchaseModelBase, warn_small
from distcrm.forecast._purchase._rows import Rows

__all__ = ["BetaGeoModel", "ModifiedBetaGeoModel", "beta_expectation_quadrature"]

FloatArray = npt.NDArray[np.float64]


def beta_expectation_quadrature(
    a: float, bpost: FloatArray, k: FloatArray, u: FloatArray, n_nodes: int = 48
) -> FloatArray:
    """``E[(1 - (1 + p u)^-k) / p]`` for ``p ~ Beta(a, bpost)`` by Gauss–Jacobi quadrature.

    The reference the closed form is checked against, and its fallback where the
    hypergeometric closed form is not finite. One quadrature rule per distinct ``bpost``.
    """
    out = np.empty(bpost.shape[0])
    ub, inv = np.unique(bpost, return_inverse=True)
    inv = inv.reshape(-1)
    for j, bj in enumerate(ub):
        sel = inv == j
        if a + bj > 1e4:  # Beta(a, b') is nearly a point mass: Gauss–Hermite on its normal approximation
            mean = a / (a + bj)
            sd = np.sqrt(mean * (1.0 - mean) / (a + bj + 1.0))
            h, wh = np.polynomial.hermite_e.hermegauss(7)
            p = np.clip(mean + sd * h, 1e-300, 1.0)
            pu = np.outer(u[sel], p)
            g = -np.expm1(-k[sel, None] * np.log1p(pu)) / p
            out[sel] = (g @ wh) / wh.sum()
            continue
        # weight (1-y)^(bj-1) (1+y)^(a-1) on [-1, 1]; p = (1 + y) / 2
        y, wq = sp.roots_jacobi(n_nodes, bj - 1.0, a - 1.0)
        p = (1.0 + y) / 2.0
        norm = wq.sum()
        pu = np.outer(u[sel], p)
        g = -np.expm1(-k[sel, None] * np.log1p(pu)) / p
        out[sel] = (g @ wq) / norm
    return out


def _dot(a: FloatArray, b: FloatArray) -> float:
    """``a @ b`` without BLAS (threaded BLAS dots crawl on a busy machine)."""
    return float(np.einsum("i,i->", a, b))


def _dot3(a: FloatArray, b: FloatArray, c: FloatArray) -> float:
    """``sum(a * b * c)`` in one pass."""
    return float(np.einsum("i,i,i->", a, b, c))


class _BetaGeoFamily(PurchaseModelBase):
    _names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")
    _hessian: ClassVar[bool] = True
    _modified: ClassVar[bool] = False

    def _initial(self, rows: Rows) -> FloatArray:
        rate = float((rows.w * rows.x).sum() / max((rows.w * rows.T).sum(), 1e-12))
        return np.array([1.0, 1.0 / max(rate, 1e-6), 1.0, 1.0])

    def _degenerate(self, p: FloatArray) -> list[str]:
        a = float(p[2])
        return warn_small("a", a, 0.01, "the dropout probabilities pile up at 0: almost nobody churns")

    def _loglik(self, p: FloatArray, rows: Rows, order: int) -> tuple[float, FloatArray, FloatArray]:
        """Total weighted log-likelihood, its gradient (``order >= 1``) and Hessian (``order == 2``).

        Per row the likelihood is a two-term mixture ``exp(B3) + exp(B4)`` (alive at
        ``T`` / dropped out after the last purchase); with ``D = B4 - B3`` the log is
        ``B3 + softplus(D)`` and the derivatives follow from those of ``B3`` and ``B4``
        (mixture weight ``w4 = expit(D)``). Terms that depend on ``x`` alone are
        evaluated once per distinct frequency and gathered. For BG/NBD a customer with
        no repeat purchase has ``B4 = -inf``: those rows only contribute ``-r log(α+T)``.
        """
        r, alpha, a, b = (float(v) for v in p)
        mod = self._modified
        ux, uw = rows.ux, rows.ux_w
        la, lal = np.log(a), np.log(alpha)
        g_x = sp.gammaln(r + ux) - sp.gammaln(r)
        if mod:
            c_x = sp.gammaln(a + b) - sp.gammaln(b) - sp.gammaln(a + b + ux + 1) + sp.gammaln(b + ux)
            x, tx, T, w, xi = rows.x, rows.tx, rows.T, rows.w, rows.xi
            T0, w0 = T[:0], w[:0]
            ib3_u = 1.0 / (b + ux)
            e_u = np.log(b + ux)  # B3 = log(b+x) - k L3, B4 = log a - k L4
            ib4_u = np.zeros_like(ux)
        else:
            c_x = sp.gammaln(a + b) + sp.gammaln(b + ux) - sp.gammaln(b) - sp.gammaln(a + b + ux)
            x, tx, T, w, xi = rows.xp, rows.txp, rows.Tp, rows.wp, rows.xip
            T0, w0 = rows.T0, rows.w0
            bx1 = np.where(ux > 0, b + ux - 1.0, 1.0)
            ib4_u = np.where(ux > 0, 1.0 / bx1, 0.0)
            e_u = np.log(bx1)  # B3 = -k L3, B4 = log a - log(b+x-1) - k L4
            ib3_u = np.zeros_like(ux)
        L0 = np.log(alpha + T0)
        k = x + r
        L3 = np.log(alpha + T)
        dL = np.log(alpha + tx)
        np.subtract(L3, dL, out=dL)  # dL = L3 - L4
        D = k * dL
        D += la - e_u.take(xi)  # D = B4 - B3
        # softplus(D) and the mixture weight expit(D) from one exp (D clipped: exp stays finite)
        eD = np.exp(np.clip(D, -700.0, 700.0, out=D), out=D)
        sp_D = np.log1p(eD)
        ll = float(uw @ (g_x + c_x)) + rows.n * r * lal - r * _dot(w0, L0) + _dot(w, sp_D) - _dot(w, k * L3)
        if mod:
            ll += float(uw @ e_u)  # log(b+x) of B3, factored out of the mixture
        if order == 0:
            return ll, np.zeros(4), np.zeros((4, 4))
        w3 = np.reciprocal(eD + 1.0, out=sp_D)
        w4 = eD
        np.multiply(eD, w3, out=w4)  # expit(D)
        iA3 = 1.0 / (alpha + T)
        iA4 = 1.0 / (alpha + tx)
        ww4 = w * w4
        sw4 = float(ww4.sum())
        diA = iA3 - iA4
        iA0 = 1.0 / (alpha + T0)
        kdiA = k * diA
        d_r = float(uw @ (sp.digamma(r + ux) - sp.digamma(r))) + rows.n * lal - _dot(w0, L0)
        d_r += _dot(ww4, dL) - _dot(w, L3)
        d_alpha = rows.n * r / alpha - r * _dot(w0, iA0) - _dot(w, k * iA3) + _dot(ww4, kdiA)
        if mod:
            dc_a = sp.digamma(a + b) - sp.digamma(a + b + ux + 1)
            dc_b = sp.digamma(a + b) - sp.digamma(b) - sp.digamma(a + b + ux + 1) + sp.digamma(b + ux)
        else:
            dc_a = sp.digamma(a + b) - sp.digamma(a + b + ux)
            dc_b = sp.digamma(a + b) + sp.digamma(b + ux) - sp.digamma(b) - sp.digamma(a + b + ux)
        # per-x sums of the mixture weight: the b-terms only depend on x
        nu = ux.shape[0]
        sw4_u = np.bincount(xi, weights=ww4, minlength=nu)
        sw_u = rows.wp_u if not mod else uw
        d_a = float(uw @ dc_a) + sw4 / a
        d_b = float(uw @ dc_b) + float(sw_u @ ib3_u) - float(sw4_u @ (ib3_u + ib4_u))
        grad = np.array([d_r, d_alpha, d_a, d_b])
        if order == 1:
            return ll, grad, np.zeros((4, 4))
        H = np.zeros((4, 4))
        H[0, 0] = float(uw @ (sp.polygamma(1, r + ux) - sp.polygamma(1, r)))
        H[0, 1] = rows.n / alpha - _dot(w0, iA0) - _dot(w, iA3) + _dot(ww4, diA)
        H[1, 1] = (
            -rows.n * r / alpha**2
            + r * _dot(w0, iA0 * iA0)
            + _dot3(w, k, iA3 * iA3)
            + _dot3(ww4, k, iA4 * iA4 - iA3 * iA3)
        )
        if mod:
            t_aa = sp.polygamma(1, a + b) - sp.polygamma(1, a + b + ux + 1)
        else:
            t_aa = sp.polygamma(1, a + b) - sp.polygamma(1, a + b + ux)
        t_bb = t_aa - sp.polygamma(1, b) + sp.polygamma(1, b + ux)
        H[2, 2] = float(uw @ t_aa) - sw4 / a**2
        H[2, 3] = float(uw @ t_aa)
        H[3, 3] = float(uw @ t_bb) - float(sw_u @ ib3_u**2) + float(sw4_u @ (ib3_u**2 + ib4_u**2))
        # the mixture term w3 w4 Δ Δ' with Δ = dB4 - dB3 = (dL, k (iA3 - iA4), 1/a, -(ib3 + ib4))
        v = np.multiply(ww4, w3, out=w3)
        vdL = v * dL
        vkd = v * kdiA
        H[0, 0] += _dot(vdL, dL)
        H[0, 1] += _dot(vdL, kdiA)
        H[1, 1] += _dot(vkd, kdiA)
        sv_u = np.bincount(xi, weights=v, minlength=nu)
        svM_u = np.stack(
            [np.bincount(xi, weights=vdL, minlength=nu), np.bincount(xi, weights=vkd, minlength=nu)]
        )
        ibt = -(ib3_u + ib4_u)
        H[:2, 2] += svM_u.sum(axis=1) / a
        H[:2, 3] += svM_u @ ibt
        H[2, 2] += float(sv_u.sum()) / a**2
        H[2, 3] += float(sv_u @ ibt) / a
        H[3, 3] += float(sv_u @ ibt**2)
        H = np.triu(H) + np.triu(H, 1).T
        return ll, grad, H

    def _bpost(self, x: FloatArray) -> FloatArray:
        b = self.params_["b"]
        return b + x + (1.0 if self._modified else 0.0)

    def _log_odds_dead(self, x: FloatArray, tx: FloatArray, T: FloatArray) -> FloatArray:
        r, alpha, a, b = self._p()
        k = r + x
        ratio = k * (np.log(alpha + T) - np.log(alpha + tx))
        out: FloatArray
        if self._modified:
            out = np.log(a) - np.log(b + x) + ratio
        else:
            out = np.where(x > 0, np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0)) + ratio, -np.inf)
        return out

    def _expected_alive(self, t: FloatArray, x: FloatArray, T: FloatArray) -> FloatArray:
        """``E[(1 - (1 + p t/(alpha+T))^-(r+x)) / p]`` with ``p ~ Beta(a, b')`` (posterior given alive).

        Closed form through Euler's transformation of the 2F1 in Fader, Hardie & Lee
        (2005, eq. 10), ``2F1(r+x, b'; a+b'-1; z) (1-z)^(r+x) = (1-z)^(a-1)
        2F1(a+b'-1-r-x, a-1; a+b'-1; z)``, which stays finite where the textbook form
        overflows (large ``x``, ``z`` near 1, ``a`` near 0); Gauss–Jacobi quadrature
        where it is not.
        """
        r, alpha, a, _ = self._p()
        if abs(a - 1.0) < 1e-7:  # the closed form is 0/0 at a = 1
            a = 1.0 + 1e-7 if a >= 1.0 else 1.0 - 1e-7
        bp = self._bpost(x)
        k = r + x
        z = t / (alpha + T + t)
        c = a + bp - 1.0
        with np.errstate(all="ignore"):
            f = sp.hyp2f1(c - k, a - 1.0, c, z)
            lz = (a - 1.0) * np.log1p(-z)
            pos = f > 0
            br = np.where(pos, -np.expm1(lz + np.log(np.where(pos, f, 1.0))), 1.0 - np.exp(lz) * f)
            out = c / (a - 1.0) * br
        bad = ~np.isfinite(out) | (c <= 0) | (out < 0)
        if bad.any():
            u = t[bad] / (alpha + T[bad])
            out[bad] = beta_expectation_quadrature(a, bp[bad], k[bad], u)
        return np.where(t == 0, 0.0, out)

    def _pmf_alive(self, k: int, t: FloatArray, x: FloatArray, T: FloatArray) -> FloatArray:
        r, alpha, a, _ = self._p()
        bp = self._bpost(x)
        kk = r + x
        A = alpha + T
        lnq = np.log(A / (A + t))
        ln1q = np.log(t / (A + t))
        lbeta0 = sp.betaln(a, bp)
        lnb = sp.gammaln(kk + k) - sp.gammaln(kk) - sp.gammaln(k + 1.0) + kk * lnq + (k * ln1q if k else 0.0)
        out = np.exp(sp.betaln(a, bp + k) - lbeta0 + lnb)
        if k > 0:
            tail = sp.betainc(k, kk, t / (A + t))
            out = out + np.exp(sp.betaln(a + 1.0, bp + k - 1.0) - lbeta0) * tail
        if k == 0:
            out = np.where(t == 0, 1.0, out)
        return np.asarray(out, dtype=np.float64)


class BetaGeoModel(_BetaGeoFamily):
    """The BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

    While active a customer buys at a Poisson rate ``λ ~ Gamma(r, alpha)``; after each
    repeat purchase they drop out with probability ``p ~ Beta(a, b)``.

    Parameters
    ----------
    penalizer
        L2 penalty on the parameters (``penalizer * sum(params**2)`` added to the mean
        negative log-likelihood); 0 is plain maximum likelihood.
    max_iter, tol
        Iteration limit and tolerance on the Newton decrement of the objective.

    Examples
    --------
    >>> from distcrm.forecast._purchase._simulate import simulate_bgnbd
    >>> s = simulate_bgnbd(5000, r=0.25, alpha=4.0, a=0.8, b=2.5, seed=1)
    >>> m = BetaGeoModel().fit(s)
    >>> {k: round(v, 1) for k, v in m.params_.items()}
    {'r': 0.3, 'alpha': 4.1, 'a': 0.8, 'b': 2.2}
    >>> m.expected_purchases(10, s).shape
    (5000,)
    """

    _model_name: ClassVar[str] = "BG/NBD"
    _modified: ClassVar[bool] = False


class ModifiedBetaGeoModel(_BetaGeoFamily):
    """The MBG/NBD purchase model (Batislam, Denizel & Filiztekin 2007).

    Like BG/NBD, but a customer may also drop out right after the first purchase, so a
    customer with no repeat purchase is not assumed alive.

    Parameters
    ----------
    penalizer
        L2 penalty on the parameters; 0 is plain maximum likelihood.
    max_iter, tol
        Iteration limit and tolerance on the Newton decrement of the objective.

    Examples
    --------
    >>> from distcrm.forecast._purchase._simulate import simulate_bgnbd
    >>> s = simulate_bgnbd(2000, seed=1)
    >>> m = ModifiedBetaGeoModel().fit(s)
    >>> bool((m.p_alive(s) < 1).all())
    True
    """

    _model_name: ClassVar[str] = "MBG/NBD"
    _modified: ClassVar[bool] = True
