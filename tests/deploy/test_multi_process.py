"""Two app processes on the machine's PostgreSQL and Redis: an edit through A appears on a page served by B."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect

from api.demo import AGENT
from tests.support.chromium import chromium
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.processes import RunningServer
from tests.support.sign_in import signed_in_page

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.browser]


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[tuple[RunningServer, RunningServer]]:
    database = create_postgres_database()
    env = {"NICEGUI_STORAGE_PATH": str(tmp_path / "nicegui"), "REDIS_URL": "redis://127.0.0.1:6379/0"}
    first = RunningServer(database_url=database, module="main", extra_env=env, log_path=tmp_path / "a.log")
    second = RunningServer(database_url=database, module="main", extra_env=env, log_path=tmp_path / "b.log")
    try:
        first.start()
        second.start()
        yield first, second
    finally:
        first.stop()
        second.stop()
        drop_postgres_database(database)


async def test_edit_through_one_process_appears_on_a_page_of_the_other(two_processes) -> None:
    first, second = two_processes
    created = first.create_contact(name="Shared Across Processes", email="multi@example.com")
    async with chromium() as browser:
        page = await signed_in_page(browser, second.url, AGENT)
        await page.goto(f"{second.url}/contacts/{created['id']}")
        await expect(page.get_by_test_id("contact-name")).to_have_text("Shared Across Processes")
        answer = httpx.put(
            f"{first.url}/api/v1/accounts/1/contacts/{created['id']}",
            json={"name": "Renamed Through A"},
            headers=first.admin.headers,
        )
        assert answer.status_code == 200
        await expect(page.get_by_test_id("contact-name")).to_have_text("Renamed Through A", timeout=10_000)
