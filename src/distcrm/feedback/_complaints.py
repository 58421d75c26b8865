"""Complaint-handling metrics: reopen rate, root causes, corrective actions and their measured effect."""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.errors import ValidationError
from distcrm.feedback._satisfaction import wilson_lower_bound
from distcrm.feedback._sla import _case_history, _name

__all__ = [
    "ActionEffect",
    "CorrectiveAction",
    "ReopenStats",
    "RootCauseSummary",
    "action_effect",
    "reopen_rate",
    "root_cause_summary",
]

_DONE = frozenset({"resolved", "closed"})


@attrs.frozen(kw_only=True)
class ReopenStats:
    """Share of resolved cases that were reopened at least once, with a Wilson interval."""

    n_resolved: int
    n_reopened: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None

    def __str__(self) -> str:
        if self.rate is None:
            return "reopen rate: no resolved cases"
        return f"reopen rate {self.rate:.1%} ({self.n_reopened}/{self.n_resolved}, CI {self.ci_low:.1%}–{self.ci_high:.1%})"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(str(self))}</p>"


def _history_of(item: Any) -> list[tuple[Any, str]]:
    if isinstance(item, (list, tuple)):
        return [(t, _name(s)) for t, s in item]
    return [(t, _name(s)) for t, s in _case_history(item)]


def reopen_rate(cases: Iterable[Any], *, confidence: float = 0.95) -> ReopenStats:
    """Reopen rate over cases given as status histories or complaint-case objects.

    A case counts as resolved once it reached ``resolved``/``closed``; it was reopened if a
    later status is active again.

    Examples
    --------
    >>> h1 = [(1, "open"), (2, "resolved"), (3, "in_progress"), (4, "resolved")]
    >>> h2 = [(1, "open"), (2, "resolved"), (3, "closed")]
    >>> h3 = [(1, "open")]
    >>> reopen_rate([h1, h2, h3]).rate
    0.5
    """
    resolved = reopened = 0
    for c in cases:
        statuses = [s for _, s in _history_of(c)]
        first_done = next((i for i, s in enumerate(statuses) if s in _DONE), None)
        if first_done is None:
            continue
        resolved += 1
        if any(s not in _DONE for s in statuses[first_done + 1 :]):
            reopened += 1
    if resolved == 0:
        return ReopenStats(n_resolved=0, n_reopened=0, rate=None, ci_low=None, ci_high=None)
    lo = float(wilson_lower_bound([reopened], [resolved], confidence)[0])
    hi = 1.0 - float(wilson_lower_bound([resolved - reopened], [resolved], confidence)[0])
    return ReopenStats(
        n_resolved=resolved, n_reopened=reopened, rate=reopened / resolved, ci_low=lo, ci_high=hi
    )


