"""Import time of ``distcrm`` in a fresh interpreter (target: ``import distcrm`` <= 0.25 s).

The anchor is ``python -c "pass"`` (bare interpreter start-up) measured in the same run;
each figure is the median wall time of 7 fresh subprocesses.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from benchmarks._util import machine

REPEAT = 7
TARGET = 0.25
MODULES = ("distcrm", "distcrm.data", "distcrm.datasets", "distcrm.forecast", "distcrm.domain")


def fresh(code: str, repeat: int = REPEAT) -> float:
    """Median wall time of ``python -c code`` in new processes (one unmeasured warm-up)."""
    cmd = [sys.executable, "-c", code]
    subprocess.run(cmd, check=True)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def heavy_modules(module: str) -> list[str]:
    """Heavy optional dependencies that importing ``module`` pulls in (should be none)."""
    code = (
        f"import sys, {module}; "
        "print(','.join(m for m in ('pandas','polars','matplotlib','scipy.optimize','ortools','pyvrp') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return [m for m in out.stdout.strip().split(",") if m]


def main() -> None:
    print(f"  machine: {machine()} (shared with other jobs: figures are noisy)")
    bare = fresh("pass")
    print(f"  anchor python -c 'pass': {bare:.4f} s (median of {REPEAT})")
    for module in MODULES:
        t = fresh(f"import {module}")
        heavy = heavy_modules(module)
        tgt = f"  target <= {TARGET} s ({'met' if t <= TARGET else 'NOT met'})" if module == "distcrm" else ""
        print(
            f"  import {module}: {t:.4f} s | python -c pass {bare:.4f} s | "
            f"{t / bare:.1f}x the bare interpreter, +{t - bare:.4f} s{tgt}"
            + (f"  [loads {', '.join(heavy)}]" if heavy else "")
        )


if __name__ == "__main__":
    main()
