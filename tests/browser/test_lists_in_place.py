"""Open list pages apply remote renames and deletions in place, with no request to the server for them.

The app runs with uvicorn's access log on (`access_logged_main`), so the test counts the requests
the server answered: the only ones after the page is loaded must be the test's own changes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from api.demo import ADMIN
from tests.support.processes import RunningServer
from tests.support.sign_in import sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

LIVE_TIMEOUT_MS = 10_000
API_REQUEST = re.compile(r'"(GET|POST|PUT|PATCH|DELETE) (/api/v1/[^ ]*) HTTP/1\.1" \d+')


@pytest.fixture(scope="module")
def logged_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The app with uvicorn's access log in its log file."""
    directory = tmp_path_factory.mktemp("lists-app")
    with RunningServer.in_directory(directory, module="tests.browser.access_logged_main").running() as app:
        yield app


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser, logged_app: RunningServer) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 1000})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await sign_in_page(page, logged_app.url, ADMIN)
    yield page
    await context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def api_requests(app: RunningServer) -> list[tuple[str, str]]:
    """Every API request the server has answered so far (method, path with query)."""
    assert app.log_path is not None
    text = Path(app.log_path).read_text(errors="replace")
    return [(match.group(1), match.group(2)) for match in API_REQUEST.finditer(text)]


async def quiet_requests(app: RunningServer, page: Page) -> int:
    """Wait until the page has stopped asking the server; the number of requests answered so far."""
    count = -1
    while (now := len(api_requests(app))) != count:
        count = now
        await page.wait_for_timeout(500)
    return count


async def test_the_contacts_list_applies_a_rename_and_a_delete_without_requests(
    logged_app: RunningServer, page: Page
) -> None:
    word = f"listed{uuid.uuid4().hex[:8]}"
    renamed_one = logged_app.create_contact(name=f"Rename me {word}")
    deleted_one = logged_app.create_contact(name=f"Delete me {word}")
    headers = logged_app.admin.headers
    await page.goto(f"{logged_app.url}/contacts?q={word}")
    status = page.locator("[data-testid=list-status]")
    await expect(status).to_have_text("2 contacts")
    row = page.locator(f"[data-testid=contact-row-{renamed_one['id']}]")
    await expect(row).to_have_text(f"Rename me {word}")
    # An expando on the row's DOM element survives only if the row is updated, not rebuilt.
    await row.evaluate("element => { element.closest('tr').dataset.probe = 'kept'; }")
    table_id = await page.locator("[data-testid=contacts-table]").get_attribute("id")
    before = await quiet_requests(logged_app, page)

    async with httpx.AsyncClient(base_url=f"{logged_app.url}/api/v1/accounts/1", headers=headers) as api:
        (await api.put(f"/contacts/{renamed_one['id']}", json={"name": f"Renamed {word}"})).raise_for_status()
        await expect(row).to_have_text(f"Renamed {word}", timeout=LIVE_TIMEOUT_MS)
        (await api.delete(f"/contacts/{deleted_one['id']}")).raise_for_status()
    await expect(page.locator(f"[data-testid=contact-row-{deleted_one['id']}]")).to_have_count(0)
    await expect(status).to_have_text("1 contact")

    assert await row.evaluate("element => element.closest('tr').dataset.probe") == "kept"
    assert await page.locator("[data-testid=contacts-table]").get_attribute("id") == table_id
    await quiet_requests(logged_app, page)
    assert api_requests(logged_app)[before:] == [
        ("PUT", f"/api/v1/accounts/1/contacts/{renamed_one['id']}"),
        ("DELETE", f"/api/v1/accounts/1/contacts/{deleted_one['id']}"),
    ]


async def test_the_conversations_list_applies_a_rename_without_requests(logged_app: RunningServer, page: Page) -> None:
    headers = logged_app.admin.headers
    async with httpx.AsyncClient(base_url=f"{logged_app.url}/api/v1/accounts/1", headers=headers) as api:
        listing = (await api.get("/conversations")).raise_for_status().json()["data"]["payload"]
        conversation = listing[0]
        sender = conversation["meta"]["sender"]
        await page.goto(f"{logged_app.url}/conversations")
        name = page.locator(f"[data-testid=conversation-sender-{conversation['id']}]")
        await expect(name).to_have_text(sender["name"])
        name_id = await name.get_attribute("id")
        before = await quiet_requests(logged_app, page)

        renamed = f"Renamed {uuid.uuid4().hex[:8]}"
        (await api.put(f"/contacts/{sender['id']}", json={"name": renamed})).raise_for_status()
        await expect(name).to_have_text(renamed, timeout=LIVE_TIMEOUT_MS)

    assert await name.get_attribute("id") == name_id
    await quiet_requests(logged_app, page)
    assert api_requests(logged_app)[before:] == [("PUT", f"/api/v1/accounts/1/contacts/{sender['id']}")]
