"""Writing imported contacts: a batch of checked rows at a time, each new contact with its "created" trail entry, in
one transaction per batch. A row whose email, phone number or identifier another contact of the account has is
rejected instead (naming that contact) and writes nothing.

SQLite (a file): on a connection of its own, in a thread, holding the process's write turn and SQLite's write lock
from the look for taken values to the commit, so nobody takes a value in between. The triggers that derive the
search table's and the filter's rows from a new contact (migrations 0005, 0006) are dropped for the batch and what
they would write is written once for the whole batch (server.derived_rows), as the bulk loader does: row by row
they made 100,000 contacts take 47 s instead of 10. All inside the transaction, triggers included: nobody sees
them missing.

Elsewhere (PostgreSQL): `INSERT ... ON CONFLICT DO NOTHING RETURNING`, so a value another writer took since the
look rejects its row instead of failing the batch.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from api.error_codes import ErrorCode
from api.validation import FieldProblem
from server import models
from server.contact_import import UNIQUE_FIELDS, ImportRow, RowProblem
from server.db import plan_for_a_page
from server.derived_rows import attribute_values_insert, insert_triggers_off, search_backfill, sqlite_writing
from server.runtime import ServerRuntime

CONTACTS = cast(Table, models.Contact.__table__)
EVENTS = cast(Table, models.ContactEvent.__table__)
LOOKUP_CHUNK = 500  # values per IN (...) when looking for taken values
IMPORT_PRAGMAS = ("PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL")  # as the server's own connections
CONTACT_COLUMNS = (
    "account_id",
    "name",
    "email",
    "phone_number",
    "identifier",
    "thumbnail",
    "blocked",
    "additional_attributes",
    "custom_attributes",
    "last_activity_at",
    "created_at",
    "updated_at",
    "version",
)
_INSERT_SQLITE = f"INSERT INTO contacts ({', '.join(CONTACT_COLUMNS)}) VALUES ({', '.join('?' * len(CONTACT_COLUMNS))})"
_NEW_IDS = "contacts.id BETWEEN :first AND :last"
_CREATED_SQLITE = (
    "INSERT INTO contact_events (account_id, contact_id, kind, field, old_value, new_value, agent_id, created_at) "
    f"SELECT account_id, id, 'created', NULL, 'null', 'null', :agent, :moment FROM contacts WHERE {_NEW_IDS}"
)


def contact_values(account_id: int, row: ImportRow, moment: int) -> dict[str, Any]:
    """The new contact's columns."""
    fields = row.fields
    return {
        "account_id": account_id,
        "name": fields.get("name") or "",
        "email": fields.get("email"),
        "phone_number": fields.get("phone_number"),
        "identifier": fields.get("identifier"),
        "thumbnail": "",
        "blocked": bool(fields.get("blocked", False)),
        "additional_attributes": fields.get("additional_attributes") or {},
        "custom_attributes": fields.get("custom_attributes") or {},
        "last_activity_at": None,
        "created_at": moment,
        "updated_at": moment,
        "version": 1,
    }


def _wanted(rows: Sequence[ImportRow]) -> dict[str, list[str]]:
    """The unique values of the rows still to write, by field."""
    wanted: dict[str, list[str]] = {name: [] for name in UNIQUE_FIELDS}
    for row in rows:
        if not row.rejected:
            for name, value in row.unique_values():
                wanted[name].append(value)
    return wanted


def _reject_taken(rows: Sequence[ImportRow], taken: dict[tuple[str, str], int]) -> None:
    """Reject the rows having a value another contact has (`taken`: field and value -> that contact's id)."""
    for row in rows:
        if row.rejected:
            continue
        for name, value in row.unique_values():
            contact_id = taken.get((name, value))
            if contact_id is not None:
                problem = FieldProblem(field=name, code=ErrorCode.TAKEN)
                row.problems.append(
                    RowProblem(field=name, code=ErrorCode.TAKEN, message=problem.message, contact_id=contact_id)
                )
        if row.rejected:
            row.fields = {}


def _taken_sqlite(connection: sqlite3.Connection, account_id: int, rows: Sequence[ImportRow]) -> None:
    taken: dict[tuple[str, str], int] = {}
    for name, values in _wanted(rows).items():
        for start in range(0, len(values), LOOKUP_CHUNK):
            chunk = values[start : start + LOOKUP_CHUNK]
            marks = ", ".join("?" * len(chunk))
            found = connection.execute(
                f"SELECT id, {name} FROM contacts WHERE account_id = ? AND {name} IN ({marks})",
                [account_id, *chunk],
            )
            taken.update({(name, value): contact_id for contact_id, value in found})
    _reject_taken(rows, taken)


def _sqlite_cell(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict) else value


