"""Per-customer satisfaction from attribute ratings, key-driver analysis, shrinkage and ranking.

Key-driver analysis splits the R² of the regression of overall satisfaction on attribute
ratings among the attributes, two ways that are robust to correlated attributes:

- Johnson's (2000) relative weights: with ``R = VΛVᵀ`` the attributes' correlation matrix
  and ``Λ_half = V Λ^{1/2} Vᵀ``, regress ``y`` on the orthogonal ``Z`` (``β = Λ_half⁻¹ r_xy``);
  the weight of attribute ``j`` is ``Σ_k Λ_half[j, k]² β_k²``.
- LMG / Shapley value (Lindeman, Merenda & Gold 1980; Grömping 2007): the increase of R²
  when ``j`` joins, averaged over all orders of entry (computed over all subsets).

Both sum to the model's R².
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._checks import as_float_array, check_finite
from distcrm._estimator import BaseEstimator, check_is_fitted
from distcrm.errors import ConvergenceWarning, FieldError, ValidationError

__all__ = [
    "CustomerSatisfaction",
    "DriverImportance",
    "SatisfactionScorer",
    "key_drivers",
    "lmg_weights",
    "relative_weights",
    "wilson_lower_bound",
]

FloatArray = npt.NDArray[np.float64]
_MAX_LMG = 15


def wilson_lower_bound(successes: Any, n: Any, confidence: float = 0.95) -> FloatArray:
    """Lower bound of the Wilson score interval for a proportion (0 where ``n == 0``).

    Ranks items by "how sure are we the share is at least this high", so 9 of 10 beats 1 of 1.

    Examples
    --------
    >>> np.round(wilson_lower_bound([9, 1, 0], [10, 1, 0]), 3).tolist()
    [0.596, 0.207, 0.0]
    """
    from statistics import NormalDist

    s = np.asarray(successes, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    if np.any(m < 0) or np.any(s < 0) or np.any(s > m):
        raise ValidationError.single("successes", s.tolist()[:10], "must satisfy 0 <= successes <= n")
    if not 0 < confidence < 1:
        raise ValidationError.single("confidence", confidence, "must be strictly between 0 and 1")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    safe = np.maximum(m, 1.0)
    p = s / safe
    lb = (p + z * z / (2 * safe) - z * np.sqrt(p * (1 - p) / safe + z * z / (4 * safe * safe))) / (
        1 + z * z / safe
    )
    out: FloatArray = np.where(m > 0, np.maximum(lb, 0.0), 0.0)
    return out


def _corr(X: FloatArray, y: FloatArray, names: Sequence[str]) -> tuple[FloatArray, FloatArray]:
    data = np.column_stack([X, y])
    sd = data.std(axis=0)
    const = np.flatnonzero(sd == 0)
    if const.size:
        labels = [*names, "y"]
        raise ValidationError(
            [
                FieldError(f"$.X[:, {labels[i]!r}]" if i < len(names) else "$.y", "is constant", None)
                for i in const
            ]
        )
    C: FloatArray = np.atleast_2d(np.corrcoef(data, rowvar=False))
    return C[:-1, :-1], C[:-1, -1]


def _r2_subset(Rxx: FloatArray, rxy: FloatArray, idx: npt.NDArray[np.intp]) -> float:
    if idx.size == 0:
        return 0.0
    sub = Rxx[np.ix_(idx, idx)]
    r = rxy[idx]
    sol = np.linalg.lstsq(sub, r, rcond=None)[0]
    return float(r @ sol)


def relative_weights(Rxx: FloatArray, rxy: FloatArray) -> FloatArray:
    """Johnson's relative weights from the predictors' correlation matrix and their correlations with y.

    Examples
    --------
    Uncorrelated predictors: each weight is its squared correlation.

    >>> relative_weights(np.eye(2), np.array([0.6, 0.3])).round(4).tolist()
    [0.36, 0.09]
    """
    evals, evecs = np.linalg.eigh(Rxx)
    if evals.min() <= 1e-10:
        raise ValidationError.single(
            "X", evals.min(), "attributes are collinear (correlation matrix is singular)"
        )
    lam_half = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    beta = np.linalg.solve(lam_half, rxy)
    out: FloatArray = (lam_half**2) @ (beta**2)
    return out


def lmg_weights(Rxx: FloatArray, rxy: FloatArray) -> FloatArray:
    """LMG (Shapley) decomposition of R² from correlations, over all 2^p subsets.

    Examples
    --------
    Two predictors: the weight of the first is ``(r1² + R² − r2²) / 2``.

    >>> R = np.array([[1.0, 0.5], [0.5, 1.0]]); r = np.array([0.6, 0.4])
    >>> w = lmg_weights(R, r); R2 = (0.36 + 0.16 - 2 * 0.5 * 0.6 * 0.4) / 0.75
    >>> bool(np.isclose(w[0], (0.36 + R2 - 0.16) / 2)), bool(np.isclose(w.sum(), R2))
    (True, True)
    """
    p = rxy.size
    if p > _MAX_LMG:
        raise ValidationError.single("X", p, f"LMG needs 2^p subsets; use at most {_MAX_LMG} attributes")
    r2 = np.empty(2**p)
    bits = np.arange(p)
    for mask in range(2**p):
        r2[mask] = _r2_subset(Rxx, rxy, bits[(mask >> bits) & 1 == 1])
    sizes = np.array([bin(m).count("1") for m in range(2**p)])
    fact = [math.factorial(k) for k in range(p + 1)]
    weight_of_size = np.array([fact[s] * fact[p - s - 1] / fact[p] if s < p else 0.0 for s in range(p + 1)])
    out = np.zeros(p)
    masks = np.arange(2**p)
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        out[j] = np.sum(weight_of_size[sizes[without]] * (r2[without | (1 << j)] - r2[without]))
    return out


@attrs.frozen(kw_only=True)
class DriverImportance:
    """How much each attribute drives overall satisfaction.

    ``relative_weights`` and ``lmg`` each sum to ``r2``; ``share`` is the chosen method's
    weights divided by ``r2`` (sums to 1).
    """

    names: tuple[str, ...]
    relative_weights: tuple[float, ...]
    lmg: tuple[float, ...] | None
    r2: float
    method: str
    n: int

    @property
    def share(self) -> tuple[float, ...]:
        """The chosen method's weights as shares of R²."""
        w = self.lmg if self.method == "lmg" and self.lmg is not None else self.relative_weights
        total = sum(w)
        return tuple(x / total for x in w) if total > 0 else tuple(1 / len(w) for _ in w)

    def to_frame(self) -> Any:
        """One row per attribute (pandas is optional)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="DriverImportance.to_frame")
        d: dict[str, Any] = {"relative_weight": self.relative_weights, "share": self.share}
        if self.lmg is not None:
            d["lmg"] = self.lmg
        return pd.DataFrame(d, index=list(self.names))

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(n)}</td><td>{s:.1%}</td></tr>"
            for n, s in zip(self.names, self.share, strict=True)
        )
        return f"<table><caption>Key drivers (R² = {self.r2:.3f}, {self.method})</caption>{rows}</table>"

    def plot(self, ax: Any = None) -> Any:
        """Horizontal bars of each attribute's share (matplotlib is optional)."""
        from distcrm._optional import import_optional

        plt = import_optional("matplotlib.pyplot", feature="DriverImportance.plot")
        if ax is None:
            _, ax = plt.subplots()
        ax.barh(list(self.names), list(self.share))
        ax.set_xlabel("share of explained variance")
        return ax


