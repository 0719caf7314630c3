"""The API server restarted while a page is open: the bridge reconnects and a change made meanwhile shows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from playwright.async_api import expect

from api.demo import AGENT
from tests.support.chromium import chromium
from tests.support.processes import RunningServer
from tests.support.sign_in import signed_in_page

pytestmark = [pytest.mark.browser]


async def test_change_made_while_the_server_was_down_reaches_the_open_page(tmp_path: Path) -> None:
    server = RunningServer.in_directory(tmp_path, module="server").start()
    database = tmp_path / "contacts.db"
    app = RunningServer.in_directory(tmp_path, module="main", CHATWOOT_URL=server.url, CHATWOOT_ACCOUNT_ID="1")
    try:
        created = server.create_contact(name="Before The Outage")
        app.start()
        async with chromium() as browser:
            page = await signed_in_page(browser, app.url, AGENT)
            await page.goto(f"{app.url}/contacts/{created['id']}")
            await expect(page.get_by_test_id("contact-name")).to_have_text("Before The Outage")
            await expect(page.get_by_test_id("live-status")).to_have_text("wifi")
            server.stop()
            await expect(page.get_by_test_id("live-status")).to_have_text("wifi_off", timeout=20_000)
            # The change is made while the server (and so its websocket) is down: straight into the database.
            with sqlite3.connect(database) as connection:
                connection.execute(
                    "UPDATE contacts SET name = ?, version = version + 1 WHERE id = ?",
                    ("Changed During The Outage", created["id"]),
                )
            server.start()
            await expect(page.get_by_test_id("contact-name")).to_have_text("Changed During The Outage", timeout=30_000)
            await expect(page.get_by_test_id("live-status")).to_have_text("wifi", timeout=10_000)
    finally:
        app.stop()
        server.stop()
