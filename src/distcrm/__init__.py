"""distcrm: customer management for companies that sell and deliver goods.

Know who your customers are and what they are worth (``distcrm.segmentation``,
``distcrm.forecast``), who will order what and when (``distcrm.forecast``), how to
deliver it on time at least cost (``distcrm.routing``), how satisfied they are and why
(``distcrm.feedback``), and how to keep them (``distcrm.recommend``, ``distcrm.loyalty``,
``distcrm.care``, ``distcrm.kpi``).

``import distcrm`` is cheap: subpackages load on first attribute access.

>>> import distcrm
>>> distcrm.errors.DistcrmError.__name__
'DistcrmError'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from distcrm import errors

__all__ = [
    "__version__",
    "care",
    "data",
    "datasets",
    "domain",
    "errors",
    "feedback",
    "forecast",
    "kpi",
    "loyalty",
    "plotting",
    "recommend",
    "routing",
    "scale",
    "segmentation",
    "serialization",
    "show_versions",
    "storage",
    "testing",
    "workflows",
]

_SUBMODULES = frozenset(__all__) - {"__version__", "show_versions", "errors"}

if TYPE_CHECKING:  # pragma: no cover
    import distcrm.care as care
    import distcrm.data as data
    import distcrm.datasets as datasets
    import distcrm.domain as domain
    import distcrm.feedback as feedback
    import distcrm.forecast as forecast
    import distcrm.kpi as kpi
    import distcrm.loyalty as loyalty
    import distcrm.plotting as plotting
    import distcrm.recommend as recommend
    import distcrm.routing as routing
    import distcrm.scale as scale
    import distcrm.segmentation as segmentation
    import distcrm.serialization as serialization
    import distcrm.storage as storage
    import distcrm.testing as testing
    import distcrm.workflows as workflows
    from distcrm._versions import show_versions

    __version__: str


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"distcrm.{name}")
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("distcrm")
        except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
            from distcrm._version import __version__

            return __version__
    if name == "show_versions":
        from distcrm._versions import show_versions

        return show_versions
    raise AttributeError(f"module 'distcrm' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
