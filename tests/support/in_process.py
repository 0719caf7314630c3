"""The embedded server in the test process, for the tests where no child process is the point (the fast tier).

`InProcessServer` is a `RunningServer` (same settings, same demo data, same helpers) whose app is not a child
process: `python -m server`'s app and uvicorn (`server.__main__.uvicorn_options`) run on an event loop of their
own thread, as they would in a process of their own, so a test may block on a request or on the database while
the server goes on. uvicorn listens on the server's port as usual, for what needs a real socket (`/cable`, a
`TcpProxy` to cut, a browser or Node); HTTP requests from this module's clients skip the socket: they are handed
to that loop and answered by the app uvicorn loaded (its proxy-headers middleware included) through
`api.in_process.InProcessTransport` (the read timeout holds, the peer is loopback, an app exception is a 500).
Status codes, headers and bodies are the app's, byte for byte; what differs is only what the socket adds (h11's
parsing, uvicorn's `date` and `server` headers). A test of those, of a crash or of several processes takes a
`RunningServer` (marker `process`).

`client()` and `async_client()` make httpx clients that reach in-process servers without a socket and anything
else over the network, so a test written against `server.url` runs unchanged against either kind.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import httpx
import uvicorn

from api.in_process import InProcessTransport
from api.settings import Settings
from server.__main__ import uvicorn_options
from server.app import create_app
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.processes import NOT_INHERITED, RunningServer, sqlite_url

START_TIMEOUT = 90.0
_served: dict[tuple[str, int], InProcessServer] = {}  # by the host and port of their URL


class _Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A request body read on the caller's side, handed over in the same chunks (a streamed body stays streamed)."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


@dataclass(kw_only=True)
class InProcessServer(RunningServer):
    """The embedded server (`python -m server`) in this process: uvicorn and the app on a thread of their own."""

    _uvicorn: uvicorn.Server | None = field(default=None, init=False, repr=False)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, init=False, repr=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)
    _transport: InProcessTransport | None = field(default=None, init=False, repr=False)

    @property
    def pid(self) -> int:
        raise RuntimeError("an in-process server has no process of its own")

    def settings(self) -> Settings:
        """What `Settings()` reads in the child `RunningServer` starts: its environment, not this shell's services."""
        values: dict[str, Any] = {name.lower(): None for name in NOT_INHERITED if name.lower() in Settings.model_fields}
        values.update({name.lower(): value for name, value in self.environment().items()})
        return Settings(**values)

    def environment(self) -> dict[str, str]:
        return {"PORT": str(self.port), "HOST": "127.0.0.1", **self.defaults(), **self.extra_env}

    def start(self, timeout: float = START_TIMEOUT) -> Self:
        """Serve (again, on the same port and data after `stop`); ready once migrated, seeded and listening."""
        if self._thread is not None:
            raise RuntimeError(f"{self.url} is already running")
        settings = self.settings()
        # uvicorn's own logging set-up would reconfigure this process's loggers: pytest's are kept.
        config = uvicorn.Config(create_app(settings), **uvicorn_options(settings), log_config=None)
        config.load()
        server = uvicorn.Server(config)
        self._uvicorn = server
        self._thread = threading.Thread(target=self._serve, args=(server,), name=f"server-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the in-process server on port {self.port} did not start within {timeout:.0f} s")
            time.sleep(0.02)
        self._transport = InProcessTransport(config.loaded_app)
        _served[("127.0.0.1", self.port)] = self
        return self

    def _serve(self, server: uvicorn.Server) -> None:
        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            await server.serve()

        asyncio.run(serve())

    def stop(self) -> None:
        """As SIGTERM would: uvicorn closes its connections, the lifespan ends (the bus stops, the engine closes)."""
        _served.pop(("127.0.0.1", self.port), None)
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(30)
        self._uvicorn = self._loop = self._thread = self._transport = None

    def kill(self) -> None:
        raise RuntimeError("an in-process server cannot crash alone; use a RunningServer")

    def http_client(self, **options: Any) -> httpx.Client:
        return client(**options)

    def async_transport(self) -> httpx.AsyncBaseTransport | None:
        return AsyncTransport()

    def handing_over(self, request: httpx.Request, chunks: list[bytes]) -> Future[httpx.Response]:
        """The request, with its body read by the caller, answered on the server's loop."""
        if self._loop is None:
            raise httpx.ConnectError(f"{self.url} is not running", request=request)
        request.stream = _Body(chunks)
        return asyncio.run_coroutine_threadsafe(self._answer(request), self._loop)

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        assert self._transport is not None
        response = await self._transport.handle_async_request(request)
        body = b"".join([chunk async for chunk in response.aiter_raw()])
        await response.aclose()
        # Bytes either side can read: the caller's client is sync or async, on another thread.
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(body),
            extensions=response.extensions,
        )


def served(url: httpx.URL) -> InProcessServer | None:
    """The in-process server this URL names, if any."""
    return _served.get((url.host, url.port or 80))


class Transport(httpx.BaseTransport):
    """Requests to in-process servers answered there, anything else over the network."""

    def __init__(self, **network: Any) -> None:
        self.options = network
        self.network: httpx.HTTPTransport | None = None  # made when first needed: a TLS context costs ~25 ms

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        server = served(request.url)
        if server is not None:
            stream = request.stream
            assert isinstance(stream, Iterable)
            return server.handing_over(request, list(stream)).result()
        if self.network is None:
            self.network = httpx.HTTPTransport(**self.options)
        return self.network.handle_request(request)

    def close(self) -> None:
        if self.network is not None:
            self.network.close()


class AsyncTransport(httpx.AsyncBaseTransport):
    """`Transport` for async clients: the server's loop answers, the caller's loop waits."""

    def __init__(self, **network: Any) -> None:
        self.options = network
        self.network: httpx.AsyncHTTPTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        server = served(request.url)
        if server is not None:
            stream = request.stream
            assert isinstance(stream, httpx.AsyncByteStream)
            chunks = [chunk async for chunk in stream]
            return await asyncio.wrap_future(server.handing_over(request, chunks))
        if self.network is None:
            self.network = httpx.AsyncHTTPTransport(**self.options)
        return await self.network.handle_async_request(request)

    async def aclose(self) -> None:
        if self.network is not None:
            await self.network.aclose()


@contextmanager
def fresh_server(
    kind: type[RunningServer], directory: Path, database: str = "sqlite", **extra_env: str
) -> Iterator[RunningServer]:
    """`kind` of server (a child process, or `InProcessServer`) with the demo data on a fresh database: a SQLite
    file in `directory`, or a scratch database of the machine's PostgreSQL, dropped afterwards."""
    url = sqlite_url(directory / "contacts.db") if database == "sqlite" else create_postgres_database()
    try:
        with kind(database_url=url, extra_env=extra_env, log_path=directory / "server.log").running() as server:
            yield server
    finally:
        if database != "sqlite":
            drop_postgres_database(url)


def client(*, verify: Any = True, **options: Any) -> httpx.Client:
    """An httpx client that reaches in-process servers and real ones alike."""
    return httpx.Client(transport=Transport(verify=verify), **options)


def async_client(*, verify: Any = True, **options: Any) -> httpx.AsyncClient:
    """`client`, async."""
    return httpx.AsyncClient(transport=AsyncTransport(verify=verify), **options)
