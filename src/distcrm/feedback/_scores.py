"""NPS, CSAT and CES with honest uncertainty (analytic and bootstrap), by group and over time.

All three scores are the mean of a per-response value over a small set of answer
categories: NPS gives +100 to a promoter (9–10), 0 to a passive (7–8) and −100 to a
detractor (0–6), so its mean is ``100·(p − d)`` and its per-response variance is
``100²·[(p + d) − (p − d)²]``; CSAT gives 100 to a top-2-box answer and 0 otherwise (a
percentage); CES is the mean answer itself. One code path therefore serves all three: count
the answers per category (``np.bincount``), take the weighted mean and variance, and for the
bootstrap draw category counts from a multinomial (never resampling responses one by one).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.errors import FieldError, ValidationError

__all__ = [
    "ChangeResult",
    "ScoreBreakdown",
    "ScoreResult",
    "breakdown",
    "ces",
    "compare",
    "csat",
    "nps",
    "score_counts",
]

Metric = Literal["nps", "csat", "ces"]
Method = Literal["analytic", "bootstrap"]
_MAX_LISTED = 10


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------


def _fmt(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


@attrs.frozen(kw_only=True)
class ScoreResult:
    """One score with its uncertainty.

    ``value`` is the score (NPS in −100..100, CSAT a percentage, CES the mean answer),
    ``se`` its standard error, ``ci_low``/``ci_high`` the ``confidence`` interval and ``n``
    the number of responses. An empty group has ``n == 0`` and ``None`` everywhere else
    (never NaN): test it with :attr:`is_empty`.
    """

    metric: str
    value: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    confidence: float = 0.95
    method: str = "analytic"
    label: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when there were no responses."""
        return self.n == 0

    def __str__(self) -> str:
        if self.is_empty:
            return f"{self.metric.upper()}: no responses"
        pct = round(self.confidence * 100)
        return (
            f"{self.metric.upper()} {_fmt(self.value)} "
            f"({pct}% CI {_fmt(self.ci_low)} to {_fmt(self.ci_high)}, n={self.n})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict."""
        return attrs.asdict(self)

    def to_frame(self) -> Any:
        """A one-row pandas DataFrame (pandas is optional)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="ScoreResult.to_frame")
        return pd.DataFrame([self.to_dict()])

    def _repr_html_(self) -> str:
        return f"<p><b>{html.escape(str(self))}</b></p>"


@attrs.frozen(kw_only=True)
class ScoreBreakdown:
    """A score per group (segment, period, lateness band …), in the order of ``groups``."""

    metric: str
    groups: tuple[Any, ...]
    results: tuple[ScoreResult, ...]

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, group: Any) -> ScoreResult:
        for g, r in zip(self.groups, self.results, strict=True):
            if g == group:
                return r
        raise KeyError(group)

    def __iter__(self) -> Any:
        return iter(zip(self.groups, self.results, strict=True))

    def to_frame(self) -> Any:
        """One row per group (pandas is optional)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="ScoreBreakdown.to_frame")
        rows = [{"group": g, **r.to_dict()} for g, r in self]
        return pd.DataFrame(rows).set_index("group")

    def _repr_html_(self) -> str:
        head = "<tr><th>group</th><th>value</th><th>CI</th><th>n</th></tr>"
        body = "".join(
            f"<tr><td>{html.escape(str(g))}</td><td>{_fmt(r.value)}</td>"
            f"<td>{_fmt(r.ci_low)} – {_fmt(r.ci_high)}</td><td>{r.n}</td></tr>"
            for g, r in self
        )
        return f"<table><caption>{self.metric.upper()} by group</caption>{head}{body}</table>"

    def plot(self, ax: Any = None) -> Any:
        """Point estimates with CI error bars per group (matplotlib is optional)."""
        from distcrm._optional import import_optional

        plt = import_optional("matplotlib.pyplot", feature="ScoreBreakdown.plot")
        if ax is None:
            _, ax = plt.subplots()
        xs = [i for i, r in enumerate(self.results) if not r.is_empty]
        vals = [self.results[i].value for i in xs]
        lo = [self.results[i].value - self.results[i].ci_low for i in xs]  # type: ignore[operator]
        hi = [self.results[i].ci_high - self.results[i].value for i in xs]  # type: ignore[operator]
        ax.errorbar(xs, vals, yerr=[lo, hi], fmt="o", capsize=4)
        ax.set_xticks(range(len(self.groups)), [str(g) for g in self.groups])
        ax.set_ylabel(self.metric.upper())
        return ax


