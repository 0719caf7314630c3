"""Scratch databases on the machine's PostgreSQL (127.0.0.1:5432, user postgres, trust auth), made and dropped."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command

from server.db import alembic_config

PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"]
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
SCRATCH_NAME = re.compile(r"(contacts_test|bench)_[0-9a-f]{10}")


def postgres_available() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False).returncode == 0


def create_postgres_database(prefix: str = "contacts_test") -> str:
    """A new empty database `<prefix>_<random>`; its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    if not SCRATCH_NAME.fullmatch(name):
        raise ValueError(f"{prefix!r} is not a scratch database prefix")
    subprocess.run([*PSQL, f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return POSTGRES_URL.format(name=name)


def drop_postgres_database(url: str) -> None:
    """Drop a database `create_postgres_database` made (and refuse any other)."""
    name = url.rsplit("/", 1)[-1]
    if not SCRATCH_NAME.fullmatch(name):
        raise ValueError(f"refusing to drop {name!r}: not a scratch database")
    subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False, capture_output=True)


@contextmanager
def database_at(backend: str, directory: Path, revision: str) -> Iterator[str]:
    """A database migrated to `revision`: SQLite in `directory`, or (`postgres`) a scratch one, dropped afterwards."""
    url = (
        f"sqlite+aiosqlite:///{directory / f'at-{revision}.db'}" if backend == "sqlite" else create_postgres_database()
    )
    try:
        command.upgrade(alembic_config(url), revision)
        yield url
    finally:
        if backend == "postgres":
            drop_postgres_database(url)
