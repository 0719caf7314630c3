"""The migrations step down as well as up: an operator can undo a release's schema change, one revision at a
time, and do it again, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from server.db import alembic_config, create_engine
from server.models import Base
from tests.api.test_integrity import run_sql
from tests.support.databases import create_postgres_database, drop_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}" if request.param == "sqlite" else create_postgres_database()
    try:
        yield url
    finally:
        if request.param == "postgres":
            drop_postgres_database(url)


def tables(url: str) -> set[str]:
    async def names() -> set[str]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(names())


def revision(url: str) -> str | None:
    rows = run_sql(url, "SELECT version_num FROM alembic_version")
    return rows[0][0] if rows else None


def test_every_migration_steps_down_and_up_again(empty_database: str) -> None:
    url = empty_database
    config = alembic_config(url)
    newest_first = [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()]
    command.upgrade(config, "head")
    at_head = tables(url)
    assert at_head >= set(Base.metadata.tables)
    run_sql(url, "INSERT INTO accounts (id, name, created_at) VALUES (1, 'Acme', 0)")
    for current, previous in zip(newest_first, [*newest_first[1:], None], strict=True):
        assert revision(url) == current
        command.downgrade(config, "-1")
        assert revision(url) == previous
    assert tables(url) <= {"alembic_version"}  # the first revision's downgrade leaves nothing of the schema
    command.upgrade(config, "head")
    assert revision(url) == newest_first[0] and tables(url) == at_head
    assert run_sql(url, "SELECT count(*) FROM accounts") == [(0,)]
