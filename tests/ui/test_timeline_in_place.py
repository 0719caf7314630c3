"""The activity timeline updates in place: a loading flag flips a spinner, never the entries."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from api.client import Credentials
from components.activity_entries import ActivityEntries
from state.session import current_registry
from tests.support.processes import RunningServer
from tests.ui.interaction import act, eventually, shown, timeline_entries, update_as, wait_for, wait_for_entry

ADA = 1
CONVERSATION_KINDS = {"conversation_opened", "conversation_resolved"}


def entries_of(timeline: ActivityEntries) -> list[int]:
    """The event ids of the entries the timeline element holds, newest first."""
    return [entry["id"] for entry in timeline.entries]


def count_updates(element: ActivityEntries) -> list[int]:
    """Records each time the element is sent to the browser again (a spy: the update still happens)."""
    sent: list[int] = []
    original = element.update

    def counted() -> None:
        sent.append(element.id)
        original()

    element.update = counted  # type: ignore[method-assign]
    return sent


def spinning(user: User) -> bool:
    """The timeline shows it is reading: its spinner, or (with more to page to) its "more" button's."""
    more = shown(user, "timeline-load-more")
    return bool(shown(user, "timeline-loading")) or any(button.props.get("loading") for button in more)


async def test_a_timeline_loading_flip_keeps_its_entries(agent: User, api_server: RunningServer) -> None:
    await agent.open(f"/contacts/{ADA}")
    await wait_for_entry(agent, "note_added")
    session = await current_registry().resume(Credentials(token=api_server.admin.token))
    assert session is not None
    store = session.store
    timeline = store.timeline(ADA)
    await eventually(lambda: timeline.loaded and not timeline.loading)
    element = await wait_for(agent, "activity-timeline", kind=ActivityEntries)
    entries = list(element.entries)
    assert [entry["id"] for entry in entries] == [event.id for event in timeline.events]
    updates = count_updates(element)

    timeline.loading = True
    store.notify(ADA)
    await eventually(lambda: element.is_deleted or spinning(agent))
    assert not element.is_deleted and element.entries == entries
    timeline.loading = False
    store.notify(ADA)
    await eventually(lambda: element.is_deleted or not spinning(agent))
    assert not element.is_deleted and element.entries == entries
    assert updates == []  # the entries were not sent again


async def test_paging_the_timeline_appends_entries(agent: User) -> None:
    await agent.open(f"/contacts/{ADA}")
    await wait_for_entry(agent, "note_added")
    element = await wait_for(agent, "activity-timeline", kind=ActivityEntries)
    first_page = await eventually(lambda: entries_of(element) if len(entries_of(element)) == 25 else None)

    act(agent, await wait_for(agent, "timeline-load-more")).click()
    await eventually(lambda: len(entries_of(element)) > 25)
    assert not element.is_deleted
    assert entries_of(element)[:25] == first_page


async def test_a_live_change_keeps_the_pages_already_opened(
    agent: User, api_server: RunningServer, make_contact
) -> None:
    """A remote edit puts its entry on top of the trail; the older pages the agent opened stay."""
    contact = make_contact(name="Busy Trail")
    for round_ in range(30):
        update_as(api_server, "agent", contact["id"], custom_attributes={"round": round_})
    await agent.open(f"/contacts/{contact['id']}")
    element = await wait_for(agent, "activity-timeline", kind=ActivityEntries)
    await eventually(lambda: len(entries_of(element)) == 25)
    act(agent, await wait_for(agent, "timeline-load-more")).click()
    await eventually(lambda: len(entries_of(element)) == 31)  # 30 changes and "created"

    update_as(api_server, "agent", contact["id"], custom_attributes={"round": 99})
    await eventually(lambda: len(entries_of(element)) == 32)
    assert not shown(agent, "timeline-load-more")


async def test_the_trail_narrows_to_one_kind_of_entry(agent: User) -> None:
    await agent.open(f"/contacts/{ADA}")
    await wait_for_entry(agent, "note_added")
    everything = timeline_entries(agent)
    assert {"note_added", "conversation_opened", "conversation_resolved"} <= {e["kind"] for e in everything}
    choice = await wait_for(agent, "timeline-filter", kind=ui.toggle)

    for name, kinds in (("notes", {"note_added", "note_deleted"}), ("conversations", CONVERSATION_KINDS)):
        with agent:
            choice.value = name
        narrowed = await eventually(lambda: timeline_entries(agent) if len(timeline_entries(agent)) < 25 else None)
        assert {entry["kind"] for entry in narrowed} <= kinds
        assert narrowed == [entry for entry in everything if entry["kind"] in kinds]

    with agent:
        choice.value = "changes"  # Ada's newest page holds no field changes
    await wait_for(agent, "timeline-none-of-kind")
    assert timeline_entries(agent) == []
    with agent:
        choice.value = "all"
    await eventually(lambda: timeline_entries(agent) == everything)
    assert not shown(agent, "timeline-none-of-kind")
