"""Another agent's live change is said quietly, with who and what; this agent's own changes are not."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from nicegui.testing import User

from api.client import ChatwootClient, ContactResult
from components.contact_view import isolated
from state import actions, session
from state.store import ContactStore
from tests.support.processes import RunningServer
from tests.ui.interaction import eventually, shown, toasted, update_as, wait_for, wait_for_entry


async def test_another_agents_change_is_told_with_who_and_what(
    agent: User, api_server: RunningServer, make_contact: Callable[..., dict[str, Any]]
) -> None:
    contact = make_contact(name=f"Told {uuid.uuid4().hex[:6]}")
    await agent.open(f"/contacts/{contact['id']}")
    await wait_for_entry(agent, "created")  # loaded: a change from now on is a change on screen
    await wait_for(agent, "live-status", content="wifi")
    email = f"told-{contact['id']}@example.com"

    update_as(api_server, "agent", contact["id"], email=email, custom_attributes={"seats": 7})
    await toasted(agent, isolated("Sam Agent") + " changed Email and Seats")  # name isolated; fields as CLDR joins them


async def test_the_agents_own_change_elsewhere_is_not_told(
    agent: User, api_server: RunningServer, make_contact: Callable[..., dict[str, Any]]
) -> None:
    contact = make_contact(name=f"Mine {uuid.uuid4().hex[:6]}")
    await agent.open(f"/contacts/{contact['id']}")
    await wait_for(agent, "live-status", content="wifi")
    renamed = f"Mine Renamed {uuid.uuid4().hex[:6]}"

    update_as(api_server, "admin", contact["id"], name=renamed)  # the signed-in agent, from another browser
    await wait_for_entry(agent, "updated")  # the change has reached the page
    await asyncio.sleep(0.3)
    assert not any("changed" in message for message in agent.notify.messages)


async def test_a_change_made_while_the_page_reads_the_contact_is_not_lost(
    agent: User,
    api_server: RunningServer,
    make_contact: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The page's first read of the contact answers with what was there before another agent's change, whose
    live event arrives before that answer: the page reads again and shows the change."""
    contact = make_contact(name=f"Raced {uuid.uuid4().hex[:6]}")
    renamed = f"Raced Renamed {uuid.uuid4().hex[:6]}"
    original_read, original_apply = ChatwootClient.get_contact, actions.apply_event
    raced: list[int] = []
    applied: list[int] = []

    def applying(store: ContactStore, event: str, data: dict[str, Any], account_id: int | None = None) -> None:
        original_apply(store, event, data, account_id)
        applied.append(data.get("id", 0))

    async def read_then_change(self: ChatwootClient, contact_id: int) -> ContactResult:
        answer = await original_read(self, contact_id)
        if contact_id == contact["id"] and not raced:  # a spy: the first answer is held back, not made up
            raced.append(contact_id)
            await asyncio.to_thread(update_as, api_server, "agent", contact_id, name=renamed)
            await eventually(lambda: contact_id in applied)  # the live event came before this answer
        return answer

    # The agent's live connection is subscribed first (as it is once any page of theirs is open): an event
    # published before the subscription is confirmed would never come, on a busy machine.
    await agent.open("/contacts")
    await wait_for(agent, "live-status", content="wifi")
    monkeypatch.setattr(session, "apply_event", applying)
    monkeypatch.setattr(ChatwootClient, "get_contact", read_then_change)
    await agent.open(f"/contacts/{contact['id']}")
    await eventually(lambda: shown(agent, "contact-name", content=renamed))
    assert raced == [contact["id"]]
