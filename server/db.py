"""Engine, sessions and migrations for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import collections
import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite
from alembic import command
from alembic.config import Config
from sqlalchemy import event, func, select
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Every request holds a connection while it runs: enough that a burst of them never waits for one or opens
# and closes connections (each a thread and its PRAGMAs) as SQLAlchemy's default of 5 + 10 overflow did.
SQLITE_POOL_SIZE = 30
SQLITE_POOL_OVERFLOW = 70


def is_sqlite(url: str) -> bool:
    """True for a SQLite database URL."""
    return make_url(url).get_backend_name() == "sqlite"


Outcome = tuple[Any, int, int | None, list[Any]]


def _run_statement(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    """On the connection's thread: execute, read every row, close; what the cursor would have told."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, parameters if parameters is not None else ())
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A statement in one trip to the connection's thread (execute, fetch all, close) instead of four.

    aiosqlite runs each call on its connection's thread and wakes the event loop with the answer; through
    SQLAlchemy's adapter a query made four such trips (cursor, execute, fetchall, close), and each one cost
    more than SQLite's own work for the small queries of a request.
    """

    __slots__ = ("_outcome_description", "_outcome_lastrowid", "_outcome_rowcount")
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._outcome_description: Any = None
        self._outcome_rowcount = -1
        self._outcome_lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._outcome_description

    @property
    def rowcount(self) -> int:
        return self._outcome_rowcount

    @property
    def lastrowid(self) -> int:
        return self._outcome_lastrowid  # type: ignore[return-value]

    async def _async_soft_close(self) -> None:
        return None

    async def _trip(self, operation: Any, parameters: Any, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            outcome: Outcome = await connection._execute(  # type: ignore[no-untyped-call]
                _run_statement, connection._conn, operation, parameters, many
            )
        self._outcome_description, self._outcome_rowcount, self._outcome_lastrowid, rows = outcome
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._trip(operation, seq_of_parameters, many=True)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """Statements in one trip each; a commit or rollback with no transaction open makes none."""

    __slots__ = ()
    _cursor_cls = OneTripCursor  # type: ignore[assignment]

    def _in_transaction(self) -> bool:
        raw: sqlite3.Connection | None = getattr(self._connection, "_connection", None)
        return raw is not None and raw.in_transaction

    def rollback(self) -> None:
        if self._in_transaction():
            super().rollback()

    def commit(self) -> None:
        if self._in_transaction():
            super().commit()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite adapter with `OneTripConnection`s."""

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True
        return OneTripConnection(self, await_(connection))


def create_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            module=OneTripDBAPI(aiosqlite, sqlite3),
            connect_args={"timeout": 30},
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=SQLITE_POOL_OVERFLOW,
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_async_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


async def plan_for_a_page(session: AsyncSession | AsyncConnection, **settings: str) -> None:
    """On PostgreSQL, have the rest of the session's transaction planned as a page of contacts needs, with the
    planner `settings` (say `enable_seqscan="off"`) for as long; nothing on SQLite.

    For its values: asyncpg prepares a statement once per connection, and from its sixth run PostgreSQL may take
    the generic plan, made for any value, when that looks no dearer than the plans made for the values. For a
    LIKE pattern or an attribute's value it guesses how many rows match, and guesses a few: a search then scanned
    100,000 contacts in 180 ms instead of 17, a filter compared every pair of its candidates in 400 ms instead
    of 10. Planning each statement costs a fraction of a millisecond.

    In this process alone: a walk of the list's order that the planner expects to read the whole account was
    given two parallel workers, whose start took longer (20-40 ms) than reading the few hundred rows it needed.
    """
    bind = session.get_bind() if isinstance(session, AsyncSession) else session
    if bind.dialect.name != "postgresql":
        return
    configured = {"plan_cache_mode": "force_custom_plan", "max_parallel_workers_per_gather": "0", **settings}
    await session.execute(select(*(func.set_config(name, value, True) for name, value in configured.items())))


def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory whose objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """Alembic configuration for `url`, independent of the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate_sync(url: str) -> None:
    """Bring the schema to the newest migration (blocking)."""
    command.upgrade(alembic_config(url), "head")


async def migrate(url: str) -> None:
    """Bring the schema to the newest migration; Alembic runs its own loop, so in a thread."""
    await asyncio.to_thread(migrate_sync, url)
