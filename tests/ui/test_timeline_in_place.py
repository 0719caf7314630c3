"""The activity timeline updates in place: a loading flag flips a spinner, never the entries."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from api.client import Credentials
from state.session import current_registry
from tests.servers import RunningServer
from tests.ui.interaction import act, eventually, shown, update_as, wait_for

ADA = 1


def entries_of(timeline: ui.timeline) -> list[ui.timeline_entry]:
    return [child for child in timeline.default_slot.children if isinstance(child, ui.timeline_entry)]


def spinning(user: User) -> bool:
    """The timeline shows it is reading: its spinner, or (with more to page to) its "more" button's."""
    more = shown(user, "timeline-load-more")
    return bool(shown(user, "timeline-loading")) or any(button.props.get("loading") for button in more)


async def test_a_timeline_loading_flip_keeps_its_entries(agent: User, api_server: RunningServer) -> None:
    await agent.open(f"/contacts/{ADA}")
    await wait_for(agent, "timeline-note_added")
    session = await current_registry().resume(Credentials(token=api_server.admin.token))
    assert session is not None
    store = session.store
    timeline = store.timeline(ADA)
    await eventually(lambda: timeline.loaded and not timeline.loading)
    element = await wait_for(agent, "activity-timeline", kind=ui.timeline)
    entries = entries_of(element)
    assert len(entries) == len(timeline.events)

    timeline.loading = True
    store.notify(ADA)
    await eventually(lambda: entries[0].is_deleted or spinning(agent))
    assert not element.is_deleted and not any(entry.is_deleted for entry in entries)
    assert entries_of(element) == entries

    timeline.loading = False
    store.notify(ADA)
    await eventually(lambda: entries[0].is_deleted or not spinning(agent))
    assert not element.is_deleted and not any(entry.is_deleted for entry in entries)
    assert entries_of(element) == entries


async def test_paging_the_timeline_appends_entries(agent: User) -> None:
    await agent.open(f"/contacts/{ADA}")
    await wait_for(agent, "timeline-note_added")
    element = await wait_for(agent, "activity-timeline", kind=ui.timeline)
    first_page = await eventually(lambda: entries_of(element) if len(entries_of(element)) == 25 else None)

    act(agent, await wait_for(agent, "timeline-load-more")).click()
    await eventually(lambda: len(entries_of(element)) > 25)
    assert not element.is_deleted
    assert entries_of(element)[:25] == first_page
    assert not any(entry.is_deleted for entry in first_page)


async def test_a_live_change_keeps_the_pages_already_opened(
    agent: User, api_server: RunningServer, make_contact
) -> None:
    """A remote edit re-reads the newest page of the trail; the older pages the agent opened stay."""
    contact = make_contact(name="Busy Trail")
    for round_ in range(30):
        update_as(api_server, "agent", contact["id"], custom_attributes={"round": round_})
    await agent.open(f"/contacts/{contact['id']}")
    element = await wait_for(agent, "activity-timeline", kind=ui.timeline)
    await eventually(lambda: len(entries_of(element)) == 25)
    act(agent, await wait_for(agent, "timeline-load-more")).click()
    await eventually(lambda: len(entries_of(element)) == 31)  # 30 changes and "created"

    update_as(api_server, "agent", contact["id"], custom_attributes={"round": 99})
    await eventually(lambda: len(entries_of(element)) == 32)
    assert not shown(agent, "timeline-load-more")
