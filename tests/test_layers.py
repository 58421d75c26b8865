"""DESIGN.md's layering: a lower layer never imports a higher one; engines never import storage."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "distcrm"

ENGINES = {"segmentation", "forecast", "routing", "feedback", "recommend", "loyalty", "care", "kpi"}
PRIVATE = {"_checks", "_estimator", "_optional", "_version", "_versions"}

# package -> the distcrm packages it may import (besides itself and the private helpers)
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "domain": {"errors"},
    "serialization": {"errors", "domain"},
    # storage.transaction_log returns a distcrm.data.TransactionLog (issue 3): the one
    # upward reach, to the columnar layer only, never to an engine
    "storage": {"errors", "domain", "serialization", "data"},
    "data": {"errors", "domain", "serialization"},
    **{e: {"errors", "domain", "serialization", "data"} | ENGINES for e in ENGINES},
    "datasets": {"errors", "domain", "serialization", "data"} | ENGINES,
    "plotting": {"errors", "domain", "data"} | ENGINES,
    "testing": {"errors", "domain", "serialization", "data", "storage"} | ENGINES,
    "scale": {"errors", "domain", "serialization", "data"} | ENGINES,
}


def _imports(path: Path) -> set[str]:
    """The distcrm subpackages a module imports, anywhere in its body (lazy imports count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "distcrm":
                names = [f"distcrm.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "distcrm" and len(parts) > 1:
                out.add(parts[1])
    return out


def _package_of(path: Path) -> str:
    rel = path.relative_to(SRC).parts
    return rel[0].removesuffix(".py")


CASES = [p for p in sorted(SRC.rglob("*.py")) if _package_of(p) in ALLOWED]


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(SRC)) for p in CASES])
def test_module_respects_the_layers(path: Path) -> None:
    """The module imports only the distcrm layers below it (DESIGN.md)."""
    package = _package_of(path)
    used = _imports(path) - {package} - PRIVATE
    assert set() == used - ALLOWED[package]


def test_engines_never_import_storage_or_workflows() -> None:
    """No engine module imports distcrm.storage or distcrm.workflows, even lazily."""
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if _package_of(p) in ENGINES and _imports(p) & {"storage", "workflows"}
    ]
    assert [] == offenders