def write_sqlite_batch(database: str, account_id: int, agent_id: int, moment: int, rows: Sequence[ImportRow]) -> int:
    """Write a batch into a SQLite file (blocking; run in a thread); returns how many contacts it added."""
    with sqlite_writing(database, IMPORT_PRAGMAS) as connection:
        _taken_sqlite(connection, account_id, rows)
        fresh = [row for row in rows if not row.rejected]
        if not fresh:
            return 0
        with insert_triggers_off(connection):
            values = [contact_values(account_id, row, moment) for row in fresh]
            connection.executemany(_INSERT_SQLITE, [[_sqlite_cell(v[c]) for c in CONTACT_COLUMNS] for v in values])
            last = connection.execute("SELECT last_insert_rowid()").fetchone()[0]
            # With the write lock held, AUTOINCREMENT gave the batch consecutive ids ending at the last one.
            span = {"first": last - len(fresh) + 1, "last": last}
            connection.execute(search_backfill(_NEW_IDS), span)
            connection.execute(attribute_values_insert("contacts", _NEW_IDS), span)
        connection.execute(_CREATED_SQLITE, {**span, "agent": agent_id, "moment": moment})
    return len(fresh)


async def _taken(connection: AsyncConnection, account_id: int, rows: Sequence[ImportRow]) -> None:
    # Looked up by `lower(column)`, whose indexes hold no account (migration 0006), with the account checked here:
    # an import grows the account faster than PostgreSQL's statistics follow, and, the account guessed small, its
    # planner scanned the whole account for every lookup by (account_id, value), each batch slower than the last
    # (100,000 rows took 11 minutes). Emails are stored lower-case and phone numbers have no case; an identifier
    # is compared as written below.
    await plan_for_a_page(connection, enable_seqscan="off")
    taken: dict[tuple[str, str], int] = {}
    for name, values in _wanted(rows).items():
        column = CONTACTS.c[name]
        for start in range(0, len(values), LOOKUP_CHUNK):
            chunk = values[start : start + LOOKUP_CHUNK]
            found = await connection.execute(
                select(CONTACTS.c.id, CONTACTS.c.account_id, column).where(
                    func.lower(column).in_({value.lower() for value in chunk})
                )
            )
            wanted = set(chunk)
            taken.update({(name, row[2]): int(row[0]) for row in found if row[1] == account_id and row[2] in wanted})
    _reject_taken(rows, taken)


def _inserted(row: ImportRow, returned: set[tuple[str, str]]) -> bool:
    """Whether the row's contact was inserted: a row whose value another writer took just now was not (the file's
    rows share no value, and a row with no unique value cannot conflict)."""
    values = list(row.unique_values())
    return not values or values[0] in returned


async def write_batch_conflict_safe(
    connection: AsyncConnection, account_id: int, agent_id: int, moment: int, rows: Sequence[ImportRow]
) -> int:
    """Write a batch in the connection's transaction, a value taken meanwhile rejecting its row; returns how many
    contacts it added."""
    await _taken(connection, account_id, rows)
    fresh = [row for row in rows if not row.rejected]
    if not fresh:
        return 0
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(CONTACTS)
        .on_conflict_do_nothing()
        .returning(CONTACTS.c.id, *(CONTACTS.c[name] for name in UNIQUE_FIELDS))
    )
    written = list(await connection.execute(statement, [contact_values(account_id, row, moment) for row in fresh]))
    returned = {(name, row[index + 1]) for row in written for index, name in enumerate(UNIQUE_FIELDS) if row[index + 1]}
    lost = [row for row in fresh if not _inserted(row, returned)]
    if lost:
        await _taken(connection, account_id, lost)
    if written:
        created = [
            {
                "account_id": account_id,
                "contact_id": row.id,
                "kind": "created",
                "field": None,
                "old_value": None,
                "new_value": None,
                "agent_id": agent_id,
                "created_at": moment,
            }
            for row in written
        ]
        await connection.execute(insert(EVENTS), created)
    return len(written)


def sqlite_file(runtime: ServerRuntime) -> str | None:
    """The database's file when it is SQLite on a file (the fast path), else None."""
    url = make_url(runtime.settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return url.database
    return None


async def write_batch(
    runtime: ServerRuntime, account_id: int, agent_id: int, moment: int, rows: list[ImportRow]
) -> int:
    """Write a batch of checked rows; rows found taken get their problems. Returns how many contacts were added."""
    database = sqlite_file(runtime)
    async with runtime.write_turn:
        if database is not None:
            return await asyncio.to_thread(write_sqlite_batch, database, account_id, agent_id, moment, rows)
        async with runtime.engine.begin() as connection:
            return await write_batch_conflict_safe(connection, account_id, agent_id, moment, rows)
