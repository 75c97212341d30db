"""Fixtures for the server suite: one real server per database backend (SQLite file, real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from casedesk.server.db import Database
from tests.server.helpers import PgCluster, ServerThread, start_postgres


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    cluster = start_postgres()
    if isinstance(cluster, str):
        pytest.skip(f"PostgreSQL tests skipped: {cluster}")
    try:
        yield cluster
    finally:
        cluster.stop()


def open_database(backend: str, tmp: Path, request: pytest.FixtureRequest, name: str) -> Database:
    if backend == "sqlite":
        return Database.open(f"sqlite:///{tmp / (name + '.db')}")
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return Database.open(cluster.create_database(name))


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    """The server, shared by the tests of one backend (each test makes its own users and clients)."""
    db = open_database(request.param, tmp_path_factory.mktemp(f"server-{request.param}"), request, "casedesk")
    thread = ServerThread(db).start()
    thread.backend = request.param  # type: ignore[attr-defined]
    try:
        yield thread
    finally:
        thread.stop()
        db.close()