@attrs.frozen(kw_only=True)
class ChangeResult:
    """The change ``after − before`` of a score, its CI and a two-sided z test.

    Empty when either side has no responses (``difference`` and ``p_value`` are ``None``).
    """

    metric: str
    before: ScoreResult
    after: ScoreResult
    difference: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    z: float | None
    p_value: float | None
    confidence: float = 0.95

    @property
    def is_empty(self) -> bool:
        """True when either side had no responses."""
        return self.difference is None

    def significant(self, alpha: float | None = None) -> bool:
        """Whether the change is significant at ``alpha`` (default ``1 − confidence``)."""
        a = 1.0 - self.confidence if alpha is None else alpha
        return self.p_value is not None and self.p_value < a

    def __str__(self) -> str:
        if self.is_empty:
            return f"{self.metric.upper()} change: not enough responses"
        return (
            f"{self.metric.upper()} change {self.difference:+.1f} "
            f"(CI {_fmt(self.ci_low)} to {_fmt(self.ci_high)}, p={self.p_value:.3g})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Flat dict of the change (the two sides as nested dicts)."""
        return attrs.asdict(self)

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(str(self))}</p>"


# ---------------------------------------------------------------------------------------------
# scales
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class _Scale:
    metric: str
    low: int
    high: int
    values: npt.NDArray[np.float64]  # per-category value, index = answer - low
    bounds: tuple[float, float]


def _scale(metric: str, scale: int | None) -> _Scale:
    if metric == "nps":
        v = np.where(np.arange(11) >= 9, 100.0, np.where(np.arange(11) <= 6, -100.0, 0.0))
        return _Scale("nps", 0, 10, v, (-100.0, 100.0))
    if metric == "csat":
        high = 5 if scale is None else scale
        if high < 3:
            raise ValidationError.single("scale", scale, "must be >= 3 for CSAT")
        answers = np.arange(1, high + 1)
        return _Scale("csat", 1, high, np.where(answers >= high - 1, 100.0, 0.0), (0.0, 100.0))
    if metric == "ces":
        high = 7 if scale is None else scale
        if high < 2:
            raise ValidationError.single("scale", scale, "must be >= 2 for CES")
        return _Scale("ces", 1, high, np.arange(1, high + 1, dtype=np.float64), (1.0, float(high)))
    raise ValidationError.single("metric", metric, "must be 'nps', 'csat' or 'ces'")