@attrs.frozen(kw_only=True)
class RootCauseSummary:
    """Root-cause tag counts, most frequent first, with their cumulative (Pareto) share."""

    tags: tuple[str, ...]
    counts: tuple[int, ...]
    n_cases: int
    n_untagged: int

    @property
    def share(self) -> tuple[float, ...]:
        """Share of tagged cases carrying each tag."""
        tagged = self.n_cases - self.n_untagged
        return tuple(c / tagged for c in self.counts) if tagged else ()

    @property
    def cumulative_share(self) -> tuple[float, ...]:
        """Running share of all tag occurrences (the Pareto curve)."""
        total = sum(self.counts)
        run = np.cumsum(self.counts) / total if total else np.zeros(0)
        return tuple(float(v) for v in run)

    def top(self, k: int = 5) -> list[tuple[str, int]]:
        """The ``k`` most frequent root causes."""
        return list(zip(self.tags, self.counts, strict=True))[:k]

    def to_frame(self) -> Any:
        """One row per tag (pandas is optional)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="RootCauseSummary.to_frame")
        return pd.DataFrame(
            {"count": self.counts, "cumulative_share": self.cumulative_share},
            index=pd.Index(self.tags, name="root_cause"),
        )

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(t)}</td><td>{c}</td></tr>" for t, c in self.top(20))
        return f"<table><caption>Root causes of {self.n_cases} cases</caption>{rows}</table>"

    def plot(self, ax: Any = None) -> Any:
        """A Pareto chart (matplotlib is optional)."""
        from distcrm._optional import import_optional

        plt = import_optional("matplotlib.pyplot", feature="RootCauseSummary.plot")
        if ax is None:
            _, ax = plt.subplots()
        ax.bar(list(self.tags), list(self.counts))
        ax2 = ax.twinx()
        ax2.plot(list(self.tags), list(self.cumulative_share), "o-", color="C1")
        ax2.set_ylim(0, 1.05)
        return ax


def root_cause_summary(tags: Iterable[Iterable[str] | str | None]) -> RootCauseSummary:
    """Count root-cause tags over cases (each case: one tag, several, or ``None``).

    Examples
    --------
    >>> r = root_cause_summary([["late"], ["late", "damaged"], "wrong_item", None])
    >>> r.top(2), r.n_untagged
    ([('late', 2), ('damaged', 1)], 1)
    """
    counter: Counter[str] = Counter()
    n = untagged = 0
    for t in tags:
        n += 1
        items = [] if t is None else [t] if isinstance(t, str) else list(t)
        items = [str(_name(x)) for x in items]
        if not items:
            untagged += 1
        counter.update(set(items))
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return RootCauseSummary(
        tags=tuple(k for k, _ in ordered), counts=tuple(v for _, v in ordered), n_cases=n, n_untagged=untagged
    )


def _aware_dt(field: str, v: Any) -> datetime:
    if not isinstance(v, datetime) or v.tzinfo is None or v.utcoffset() is None:
        raise ValidationError.single(field, v, "must be a timezone-aware datetime")
    return v


@attrs.frozen(kw_only=True)
class CorrectiveAction:
    """A change made to remove a root cause, linked to the cases that prompted it.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> a = CorrectiveAction(id="CA-1", description="Second packing check", root_cause="damaged",
    ...                      implemented_at=datetime(2024, 5, 1, tzinfo=UTC), case_ids=("K-1", "K-7"))
    >>> a.case_ids
    ('K-1', 'K-7')
    """

    id: str
    description: str
    implemented_at: datetime = attrs.field()
    root_cause: str | None = None
    case_ids: tuple[str, ...] = attrs.field(default=(), converter=tuple)

    @implemented_at.validator
    def _check(self, _: Any, v: Any) -> None:
        _aware_dt("implemented_at", v)


def _to_ns(field: str, times: Any) -> npt.NDArray[np.int64]:
    """Timestamps (aware datetimes or datetime64, UTC) as int64 nanoseconds since the epoch."""
    arr = np.asarray(times)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[ns]").astype(np.int64)
    if arr.size == 0:
        return np.zeros(0, np.int64)
    out = np.empty(arr.size, np.int64)
    for i, t in enumerate(arr.ravel()):
        if not isinstance(t, datetime) or t.tzinfo is None:
            raise ValidationError.single(
                f"{field}[{i}]", t, "must be a timezone-aware datetime or datetime64 (UTC)"
            )
        out[i] = round(t.timestamp() * 1e9)
    return out


@attrs.frozen(kw_only=True)
class ActionEffect:
    """Complaint rate in equal windows before and after an action, and their ratio with a CI."""

    action_id: str | None
    window: timedelta
    complaints_before: int
    complaints_after: int
    exposure_before: float
    exposure_after: float
    rate_before: float | None
    rate_after: float | None
    rate_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    per: float = 1000.0

    def __str__(self) -> str:
        if self.rate_ratio is None:
            return "action effect: not enough data"
        return (
            f"complaints per {self.per:g}: {self.rate_before:.2f} before, {self.rate_after:.2f} after; "
            f"ratio {self.rate_ratio:.2f} (CI {self.ci_low:.2f}–{self.ci_high:.2f}, p={self.p_value:.3g})"
        )

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(str(self))}</p>"


def action_effect(
    action: CorrectiveAction | datetime,
    complaint_times: Any,
    exposure_times: Any,
    *,
    window: timedelta = timedelta(days=90),
    per: float = 1000.0,
    confidence: float = 0.95,
) -> ActionEffect:
    """Measure a corrective action: complaints per ``per`` orders (or deliveries) before vs after.

    ``complaint_times`` and ``exposure_times`` (one timestamp per order/delivery) are
    counted in the ``window`` before and the ``window`` after the action. The rate ratio
    after/before gets a log-normal CI; the p-value is the exact conditional binomial test
    of equal rates given the exposures.

    Examples
    --------
    >>> from datetime import datetime, timedelta, UTC
    >>> t0 = datetime(2024, 5, 1, tzinfo=UTC)
    >>> orders = [t0 + timedelta(hours=h) for h in range(-2000, 2000, 2)]
    >>> complaints = [t0 - timedelta(days=d) for d in range(1, 61)] + [t0 + timedelta(days=d) for d in range(1, 21)]
    >>> e = action_effect(t0, complaints, orders, window=timedelta(days=80))
    >>> round(e.rate_ratio, 2), e.p_value < 0.01
    (0.33, True)
    """
    from scipy.stats import binomtest

    if isinstance(action, CorrectiveAction):
        at, aid = action.implemented_at, action.id
    else:
        at, aid = _aware_dt("action", action), None
    if window <= timedelta(0):
        raise ValidationError.single("window", window, "must be positive")
    t = round(at.timestamp() * 1e9)
    w = int(window.total_seconds() * 1e9)
    c = _to_ns("complaint_times", complaint_times)
    e = _to_ns("exposure_times", exposure_times)
    cb = int(np.sum((c >= t - w) & (c < t)))
    ca = int(np.sum((c >= t) & (c < t + w)))
    eb = float(np.sum((e >= t - w) & (e < t)))
    ea = float(np.sum((e >= t) & (e < t + w)))
    rb = per * cb / eb if eb > 0 else None
    ra = per * ca / ea if ea > 0 else None
    rr = lo = hi = p = None
    if eb > 0 and ea > 0 and cb + ca > 0:
        from statistics import NormalDist

        z = NormalDist().inv_cdf(0.5 + confidence / 2)
        # add 0.5 to zero counts for the CI only (Haldane)
        cb_, ca_ = (cb, ca) if cb and ca else (cb + 0.5, ca + 0.5)
        rr = (ca / ea) / (cb / eb) if cb else math.inf
        lr = math.log((ca_ / ea) / (cb_ / eb))
        se = math.sqrt(1 / cb_ + 1 / ca_)
        lo, hi = math.exp(lr - z * se), math.exp(lr + z * se)
        p = float(binomtest(ca, cb + ca, ea / (ea + eb)).pvalue)
    return ActionEffect(
        action_id=aid,
        window=window,
        complaints_before=cb,
        complaints_after=ca,
        exposure_before=eb,
        exposure_after=ea,
        rate_before=rb,
        rate_after=ra,
        rate_ratio=rr,
        ci_low=lo,
        ci_high=hi,
        p_value=p,
        per=per,
    )
