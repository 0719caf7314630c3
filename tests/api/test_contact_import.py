"""`POST /contacts/import`: a CSV file of contacts, its rows checked one by one, the good ones written, the others
reported with why; a file that cannot be read changes nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from api.cable_client import cable_url
from api.protocol import EXTENSIONS_HEADER, IMPORT_REPORT_EXTENSION
from server import import_writer
from server.contact_import import ImportRow
from server.db import create_engine
from tests.api.account_api import AccountApi
from tests.api.sample_data import unique_email, unique_phone, unique_token
from tests.api.shapes import error_body
from tests.api.transfer_files import (
    csv_bytes,
    find_by_email,
    imported,
    post_import,
    progress_lines,
    rejected_by_line,
)
from tests.support.cable import SUBPROTOCOLS, room_identifier
from tests.support.in_process import InProcessServer, fresh_server
from tests.support.processes import RunningServer

HEADER = ["name", "email", "phone_number", "identifier", "company", "city", "plan"]


def test_rows_become_contacts_with_chatwoots_columns(admin_api: AccountApi) -> None:
    ada, bob = unique_email("ada"), unique_email("bob")
    phone = unique_phone()
    data = csv_bytes(
        [
            ["Name", "Email", "Phone Number", "identifier", "company", "city", "favourite_colour"],
            ["Ada Import", ada.upper(), phone.removeprefix("+"), f"crm-{unique_token()}", "Acme", "London", "teal"],
            ["Bob Import", bob, "", "", "", "", ""],
        ]
    )
    report = imported(admin_api, data)
    assert report == {
        "total_rows": 2,
        "imported": 2,
        "rejected": 0,
        "rejected_rows": [],
        "rejected_rows_truncated": False,
    }
    [contact] = find_by_email(admin_api, ada)
    assert contact["name"] == "Ada Import"
    assert contact["phone_number"] == phone  # Chatwoot's import puts the + in front
    assert contact["additional_attributes"] == {"company_name": "Acme", "city": "London"}
    assert contact["custom_attributes"] == {"favourite_colour": "teal"}
    [other] = find_by_email(admin_api, bob)
    assert (other["name"], other["phone_number"], other["custom_attributes"]) == ("Bob Import", None, {})
    events = admin_api.get(f"/contacts/{contact['id']}/events").json()["payload"]
    assert [event["kind"] for event in events] == ["created"]


def test_broken_rows_are_reported_and_write_nothing_while_the_good_ones_are_imported(admin_api: AccountApi) -> None:
    good, bad_email, bad_phone, extra = (unique_email(kind) for kind in ("good", "bad", "phone", "extra"))
    data = csv_bytes(
        [
            ["name", "email", "phone_number"],
            ["Bad Email", "not-an-email", ""],
            ["Bad Phone", bad_phone, "call me"],
            ["Good Row", good, ""],
            ["", "", ""],  # blank: skipped, not a row
            ["Extra", extra, "", "surplus"],
            ["", "", "", ""],
            ["x" * 256, bad_email, ""],
        ]
    )
    report = imported(admin_api, data)
    assert (report["total_rows"], report["imported"], report["rejected"]) == (5, 1, 4)
    assert rejected_by_line(report) == {
        2: [("email", "INVALID_EMAIL")],
        3: [("phone_number", "INVALID_PHONE")],
        6: [("", "EXTRA_VALUES")],
        8: [("name", "TOO_LONG")],
    }
    messages = {row["line"]: row["errors"][0]["message"] for row in report["rejected_rows"]}
    assert messages[2] == "Email is invalid"
    assert messages[8] == "Name is too long (maximum is 255 characters)"
    assert len(find_by_email(admin_api, good)) == 1
    for email in (bad_phone, extra, bad_email):
        assert find_by_email(admin_api, email) == []


def test_a_row_with_nothing_to_know_the_contact_by_is_rejected(admin_api: AccountApi) -> None:
    report = imported(admin_api, csv_bytes([["name", "company"], ["", f"Nameless {unique_token()}"]]))
    assert rejected_by_line(report) == {2: [("", "EMPTY_ROW")]}
    assert report["imported"] == 0


def test_duplicates_within_the_file_keep_the_first_row(admin_api: AccountApi) -> None:
    email, phone = unique_email("twice"), unique_phone()
    data = csv_bytes(
        [
            ["name", "email", "phone_number"],
            ["First", email, phone],
            ["Same Email", email.upper(), ""],
            ["Same Phone", unique_email("other"), phone],
        ]
    )
    report = imported(admin_api, data)
    assert report["imported"] == 1
    assert rejected_by_line(report) == {3: [("email", "DUPLICATE_IN_FILE")], 4: [("phone_number", "DUPLICATE_IN_FILE")]}
    assert [error["line"] for row in report["rejected_rows"] for error in row["errors"]] == [2, 2]
    assert [contact["name"] for contact in find_by_email(admin_api, email)] == ["First"]


def test_a_value_another_contact_has_rejects_the_row_and_names_that_contact(
    server: RunningServer, admin_api: AccountApi
) -> None:
    existing = server.create_contact(name="Already Here", identifier=f"crm-{unique_token()}")
    fresh = unique_email("fresh")
    data = csv_bytes(
        [
            ["name", "email", "identifier"],
            ["Copy By Email", existing["email"], ""],
            ["Copy By Identifier", fresh, existing["identifier"]],
        ]
    )
    report = imported(admin_api, data)
    assert report["imported"] == 0
    errors = [row["errors"] for row in report["rejected_rows"]]
    assert errors == [
        [{"field": "email", "code": "TAKEN", "message": "Email has already been taken", "contact_id": existing["id"]}],
        [
            {
                "field": "identifier",
                "code": "TAKEN",
                "message": "Identifier has already been taken",
                "contact_id": existing["id"],
            }
        ],
    ]
    assert admin_api.contact(existing["id"])["name"] == "Already Here"
    assert find_by_email(admin_api, fresh) == []


def test_another_accounts_contacts_are_neither_taken_nor_named(
    server: RunningServer, other_admin_api: AccountApi
) -> None:
    """Account 2 imports the email of a contact of account 1: a new contact of account 2, and no id of account 1."""
    theirs = server.create_contact(name="Acme's Contact")
    report = imported(other_admin_api, csv_bytes([["name", "email"], ["Globex's Own", theirs["email"]]]))
    assert (report["imported"], report["rejected"]) == (1, 0)
    [mine] = find_by_email(other_admin_api, theirs["email"])
    assert mine["id"] != theirs["id"] and mine["name"] == "Globex's Own"
    again = imported(other_admin_api, csv_bytes([["name", "email"], ["Twice", theirs["email"]]]))
    assert [error["contact_id"] for row in again["rejected_rows"] for error in row["errors"]] == [mine["id"]]


def test_custom_attributes_are_checked_against_the_accounts_definitions(admin_api: AccountApi) -> None:
    """The demo account defines `plan` as a list (free, starter, pro, enterprise)."""
    ok, wrong = unique_email("plan"), unique_email("noplan")
    report = imported(admin_api, csv_bytes([["name", "email", "plan"], ["Ok", ok, "pro"], ["Wrong", wrong, "gold"]]))
    assert rejected_by_line(report) == {3: [("custom_attributes.plan", "INVALID_LIST_VALUE")]}
    assert find_by_email(admin_api, ok)[0]["custom_attributes"] == {"plan": "pro"}


def test_an_unreadable_file_is_refused_whole_and_writes_nothing(admin_api: AccountApi) -> None:
    first = unique_email("before-broken")
    data = csv_bytes([["name", "email"], ["Fine", first]]) + b'"Unclosed, quote\nmore,text\n'
    body = post_import(admin_api, data).json()
    assert body["code"] == "FILE_UNREADABLE" and body["line"] == 4
    assert find_by_email(admin_api, first) == []


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("name,email\nJosé,\xe9\n".encode("latin-1"), "FILE_NOT_UTF8"),
        (b"", "FILE_BLANK"),
        (b"\n\n", "FILE_NO_HEADER"),
        (b"email,Email\na@example.com,b@example.com\n", "FILE_DUPLICATE_COLUMN"),
        (",".join(f"c{n}" for n in range(121)).encode() + b"\n", "FILE_TOO_MANY_COLUMNS"),
    ],
)
def test_files_that_cannot_be_imported_are_422(admin_api: AccountApi, data: bytes, code: str) -> None:
    """Asked for the report, the refusal has its code (and line) too; without, Chatwoot's `{"error"}` alone."""
    answer = post_import(admin_api, data)
    assert answer.status_code == 422
    assert answer.json()["code"] == code and answer.json()["error"]
    plain = error_body(post_import(admin_api, data, report=False), 422)
    assert plain == {"error": answer.json()["error"]}


