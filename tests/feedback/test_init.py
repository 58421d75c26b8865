"""Tests for the distcrm.feedback package surface."""

from __future__ import annotations

import distcrm.feedback as fb


def test_every_exported_name_resolves_and_all_is_sorted() -> None:
    """Each name in __all__ exists and __all__ is sorted."""
    assert sorted(fb.__all__) == list(fb.__all__)
    for name in fb.__all__:
        assert getattr(fb, name) is not None
