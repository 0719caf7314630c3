"""Benchmark data: fresh SQLite files with demo data plus extra contacts, and cached large databases."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from bench.bulk_contacts import add_bulk_contacts
from bench.report import ROOT, SCRATCH_DIR
from server import models
from server.db import create_engine, migrate_sync, sessions
from server.seed.writer import add_conversations, seed_demo_if_empty
from tests.support.databases import POSTGRES_URL, PSQL
from tests.support.processes import sqlite_url


@contextmanager
def scratch_directory(name: str) -> Iterator[Path]:
    """A directory under bench/scratch/ for one run, removed afterwards."""
    directory = SCRATCH_DIR / f"{name}-{uuid.uuid4().hex[:8]}"
    directory.mkdir(parents=True)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


async def _prepare(url: str, bulk: int, conversations: list[int]) -> list[int]:
    await asyncio.to_thread(migrate_sync, url)
    engine = create_engine(url)
    factory = sessions(engine)
    try:
        await seed_demo_if_empty(factory)
        async with factory() as session:
            first = (await session.scalar(select(func.max(models.Contact.id))) or 0) + 1
        if bulk:
            await add_bulk_contacts(factory, 1, bulk)
        for offset, count in enumerate(conversations):
            if count:
                await add_conversations(factory, first + offset, count)
        return [first + offset for offset in range(max(bulk, len(conversations)))]
    finally:
        await engine.dispose()


async def prepare_database(url: str, *, bulk: int = 0, conversations: list[int] | None = None) -> list[int]:
    """Migrate, seed the demo data, add `bulk` contacts to account 1 and give the first ones conversations.

    `conversations[i]` conversations go to the i-th new contact; returns the new contacts' ids.
    """
    return await _prepare(url, bulk, conversations or [])


def schema_sources() -> list[Path]:
    """The files that make a cached database: the schema (models, migrations), the demo seed, the bulk generator
    and the bulk load with the rows it derives."""
    server = ROOT / "server"
    return [
        *sorted((server / "migrations" / "versions").glob("*.py")),
        server / "models.py",
        *sorted((server / "seed").glob("*.py")),
        server / "derived_rows.py",
        ROOT / "bench" / "bulk_contacts.py",
    ]


def _schema_key() -> str:
    """Changes when any file of `schema_sources` changes, so a cached database is never stale."""
    digest = hashlib.sha256()
    for source in schema_sources():
        digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


def cached_scale_database(contacts: int) -> tuple[Path, float | None]:
    """A SQLite file with the demo data plus `contacts` bulk contacts, generated once and kept in bench/scratch/.

    Returns the path and the seconds generation took (None when it came from the cache).
    """
    SCRATCH_DIR.mkdir(parents=True, exist_ok=True)
    path = SCRATCH_DIR / f"scale-{contacts}-{_schema_key()}.db"
    if path.exists():
        return path, None
    for stale in SCRATCH_DIR.glob(f"scale-{contacts}-*"):
        stale.unlink()
    building = path.with_suffix(".building")
    started = time.perf_counter()
    asyncio.run(_prepare(sqlite_url(building), contacts, []))
    with sqlite3.connect(building) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for leftover in (Path(f"{building}-wal"), Path(f"{building}-shm")):
        leftover.unlink(missing_ok=True)
    building.rename(path)
    return path, time.perf_counter() - started


def postgres_scalar(url: str, sql: str) -> str:
    """The one value `sql` answers on the PostgreSQL database of `url` (through psql)."""
    name = url.rsplit("/", 1)[-1]
    command = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", name, "-v", "ON_ERROR_STOP=1", "-qtA", "-c", sql]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def cached_postgres_scale_database(contacts: int) -> tuple[str, float | None]:
    """A PostgreSQL database with the demo data plus `contacts` bulk contacts, generated once and kept.

    Named `bench_scale_<contacts>_<schema key>`; older ones of the same size are dropped. Returns its URL and the
    seconds generation took (None when it was kept from an earlier run).
    """
    prefix = f"bench_scale_{contacts}_"
    name = f"{prefix}{_schema_key()}"
    url = POSTGRES_URL.format(name=name)
    existing = postgres_scalar(
        "postgresql://postgres@127.0.0.1:5432/postgres",
        f"SELECT string_agg(datname, ' ') FROM pg_database WHERE datname LIKE '{prefix}%'",
    ).split()
    if name in existing and postgres_scalar(url, "SELECT count(*) FROM contacts") != "0":
        return url, None
    for stale in existing:
        subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {stale} WITH (FORCE)"], check=True, capture_output=True)
    subprocess.run([*PSQL, f"CREATE DATABASE {name}"], check=True, capture_output=True)
    started = time.perf_counter()
    asyncio.run(_prepare(url, contacts, []))
    postgres_scalar(url, "VACUUM ANALYZE")
    return url, time.perf_counter() - started
