"""Scale-out benchmark: customer summaries and BG/NBD + Gamma-Gamma scoring on a 2-worker LocalCluster.

A synthetic log of ``DISTCRM_BENCH_SCALE_CUSTOMERS`` customers (default 10,000,000;
about 3 purchases each) is generated chunk by chunk into range-partitioned Parquet
files in a temporary directory (so generation fits in memory), then
``distcrm.scale.customer_summaries`` and ``distcrm.scale.score_customers`` run on a
``LocalCluster`` of 2 single-threaded worker processes, writing Parquet. Reported:
wall time of each step, peak RSS of each worker process (sampled every 0.2 s with
psutil) and of the driver. The anchor is the single-machine path (read every file
into one pandas frame, ``TransactionLog.from_frame``, ``summary``, fit and score in one
process) at ``DISTCRM_BENCH_SCALE_ANCHOR_CUSTOMERS`` customers (default 1,000,000),
measured in the same run next to the Dask path at that size.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._util import machine

CHUNK = 250_000  # customers per Parquet file


def generate(path: Path, n_customers: int, seed: int = 0) -> int:
    """Write ``n_customers`` customers' purchases as files of ``CHUNK`` customers; the row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    span = 365 * 86400
    rows = 0
    for i, lo in enumerate(range(0, n_customers, CHUNK)):
        n = min(CHUNK, n_customers - lo)
        first = rng.integers(0, span // 2, n)
        k = np.minimum(rng.geometric(rng.beta(2.0, 3.0, n).clip(0.05)), 40)  # mean about 3
        life = (rng.uniform(0.1, 1.0, n) * (span - first)).astype(np.int64)
        cust = np.repeat(np.arange(n), k)
        off = (rng.uniform(0.0, 1.0, cust.size) * life[cust]).astype(np.int64)
        off[np.r_[0, np.cumsum(k)[:-1]]] = 0
        spend = rng.gamma(3.0, 8.0, n)
        table = pa.table(
            {
                "customer_id": pa.array(lo + cust, pa.int64()),
                "timestamp": pa.array((start + first[cust] + off).astype("datetime64[s]")),
                "item_id": pa.array(rng.integers(0, 5000, cust.size), pa.int64()),
                "quantity": pa.array(rng.integers(1, 4, cust.size).astype(np.float64)),
                "amount": pa.array(np.round(spend[cust] * rng.gamma(5.0, 0.2, cust.size), 2)),
                "order_id": pa.array(rows + np.arange(cust.size), pa.int64()),
            }
        )
        pq.write_table(table, path / f"part-{i:05d}.parquet")
        rows += cust.size
    return rows


class RssSampler:
    """Peak resident memory of some processes, sampled in a background thread."""

    def __init__(self, pids: dict[str, int], every: float = 0.2) -> None:
        import psutil

        self.procs = {k: psutil.Process(p) for k, p in pids.items()}
        self.peak = dict.fromkeys(pids, 0)
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for k, p in self.procs.items():
                with contextlib.suppress(Exception):  # a process that ended has no RSS
                    self.peak[k] = max(self.peak[k], p.memory_info().rss)
            self._stop.wait(self.every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _gib(b: float) -> str:
    return f"{b / 2**30:.2f} GiB"


def run_dask(client: Any, data: Path, out: Path) -> dict[str, float]:
    """Both entry points on ``data``; wall times in seconds."""
    from distcrm.scale import customer_summaries, score_customers

    times: dict[str, float] = {}
    t0 = time.perf_counter()
    customer_summaries(data, client=client, output=out / "summaries")
    times["summaries"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = score_customers(data, t=4.0, client=client, output=out / "scores")
    times["scoring"] = time.perf_counter() - t0
    times["n_customers"] = res.n_customers
    return times


def run_single(data: Path) -> dict[str, float]:
    """The single-machine path: one frame, one log, one summary, fit and score in-process."""
    import pandas as pd

    from distcrm.data import TransactionLog
    from distcrm.forecast import BetaGeoModel, GammaGammaModel

    t0 = time.perf_counter()
    df = pd.read_parquet(data)
    log = TransactionLog.from_frame(
        df, customer="customer_id", timestamp="timestamp", item="item_id",
        quantity="quantity", amount="amount", order="order_id",
    )  # fmt: skip
    del df
    s = log.summary("W")
    t1 = time.perf_counter()
    bg = BetaGeoModel().fit(s)
    gg = GammaGammaModel().fit(s)
    bg.expected_purchases(4.0, s)
    bg.p_alive(s)
    bg.clv(s, spend=gg)
    t2 = time.perf_counter()
    return {"summaries": t1 - t0, "scoring": t2 - t0}


def main() -> None:
    """Print wall time and peak memory per worker for the configured size."""
    import psutil
    from distributed import Client, LocalCluster

    n_big = int(os.environ.get("DISTCRM_BENCH_SCALE_CUSTOMERS", "10000000"))
    n_anchor = int(os.environ.get("DISTCRM_BENCH_SCALE_ANCHOR_CUSTOMERS", "1000000"))
    tmp = Path(tempfile.mkdtemp(prefix="distcrm-bench-scale-"))
    free = shutil.disk_usage(tmp).free
    need = 60 * 3 * n_big * 2  # ~60 bytes a row on disk, inputs and outputs, with margin
    print(f"  machine: {machine()} (shared); free disk {_gib(free)} in {tmp}")
    if free < need:
        n_big = max(n_anchor, int(free / (60 * 3 * 2)))
        print(f"  not enough disk for the configured size: using {n_big:,} customers")
    warnings.simplefilter("ignore")
    try:
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, memory_limit="8GiB"
            ) as cluster,
            Client(cluster) as client,
        ):
            pids = {f"worker {i}": pid for i, pid in enumerate(client.run(os.getpid).values())}
            pids["driver"] = os.getpid()
            for n, label in ((n_anchor, "anchor size"), (n_big, "full size")):
                if label == "full size" and n == n_anchor:
                    continue
                data = tmp / f"log-{n}"
                data.mkdir()
                t0 = time.perf_counter()
                rows = generate(data, n)
                print(
                    f"  {label}: {n:,} customers, {rows:,} rows, generated in {time.perf_counter() - t0:.1f} s"
                )
                client.run(lambda: __import__("gc").collect())
                with RssSampler(pids) as rss:
                    times = run_dask(client, data, tmp / f"out-{n}")
                mem = ", ".join(f"{k} {_gib(v)}" for k, v in rss.peak.items())
                print(
                    f"    dask (2 workers): summaries {times['summaries']:.1f} s, "
                    f"summaries + BG/NBD/GG fit + scoring/CLV {times['scoring']:.1f} s (median of 1)"
                )
                print(f"    peak RSS: {mem}")
                if label == "anchor size":
                    before = psutil.Process().memory_info().rss
                    with RssSampler({"single": os.getpid()}) as one:
                        single = run_single(data)
                    print(
                        f"    single machine (1 process): summaries {single['summaries']:.1f} s, "
                        f"with fit and scoring {single['scoring']:.1f} s, peak RSS "
                        f"{_gib(one.peak['single'])} (from {_gib(before)})"
                    )
                    print(
                        f"    ratio single/dask: summaries {single['summaries'] / times['summaries']:.2f}x, "
                        f"scoring {single['scoring'] / times['scoring']:.2f}x"
                    )
                shutil.rmtree(data, ignore_errors=True)
                shutil.rmtree(tmp / f"out-{n}", ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
