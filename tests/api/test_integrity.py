"""Data integrity over time and across accounts: ids are never reused, no trail outlives its contact, every
read is scoped by account, no number a JSON client cannot hold is stored, attribute objects stay bounded as
stored; and the migration (0003) that brings databases written before these rules there."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text

from api.validation import MAX_ATTRIBUTE_BYTES, MAX_ATTRIBUTE_KEYS, MAX_SAFE_INTEGER
from server.db import alembic_config, create_engine
from tests.api.account_api import AccountApi
from tests.api.shapes import invalid_fields
from tests.support.databases import database_at
from tests.support.processes import RunningServer

JSON = {"content-type": "application/json"}
BEYOND_64_BITS = 1_180_591_620_717_411_303_424  # 2**70, the value the issue found
UNSAFE_INTEGERS = [BEYOND_64_BITS, -BEYOND_64_BITS, 2**64, MAX_SAFE_INTEGER + 1, -(MAX_SAFE_INTEGER + 1)]


def run_sql(database_url: str, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    """One statement straight on a server's database (committed); the rows it returns, if any."""

    async def execute() -> list[tuple[Any, ...]]:
        engine = create_engine(database_url)
        try:
            async with engine.begin() as connection:
                result = await connection.execute(text(statement), params)
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(execute())


