"""`GET /api/health`: 503 while the server migrates and seeds, 200 once it serves (tests, bench, deploys wait on it)."""

from __future__ import annotations

from pathlib import Path

import httpx

from api.protocol import HEALTH_PATH
from api.settings import Settings
from server.app import embedded_app
from server.runtime import ServerRuntime
from tests.support.processes import RunningServer, sqlite_url


def test_a_started_server_says_it_is_ready(server: RunningServer, http: httpx.Client) -> None:
    answer = http.get(f"{server.url}{HEALTH_PATH}")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"status": "ready", "migrations": "done"}


async def test_a_server_says_starting_until_migrated_and_seeded(tmp_path: Path) -> None:
    settings = Settings(database_url=sqlite_url(tmp_path / "contacts.db"), analytics_sink="", redis_url=None)
    runtime = ServerRuntime.from_settings(settings)
    transport = httpx.ASGITransport(app=embedded_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://health.test") as client:
        starting = await client.get(HEALTH_PATH)
        assert starting.status_code == 503
        assert starting.json() == {"status": "starting", "migrations": "pending"}
        await runtime.start()
        try:
            ready = await client.get(HEALTH_PATH)
        finally:
            await runtime.stop()
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "migrations": "done"}
