"""Fixtures of the browser tests: the app as a real process, one Chromium, and signed-in agents.

The tests use Playwright's async API on a session-wide event loop: the sync API leaves an
event loop marked as running between its calls, which would break the suite's asyncio tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Dialog, StorageState, expect

from api.demo import ADMIN
from tests.browser.agents import Agent, OpenAgent
from tests.browser.app_pages import switch_to_dark
from tests.support.chromium import chromium
from tests.support.processes import RunningServer
from tests.support.sign_in import sign_in_page

TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`main.py` in embedded mode with demo data, on a free port."""
    with RunningServer.in_directory(tmp_path_factory.mktemp("browser-app"), module="main").running() as app:
        yield app


@pytest_asyncio.fixture(loop_scope="session")
async def api(app_server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    """The embedded API of the app under test, as the admin, for setup and for checking what was saved."""
    base_url = f"{app_server.url}/api/v1/accounts/1"
    async with httpx.AsyncClient(base_url=base_url, headers=app_server.admin.headers, timeout=10) as client:
        yield client


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def signed_in_states() -> dict[str, Any]:
    """Cookies of a browser that signed in through `/login`, per email, so later contexts skip the form."""
    return {}


@pytest_asyncio.fixture(loop_scope="session")
async def open_agent(
    browser: Browser, app_server: RunningServer, signed_in_states: dict[str, Any]
) -> AsyncIterator[OpenAgent]:
    """Opens a signed-in agent in a browser context of its own; fails the test on uncaught page errors.

    The first context of each agent signs in through the real sign-in page; later ones reuse its
    cookie (the server keeps the token, and one agent's tabs share one session on the server anyway).
    """
    agents: list[Agent] = []

    async def open_one(credentials: tuple[str, str] = ADMIN, **context_options: Any) -> Agent:
        email = credentials[0]
        context_options.setdefault("viewport", {"width": 1280, "height": 1000})
        if email in signed_in_states:
            context_options.setdefault("storage_state", signed_in_states[email])
        context = await browser.new_context(**context_options)
        context.set_default_timeout(TIMEOUT_MS)
        page = await context.new_page()
        agent = Agent(context=context, page=page)

        async def on_dialog(dialog: Dialog) -> None:
            agent.dialogs.append(f"{dialog.type}: {dialog.message}")
            await dialog.dismiss()

        page.on("pageerror", lambda error: agent.page_errors.append(str(error)))
        page.on("dialog", on_dialog)
        agents.append(agent)
        if "storage_state" not in context_options:
            await sign_in_page(page, app_server.url, credentials)
            signed_in_states[email] = await context.storage_state()
        return agent

    yield open_one
    for agent in agents:
        await agent.context.close()
    errors = [error for agent in agents for error in agent.page_errors]
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def dark_sign_in(browser: Browser, app_server: RunningServer) -> StorageState:
    """Cookies of a browser that chose the dark theme and then signed in: a session of its own, so that the
    choice reaches no other test (the other browser tests share one sign-in)."""
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.goto(f"{app_server.url}/login")
        await switch_to_dark(page)
        await sign_in_page(page, app_server.url)
        await expect(page.locator("body.body--dark")).to_be_attached()
        return await context.storage_state()
    finally:
        await context.close()