def _names(names: Sequence[str] | None, k: int) -> tuple[str, ...]:
    if names is None:
        return tuple(f"x{i}" for i in range(k))
    if len(names) != k:
        raise ValidationError.single("names", list(names), f"must have {k} names (one per column of X)")
    return tuple(str(n) for n in names)


def key_drivers(
    X: Any,
    y: Any,
    *,
    names: Sequence[str] | None = None,
    method: Literal["relative_weights", "lmg"] = "relative_weights",
) -> DriverImportance:
    """Key-driver analysis of overall satisfaction ``y`` on attribute ratings ``X``.

    Computes Johnson's relative weights always and LMG when there are at most 15
    attributes; ``method`` picks which one ``share`` reports.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 3))
    >>> y = 2 * X[:, 0] + X[:, 1] + rng.normal(size=500)
    >>> d = key_drivers(X, y, names=["product", "punctuality", "service"])
    >>> [round(s, 1) for s in d.share]
    [0.8, 0.2, 0.0]
    """
    if method not in ("relative_weights", "lmg"):
        raise ValidationError.single("method", method, "must be 'relative_weights' or 'lmg'")
    Xa = as_float_array("X", X, ndim=2)
    ya = as_float_array("y", y)
    if Xa.shape[0] != ya.size:
        raise ValidationError.single(
            "y", ya.size, f"has length {ya.size}, expected {Xa.shape[0]} (rows of X)"
        )
    check_finite("X", Xa)
    check_finite("y", ya)
    k = Xa.shape[1]
    nm = _names(names, k)
    if Xa.shape[0] <= k + 1:
        raise ValidationError.single("X", Xa.shape, "needs more rows than attributes + 1")
    Rxx, rxy = _corr(Xa, ya, nm)
    rw = relative_weights(Rxx, rxy)
    lmg = lmg_weights(Rxx, rxy) if k <= _MAX_LMG else None
    if method == "lmg" and lmg is None:
        raise ValidationError.single("method", method, f"LMG supports at most {_MAX_LMG} attributes")
    r2 = float(rw.sum())
    return DriverImportance(
        names=nm,
        relative_weights=tuple(float(v) for v in rw),
        lmg=None if lmg is None else tuple(float(v) for v in lmg),
        r2=r2,
        method=method,
        n=int(Xa.shape[0]),
    )


