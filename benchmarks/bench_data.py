"""Customer summary at scale: 1M customers / 10M transactions (target <= 2 s, <= 2 GiB).

The anchor is a plain pandas groupby implementation of the same summary (lifetimes'
conventions: weekly periods, repeat-period spend), measured in the same run.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from benchmarks._util import machine, median_time, peak_memory_mib, report

N_CUSTOMERS = 1_000_000
N_ROWS = 10_000_000


def synthetic(n_customers: int = N_CUSTOMERS, n_rows: int = N_ROWS, seed: int = 0) -> dict[str, np.ndarray]:
    """Random purchases over two years: every customer buys at least once, activity is heavy-tailed."""
    rng = np.random.default_rng(seed)
    weights = rng.gamma(0.8, 1.0, n_customers)
    extra = rng.choice(n_customers, size=n_rows - n_customers, p=weights / weights.sum())
    customer = rng.permutation(np.concatenate([np.arange(n_customers), extra])).astype(np.int64)
    start = np.datetime64("2022-01-01T00:00:00", "s").astype(np.int64)
    seconds = rng.integers(0, 2 * 365 * 86400, size=n_rows)
    amount = np.round(rng.gamma(2.0, 20.0, n_rows), 2)
    return {
        "customer": customer,
        "timestamp": (start + seconds).astype("datetime64[s]"),
        "amount": amount,
    }


def pandas_summary(df, observation_end):  # type: ignore[no-untyped-def]
    """A plain pandas groupby version of the weekly summary (the anchor)."""
    import pandas as pd

    period = df["timestamp"].dt.to_period("W").dt.start_time
    g = df.assign(period=period).groupby(["customer", "period"], sort=True, as_index=False)["amount"].sum()
    first = g.groupby("customer")["period"].transform("min")
    g["repeat_amount"] = g["amount"].where(g["period"] != first)
    per = g.groupby("customer").agg(
        first=("period", "min"),
        last=("period", "max"),
        count=("period", "size"),
        monetary_value=("repeat_amount", "mean"),
    )
    end = pd.Timestamp(observation_end).to_period("W").start_time
    week = pd.Timedelta(days=7)
    return pd.DataFrame(
        {
            "frequency": per["count"] - 1,
            "recency": (per["last"] - per["first"]) / week,
            "T": (end - per["first"]) / week,
            "monetary_value": per["monetary_value"],
        }
    )


def main() -> None:
    from distcrm.data import TransactionLog

    print(f"  machine: {machine()} (shared with other jobs: figures are noisy)")
    cols = synthetic()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = TransactionLog.from_arrays(**cols)
    build = time.perf_counter() - t0
    print(f"  log of {len(log):,} rows, {log.n_customers:,} customers built in {build:.2f} s (sorted once)")

    ours = median_time(lambda: log.summary("W"), repeat=5)
    mem = peak_memory_mib(lambda: log.summary("W"))

    import pandas as pd

    df = pd.DataFrame(cols)
    end = cols["timestamp"].max()
    anchor = median_time(lambda: pandas_summary(df, end), repeat=2, warmup=0)
    held: list[pd.DataFrame] = []
    anchor_mem = peak_memory_mib(lambda: held.append(pandas_summary(df, end)))

    # the two agree
    s = log.summary("W")
    ref = held[0]
    same = bool(
        np.array_equal(ref["frequency"].to_numpy(), s.frequency)
        and np.allclose(ref["recency"].to_numpy(), s.recency)
        and np.allclose(ref["T"].to_numpy(), s.T)
        and np.allclose(ref["monetary_value"].to_numpy(), s.monetary_value, equal_nan=True)
    )
    report(
        f"summary 1M customers / 10M rows (median of 5, anchor of 2; identical to anchor: {same})",
        ours,
        anchor,
        "pandas groupby",
        target="<= 2 s",
    )
    print(
        f"  peak traced memory: distcrm {mem:,.0f} MiB | pandas groupby {anchor_mem:,.0f} MiB  target <= 2048 MiB"
    )
    cpu0 = time.process_time()
    log.summary("W")
    print(f"  CPU time of one summary (less sensitive to a busy machine): {time.process_time() - cpu0:.3f} s")
    cal = median_time(lambda: log.summary("W", calibration_end="2023-06-30"), repeat=3)
    print(f"  summary with a calibration/holdout split: {cal:.4f} s (median of 3)")
    both = median_time(lambda: TransactionLog.from_arrays(**cols).summary("W"), repeat=1, warmup=0)
    report("build log + summary (from raw arrays)", both, anchor, "pandas groupby")


if __name__ == "__main__":
    main()
