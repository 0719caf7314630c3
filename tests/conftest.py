"""Shared fixtures: the embedded server on SQLite, PostgreSQL, and in plain-Chatwoot mode: a child process, or in
this process for the fast tier (tests/api, tests/client)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.support.in_process import InProcessServer, fresh_server
from tests.support.processes import RunningServer

# `make test` replays the same examples on every run, so a rare find cannot fail one clone and pass the next;
# `make soak` (HYPOTHESIS_PROFILE=soak) searches at random, longer. A failure prints the blob that reproduces it.
# Neither times the examples: on a shared machine a process may wait a second for a core, and Hypothesis would
# fail an example over its 200 ms deadline, or the drawing of inputs as "too slow", on one run and not the next.
UNTIMED: dict[str, Any] = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", derandomize=True, print_blob=True, **UNTIMED)
settings.register_profile("soak", derandomize=False, print_blob=True, max_examples=1000, **UNTIMED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def session_server(name: str, kind: type[RunningServer], doc: str, database: str = "sqlite", **env: str) -> Any:
    """A session fixture `name`: `kind` of server with the demo data on a fresh database of its own."""

    def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
        with fresh_server(kind, tmp_path_factory.mktemp(name), database, **env) as running:
            yield running

    serve.__doc__ = doc
    return pytest.fixture(scope="session", name=name)(serve)


PLAIN = {"SERVER_EXTENSIONS": "false"}  # plain-Chatwoot mode: no ETag, no paging, no /events

# The embedded server as a child process (tests.support.processes)...
api_server = session_server("api_server", RunningServer, "The embedded server on SQLite, extensions on.")
pg_api_server = session_server("pg_api_server", RunningServer, "The same on the machine's PostgreSQL.", "postgres")
plain_api_server = session_server("plain_api_server", RunningServer, "The same in plain-Chatwoot mode.", **PLAIN)
# ...and in this process (tests.support.in_process): the fast tier's folders take these under the names above
# (tests.support.fast_tier, imported by their conftest).
api_in_process = session_server("api_in_process", InProcessServer, "`api_server`, in this process.")
pg_api_in_process = session_server("pg_api_in_process", InProcessServer, "`pg_api_server`, in process.", "postgres")
plain_api_in_process = session_server("plain_api_in_process", InProcessServer, "The plain one, in process.", **PLAIN)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest) -> RunningServer:
    """The embedded server on each database in turn."""
    name = "api_server" if request.param == "sqlite" else "pg_api_server"
    running: RunningServer = request.getfixturevalue(name)
    return running