def created(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    contact: dict[str, Any] = answer.json()["payload"]["contact"]
    return contact


def events_of(api: AccountApi, contact_id: int) -> list[dict[str, Any]]:
    answer = api.get(f"/contacts/{contact_id}/events")
    assert answer.status_code == 200, answer.text
    payload: list[dict[str, Any]] = answer.json()["payload"]
    return payload


# --- ids, foreign keys, account scope ---------------------------------------------------------------------------


def test_a_deleted_contacts_id_and_trail_never_reach_another_account(
    server: RunningServer, admin_api: AccountApi, other_admin_api: AccountApi
) -> None:
    departed = created(admin_api.post("/contacts", json={"name": "Departed", "custom_attributes": {"plan": "pro"}}))
    for seats in (5, 6):
        answer = admin_api.put(f"/contacts/{departed['id']}", json={"custom_attributes": {"seats": seats}})
        assert answer.status_code == 200, answer.text
    assert len(events_of(admin_api, departed["id"])) == 3
    assert admin_api.delete(f"/contacts/{departed['id']}").status_code == 200

    newcomer = created(other_admin_api.post("/contacts", json={"name": "Newcomer"}))
    assert newcomer["id"] > departed["id"], "a deleted contact's id was given out again"
    trail = events_of(other_admin_api, newcomer["id"])
    assert [(e["contact_id"], e["kind"]) for e in trail] == [(newcomer["id"], "created")]
    assert run_sql(
        server.database_url, "SELECT count(*) FROM contact_events WHERE contact_id = :id", id=departed["id"]
    ) == [(0,)], "the trail of a deleted contact (personal data) outlived it"


def test_a_merged_away_contact_leaves_no_trail_and_the_merge_is_on_the_base(
    server: RunningServer, admin_api: AccountApi
) -> None:
    base = created(admin_api.post("/contacts", json={"name": "Base"}))
    mergee = created(admin_api.post("/contacts", json={"name": "Mergee", "custom_attributes": {"plan": "free"}}))
    answer = admin_api.post(
        "/actions/contact_merge", json={"base_contact_id": base["id"], "mergee_contact_id": mergee["id"]}
    )
    assert answer.status_code == 200, answer.text
    merged = [e for e in events_of(admin_api, base["id"]) if e["kind"] == "merged"]
    assert [(e["old_value"], e["new_value"]) for e in merged] == [(mergee["id"], base["id"])]
    assert run_sql(
        server.database_url, "SELECT count(*) FROM contact_events WHERE contact_id = :id", id=mergee["id"]
    ) == [(0,)]


def test_a_deleted_notes_id_is_never_given_out_again(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact(name="Note taker")
    path = f"/contacts/{contact['id']}/notes"
    first = admin_api.post(path, json={"content": "first"}).json()
    assert admin_api.delete(f"{path}/{first['id']}").status_code == 200
    second = admin_api.post(path, json={"content": "second"}).json()
    assert second["id"] > first["id"]


def test_the_activity_trail_and_notes_are_read_within_the_account(
    server: RunningServer, other_admin_api: AccountApi
) -> None:
    """Rows of account 1 that name account 2's contact (as a reused id once made them) are never served there."""
    theirs = created(other_admin_api.post("/contacts", json={"name": "Globex customer"}))
    run_sql(
        server.database_url,
        "INSERT INTO contact_events (account_id, contact_id, kind, field, old_value, new_value, created_at)"
        " VALUES (1, :id, 'updated', 'custom_attributes.secret', NULL, '\"acme only\"', 0)",
        id=theirs["id"],
    )
    run_sql(
        server.database_url,
        "INSERT INTO notes (account_id, contact_id, content, created_at, updated_at)"
        " VALUES (1, :id, 'acme only', 0, 0)",
        id=theirs["id"],
    )
    assert [e["kind"] for e in events_of(other_admin_api, theirs["id"])] == ["created"]
    answer = other_admin_api.get(f"/contacts/{theirs['id']}/notes")
    assert answer.status_code == 200, answer.text
    assert answer.json() == []


# --- numbers JSON clients cannot hold --------------------------------------------------------------------------


@pytest.fixture
def contact(server: RunningServer) -> dict[str, Any]:
    return server.create_contact(name="Integrity Target", custom_attributes={"plan": "pro"})


def assert_pages_answer(api: AccountApi, name: str) -> None:
    for path, params in (("/contacts", {}), ("/contacts/search", {"q": name}), ("/contacts", {"sort": "name"})):
        answer = api.get(path, params=params)
        assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("number", UNSAFE_INTEGERS)
@pytest.mark.parametrize(
    ("field", "key"),
    [("custom_attributes", "seats"), ("custom_attributes", "x"), ("additional_attributes", "x")],
    ids=["defined number", "undefined custom", "additional"],
)
def test_an_integer_json_clients_cannot_hold_is_refused(
    admin_api: AccountApi, contact: dict[str, Any], field: str, key: str, number: int
) -> None:
    body = json.dumps({field: {key: number}})
    refused = invalid_fields(admin_api.put(f"/contacts/{contact['id']}", content=body, headers=JSON))
    assert refused["attributes"] == [field]
    assert key.capitalize() in refused["message"] and "between" in refused["message"], refused
    assert admin_api.contact(contact["id"]) == contact
    create = json.dumps({"name": "Poison", field: {key: number}})
    assert invalid_fields(admin_api.post("/contacts", content=create, headers=JSON))["attributes"] == [field]
    assert_pages_answer(admin_api, "Poison")


def test_unsafe_integers_are_refused_however_deep_and_in_numeric_text(
    admin_api: AccountApi, contact: dict[str, Any]
) -> None:
    for body in (
        {"additional_attributes": {"social_profiles": {"github": [1, BEYOND_64_BITS]}}},
        {"custom_attributes": {"seats": str(BEYOND_64_BITS)}},
        {"custom_attributes": {"seats": "9007199254740993"}},
    ):
        answer = admin_api.put(f"/contacts/{contact['id']}", content=json.dumps(body), headers=JSON)
        assert invalid_fields(answer)["attributes"] == list(body), body
    assert admin_api.contact(contact["id"]) == contact


def test_the_largest_safe_integers_and_booleans_are_kept_exactly(
    admin_api: AccountApi, contact: dict[str, Any]
) -> None:
    values = {"seats": MAX_SAFE_INTEGER, "low": -MAX_SAFE_INTEGER, "newsletter": True, "ratio": 1e300}
    body = json.dumps({"custom_attributes": values})
    answer = admin_api.put(f"/contacts/{contact['id']}", content=body, headers=JSON)
    assert answer.status_code == 200, answer.text
    for key, value in values.items():
        assert answer.json()["payload"]["custom_attributes"][key] == value
    assert admin_api.contact(contact["id"])["custom_attributes"]["seats"] == MAX_SAFE_INTEGER


# --- limits on the stored result -------------------------------------------------------------------------------


def test_keys_are_limited_on_the_stored_result_not_per_request(admin_api: AccountApi, contact: dict[str, Any]) -> None:
    path = f"/contacts/{contact['id']}"
    first = {f"k{n}": n for n in range(MAX_ATTRIBUTE_KEYS - 1)}  # plus "plan"
    assert admin_api.put(path, json={"custom_attributes": first}).status_code == 200
    full = admin_api.contact(contact["id"])
    assert len(full["custom_attributes"]) == MAX_ATTRIBUTE_KEYS
    refused = invalid_fields(admin_api.put(path, json={"custom_attributes": {"one_more": 1}}))
    assert refused["attributes"] == ["custom_attributes"]
    assert f"maximum is {MAX_ATTRIBUTE_KEYS}" in refused["message"], refused
    assert admin_api.contact(contact["id"]) == full
    assert admin_api.put(path, json={"custom_attributes": {"k1": "changed"}}).status_code == 200, "at the limit"
    assert admin_api.put(path, json={"additional_attributes": {"city": "Leeds"}}).status_code == 200


def test_ten_puts_of_100_keys_store_at_most_100(admin_api: AccountApi, contact: dict[str, Any]) -> None:
    path = f"/contacts/{contact['id']}"
    statuses = [
        admin_api.put(path, json={"custom_attributes": {f"r{round}k{n}": n for n in range(100)}}).status_code
        for round in range(10)
    ]
    assert statuses == [422] * 10, "the contact already holds `plan`, so no batch of 100 new keys fits"
    statuses = [
        admin_api.put(path, json={"additional_attributes": {f"r{round}k{n}": n for n in range(100)}}).status_code
        for round in range(10)
    ]
    assert statuses == [200] + [422] * 9
    stored = admin_api.contact(contact["id"])
    assert len(stored["custom_attributes"]) == 1 and len(stored["additional_attributes"]) == 100


def test_the_attribute_objects_together_are_limited_to_64_kb(admin_api: AccountApi, contact: dict[str, Any]) -> None:
    path = f"/contacts/{contact['id']}"
    text_255 = "x" * 255
    half = {f"h{n}": [text_255] * 5 for n in range(20)}  # about 26 KB
    assert admin_api.put(path, json={"additional_attributes": half}).status_code == 200
    assert admin_api.put(path, json={"custom_attributes": half}).status_code == 200
    before = admin_api.contact(contact["id"])
    refused = invalid_fields(admin_api.put(path, json={"custom_attributes": {"more": [text_255] * 60}}))
    assert refused["attributes"] == ["custom_attributes"]
    assert "64 KB" in refused["message"], refused
    assert admin_api.contact(contact["id"]) == before
    too_big = {"blob": [text_255] * 300}
    assert len(json.dumps(too_big)) > MAX_ATTRIBUTE_BYTES
    answer = admin_api.post("/contacts", json={"name": "Too big", "additional_attributes": too_big})
    assert invalid_fields(answer)["attributes"] == ["additional_attributes"]


def test_a_merge_that_would_pass_the_limits_is_refused(server: RunningServer, admin_api: AccountApi) -> None:
    base = server.create_contact(name="Base", custom_attributes={f"b{n}": n for n in range(60)})
    mergee = server.create_contact(name="Mergee", custom_attributes={f"m{n}": n for n in range(60)})
    answer = admin_api.post(
        "/actions/contact_merge", json={"base_contact_id": base["id"], "mergee_contact_id": mergee["id"]}
    )
    assert invalid_fields(answer)["attributes"] == ["custom_attributes"]
    assert admin_api.contact(base["id"]) == base
    assert admin_api.contact(mergee["id"]) == mergee


# --- soft validation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["\u200b\u200d\u202e", " \u200b \u2066\u2069 ", "\ufeff", "\u200f\t\u200e"])
@pytest.mark.parametrize("field", ["name", "identifier"])
def test_a_name_of_invisible_characters_only_is_refused(
    admin_api: AccountApi, contact: dict[str, Any], field: str, value: str
) -> None:
    refused = invalid_fields(admin_api.put(f"/contacts/{contact['id']}", json={field: value}))
    assert refused["attributes"] == [field]
    assert "visible" in refused["message"], refused
    assert admin_api.contact(contact["id"]) == contact


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2024-01-01", "2024-01-01"),
        ("2024-01-01T00:00:00Z", "2024-01-01"),
        ("2024-01-01T10:00:00.000+02:00", "2024-01-01"),
        ("2024-01-01garbage", None),
        ("2024-01-01T25:00:00Z", None),
        ("20240101", None),
    ],
)
def test_dates_are_whole_dates(admin_api: AccountApi, contact: dict[str, Any], sent: str, stored: str | None) -> None:
    answer = admin_api.put(f"/contacts/{contact['id']}", json={"custom_attributes": {"signed_up": sent}})
    if stored is None:
        assert invalid_fields(answer)["attributes"] == ["custom_attributes"]
    else:
        assert answer.status_code == 200, answer.text
        assert answer.json()["payload"]["custom_attributes"]["signed_up"] == stored


