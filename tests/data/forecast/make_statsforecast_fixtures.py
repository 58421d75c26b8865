"""Regenerate the statsforecast reference forecasts used by tests/forecast/test_intermittent.py.

Run with a Python that has statsforecast 2.1.1 installed (it is not a distcrm
dependency), e.g. the benchmark anchor venv::

    .venv/bin/python -c "from benchmarks._util import anchor_python; \
        print(anchor_python('statsforecast', ['statsforecast==2.1.1']))"
    benchmarks/.anchors/statsforecast/bin/python tests/data/forecast/make_statsforecast_fixtures.py

Writes ``edge_series.csv`` (the hand-made inputs) and ``statsforecast_intermittent.csv``
(one-step forecasts of every intermittent method; they are flat over the horizon).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import statsforecast
from statsforecast.models import ADIDA, IMAPA, TSB, CrostonClassic, CrostonOptimized, CrostonSBA

HERE = Path(__file__).parent
CARPARTS = HERE.parents[2] / "src" / "distcrm" / "datasets" / "data" / "forecast" / "carparts_a.csv"
N_FIT = 39


def methods() -> dict[str, object]:
    return {
        "Croston": CrostonClassic(),
        "CrostonSBA": CrostonSBA(),
        "CrostonOptimized": CrostonOptimized(),
        "TSB": TSB(alpha_d=0.2, alpha_p=0.1),
        "ADIDA": ADIDA(),
        "IMAPA": IMAPA(),
    }


def edge_series() -> list[tuple[str, str, list[float]]]:
    """(group, id, values): every group has one length."""
    rng = np.random.default_rng(20240501)
    out: list[tuple[str, str, list[float]]] = [
        ("edge12", "all_zero", [0.0] * 12),
        ("edge12", "single_mid", [0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0]),
        ("edge12", "first_only", [7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("edge12", "last_only", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]),
        ("edge12", "leading_zeros", [0, 0, 0, 0, 0, 0, 0, 3, 0, 1, 0, 5]),
        ("edge12", "every_period", [2, 3, 1, 4, 2, 2, 5, 1, 3, 2, 4, 1]),
        ("edge12", "constant", [3.0] * 12),
        ("edge12", "two_lumps", [0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0]),
        ("edge1", "one_value", [5.0]),
        ("edge1", "one_zero", [0.0]),
        ("edge2", "two_a", [0.0, 3.0]),
        ("edge2", "two_b", [4.0, 0.0]),
    ]
    # non-integer intermittent series (exercise the golden section on non-integers)
    for i in range(40):
        occ = rng.random(60) < rng.uniform(0.1, 0.7)
        vals = np.where(occ, rng.gamma(2.0, 3.0, 60), 0.0)
        out.append(("real60", f"real_{i}", [float(v) for v in vals]))
    return out


def carparts() -> list[tuple[str, str, list[float]]]:
    with CARPARTS.open() as f:
        rows = list(csv.reader(f))
    ids = rows[0][1:]
    data = np.array([[np.nan if c == "" else float(c) for c in r[1:]] for r in rows[1:]]).T
    out = []
    for sid, row in zip(ids, data, strict=True):
        if np.isnan(row).any():
            continue
        out.append(("carparts39", sid, [float(v) for v in row[:N_FIT]]))
    return out


def main() -> None:
    series = edge_series()
    with (HERE / "edge_series.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["group", "series_id", "values"])
        for g, sid, vals in series:
            w.writerow([g, sid, " ".join(repr(float(v)) for v in vals)])
    with (HERE / "statsforecast_intermittent.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["group", "series_id", "method", "forecast"])
        for g, sid, vals in series + carparts():
            y = np.asarray(vals, dtype=np.float64)
            for name, model in methods().items():
                mean = model.forecast(y=y, h=2)["mean"]  # type: ignore[attr-defined]
                assert mean[0] == mean[1]
                w.writerow([g, sid, name, repr(float(mean[0]))])
    print(
        f"statsforecast {statsforecast.__version__}: wrote fixtures for {len(series)} edge series + carparts"
    )


if __name__ == "__main__":
    main()
