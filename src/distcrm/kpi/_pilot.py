"""Pilot evaluation: before/after, treatment/control and difference-in-differences.

Three tests, each with a confidence interval for the effect:

- two proportions (a rate such as on-time delivery): difference of proportions with a
  Wald (unpooled) interval and the pooled two-sided z test;
- Welch's t (a mean such as lead time): difference of means with the
  Welch–Satterthwaite degrees of freedom;
- Mann–Whitney U (a skewed or ordinal measure): the p-value of the U test (normal
  approximation with tie correction, via SciPy) and the Hodges–Lehmann shift with its
  distribution-free interval (Hollander & Wolfe).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._checks import as_float_array
from distcrm.errors import ValidationError

__all__ = [
    "PilotResult",
    "before_after",
    "diff_in_diff",
    "mann_whitney_test",
    "treatment_control",
    "two_proportion_test",
    "welch_t_test",
]

Kind = Literal["proportion", "mean", "rank"]
_KINDS = ("proportion", "mean", "rank")
FloatArray = npt.NDArray[np.float64]


def _norm_ppf(p: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(p))


def _norm_sf(z: float) -> float:
    from scipy.stats import norm

    return float(norm.sf(z))


@attrs.frozen(kw_only=True)
class PilotResult:
    """An estimated effect with its confidence interval, test and plain-language verdict.

    ``estimate`` is ``after − before`` (or ``treatment − control``, or the
    difference-in-differences); for proportions it is a difference of shares (0.041 =
    4.1 points).
    """

    metric: str
    design: str
    test: str
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    confidence: float = 0.95
    kind: str = "mean"
    unit: str = ""
    n: tuple[int, ...] = ()
    higher_is_better: bool = True

    @property
    def significant(self) -> bool:
        """Whether ``p_value < 1 − confidence`` (equivalently, here, the CI excludes 0)."""
        return self.p_value < 1.0 - self.confidence

    def verdict(self) -> str:
        """``"on-time rate rose 4.1 points (95 % CI 1.2–7.0), significant"``."""
        scale = 100.0 if self.kind == "proportion" else 1.0
        unit = " points" if self.kind == "proportion" else (f" {self.unit}" if self.unit else "")
        est, lo, hi = self.estimate * scale, self.ci_low * scale, self.ci_high * scale
        if est >= 0:
            verb = "rose" if est > 0 else "did not change"
        else:
            verb = "fell"
            est, lo, hi = -est, -hi, -lo
        digits = 1 if self.kind == "proportion" else _digits(est, lo, hi)
        level = f"{self.confidence * 100:g} %"
        sig = "significant" if self.significant else f"not significant (p = {self.p_value:.2g})"
        what = f"{verb} {est:.{digits}f}{unit}" if verb != "did not change" else verb
        ci = f"{lo:.{digits}f}–{hi:.{digits}f}"
        return f"{self.metric} {what} ({level} CI {ci}), {sig}"

    def __str__(self) -> str:
        return self.verdict()

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dictionary (with the verdict)."""
        d = attrs.asdict(self)
        d["significant"] = self.significant
        d["verdict"] = self.verdict()
        return d

    def to_frame(self) -> Any:
        """A one-row pandas frame of the result."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="PilotResult.to_frame")
        return pd.DataFrame([self.to_dict()]).set_index("metric")

    def plot(self, ax: Any = None) -> Any:
        """The effect and its confidence interval against zero (matplotlib)."""
        from distcrm._optional import import_optional

        plt = import_optional("matplotlib.pyplot", feature="PilotResult.plot")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 1.8))
        scale = 100.0 if self.kind == "proportion" else 1.0
        est, lo, hi = self.estimate * scale, self.ci_low * scale, self.ci_high * scale
        ax.errorbar([est], [0], xerr=[[est - lo], [hi - est]], fmt="o", capsize=6)
        ax.axvline(0.0, color="grey", linestyle="--", linewidth=1)
        ax.set_yticks([])
        unit = "points" if self.kind == "proportion" else self.unit
        ax.set_xlabel(f"change in {self.metric}" + (f" ({unit})" if unit else ""))
        ax.set_title(self.verdict(), fontsize="small")
        return ax

    def _repr_html_(self) -> str:
        return f"<p><b>{self.design}</b> ({self.test}): {self.verdict()}</p>"


def _digits(*values: float) -> int:
    m = max(abs(v) for v in values) if values else 0
    if m >= 100:
        return 0
    if m >= 1:
        return 1
    return 2 if m >= 0.1 else 3


def _check_conf(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValidationError.single("confidence", confidence, "must lie in (0, 1)")
    return float(confidence)


def _sample(field: str, values: Any, kind: str) -> FloatArray:
    a = as_float_array(field, values)
    if np.isnan(a).any():
        raise ValidationError.single(
            field, int(np.flatnonzero(np.isnan(a))[0]), "contains NaN (drop missing values first)"
        )
    if kind == "proportion" and not np.isin(a, (0.0, 1.0)).all():
        raise ValidationError.single(
            field, float(a[~np.isin(a, (0.0, 1.0))][0]), "must hold 0/1 (or booleans) for a proportion"
        )
    min_n = 2 if kind == "mean" else 1
    if a.size < min_n:
        raise ValidationError.single(field, a.size, f"needs at least {min_n} observations")
    return a


def two_proportion_test(
    successes_a: int, n_a: int, successes_b: int, n_b: int, *, confidence: float = 0.95
) -> tuple[float, float, float, float]:
    """``(p_b − p_a, ci_low, ci_high, p_value)`` for two independent proportions.

    The interval is Wald's (unpooled standard error); the p-value is the pooled
    two-sided z test (equivalent to Pearson's χ² without continuity correction).

    Examples
    --------
    >>> d, lo, hi, p = two_proportion_test(80, 100, 90, 100)
    >>> round(d, 3), round(lo, 3), round(hi, 3), round(p, 4)
    (0.1, 0.002, 0.198, 0.0477)
    """
    conf = _check_conf(confidence)
    for name, s, n in (("successes_a", successes_a, n_a), ("successes_b", successes_b, n_b)):
        if n <= 0 or not 0 <= s <= n:
            raise ValidationError.single(name, (s, n), "need 0 <= successes <= n and n > 0")
    pa, pb = successes_a / n_a, successes_b / n_b
    d = pb - pa
    se = math.sqrt(pa * (1 - pa) / n_a + pb * (1 - pb) / n_b)
    z = _norm_ppf(0.5 + conf / 2)
    pool = (successes_a + successes_b) / (n_a + n_b)
    se0 = math.sqrt(pool * (1 - pool) * (1 / n_a + 1 / n_b))
    p = 1.0 if se0 == 0 else 2 * _norm_sf(abs(d) / se0)
    return d, d - z * se, d + z * se, p


def welch_t_test(a: Any, b: Any, *, confidence: float = 0.95) -> tuple[float, float, float, float]:
    """``(mean_b − mean_a, ci_low, ci_high, p_value)`` by Welch's unequal-variance t test.

    Examples
    --------
    >>> d, lo, hi, p = welch_t_test(  # Wikipedia "Welch's t-test", example 1: p = 0.021
    ...     [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4],
    ...                             [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4])
    >>> round(d, 3), round(p, 5)
    (2.167, 0.02138)
    """
    from scipy.stats import t as student_t

    conf = _check_conf(confidence)
    x = _sample("a", a, "mean")
    y = _sample("b", b, "mean")
    va, vb = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    d = float(y.mean() - x.mean())
    se = math.sqrt(va + vb)
    if se == 0:
        return d, d, d, 1.0 if d == 0 else 0.0
    df = (va + vb) ** 2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1))
    q = float(student_t.ppf(0.5 + conf / 2, df))
    p = float(2 * student_t.sf(abs(d) / se, df))
    return d, d - q * se, d + q * se, p


def mann_whitney_test(a: Any, b: Any, *, confidence: float = 0.95) -> tuple[float, float, float, float]:
    """``(shift, ci_low, ci_high, p_value)``: Hodges–Lehmann shift of ``b`` over ``a``.

    The shift is the median of all differences ``b_j − a_i``; its interval takes the
    order statistics of those differences at the normal-approximation critical value
    of U; the p-value is SciPy's two-sided Mann–Whitney U test.

    Examples
    --------
    >>> d, lo, hi, p = mann_whitney_test([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
    >>> d, round(p, 4)
    (5.0, 0.0122)
    """
    from scipy.stats import mannwhitneyu

    conf = _check_conf(confidence)
    x = _sample("a", a, "rank")
    y = _sample("b", b, "rank")
    n, m = x.size, y.size
    if n * m > 4_000_000:  # the interval needs every pairwise difference: subsample beyond 4M pairs
        rng = np.random.default_rng(0)
        x = rng.choice(x, size=min(n, 2000), replace=False)
        y = rng.choice(y, size=min(m, 2000), replace=False)
    diffs = np.sort((y[None, :] - x[:, None]).ravel())
    nm = diffs.size
    shift = float(np.median(diffs))
    z = _norm_ppf(0.5 + conf / 2)
    # Hollander & Wolfe: C = nm/2 − z·√(nm(n+m+1)/12); CI = (D_(C), D_(nm+1−C)), 1-based
    c = max(round(nm / 2 - z * math.sqrt(x.size * y.size * (x.size + y.size + 1) / 12)), 1)
    lo, hi = float(diffs[c - 1]), float(diffs[nm - c])
    res = mannwhitneyu(y, x, alternative="two-sided", method="asymptotic")
    return shift, lo, hi, float(res.pvalue)


def _compare(
    first: Any, second: Any, *, metric: str, design: str, kind: str, confidence: float, unit: str
) -> PilotResult:
    if kind not in _KINDS:
        raise ValidationError.single("kind", kind, f"must be one of {_KINDS}")
    a = _sample("before" if design == "before/after" else "control", first, kind)
    b = _sample("after" if design == "before/after" else "treatment", second, kind)
    if kind == "proportion":
        est, lo, hi, p = two_proportion_test(
            int(a.sum()), a.size, int(b.sum()), b.size, confidence=confidence
        )
        test = "two-proportion z test"
    elif kind == "mean":
        est, lo, hi, p = welch_t_test(a, b, confidence=confidence)
        test = "Welch t test"
    else:
        est, lo, hi, p = mann_whitney_test(a, b, confidence=confidence)
        test = "Mann–Whitney U test (Hodges–Lehmann shift)"
    return PilotResult(
        metric=metric,
        design=design,
        test=test,
        estimate=est,
        ci_low=lo,
        ci_high=hi,
        p_value=p,
        confidence=confidence,
        kind=kind,
        unit=unit,
        n=(int(a.size), int(b.size)),
    )


def before_after(
    before: Any,
    after: Any,
    *,
    metric: str,
    kind: Kind = "proportion",
    confidence: float = 0.95,
    unit: str = "",
) -> PilotResult:
    """Compare one group before and after a change (observations are independent).

    ``kind``: ``"proportion"`` (0/1 outcomes, two-proportion test), ``"mean"`` (Welch)
    or ``"rank"`` (Mann–Whitney).

    Examples
    --------
    >>> before = [1] * 850 + [0] * 150
    >>> after = [1] * 891 + [0] * 109
    >>> before_after(before, after, metric="on-time rate").verdict()
    'on-time rate rose 4.1 points (95 % CI 1.2–7.0), significant'
    """
    return _compare(
        before, after, metric=metric, design="before/after", kind=kind, confidence=confidence, unit=unit
    )


def treatment_control(
    treatment: Any,
    control: Any,
    *,
    metric: str,
    kind: Kind = "proportion",
    confidence: float = 0.95,
    unit: str = "",
) -> PilotResult:
    """Compare a treatment group with a control group over the same period."""
    return _compare(
        control,
        treatment,
        metric=metric,
        design="treatment/control",
        kind=kind,
        confidence=confidence,
        unit=unit,
    )


def diff_in_diff(
    treatment_before: Any,
    treatment_after: Any,
    control_before: Any,
    control_after: Any,
    *,
    metric: str,
    kind: Literal["proportion", "mean"] = "proportion",
    confidence: float = 0.95,
    unit: str = "",
) -> PilotResult:
    """Difference-in-differences: the treatment group's change minus the control group's.

    ``(T_after − T_before) − (C_after − C_before)`` of means (or proportions), with the
    standard error of four independent sample means and a normal interval and z test.

    Examples
    --------
    >>> r = diff_in_diff([1] * 80 + [0] * 20, [1] * 90 + [0] * 10, [1] * 80 + [0] * 20, [1] * 82 + [0] * 18,
    ...                  metric="on-time rate")
    >>> round(r.estimate, 3), r.significant
    (0.08, False)
    """
    if kind not in ("proportion", "mean"):
        raise ValidationError.single(
            "kind", kind, "must be 'proportion' or 'mean' for difference-in-differences"
        )
    conf = _check_conf(confidence)
    groups = {
        "treatment_before": treatment_before,
        "treatment_after": treatment_after,
        "control_before": control_before,
        "control_after": control_after,
    }
    arrs = {k: _sample(k, v, kind) for k, v in groups.items()}
    means = {k: float(v.mean()) for k, v in arrs.items()}
    if kind == "proportion":
        var = {k: means[k] * (1 - means[k]) / arrs[k].size for k in arrs}
    else:
        var = {k: float(arrs[k].var(ddof=1)) / arrs[k].size for k in arrs}
    est = (means["treatment_after"] - means["treatment_before"]) - (
        means["control_after"] - means["control_before"]
    )
    se = math.sqrt(sum(var.values()))
    z = _norm_ppf(0.5 + conf / 2)
    p = (1.0 if est == 0 else 0.0) if se == 0 else 2 * _norm_sf(abs(est) / se)
    return PilotResult(
        metric=metric,
        design="difference-in-differences",
        test="z test on four group means",
        estimate=est,
        ci_low=est - z * se,
        ci_high=est + z * se,
        p_value=p,
        confidence=conf,
        kind=kind,
        unit=unit,
        n=tuple(int(a.size) for a in arrs.values()),
    )
