"""Search answers what a plain Python scan of the same contacts answers, page by page, on SQLite and PostgreSQL.

The scan is the definition (server/search.py): a query of three or more characters is a substring of a
lower-cased name, email, phone, identifier or company name; a shorter one starts one of them or a word of
them; an equal email or phone ranks first, a name (or a word of it) starting with the query next, then the rest,
each group in the requested sort. The bounds are made small here, so a few contacts take every path a million
do: the groups sorted from their ids, the groups read by walking the sort's index (its first rows first, for
the early pages), counts capped. Searches also run with statistics that call some words common, so the trigram
indexes are asked for the others.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from server import models, search
from server.db import create_engine, migrate_sync, sessions
from server.routes.contacts import _order
from server.search import ContactPages, needle
from server.value_samples import STATISTICS, ValueSample
from tests.support.databases import create_postgres_database, drop_postgres_database

ACCOUNT, OTHER_ACCOUNT = 1, 2
PAGE = 3
# Upper-case letters fold alike in both databases only when ASCII: PostgreSQL folds every letter, SQLite ASCII.
ALPHABET = "abcAB é-"
SORTS = ("-last_activity_at", "last_activity_at", "-created_at", "created_at")
BOUNDS: dict[str, dict[str, Any]] = {
    "small": {"SORTED_FROM_MATCHES": 2, "SEARCH_COUNT_LIMIT": 4, "COUNT_LIMIT": 5, "FIRST_ROWS": 4, "EARLY_MATCHES": 6},
    "as deployed": {
        "FIRST_ROWS": search.FIRST_ROWS,
        "EARLY_MATCHES": search.EARLY_MATCHES,
        "SORTED_FROM_MATCHES": search.SORTED_FROM_MATCHES,
        "SEARCH_COUNT_LIMIT": search.SEARCH_COUNT_LIMIT,
        "COUNT_LIMIT": search.COUNT_LIMIT,
    },
}


@dataclass(kw_only=True, slots=True)
class Database:
    engine: AsyncEngine
    loop: asyncio.AbstractEventLoop
    dialect: str


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('search') / 'contacts.db'}"
    else:
        url = create_postgres_database()
    loop = asyncio.new_event_loop()
    try:
        migrate_sync(url)
        engine = create_engine(url)

        async def accounts() -> None:
            async with engine.begin() as connection:
                await connection.execute(
                    insert(models.Account), [{"id": ACCOUNT, "name": "one"}, {"id": OTHER_ACCOUNT, "name": "two"}]
                )

        loop.run_until_complete(accounts())
        yield Database(engine=engine, loop=loop, dialect=request.param)
        loop.run_until_complete(engine.dispose())
    finally:
        loop.close()
        if request.param == "postgres":
            drop_postgres_database(url)


words = st.text(alphabet=ALPHABET, min_size=0, max_size=7)
contact_rows = st.lists(
    st.fixed_dictionaries(
        {
            "account_id": st.sampled_from([ACCOUNT, ACCOUNT, ACCOUNT, OTHER_ACCOUNT]),
            "name": words,
            "email": st.none() | words.map(lambda word: f"{word.lower()}@x.io"),
            "phone_number": st.none() | st.text(alphabet="+12", min_size=1, max_size=4),
            "identifier": st.none() | words,
            "company": st.none() | words,
            "last_activity_at": st.none() | st.integers(1, 3),
            "created_at": st.integers(1, 3),
        }
    ),
    max_size=14,
)
queries = st.lists(words.filter(lambda word: bool(needle(word))), min_size=1, max_size=3)
# Values of several words, some shared by many contacts (a domain, a surname, a company), as real ones are.
parts = st.text(alphabet="abcé", min_size=3, max_size=5)
worded_rows = st.lists(
    st.fixed_dictionaries(
        {
            "account_id": st.sampled_from([ACCOUNT, ACCOUNT, ACCOUNT, OTHER_ACCOUNT]),
            "name": st.builds("{} {}".format, parts, st.sampled_from(["Smith", "Abcé", "Jones"])),
            "email": st.none()
            | st.builds("{}-{}@{}".format, parts, st.integers(0, 99), st.sampled_from(["load.example", "mail.test"])),
            "phone_number": st.none() | st.integers(100, 999).map(lambda number: f"+49{number}"),
            "identifier": st.none() | st.integers(0, 99).map(lambda number: f"id-{number}-shared"),
            "company": st.none() | st.sampled_from(["Acme Works", "Abc Holdings", "Works Abc"]),
            "last_activity_at": st.none() | st.integers(1, 3),
            "created_at": st.integers(1, 3),
        }
    ),
    max_size=14,
)


def _fold(value: str, dialect: str) -> str:
    """The lower-casing each database does: SQLite's lower() and LIKE know ASCII letters only."""
    if dialect == "sqlite":
        return "".join(char.lower() if char.isascii() else char for char in value)
    return value.lower()


def _starts(value: str, text: str) -> bool:
    return value.startswith(text) or f" {text}" in value


def _expected(rows: list[dict[str, Any]], query: str, sort: str, dialect: str) -> list[int]:
    """The search's answer by scanning every row."""
    text = needle(query)
    found = []
    for row in rows:
        if row["account_id"] != ACCOUNT:
            continue
        values = [_fold(row[field] or "", dialect) for field in ("name", "email", "phone_number", "identifier")]
        values.append(_fold(row["company"] or "", dialect))
        hit = any(_starts(value, text) for value in values) if len(text) < 3 else any(text in v for v in values)
        if not hit:
            continue
        rank = 0 if text in (row["email"], row["phone_number"]) else 1 if _starts(values[0], text) else 2
        key = sort.lstrip("-")
        value = row[key]
        if value is None:
            order: tuple[Any, ...] = (1, 0)
        else:
            order = (0, -value if sort.startswith("-") else value)
        found.append(((rank, *order, -row["id"]), row["id"]))
    return [contact_id for _, contact_id in sorted(found)]


