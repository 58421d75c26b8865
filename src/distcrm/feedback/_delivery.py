"""Linking feedback to deliveries: the effect of lateness, and customers whose satisfaction dropped."""

from __future__ import annotations

import html
import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._checks import as_float_array
from distcrm.errors import DataQualityWarning, FieldError, ValidationError
from distcrm.feedback._scores import (
    ChangeResult,
    Method,
    Metric,
    ScoreBreakdown,
    _check_confidence,
    _scale,
    _validate_scores,
    breakdown,
    compare,
)

__all__ = [
    "LatenessEffect",
    "SatisfactionDrops",
    "align_to_shipments",
    "lateness_effect",
    "satisfaction_drops",
]

FloatArray = npt.NDArray[np.float64]


def align_to_shipments(
    feedback_shipment_ids: Any, shipment_ids: Any, values: Any, *, field: str = "values"
) -> FloatArray:
    """Look up a per-shipment value (e.g. lateness minutes) for each feedback record.

    A vectorised join on shipment id (sort + binary search). Feedback whose shipment is
    unknown gets NaN and one :class:`~distcrm.errors.DataQualityWarning` counting them.

    Examples
    --------
    >>> align_to_shipments(["s2", "s1"], ["s1", "s2"], [0.0, 45.0]).tolist()
    [45.0, 0.0]
    """
    fb = np.asarray(feedback_shipment_ids)
    sid = np.asarray(shipment_ids)
    vals = as_float_array(field, values, allow_empty=True)
    if sid.ndim != 1 or sid.size != vals.size:
        raise ValidationError.single(
            "shipment_ids", sid.shape, f"must be 1-dimensional with length {vals.size}"
        )
    order = np.argsort(sid, kind="stable")
    s_sorted = sid[order]
    if s_sorted.size > 1 and np.any(s_sorted[1:] == s_sorted[:-1]):
        dup = s_sorted[1:][s_sorted[1:] == s_sorted[:-1]]
        raise ValidationError.single("shipment_ids", dup[:5].tolist(), "must be unique")
    out = np.full(fb.size, np.nan)
    if s_sorted.size:
        pos = np.minimum(np.searchsorted(s_sorted, fb), s_sorted.size - 1)
        hit = s_sorted[pos] == fb
        out[hit] = vals[order[pos[hit]]]
    else:
        hit = np.zeros(fb.size, bool)
    missing = int((~hit).sum())
    if missing:
        warnings.warn(
            f"{missing} feedback records refer to unknown shipments (first: {fb[~hit][:5].tolist()}); "
            "their lateness is NaN",
            DataQualityWarning,
            stacklevel=2,
        )
    return out


@attrs.frozen(kw_only=True)
class LatenessEffect:
    """Satisfaction of on-time vs late deliveries, the difference, and a breakdown by lateness band."""

    metric: str
    threshold_minutes: float
    on_time: Any
    late: Any
    difference: ChangeResult
    by_band: ScoreBreakdown
    n_unmatched: int

    def __str__(self) -> str:
        return (
            f"{self.metric.upper()} on time: {self.on_time}\n"
            f"{self.metric.upper()} late (> {self.threshold_minutes:g} min): {self.late}\n"
            f"late − on time: {self.difference}"
        )

    def to_frame(self) -> Any:
        """The band breakdown as a DataFrame (pandas is optional)."""
        return self.by_band.to_frame()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>" + self.by_band._repr_html_()

    def plot(self, ax: Any = None) -> Any:
        """The score by lateness band with CIs (matplotlib is optional)."""
        ax = self.by_band.plot(ax=ax)
        ax.set_xlabel("minutes late")
        return ax


_DEFAULT_BANDS = (0.0, 15.0, 60.0, 240.0)


def _band_labels(edges: Sequence[float]) -> list[str]:
    labels = [f"≤ {edges[0]:g}"]
    labels += [f"{a:g}–{b:g}" for a, b in itertools.pairwise(edges)]
    labels.append(f"> {edges[-1]:g}")
    return labels


