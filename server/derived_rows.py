"""SQLite SQL that derives rows from contacts: the search table's (migration 0005) and the filter's attribute
values (migration 0006).

The migrations' triggers run it for one row (`new`, `NEW`); their backfills, and the bulk loader of
server/seed/writer.py after a load with the triggers off, for many (`contacts`, optionally narrowed by a condition).
One text for both, so what a trigger writes and what a backfill writes cannot drift apart. Also the transaction
such a bulk write runs in, with the triggers off (`sqlite_writing`, `insert_triggers_off`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

SEARCH_COLUMNS = "account, name, email, phone_number, identifier, company, name_starts, starts"
ATTRIBUTE_VALUES = "contact_attribute_values"
# The standard filter keys that read additional_attributes (server.contact_filter.STANDARD_ATTRIBUTES).
ADDITIONAL_KEYS = "('city', 'country_code', 'company')"
TEXT_PREFIX = 100
# The triggers that write these rows for a new contact (migrations 0005 and 0006).
INSERT_TRIGGERS = ("contacts_search_insert", "contact_attribute_values_insert")


def _starts(value: str) -> str:
    """Each word start of a lower-cased value marked by two \\x02 characters."""
    return f"char(2, 2) || replace(lower(coalesce({value}, '')), ' ', ' ' || char(2, 2))"


def search_values(row: str) -> str:
    """The search table's row of a contacts row (`new` or `old` in a trigger, `contacts` in a backfill)."""
    company = f"json_extract({row}.additional_attributes, '$.company_name')"
    fields = [f"{row}.name", f"{row}.email", f"{row}.phone_number", f"{row}.identifier", company]
    return ", ".join(
        [
            f"'#' || {row}.account_id || '#'",
            *(f"lower({field})" for field in fields),
            _starts(f"{row}.name"),
            " || ' ' || ".join(_starts(field) for field in fields),
        ]
    )


def search_backfill(condition: str = "") -> str:
    """INSERT of the search rows of every contact (or of those meeting `condition`, SQL on `contacts`)."""
    where = f" WHERE {condition}" if condition else ""
    return (
        f"INSERT INTO contacts_search(rowid, {SEARCH_COLUMNS}) SELECT contacts.id, {search_values('contacts')}"
        f" FROM contacts{where}"
    )


# The readings below are server.contact_filter's `_json_text`, `_json_number` and `_json_day`, per key, over
# json_each's rows `j` of a contact's attributes (only objects: json_each of anything else lists array items or
# nothing; malformed JSON reads as no attributes rather than failing the write).
_TEXT = "CASE WHEN j.type IN ('true', 'false') THEN j.type ELSE j.value END"
_NUMBER = (
    "CASE WHEN j.type IN ('integer', 'real') THEN j.value"
    " WHEN j.type = 'text' AND trim(j.value) != '' AND trim(j.value) NOT GLOB '*[^0-9.eE+ -]*'"
    " AND trim(j.value) NOT GLOB '*[eE][0-9][0-9][0-9][0-9]*'"
    " AND trim(j.value) NOT GLOB '*[eE][-+][0-9][0-9][0-9][0-9]*' THEN CAST(j.value AS REAL) END"
)
_DAY = f"CASE WHEN ({_TEXT}) GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr({_TEXT}, 1, 10) END"


def _attribute_rows(row: str, column: str, source: str, keys: str) -> str:
    """SELECT of the value rows of `row`'s `column` (row: NEW, or contacts for a backfill)."""
    attributes = f"{row}.{column}"
    guarded = f"CASE WHEN json_valid({attributes}) AND json_type({attributes}) = 'object' THEN {attributes} END"
    each_contact = "contacts, " if row == "contacts" else ""  # a trigger reads its row (NEW), which needs no FROM
    return (
        f"SELECT {row}.id, {row}.account_id, '{source}', j.key, substr(lower({_TEXT}), 1, {TEXT_PREFIX}),"
        f" {_NUMBER}, {_DAY} FROM {each_contact}json_each(coalesce({guarded}, '{{}}')) AS j"
        f" WHERE j.type != 'null'{keys}"
    )


def attribute_values_insert(row: str, condition: str = "") -> str:
    """INSERT of the attribute value rows of `row` (NEW in a trigger; contacts in a backfill, all of them or those
    meeting `condition`)."""
    columns = "contact_id, account_id, source, key, text_value, number_value, day_value"
    narrowed = f" AND {condition}" if condition else ""
    custom = _attribute_rows(row, "custom_attributes", "custom", narrowed)
    additional = _attribute_rows(
        row, "additional_attributes", "additional", f" AND j.key IN {ADDITIONAL_KEYS}{narrowed}"
    )
    # OR IGNORE: JSON text with a key twice (only a raw write makes one) keeps one row rather than failing.
    return f"INSERT OR IGNORE INTO {ATTRIBUTE_VALUES} ({columns}) {custom} UNION ALL {additional}"


@contextmanager
def sqlite_writing(database: str, pragmas: Sequence[str] = ()) -> Iterator[sqlite3.Connection]:
    """A connection of its own to a SQLite file, holding the write lock for the block (`BEGIN IMMEDIATE`, after
    `pragmas`): committed when the block ends, rolled back if it raises, closed either way."""
    connection = sqlite3.connect(database, timeout=30, isolation_level=None)
    try:
        for pragma in pragmas:
            connection.execute(pragma)
        connection.execute("BEGIN IMMEDIATE")
        yield connection
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()


@contextmanager
def insert_triggers_off(connection: sqlite3.Connection) -> Iterator[None]:
    """The triggers that derive rows from a new contact, dropped for the block and made again after it, in the
    connection's transaction (nobody sees them missing). The block writes what they would have: `search_backfill`
    and `attribute_values_insert` over its new contacts, one statement each instead of one per row."""
    triggers = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)", INSERT_TRIGGERS
    ).fetchall()
    for name, _sql in triggers:
        connection.execute(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in triggers:
        connection.execute(sql)
