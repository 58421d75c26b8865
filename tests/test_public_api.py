"""Every public name resolves, and `import distcrm` stays light."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import distcrm


def _public_modules() -> list[str]:
    names = ["distcrm"]
    for info in pkgutil.iter_modules(distcrm.__path__):
        if not info.name.startswith("_"):
            names.append(f"distcrm.{info.name}")
    return names


@pytest.mark.parametrize("module_name", _public_modules())
def test_every_exported_name_resolves(module_name: str) -> None:
    """Each name in a public module's __all__ is an attribute of that module."""
    module = importlib.import_module(module_name)
    exported = getattr(module, "__all__", [])
    missing = [name for name in exported if not hasattr(module, name)]
    assert [] == missing


def _isort_key(name: str) -> tuple[int, str]:
    """ruff RUF022's "isort-style" order: CONSTANTS, then Classes, then functions."""
    if name.isupper() or (name.replace("_", "").isupper()):
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


@pytest.mark.parametrize("module_name", _public_modules())
def test_all_is_sorted(module_name: str) -> None:
    """Each public __all__ is explicitly sorted (isort-style, as ruff's RUF022 keeps it)."""
    module = importlib.import_module(module_name)
    exported = list(getattr(module, "__all__", []))
    assert sorted(exported, key=_isort_key) == exported


def test_import_is_lazy() -> None:
    """`import distcrm` loads none of the heavy dependencies."""
    code = (
        "import sys, distcrm\n"
        "heavy = ['ortools', 'pyvrp', 'scipy.optimize', 'pandas', 'polars', 'matplotlib', 'dask', 'cattrs']\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "" == out.stdout.strip()


def test_version_comes_from_metadata() -> None:
    """distcrm.__version__ is the installed distribution's version."""
    from importlib.metadata import version

    assert version("distcrm") == distcrm.__version__


def test_show_versions_lists_core_dependencies(capsys: pytest.CaptureFixture[str]) -> None:
    """show_versions() prints Python and each core dependency."""
    distcrm.show_versions()
    out = capsys.readouterr().out
    for name in ("python", "numpy", "scipy", "attrs", "cattrs", "ortools", "pyvrp"):
        assert name in out


def test_unknown_attribute_raises_attribute_error() -> None:
    """A misspelt attribute of the package raises AttributeError, not ImportError."""
    with pytest.raises(AttributeError):
        _ = distcrm.no_such_thing  # type: ignore[attr-defined]