@attrs.frozen(kw_only=True, eq=False)
class CustomerSatisfaction:
    """Per-customer satisfaction: raw mean, shrunk mean, share satisfied and its Wilson bound."""

    customer_ids: npt.NDArray[Any]
    n_responses: npt.NDArray[np.int64]
    raw_mean: FloatArray
    shrunk: FloatArray
    satisfied_share: FloatArray
    wilson_lower: FloatArray

    def __len__(self) -> int:
        return int(self.customer_ids.size)

    def ranking(
        self, by: Literal["wilson_lower", "shrunk"] = "wilson_lower", ascending: bool = False
    ) -> npt.NDArray[Any]:
        """Customer ids ordered by ``by`` (best first unless ``ascending``)."""
        key = self.wilson_lower if by == "wilson_lower" else self.shrunk
        order = np.argsort(key if ascending else -key, kind="stable")
        out: npt.NDArray[Any] = self.customer_ids[order]
        return out

    def to_frame(self) -> Any:
        """One row per customer (pandas is optional)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="CustomerSatisfaction.to_frame")
        return pd.DataFrame(
            {
                "n_responses": self.n_responses,
                "raw_mean": self.raw_mean,
                "shrunk": self.shrunk,
                "satisfied_share": self.satisfied_share,
                "wilson_lower": self.wilson_lower,
            },
            index=pd.Index(self.customer_ids, name="customer_id"),
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(str(self.customer_ids[i]))}</td><td>{self.n_responses[i]}</td>"
            f"<td>{self.raw_mean[i]:.2f}</td><td>{self.shrunk[i]:.2f}</td><td>{self.wilson_lower[i]:.2f}</td></tr>"
            for i in range(min(len(self), 20))
        )
        head = "<tr><th>customer</th><th>n</th><th>raw</th><th>shrunk</th><th>Wilson LB</th></tr>"
        return f"<table><caption>{len(self)} customers</caption>{head}{rows}</table>"


class SatisfactionScorer(BaseEstimator):
    """Per-customer satisfaction from attribute ratings (product, punctuality, service …).

    Each response's composite score is a weighted mean of its attribute ratings. The
    weights are given, or learned by key-driver analysis of an overall rating ``y``
    (their shares of R²). Customers' mean composites are shrunk towards the population
    mean by empirical Bayes (normal–normal: a customer with ``n`` responses gets weight
    ``n / (n + k)`` with ``k = σ²_within / τ²_between``), so a single glowing or furious
    answer does not top or bottom a ranking. A response is "satisfied" when its composite
    is at least ``satisfied_threshold``; the Wilson lower bound of the satisfied share
    ranks customers by how sure we are that they are satisfied.

    Parameters
    ----------
    weights
        Attribute weights (a sequence, or a mapping by attribute name); normalised to sum
        to 1. ``None`` learns them from ``y``.
    method
        Key-driver method when learning: ``"relative_weights"`` or ``"lmg"``.
    prior_strength
        ``k`` above; ``None`` estimates it from the data.
    satisfied_threshold
        Composite at or above which a response counts as satisfied (default: top-2-box
        of a 1–5 scale, 4.0).
    confidence
        Confidence of the Wilson bound.
    attribute_names
        Names of the columns of ``X`` (default ``x0, x1, …``).

    Attributes
    ----------
    weights_, drivers_, population_mean_, prior_strength_, within_var_, between_var_,
    customer_scores_

    Examples
    --------
    >>> X = [[5, 5, 4], [4, 5, 5], [2, 1, 3], [5, 4, 5], [1, 2, 2]]
    >>> s = SatisfactionScorer(weights=[0.5, 0.3, 0.2]).fit(X, customer_ids=["a", "a", "b", "c", "b"])
    >>> s.customer_scores_.ranking().tolist()
    ['a', 'c', 'b']
    """

    def __init__(
        self,
        weights: Sequence[float] | Mapping[str, float] | None = None,
        method: Literal["relative_weights", "lmg"] = "relative_weights",
        prior_strength: float | None = None,
        satisfied_threshold: float = 4.0,
        confidence: float = 0.95,
        attribute_names: Sequence[str] | None = None,
    ) -> None:
        self.weights = weights
        self.method = method
        self.prior_strength = prior_strength
        self.satisfied_threshold = satisfied_threshold
        self.confidence = confidence
        self.attribute_names = attribute_names

    def _resolve_weights(self, names: tuple[str, ...]) -> FloatArray:
        w = self.weights
        if isinstance(w, Mapping):
            missing = [n for n in names if n not in w]
            extra = [k for k in w if k not in names]
            if missing or extra:
                raise ValidationError.single("weights", dict(w), f"keys must be the attributes {list(names)}")
            arr = np.array([float(w[n]) for n in names])
        else:
            arr = as_float_array("weights", w)
            if arr.size != len(names):
                raise ValidationError.single("weights", arr.tolist(), f"must have {len(names)} values")
        if np.any(~np.isfinite(arr)) or np.any(arr < 0) or arr.sum() <= 0:
            raise ValidationError.single("weights", arr.tolist(), "must be finite, >= 0 and not all 0")
        out: FloatArray = arr / arr.sum()
        return out

    def _check_x(self, X: Any) -> FloatArray:
        Xa = as_float_array("X", X, ndim=2)
        check_finite("X", Xa)
        return Xa

    def fit(self, X: Any, y: Any = None, customer_ids: Any = None) -> SatisfactionScorer:
        """Learn weights (if not given) and the shrinkage prior from responses.

        Parameters
        ----------
        X
            Attribute ratings, one row per response.
        y
            Overall satisfaction per response (needed when ``weights`` is ``None``).
        customer_ids
            The customer of each response (default: each response its own customer).
        """
        Xa = self._check_x(X)
        names = _names(self.attribute_names, Xa.shape[1])
        if self.weights is None:
            if y is None:
                raise ValidationError.missing("y", "is required to learn weights (or give weights=)")
            drivers = key_drivers(Xa, y, names=names, method=self.method)
            self.drivers_: DriverImportance | None = drivers
            self.weights_ = np.asarray(drivers.share)
        else:
            self.drivers_ = None
            self.weights_ = self._resolve_weights(names)
        self.attribute_names_ = names
        composite = Xa @ self.weights_
        ids, inv = _group(customer_ids, Xa.shape[0])
        n = np.bincount(inv).astype(np.float64)
        sums = np.bincount(inv, weights=composite)
        means = sums / n
        mu = float(composite.mean())
        resid = composite - means[inv]
        dof = max(composite.size - ids.size, 1)
        within = float(np.sum(resid**2) / dof)
        if ids.size > 1:
            between = float(np.var(means, ddof=1) - within * np.mean(1.0 / n))
        else:
            between = 0.0
        if self.prior_strength is not None:
            if not (isinstance(self.prior_strength, (int, float)) and self.prior_strength >= 0):
                raise ValidationError.single("prior_strength", self.prior_strength, "must be >= 0")
            k = float(self.prior_strength)
        elif between <= 1e-12 or within <= 0:
            import warnings

            if between <= 1e-12:
                warnings.warn(
                    "SatisfactionScorer: no between-customer variance detected; every customer is shrunk "
                    "fully to the mean unless prior_strength is given",
                    ConvergenceWarning,
                    stacklevel=2,
                )
                k = math.inf
            else:
                k = 0.0
        else:
            k = within / between
        self.population_mean_ = mu
        self.within_var_ = within
        self.between_var_ = max(between, 0.0)
        self.prior_strength_ = k
        self.customer_scores_ = self._scores(ids, inv, composite)
        return self

    def _scores(
        self, ids: npt.NDArray[Any], inv: npt.NDArray[np.intp], composite: FloatArray
    ) -> CustomerSatisfaction:
        n = np.bincount(inv, minlength=ids.size).astype(np.float64)
        means = np.bincount(inv, weights=composite, minlength=ids.size) / n
        k = self.prior_strength_
        shrunk = (
            np.full_like(means, self.population_mean_)
            if math.isinf(k)
            else (n * means + k * self.population_mean_) / (n + k)
        )
        sat = np.bincount(
            inv, weights=(composite >= self.satisfied_threshold).astype(np.float64), minlength=ids.size
        )
        return CustomerSatisfaction(
            customer_ids=ids,
            n_responses=n.astype(np.int64),
            raw_mean=means,
            shrunk=shrunk,
            satisfied_share=sat / n,
            wilson_lower=wilson_lower_bound(sat, n, self.confidence),
        )

    def transform(self, X: Any) -> FloatArray:
        """The composite score of each response."""
        check_is_fitted(self, "weights_", method="transform")
        Xa = self._check_x(X)
        if Xa.shape[1] != self.weights_.size:
            raise ValidationError.single("X", Xa.shape, f"must have {self.weights_.size} columns")
        out: FloatArray = Xa @ self.weights_
        return out

    def predict(self, X: Any, customer_ids: Any = None) -> CustomerSatisfaction:
        """Per-customer satisfaction of new responses, shrunk with the fitted prior."""
        composite = self.transform(X)
        ids, inv = _group(customer_ids, composite.size)
        return self._scores(ids, inv, composite)


def _group(customer_ids: Any, n: int) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
    if customer_ids is None:
        return np.arange(n), np.arange(n)
    ids = np.asarray(customer_ids)
    if ids.ndim != 1 or ids.size != n:
        raise ValidationError.single("customer_ids", ids.shape, f"must be 1-dimensional with length {n}")
    uniq, inv = np.unique(ids, return_inverse=True)
    return uniq, inv.astype(np.intp)
