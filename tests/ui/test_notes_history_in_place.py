"""Notes and the conversation history update in place: one row per added note, nothing rebuilt on a loading flip."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui
from nicegui.testing import User

from api.client import Credentials
from components.history_table import HistoryTable
from state.session import current_registry
from state.store import ContactStore
from tests.support.processes import RunningServer
from tests.ui.interaction import HTTP, act, click, eventually, shown, wait_for, wait_gone

ADA = 1


async def agent_store(server: RunningServer) -> ContactStore:
    session = await current_registry().resume(Credentials(token=server.admin.token))
    assert session is not None
    return session.store


def note_cards(user: User) -> dict[str, ui.card]:
    """The note rows on screen by their marker (`note-12`)."""
    cards = {}
    for card in shown(user, kind=ui.card):
        for marker in card._markers:
            if marker.startswith("note-") and marker[5:].isdigit():
                cards[marker] = card
    return cards


async def test_adding_and_deleting_a_note_touch_one_row(
    agent: User, api_server: RunningServer, make_contact: Callable[..., dict[str, Any]]
) -> None:
    contact = make_contact(name="Notes In Place")
    url = f"{api_server.url}/api/v1/accounts/1/contacts/{contact['id']}/notes"
    for text in ("The first note", "The second note"):
        HTTP.post(url, json={"content": text}, headers=api_server.admin.headers).raise_for_status()
    await agent.open(f"/contacts/{contact['id']}")
    await wait_for(agent, content="The second note", kind=ui.label)
    before = note_cards(agent)
    assert len(before) == 2
    rows = next(iter(before.values())).parent_slot
    assert rows is not None

    note_input = await wait_for(agent, "note-input", kind=ui.textarea)
    act(agent, note_input).type("The third note")
    await click(agent, "note-add")
    await wait_for(agent, content="The third note", kind=ui.label)
    added = await eventually(lambda: {k: v for k, v in note_cards(agent).items() if k not in before})
    assert len(added) == 1
    assert all(not card.is_deleted for card in before.values())
    assert rows.children == [*added.values(), *before.values()]

    first = next(iter(before))
    await click(agent, f"note-delete-{first.removeprefix('note-')}")
    await click(agent, "note-delete-confirm")
    await wait_gone(agent, first)
    assert rows.children == [*added.values(), *(card for key, card in before.items() if key != first)]
    assert not any(card.is_deleted for card in rows.children)


async def test_a_history_loading_flip_keeps_its_elements(agent: User, api_server: RunningServer) -> None:
    await agent.open(f"/contacts/{ADA}")
    table = await wait_for(agent, "conversation-history", kind=HistoryTable)
    count = await wait_for(agent, "history-count")
    more = await wait_for(agent, "history-load-more")
    store = await agent_store(api_server)
    history = store.history(ADA)
    await eventually(lambda: history.loaded and not history.loading and table.rows)
    rows = table.rows

    history.loading = True
    store.notify(ADA)
    await eventually(lambda: count.is_deleted or more.props.get("loading"))
    assert not count.is_deleted and not table.is_deleted
    assert table.rows is rows  # the rows were not even recomputed

    history.loading = False
    store.notify(ADA)
    await eventually(lambda: count.is_deleted or not more.props.get("loading"))
    assert not count.is_deleted and table.rows is rows
