"""search and lists served by indexes

SQLite: `contacts_search`, an FTS5 table with the trigram tokenizer over each contact's account, name,
email, phone, identifier and company name (lower-cased as SQLite's `lower()` does, matched case-sensitively,
so a match is exactly `lower(value) LIKE '%q%'`), plus the starts of the name's words and of every value
(after two \\x02 characters, so one- and two-character queries make a trigram too). Contentless, kept in step by
triggers, filled from the existing contacts here.

PostgreSQL: `pg_trgm` GIN indexes on the same expressions the search compares, and a B-tree index in the
list's default order (latest activity first, never-active last, newest id first among equals), so page 500
walks an index instead of sorting the account.

Both: an index for the list sorted by creation.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from server.derived_rows import SEARCH_COLUMNS as COLUMNS
from server.derived_rows import search_backfill, search_values

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UPGRADE = [
    "CREATE VIRTUAL TABLE contacts_search USING fts5("
    f"{COLUMNS}, content='', columnsize=0, tokenize='trigram case_sensitive 1')",
    search_backfill(),
    "CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN "
    f"INSERT INTO contacts_search(rowid, {COLUMNS}) VALUES (new.id, {search_values('new')}); END",
    "CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN "
    f"INSERT INTO contacts_search(contacts_search, rowid, {COLUMNS}) VALUES ('delete', old.id, {search_values('old')}); END",
    "CREATE TRIGGER contacts_search_update AFTER UPDATE OF account_id, name, email, phone_number, identifier, "
    "additional_attributes ON contacts BEGIN "
    f"INSERT INTO contacts_search(contacts_search, rowid, {COLUMNS}) VALUES ('delete', old.id, {search_values('old')}); "
    f"INSERT INTO contacts_search(rowid, {COLUMNS}) VALUES (new.id, {search_values('new')}); END",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS contacts_search_update",
    "DROP TRIGGER IF EXISTS contacts_search_delete",
    "DROP TRIGGER IF EXISTS contacts_search_insert",
    "DROP TABLE IF EXISTS contacts_search",
]
# The expressions server/search.py compares, so the planner matches them to these indexes.
TRIGRAM_INDEXES = {
    "ix_contacts_trgm_name": "lower(name)",
    "ix_contacts_trgm_email": "email",
    "ix_contacts_trgm_phone": "phone_number",
    "ix_contacts_trgm_identifier": "lower(identifier)",
    "ix_contacts_trgm_company": "lower(additional_attributes ->> 'company_name')",
}
POSTGRES_UPGRADE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"CREATE INDEX {name} ON contacts USING gin (({expression}) gin_trgm_ops)"
        for name, expression in TRIGRAM_INDEXES.items()
    ),
    "CREATE INDEX ix_contacts_account_activity_order ON contacts "
    "(account_id, last_activity_at DESC NULLS LAST, id DESC)",
]
POSTGRES_DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_contacts_account_activity_order",
    *(f"DROP INDEX IF EXISTS {name}" for name in TRIGRAM_INDEXES),
]


def upgrade() -> None:
    statements = SQLITE_UPGRADE if op.get_bind().dialect.name == "sqlite" else POSTGRES_UPGRADE
    for statement in statements:
        op.execute(statement)
    op.create_index("ix_contacts_account_created", "contacts", ["account_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_contacts_account_created", table_name="contacts")
    statements = SQLITE_DOWNGRADE if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWNGRADE
    for statement in statements:
        op.execute(statement)
