"""A list page applies contact events as a reload would show them, with no server at hand."""

from __future__ import annotations

from typing import Any

from api.models import Contact, ContactEventData, ContactPage, PageMeta
from state.contact_lists import ChangeKind, ContactListFeed, ContactListPage, Effect, ListChange, matches_search


def contact(contact_id: int, active: int | None = None, **fields: Any) -> Contact:
    return Contact(id=contact_id, name=fields.pop("name", f"Contact {contact_id}"), last_activity_at=active, **fields)


def listed(contacts: list[Contact], *, count: int | None = None, page: int = 1, query: str = "") -> ContactListPage:
    listing = ContactListPage(query=query, page=page, page_size=3)
    listing.take(ContactPage(meta=PageMeta(count=len(contacts) if count is None else count), payload=contacts))
    return listing


def event(kind: ChangeKind, contact_id: int, **fields: Any) -> ListChange:
    return ListChange(kind=kind, contact=ContactEventData.model_validate({"id": contact_id, **fields}))


def ids(listing: ContactListPage) -> list[int]:
    return [shown.id for shown in listing.contacts]


def test_an_update_changes_only_what_it_carries() -> None:
    listing = listed([contact(1, 100, email="a@example.com"), contact(2, 90)])
    assert listing.apply(event(ChangeKind.UPDATED, 1, name="Renamed")) is Effect.ROWS
    assert (listing.contacts[0].name, listing.contacts[0].email) == ("Renamed", "a@example.com")
    assert listing.contacts[0].last_activity_at == 100
    assert listing.apply(event(ChangeKind.UPDATED, 1, name="Renamed")) is Effect.NONE  # an echo
    assert listing.apply(event(ChangeKind.UPDATED, 7, name="Elsewhere")) is Effect.NONE


def test_a_delete_removes_the_row_or_only_counts() -> None:
    listing = listed([contact(1, 100), contact(2, 90), contact(3, 80)], count=10)
    assert listing.apply(event(ChangeKind.DELETED, 2)) is Effect.ROWS
    assert (ids(listing), listing.count) == ([1, 3], 9)
    assert listing.apply(event(ChangeKind.DELETED, 8)) is Effect.COUNT
    assert listing.count == 8


def test_a_search_counts_only_what_it_finds() -> None:
    listing = listed([contact(1, 100, name="Ada Lovelace")], query="ada")
    assert listing.apply(event(ChangeKind.DELETED, 5, name="Grace Hopper")) is Effect.NONE
    assert listing.apply(event(ChangeKind.CREATED, 6, name="Someone", email="ADA@example.com")) is Effect.ROWS
    assert ids(listing) == [1, 6]  # active contacts first, the new one never active


def test_a_new_contact_comes_first_among_the_never_active() -> None:
    listing = listed([contact(1, 100), contact(3), contact(2)], count=5)
    assert listing.apply(event(ChangeKind.CREATED, 9)) is Effect.ROWS
    assert ids(listing) == [1, 9, 3]  # the last row moved on to the next page
    assert listing.count == 6


def test_a_new_contact_after_a_full_page_of_active_ones_only_counts() -> None:
    listing = listed([contact(1, 100), contact(2, 90), contact(3, 80)], count=7)
    assert listing.apply(event(ChangeKind.CREATED, 9)) is Effect.COUNT
    assert (ids(listing), listing.count, listing.pages) == ([1, 2, 3], 8, 3)


def test_a_new_contact_ends_the_last_page() -> None:
    listing = listed([contact(4, 50)], count=4, page=2)
    assert listing.apply(event(ChangeKind.CREATED, 9)) is Effect.ROWS
    assert ids(listing) == [4, 9]


def test_where_a_new_contact_goes_before_a_later_page_is_unknown() -> None:
    listing = listed([contact(3), contact(2)], count=5, page=2)
    assert listing.apply(event(ChangeKind.CREATED, 9)) is Effect.COUNT
    assert ids(listing) == [3, 2]


def test_a_reconnect_reads_the_page_again() -> None:
    assert listed([]).apply(ListChange(kind=ChangeKind.RECONNECTED)) is Effect.RELOAD


def test_the_feed_passes_contact_events_of_its_account_only() -> None:
    feed = ContactListFeed()
    seen: list[ListChange] = []
    unsubscribe = feed.subscribe(seen.append)
    feed.publish("contact.updated", {"id": 1, "name": "Here", "account_id": 1}, account_id=1)
    feed.publish("contact.updated", {"id": 2, "name": "Elsewhere", "account_id": 2}, account_id=1)
    feed.publish("conversation.created", {"id": 3}, account_id=1)
    feed.publish("contact.merged", {"id": 4, "name": "Merged"}, account_id=1)
    feed.publish("contact.deleted", {"name": "no id"}, account_id=1)
    feed.reconnected()
    unsubscribe()
    feed.reconnected()
    assert [(c.kind, c.contact.id if c.contact else None) for c in seen] == [
        (ChangeKind.UPDATED, 1),
        (ChangeKind.UPDATED, 4),
        (ChangeKind.RECONNECTED, None),
    ]


def test_the_search_matches_as_the_server_does() -> None:
    found = contact(1, name="Ada Lovelace", email="ada@example.com", phone_number="+442071838750")
    assert matches_search(" LOVE ", found)
    assert matches_search("example.com", found)
    assert matches_search("2071838", found)
    assert not matches_search("grace", found)


def test_the_search_matches_companies_and_short_queries_at_word_starts_as_the_server_does() -> None:
    found = contact(1, name="Ada Lovelace", email="ada@example.com", additional_attributes={"company_name": "Engines"})
    assert matches_search("engine", found)
    assert matches_search("lo", found) and matches_search("a", found) and matches_search("en", found)
    assert not matches_search("ve", found)  # two characters inside a word: not a start


def test_a_capped_count_is_kept_as_a_lower_bound() -> None:
    page = ContactListPage(page_size=15)
    page.take(ContactPage(meta=PageMeta(count=10_000, count_capped=True), payload=[]))
    assert page.count_capped and page.pages == 667
    page.take(ContactPage(meta=PageMeta(count=12), payload=[]))
    assert not page.count_capped
