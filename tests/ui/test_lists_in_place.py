"""List pages apply contact events to the rows they show, with no API request per event."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from nicegui import ui
from nicegui.testing import User

from api.client import ChatwootClient
from tests.support.processes import RunningServer
from tests.support.tcp_proxy import TcpProxy
from tests.ui.interaction import HTTP, eventually, text_of, update_as, wait_for

Requests = list[tuple[str, str]]


@pytest.fixture
def app_requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[Requests]:
    """Every request the app's API clients send (method, path), in order."""
    sent: Requests = []
    request = ChatwootClient._request

    async def counted(self: ChatwootClient, method: str, path: str, **options: Any) -> Any:
        sent.append((method, path))
        return await request(self, method, path, **options)

    monkeypatch.setattr(ChatwootClient, "_request", counted)
    yield sent


def token() -> str:
    return f"inplace{uuid.uuid4().hex[:8]}"


def delete_contact(server: RunningServer, contact_id: int) -> None:
    answer = HTTP.delete(f"{server.url}/api/v1/accounts/1/contacts/{contact_id}", headers=server.admin.headers)
    answer.raise_for_status()


async def open_search(user: User, query: str, expected: list[str]) -> ui.table:
    await user.open(f"/contacts?q={query}")
    table = await wait_for(user, "contacts-table", kind=ui.table)
    await eventually(lambda: not table.props.get("loading"))  # read, not only filled by live events
    await eventually(lambda: [row["name"] for row in table.rows] == expected)
    return table


async def test_a_rename_changes_the_row_in_place_without_a_request(
    agent: User, api_server: RunningServer, make_contact: Callable[..., dict[str, Any]], app_requests: Requests
) -> None:
    word = token()
    contact = make_contact(name=f"Before {word}", email=f"{word}@example.com")
    table = await open_search(agent, word, [f"Before {word}"])
    rows_before = table.rows
    app_requests.clear()

    update_as(api_server, "agent", contact["id"], name=f"After {word}", phone_number="+442079460111")

    await eventually(lambda: [row["name"] for row in table.rows] == [f"After {word}"])
    assert table.rows[0]["phone"] == "+44 20 7946 0111"
    assert table.rows[0]["email"] == f"{word}@example.com"
    assert table.rows is rows_before  # the same rows, changed in place
    assert text_of(agent, "list-status") == "1 contact"
    assert app_requests == []


async def test_a_deleted_contact_leaves_the_list_and_the_count_without_a_request(
    agent: User, api_server: RunningServer, make_contact: Callable[..., dict[str, Any]], app_requests: Requests
) -> None:
    word = token()
    first = make_contact(name=f"First {word}")
    make_contact(name=f"Second {word}")
    table = await open_search(agent, word, [f"Second {word}", f"First {word}"])  # newest first: neither active
    assert text_of(agent, "list-status") == "2 contacts"
    app_requests.clear()

    delete_contact(api_server, first["id"])

    await eventually(lambda: [row["name"] for row in table.rows] == [f"Second {word}"])
    await eventually(lambda: text_of(agent, "list-status") == "1 contact")
    assert app_requests == []


async def test_a_created_contact_that_belongs_on_the_page_appears_without_a_request(
    agent: User, make_contact: Callable[..., dict[str, Any]], app_requests: Requests
) -> None:
    word = token()
    make_contact(name=f"Older {word}")
    table = await open_search(agent, word, [f"Older {word}"])
    app_requests.clear()

    make_contact(name=f"Newer {word}")
    make_contact(name="Somebody else entirely")  # not in this search: the page does not change

    await eventually(lambda: [row["name"] for row in table.rows] == [f"Newer {word}", f"Older {word}"])
    await eventually(lambda: text_of(agent, "list-status") == "2 contacts")
    assert app_requests == []


async def test_a_created_contact_after_this_page_only_counts(
    agent: User, make_contact: Callable[..., dict[str, Any]], app_requests: Requests
) -> None:
    await agent.open("/contacts")
    table = await wait_for(agent, "contacts-table", kind=ui.table)
    await eventually(lambda: not table.props.get("loading"))
    status = await eventually(lambda: re.fullmatch(r"(\d+) contacts", text_of(agent, "list-status")))
    shown_ids = [row["id"] for row in await eventually(lambda: table.rows)]
    app_requests.clear()

    make_contact(name=f"Never active {token()}")  # sorts after every active contact, so not on page 1 of many

    await eventually(lambda: text_of(agent, "list-status") == f"{int(status.group(1)) + 1} contacts")
    assert [row["id"] for row in table.rows] == shown_ids
    assert app_requests == []


async def test_the_conversations_list_renames_the_contact_without_a_request(
    agent: User, api_server: RunningServer, app_requests: Requests
) -> None:
    answer = HTTP.get(f"{api_server.url}/api/v1/accounts/1/conversations", headers=api_server.admin.headers)
    sender = answer.raise_for_status().json()["data"]["payload"][0]["meta"]["sender"]
    await agent.open("/conversations")
    label = await wait_for(agent, content=sender["name"], kind=ui.label)
    app_requests.clear()
    renamed = f"Renamed {token()}"
    try:
        update_as(api_server, "agent", sender["id"], name=renamed)
        await eventually(lambda: label.text == renamed)
        assert app_requests == []
    finally:
        update_as(api_server, "admin", sender["id"], name=sender["name"])


async def test_after_a_reconnect_the_list_reads_its_page_again_once(
    proxied_agent: User, proxy: TcpProxy, make_contact: Callable[..., dict[str, Any]], app_requests: Requests
) -> None:
    user = proxied_agent
    word = token()
    make_contact(name=f"Before the cut {word}")
    table = await open_search(user, word, [f"Before the cut {word}"])
    app_requests.clear()

    proxy.cut()
    make_contact(name=f"While cut off {word}")  # its event is missed: the live connection is down
    proxy.restore()

    await eventually(
        lambda: [row["name"] for row in table.rows] == [f"While cut off {word}", f"Before the cut {word}"],
        retries=600,
    )

    def searches() -> Requests:
        return [request for request in app_requests if "/contacts" in request[1]]

    await eventually(searches)
    await asyncio.sleep(1)
    assert searches() == [("GET", "/api/v1/accounts/1/contacts/search")]  # once, not once per missed event
