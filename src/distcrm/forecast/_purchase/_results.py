"""Result objects of the purchase models: forecasts and calibration/holdout evaluations."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._optional import import_optional

__all__ = ["HoldoutEvaluation", "PurchaseForecast", "plot_matrix"]

FloatArray = npt.NDArray[np.float64]


def _html_table(columns: dict[str, Any], caption: str, max_rows: int = 20) -> str:
    names = list(columns)
    n = len(next(iter(columns.values()))) if columns else 0
    head = "".join(f"<th>{c}</th>" for c in names)

    def fmt(v: Any) -> str:
        if isinstance(v, (float, np.floating)):
            return f"{v:.4g}"
        return str(v)

    body = "".join(
        "<tr>" + "".join(f"<td>{fmt(columns[c][i])}</td>" for c in names) + "</tr>"
        for i in range(min(n, max_rows))
    )
    more = f"<tr><td colspan={len(names)}>… {n - max_rows} more rows</td></tr>" if n > max_rows else ""
    return f"<table><caption>{caption}</caption><tr>{head}</tr>{body}{more}</table>"


def _axes(ax: Any, feature: str) -> Any:
    if ax is None:
        plt = import_optional("matplotlib.pyplot", feature=feature)
        _, ax = plt.subplots()
    return ax


@attrs.frozen(eq=False, kw_only=True)
class PurchaseForecast:
    """Per-customer expected purchases over ``horizon``, P(alive) and the churn-risk flag."""

    customer_ids: npt.NDArray[np.object_]
    horizon: float
    expected_purchases: FloatArray
    p_alive: FloatArray
    churn_risk: npt.NDArray[np.bool_]
    model: str
    time_unit: str

    def __len__(self) -> int:
        return int(self.expected_purchases.shape[0])

    def to_frame(self) -> Any:
        """A pandas DataFrame indexed by customer id."""
        pd = import_optional("pandas", feature="PurchaseForecast.to_frame")
        return pd.DataFrame(
            {
                "expected_purchases": self.expected_purchases,
                "p_alive": self.p_alive,
                "churn_risk": self.churn_risk,
            },
            index=pd.Index(self.customer_ids, name="customer_id"),
        )

    def _repr_html_(self) -> str:
        cols = {
            "customer_id": self.customer_ids,
            "expected_purchases": self.expected_purchases,
            "p_alive": self.p_alive,
            "churn_risk": self.churn_risk,
        }
        return _html_table(
            cols,
            f"{self.model}: next {self.horizon:g} {self.time_unit}, {len(self)} customers, "
            f"{int(self.churn_risk.sum())} at risk, {self.expected_purchases.sum():.1f} purchases expected",
        )

    def __repr__(self) -> str:
        return (
            f"<PurchaseForecast {self.model}: {len(self)} customers, horizon {self.horizon:g}{self.time_unit}, "
            f"expected {self.expected_purchases.sum():.1f}, at risk {int(self.churn_risk.sum())}>"
        )


@attrs.frozen(eq=False, kw_only=True)
class HoldoutEvaluation:
    """Predicted vs actual holdout purchases, per calibration-frequency bucket and overall.

    Attributes
    ----------
    buckets
        Labels ``"0" .. "k-1"`` and ``"k+"``.
    n_customers, actual, predicted
        Per bucket: customers, mean actual and mean predicted holdout purchases.
    total_actual, total_predicted
        Sums over all customers.
    aggregate_error
        ``total_predicted / total_actual - 1`` (relative error of the aggregate).
    mae, rmse
        Mean absolute / root mean squared error per customer.
    """

    buckets: tuple[str, ...]
    n_customers: npt.NDArray[np.int64]
    actual: FloatArray
    predicted: FloatArray
    total_actual: float
    total_predicted: float
    aggregate_error: float
    mae: float
    rmse: float

    @classmethod
    def build(
        cls, frequency: FloatArray, actual: FloatArray, predicted: FloatArray, *, max_bucket: int = 7
    ) -> HoldoutEvaluation:
        """Aggregate per bucket of calibration ``frequency`` (``0 .. max_bucket``, last one open)."""
        b = np.minimum(frequency, max_bucket).astype(np.int64)
        nb = max_bucket + 1
        cnt = np.bincount(b, minlength=nb)
        with np.errstate(invalid="ignore", divide="ignore"):
            act = np.bincount(b, weights=actual, minlength=nb) / cnt
            pre = np.bincount(b, weights=predicted, minlength=nb) / cnt
        labels = tuple([str(i) for i in range(max_bucket)] + [f"{max_bucket}+"])
        ta, tp = float(actual.sum()), float(predicted.sum())
        err = predicted - actual
        return cls(
            buckets=labels,
            n_customers=cnt,
            actual=act,
            predicted=pre,
            total_actual=ta,
            total_predicted=tp,
            aggregate_error=tp / ta - 1.0 if ta > 0 else float("nan"),
            mae=float(np.abs(err).mean()),
            rmse=float(np.sqrt((err**2).mean())),
        )

    def to_frame(self) -> Any:
        """Per-bucket table as a pandas DataFrame."""
        pd = import_optional("pandas", feature="HoldoutEvaluation.to_frame")
        return pd.DataFrame(
            {"n_customers": self.n_customers, "actual": self.actual, "predicted": self.predicted},
            index=pd.Index(list(self.buckets), name="calibration_frequency"),
        )

    def _repr_html_(self) -> str:
        cols = {
            "frequency": list(self.buckets),
            "customers": self.n_customers,
            "actual": self.actual,
            "predicted": self.predicted,
        }
        return _html_table(
            cols,
            f"holdout: actual {self.total_actual:.0f}, predicted {self.total_predicted:.1f} "
            f"({self.aggregate_error:+.1%}); MAE {self.mae:.3f} per customer",
        )

    def __repr__(self) -> str:
        return (
            f"<HoldoutEvaluation: actual {self.total_actual:.0f}, predicted {self.total_predicted:.1f} "
            f"({self.aggregate_error:+.1%}), MAE {self.mae:.3f}>"
        )

    def plot(self, ax: Any = None) -> Any:
        """Mean actual and predicted holdout purchases per calibration frequency."""
        ax = _axes(ax, "HoldoutEvaluation.plot")
        xs = np.arange(len(self.buckets))
        ax.plot(xs, self.actual, marker="o", label="actual")
        ax.plot(xs, self.predicted, marker="s", linestyle="--", label="predicted")
        ax.set_xticks(xs, list(self.buckets))
        ax.set_xlabel("purchases in calibration period")
        ax.set_ylabel("mean purchases in holdout period")
        ax.legend()
        return ax


def plot_matrix(mat: FloatArray, max_T: float, title: str, ax: Any = None) -> Any:
    """Heatmap of a frequency (rows) × recency (columns) matrix."""
    ax = _axes(ax, "frequency/recency matrix")
    im = ax.imshow(mat, origin="lower", aspect="auto", extent=(0, max_T, -0.5, mat.shape[0] - 0.5))
    ax.figure.colorbar(im, ax=ax)
    ax.set_xlabel("recency (age at last purchase)")
    ax.set_ylabel("frequency (repeat purchases)")
    ax.set_title(title)
    return ax
