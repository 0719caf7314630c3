"""The fast tier's servers: imported by a tier's conftest, these make its `api_server`, `pg_api_server` and
`plain_api_server` (and so `server`) the embedded server in this process (`tests.support.in_process`) instead of
a child process. `make test-fast` runs those tiers, leaving out what is marked `process` or `postgres`.
"""

from __future__ import annotations

import pytest

from tests.support.processes import RunningServer


@pytest.fixture(scope="session")
def api_server(api_in_process: RunningServer) -> RunningServer:
    """The embedded server on SQLite, extensions on: in this process."""
    return api_in_process


@pytest.fixture(scope="session")
def pg_api_server(pg_api_in_process: RunningServer) -> RunningServer:
    """The same on the machine's PostgreSQL: in this process."""
    return pg_api_in_process


@pytest.fixture(scope="session")
def plain_api_server(plain_api_in_process: RunningServer) -> RunningServer:
    """The same in plain-Chatwoot mode: in this process."""
    return plain_api_in_process
