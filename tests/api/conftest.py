"""Fixtures for the HTTP tests: one httpx client per test, and the demo agents' views of an account.

The fast tier: the servers here are in this process (tests.support.fast_tier), reached without a socket.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.account_api import TIMEOUT, TLS, AccountApi
from tests.support import in_process
from tests.support.fast_tier import api_server, pg_api_server, plain_api_server  # noqa: F401 - in process here
from tests.support.processes import RunningServer


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    """A client for this test only, so a connection a failing test left broken is never reused."""
    with in_process.client(timeout=TIMEOUT, verify=TLS) as client:
        yield client


@pytest.fixture
def admin_api(server: RunningServer, http: httpx.Client) -> AccountApi:
    """The administrator of account 1 (Acme Support)."""
    return AccountApi.of(http, server, "admin")


@pytest.fixture
def agent_api(server: RunningServer, http: httpx.Client) -> AccountApi:
    """The agent (not an administrator) of account 1."""
    return AccountApi.of(http, server, "agent")


@pytest.fixture
def other_admin_api(server: RunningServer, http: httpx.Client) -> AccountApi:
    """The administrator of account 2 (Globex Help), in account 2."""
    return AccountApi.of(http, server, "other_admin")
