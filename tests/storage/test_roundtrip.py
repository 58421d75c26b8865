"""Hypothesis-generated objects of every aggregate type round-trip through every adapter."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distcrm.storage import MemoryStore, PostgresStore, SQLiteStore
from distcrm.storage._spec import specs
from distcrm.testing.strategies import strategy_for

REPOS = [s.repo for s in specs()]
_ids = itertools.count()


def _stores(request: pytest.FixtureRequest, tmp_path: Path, repo: str) -> list[Any]:
    """A MemoryStore, a SQLiteStore and (when the test server runs) a PostgresStore."""
    stores: list[Any] = [MemoryStore(), SQLiteStore(tmp_path / "rt.db")]
    try:
        server = request.getfixturevalue("pg_server")
    except pytest.skip.Exception:  # the conftest has reported loudly that PostgreSQL was not tested
        return stores
    stores.append(PostgresStore(server.create_database(f"rt_{repo}")))
    return stores


@pytest.mark.parametrize("repo", REPOS)
def test_generated_records_round_trip(repo: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Records added with add() and add_many() come back equal from get() and all() in every adapter."""
    spec = next(s for s in specs() if s.repo == repo)
    stores = _stores(request, tmp_path, repo)

    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(st.lists(strategy_for(spec.cls), min_size=1, max_size=3))
    def run(objs: list[Any]) -> None:
        objs = [attrs.evolve(o, id=f"rt-{next(_ids)}") for o in objs]  # unique across examples
        for store in stores:
            repository = store.repository(repo)
            repository.add(objs[0])
            with store.unit_of_work() as uow:
                uow.repository(repo).add_many(objs[1:])
            assert objs == [repository.get(o.id) for o in objs], store
            stored = {o.id: o for o in repository.all()}
            assert objs == [stored[o.id] for o in objs], store

    try:
        run()
    finally:
        for store in stores:
            store.close()
