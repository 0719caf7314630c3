"""`GET /contacts/export` (the CSV itself, streamed) and Chatwoot's `POST /contacts/export`: Chatwoot's columns, one
snapshot of the account, administrators only. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator

import pytest

from api.protocol import EXPORT_COLUMNS, EXPORT_ROWS_HEADER
from api.settings import Settings
from server import contact_export
from server.contact_export import ContactExport
from server.runtime import ServerRuntime
from tests.api.account_api import AccountApi
from tests.api.sample_data import unique_email, unique_phone, unique_token
from tests.api.shapes import error_body
from tests.api.transfer_files import exported_rows, imported
from tests.support.processes import RunningServer

ALL_COLUMNS = list(EXPORT_COLUMNS)


def test_chatwoots_default_columns_and_every_contact_of_the_account(
    server: RunningServer, admin_api: AccountApi
) -> None:
    made = server.create_contact(name="Exported Person", phone_number=unique_phone())
    answer = admin_api.get("/contacts/export")
    rows = exported_rows(answer)
    assert answer.text.splitlines()[0] == "id,name,email,phone_number"
    assert int(answer.headers[EXPORT_ROWS_HEADER]) == len(rows)
    assert "attachment" in answer.headers["content-disposition"]
    assert {
        "id": str(made["id"]),
        "name": "Exported Person",
        "email": made["email"],
        "phone_number": made["phone_number"],
    } in rows
    listed = admin_api.get("/contacts").json()["meta"]["count"]
    assert len(rows) == listed
    assert [int(row["id"]) for row in rows] == sorted(int(row["id"]) for row in rows)


def test_every_column_as_text_a_spreadsheet_reads(server: RunningServer, admin_api: AccountApi) -> None:
    made = server.create_contact(
        name="Ünïcode Ağent",
        identifier=f"crm-{unique_token()}",
        blocked=True,
        additional_attributes={"company_name": "Acme", "city": "Köln"},
        custom_attributes={"plan": "pro"},
    )
    rows = exported_rows(admin_api.get("/contacts/export", params={"column_names[]": ALL_COLUMNS}))
    [row] = [row for row in rows if row["id"] == str(made["id"])]
    assert row["name"] == "Ünïcode Ağent" and row["identifier"] == made["identifier"]
    assert row["blocked"] == "true"
    assert json.loads(row["additional_attributes"]) == {"company_name": "Acme", "city": "Köln"}
    assert json.loads(row["custom_attributes"]) == {"plan": "pro"}
    assert row["created_at"].endswith("Z") and row["last_activity_at"] == ""


def test_an_export_imports_into_another_account_as_it_was(
    server: RunningServer, admin_api: AccountApi, other_admin_api: AccountApi
) -> None:
    """Round trip: account 1's contacts with a formula-like name into account 2, the same values back."""
    made = server.create_contact(
        name='=HYPERLINK("http://evil.example")',
        phone_number=unique_phone(),
        additional_attributes={"company_name": "-Minus Corp"},
        custom_attributes={"plan": "pro", "seats": 12},
    )
    answer = admin_api.get("/contacts/export", params={"column_names[]": ALL_COLUMNS})
    line = next(text for text in answer.text.splitlines() if text.startswith(f"{made['id']},"))
    [cells] = csv.reader([line])
    assert cells[1] == "'" + made["name"]  # a spreadsheet shows it, never runs it
    header = answer.text.splitlines()[0]
    report = imported(other_admin_api, f"{header}\n{line}\n".encode())
    assert report["imported"] == 1, report
    [copy] = [c for c in other_admin_api.get("/contacts/search", params={"q": made["email"]}).json()["payload"]]
    for field in ("name", "email", "phone_number", "additional_attributes", "custom_attributes"):
        assert copy[field] == made[field], field


def test_a_labels_contacts_only(server: RunningServer, admin_api: AccountApi) -> None:
    label = f"export-{unique_token()}"
    tagged = server.create_contact(name="Tagged")
    server.create_contact(name="Untagged")
    admin_api.post(f"/contacts/{tagged['id']}/labels", json={"labels": [label]}).raise_for_status()
    rows = exported_rows(admin_api.get("/contacts/export", params={"label": label.upper()}))
    assert [row["id"] for row in rows] == [str(tagged["id"])]


def test_another_accounts_contacts_are_never_exported(server: RunningServer, other_admin_api: AccountApi) -> None:
    ours = server.create_contact(name="Acme Secret")
    rows = exported_rows(other_admin_api.get("/contacts/export", params={"column_names[]": ALL_COLUMNS}))
    assert rows and all(row["email"] != ours["email"] and row["id"] != str(ours["id"]) for row in rows)


def test_chatwoots_post_answers_the_file_too(admin_api: AccountApi) -> None:
    rows = exported_rows(admin_api.post("/contacts/export", json={"column_names": ["email", "phone_number"]}))
    assert rows and set(rows[0]) == {"email", "phone_number"}


@pytest.mark.parametrize(
    ("method", "request_kwargs", "message"),
    [
        ("GET", {"params": {"column_names[]": ["email", "password"]}}, "Unknown columns: password"),
        ("POST", {"json": {"column_names": ["location"]}}, "Unknown columns: location"),
        ("POST", {"json": {"payload": [{"attribute_key": "email"}]}}, "filter"),
        ("POST", {"json": {"column_names": "email"}}, "list"),
    ],
)
def test_bad_export_requests_are_422(
    admin_api: AccountApi, method: str, request_kwargs: dict[str, object], message: str
) -> None:
    body = error_body(admin_api.request(method, "/contacts/export", **request_kwargs), 422)  # type: ignore[arg-type]
    assert message in body["error"]


def test_an_agent_may_not_export(agent_api: AccountApi) -> None:
    assert error_body(agent_api.get("/contacts/export"), 401) == {"error": "You are not authorized to do this action"}
    assert error_body(agent_api.post("/contacts/export"), 401) == {"error": "You are not authorized to do this action"}


@pytest.fixture
async def runtime(server: RunningServer) -> AsyncIterator[ServerRuntime]:
    """The server's database, for an export read here page by page."""
    running = ServerRuntime.from_settings(Settings(database_url=server.database_url, demo_data=False))
    yield running
    await running.engine.dispose()


async def test_an_export_is_one_snapshot_while_others_write(
    server: RunningServer, admin_api: AccountApi, runtime: ServerRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A contact added and one deleted after the first page was sent change nothing in the rest of the file."""
    monkeypatch.setattr(contact_export, "PAGE_ROWS", 50)
    last = server.create_contact(name="Deleted Midway")
    export = ContactExport(runtime, 1, ["id", "email"], None)
    count = await export.open()
    try:
        chunks = export.chunks()
        lines = (await anext(chunks)).decode().splitlines() + (await anext(chunks)).decode().splitlines()
        admin_api.delete(f"/contacts/{last['id']}").raise_for_status()
        added = server.create_contact(name="Added Midway", email=unique_email("midway"))
        lines += [line for chunk in [c async for c in chunks] for line in chunk.decode().splitlines()]
    finally:
        await export.close()
    ids = [int(line.split(",")[0]) for line in lines[1:]]
    assert len(ids) == count > 100
    assert last["id"] in ids and added["id"] not in ids