# --- the migration -----------------------------------------------------------------------------------------------


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@contextmanager
def opened(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection with foreign keys on, as the app's are; committed and closed at the end."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA foreign_keys=ON")
        yield db
        db.commit()
    finally:
        db.close()


@pytest.fixture
def old_sqlite(tmp_path: Path) -> Iterator[Path]:
    """A SQLite file at revision 0001 as the app left it: three contacts, the newest deleted (its trail stays)."""
    path = tmp_path / "old.db"
    command.upgrade(alembic_config(sqlite_url(path)), "0001")
    with opened(path) as db:
        db.execute("INSERT INTO accounts (id, name, created_at) VALUES (1, 'Acme', 0), (2, 'Globex', 0)")
        for contact_id in (1, 2, 3):
            db.execute(
                "INSERT INTO contacts (id, account_id, name, email, thumbnail, blocked, additional_attributes,"
                " custom_attributes, created_at, updated_at, version)"
                " VALUES (?, 1, ?, ?, '', 0, '{}', '{\"plan\": \"pro\"}', 0, 0, 1)",
                (contact_id, f"Contact {contact_id}", f"c{contact_id}@example.com"),
            )
            db.execute(
                "INSERT INTO contact_events (account_id, contact_id, kind, field, old_value, new_value, created_at)"
                " VALUES (1, ?, 'updated', 'custom_attributes.plan', '\"free\"', '\"pro\"', 0)",
                (contact_id,),
            )
            db.execute(
                "INSERT INTO notes (account_id, contact_id, content, created_at, updated_at) VALUES (1, ?, 'n', 0, 0)",
                (contact_id,),
            )
        db.execute("DELETE FROM contacts WHERE id = 3")
        db.execute("INSERT INTO contact_events (account_id, contact_id, kind, created_at) VALUES (1, 3, 'deleted', 0)")
    yield path


def test_the_migration_keeps_ids_from_being_reused_and_ties_the_trail_to_its_contact(old_sqlite: Path) -> None:
    command.upgrade(alembic_config(sqlite_url(old_sqlite)), "head")
    with opened(old_sqlite) as db:
        assert db.execute("SELECT count(*) FROM contact_events WHERE contact_id = 3").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM contact_events").fetchone() == (2,)
        assert db.execute("SELECT count(*) FROM notes").fetchone() == (2,)
        cursor = db.execute(
            "INSERT INTO contacts (account_id, name, thumbnail, blocked, additional_attributes, custom_attributes,"
            " created_at, updated_at, version) VALUES (2, 'New', '', 0, '{}', '{}', 0, 0, 1)"
        )
        assert cursor.lastrowid == 4, "the id of a contact deleted before the migration was given out again"
        assert db.execute("SELECT * FROM pragma_foreign_key_check").fetchall() == []
        keys = {
            (row[2], row[3], row[4], row[6])
            for row in db.execute("SELECT * FROM pragma_foreign_key_list('contact_events')")
        }
        assert ("contacts", "contact_id", "id", "CASCADE") in keys
        assert ("accounts", "account_id", "id", "CASCADE") in keys
        for table in ("contacts", "notes", "contact_events", "conversations", "messages", "agents", "accounts"):
            schema = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
            assert "AUTOINCREMENT" in schema, table
        # Foreign keys still hold after the rebuild: children follow their contact, orphans are refused.
        db.execute("DELETE FROM contacts WHERE id = 2")
        assert db.execute("SELECT count(*) FROM notes WHERE contact_id = 2").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM contact_events WHERE contact_id = 2").fetchone() == (0,)
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO contact_events (account_id, contact_id, kind, created_at) VALUES (1, 99, 'x', 0)")
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(
                "INSERT INTO contacts (account_id, name, email, thumbnail, blocked, additional_attributes,"
                " custom_attributes, created_at, updated_at, version)"
                " VALUES (1, 'Dup', 'c1@example.com', '', 0, '{}', '{}', 0, 0, 1)"
            )
        indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"ix_contact_events_contact", "ix_contacts_account_name", "ix_notes_contact_id"} <= indexes


