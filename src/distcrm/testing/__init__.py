"""Test helpers that ship with distcrm: hypothesis strategies and conformance suites.

Each public submodule loads on first use (``distcrm.testing.strategies`` needs
``hypothesis``, a development dependency), so ``import distcrm.testing`` stays cheap:

- ``strategies``: ``strategy_for(cls)`` and ``invalid_payloads(cls)`` for every domain type;
- the conformance suites of the storage adapters and engine families, in their own modules.

>>> import distcrm.testing
>>> "strategies" in distcrm.testing.__all__
True
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

# every public submodule present in this package (new suites are picked up automatically)
__all__ = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def __getattr__(name: str) -> Any:
    if name in __all__:
        return importlib.import_module(f"distcrm.testing.{name}")
    raise AttributeError(f"module 'distcrm.testing' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
