"""Sign-in and sign-out as browsers do them: the throttle counts each browser, not the app's own loopback
calls; a session cookie planted before sign-in never becomes the agent's; sign-out revokes the session's
token at the server and cannot be triggered from another site.

The app runs as if behind a reverse proxy on 127.0.0.1 (FORWARDED_ALLOW_IPS, see tests/support/processes.py), so each
browser context here stands for a browser at an address of its own through `X-Forwarded-For`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from api.demo import AGENT
from tests.support.processes import RunningServer
from tests.support.sign_in import submit_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]
TOO_MANY = "Too many sign-in attempts"
INVALID = "Invalid email or password"


async def browser_at(browser: Browser, address: str) -> BrowserContext:
    context = await browser.new_context(extra_http_headers={"X-Forwarded-For": address})
    context.set_default_timeout(10_000)
    return context


async def try_sign_in(context: BrowserContext, app: RunningServer, email: str, password: str) -> None:
    page = context.pages[0] if context.pages else await context.new_page()
    await submit_sign_in(page, app.url, (email, password))


def session_id(cookies: list[Any]) -> str:
    """The NiceGUI session id inside Starlette's signed `session` cookie (base64 JSON, then signature)."""
    value = next(cookie["value"] for cookie in cookies if cookie["name"] == "session")
    payload = value.split(".")[0]
    return str(json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))["id"])


def stored_credentials(app: RunningServer, sid: str) -> dict[str, str]:
    """What the app keeps server-side for a browser (NiceGUI's user storage file of that session)."""
    storage = Path(app.environment()["NICEGUI_STORAGE_PATH"]) / f"storage-user-{sid}.json"
    data = json.loads(storage.read_text()) if storage.exists() else {}
    credentials: dict[str, str] = data.get("token") or {}
    return credentials


def api_status(app: RunningServer, credentials: dict[str, str]) -> int:
    headers = {"access-token": credentials["token"], "client": credentials["client"], "uid": credentials["uid"]}
    return httpx.get(f"{app.url}/api/v1/profile", headers=headers, timeout=10).status_code


async def eventually_stored(app: RunningServer, sid: str) -> dict[str, str]:
    for _ in range(50):
        credentials = stored_credentials(app, sid)
        if credentials:
            return credentials
        await asyncio.sleep(0.1)
    raise AssertionError(f"no credentials stored for session {sid}")


async def test_failed_sign_ins_in_one_browser_do_not_lock_out_another(browser: Browser, app_server: RunningServer):
    """The app's UI signs in over loopback; the throttle must still count each browser's own address."""
    guesser_address, colleague_address = "10.44.0.1", "10.44.0.2"
    # 99 failures from the guesser's address (per-address limit 100), straight at the API as its proxy would.
    for _ in range(99):
        answer = httpx.post(
            f"{app_server.url}/auth/sign_in",
            json={"email": f"ghost-{uuid.uuid4().hex[:8]}@acme.test", "password": "guess"},
            headers={"X-Forwarded-For": guesser_address},
            timeout=10,
        )
        assert answer.status_code == 401, answer.text
    guesser = await browser_at(browser, guesser_address)
    colleague = await browser_at(browser, colleague_address)
    try:
        # The guesser's 100th failure, through the UI, lands on the guesser's address...
        await try_sign_in(guesser, app_server, f"ghost-{uuid.uuid4().hex[:8]}@acme.test", "guess")
        await expect(guesser.pages[0].get_by_test_id("login-error")).to_contain_text(INVALID)
        # ...so the next one is held back there,
        await try_sign_in(guesser, app_server, f"ghost-{uuid.uuid4().hex[:8]}@acme.test", "guess")
        await expect(guesser.pages[0].get_by_test_id("login-error")).to_contain_text(TOO_MANY)
        # while a colleague in another browser signs in as usual.
        await try_sign_in(colleague, app_server, *AGENT)
        await colleague.pages[0].wait_for_url(f"{app_server.url}/contacts")
    finally:
        await guesser.close()
        await colleague.close()


async def test_a_session_cookie_planted_before_sign_in_is_not_signed_in(browser: Browser, app_server: RunningServer):
    attacker = await browser_at(browser, "10.45.0.1")
    victim = await browser_at(browser, "10.45.0.2")
    try:
        page = await attacker.new_page()
        await page.goto(f"{app_server.url}/login")
        planted = [cookie for cookie in await attacker.cookies() if cookie["name"] == "session"]
        assert planted
        await victim.add_cookies(planted)  # type: ignore[arg-type]

        await try_sign_in(victim, app_server, *AGENT)
        await victim.pages[0].wait_for_url(f"{app_server.url}/contacts")
        await expect(victim.pages[0].get_by_text("Sam Agent")).to_be_visible()
        assert session_id(await victim.cookies()) != session_id(planted)

        # The attacker's copy of the old cookie is still not signed in.
        await page.goto(f"{app_server.url}/contacts")
        await page.wait_for_url(f"{app_server.url}/login?next=/contacts")
        assert stored_credentials(app_server, session_id(planted)) == {}
    finally:
        await attacker.close()
        await victim.close()


async def test_sign_out_revokes_the_sessions_token(browser: Browser, app_server: RunningServer):
    agent = await browser_at(browser, "10.46.0.1")
    try:
        await try_sign_in(agent, app_server, *AGENT)
        page = agent.pages[0]
        await page.wait_for_url(f"{app_server.url}/contacts")
        credentials = await eventually_stored(app_server, session_id(await agent.cookies()))
        assert credentials["client"], "each browser's sign-in gets a token of its own"
        assert api_status(app_server, credentials) == 200

        await page.get_by_test_id("sign-out").click()
        await page.wait_for_url(f"{app_server.url}/login")
        assert api_status(app_server, credentials) == 401
        await page.goto(f"{app_server.url}/contacts")
        await page.wait_for_url(f"{app_server.url}/login?next=/contacts")
    finally:
        await agent.close()


async def test_another_site_cannot_sign_an_agent_out(browser: Browser, app_server: RunningServer):
    agent = await browser_at(browser, "10.47.0.1")
    try:
        await try_sign_in(agent, app_server, *AGENT)
        page = agent.pages[0]
        await page.wait_for_url(f"{app_server.url}/contacts")
        credentials = await eventually_stored(app_server, session_id(await agent.cookies()))

        # A link or image elsewhere: GET /logout signs nobody out.
        answer = await agent.request.get(f"{app_server.url}/logout", max_redirects=0)
        assert answer.status in {404, 405}
        # A form on another site posting to /logout (its Origin is not the app's).
        evil = await agent.new_page()
        await evil.set_content(
            f'<form id="f" method="post" action="{app_server.url}/logout"></form>'
            "<script>document.getElementById('f').submit()</script>"
        )
        await evil.wait_for_load_state()
        await evil.close()

        await page.goto(f"{app_server.url}/contacts")
        await expect(page.get_by_text("Sam Agent")).to_be_visible()
        assert api_status(app_server, credentials) == 200
    finally:
        await agent.close()
