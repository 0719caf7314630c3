"""Shared fixtures: the embedded server as a real process on SQLite, PostgreSQL, and in plain-Chatwoot mode."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.processes import RunningServer

# `make test` replays the same examples on every run, so a rare find cannot fail one clone and pass the next;
# `make soak` (HYPOTHESIS_PROFILE=soak) searches at random, longer. A failure prints the blob that reproduces it.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("soak", derandomize=False, print_blob=True, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _running(tmp: Path, database_url: str, **extra_env: str) -> Iterator[RunningServer]:
    with RunningServer(database_url=database_url, extra_env=extra_env, log_path=tmp / "server.log").running() as server:
        yield server


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The embedded server on a fresh SQLite file, extensions on, demo data seeded."""
    tmp = tmp_path_factory.mktemp("sqlite-server")
    yield from _running(tmp, f"sqlite+aiosqlite:///{tmp / 'contacts.db'}")


@pytest.fixture(scope="session")
def pg_api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The embedded server on a fresh database of the machine's PostgreSQL."""
    tmp = tmp_path_factory.mktemp("postgres-server")
    url = create_postgres_database()
    try:
        yield from _running(tmp, url)
    finally:
        drop_postgres_database(url)


@pytest.fixture(scope="session")
def plain_api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The embedded server in plain-Chatwoot mode: no ETag, no paging, no /events."""
    tmp = tmp_path_factory.mktemp("plain-server")
    yield from _running(tmp, f"sqlite+aiosqlite:///{tmp / 'contacts.db'}", SERVER_EXTENSIONS="false")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest) -> RunningServer:
    """The embedded server on each database in turn."""
    name = "api_server" if request.param == "sqlite" else "pg_api_server"
    running: RunningServer = request.getfixturevalue(name)
    return running
