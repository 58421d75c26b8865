"""Tests for the distcrm.feedback package surface."""

from __future__ import annotations

import distcrm.feedback as fb


def test_every_exported_name_resolves() -> None:
    """Each name in __all__ exists, once (ruff's RUF022 keeps the isort-style order)."""
    assert len(set(fb.__all__)) == len(fb.__all__)
    for name in fb.__all__:
        assert getattr(fb, name) is not None
