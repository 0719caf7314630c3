"""ids never reused, the activity trail tied to its contact, numbers JSON clients cannot hold repaired

SQLite: every table with an integer surrogate key is rebuilt as AUTOINCREMENT, each sequence starting above
the highest id still named anywhere (an id deleted before this migration is not given out again either).
PostgreSQL's sequences never go back, so there it is not needed.

Both: `contact_events.contact_id` gets its foreign key (ON DELETE CASCADE) once the trail of contacts already
deleted is gone, and integers outside +-(2**53 - 1) in attribute objects and the trail become their decimal
strings (they made every page holding them answer 500).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_SAFE_INTEGER = 2**53 - 1
EVENTS_CONTACT_KEY = "contact_events_contact_id_fkey"
# Created by 0001 without AUTOINCREMENT (agent_sessions, from 0002, has it already).
TABLES = (
    "accounts",
    "agents",
    "inboxes",
    "contacts",
    "contact_inboxes",
    "conversations",
    "messages",
    "labels",
    "custom_attribute_definitions",
    "notes",
    "contact_events",
)
# Where an id may still be named after its row was deleted: (table, column, condition).
REFERENCES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "accounts": (("contact_events", "account_id", ""),),
    "agents": (
        ("contact_events", "agent_id", ""),
        ("notes", "agent_id", ""),
        ("conversations", "assignee_id", ""),
        ("messages", "sender_id", "sender_type != 'contact'"),
    ),
    "contacts": (
        ("contact_events", "contact_id", ""),
        ("notes", "contact_id", ""),
        ("conversations", "contact_id", ""),
        ("contact_inboxes", "contact_id", ""),
        ("contact_labels", "contact_id", ""),
        ("messages", "sender_id", "sender_type = 'contact'"),
    ),
    "conversations": (("messages", "conversation_id", ""),),
    "inboxes": (("contact_inboxes", "inbox_id", ""), ("conversations", "inbox_id", "")),
}
# JSON columns that hold what clients sent, with their table's key.
JSON_COLUMNS = (
    ("contacts", "additional_attributes"),
    ("contacts", "custom_attributes"),
    ("conversations", "additional_attributes"),
    ("conversations", "custom_attributes"),
    ("contact_events", "old_value"),
    ("contact_events", "new_value"),
)
CHUNK = 1000
DELETE_ORPHANED_EVENTS = (
    "DELETE FROM contact_events WHERE NOT EXISTS (SELECT 1 FROM contacts WHERE contacts.id = contact_events.contact_id)"
)
# Every integer beyond 2**53 - 1 has at least 16 digits: only such rows are parsed in Python.
SIXTEEN_DIGITS_GLOB = "*" + "[0-9]" * 16 + "*"
SIXTEEN_DIGITS_REGEX = "[0-9]{16}"


def upgrade() -> None:
    bind = op.get_bind()
    repair_unsafe_integers(bind)
    if bind.dialect.name == "sqlite":
        rebuild_with_autoincrement(bind)
    else:
        op.execute(DELETE_ORPHANED_EVENTS)
        op.create_foreign_key(
            EVENTS_CONTACT_KEY, "contact_events", "contacts", ["contact_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    """Drops the trail's foreign key; ids stay never reused and repaired numbers stay strings."""
    if op.get_bind().dialect.name == "sqlite":
        autoincrement = {"sqlite_autoincrement": True}
        with op.batch_alter_table("contact_events", recreate="always", table_kwargs=autoincrement) as batch:
            batch.drop_constraint(EVENTS_CONTACT_KEY, type_="foreignkey")
    else:
        op.drop_constraint(EVENTS_CONTACT_KEY, "contact_events", type_="foreignkey")


def rebuild_with_autoincrement(bind: Connection) -> None:
    """Rebuild each table as AUTOINCREMENT, rows and indexes kept, sequences above every id still named."""
    # Rebuilding drops each old table: with foreign keys on, that would cascade into its children's rows.
    op.execute("PRAGMA foreign_keys=OFF")
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("Migration 0003 must run with SQLite foreign keys off (it rebuilds parent tables)")
    floors = {table: highest_id_named(bind, table) for table in TABLES}
    op.execute(DELETE_ORPHANED_EVENTS)
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}) as batch:
            if table == "contact_events":
                batch.create_foreign_key(EVENTS_CONTACT_KEY, "contacts", ["contact_id"], ["id"], ondelete="CASCADE")
    for table, floor in floors.items():
        if floor:
            bind.execute(
                sa.text("UPDATE sqlite_sequence SET seq = :floor WHERE name = :table AND seq < :floor"),
                {"table": table, "floor": floor},
            )
            bind.execute(
                sa.text(
                    "INSERT INTO sqlite_sequence (name, seq) SELECT :table, :floor"
                    " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = :table)"
                ),
                {"table": table, "floor": floor},
            )
    problems = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if problems:
        raise RuntimeError(f"Migration 0003 left rows whose foreign keys name no row: {problems[:10]}")


def highest_id_named(bind: Connection, table: str) -> int:
    """The table's highest id, or a higher one still named by another table's column."""
    queries = [f"SELECT max(id) FROM {table}"]
    for child, column, condition in REFERENCES.get(table, ()):
        queries.append(f"SELECT max({column}) FROM {child}" + (f" WHERE {condition}" if condition else ""))
    return max(int(bind.execute(sa.text(query)).scalar() or 0) for query in queries)


def repair_unsafe_integers(bind: Connection) -> None:
    """Replace each integer a JSON client cannot hold exactly with its decimal string, in every JSON column."""
    sqlite = bind.dialect.name == "sqlite"
    for table, column in JSON_COLUMNS:
        candidate = f"{column} GLOB '{SIXTEEN_DIGITS_GLOB}'" if sqlite else f"{column}::text ~ '{SIXTEEN_DIGITS_REGEX}'"
        read = sa.text(
            f"SELECT id, {column}{'' if sqlite else '::text'} FROM {table}"
            f" WHERE id > :after AND {candidate} ORDER BY id LIMIT {CHUNK}"
        )
        value = ":value" if sqlite else "CAST(:value AS json)"
        write = sa.text(f"UPDATE {table} SET {column} = {value} WHERE id = :id")
        after = 0
        while rows := bind.execute(read, {"after": after}).all():
            after = rows[-1][0]
            repaired = []
            for row_id, stored in rows:
                value, changed = without_unsafe_integers(json.loads(stored))
                if changed:
                    repaired.append({"id": row_id, "value": json.dumps(value)})
            if repaired:
                bind.execute(write, repaired)


def without_unsafe_integers(value: Any) -> tuple[Any, bool]:
    """The value with unsafe integers as decimal strings, and whether any was found."""
    if isinstance(value, bool):
        return value, False
    if isinstance(value, int):
        return (str(value), True) if abs(value) > MAX_SAFE_INTEGER else (value, False)
    if isinstance(value, list):
        items = [without_unsafe_integers(item) for item in value]
        return [item for item, _ in items], any(changed for _, changed in items)
    if isinstance(value, dict):
        pairs = {key: without_unsafe_integers(item) for key, item in value.items()}
        return {key: item for key, (item, _) in pairs.items()}, any(changed for _, changed in pairs.values())
    return value, False
