"""The client's import, export and create against the embedded server: progress as the file goes and as the rows
are written, the report, a refused file, the export as it streams, a taken value naming its contact, and a create
whose answer is lost, settled by looking."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from api.client import ChatwootClient
from api.contact_transfer import (
    ImportProgress,
    ImportRefused,
    export_contacts,
    exports_streamed,
    import_contacts,
)
from api.error_codes import ErrorCode
from api.errors import ValidationFailed
from api.protocol import EXPORT_COLUMNS
from state.contact_creation import create_contact
from state.store import ContactStore
from tests.support.processes import RunningServer

Connect = Callable[..., ChatwootClient]


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def csv_data(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


async def chunked(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_an_import_reports_its_progress_and_its_rows(server: RunningServer, connect: Connect) -> None:
    client = connect(server)
    rows = [["name", "email"], *([f"Client Import {n}", unique_email(f"ci{n}")] for n in range(2_100)), ["Bad", "x"]]
    data = csv_data(rows)
    seen: list[ImportProgress] = []
    report = await import_contacts(
        client, chunked(data), len(data), lambda progress: seen.append(dataclasses.replace(progress))
    )
    assert report is not None
    assert (report.total_rows, report.imported, report.rejected) == (2_101, 2_100, 1)
    assert [(row.line, [e.code for e in row.errors]) for row in report.rejected_rows] == [(2_102, ["INVALID_EMAIL"])]
    sent = [step.sent for step in seen if step.total_rows is None]
    assert sent == sorted(sent) and sent[-1] == len(data)
    counted = [step.rows for step in seen if step.total_rows is not None]
    assert counted == [0, 2_000, 2_101]


async def test_a_refused_file_says_why_and_where(server: RunningServer, connect: Connect) -> None:
    data = b'name,email\nA,a@example.com\n"unclosed\n'
    with pytest.raises(ImportRefused) as refused:
        await import_contacts(connect(server), chunked(data), len(data), lambda progress: None)
    assert (refused.value.code, refused.value.line, refused.value.status) == (ErrorCode.FILE_UNREADABLE, 3, 422)


async def test_chatwoot_answers_no_report(plain_api_server: RunningServer, connect: Connect) -> None:
    data = csv_data([["email"], [unique_email("plain-client")]])
    assert await import_contacts(connect(plain_api_server), chunked(data), len(data), lambda progress: None) is None


async def test_the_export_streams_with_its_row_count(server: RunningServer, connect: Connect) -> None:
    client = connect(server)
    await client.profile()
    made = await client.create_contact({"name": "Streamed Out", "email": unique_email("out")})
    assert exports_streamed(client)
    async with export_contacts(client) as export:
        data = b"".join([chunk async for chunk in export.chunks])
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert export.rows == len(rows)
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert any(row["id"] == str(made.id) for row in rows)
    assert export.content_disposition and "attachment" in export.content_disposition


async def test_chatwoot_announces_no_streamed_export(plain_api_server: RunningServer, connect: Connect) -> None:
    client = connect(plain_api_server)
    await client.profile()
    assert not exports_streamed(client)


async def test_a_taken_value_names_the_contact_having_it(server: RunningServer, connect: Connect) -> None:
    client = connect(server)
    existing = await client.create_contact({"name": "First Holder", "email": unique_email("holder")})
    with pytest.raises(ValidationFailed) as refused:
        await client.create_contact({"email": existing.email})
    assert refused.value.existing == {"email": existing.id}
    outcome = await create_contact(ContactStore(), client, {"name": "Second", "email": existing.email})
    assert outcome.status == "taken"
    assert [(e.field, e.id, e.name) for e in outcome.existing] == [("email", existing.id, "First Holder")]
    assert outcome.field_errors == {"email": ErrorCode.TAKEN}


async def test_a_create_whose_answer_is_lost_is_found_once_it_lands(api_server: RunningServer) -> None:
    """The database is held past the client's timeout: the create lands later, and settling finds it."""
    client = ChatwootClient(
        api_server.url,
        token=api_server.admin.token,
        account_id=1,
        write_timeout=1.5,
        transport=api_server.async_transport(),
    )
    email = unique_email("lost-answer")
    held, released = threading.Event(), threading.Event()

    def hold() -> None:
        with api_server.database_held():
            held.set()
            time.sleep(2.2)  # the fault itself: longer than the client waits, shorter than it settles
        released.set()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        await asyncio.to_thread(held.wait, 10)
        started = time.monotonic()
        outcome = await create_contact(ContactStore(), client, {"name": "Lost Answer", "email": email})
        waited = time.monotonic() - started
    finally:
        holder.join()
        await client.close()
    assert released.is_set() and waited > 1.5  # the answer was given up on, then the contact found
    assert outcome.status == "created" and outcome.contact is not None and outcome.contact.email == email
