"""Two agents in two browsers on one app: an edit by one appears on the other's page; a delete too."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import expect

from api.demo import ADMIN, AGENT
from tests.support.chromium import chromium
from tests.support.processes import RunningServer
from tests.support.sign_in import signed_in_page

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with RunningServer.in_directory(tmp_path_factory.mktemp("live-pages"), module="main").running() as process:
        yield process


async def test_an_edit_by_one_agent_appears_on_the_other_agents_page(app: RunningServer) -> None:
    created = app.create_contact(name="Seen By Two", email="two-agents@example.com")
    async with chromium() as browser:
        editor = await signed_in_page(browser, app.url, ADMIN)
        watcher = await signed_in_page(browser, app.url, AGENT)
        for page in (editor, watcher):
            await page.goto(f"{app.url}/contacts/{created['id']}")
            await expect(page.get_by_test_id("contact-name")).to_have_text("Seen By Two")
        await editor.get_by_test_id("edit-contact").click()
        name = editor.get_by_test_id("field-name")
        await name.fill("Edited In Browser A")
        await editor.get_by_test_id("edit-save").click()
        await expect(editor.get_by_test_id("contact-name")).to_have_text("Edited In Browser A")
        await expect(watcher.get_by_test_id("contact-name")).to_have_text("Edited In Browser A", timeout=10_000)
        timeline = watcher.get_by_test_id("activity-timeline")
        await expect(timeline).to_contain_text("Edited In Browser A", timeout=10_000)


async def test_a_delete_puts_the_other_agents_page_in_the_deleted_state(app: RunningServer) -> None:
    created = app.create_contact(name="About To Go", email="about-to-go@example.com")
    async with chromium() as browser:
        watcher = await signed_in_page(browser, app.url, AGENT)
        await watcher.goto(f"{app.url}/contacts/{created['id']}")
        await expect(watcher.get_by_test_id("contact-name")).to_have_text("About To Go")
        await expect(watcher.get_by_test_id("edit-contact")).to_be_visible()
        answer = httpx.delete(f"{app.url}/api/v1/accounts/1/contacts/{created['id']}", headers=app.admin.headers)
        assert answer.status_code == 200
        await expect(watcher.get_by_test_id("deleted-state")).to_be_visible(timeout=10_000)
        await expect(watcher.get_by_test_id("edit-contact")).to_be_hidden()
