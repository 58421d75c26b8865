"""Route Solomon VRPTW instances and compare with the best-known solutions, with a map.

Run: python examples/routing_solomon.py [OUTPUT_FOLDER] [SECONDS_PER_INSTANCE]

Each instance is solved by the default engine (PyVRP) with exact Euclidean travel times;
the plan is checked by the independent validator, and its distance compared with the
literature's best-known solution in the hierarchical convention (fewest vehicles first,
then distance). ``make bench`` runs the full comparison with OR-Tools on every instance.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from distcrm.routing import load_bks, load_solomon, solve

INSTANCES = ("C101", "R101", "RC101")


def main(out: Path, seconds: float) -> None:
    bks = load_bks()
    print(f"{'instance':<8} {'vehicles':>8} {'distance':>10} {'BKS':>14} {'gap':>7}  feasible")
    fig, axes = plt.subplots(1, len(INSTANCES), figsize=(5 * len(INSTANCES), 5))
    for ax, name in zip(axes, INSTANCES, strict=True):
        problem = load_solomon(name)
        plan = solve(problem, time_limit=seconds, seed=1)
        best = bks[(name, "hierarchical")]
        gap = 100.0 * (plan.distance - best.distance) / best.distance
        print(
            f"{name:<8} {plan.num_vehicles:>8} {plan.distance:>10.2f} "
            f"{best.distance:>8.2f} ({best.vehicles:>2}) {gap:>6.2f}%  {plan.is_feasible()}"
        )
        plan.plot(ax=ax)
        ax.set_title(f"{name}: {plan.num_vehicles} vehicles, {plan.distance:.1f}")
    fig.tight_layout()
    path = out / "solomon_routes.png"
    fig.savefig(path, dpi=100)
    print(f"route maps: {path}")


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="distcrm-routing-"))
    main(folder, float(sys.argv[2]) if len(sys.argv) > 2 else 2.0)
