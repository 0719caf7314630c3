"""Shared fixtures: the embedded server on SQLite, PostgreSQL, and in plain-Chatwoot mode: a child process, or in
this process for the fast tier (tests/api, tests/client)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from tests.support.in_process import InProcessServer, fresh_server
from tests.support.processes import RunningServer

# `make test` replays the same examples on every run, so a rare find cannot fail one clone and pass the next;
# `make soak` (HYPOTHESIS_PROFILE=soak) searches at random, longer. A failure prints the blob that reproduces it.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("soak", derandomize=False, print_blob=True, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The embedded server on a fresh SQLite file, extensions on, demo data seeded."""
    with fresh_server(RunningServer, tmp_path_factory.mktemp("sqlite-server")) as running:
        yield running


@pytest.fixture(scope="session")
def pg_api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The embedded server on a fresh database of the machine's PostgreSQL."""
    with fresh_server(RunningServer, tmp_path_factory.mktemp("postgres-server"), "postgres") as running:
        yield running


@pytest.fixture(scope="session")
def plain_api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The embedded server in plain-Chatwoot mode: no ETag, no paging, no /events."""
    with fresh_server(RunningServer, tmp_path_factory.mktemp("plain-server"), SERVER_EXTENSIONS="false") as running:
        yield running


# The same three in this process (tests.support.in_process); the fast tier's folders take these under the names
# above (tests.support.fast_tier, imported by their conftest).


@pytest.fixture(scope="session")
def api_in_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with fresh_server(InProcessServer, tmp_path_factory.mktemp("sqlite-in-process")) as running:
        yield running


@pytest.fixture(scope="session")
def pg_api_in_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with fresh_server(InProcessServer, tmp_path_factory.mktemp("postgres-in-process"), "postgres") as running:
        yield running


@pytest.fixture(scope="session")
def plain_api_in_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    directory = tmp_path_factory.mktemp("plain-in-process")
    with fresh_server(InProcessServer, directory, SERVER_EXTENSIONS="false") as running:
        yield running


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest) -> RunningServer:
    """The embedded server on each database in turn."""
    name = "api_server" if request.param == "sqlite" else "pg_api_server"
    running: RunningServer = request.getfixturevalue(name)
    return running
