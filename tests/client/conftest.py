"""Clients and stores against the embedded server, in this process (tests.support.fast_tier)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from api.client import ChatwootClient
from tests.support.fast_tier import api_server, pg_api_server, plain_api_server  # noqa: F401 - in process here
from tests.support.processes import RunningServer


@pytest.fixture
async def connect() -> AsyncIterator[Callable[[RunningServer, str], ChatwootClient]]:
    """Make clients for agents of a server (or a URL in front of it); all closed after the test."""
    clients: list[ChatwootClient] = []

    def make(server: RunningServer, who: str = "admin", url: str | None = None) -> ChatwootClient:
        signed_in = getattr(server, who)
        client = ChatwootClient(
            url or server.url,
            token=signed_in.token,
            account_id=signed_in.account_id,
            transport=None if url else server.async_transport(),
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()
