"""RFM segments, BG/NBD + Gamma-Gamma CLV on the CDNOW sample, with a holdout check.

Run: .venv/bin/python examples/rfm_clv_cdnow.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from distcrm.data import TransactionLog
from distcrm.forecast import BetaGeoModel, GammaGammaModel
from distcrm.segmentation import RFM

DATA = (
    Path(__file__).resolve().parents[1] / "src" / "distcrm" / "datasets" / "data" / "clv" / "CDNOW_sample.txt"
)


def main() -> None:
    raw = np.loadtxt(DATA, dtype=str)
    log = TransactionLog.from_arrays(
        customer=raw[:, 0],
        timestamp=np.array([f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in raw[:, 2]], dtype="datetime64[D]"),
        amount=raw[:, 4].astype(float),
    )
    s = log.summary(unit="W", period="D", calibration_end="1997-09-30", observation_end="1998-06-30")
    bg = BetaGeoModel().fit(s)
    print("BG/NBD", {k: round(v, 3) for k, v in bg.params_.items()}, "LL", round(bg.log_likelihood_, 1))
    print(bg.evaluate(s))
    gg = GammaGammaModel().fit(s)
    print("Gamma-Gamma", {k: round(v, 3) for k, v in gg.params_.items()})
    clv = bg.clv(s, spend=gg, horizon=12, discount_rate=0.01, margin=0.3)
    top = np.argsort(clv)[::-1][:5]
    print(
        "top customers by 12-month CLV:",
        list(zip(s.customer_ids[top].tolist(), clv[top].round(2).tolist(), strict=True)),
    )
    rfm = RFM().score(s)
    print("RFM segment sizes:", rfm.segment_sizes())
    risk = bg.churn_risk(s, 0.3) & (clv > np.quantile(clv, 0.8))
    print("valuable customers at risk:", int(risk.sum()))


if __name__ == "__main__":
    main()
