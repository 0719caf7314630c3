"""Sign-in, sign-out, the way back to the page asked for, and kiosk mode."""

from __future__ import annotations

import re
import uuid

from nicegui import app
from nicegui.testing import User

from api.demo import ADMIN
from tests.ui.interaction import act, eventually, landed_on, shown, sign_in, text_of, wait_for


async def test_sign_in_leads_to_the_contacts_with_the_agent_named(visitor: User) -> None:
    await sign_in(visitor, *ADMIN)
    header = await wait_for(visitor, "app-header")
    assert header.props["agent"] == "Alex Admin"
    await eventually(lambda: re.fullmatch(r"\d+ contacts", text_of(visitor, "list-status")))
    assert landed_on(visitor) == "/contacts"


async def test_the_token_stays_on_the_server(visitor: User) -> None:
    await sign_in(visitor, *ADMIN)
    # The storage of the session the browser has now (signing in gave it a new one).
    session_id = visitor.client.request.session["id"]  # type: ignore[union-attr]
    stored = app.storage._users[session_id].get("token")
    assert isinstance(stored, dict) and stored["token"] and stored["client"]
    secrets = (stored["token"], stored["client"])
    assert all(secret not in value for value in visitor.http_client.cookies.values() for secret in secrets)


async def test_a_wrong_password_shows_the_translated_error(visitor: User) -> None:
    await visitor.open("/login")
    act(visitor, await wait_for(visitor, "login-email")).type(f"nobody-{uuid.uuid4().hex[:8]}@acme.test")
    act(visitor, await wait_for(visitor, "login-password")).type("not-the-password")
    act(visitor, await wait_for(visitor, "login-password")).trigger("keydown.enter")
    await wait_for(visitor, "login-error", content="Invalid email or password. Please try again.")
    assert visitor.back_history[-1] == "/login"


async def test_the_sign_in_page_speaks_the_browsers_language(visitor: User) -> None:
    visitor.http_client.headers["Accept-Language"] = "de-DE,de;q=0.9,en;q=0.5"
    await visitor.open("/login")
    await wait_for(visitor, content="Bei Ihrem Konto anmelden")
    act(visitor, await wait_for(visitor, "login-submit")).click()
    await eventually(lambda: "E-Mail" in text_of(visitor, "login-error"))


async def test_no_demo_credentials_outside_demo_mode(visitor: User) -> None:
    await visitor.open("/login")
    assert (await wait_for(visitor, "login-email")).value == ""  # type: ignore[attr-defined]
    assert (await wait_for(visitor, "login-password")).value == ""  # type: ignore[attr-defined]
    assert not shown(visitor, content=ADMIN.password)


async def test_a_page_asks_for_sign_in_and_opens_after_it(visitor: User) -> None:
    await visitor.open("/contacts/1?source=direct")
    await wait_for(visitor, "login-submit")
    assert not shown(visitor, "contact-panel")
    login_page = visitor.client
    act(visitor, await wait_for(visitor, "login-email")).type(ADMIN[0])
    act(visitor, await wait_for(visitor, "login-password")).type(ADMIN[1])
    act(visitor, await wait_for(visitor, "login-submit")).click()
    await eventually(lambda: visitor.client is not login_page)
    assert landed_on(visitor) == "/contacts/1?source=direct"
    await wait_for(visitor, "contact-name", content="Ada Lovelace")


async def test_an_outside_next_target_is_ignored(visitor: User) -> None:
    await sign_in(visitor, *ADMIN, path="/login?next=//evil.example/steal")
    assert landed_on(visitor) == "/contacts"


async def test_a_kiosk_signs_every_visitor_in(kiosk: User) -> None:
    await kiosk.open("/contacts/1")
    await wait_for(kiosk, "contact-name", content="Ada Lovelace")
    await wait_for(kiosk, content="Sam Agent")
    assert not shown(kiosk, "login-submit")


async def test_demo_mode_prefills_the_demo_sign_in(demo_visitor: User) -> None:
    await demo_visitor.open("/login")
    assert (await wait_for(demo_visitor, "login-email")).value == ADMIN.email  # type: ignore[attr-defined]
    assert (await wait_for(demo_visitor, "login-password")).value == ADMIN.password  # type: ignore[attr-defined]
    assert shown(demo_visitor, content=f"Demo account: {ADMIN.email} / {ADMIN.password}")
