"""Forecast speed: intermittent methods on weekly series and ETS on carparts, against statsforecast 2.1.1.

Every method is timed on each engine: ``engine="numpy"`` and, when the ``speed`` extra
(numba) is installed, the compiled kernels with one thread and with ``n_jobs=-1``; the
first call (compiling, or loading the compiled code from numba's on-disk cache) is
timed separately. statsforecast runs in its anchor venv (``benchmarks/.anchors/statsforecast``) with
``n_jobs=1`` on the same data, in the same run. ``DISTCRM_BENCH_FORECAST_N`` sets the
number of weekly series (default 100,000 x 104 weeks); ``DISTCRM_BENCH_FORECAST_METHODS``
(comma-separated, e.g. ``Croston,TSB``) limits the methods, ``DISTCRM_BENCH_FORECAST_ETS=0``
skips the ETS figure. Each intermittent method is timed in ``DISTCRM_BENCH_FORECAST_ROUNDS``
rounds (default 3): statsforecast once, then every engine (median of 3 runs; the NumPy engine
of the three slow methods once); the speed-up is the median of the rounds' ratios, each taken
within its round, so that a slow or fast spell of the shared machine hits both sides of a ratio.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._util import anchor_python, machine, peak_memory_mib, report

N = int(os.environ.get("DISTCRM_BENCH_FORECAST_N", "100000"))
T = 104
METHODS = [m for m in os.environ.get("DISTCRM_BENCH_FORECAST_METHODS", "").split(",") if m]
RUN_ETS = os.environ.get("DISTCRM_BENCH_FORECAST_ETS", "1") != "0"
ROUNDS = max(1, int(os.environ.get("DISTCRM_BENCH_FORECAST_ROUNDS", "3")))

_ANCHOR = r"""
import json, sys, time, numpy as np, pandas as pd
from statsforecast import StatsForecast
from statsforecast import models as M
path, what, freq, season = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
y = np.load(path)
n, t = y.shape
df = pd.DataFrame({"unique_id": np.repeat(np.arange(n), t),
                   "ds": np.tile(pd.date_range("2000-01-02", periods=t, freq=freq), n),
                   "y": y.ravel()})
make = {"Croston": M.CrostonClassic, "CrostonSBA": M.CrostonSBA, "CrostonOptimized": M.CrostonOptimized,
        "TSB": lambda: M.TSB(alpha_d=0.2, alpha_p=0.1), "ADIDA": M.ADIDA, "IMAPA": M.IMAPA,
        "AutoETS": lambda: M.AutoETS(season_length=season)}[what]