def test_no_file_is_chatwoots_422(admin_api: AccountApi) -> None:
    assert error_body(admin_api.post("/contacts/import", json={}), 422) == {"error": "File is blank"}


def test_an_agent_may_not_import(agent_api: AccountApi) -> None:
    email = unique_email("by-agent")
    answer = post_import(agent_api, csv_bytes([["email"], [email]]))
    assert error_body(answer, 401) == {"error": "You are not authorized to do this action"}
    assert find_by_email(agent_api, email) == []


def test_without_the_extension_the_answer_is_chatwoots_empty_200(admin_api: AccountApi) -> None:
    email = unique_email("plain")
    answer = post_import(admin_api, csv_bytes([["email"], [email]]), report=False)
    assert (answer.status_code, answer.content) == (200, b"")
    assert len(find_by_email(admin_api, email)) == 1


def test_plain_chatwoot_mode_answers_empty_even_when_asked(plain_api_server: RunningServer, http: httpx.Client) -> None:
    api = AccountApi.of(http, plain_api_server)
    email = unique_email("plain-mode")
    answer = api.post(
        "/contacts/import",
        files={"import_file": ("c.csv", csv_bytes([["email"], [email]]), "text/csv")},
        headers={EXTENSIONS_HEADER: IMPORT_REPORT_EXTENSION},
    )
    assert (answer.status_code, answer.content) == (200, b"")
    assert len(find_by_email(api, email)) == 1


