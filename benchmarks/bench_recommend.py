"""Recommender benchmarks: EASE fit on 4k customers × 4k items (target ≤ 2 s), kNN, scoring, quality.

Anchors (measured in the same run): Steck's reference EASE code (dense ``np.linalg.inv``
of the Gram matrix, from the paper's notebook) for the fit, and a dense per-customer loop
for scoring. Quality: hit-rate@10 on Online Retail relative to the popularity baseline.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from benchmarks._util import machine, median_time, report


def _synthetic(n_customers: int = 4000, n_items: int = 4000, per_customer: int = 40, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    pop = 1.0 / np.arange(1, n_items + 1) ** 0.8
    pop /= pop.sum()
    c = np.repeat(np.arange(n_customers), per_customer)
    i = rng.choice(n_items, size=c.size, p=pop)
    return c, i


def _steck_reference(X, lam: float) -> np.ndarray:  # type: ignore[no-untyped-def]
    G = (X.T @ X).toarray()
    G[np.diag_indices(G.shape[0])] += lam
    P = np.linalg.inv(G)
    B = P / (-np.diag(P))
    B[np.diag_indices(G.shape[0])] = 0
    return B


def main() -> None:
    from distcrm.recommend import (
        EASERecommender,
        ItemKNNRecommender,
        PopularityRecommender,
        compare,
        interaction_matrix,
    )

    print(f"machine: {machine()} (shared with other jobs: figures are noisy)")
    c, i = _synthetic()
    n_items = int(i.max()) + 1
    X = interaction_matrix(c, i, None, 4000, n_items)
    print(f"synthetic log: 4000 customers × {n_items} items, {X.nnz} pairs")
    ours = median_time(
        lambda: EASERecommender().fit_arrays(c, i, n_customers=4000, n_items=n_items), repeat=3
    )
    anchor = median_time(lambda: _steck_reference(X, 50.0), repeat=1, warmup=0)
    report("EASE fit 4k×4k", ours, anchor, "Steck reference (np.linalg.inv)", target="≤ 2 s")
    t0 = time.process_time()
    EASERecommender().fit_arrays(c, i, n_customers=4000, n_items=n_items)
    print(f"  EASE fit 4k×4k CPU time (all threads): {time.process_time() - t0:.2f} s")
    knn = median_time(
        lambda: ItemKNNRecommender().fit_arrays(c, i, n_customers=4000, n_items=n_items), repeat=3
    )
    report("item-kNN cosine fit 4k×4k", knn, None, "-")
    model = EASERecommender().fit_arrays(c, i, n_customers=4000, n_items=n_items)
    ids = list(range(4000))
    rec = median_time(lambda: model.recommend(ids, k=10), repeat=3)

    def loop() -> None:  # the naive way: one dense row product and a full sort per customer (500, scaled ×8)
        B = model.weights_
        for u in range(500):
            row = X[u].toarray().ravel().astype(np.float32)
            s = row @ B
            s[row > 0] = -np.inf
            np.argsort(-s)[:10]

    naive = 8 * median_time(loop, repeat=1, warmup=0)
    report("recommend top-10 for 4000 customers", rec, naive, "per-customer loop")

    from distcrm.datasets import load_online_retail
    from distcrm.errors import DataQualityWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        log = load_online_retail()
    table = compare(
        {
            "popularity": PopularityRecommender(),
            "item-kNN cosine (all neighbours)": ItemKNNRecommender(n_neighbors=100_000),
            "item-kNN cosine (100 neighbours)": ItemKNNRecommender(),
            "item-kNN BM25": ItemKNNRecommender(weighting="bm25"),
            "EASE λ=50": EASERecommender(),
        },
        log,
        split="2011-11-09",
        k=10,
    )
    print("Online Retail (half), train < 2011-11-09, test = new items bought in the last month:")
    print(table)


if __name__ == "__main__":
    main()
