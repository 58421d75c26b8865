"""Fixtures for the storage tests: a private PostgreSQL server, store factories."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from distcrm.storage import MemoryStore, PostgresStore, SQLiteStore
from distcrm.storage._pgserver import PostgresServer, PostgresUnavailable

_PG_PROBLEM: list[str] = []
_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server in a temp dir on 127.0.0.1 (skips loudly when it cannot start)."""
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        msg = f"PostgreSQL adapter was NOT tested: {exc}"
        _PG_PROBLEM.append(msg)
        warnings.warn(msg, stacklevel=1)
        pytest.skip(msg)
    try:
        yield server
    finally:
        server.stop()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _PG_PROBLEM:
        terminalreporter.write_sep("!", "PostgreSQL adapter was NOT tested", red=True, bold=True)
        terminalreporter.write_line(_PG_PROBLEM[0], red=True)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Any]]:
    """A factory of new, empty stores of one adapter."""
    made: list[Any] = []
    if request.param == "memory":

        def make() -> Any:
            return MemoryStore()
    elif request.param == "sqlite":

        def make() -> Any:
            s = SQLiteStore(tmp_path / f"s{next(_counter)}.db")
            made.append(s)
            return s
    else:
        server = request.getfixturevalue("pg_server")

        def make() -> Any:
            s = PostgresStore(server.create_database(f"t{next(_counter)}_{id(request) % 100000}"))
            made.append(s)
            return s

    yield make
    for s in made:
        s.close()