def lateness_effect(
    lateness_minutes: Any,
    scores: Any,
    *,
    metric: Metric = "nps",
    threshold: float = 0.0,
    bands: Sequence[float] = _DEFAULT_BANDS,
    scale: int | None = None,
    confidence: float = 0.95,
    method: Method = "analytic",
    n_boot: int = 2000,
    random_state: Any = None,
) -> LatenessEffect:
    """How lateness changes satisfaction: score on time vs late with CIs, their difference, by band.

    ``lateness_minutes`` is aligned with ``scores`` (see :func:`align_to_shipments`);
    negative means early. A delivery is late when its lateness exceeds ``threshold``.
    Rows with NaN lateness (unknown shipment) are left out and counted in ``n_unmatched``.

    Examples
    --------
    >>> late = [0, 0, 0, 0, 90, 120, 30, 0]
    >>> score = [10, 9, 10, 8, 3, 2, 6, 10]
    >>> e = lateness_effect(late, score)
    >>> e.on_time.value, e.late.value, e.difference.difference
    (80.0, -100.0, -180.0)
    """
    lat = as_float_array("lateness_minutes", lateness_minutes, allow_empty=True)
    sc = _scale(metric, scale)
    confidence = _check_confidence(confidence)
    s = np.asarray(scores)
    if s.ndim != 1 or s.size != lat.size:
        raise ValidationError.single("scores", s.shape, f"must be 1-dimensional with length {lat.size}")
    if np.any(np.isinf(lat)):
        raise ValidationError.single("lateness_minutes", "inf", "must be finite or NaN (unknown)")
    edges = [float(b) for b in bands]
    if edges != sorted(edges) or len(set(edges)) != len(edges) or not edges:
        raise ValidationError.single("bands", list(bands), "must be strictly increasing band edges")
    _validate_scores(s, sc, None)
    known = ~np.isnan(lat)
    lat_k = lat[known]
    s_k = s[known]
    late_mask = lat_k > threshold
    kw: dict[str, Any] = {
        "metric": metric,
        "scale": scale,
        "confidence": confidence,
        "method": method,
        "n_boot": n_boot,
    }
    rng = (
        np.random.default_rng(random_state)
        if not isinstance(random_state, np.random.Generator)
        else random_state
    )
    two = breakdown(
        s_k, np.where(late_mask, "late", "on_time"), categories=["on_time", "late"], random_state=rng, **kw
    )
    labels = _band_labels(edges)
    band_idx = np.searchsorted(np.asarray(edges), lat_k, side="left")
    by_band = breakdown(
        s_k, np.asarray(labels, dtype=object)[band_idx].astype(str), categories=labels, random_state=rng, **kw
    )
    return LatenessEffect(
        metric=sc.metric,
        threshold_minutes=float(threshold),
        on_time=two["on_time"],
        late=two["late"],
        difference=compare(two["on_time"], two["late"]),
        by_band=by_band,
        n_unmatched=int((~known).sum()),
    )


