"""A live event's trail entries go on top of the timeline shown, which keeps the size of the pages read."""

from __future__ import annotations

from api.client import EVENTS_PAGE_SIZE
from api.models import ContactEvent
from state.actions import add_timeline_entries, apply_event
from state.store import ContactStore

CONTACT = 7


def entry(event_id: int) -> ContactEvent:
    return ContactEvent(id=event_id, contact_id=CONTACT, kind="updated", field="name", new_value=f"n{event_id}")


def loaded_store(newest: int, shown: int, count: int, page: int = 1) -> ContactStore:
    store = ContactStore()
    timeline = store.timeline(CONTACT)
    timeline.events = [entry(i) for i in range(newest, newest - shown, -1)]
    timeline.count, timeline.page, timeline.loaded = count, page, True
    return store


def test_new_entries_go_on_top_and_the_count_grows() -> None:
    store = loaded_store(newest=10, shown=10, count=10)
    add_timeline_entries(store, CONTACT, [entry(12), entry(11)])
    timeline = store.timeline(CONTACT)
    assert [e.id for e in timeline.events] == list(range(12, 0, -1))
    assert timeline.count == 12 and not timeline.has_more


def test_an_entry_already_shown_is_not_added_twice() -> None:
    store = loaded_store(newest=10, shown=10, count=10)
    add_timeline_entries(store, CONTACT, [entry(10), entry(11)])
    timeline = store.timeline(CONTACT)
    assert [e.id for e in timeline.events][:2] == [11, 10]
    assert len(timeline.events) == 11 and timeline.count == 11


def test_a_full_page_stays_one_page_and_more_can_be_read() -> None:
    store = loaded_store(newest=100, shown=EVENTS_PAGE_SIZE, count=100)
    add_timeline_entries(store, CONTACT, [entry(101 + i) for i in range(5)])
    timeline = store.timeline(CONTACT)
    assert len(timeline.events) == EVENTS_PAGE_SIZE
    assert timeline.events[0].id == 105 and timeline.events[-1].id == 105 - EVENTS_PAGE_SIZE + 1
    assert timeline.count == 105 and timeline.has_more


def test_two_pages_read_keep_two_pages() -> None:
    store = loaded_store(newest=100, shown=2 * EVENTS_PAGE_SIZE, count=100, page=2)
    add_timeline_entries(store, CONTACT, [entry(101)])
    assert len(store.timeline(CONTACT).events) == 2 * EVENTS_PAGE_SIZE


def test_a_timeline_not_read_yet_takes_nothing() -> None:
    store = ContactStore()
    add_timeline_entries(store, CONTACT, [entry(1)])
    assert store.timeline(CONTACT).events == []


def test_an_update_event_brings_its_entries() -> None:
    store = loaded_store(newest=3, shown=3, count=3)
    store.entry(CONTACT).server = {"id": CONTACT, "name": "Old"}
    activity = [entry(4).model_dump()]
    apply_event(store, "contact.updated", {"id": CONTACT, "name": "New", "activity": activity}, account_id=None)
    assert store.timeline(CONTACT).events[0].id == 4
    shown = store.contact(CONTACT)
    assert shown is not None and shown.name == "New"
