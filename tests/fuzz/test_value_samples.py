"""Which words of a search are common (server/value_samples.py), read from each database, and the index patterns
built from the others: every value containing the query matches them, whatever the query holds."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bench.bulk_contacts import add_bulk_contacts
from server.db import create_engine, migrate_sync, sessions
from server.seed.writer import seed_demo_if_empty
from server.value_samples import STATISTICS, ValueSample, column_samples, index_pattern, rare_words
from tests.support.databases import create_postgres_database, drop_postgres_database

BULK = 400


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('samples') / 'contacts.db'}"
    else:
        url = create_postgres_database()
    try:
        migrate_sync(url)
        yield url
    finally:
        if request.param == "postgres":
            drop_postgres_database(url)


async def _samples_of_bulk_contacts(url: str) -> tuple[ValueSample | None, ...]:
    engine = create_engine(url)
    factory = sessions(engine)
    try:
        await seed_demo_if_empty(factory)
        await add_bulk_contacts(factory, 1, BULK)
        if engine.dialect.name == "postgresql":
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("ANALYZE"))
        async with factory() as session:
            return await column_samples(session)
    finally:
        await engine.dispose()


def test_a_shared_domain_is_common_and_a_contacts_number_rare(database_url: str) -> None:
    """The seed's bulk contacts all write to @load.example: a search for one of them asks the index for its
    number, on both databases (PostgreSQL from ANALYZE's statistics, SQLite from contacts read)."""
    samples = asyncio.run(_samples_of_bulk_contacts(database_url))
    assert len(samples) == len(STATISTICS) and all(samples)
    email = samples[STATISTICS.index(("contacts", "email"))]
    assert email is not None and email.share("example") > 0.5 and email.share("no-such-word") == 0
    assert rare_words("bulk-123457@load.example", samples) == ["123457"]
    assert rare_words("someone unusual", samples) is None  # no word is common: asked for whole


SHARED = ValueSample(common=[("load.example", 0.6)], spread=["abc", "xyz"], spread_share=0.3)
CHARACTERS = "abcxyz19.-@ %_\\"
words = st.sampled_from(["load", "example", "bulk", "abc", "xyz123", "19", "a"])


@settings(max_examples=1000, deadline=None)
@given(
    value=st.lists(words | st.text(alphabet=CHARACTERS, max_size=3), max_size=8).map("".join),
    cut=st.tuples(st.integers(0, 40), st.integers(1, 40)),
    other=st.lists(words | st.text(alphabet=CHARACTERS, max_size=3), min_size=1, max_size=6).map("".join),
)
def test_every_value_the_query_matches_matches_its_index_pattern(value: str, cut: tuple[int, int], other: str) -> None:
    """For queries cut from the value or not, holding LIKE's `%`, `_` and `\\` (wildcards and escape, as
    PostgreSQL reads them): a value that `%query%` matches, the index pattern of the query's rare words matches."""
    start, length = cut
    for searched in (value[start : start + length], other):
        if searched and _like(value, f"%{searched}%"):
            assert _like(value, index_pattern(searched, SHARED)), (value, searched)


def _like(value: str, pattern: str) -> bool:
    """PostgreSQL's LIKE with its default escape, `\\` (one ending the pattern stands for itself here)."""
    parts, escaped = [], False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            parts.append({"%": ".*", "_": "."}.get(char, re.escape(char)))
    if escaped:
        parts.append(re.escape("\\"))
    return re.fullmatch("".join(parts), value, re.DOTALL) is not None
