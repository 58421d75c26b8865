"""The storage conformance suite, run on MemoryStore, SQLiteStore and PostgresStore."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from distcrm.testing.storage import store_checks


@pytest.mark.parametrize(("name", "check"), list(store_checks()), ids=[n for n, _ in store_checks()])
def test_conformance(
    name: str, check: Callable[[Callable[[], Any]], None], make_store: Callable[[], Any]
) -> None:
    """Each adapter passes each conformance check."""
    check(make_store)