POISON = {"x": BEYOND_64_BITS, "nested": {"list": [1, -(2**63), "12345678901234567890"]}, "fine": 2**53 - 1}
REPAIRED = {"x": str(BEYOND_64_BITS), "nested": {"list": [1, str(-(2**63)), "12345678901234567890"]}, "fine": 2**53 - 1}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_at_0002(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database migrated to revision 0002 (before the repair), dropped afterwards."""
    with database_at(request.param, tmp_path, "0002") as url:
        yield url


def test_the_migration_repairs_numbers_json_clients_cannot_hold(database_at_0002: str) -> None:
    url = database_at_0002
    poison = json.dumps(POISON)
    mixed = json.dumps({"x": 12345678901234567, "y": "1234567890123456789", "z": MAX_SAFE_INTEGER, "n": 7})
    statements = [
        "INSERT INTO accounts (id, name, created_at) VALUES (1, 'Acme', 0)",
        "INSERT INTO inboxes (id, account_id, name, channel_type) VALUES (1, 1, 'Web', 'Channel::WebWidget')",
        "INSERT INTO contacts (id, account_id, name, thumbnail, blocked, additional_attributes, custom_attributes,"
        " created_at, updated_at, version) VALUES (1, 1, 'Poisoned', '', false, :poison, :poison, 0, 0, 1)",
        "INSERT INTO contacts (id, account_id, name, thumbnail, blocked, additional_attributes, custom_attributes,"
        " created_at, updated_at, version) VALUES (2, 1, 'Healthy', '', false, '{}', :plain, 0, 0, 1)",
        "INSERT INTO conversations (id, account_id, display_id, contact_id, inbox_id, status, labels, unread_count,"
        " additional_attributes, custom_attributes, created_at, last_activity_at)"
        " VALUES (1, 1, 1, 1, 1, 'open', '[]', 0, :poison, :poison, 0, 0)",
        "INSERT INTO contact_events (account_id, contact_id, kind, field, old_value, new_value, created_at)"
        " VALUES (1, 1, 'updated', 'custom_attributes.x', :big, :poison, 0)",
    ]
    for statement in statements:
        run_sql(url, statement, poison=poison, plain=mixed, big=json.dumps(BEYOND_64_BITS))

    command.upgrade(alembic_config(url), "head")

    def stored(table: str, *columns: str, where: str = "") -> list[Any]:
        """The columns' JSON as stored (read as text, so no driver decodes it first)."""
        texts = ", ".join(f"CAST({column} AS TEXT)" for column in columns)
        return [json.loads(value) for value in run_sql(url, f"SELECT {texts} FROM {table} {where}")[0]]

    assert stored("contacts", "additional_attributes", "custom_attributes", where="WHERE id = 1") == [REPAIRED] * 2
    assert stored("contacts", "custom_attributes", where="WHERE id = 2") == [
        {"x": "12345678901234567", "y": "1234567890123456789", "z": MAX_SAFE_INTEGER, "n": 7}
    ]
    assert stored("conversations", "additional_attributes", "custom_attributes") == [REPAIRED] * 2
    old_value, new_value = stored("contact_events", "old_value", "new_value")
    assert new_value == REPAIRED
    if url.startswith("sqlite"):
        # A bare number in a JSON column has SQLite's numeric affinity: it was kept as a double from the start.
        assert isinstance(old_value, float)
    else:
        assert old_value == str(BEYOND_64_BITS)
