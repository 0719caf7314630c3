"""A save whose answer is late, in the browser: shown as slow, then settled by asking the server.

The app runs with a 3 s timeout for writes (`API_WRITE_TIMEOUT`), and the test holds the app's SQLite database
busy from a second connection (`BEGIN IMMEDIATE`) for longer than that, so the server's write waits on
its busy timeout while the UI stops waiting for the answer: the issue's 22 s against 15 s, shortened.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

API_WRITE_TIMEOUT = 3.0
SAVED = "Contact updated successfully"
STILL_SAVING = "Still saving"
NOT_SAVED = "not saved"


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`main.py` as in the other browser tests, but giving up waiting for the answer to a write after 3 s."""
    directory = tmp_path_factory.mktemp("save-outcome-app")
    timeout = {"API_WRITE_TIMEOUT": str(API_WRITE_TIMEOUT)}
    with RunningServer.in_directory(directory, module="main", **timeout).running() as app:
        yield app


@pytest.fixture(scope="module")
def signed_in_states() -> dict[str, Any]:
    """This module's app has its own sessions: cookies of the other app would not sign in here."""
    return {}


async def stored(api: httpx.AsyncClient, contact_id: int) -> dict[str, Any]:
    contact: dict[str, Any] = (await api.get(f"/contacts/{contact_id}")).raise_for_status().json()["payload"]
    return contact


async def name_updates(api: httpx.AsyncClient, contact_id: int) -> list[Any]:
    events = (await api.get(f"/contacts/{contact_id}/events")).raise_for_status().json()["payload"]
    return [e["new_value"] for e in events if e["kind"] == "updated" and e["field"] == "name"]


async def save_name_while_the_database_is_busy(view: ContactPage, name: str) -> float:
    """Edit the name and click Save; returns when the click happened. The caller holds the database."""
    await view.open_edit_form()
    await view.field("name").fill(name)
    await expect(view.save_button).to_be_enabled()
    clicked = time.monotonic()
    await view.save_button.click()
    return clicked


async def shows_still_saving_and_nothing_else(view: ContactPage, name: str) -> None:
    """Slow is shown as slow: the new value, "Still saving...", no toast, no error, no Retry."""
    await expect(view.testid("save-slow")).to_contain_text(STILL_SAVING)
    await expect(view.name).to_have_text(name)
    await expect(view.page.locator(".q-notification")).to_have_count(0)
    await expect(view.testid("save-error")).to_be_hidden()
    await expect(view.testid("retry-save")).to_be_hidden()


async def test_a_save_the_server_commits_late_shows_still_saving_then_saved(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Slow Save Case")
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])

    with app_server.database_held():
        clicked = await save_name_while_the_database_is_busy(view, "Slow Save Case, saved late")
        await shows_still_saving_and_nothing_else(view, "Slow Save Case, saved late")
        # Past the UI's timeout, the database still busy: the answer is lost, and the outcome unknown.
        await asyncio.sleep(max(0.0, clicked + API_WRITE_TIMEOUT + 1.0 - time.monotonic()))
        await shows_still_saving_and_nothing_else(view, "Slow Save Case, saved late")
    # The database is free: the server commits the waiting write, and the page learns it from the server.

    await expect(view.toast(SAVED)).to_be_visible()
    await expect(view.name).to_have_text("Slow Save Case, saved late")
    await expect(view.testid("save-slow")).to_be_hidden()
    await expect(view.testid("save-error")).to_be_hidden()
    await expect(view.testid("retry-save")).to_be_hidden()
    await expect(view.page.locator(".q-notification").filter(has_text="Could not")).to_have_count(0)
    assert (await stored(api, contact["id"]))["name"] == "Slow Save Case, saved late"
    assert await name_updates(api, contact["id"]) == ["Slow Save Case, saved late"]


async def test_a_save_the_server_never_commits_rolls_back_and_keeps_the_draft_for_retry(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Refused Save Case")
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])

    with app_server.database_held() as database:
        # Another writer's change is committed first, so the save's If-Match no longer holds: the server refuses it.
        database.execute(
            "UPDATE contacts SET identifier = ?, version = version + 1 WHERE id = ?",
            (f"crm-{contact['id']}", contact["id"]),
        )
        clicked = await save_name_while_the_database_is_busy(view, "Refused Save Case, typed")
        await shows_still_saving_and_nothing_else(view, "Refused Save Case, typed")
        await asyncio.sleep(max(0.0, clicked + API_WRITE_TIMEOUT + 1.0 - time.monotonic()))
        await shows_still_saving_and_nothing_else(view, "Refused Save Case, typed")

    banner = view.testid("save-error")
    await expect(banner).to_be_visible()
    await expect(banner).to_contain_text(NOT_SAVED)
    await expect(view.name).to_have_text("Refused Save Case")  # rolled back
    await expect(view.testid("save-slow")).to_be_hidden()
    await expect(view.toast(SAVED)).to_have_count(0)
    assert (await stored(api, contact["id"]))["name"] == "Refused Save Case"

    # The draft is kept (the banner offers it back), and Retry sends it: once, and saved this time.
    await expect(view.testid("edit-again")).to_be_visible()
    await view.testid("retry-save").click()
    await expect(view.toast(SAVED)).to_be_visible()
    await expect(view.name).to_have_text("Refused Save Case, typed")
    await expect(view.testid("save-error")).to_be_hidden()
    saved = await stored(api, contact["id"])
    assert saved["name"] == "Refused Save Case, typed" and saved["identifier"] == f"crm-{contact['id']}"
    assert await name_updates(api, contact["id"]) == ["Refused Save Case, typed"]
