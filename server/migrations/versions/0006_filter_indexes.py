"""indexes for the contact filter: attribute values by key, labels by title, lower-cased columns

`contact_attribute_values` holds one row per contact and top-level attribute key (every custom attribute,
and the additional attributes the filter reads: city, country_code, company) with the value as the filter
reads it (server.contact_filter): text (lower-cased, its first 100 characters: an index entry has a size
limit), number, day. Triggers on `contacts` keep it in step on both databases, so every writer (the API, the
seed, a raw SQL update) is covered; it is filled from the existing contacts here. Indexed by
(account_id, source, key, value), it finds "plan = pro", "seats > 10", "signed_up before a day" or "has a
plan" from an index, the same way on SQLite and PostgreSQL. Why not the alternatives:

- expression indexes per key (`json_extract(custom_attributes, '$.plan')`): SQLite has no index over every
  key of a JSON object, so there would be one per key and type, created when a definition is (and dropped),
  a table-long build holding SQLite's one writer lock, and on PostgreSQL `CREATE INDEX CONCURRENTLY` outside
  the request's transaction; keys an account has no definition for yet would have none.
- PostgreSQL's GIN (`jsonb_path_ops` on `custom_attributes::jsonb`): it answers containment only, i.e. exact,
  case-sensitive equality of the JSON value, where the filter compares lower-cased text, numbers that may be
  stored as text, ranges and days; and SQLite would still need something else.

The cost: about three rows per contact here (the bulk contacts' two attributes and city, country_code), and
a write of a contact's attributes rewrites its rows.

Also: `contact_labels (title, contact_id)`, so a label's contacts are found without visiting every contact,
and `lower(column)` for name, email, phone number and identifier, the filter's case-insensitive equality
(without account_id in front: beside an account's equality SQLite's planner would rather scan the account).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.derived_rows import ADDITIONAL_KEYS, ATTRIBUTE_VALUES, TEXT_PREFIX, attribute_values_insert

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = ATTRIBUTE_VALUES
LOWERED_COLUMNS = ("name", "email", "phone_number", "identifier")
SQLITE_TRIGGERS = (
    "contact_attribute_values_insert",
    "contact_attribute_values_update",
    "contact_attribute_values_delete",
)


def _each_contact(row: str) -> str:
    """The backfill reads every contact; a trigger reads its row (NEW), which needs no FROM."""
    return "contacts, " if row == "contacts" else ""


# SQLite's statements are server.derived_rows' (the bulk loader uses them too).
# PostgreSQL: per distinct key of a `json` object (json keeps a key sent twice; `->>` reads the last).
_PG_NUMBER_PATTERN = r"^\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]{1,3})?\s*$"


def _pg_rows(row: str, column: str, source: str, keys: str) -> str:
    attributes = f"{row}.{column}"
    value, text = f"{attributes} -> k.key", f"{attributes} ->> k.key"
    number = (
        f"CASE WHEN json_typeof({value}) = 'number' THEN CAST({text} AS NUMERIC)"
        f" WHEN json_typeof({value}) = 'string' AND ({text}) ~ '{_PG_NUMBER_PATTERN}' THEN CAST({text} AS NUMERIC) END"
    )
    day = f"CASE WHEN ({text}) ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}' THEN substr({text}, 1, 10) END"
    guarded = f"CASE WHEN json_typeof({attributes}) = 'object' THEN {attributes} ELSE '{{}}'::json END"
    return (
        f"SELECT {row}.id, {row}.account_id, '{source}', k.key, substr(lower({text}), 1, {TEXT_PREFIX}),"
        f" {number}, {day} FROM {_each_contact(row)}LATERAL (SELECT DISTINCT json_object_keys({guarded}) AS key) AS k"
        f" WHERE ({text}) IS NOT NULL{keys}"
    )


def _pg_insert(row: str) -> str:
    columns = "contact_id, account_id, source, key, text_value, number_value, day_value"
    return (
        f"INSERT INTO {TABLE} ({columns}) {_pg_rows(row, 'custom_attributes', 'custom', '')}"
        f" UNION ALL {_pg_rows(row, 'additional_attributes', 'additional', f' AND k.key IN {ADDITIONAL_KEYS}')}"
    )


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        TABLE,
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("text_value", sa.String(length=TEXT_PREFIX), nullable=True),
        sa.Column("number_value", sa.Numeric() if postgres else sa.Float(), nullable=True),
        sa.Column("day_value", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("contact_id", "source", "key"),
        sqlite_with_rowid=False,  # the key is the row: no second copy of it, and indexes end with contact_id
    )
    if postgres:
        op.execute(
            f"""
            CREATE FUNCTION contact_attribute_values_sync() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN
                    DELETE FROM {TABLE} WHERE contact_id = OLD.id;
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    {_pg_insert("NEW")};
                END IF;
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER contact_attribute_values_sync AFTER INSERT OR DELETE"
            " OR UPDATE OF custom_attributes, additional_attributes ON contacts"
            " FOR EACH ROW EXECUTE FUNCTION contact_attribute_values_sync()"
        )
        op.execute(_pg_insert("contacts"))
    else:
        op.execute(f"CREATE TRIGGER {SQLITE_TRIGGERS[0]} AFTER INSERT ON contacts BEGIN {attribute_values_insert('NEW')}; END")
        op.execute(
            f"CREATE TRIGGER {SQLITE_TRIGGERS[1]} AFTER UPDATE OF custom_attributes, additional_attributes ON contacts"
            f" BEGIN DELETE FROM {TABLE} WHERE contact_id = OLD.id; {attribute_values_insert('NEW')}; END"
        )
        op.execute(
            f"CREATE TRIGGER {SQLITE_TRIGGERS[2]} AFTER DELETE ON contacts"
            f" BEGIN DELETE FROM {TABLE} WHERE contact_id = OLD.id; END"
        )
        op.execute(attribute_values_insert("contacts"))
    # After the backfill: one sorted build is quicker than a million inserts into it.
    op.create_index(
        "ix_contact_attribute_values_text", TABLE, ["account_id", "source", "key", "text_value", "contact_id"]
    )
    op.create_index(
        "ix_contact_attribute_values_number",
        TABLE,
        ["account_id", "source", "key", "number_value", "contact_id"],
        sqlite_where=sa.text("number_value IS NOT NULL"),
        postgresql_where=sa.text("number_value IS NOT NULL"),
    )
    op.create_index(
        "ix_contact_attribute_values_day",
        TABLE,
        ["account_id", "source", "key", "day_value", "contact_id"],
        sqlite_where=sa.text("day_value IS NOT NULL"),
        postgresql_where=sa.text("day_value IS NOT NULL"),
    )
    op.create_index("ix_contact_labels_title", "contact_labels", ["title", "contact_id"])
    for column in LOWERED_COLUMNS:  # the filter compares these lower-cased
        op.create_index(f"ix_contacts_lower_{column}", "contacts", [sa.text(f"lower({column})")])


def downgrade() -> None:
    for column in LOWERED_COLUMNS:
        op.drop_index(f"ix_contacts_lower_{column}", table_name="contacts")
    op.drop_index("ix_contact_labels_title", table_name="contact_labels")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER contact_attribute_values_sync ON contacts")
        op.execute("DROP FUNCTION contact_attribute_values_sync()")
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {trigger}")
    op.drop_table(TABLE)
