"""Helpers shared by the benchmarks: repeated timing, peak memory, anchor venvs."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ANCHORS = Path(__file__).parent / ".anchors"


def machine() -> str:
    """A one-line description of this machine for the printed figures."""
    return f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"


def median_time(fn: Callable[[], Any], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs, after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_memory_mib(fn: Callable[[], Any]) -> float:
    """Peak traced Python/NumPy allocation of one ``fn()`` call, in MiB."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def anchor_python(name: str, requirements: list[str]) -> Path | None:
    """A venv under ``benchmarks/.anchors/NAME`` with ``requirements`` installed (made once).

    Returns the venv's python, or ``None`` (with a printed reason) when it cannot be made.
    """
    venv = ANCHORS / name
    py = venv / "bin" / "python"
    stamp = venv / ".ok"
    if stamp.exists():
        return py
    try:
        ANCHORS.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", *requirements], check=True)
    except subprocess.CalledProcessError as exc:
        print(f"  anchor {name}: could not install {requirements}: {exc}")
        return None
    stamp.touch()
    return py


def report(label: str, ours: float, anchor: float | None, anchor_name: str, target: str = "") -> None:
    """Print one figure as ``label: ours s | anchor s | ratio x (target)``."""
    if anchor is None:
        print(f"  {label}: {ours:.4f} s (anchor {anchor_name} unavailable)")
        return
    ratio = anchor / ours if ours > 0 else float("inf")
    tgt = f"  target {target}" if target else ""
    print(f"  {label}: distcrm {ours:.4f} s | {anchor_name} {anchor:.4f} s | {ratio:.1f}x faster{tgt}")
