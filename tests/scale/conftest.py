"""Fixtures for the scale-out tests: one local Dask cluster and small partitioned logs."""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from distcrm.data import TransactionLog
from distcrm.scale import write_partitioned_log


def make_frame(n_customers: int = 400, seed: int = 0) -> Any:
    """A synthetic purchase log: repeat buying that stops, integer units, money with cents."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    start = np.datetime64("2023-01-01T00:00:00", "s")
    span = 365 * 86400
    first = rng.integers(0, span // 2, n_customers)
    n_rows = 1 + rng.geometric(rng.beta(1.0, 2.0, n_customers).clip(0.05)) - 1
    n_rows = np.minimum(n_rows, 30)
    life = (rng.uniform(0.1, 1.0, n_customers) * (span - first)).astype(np.int64)
    cust = np.repeat(np.arange(n_customers), n_rows)
    offset = (rng.uniform(0, 1, cust.size) * life[cust]).astype(np.int64)
    offset[np.r_[0, np.cumsum(n_rows)[:-1]]] = 0  # the first row is the first purchase
    ts = start + (first[cust] + offset).astype("timedelta64[s]")
    spend = rng.gamma(3.0, 8.0, n_customers)
    return pd.DataFrame(
        {
            "customer_id": np.array([f"c{c:05d}" for c in cust], dtype=object),
            "timestamp": ts,
            "item_id": np.array(
                [f"i{i:02d}" for i in rng.integers(0, 30, cust.size) ** 2 % 30], dtype=object
            ),
            "quantity": rng.integers(1, 4, cust.size).astype(np.float64),
            "amount": np.round(spend[cust] * rng.gamma(5.0, 0.2, cust.size), 2),
            "order_id": np.array([f"o{i:06d}" for i in range(cust.size)], dtype=object),
        }
    )


def as_log(frame: Any) -> TransactionLog:
    """The single-machine log of a frame with the partitioned-log column names."""
    return TransactionLog.from_frame(
        frame,
        customer="customer_id",
        timestamp="timestamp",
        item="item_id",
        quantity="quantity",
        amount="amount",
        order="order_id",
    )


@pytest.fixture(scope="session")
def client() -> Iterator[Any]:
    """A local cluster of two single-threaded in-process workers (cheap to start)."""
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        )
    with cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="session")
def frame() -> Any:
    """The synthetic log as a pandas frame."""
    return make_frame()


@pytest.fixture(scope="session")
def log(frame: Any) -> TransactionLog:
    """The synthetic log on one machine."""
    return as_log(frame)


@pytest.fixture(scope="session")
def parts(frame: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic log range-partitioned by customer into 5 Parquet files."""
    path = tmp_path_factory.mktemp("ranged")
    write_partitioned_log(frame, path, 5)
    return path


@pytest.fixture(scope="session")
def hashed(frame: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic log hash-partitioned by customer (ranges overlap) into 3 files."""
    path = tmp_path_factory.mktemp("hashed")
    bucket = frame["customer_id"].map(lambda s: zlib.crc32(s.encode())).to_numpy() % 3
    for b in range(3):
        frame[bucket == b].to_parquet(path / f"bucket={b}.parquet", index=False)
    return path