def _validate_scores(scores: Any, sc: _Scale, ids: Any, field: str = "scores") -> npt.NDArray[np.intp]:
    """Category index per response (answer − low), or ValidationError naming bad records."""
    arr = np.asarray(scores)
    if arr.ndim != 1:
        raise ValidationError.single(field, arr.shape, "must be 1-dimensional")
    if ids is not None and len(ids) != len(arr):
        raise ValidationError.single("ids", len(ids), f"has length {len(ids)}, expected {len(arr)}")
    if arr.dtype.kind in "iu":
        bad = (arr < sc.low) | (arr > sc.high)
        if not bad.any():
            return (arr - sc.low).astype(np.intp, copy=False)
        values = arr
    else:
        try:
            f = np.asarray(arr, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValidationError.single(field, type(scores).__name__, f"is not numeric ({exc})") from None
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(f) | (f < sc.low) | (f > sc.high) | (f != np.round(f))
        if not bad.any():
            return (f - sc.low).astype(np.intp)
        values = f
    idx = np.flatnonzero(bad)
    errors = []
    for i in idx[:_MAX_LISTED]:
        j = int(i)
        label = f"[{ids[j]!r}]" if ids is not None else f"[{j}]"
        errors.append(
            FieldError(
                f"$.{field}{label}",
                f"must be a whole number from {sc.low} to {sc.high} ({sc.metric.upper()} scale)",
                values[j].item(),
            )
        )
    title = (
        f"{idx.size} bad values in {field!r} (first {_MAX_LISTED} listed)" if idx.size > _MAX_LISTED else None
    )
    raise ValidationError(errors, title=title)


def _check_confidence(confidence: float) -> float:
    if not (isinstance(confidence, (int, float)) and 0.0 < confidence < 1.0):
        raise ValidationError.single("confidence", confidence, "must be strictly between 0 and 1")
    return float(confidence)


def _z(confidence: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def _rng(random_state: Any) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(random_state)


def _from_counts(
    counts: npt.NDArray[np.int64],
    sc: _Scale,
    *,
    confidence: float,
    method: Method,
    n_boot: int,
    rng: np.random.Generator,
    labels: Sequence[str | None],
) -> list[ScoreResult]:
    """Results for a (G, K) table of answer counts, all groups at once."""
    counts = np.atleast_2d(counts).astype(np.int64)
    n = counts.sum(axis=1)
    v = sc.values
    safe_n = np.maximum(n, 1)
    mean = counts @ v / safe_n
    var = counts @ (v**2) / safe_n - mean**2
    se = np.sqrt(np.maximum(var, 0.0) / safe_n)
    lo_b, hi_b = sc.bounds
    if method == "analytic":
        z = _z(confidence)
        lo = np.clip(mean - z * se, lo_b, hi_b)
        hi = np.clip(mean + z * se, lo_b, hi_b)
    elif method == "bootstrap":
        if not (isinstance(n_boot, int) and n_boot >= 100):
            raise ValidationError.single("n_boot", n_boot, "must be an integer >= 100")
        lo = mean.copy()
        hi = mean.copy()
        nonempty = np.flatnonzero(n > 0)
        if nonempty.size:
            p = counts[nonempty] / n[nonempty, None]
            # (n_boot, G, K) category counts drawn at once; one multinomial per group and draw
            draws = rng.multinomial(n[nonempty], p, size=(n_boot, nonempty.size))
            boot = draws @ v / n[nonempty]
            a = (1.0 - confidence) / 2.0
            q = np.quantile(boot, [a, 1.0 - a], axis=0)
            lo[nonempty], hi[nonempty] = q[0], q[1]
            se[nonempty] = boot.std(axis=0, ddof=1)
    else:
        raise ValidationError.single("method", method, "must be 'analytic' or 'bootstrap'")
    out = []
    for g in range(counts.shape[0]):
        if n[g] == 0:
            out.append(
                ScoreResult(
                    metric=sc.metric,
                    value=None,
                    se=None,
                    ci_low=None,
                    ci_high=None,
                    n=0,
                    confidence=confidence,
                    method=method,
                    label=labels[g],
                )
            )
        else:
            out.append(
                ScoreResult(
                    metric=sc.metric,
                    value=float(mean[g]),
                    se=float(se[g]),
                    ci_low=float(lo[g]),
                    ci_high=float(hi[g]),
                    n=int(n[g]),
                    confidence=confidence,
                    method=method,
                    label=labels[g],
                )
            )
    return out


def _score(
    metric: str,
    scores: Any,
    *,
    scale: int | None,
    confidence: float,
    method: Method,
    n_boot: int,
    random_state: Any,
    ids: Any,
) -> ScoreResult:
    sc = _scale(metric, scale)
    confidence = _check_confidence(confidence)
    k = _validate_scores(scores, sc, ids)
    counts = np.bincount(k, minlength=sc.values.size)
    return _from_counts(
        counts[None, :],
        sc,
        confidence=confidence,
        method=method,
        n_boot=n_boot,
        rng=_rng(random_state),
        labels=[None],
    )[0]


def nps(
    scores: Any,
    *,
    confidence: float = 0.95,
    method: Method = "analytic",
    n_boot: int = 2000,
    random_state: Any = None,
    ids: Any = None,
) -> ScoreResult:
    """Net Promoter Score (−100..100) of 0–10 answers, with its standard error and CI.

    Promoters answer 9–10, detractors 0–6; ``NPS = 100·(p − d)`` and its analytic variance
    is ``100²·[(p + d) − (p − d)²] / n``. ``method="bootstrap"`` gives a percentile CI from
    ``n_boot`` multinomial resamples of the answer counts (``random_state`` seeds it).

    Parameters
    ----------
    scores
        Answers, whole numbers 0–10.
    confidence
        Confidence level of the interval.
    method
        ``"analytic"`` (normal approximation, clipped to −100..100) or ``"bootstrap"``.
    n_boot
        Number of bootstrap resamples.
    random_state
        Seed or ``numpy.random.Generator`` for the bootstrap.
    ids
        Optional record ids, used to name bad records in errors.

    Raises
    ------
    ValidationError
        An answer outside 0–10, fractional or missing; the error names the record.

    Examples
    --------
    >>> r = nps([10, 9, 9, 8, 7, 6, 3, 10, 10, 0])
    >>> r.value, r.n
    (20.0, 10)
    >>> round(r.se, 2)
    27.57
    """
    return _score(
        "nps",
        scores,
        scale=None,
        confidence=confidence,
        method=method,
        n_boot=n_boot,
        random_state=random_state,
        ids=ids,
    )


def csat(
    scores: Any,
    *,
    scale: int = 5,
    confidence: float = 0.95,
    method: Method = "analytic",
    n_boot: int = 2000,
    random_state: Any = None,
    ids: Any = None,
) -> ScoreResult:
    """Customer satisfaction: the top-2-box share (percent) of 1..``scale`` answers.

    Examples
    --------
    >>> csat([5, 4, 4, 3, 1]).value
    60.0
    """
    return _score(
        "csat",
        scores,
        scale=scale,
        confidence=confidence,
        method=method,
        n_boot=n_boot,
        random_state=random_state,
        ids=ids,
    )


def ces(
    scores: Any,
    *,
    scale: int = 7,
    confidence: float = 0.95,
    method: Method = "analytic",
    n_boot: int = 2000,
    random_state: Any = None,
    ids: Any = None,
) -> ScoreResult:
    """Customer effort score: the mean of 1..``scale`` answers ("it was easy" agreement).

    Examples
    --------
    >>> ces([7, 6, 5, 6]).value
    6.0
    """
    return _score(
        "ces",
        scores,
        scale=scale,
        confidence=confidence,
        method=method,
        n_boot=n_boot,
        random_state=random_state,
        ids=ids,
    )


def score_counts(scores: Any, *, metric: Metric = "nps", scale: int | None = None) -> npt.NDArray[np.int64]:
    """Validated answer counts per category (index 0 = lowest answer).

    Examples
    --------
    >>> score_counts([0, 10, 10], metric="nps").tolist()
    [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    """
    sc = _scale(metric, scale)
    return np.bincount(_validate_scores(scores, sc, None), minlength=sc.values.size).astype(np.int64)


def breakdown(
    scores: Any,
    groups: Any,
    *,
    metric: Metric = "nps",
    categories: Sequence[Any] | None = None,
    scale: int | None = None,
    confidence: float = 0.95,
    method: Method = "analytic",
    n_boot: int = 2000,
    random_state: Any = None,
    ids: Any = None,
) -> ScoreBreakdown:
    """A score per group (segment, region, month …) in one pass over the responses.

    ``groups`` is an array of group labels, one per response. ``categories`` fixes the
    groups reported and their order; a category with no responses gets an explicit empty
    result (``n == 0``), and a label not in ``categories`` is an error. Without it the
    sorted distinct labels are used.

    Examples
    --------
    >>> b = breakdown([10, 9, 3, 10], ["north", "north", "south", "south"], categories=["north", "south", "west"])
    >>> [(g, r.value, r.n) for g, r in b]
    [('north', 100.0, 2), ('south', 0.0, 2), ('west', None, 0)]
    """
    sc = _scale(metric, scale)
    confidence = _check_confidence(confidence)
    k = _validate_scores(scores, sc, ids)
    g = np.asarray(groups)
    if g.ndim != 1 or len(g) != len(k):
        raise ValidationError.single("groups", g.shape, f"must be 1-dimensional with length {len(k)}")
    if categories is None:
        cats, inv = np.unique(g, return_inverse=True)
        cat_list = list(cats.tolist())
    else:
        cat_list = list(categories)
        if len(set(cat_list)) != len(cat_list):
            raise ValidationError.single("categories", cat_list, "must not repeat")
        cat_arr = np.asarray(cat_list)
        order = np.argsort(cat_arr, kind="stable")
        sorted_cats = cat_arr[order]
        pos = np.searchsorted(sorted_cats, g)
        pos_c = np.minimum(pos, len(sorted_cats) - 1)
        unknown = sorted_cats[pos_c] != g if len(sorted_cats) else np.ones(len(g), bool)
        if np.any(unknown):
            first = np.flatnonzero(unknown)[:_MAX_LISTED]
            raise ValidationError(
                [
                    FieldError(f"$.groups[{int(i)}]", "is not one of the categories", g[int(i)].item())
                    for i in first
                ]
            )
        inv = order[pos_c]
    K = sc.values.size
    G = len(cat_list)
    counts = np.bincount(inv.astype(np.intp) * K + k, minlength=G * K).reshape(G, K)
    results = _from_counts(
        counts,
        sc,
        confidence=confidence,
        method=method,
        n_boot=n_boot,
        rng=_rng(random_state),
        labels=[str(c) for c in cat_list],
    )
    return ScoreBreakdown(metric=sc.metric, groups=tuple(cat_list), results=tuple(results))


def compare(before: ScoreResult, after: ScoreResult) -> ChangeResult:
    """Test the change ``after − before`` between two independent periods or groups.

    Uses the two standard errors (analytic or bootstrap) for a normal CI of the difference
    and a two-sided z test. An empty side gives an explicit empty result.

    Examples
    --------
    >>> a = nps([10] * 60 + [5] * 40)
    >>> b = nps([10] * 40 + [5] * 60)
    >>> ch = compare(a, b)
    >>> ch.difference, ch.significant()
    (-40.0, True)
    """
    if before.metric != after.metric:
        raise ValidationError.single(
            "after.metric", after.metric, f"must match before.metric {before.metric!r}"
        )
    if before.confidence != after.confidence:
        raise ValidationError.single(
            "after.confidence", after.confidence, f"must match before.confidence {before.confidence}"
        )
    conf = before.confidence
    if before.is_empty or after.is_empty:
        return ChangeResult(
            metric=before.metric,
            before=before,
            after=after,
            difference=None,
            se=None,
            ci_low=None,
            ci_high=None,
            z=None,
            p_value=None,
            confidence=conf,
        )
    assert before.value is not None
    assert after.value is not None
    assert before.se is not None
    assert after.se is not None
    diff = after.value - before.value
    se = math.hypot(before.se, after.se)
    zc = _z(conf)
    if se > 0:
        z = diff / se
        p = math.erfc(abs(z) / math.sqrt(2.0))
    else:
        z = 0.0 if diff == 0 else math.copysign(math.inf, diff)
        p = 1.0 if diff == 0 else 0.0
    return ChangeResult(
        metric=before.metric,
        before=before,
        after=after,
        difference=diff,
        se=se,
        ci_low=diff - zc * se,
        ci_high=diff + zc * se,
        z=z,
        p_value=p,
        confidence=conf,
    )
