"""Customer-value benchmarks: distcrm vs lifetimes 0.11.3 (own venv) and a pandas RFM.

Sizes and repeats can be lowered for quick iteration (the issue's figures use the
defaults): ``CLV_BENCH_BIG`` (1,000,000 customers), ``CLV_BENCH_MID`` (100,000),
``CLV_BENCH_REPEAT`` (repeats of the large fits, 3) and ``CLV_BENCH_ANCHOR_REPEAT``
(repeats of lifetimes at the large sizes, 1).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import warnings
from pathlib import Path

import numpy as np

from benchmarks._util import anchor_python, machine, median_time, peak_memory_mib, report

DATA = Path(__file__).resolve().parents[1] / "src" / "distcrm" / "datasets" / "data"
LIFETIMES = ["lifetimes==0.11.3", "numpy==1.26.4", "pandas==1.5.3", "scipy==1.11.4", "autograd==1.6.2"]

_ANCHOR = """
import json, sys, time, numpy as np, warnings
warnings.simplefilter("ignore")
from lifetimes import BetaGeoFitter, ParetoNBDFitter
d = np.load(sys.argv[1])
cls = {"bg": BetaGeoFitter, "pareto": ParetoNBDFitter}[sys.argv[2]]
times = []
for _ in range(int(sys.argv[3])):
    m = cls()
    t0 = time.perf_counter(); m.fit(d["x"], d["tx"], d["T"]); times.append(time.perf_counter() - t0)
print(json.dumps({"median": sorted(times)[len(times) // 2], "params": list(map(float, m.params_.values))}))
"""


def _lifetimes(
    py: Path | None, x: np.ndarray, tx: np.ndarray, T: np.ndarray, model: str, repeat: int
) -> float | None:
    if py is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "d.npz"
        np.savez(f, x=x, tx=tx, T=T)
        out = subprocess.run(
            [str(py), "-c", _ANCHOR, str(f), model, str(repeat)], capture_output=True, text=True, check=False
        )
    if out.returncode != 0:
        print("  lifetimes failed:", out.stderr.strip().splitlines()[-1:])
        return None
    return float(json.loads(out.stdout)["median"])


def main() -> None:
    from distcrm.data import CustomerSummary
    from distcrm.forecast import BetaGeoModel, ParetoNBDModel
    from distcrm.forecast._purchase._simulate import simulate_bgnbd

    warnings.simplefilter("ignore")
    print(f"  machine: {machine()} (shared, timings are noisy)")
    py = anchor_python("lifetimes", LIFETIMES)

    d = np.loadtxt(DATA / "clv" / "cdnow_customers_summary.csv", delimiter=",", skiprows=1)
    cd = CustomerSummary.from_arrays(frequency=d[:, 1], recency=d[:, 2], T=d[:, 3])
    ours = median_time(lambda: BetaGeoModel().fit(cd), repeat=5)
    report(
        "BG/NBD fit, CDNOW (2,357)",
        ours,
        _lifetimes(py, cd.frequency, cd.recency, cd.T, "bg", 5),
        "lifetimes",
        "10x",
    )

    n_big = int(os.environ.get("CLV_BENCH_BIG", "1000000"))
    n_mid = int(os.environ.get("CLV_BENCH_MID", "100000"))
    rep = int(os.environ.get("CLV_BENCH_REPEAT", "3"))
    anchor_rep = int(os.environ.get("CLV_BENCH_ANCHOR_REPEAT", "1"))

    big = simulate_bgnbd(n_big, seed=0)
    ours = median_time(lambda: BetaGeoModel().fit(big), repeat=rep, warmup=1)
    peak = peak_memory_mib(lambda: BetaGeoModel().fit(big))
    report(
        f"BG/NBD fit, {n_big:,} synthetic",
        ours,
        _lifetimes(py, big.frequency, big.recency, big.T, "bg", anchor_rep),
        "lifetimes",
        "20x",
    )
    print(f"  BG/NBD fit, {n_big:,} synthetic: peak traced memory {peak:.0f} MiB (target <= 300 MiB)")

    mid = simulate_bgnbd(n_mid, a=2.0, b=3.0, seed=2)
    ours = median_time(lambda: ParetoNBDModel().fit(mid), repeat=rep, warmup=1)
    report(
        f"Pareto/NBD fit, {n_mid:,} synthetic",
        ours,
        _lifetimes(py, mid.frequency, mid.recency, mid.T, "pareto", anchor_rep),
        "lifetimes",
        "20x",
    )

    import pandas as pd

    from distcrm.data import TransactionLog
    from distcrm.segmentation import RFM, RFMData

    df = pd.read_csv(DATA / "retail" / "online_retail_a.csv.gz", dtype={"InvoiceNo": str, "StockCode": str})
    df = df[df.CustomerID.notna() & ~df.InvoiceNo.str.startswith("C") & (df.Quantity > 0)].copy()
    df["amount"] = df.Quantity * df.UnitPrice
    df["ts"] = pd.to_datetime(df.InvoiceDate)
    log = TransactionLog.from_frame(
        df, customer="CustomerID", timestamp="ts", amount="amount", order="InvoiceNo"
    )
    end = df.ts.max()

    def pandas_rfm() -> object:
        g = df.groupby("CustomerID").agg(last=("ts", "max"), f=("InvoiceNo", "nunique"), m=("amount", "sum"))
        r = (end - g["last"]).dt.days
        return (
            pd.qcut(r.rank(method="first"), 5, labels=[5, 4, 3, 2, 1]),
            pd.qcut(g.f.rank(method="first"), 5, labels=[1, 2, 3, 4, 5]),
            pd.qcut(g.m.rank(method="first"), 5, labels=[1, 2, 3, 4, 5]),
        )

    ours = median_time(lambda: RFM().score(RFMData.from_log(log)), repeat=7)
    anchor = median_time(pandas_rfm, repeat=7)
    report("RFM scores + segments, Online Retail", ours, anchor, "pandas groupby+qcut", "5x")
