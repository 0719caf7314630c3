"""What the UI keeps of imports and exports, and of a new contact, with no server at hand."""

from __future__ import annotations

import csv
import io

import pytest

from api.contact_transfer import ImportProgress
from state.contact_creation import new_contact_fields, typed_value
from state.contact_lists import ChangeKind, ContactListFeed, ContactListPage, Effect, ListChange
from state.contact_transfer import TELL_EVERY, TICKET_SECONDS, CsvRecords, import_fraction, new_ticket, redeem


def records_in(chunks: list[bytes]) -> int:
    counter = CsvRecords()
    for chunk in chunks:
        counter.feed(chunk)
    return counter.lines


def test_csv_records_are_counted_across_chunks_and_quoted_line_breaks() -> None:
    buffer = io.StringIO()
    rows = [
        ["id", "name", "notes"],
        ["1", 'Ada "the first"', "line one\nline two"],
        ["2", "Bob", ""],
        ["3", "C", '"\n"'],
    ]
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    data = buffer.getvalue().encode()
    assert records_in([data]) == 4
    for size in (1, 2, 3, 7):  # a chunk boundary anywhere, inside quotes too
        assert records_in([data[i : i + size] for i in range(0, len(data), size)]) == 4


def test_import_progress_follows_the_bytes_then_the_rows() -> None:
    assert import_fraction(ImportProgress(sent=25, size=100)) == 0.25
    assert import_fraction(ImportProgress(sent=100, size=100, rows=500, total_rows=2_000)) == 0.25
    assert import_fraction(ImportProgress(sent=10, size=10, total_rows=0)) == 1.0
    assert import_fraction(ImportProgress()) == 0.0


def test_an_export_ticket_works_once_and_only_for_its_session(monkeypatch: pytest.MonkeyPatch) -> None:
    mine, theirs = object(), object()
    ticket = new_ticket(mine)
    assert redeem(ticket.token, theirs) is None
    assert redeem(ticket.token, mine) is ticket
    assert redeem(ticket.token, mine) is None
    old = new_ticket(mine)
    now = old.created + TICKET_SECONDS + 1
    monkeypatch.setattr("state.contact_transfer.time.monotonic", lambda: now)
    assert redeem(old.token, mine) is None


def test_an_export_ticket_tells_its_rows_now_and_then_and_every_change_of_phase(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1_000.0]
    monkeypatch.setattr("state.contact_transfer.time.monotonic", lambda: clock[0])
    ticket = new_ticket(object())
    heard: list[tuple[str, int]] = []
    ticket.listeners.append(lambda changed: heard.append((changed.phase, changed.rows)))
    ticket.update(phase="running", total=3)
    ticket.count(1)  # within TELL_EVERY of the last word: kept, not told
    clock[0] += TELL_EVERY
    ticket.count(2)
    ticket.update(phase="done", rows=3)
    assert heard == [("running", 0), ("running", 2), ("done", 3)]
    assert ticket.fraction == 1.0


def test_an_import_reads_the_lists_again_except_a_labels() -> None:
    assert ContactListPage(page_size=15).apply(ListChange(kind=ChangeKind.IMPORTED)) is Effect.RELOAD
    assert ContactListPage(page_size=15, query="ada").apply(ListChange(kind=ChangeKind.IMPORTED)) is Effect.RELOAD
    assert ContactListPage(page_size=15, labels=("vip",)).apply(ListChange(kind=ChangeKind.IMPORTED)) is Effect.NONE


def test_an_import_of_another_account_is_not_passed_on() -> None:
    feed = ContactListFeed()
    heard: list[ListChange] = []
    feed.subscribe(heard.append)
    feed.publish("contacts.imported", {"account_id": 2, "imported": 10}, account_id=1)
    feed.publish("contacts.imported", {"account_id": 1, "imported": 10}, account_id=1)
    assert heard == [ListChange(kind=ChangeKind.IMPORTED)]


def test_a_new_contact_takes_what_was_typed_as_the_edit_form_does() -> None:
    assert typed_value("phone_number", " +44 20 7946 0321 ") == "+442079460321"
    assert typed_value("email", "  ") is None
    assert typed_value("name", " Ada ") == "Ada"
    typed = {"name": " Ada ", "email": "", "additional_attributes.city": "London", "identifier": "  "}
    assert new_contact_fields(typed) == {"name": "Ada", "additional_attributes.city": "London"}
