"""A list page sorted or filtered by label: which events it applies, and which make it read the page again."""

from __future__ import annotations

from typing import Any

from api.models import Contact, ContactEventData, ContactPage, PageMeta
from state.contact_lists import ChangeKind, ContactListFeed, ContactListPage, Effect, ListChange


def contact(contact_id: int, **fields: Any) -> Contact:
    return Contact(id=contact_id, name=fields.pop("name", f"Contact {contact_id}"), **fields)


def listed(contacts: list[Contact], *, count: int | None = None, page: int = 1, **options: Any) -> ContactListPage:
    listing = ContactListPage(page=page, page_size=3, **options)
    listing.take(ContactPage(meta=PageMeta(count=len(contacts) if count is None else count), payload=contacts))
    return listing


def event(kind: ChangeKind, contact_id: int, **fields: Any) -> ListChange:
    return ListChange(kind=kind, contact=ContactEventData.model_validate({"id": contact_id, **fields}))


def label_entry(kind: str, title: str) -> dict[str, Any]:
    old, new = (title, None) if kind == "label_removed" else (None, title)
    return {"id": 1, "contact_id": 1, "kind": kind, "field": "labels", "old_value": old, "new_value": new}


def test_the_feed_passes_label_changes_not_note_changes() -> None:
    feed = ContactListFeed()
    seen: list[ListChange] = []
    feed.subscribe(seen.append)
    feed.publish("contact.activity", {"id": 1, "labels": ["vip"], "account_id": 1}, account_id=1)
    feed.publish("contact.activity", {"id": 1, "note": {"id": 5, "content": "x"}, "account_id": 1}, account_id=1)
    assert [(change.kind, change.contact.labels if change.contact else None) for change in seen] == [
        (ChangeKind.LABELED, ["vip"])
    ]


def test_labels_of_a_shown_row_change_in_place_when_the_page_has_them() -> None:
    listing = listed([contact(1, labels=["vip"]), contact(2, labels=[])])
    assert listing.apply(event(ChangeKind.LABELED, 2, labels=["billing", "asap"])) is Effect.ROWS
    assert listing.contacts[1].labels == ["asap", "billing"]
    assert listing.apply(event(ChangeKind.LABELED, 2, labels=["asap", "billing"])) is Effect.NONE
    unknown = listed([contact(1)])
    assert unknown.apply(event(ChangeKind.LABELED, 1, labels=["vip"])) is Effect.NONE  # one row alone: not shown


def test_with_label_events_an_update_is_applied_in_place_even_filtered() -> None:
    listing = listed([contact(1, labels=["vip"])], labels=("vip",), labels_told=True)
    assert listing.apply(event(ChangeKind.UPDATED, 1, name="Renamed")) is Effect.ROWS
    assert listing.apply(event(ChangeKind.UPDATED, 9, name="Elsewhere")) is Effect.NONE


def test_without_label_events_an_update_of_a_shown_contact_reads_the_filtered_page() -> None:
    listing = listed([contact(1)], labels=("vip",))
    assert listing.apply(event(ChangeKind.UPDATED, 1, name="Renamed")) is Effect.RELOAD
    unfiltered = listed([contact(1)])
    assert unfiltered.apply(event(ChangeKind.UPDATED, 1, name="Again")) is Effect.ROWS
    searched = listed([contact(1)], labels=("vip",), query="contact")
    assert searched.apply(event(ChangeKind.UPDATED, 1, name="Contact again")) is Effect.ROWS


def test_without_label_events_an_unshown_contact_reads_the_page_only_where_its_name_could_go() -> None:
    middle_page = listed(
        [contact(4, name="Dora"), contact(5, name="Emil"), contact(6, name="Fay")],
        count=9,
        page=2,
        labels=("vip",),
        sort="name",
    )
    assert middle_page.apply(event(ChangeKind.UPDATED, 9, name="Eve")) is Effect.RELOAD
    assert middle_page.apply(event(ChangeKind.UPDATED, 9, name="eve")) is Effect.RELOAD  # a locale's collation
    assert middle_page.apply(event(ChangeKind.UPDATED, 9, name="Zed")) is Effect.NONE
    assert middle_page.apply(event(ChangeKind.UPDATED, 9, name="Abe")) is Effect.NONE
    assert middle_page.apply(event(ChangeKind.UPDATED, 9, email="eve@example.com")) is Effect.RELOAD  # name unknown
    descending = listed(
        [contact(4, name="Fay"), contact(5, name="Emil")], count=5, page=2, labels=("vip",), sort="-name"
    )
    assert descending.apply(event(ChangeKind.UPDATED, 9, name="Abe")) is Effect.RELOAD  # the last page: after Emil
    assert descending.apply(event(ChangeKind.UPDATED, 9, name="Zed")) is Effect.NONE
    by_activity = listed([contact(4)], count=9, page=2, labels=("vip",))
    assert by_activity.apply(event(ChangeKind.UPDATED, 9, name="Anyone")) is Effect.RELOAD  # activity: not told


def test_a_label_event_of_an_unshown_contact_counts_or_reads() -> None:
    listing = listed([contact(1, labels=["vip"])], count=4, labels=("vip", "gold"), labels_told=True)
    joined = event(ChangeKind.LABELED, 9, labels=["vip"], activity=[label_entry("label_added", "vip")])
    assert listing.apply(joined) is Effect.RELOAD
    left = event(ChangeKind.LABELED, 9, labels=["other"], activity=[label_entry("label_removed", "gold")])
    assert (listing.apply(left), listing.count) == (Effect.COUNT, 3)
    unrelated = event(ChangeKind.LABELED, 9, labels=["other", "vip"], activity=[label_entry("label_added", "other")])
    assert listing.apply(unrelated) is Effect.NONE
    assert listed([contact(1)]).apply(joined) is Effect.NONE  # not filtered: nothing to count


def test_a_new_contact_never_joins_a_label_page_and_a_deleted_one_is_read() -> None:
    listing = listed([contact(1, labels=["vip"])], count=4, labels=("vip",), labels_told=True)
    assert listing.apply(event(ChangeKind.CREATED, 9, name="New")) is Effect.NONE
    assert listing.apply(event(ChangeKind.DELETED, 9, name="Gone")) is Effect.RELOAD
    assert listing.apply(event(ChangeKind.DELETED, 1, name="Shown")) is Effect.ROWS
    assert (listing.contacts, listing.count) == ([], 3)


def test_a_new_contact_by_creation_and_by_name() -> None:
    newest_first = listed([contact(1, labels=[]), contact(2, labels=[])], sort="-created_at")
    assert newest_first.apply(event(ChangeKind.CREATED, 9)) is Effect.ROWS
    assert [shown.id for shown in newest_first.contacts] == [9, 1, 2]
    assert newest_first.contacts[0].labels == []  # the page has labels, and a new contact has none
    oldest_first = listed([contact(1)], count=4, page=2, sort="created_at")
    assert oldest_first.apply(event(ChangeKind.CREATED, 9)) is Effect.ROWS
    assert [shown.id for shown in oldest_first.contacts] == [1, 9]
    by_name = listed([contact(1, name="Ada"), contact(2, name="Bo"), contact(3, name="Cy")], count=6, sort="name")
    assert by_name.apply(event(ChangeKind.CREATED, 9, name="Bea")) is Effect.RELOAD
    assert (by_name.apply(event(ChangeKind.CREATED, 10, name="Zoe")), by_name.count) == (Effect.COUNT, 8)
