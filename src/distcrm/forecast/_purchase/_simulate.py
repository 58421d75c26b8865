"""Simulated customer summaries from the BG/NBD process (for examples, tests and benchmarks)."""

from __future__ import annotations

import numpy as np

from distcrm.data import CustomerSummary

__all__ = ["simulate_bgnbd"]


def simulate_bgnbd(
    n: int,
    *,
    r: float = 0.25,
    alpha: float = 4.0,
    a: float = 0.8,
    b: float = 2.5,
    T_max: float = 52.0,
    seed: int = 0,
) -> CustomerSummary:
    """``n`` customers drawn from BG/NBD with calibration ages uniform on ``(1, T_max)`` weeks.

    Vectorised: ``x = min(N(T), D)`` with ``N(T)`` Poisson and ``D`` geometric (the
    repeat purchase after which the customer drops out); the recency is the ``x``-th
    order statistic of ``N(T)`` uniform arrival times.

    Examples
    --------
    >>> s = simulate_bgnbd(1000, seed=1)
    >>> len(s), bool((s.recency <= s.T).all())
    (1000, True)
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    T = rng.uniform(1.0, T_max, n)
    # the customer drops out right after repeat purchase D ~ Geometric(p); N(T) ~ Poisson(λT)
    D = rng.geometric(p)
    N = rng.poisson(lam * T)
    x = np.minimum(N, D)
    # time of the x-th of N uniform arrivals on (0, T): T * Beta(x, N - x + 1)
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), N - x + 1), 0.0)
    return CustomerSummary.from_arrays(
        frequency=x.astype(np.float64),
        recency=np.round(tx, 4),
        T=np.round(np.maximum(T, tx), 4),
        time_unit="W",
    )
