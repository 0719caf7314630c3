"""Shared fixtures: the embedded server on SQLite, PostgreSQL, and in plain-Chatwoot mode: a child process, or in
this process for the fast tier (tests/api, tests/client)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.in_process import InProcessServer
from tests.support.processes import RunningServer, sqlite_url

# `make test` replays the same examples on every run, so a rare find cannot fail one clone and pass the next;
# `make soak` (HYPOTHESIS_PROFILE=soak) searches at random, longer. A failure prints the blob that reproduces it.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("soak", derandomize=False, print_blob=True, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _running(tmp: Path, database_url: str, **extra_env: str) -> Iterator[RunningServer]:
    with RunningServer(database_url=database_url, extra_env=extra_env, log_path=tmp / "server.log").running() as server:
        yield server


def _in_process(tmp: Path, database_url: str, **extra_env: str) -> Iterator[RunningServer]:
    server = InProcessServer(database_url=database_url, extra_env=extra_env, log_path=tmp / "server.log")
    with server.running():
        yield server


def _on_postgres(tmp: Path, serve: Callable[[Path, str], Iterator[RunningServer]]) -> Iterator[RunningServer]:
    url = create_postgres_database()
    try:
        yield from serve(tmp, url)
    finally:
        drop_postgres_database(url)


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The embedded server on a fresh SQLite file, extensions on, demo data seeded."""
    tmp = tmp_path_factory.mktemp("sqlite-server")
    yield from _running(tmp, sqlite_url(tmp / "contacts.db"))


@pytest.fixture(scope="session")
def pg_api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The embedded server on a fresh database of the machine's PostgreSQL."""
    yield from _on_postgres(tmp_path_factory.mktemp("postgres-server"), _running)


@pytest.fixture(scope="session")
def plain_api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The embedded server in plain-Chatwoot mode: no ETag, no paging, no /events."""
    tmp = tmp_path_factory.mktemp("plain-server")
    yield from _running(tmp, sqlite_url(tmp / "contacts.db"), SERVER_EXTENSIONS="false")


# The same three in this process (tests.support.in_process); the fast tier's folders take these under the names
# above (tests.support.fast_tier, imported by their conftest).


@pytest.fixture(scope="session")
def api_in_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("sqlite-in-process")
    yield from _in_process(tmp, sqlite_url(tmp / "contacts.db"))


@pytest.fixture(scope="session")
def pg_api_in_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    yield from _on_postgres(tmp_path_factory.mktemp("postgres-in-process"), _in_process)


@pytest.fixture(scope="session")
def plain_api_in_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("plain-in-process")
    yield from _in_process(tmp, sqlite_url(tmp / "contacts.db"), SERVER_EXTENSIONS="false")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest) -> RunningServer:
    """The embedded server on each database in turn."""
    name = "api_server" if request.param == "sqlite" else "pg_api_server"
    running: RunningServer = request.getfixturevalue(name)
    return running