sf = StatsForecast(models=[make()], freq=freq, n_jobs=1)
t0 = time.perf_counter(); c0 = time.process_time(); out = sf.forecast(df=df, h=12)
dt = time.perf_counter() - t0; cpu = time.process_time() - c0
print(json.dumps({"seconds": dt, "cpu": cpu, "mean": out.iloc[:, -1].to_numpy().reshape(n, 12).tolist() if what == "AutoETS" else None}))
"""


def _anchor(py: Path | None, y: np.ndarray, what: str, freq: str, season: int = 1) -> dict | None:
    if py is None:
        return None
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "y.npy"
        np.save(path, y)
        res = subprocess.run(
            [str(py), "-c", _ANCHOR, str(path), what, freq, str(season)],
            capture_output=True,
            text=True,
            check=False,
        )
    if res.returncode != 0:
        print(f"  anchor {what} failed: {res.stderr[-500:]}")
        return None
    return json.loads(res.stdout.strip().splitlines()[-1])


def _weekly(n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    p = rng.uniform(0.05, 0.6, size=(n, 1))
    return np.where(rng.random((n, T)) < p, rng.poisson(3.0, (n, T)) + 1, 0).astype(np.float64)


def _engines() -> list[tuple[str, dict[str, object]]]:
    """The implementations timed: NumPy always; the compiled kernels when numba is installed."""
    import importlib.util

    out: list[tuple[str, dict[str, object]]] = [("numpy", {"engine": "numpy"})]
    if importlib.util.find_spec("numba") is not None:
        out += [
            ("numba, 1 thread", {"engine": "numba"}),
            ("numba, n_jobs=-1", {"engine": "numba", "n_jobs": -1}),
        ]
    else:
        print("  (numba not installed: the compiled engine, extra `speed`, is not timed)")
    return out


def _timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU (process) seconds of ``fn()`` over ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    from distcrm import forecast as F  # noqa: N812 - short alias in a script
    from distcrm.data import DemandPanel

    print(f"  machine: {machine()} (shared with other jobs: ratios measured in the same run)")
    py = anchor_python("statsforecast", ["statsforecast==2.1.1"])
    y = _weekly(N)
    panel = DemandPanel.from_array(y, start="2000-01-02", freq="W")
    tiny = DemandPanel.from_array(y[:50], start="2000-01-02", freq="W")
    print(f"  intermittent methods, {N:,} weekly series x {T} weeks, h=12 (fit + predict)")
    models: dict[str, Callable[..., Any]] = {
        "Croston": F.Croston,
        "CrostonSBA": F.CrostonSBA,
        "TSB": lambda **kw: F.TSB(alpha_d=0.2, alpha_p=0.1, **kw),
        "ADIDA": F.ADIDA,
        "CrostonOptimized": F.CrostonOptimized,
        "IMAPA": F.IMAPA,
    }
    engines = _engines()
    for name, make in models.items():
        if METHODS and name not in METHODS:
            continue
        slow = name in ("CrostonOptimized", "IMAPA", "ADIDA")
        # rounds: statsforecast once, then every engine; a ratio is taken within a round
        # (both measured minutes apart at most) and the rounds' ratios are summarised
        ancs: list[dict[str, Any] | None] = []
        walls: dict[str, list[float]] = {label: [] for label, _ in engines}
        cpus: dict[str, list[float]] = {label: [] for label, _ in engines}
        extra: dict[str, str] = {}
        repeats: dict[str, int] = {}
        for rnd in range(ROUNDS):
            ancs.append(_anchor(py, y, name, "W"))
            for label, kw in engines:
                if rnd == 0 and "numba" in label:  # compile (or load from the cache) off the clock
                    t0 = time.perf_counter()
                    make(**kw).fit(tiny).predict(1)
                    extra[label] = f" | first call {time.perf_counter() - t0:.2f} s"
                repeat = repeats[label] = 1 if slow and label == "numpy" else 3
                wall, cpu = _timed(lambda m=make, k=kw: m(**k).fit(panel).predict(12), repeat)
                walls[label].append(wall)
                cpus[label].append(cpu)
                if rnd == 0 and repeat > 1:
                    mem = peak_memory_mib(lambda m=make, k=kw: m(**k).fit(panel).predict(12))
                    extra[label] = f" | peak traced memory {mem:.0f} MiB (target <= 400)" + extra.get(
                        label, ""
                    )
        got = [a for a in ancs if a is not None]
        line = f"  {name}:"
        if got:
            secs = [a["seconds"] for a in got]
            line += (
                f" statsforecast n_jobs=1 {statistics.median(secs):.3f} s"
                f" (CPU {statistics.median(a['cpu'] for a in got):.3f} s"
                + (
                    f"; median of {len(got)} runs, {min(secs):.2f}-{max(secs):.2f} s)"
                    if len(got) > 1
                    else ")"
                )
            )
        print(line)
        for label, _ in engines:
            w, c = walls[label], cpus[label]
            line = f"    {label}: {statistics.median(w):.3f} s (CPU {statistics.median(c):.3f} s, "
            line += f"median of {repeats[label]}" + (f" in each of {ROUNDS} rounds)" if ROUNDS > 1 else ")")
            pairs = [(a, wi, ci) for a, wi, ci in zip(ancs, w, c, strict=True) if a is not None]
            if pairs:
                r = [a["seconds"] / wi for a, wi, _ in pairs]
                rc = [a["cpu"] / ci for a, _, ci in pairs]
                line += f" | {statistics.median(r):.1f}x faster (CPU {statistics.median(rc):.1f}x"
                line += (f"; rounds {min(r):.1f}-{max(r):.1f}x)" if len(r) > 1 else ")") + "  target 30x"
            print(line + extra.get(label, ""))
    if not RUN_ETS:
        return
    # ETS on complete carparts
    from distcrm.datasets import load_carparts

    cp = F.complete_series(load_carparts())
    train, test = cp.split(12)
    t0 = time.perf_counter()
    fc = F.ETS(season_length=12).fit(train).predict(12)
    ours = time.perf_counter() - t0
    mase = F.evaluate(fc, test, train).summary()["mase"]
    anc = _anchor(py, train.values, "AutoETS", "MS", 12)
    if anc is not None:
        import attrs

        afc = attrs.evolve(fc, mean=np.maximum(np.asarray(anc["mean"]), 0.0))
        amase = F.evaluate(afc, test, train).summary()["mase"]
        report(
            "ETS (AICc selection) on 1,256 carparts series",
            ours,
            anc["seconds"],
            "statsforecast AutoETS",
            "10x",
        )
        print(f"    MASE distcrm {mase:.4f} | AutoETS {amase:.4f} (same metric, same split)")
    else:
        print(f"  ETS carparts: {ours:.2f} s, MASE {mase:.4f}")


if __name__ == "__main__":
    main()
