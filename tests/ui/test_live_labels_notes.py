"""Another agent's labels and notes reach an open contact page live, with their timeline entries, and no re-read."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from nicegui import ui
from nicegui.testing import User

from api.client import ChatwootClient
from tests.support.processes import RunningServer
from tests.ui.interaction import HTTP, eventually, timeline_entries, wait_for, wait_for_entry, wait_gone

READS = ("contact_labels", "notes", "contact_events", "get_contact")


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[str]]:
    """Spies on the UI client's reads of a contact's parts (the real reads still run); call it to start counting."""
    counted: list[str] = []
    started = [False]

    def spy(name: str) -> None:
        original = getattr(ChatwootClient, name)

        async def counted_read(self: ChatwootClient, *args: Any, **kwargs: Any) -> Any:
            if started[0]:
                counted.append(name)
            return await original(self, *args, **kwargs)

        monkeypatch.setattr(ChatwootClient, name, counted_read)

    for name in READS:
        spy(name)

    def start() -> list[str]:
        started[0] = True
        return counted

    return start


def timeline_kinds(user: User) -> list[str]:
    return [f"timeline-{entry['kind']}" for entry in timeline_entries(user)]


async def test_labels_and_notes_of_another_agent_arrive_live(
    agent: User,
    api_server: RunningServer,
    make_contact: Callable[..., dict[str, Any]],
    reads: Callable[[], list[str]],
) -> None:
    contact = make_contact(name=f"Live Parts {uuid.uuid4().hex[:6]}")
    base = f"{api_server.url}/api/v1/accounts/1/contacts/{contact['id']}"
    await agent.open(f"/contacts/{contact['id']}")
    await wait_for(agent, "labels-empty")
    await wait_for(agent, "notes-empty")
    await wait_for_entry(agent, "created")
    await wait_for(agent, "live-status", content="wifi")
    counted = reads()

    other = api_server.agent.headers
    HTTP.post(f"{base}/labels", json={"labels": ["vip"]}, headers=other).raise_for_status()
    await wait_for(agent, "label-vip")
    await wait_gone(agent, "labels-empty")
    await eventually(lambda: "timeline-label_added" in timeline_kinds(agent))

    note = HTTP.post(f"{base}/notes", json={"content": "Called back about the invoice"}, headers=other)
    note.raise_for_status()
    note_id = note.json()["id"]
    await wait_for(agent, f"note-{note_id}")
    await wait_for(agent, content="Called back about the invoice", kind=ui.label)
    await eventually(lambda: "timeline-note_added" in timeline_kinds(agent))
    card = await wait_for(agent, f"note-{note_id}")

    HTTP.patch(f"{base}/notes/{note_id}", json={"content": "Invoice settled"}, headers=other).raise_for_status()
    await wait_for(agent, content="Invoice settled", kind=ui.label)
    assert await wait_for(agent, f"note-{note_id}") is card  # the same row, its text updated in place
    await eventually(lambda: "timeline-note_updated" in timeline_kinds(agent))

    HTTP.delete(f"{base}/notes/{note_id}", headers=other).raise_for_status()
    await wait_gone(agent, f"note-{note_id}")
    await wait_for(agent, "notes-empty")
    await eventually(lambda: "timeline-note_deleted" in timeline_kinds(agent))

    HTTP.post(f"{base}/labels", json={"labels": []}, headers=other).raise_for_status()
    await wait_gone(agent, "label-vip")
    await wait_for(agent, "labels-empty")
    await eventually(lambda: "timeline-label_removed" in timeline_kinds(agent))

    assert counted == []  # every change came with the event: nothing was read again


async def test_a_change_that_arrives_while_the_timeline_loads_is_kept(
    agent: User,
    api_server: RunningServer,
    make_contact: Callable[..., dict[str, Any]],
) -> None:
    """The page read of `/events` may predate an entry the live event already added: the entry stays."""
    contact = make_contact(name=f"Race {uuid.uuid4().hex[:6]}")
    await agent.open(f"/contacts/{contact['id']}")
    await wait_for_entry(agent, "created")
    await wait_for(agent, "live-status", content="wifi")
    base = f"{api_server.url}/api/v1/accounts/1/contacts/{contact['id']}"
    HTTP.put(base, json={"name": "Race Renamed"}, headers=api_server.agent.headers).raise_for_status()
    await eventually(lambda: "timeline-updated" in timeline_kinds(agent))
    assert timeline_kinds(agent).count("timeline-updated") == 1
