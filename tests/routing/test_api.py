"""The routing package's public surface."""

from __future__ import annotations

import subprocess
import sys

import distcrm.routing as routing
import distcrm.testing.routing as conformance


def test_every_exported_name_resolves() -> None:
    """Each name in __all__ exists (tests/test_public_api.py checks the order, as ruff sorts it)."""
    for mod in (routing, conformance):
        for name in mod.__all__:
            assert getattr(mod, name) is not None


def test_importing_routing_does_not_load_the_solvers() -> None:
    """pyvrp and ortools load only when a problem is solved."""
    code = "import sys, distcrm.routing; print('pyvrp' in sys.modules, 'ortools' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "False False" == out.strip()