def test_semicolons_a_byte_order_mark_and_spreadsheet_headers_are_read(admin_api: AccountApi) -> None:
    email = unique_email("excel")
    data = "\ufeff" + csv_bytes([["Name", "E-mail", "Phone Number"], ["Zoë Ünal", email, ""]], ";").decode()
    report = imported(admin_api, data.encode())
    assert report["imported"] == 1
    [contact] = find_by_email(admin_api, email)
    assert contact["name"] == "Zoë Ünal"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def big_import_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """A server of this module's own for the big files, so the shared ones stay small (their counts exact)."""
    directory: Path = tmp_path_factory.mktemp(f"big-import-{request.param}")
    with fresh_server(InProcessServer, directory, request.param) as server:
        yield server


@pytest.fixture(scope="module")
def small_import_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server that takes imports of at most 64 KB."""
    directory: Path = tmp_path_factory.mktemp("small-import")
    with fresh_server(InProcessServer, directory, MAX_IMPORT_BYTES=str(64 * 1024)) as server:
        yield server


def test_progress_counts_rows_up_to_the_total(big_import_server: RunningServer, http: httpx.Client) -> None:
    api = AccountApi.of(http, big_import_server)
    rows = [["name", "email"], *([f"Row {n}", unique_email(f"p{n}")] for n in range(4_500))]
    lines = progress_lines(post_import(api, csv_bytes(rows)))
    progress = [line["progress"] for line in lines[:-1]]
    assert progress[0] == {"rows": 0, "total": 4_500, "imported": 0, "rejected": 0}
    assert [step["rows"] for step in progress] == [0, 2_000, 4_000, 4_500]
    assert lines[-1]["payload"]["imported"] == 4_500


def test_a_file_over_the_import_limit_is_413_and_a_bigger_one_than_other_bodies_is_taken(
    small_import_server: RunningServer, big_import_server: RunningServer, http: httpx.Client
) -> None:
    small = AccountApi.of(http, small_import_server)
    too_big = csv_bytes([["name"], *([f"Someone {n:06d}"] for n in range(8_000))])
    assert error_body(post_import(small, too_big), 413) == {"error": "Request body too large"}
    # 300 KB: over every other request's 256 KB, under the import's default limit
    rows = [["name", "email"], *([f"Bulk {n}", unique_email(f"big{n}")] for n in range(9_000))]
    data = csv_bytes(rows)
    assert len(data) > 256 * 1024
    assert imported(AccountApi.of(http, big_import_server), data)["imported"] == 9_000


def test_the_accounts_agents_hear_of_the_import(server: RunningServer, admin_api: AccountApi) -> None:
    """One `contacts.imported` (extension) for what a batch wrote; Chatwoot sends none for an import."""
    identifier = room_identifier(server.admin)
    with connect(cable_url(server.url), subprotocols=SUBPROTOCOLS) as websocket:
        websocket.send(json.dumps({"command": "subscribe", "identifier": identifier}))
        while json.loads(websocket.recv(timeout=10)).get("type") != "confirm_subscription":
            pass
        rows = [["name", "email"], *([f"Heard {n}", unique_email(f"heard{n}")] for n in range(3))]
        assert imported(admin_api, csv_bytes(rows))["imported"] == 3
        while True:
            message = json.loads(websocket.recv(timeout=10)).get("message")
            if isinstance(message, dict) and message.get("event") == "contacts.imported":
                break
    data = message["data"]
    assert (data["account_id"], data["imported"], data["performer"]["id"]) == (1, 3, server.admin.user_id)


async def test_a_value_taken_between_the_look_and_the_write_rejects_only_its_row(
    server: RunningServer, admin_api: AccountApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer takes a value after the import looked: the batch goes on, that row is reported taken.

    The race is made by skipping the first look (a fault a real race makes only by chance); the write and
    the second look are real, on the server's database.
    """
    existing = server.create_contact(name="Took It First")
    fresh = unique_email("race")
    rows = [
        ImportRow(line=2, fields={"name": "Racer", "email": existing["email"]}),
        ImportRow(line=3, fields={"name": "Winner", "email": fresh}),
        ImportRow(line=4, fields={"name": "Nameless Race"}),
    ]
    looks = 0
    real_look = import_writer._taken

    async def look(connection: Any, account_id: int, batch: Any) -> None:
        nonlocal looks
        looks += 1
        if looks > 1:
            await real_look(connection, account_id, batch)

    monkeypatch.setattr(import_writer, "_taken", look)
    engine = create_engine(server.database_url)
    try:
        async with engine.begin() as connection:
            added = await import_writer.write_batch_conflict_safe(connection, 1, server.admin.user_id, 1, rows)
    finally:
        await engine.dispose()
    assert added == 2 and looks == 2
    assert [(row.line, [p.json() for p in row.problems]) for row in rows if row.rejected] == [
        (
            2,
            [
                {
                    "field": "email",
                    "code": "TAKEN",
                    "message": "Email has already been taken",
                    "contact_id": existing["id"],
                }
            ],
        )
    ]
    [winner] = find_by_email(admin_api, fresh)
    events = admin_api.get(f"/contacts/{winner['id']}/events").json()["payload"]
    assert [event["kind"] for event in events] == ["created"]
