"""What a test does in the simulated browser: sign in, find what is on screen, wait for pushed updates.

NiceGUI keeps a closed dialog's elements in the page, and `User.should_see` finds them;
the lookups here treat everything inside a closed dialog as not shown.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from nicegui import ElementFilter, app, ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from components.activity_entries import ActivityEntries, Entry
from components.attribute_list import AttributeItem, AttributeList
from components.fact_list import FactList
from tests.support.processes import RunningServer

E = TypeVar("E", bound=ui.element)
STEP = 0.05
PUSHED = 200  # retries (of STEP seconds) for what arrives from the server or the websocket
# One client for the tests' own calls to the server: a new one each time costs a TLS context.
HTTP = httpx.Client(timeout=10)


def on_screen(element: ui.element) -> bool:
    """Visible, with no hidden ancestor and not inside a closed dialog."""
    for item in (element, *element.ancestors()):
        if not item.visible or (isinstance(item, ui.dialog) and not item.value):
            return False
    return True


def shown(user: User, marker: str | None = None, *, content: str | None = None, kind: type[E] | None = None) -> list[E]:
    """The elements on screen matching marker, content and kind, in page order."""
    assert user.client is not None, "open a page first"
    with user.client:
        found = ElementFilter(kind=kind or ui.element, marker=marker, content=content, local_scope=False)
        return sorted((e for e in found if on_screen(e)), key=lambda e: e.id)  # type: ignore[misc]


async def wait_for(
    user: User,
    marker: str | None = None,
    *,
    content: str | None = None,
    kind: type[E] | None = None,
    retries: int = PUSHED,
) -> E:
    """The first element on screen matching; waits for it to appear."""
    for _ in range(retries):
        if user.client is not None:
            found = shown(user, marker, content=content, kind=kind)
            if found:
                return found[0]
        await asyncio.sleep(STEP)
    page = user.client.layout if user.client else "no page"
    raise AssertionError(f"nothing on screen with {marker=} {content=} {kind=}:\n{page}")


async def wait_gone(
    user: User, marker: str | None = None, *, content: str | None = None, retries: int = PUSHED
) -> None:
    """Wait until nothing on screen matches."""
    for _ in range(retries):
        if not shown(user, marker, content=content):
            return
        await asyncio.sleep(STEP)
    raise AssertionError(f"still on screen: {marker=} {content=}:\n{user.client.layout if user.client else ''}")


def timeline_entries(user: User) -> list[Entry]:
    """The activity timeline's entries on screen, newest first (one element draws them all)."""
    found = shown(user, "activity-timeline", kind=ActivityEntries)
    return list(found[0].entries) if found else []


async def wait_for_entry(user: User, kind: str, retries: int = PUSHED) -> Entry:
    """The newest timeline entry of this kind (`note_added`, `updated`, ...); waits for it to appear."""
    for _ in range(retries):
        entry = next((entry for entry in timeline_entries(user) if entry["kind"] == kind), None)
        if entry is not None:
            return entry
        await asyncio.sleep(STEP)
    raise AssertionError(f"no {kind} entry in the timeline: {timeline_entries(user)}")


def attribute_rows(user: User) -> dict[str, AttributeItem]:
    """The custom attribute rows on screen by key, in order (one element draws them all)."""
    found = shown(user, "attributes", kind=AttributeList)
    return {row["key"]: row for row in found[0].rows} if found else {}


def fact_texts(user: User) -> dict[str, str]:
    """The facts (identifier, city, country, description) and dates the basic info shows, by key."""
    found = shown(user, "contact-facts", kind=FactList)
    if not found:
        return {}
    return {item["key"]: item["text"] for item in [*found[0].facts, *found[0].stamps]}


def attribute_text(user: User, key: str) -> str | None:
    """What an attribute's row shows as its value; None while it shows none ("Not set", or no such row)."""
    row = attribute_rows(user).get(key)
    return row["text"] if row is not None and row["shown"] != "unset" else None


async def wait_for_attribute(user: User, key: str, content: str | None = None) -> AttributeItem:
    """An attribute's row once it shows a value (containing `content`, if given); waits for it."""

    def ready() -> AttributeItem | None:
        row = attribute_rows(user).get(key)
        text = attribute_text(user, key)
        return row if text is not None and (content is None or content in text) else None

    found: AttributeItem = await eventually(ready, message=f"no {key} showing {content!r}: {attribute_rows(user)}")
    return found