@attrs.frozen(kw_only=True, eq=False)
class SatisfactionDrops:
    """Customers whose mean score fell from the earlier to the later period, most significant first."""

    customer_ids: npt.NDArray[Any]
    before_mean: FloatArray
    after_mean: FloatArray
    before_n: npt.NDArray[np.int64]
    after_n: npt.NDArray[np.int64]
    drop: FloatArray
    z: FloatArray
    p_value: FloatArray

    def __len__(self) -> int:
        return int(self.customer_ids.size)

    def to_frame(self) -> Any:
        """One row per alerted customer (pandas is optional)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="SatisfactionDrops.to_frame")
        return pd.DataFrame(
            {
                "before_mean": self.before_mean,
                "after_mean": self.after_mean,
                "before_n": self.before_n,
                "after_n": self.after_n,
                "drop": self.drop,
                "z": self.z,
                "p_value": self.p_value,
            },
            index=pd.Index(self.customer_ids, name="customer_id"),
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(str(c))}</td><td>{b:.2f}</td><td>{a:.2f}</td><td>{p:.3g}</td></tr>"
            for c, b, a, p in zip(
                self.customer_ids[:20], self.before_mean, self.after_mean, self.p_value, strict=False
            )
        )
        return f"<table><caption>{len(self)} customers with a drop</caption>{rows}</table>"


def satisfaction_drops(
    customer_ids: Any,
    scores: Any,
    after: Any,
    *,
    min_drop: float = 1.0,
    min_responses: int = 2,
    alpha: float = 0.05,
    prior_sd: float | None = None,
) -> SatisfactionDrops:
    """Alert on customers whose mean score dropped between two periods.

    ``after`` is a boolean array marking responses from the later period (e.g.
    ``dates >= cutoff``). A customer is alerted when both periods have at least
    ``min_responses`` answers, the mean fell by at least ``min_drop`` and a one-sided
    z test (pooled within-customer variance, or ``prior_sd`` when given) has p < ``alpha``.
    Everything is computed for all customers at once.

    Examples
    --------
    >>> ids = ["a"] * 6 + ["b"] * 6
    >>> s = [9, 10, 9, 3, 2, 4, 8, 8, 9, 8, 9, 8]
    >>> after = [False, False, False, True, True, True] * 2
    >>> satisfaction_drops(ids, s, after).customer_ids.tolist()
    ['a']
    """
    ids = np.asarray(customer_ids)
    sc = as_float_array("scores", scores)
    aft = np.asarray(after)
    if aft.dtype != bool:
        raise ValidationError.single("after", aft.dtype.name, "must be a boolean array")
    errors = [
        FieldError(f"$.{name}", f"has length {arr.size}, expected {sc.size}", arr.size)
        for name, arr in (("customer_ids", ids), ("after", aft))
        if arr.ndim != 1 or arr.size != sc.size
    ]
    if errors:
        raise ValidationError(errors)
    bad = ~np.isfinite(sc)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValidationError.single(f"scores[{ids[i]!r}]", sc[i].item(), "must be finite")
    uniq, inv = np.unique(ids, return_inverse=True)
    G = uniq.size
    g2 = inv * 2 + aft.astype(np.int64)
    n = np.bincount(g2, minlength=2 * G).reshape(G, 2).astype(np.float64)
    sums = np.bincount(g2, weights=sc, minlength=2 * G).reshape(G, 2)
    sq = np.bincount(g2, weights=sc * sc, minlength=2 * G).reshape(G, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / n
        ss = sq - n * mean**2
    dof = float(np.sum(np.maximum(n - 1, 0)))
    pooled = float(np.nansum(ss)) / dof if dof > 0 else 0.0
    var = prior_sd**2 if prior_sd is not None else pooled
    eligible = (n[:, 0] >= min_responses) & (n[:, 1] >= min_responses)
    with np.errstate(invalid="ignore", divide="ignore"):
        drop = mean[:, 0] - mean[:, 1]
        se = np.sqrt(var * (1.0 / n[:, 0] + 1.0 / n[:, 1]))
        z = np.where(se > 0, drop / np.where(se > 0, se, 1.0), np.where(drop > 0, np.inf, 0.0))
    from scipy.special import ndtr

    pv = np.where(eligible, ndtr(-np.nan_to_num(z, nan=0.0, posinf=np.inf)), 1.0)
    alert = eligible & (drop >= min_drop) & (pv < alpha)
    idx = np.flatnonzero(alert)
    idx = idx[np.lexsort((-drop[idx], pv[idx]))]
    return SatisfactionDrops(
        customer_ids=uniq[idx],
        before_mean=mean[idx, 0],
        after_mean=mean[idx, 1],
        before_n=n[idx, 0].astype(np.int64),
        after_n=n[idx, 1].astype(np.int64),
        drop=drop[idx],
        z=z[idx],
        p_value=pv[idx],
    )
