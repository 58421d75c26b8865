"""Every script in examples/ runs to completion (make test executes them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(script: Path, tmp_path: Path) -> None:
    """The example exits 0 and prints something, writing only into its output folder."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=env,
    )
    assert 0 == proc.returncode, proc.stderr[-3000:]
    assert proc.stdout.strip()


def test_there_are_examples_for_each_area() -> None:
    """The examples cover value, forecasting, routing, feedback, recommendations and the daily cycle."""
    names = " ".join(p.stem for p in EXAMPLES)
    for word in ("clv", "forecast", "rout", "sentiment", "recommend", "daily"):
        assert word in names