async def edit_attribute(user: User, key: str) -> None:
    """Use an attribute's pencil (it must be shown: the row editable, no save under way)."""
    await eventually(
        lambda: (row := attribute_rows(user).get(key)) is not None and row["editable"],
        message=f"no pencil on {key}: {attribute_rows(user)}",
    )
    act(user, shown(user, "attributes", kind=AttributeList)[0]).trigger("edit", key)


async def eventually(condition: Callable[[], Any], retries: int = PUSHED, message: str = "") -> Any:
    """Wait until `condition()` is truthy; returns its value."""
    for _ in range(retries):
        value = condition()
        if value:
            return value
        await asyncio.sleep(STEP)
    raise AssertionError(message or f"condition never held: {condition}")


async def choose_language(user: User, code: str) -> None:
    """Pick the page's language; waits for the page to come back in it."""
    page = user.client
    select = await wait_for(user, "language", kind=ui.select)
    with user:
        select.value = code
    await eventually(lambda: user.client is not page)


async def toasted(user: User, text: str, retries: int = PUSHED) -> None:
    """Wait for a notification containing `text`."""
    await eventually(lambda: user.notify.contains(text), retries, f"no notification {text!r} in {user.notify.messages}")


def act(user: User, element: E) -> UserInteraction[E]:
    """Interact with exactly this element (click, type, trigger)."""
    return UserInteraction(user, {element}, None)


async def click(user: User, marker: str, *, content: str | None = None) -> None:
    act(user, await wait_for(user, marker, content=content)).click()


def text_of(user: User, marker: str) -> str:
    """The text of the one element on screen with this marker."""
    found = shown(user, marker)
    assert len(found) == 1, f"{len(found)} elements on screen with marker {marker}"
    element = found[0]
    return str(getattr(element, "text", None) or element.props.get("text") or "")


async def sign_in(user: User, email: str, password: str, path: str = "/login") -> None:
    """Sign in through the sign-in page, then wait until the page it leads to is open."""
    await user.open(path)
    login_client = user.client
    act(user, await wait_for(user, "login-email")).type(email)
    act(user, await wait_for(user, "login-password")).type(password)
    act(user, await wait_for(user, "login-submit")).click()
    await eventually(lambda: user.client is not login_client, message="the sign-in did not leave the sign-in page")


def landed_on(user: User) -> str:
    """The path (and query) of the page the browser shows now, after any redirect."""
    url = user.client.request.url  # type: ignore[union-attr]
    return url.path + (f"?{url.query}" if url.query else "")


async def resume_session(user: User, token: str) -> None:
    """Be signed in with an agent's token, as a browser is after the sign-in page (which test_sign_in tests).

    The token goes where the sign-in page puts it, the user's server-side storage; this
    skips the password hashing and the contacts list a real sign-in costs.
    """
    await user.open("/login")
    with user.client:  # type: ignore[union-attr]
        app.storage.user["token"] = token


def server_contact(server: RunningServer, contact_id: int) -> dict[str, Any]:
    """The contact as the server has it now (read as the administrator)."""
    answer = HTTP.get(f"{server.url}/api/v1/accounts/1/contacts/{contact_id}", headers=server.admin.headers)
    answer.raise_for_status()
    contact: dict[str, Any] = answer.json()["payload"]
    return contact


def server_events(server: RunningServer, contact_id: int) -> list[dict[str, Any]]:
    """The contact's activity trail on the server, newest first."""
    answer = HTTP.get(f"{server.url}/api/v1/accounts/1/contacts/{contact_id}/events", headers=server.admin.headers)
    answer.raise_for_status()
    events: list[dict[str, Any]] = answer.json()["payload"]
    return events


def update_as(server: RunningServer, who: str, contact_id: int, **fields: Any) -> dict[str, Any]:
    """Another agent's edit, straight to the server."""
    headers = getattr(server, who).headers
    answer = HTTP.put(f"{server.url}/api/v1/accounts/1/contacts/{contact_id}", json=fields, headers=headers)
    answer.raise_for_status()
    body: dict[str, Any] = answer.json()
    return body


def unique(prefix: str) -> str:
    """A name no other test uses: the prefix and six hex digits."""
    return f"{prefix} {uuid.uuid4().hex[:6]}"


async def open_contact(user: User, contact_id: int, *, settled: bool = True, live: bool = True) -> None:
    """Open a contact page and wait until it is drawn; `settled`: everything fetched, the store settled (the
    history's count shown); `live`: subscribed to live events, so nothing from now on is missed."""
    await user.open(f"/contacts/{contact_id}")
    await wait_for(user, "edit-contact")
    if settled:
        await wait_for(user, "history-count")
    if live:
        await wait_for(user, "live-status", content="wifi")
