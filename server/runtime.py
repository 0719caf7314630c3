"""What the embedded server holds while it runs: settings, database, event bus."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.protocol import EXTENSIONS_HEADER
from api.settings import Settings
from server.db import create_engine, is_sqlite, migrate, sessions
from server.events import EventBus, LocalEventBus

START_TIMEOUT = 60.0  # seconds a request waits for start-up before it gets 503


def bus_prefix(database_url: str) -> str:
    """Redis channels of the processes sharing this database, apart from other deployments on the same Redis."""
    url = make_url(database_url).render_as_string(hide_password=True)
    return f"contacts:{hashlib.sha256(url.encode()).hexdigest()[:12]}"


@dataclass(kw_only=True, slots=True)
class ServerRuntime:
    """The embedded server's live resources; one per process."""

    settings: Settings
    engine: AsyncEngine
    session: async_sessionmaker[AsyncSession]
    bus: EventBus
    # The secret by which this process's own UI names the browser it signs in for (see server.auth.client_address).
    ui_key: str | None = None
    write_turn: AbstractAsyncContextManager[object] = field(default_factory=nullcontext)
    started: bool = field(default=False)
    migrated: bool = field(default=False)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def from_settings(cls, settings: Settings, *, ui_key: str | None = None) -> ServerRuntime:
        engine = create_engine(settings.database_url)
        bus: EventBus
        if settings.redis_url:
            from server.redis_bus import RedisEventBus

            bus = RedisEventBus(settings.redis_url, prefix=bus_prefix(settings.database_url))
        else:
            bus = LocalEventBus()
        return cls(
            settings=settings,
            engine=engine,
            session=sessions(engine),
            bus=bus,
            ui_key=ui_key,
            write_turn=asyncio.Lock() if is_sqlite(settings.database_url) else nullcontext(),
        )

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """A session for a unit of work that writes.

        SQLite lets one transaction write at a time, and a writer that finds the database locked polls with
        growing sleeps (up to 100 ms): under 50 concurrent writers most time went to sleeping, in no order,
        and some requests waited 5-10 s. So this process's writers take turns here, first come first served,
        from their first read to their commit. PostgreSQL locks rows, not the database: no turns there.
        """
        async with self.write_turn, self.session() as session:
            yield session

    @property
    def extensions(self) -> bool:
        """ETag/If-Match, paged conversations and /events; off in plain-Chatwoot mode."""
        return self.settings.server_extensions

    async def start(self) -> None:
        """Migrate, seed demo data into an empty database if asked, start the bus."""
        await migrate(self.settings.database_url)
        self.migrated = True
        if self.settings.demo_data:
            from server.seed.writer import seed_demo_if_empty

            await seed_demo_if_empty(self.session)
        await self.bus.start()
        self.started = True
        self.ready.set()

    async def wait_ready(self) -> bool:
        """Wait for migrations and seeding (NiceGUI runs start-up handlers without waiting for them)."""
        if self.ready.is_set():
            return True
        try:
            async with asyncio.timeout(START_TIMEOUT):
                await self.ready.wait()
        except TimeoutError:
            return False
        return True

    async def stop(self) -> None:
        await self.bus.stop()
        await self.engine.dispose()
        self.started = False
        self.ready.clear()


def runtime_of(request: Request) -> ServerRuntime:
    """The runtime of the app serving this request."""
    runtime: ServerRuntime = request.app.state.contact_server
    return runtime


def asked_for(request: Request, extension: str) -> bool:
    """Whether the request names `extension` in its extensions header and the server offers its extensions."""
    named = {part.strip() for part in request.headers.get(EXTENSIONS_HEADER, "").split(",")}
    return extension in named and runtime_of(request).extensions