async def _replace_contacts(database: Database, rows: list[dict[str, Any]]) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(delete(models.Contact))
        seen: set[tuple[int, str, Any]] = set()
        for row in rows:
            for field in ("email", "phone_number", "identifier"):
                if row[field] is not None and (row["account_id"], field, row[field]) in seen:
                    row[field] = None
                seen.add((row["account_id"], field, row[field]))
            values = {key: value for key, value in row.items() if key != "company"}
            values["additional_attributes"] = {} if row["company"] is None else {"company_name": row["company"]}
            result = await connection.execute(insert(models.Contact).values(**values).returning(models.Contact.id))
            row["id"] = result.scalar_one()


# Statistics in which the values many contacts share are common: their words are left to the recheck.
SHARED = (
    ("smith", "abcé", "jones"),
    ("@load.example", "@mail.test"),
    ("+49",),
    ("-shared",),
    ("acme works", "abc holdings", "works abc"),
)
SHARED_SAMPLES = tuple(
    ValueSample(common=[(value, 0.3) for value in values], spread=[], spread_share=0.1) for values in SHARED
)


async def _pages(database: Database, query: str, sort: str) -> list[search.PageIds]:
    factory = sessions(database.engine)
    answers = []
    async with factory() as session:
        pages = ContactPages(session, ACCOUNT, _order(sort), exact_count=False)
        offset = 0
        while True:
            answer = await pages.search(query, offset, PAGE)
            answers.append(answer)
            if not answer.has_more or offset > 60:
                return answers
            offset += PAGE


@pytest.mark.parametrize("bounds", BOUNDS.values(), ids=BOUNDS.keys())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=contact_rows, searched=queries, sort=st.sampled_from(SORTS))
def test_search_pages_equal_a_scan(
    database: Database, bounds: dict[str, Any], rows: list[dict[str, Any]], searched: list[str], sort: str
) -> None:
    database.loop.run_until_complete(_replace_contacts(database, rows))
    for query in searched:
        expected = _expected(rows, query, sort, database.dialect)
        with mock.patch.multiple(search, **bounds):
            answers = database.loop.run_until_complete(_pages(database, query, sort))
        got = [contact_id for answer in answers for contact_id in answer.ids]
        assert got == expected, (query, sort)
        limit = bounds["SEARCH_COUNT_LIMIT"]
        for number, answer in enumerate(answers):
            if answer.capped:
                assert limit < len(expected) and limit <= answer.count <= len(expected)
            else:
                assert answer.count == len(expected), (query, number)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=worded_rows, data=st.data(), sort=st.sampled_from(SORTS))
def test_a_search_for_values_of_common_and_rare_words_equals_a_scan(
    database: Database, rows: list[dict[str, Any]], data: st.DataObject, sort: str
) -> None:
    """Whole values and pieces of them searched, also with statistics in which the shared values are common, so
    the trigram indexes are asked for the other words and the shared ones are left to the recheck."""
    database.loop.run_until_complete(_replace_contacts(database, rows))
    fields = ("name", "email", "phone_number", "identifier", "company")
    values = [row[field] for row in rows for field in fields if row[field]] or ["smith"]
    searched = []
    for value in data.draw(st.lists(st.sampled_from(values), min_size=1, max_size=3)):
        start = data.draw(st.sampled_from([0, *range(len(value))]))
        searched.append(value[start : data.draw(st.sampled_from([len(value), *range(start + 1, len(value) + 1)]))])
    statistics = [(None,) * len(STATISTICS), SHARED_SAMPLES]
    for query, samples in itertools.product([query for query in searched if needle(query)], statistics):
        expected = _expected(rows, query, sort, database.dialect)
        with mock.patch.object(search, "column_samples", mock.AsyncMock(return_value=samples)):
            answers = database.loop.run_until_complete(_pages(database, query, sort))
        assert [contact_id for answer in answers for contact_id in answer.ids] == expected, (query, sort, samples)


def test_the_migration_fills_the_search_table_of_an_existing_database(tmp_path: Path) -> None:
    """Contacts written before 0005 are found after it (the FTS table is filled from them)."""
    import sqlite3

    from alembic import command

    from server.db import alembic_config

    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0004")
    with sqlite3.connect(tmp_path / "old.db") as connection:
        connection.execute("INSERT INTO accounts (id, name, created_at) VALUES (1, 'one', 0)")
        connection.execute(
            "INSERT INTO contacts (account_id, name, email, thumbnail, blocked, additional_attributes,"
            " custom_attributes, created_at, updated_at, version)"
            " VALUES (1, 'Ada Lovelace', 'ada@example.com', '', 0, ?, '{}', 0, 0, 1)",
            ('{"company_name": "Engines Ltd"}',),
        )
    migrate_sync(url)
    with sqlite3.connect(tmp_path / "old.db") as connection:
        found = connection.execute(
            "SELECT rowid FROM contacts_search WHERE contacts_search MATCH ?", ('account : "#1#" AND "engines"',)
        ).fetchall()
        assert found == [(1,)]
        connection.execute("UPDATE contacts SET additional_attributes = '{}' WHERE id = 1")
        assert not connection.execute(
            "SELECT rowid FROM contacts_search WHERE contacts_search MATCH '\"engines\"'"
        ).fetchall()
        connection.execute("DELETE FROM contacts")
        found = connection.execute("SELECT rowid FROM contacts_search WHERE contacts_search MATCH '\"ada\"'").fetchall()
        assert not found
