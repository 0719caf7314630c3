"""How much work a remote edit costs an open contact page: render passes per tab, and the contact read once."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from nicegui.testing import User

from api.client import ChatwootClient, EventPage
from components.contact_panel import ContactPanel
from tests.support.processes import RunningServer
from tests.ui.interaction import eventually, open_contact, resume_session, text_of, update_as

QUIET = 0.6  # seconds without a render pass: whatever a change sets off has run


async def quiet(passes: Counter[int]) -> None:
    """Wait until no tab has rendered for a while."""
    while True:
        seen = sum(passes.values())
        await asyncio.sleep(QUIET)
        if sum(passes.values()) == seen:
            return


@pytest.fixture
def panels(monkeypatch: pytest.MonkeyPatch) -> tuple[Counter[int], list[ContactPanel]]:
    """Render passes per open ContactPanel (by id), and the panels in the order they first rendered."""
    passes: Counter[int] = Counter()
    seen: list[ContactPanel] = []
    original = ContactPanel.render

    def counted(self: ContactPanel) -> None:
        passes[id(self)] += 1
        if self not in seen:
            seen.append(self)
        original(self)

    monkeypatch.setattr(ContactPanel, "render", counted)
    return passes, seen


async def test_a_remote_edit_costs_each_tab_one_pass_per_change(
    agent: User,
    create_user: Callable[[], User],
    api_server: RunningServer,
    make_contact: Callable[..., dict[str, Any]],
    panels: tuple[Counter[int], list[ContactPanel]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    passes, seen = panels
    timeline_reads: list[int] = []
    original_read = ChatwootClient.contact_events

    async def counted_read(self: ChatwootClient, contact_id: int, page: int = 1) -> EventPage | None:
        timeline_reads.append(contact_id)
        return await original_read(self, contact_id, page)

    contact = make_contact(name=f"Counted {uuid.uuid4().hex[:6]}")
    second_tab = create_user()
    await resume_session(second_tab, api_server.admin.token)
    await open_contact(agent, contact["id"])
    await open_contact(second_tab, contact["id"])
    store = seen[0].view.store
    timeline = store.timeline(contact["id"])
    await eventually(lambda: timeline.loaded and not timeline.loading)
    await quiet(passes)
    entries_before = len(timeline.events)
    passes.clear()
    monkeypatch.setattr(ChatwootClient, "contact_events", counted_read)  # a spy: the real read still runs

    new_name = f"Renamed {uuid.uuid4().hex[:6]}"
    update_as(api_server, "agent", contact["id"], name=new_name)
    await eventually(
        lambda: text_of(agent, "contact-name") == new_name and text_of(second_tab, "contact-name") == new_name
    )
    await eventually(lambda: len(timeline.events) > entries_before and not timeline.loading)
    await quiet(passes)

    # The event carries the contact's new values and its activity trail's new entry: one change, one pass,
    # and no read of `/events` afterwards.
    assert len(seen) == 2
    assert [passes[id(panel)] for panel in seen] == [1, 1]
    assert timeline_reads == []
    assert timeline.events[0].field == "name" and timeline.events[0].new_value == new_name


async def test_the_contact_shown_is_computed_once_per_change(
    agent: User,
    api_server: RunningServer,
    make_contact: Callable[..., dict[str, Any]],
    panels: tuple[Counter[int], list[ContactPanel]],
) -> None:
    passes, seen = panels
    contact = make_contact(name=f"Read Once {uuid.uuid4().hex[:6]}")
    await open_contact(agent, contact["id"])
    await quiet(passes)
    store = seen[0].view.store
    before = store.contact(contact["id"])
    assert before is not None
    assert store.contact(contact["id"]) is before  # no copy and validation per read
    assert seen[0].view.contact is before

    new_name = f"Changed {uuid.uuid4().hex[:6]}"
    update_as(api_server, "agent", contact["id"], name=new_name)
    await eventually(lambda: text_of(agent, "contact-name") == new_name)
    after = store.contact(contact["id"])
    assert after is not before and after is not None and after.name == new_name
    assert store.contact(contact["id"]) is after
