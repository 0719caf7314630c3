"""Migration 0006: `contact_attribute_values` stays in step with the contacts, and existing databases get it.

Each contact's custom attributes, and the additional attributes the filter reads (city, country_code, company),
are one row per key holding the value as the filter reads it: lower-cased text (its first 100 characters),
number, day. The filter's answers are checked against a plain reading in tests/fuzz/test_filter_properties.py;
here, that every writer's change reaches the table (the API's create, update, attribute removal, delete, a raw
SQL update) and that upgrading a database with contacts fills it as the triggers would, on both databases.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command

from server.db import alembic_config
from tests.api.account_api import AccountApi
from tests.api.test_integrity import run_sql
from tests.support.databases import database_at
from tests.support.processes import RunningServer

SQLITE_NUMBER_CHARACTERS = re.compile(r"[0-9.eE+ -]*")
SQLITE_NUMBER_START = re.compile(r"\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")
Row = tuple[str, str, str | None, float | None, str | None]
# Keys without a definition: stored as sent, whatever the type.
CUSTOM = {"tier": "Pro", "score": "12", "amount": 99.5, "since": "2024-02-03", "opted_in": True, "note": "A" * 150}
ADDITIONAL = {"city": "Berlin", "country_code": "DE", "company_name": "Acme"}


def readings(custom: dict[str, Any], additional: dict[str, Any], *, sqlite: bool) -> set[Row]:
    """The rows the filter's readings give for these attributes (source, key, text, number, day).

    SQLite reads as a number any text of digits, dots, signs, `e` and spaces, as far as it reads like one
    ("2024-02-03" is 2024): the filter's reading there, kept.
    """
    rows: set[Row] = set()
    for source, attributes in (("custom", custom), ("additional", additional)):
        for key, value in attributes.items():
            if value is None or (source == "additional" and key not in ("city", "country_code", "company")):
                continue
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            number = None if isinstance(value, bool) else _number(value, sqlite=sqlite)
            day = text[:10] if text[:4].isdigit() and text[4:5] == "-" else None
            rows.add((source, key, text.lower()[:100], number, day))
    return rows


def _number(value: Any, *, sqlite: bool) -> float | None:
    if not isinstance(value, str):
        return float(value)
    if sqlite and value.strip() and SQLITE_NUMBER_CHARACTERS.fullmatch(value):
        start = SQLITE_NUMBER_START.match(value)
        return float(start.group()) if start else 0.0
    try:
        return float(value)
    except ValueError:
        return None


def stored(url: str, contact_id: int) -> set[Row]:
    rows = run_sql(
        url,
        "SELECT source, key, text_value, number_value, day_value FROM contact_attribute_values"
        " WHERE contact_id = :contact_id",
        contact_id=contact_id,
    )
    return {
        (source, key, text, None if number is None else float(number), day) for source, key, text, number, day in rows
    }


def test_every_change_of_a_contact_reaches_its_attribute_values(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact(name="Indexed", custom_attributes=CUSTOM, additional_attributes=ADDITIONAL)
    contact_id = contact["id"]
    sqlite = server.database_url.startswith("sqlite")
    assert stored(server.database_url, contact_id) == readings(CUSTOM, ADDITIONAL, sqlite=sqlite)

    changed = {**CUSTOM, "tier": "free", "score": 7}
    answer = admin_api.put(f"/contacts/{contact_id}", json={"custom_attributes": changed})
    assert answer.status_code == 200, answer.text
    now = answer.json()["payload"]["custom_attributes"]
    assert stored(server.database_url, contact_id) == readings(now, ADDITIONAL, sqlite=sqlite)

    answer = admin_api.post(f"/contacts/{contact_id}/destroy_custom_attributes", json={"custom_attributes": ["tier"]})
    assert answer.status_code == 200, answer.text
    now = answer.json()["payload"]["custom_attributes"]
    assert "tier" not in now
    assert stored(server.database_url, contact_id) == readings(now, ADDITIONAL, sqlite=sqlite)

    run_sql(
        server.database_url,
        "UPDATE contacts SET additional_attributes = :attributes WHERE id = :contact_id",
        attributes=json.dumps({"city": "Rome"}),
        contact_id=contact_id,
    )
    assert stored(server.database_url, contact_id) == readings(now, {"city": "Rome"}, sqlite=sqlite)

    assert admin_api.delete(f"/contacts/{contact_id}").status_code == 200
    assert stored(server.database_url, contact_id) == set()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_at_0005(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database migrated to revision 0005 (before the filter's indexes), dropped afterwards."""
    with database_at(request.param, tmp_path, "0005") as url:
        yield url


def _insert_contact(url: str, contact_id: int, custom: str, additional: str) -> None:
    run_sql(
        url,
        "INSERT INTO contacts (id, account_id, name, thumbnail, blocked, additional_attributes, custom_attributes,"
        " created_at, updated_at, version) VALUES (:id, 1, 'Old', '', false, :additional, :custom, 0, 0, 1)",
        id=contact_id,
        custom=custom,
        additional=additional,
    )


def test_upgrading_a_database_fills_the_values_as_the_triggers_would(database_at_0005: str) -> None:
    url = database_at_0005
    sqlite = url.startswith("sqlite")
    run_sql(url, "INSERT INTO accounts (id, name, created_at) VALUES (1, 'Acme', 0)")
    custom, additional = json.dumps(CUSTOM), json.dumps(ADDITIONAL)
    _insert_contact(url, 1, custom, additional)
    _insert_contact(url, 2, "[1, 2]", "{}")  # not an object: no values, and no failure

    command.upgrade(alembic_config(url), "head")
    _insert_contact(url, 3, custom, additional)  # written by the trigger
    assert stored(url, 1) == stored(url, 3) == readings(CUSTOM, ADDITIONAL, sqlite=sqlite)
    assert stored(url, 2) == set()

    command.downgrade(alembic_config(url), "0005")
    assert run_sql(url, "SELECT count(*) FROM contacts") == [(3,)]
    run_sql(url, "UPDATE contacts SET custom_attributes = '{}' WHERE id = 1")  # no trigger left to fail
    command.upgrade(alembic_config(url), "head")
    assert stored(url, 1) == readings({}, ADDITIONAL, sqlite=sqlite)
    assert stored(url, 3) == readings(CUSTOM, ADDITIONAL, sqlite=sqlite)
