"""k-means++ clustering of customers on scaled log features, with automatic k."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._checks import as_float_array, check_finite
from distcrm._estimator import BaseEstimator, check_is_fitted
from distcrm.errors import ValidationError
from distcrm.segmentation._common import axes, frame, html_table

__all__ = ["ClusterProfile", "KMeansSegmenter"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def _sqdist(X: FloatArray, C: FloatArray) -> FloatArray:
    out: FloatArray = np.maximum((X * X).sum(1)[:, None] - 2 * X @ C.T + (C * C).sum(1)[None, :], 0.0)
    return out


def _kmeanspp(X: FloatArray, k: int, rng: np.random.Generator) -> FloatArray:
    n = X.shape[0]
    centers = [X[rng.integers(n)]]
    d2 = _sqdist(X, centers[0][None, :])[:, 0]
    for _ in range(1, k):
        total = d2.sum()
        i = rng.integers(n) if total <= 0 else int(np.searchsorted(np.cumsum(d2), rng.random() * total))
        centers.append(X[min(i, n - 1)])
        d2 = np.minimum(d2, _sqdist(X, X[min(i, n - 1)][None, :])[:, 0])
    return np.array(centers)


def _lloyd(X: FloatArray, C: FloatArray, max_iter: int) -> tuple[FloatArray, IntArray, float]:
    k = C.shape[0]
    labels = np.zeros(X.shape[0], dtype=np.intp)
    for _ in range(max_iter):
        labels = _sqdist(X, C).argmin(1)
        cnt = np.bincount(labels, minlength=k)
        newC: FloatArray = np.stack(
            [np.bincount(labels, weights=X[:, j], minlength=k).astype(np.float64) for j in range(X.shape[1])],
            1,
        )
        empty = cnt == 0
        newC[~empty] /= cnt[~empty, None]
        newC[empty] = C[empty]
        if np.allclose(newC, C, atol=1e-10):
            C = newC
            break
        C = newC
    labels = _sqdist(X, C).argmin(1)
    inertia = float(_sqdist(X, C)[np.arange(X.shape[0]), labels].sum())
    return C, labels, inertia


def _silhouette(X: FloatArray, labels: IntArray, k: int) -> float:
    D = np.sqrt(_sqdist(X, X))
    n = X.shape[0]
    onehot = np.zeros((n, k))
    onehot[np.arange(n), labels] = 1.0
    cnt = onehot.sum(0)
    sums = D @ onehot
    own = cnt[labels]
    a = np.where(own > 1, sums[np.arange(n), labels] / np.maximum(own - 1, 1), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_other = sums / cnt[None, :]
    mean_other[np.arange(n), labels] = np.inf
    mean_other[:, cnt == 0] = np.inf
    b = mean_other.min(1)
    s = np.where(own > 1, (b - a) / np.maximum(a, b), 0.0)
    return float(np.mean(s))


@attrs.frozen(eq=False, kw_only=True)
class ClusterProfile:
    """Size, feature means and a plain-language label of each cluster."""

    features: tuple[str, ...]
    sizes: npt.NDArray[np.int64]
    means: FloatArray
    labels: tuple[str, ...]

    def __eq__(self, other: object) -> bool:
        """Equal features, labels and sizes, and means equal to rounding."""
        if not isinstance(other, ClusterProfile):
            return NotImplemented
        return (
            self.features == other.features
            and self.labels == other.labels
            and np.array_equal(self.sizes, other.sizes)
            and self.means.shape == other.means.shape
            and bool(np.allclose(self.means, other.means, rtol=1e-12, atol=0.0))
        )

    __hash__ = None  # type: ignore[assignment]  # mutable arrays inside: not hashable

    def to_frame(self) -> Any:
        cols: dict[str, Any] = {"label": list(self.labels), "size": self.sizes}
        for j, f in enumerate(self.features):
            cols[f"mean_{f}"] = self.means[:, j]
        return frame(cols, np.arange(len(self.labels)), "ClusterProfile.to_frame", index_name="cluster")

    def _repr_html_(self) -> str:
        cols: dict[str, Any] = {
            "cluster": list(range(len(self.labels))),
            "label": list(self.labels),
            "size": self.sizes,
        }
        for j, f in enumerate(self.features):
            cols[f] = self.means[:, j]
        return html_table(cols, "cluster profiles")

    def plot(self, ax: Any = None) -> Any:
        """Bar chart of cluster sizes with their labels."""
        ax = axes(ax, "ClusterProfile.plot")
        ax.barh([f"{i}: {lab}" for i, lab in enumerate(self.labels)][::-1], self.sizes[::-1])
        ax.set_xlabel("customers")
        return ax


_WORDS = {
    "recency": ("recent", "lapsed"),
    "frequency": ("frequent", "occasional"),
    "monetary": ("high-spend", "low-spend"),
}


class KMeansSegmenter(BaseEstimator):
    """k-means++ clustering on ``log1p`` features scaled to mean 0, sd 1.

    Parameters
    ----------
    n_clusters
        The number of clusters, or ``"auto"`` to pick it from ``k_range`` by ``criterion``.
    k_range
        Candidate numbers of clusters for ``"auto"``.
    criterion
        ``"silhouette"`` (mean silhouette on a sample of at most ``sample_size`` rows)
        or ``"gap"`` (Tibshirani's gap statistic with uniform reference sets).
    n_init, max_iter, random_state
        Restarts (the best inertia wins), Lloyd iterations per restart, seed.
    feature_names
        Names of the columns (``recency``, ``frequency``, ``monetary`` label clusters in words).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.lognormal(1, .2, (50, 3)), rng.lognormal(4, .2, (50, 3))]
    >>> seg = KMeansSegmenter(n_clusters="auto", random_state=0).fit(X)
    >>> seg.n_clusters_
    2
    """

    cluster_centers_: FloatArray
    labels_: IntArray
    inertia_: float
    n_clusters_: int
    scores_: dict[int, float]
    profile_: ClusterProfile

    def __init__(
        self,
        n_clusters: int | str = "auto",
        *,
        k_range: Sequence[int] = (2, 3, 4, 5, 6, 7, 8),
        criterion: str = "silhouette",
        n_init: int = 10,
        max_iter: int = 300,
        random_state: int | None = 0,
        sample_size: int = 2000,
        feature_names: Sequence[str] = ("recency", "frequency", "monetary"),
    ) -> None:
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.criterion = criterion
        self.n_init = n_init
        self.max_iter = max_iter
        self.random_state = random_state
        self.sample_size = sample_size
        self.feature_names = feature_names

    def _features(self, X: Any) -> FloatArray:
        if hasattr(X, "data") and hasattr(X, "segment_code"):  # an RFMResult
            X = np.stack([X.data.recency, X.data.frequency, X.data.monetary], 1)
        elif hasattr(X, "recency") and hasattr(X, "monetary") and hasattr(X, "frequency"):  # RFMData
            X = np.stack([X.recency, X.frequency, X.monetary], 1)
        arr = as_float_array("X", X, ndim=2)
        check_finite("X", arr)
        if (arr < 0).any():
            i, j = (int(v[0]) for v in np.nonzero(arr < 0))
            raise ValidationError.single(
                f"X[{i}][{j}]", float(arr[i, j]), "must be >= 0 (features are log1p-scaled)"
            )
        return arr

    def _scale(self, arr: FloatArray) -> FloatArray:
        out: FloatArray = (np.log1p(arr) - self._mu) / self._sd
        return out

    def _run(self, Z: FloatArray, k: int, rng: np.random.Generator) -> tuple[FloatArray, IntArray, float]:
        best: tuple[FloatArray, IntArray, float] | None = None
        for _ in range(int(self.n_init)):
            out = _lloyd(Z, _kmeanspp(Z, k, rng), int(self.max_iter))
            if best is None or out[2] < best[2]:
                best = out
        assert best is not None
        return best

    def fit(self, X: Any) -> Self:
        """Cluster the rows of ``X`` (customers × features, e.g. recency, frequency, monetary)."""
        arr = self._features(X)
        if self.criterion not in ("silhouette", "gap"):
            raise ValidationError.single("criterion", self.criterion, "must be 'silhouette' or 'gap'")
        if isinstance(self.n_init, bool) or not isinstance(self.n_init, int) or self.n_init < 1:
            raise ValidationError.single("n_init", self.n_init, "must be an integer >= 1")
        if len(self.feature_names) != arr.shape[1]:
            raise ValidationError.single(
                "feature_names", list(self.feature_names), f"must name the {arr.shape[1]} columns"
            )
        logs = np.log1p(arr)
        self._mu = logs.mean(0)
        sd = logs.std(0)
        self._sd = np.where(sd > 0, sd, 1.0)
        Z = self._scale(arr)
        rng = np.random.default_rng(self.random_state)
        n = Z.shape[0]
        if self.n_clusters == "auto":
            ks = [int(k) for k in self.k_range if 2 <= int(k) < n]
            if not ks:
                raise ValidationError.single("k_range", list(self.k_range), f"needs a k in 2..{n - 1}")
            idx = rng.choice(n, min(n, int(self.sample_size)), replace=False)
            scores: dict[int, float] = {}
            for k in ks:
                _, lab, inertia = self._run(Z, k, rng)
                if self.criterion == "silhouette":
                    scores[k] = _silhouette(Z[idx], lab[idx], k)
                else:
                    lo, hi = Z.min(0), Z.max(0)
                    ref = [
                        np.log(self._run(rng.uniform(lo, hi, Z[idx].shape), k, rng)[2] + 1e-300)
                        for _ in range(5)
                    ]
                    scores[k] = float(
                        np.mean(ref) - np.log(_lloyd(Z[idx], _kmeanspp(Z[idx], k, rng), 50)[2] + 1e-300)
                    )
                del inertia
            k_best = max(scores, key=lambda kk: scores[kk])
            self.scores_ = scores
        else:
            k_best = int(self.n_clusters)
            if not 1 <= k_best <= n:
                raise ValidationError.single("n_clusters", self.n_clusters, f"must be in 1..{n} or 'auto'")
            self.scores_ = {}
        C, labels, inertia = self._run(Z, k_best, rng)
        # order clusters by size, largest first, for stable reporting
        order = np.argsort(-np.bincount(labels, minlength=k_best), kind="stable")
        remap = np.empty(k_best, dtype=np.intp)
        remap[order] = np.arange(k_best)
        self.cluster_centers_ = C[order]
        self.labels_ = remap[labels]
        self.inertia_ = inertia
        self.n_clusters_ = k_best
        self.profile_ = self._profile(arr, self.labels_)
        return self

    def predict(self, X: Any) -> IntArray:
        """The nearest cluster of each row."""
        check_is_fitted(self, "cluster_centers_", "predict")
        out: IntArray = _sqdist(self._scale(self._features(X)), self.cluster_centers_).argmin(1)
        return out

    def _profile(self, arr: FloatArray, labels: IntArray) -> ClusterProfile:
        k = self.n_clusters_
        sizes = np.bincount(labels, minlength=k)
        sums: FloatArray = np.stack(
            [
                np.bincount(labels, weights=arr[:, j], minlength=k).astype(np.float64)
                for j in range(arr.shape[1])
            ],
            1,
        )
        means: FloatArray = sums / np.maximum(sizes, 1)[:, None]
        names = tuple(self.feature_names)
        words = []
        for c in range(k):
            parts = []
            for j, f in enumerate(names):
                z = self.cluster_centers_[c, j]
                if abs(z) < 0.5:
                    continue
                hi, lo = _WORDS.get(f, (f"high {f}", f"low {f}"))
                if f == "recency":  # lower days since purchase = more recent
                    parts.append(hi if z < 0 else lo)
                else:
                    parts.append(hi if z > 0 else lo)
            words.append(", ".join(parts) + " customers" if parts else "typical customers")
        return ClusterProfile(features=names, sizes=sizes, means=means, labels=tuple(words))
