"""InProcessTransport: the client's requests to an ASGI app in the same process, without a socket.

In embedded mode the UI and the API share one process. Over loopback HTTP each of a contact page's five
requests paid for httpx's connection pool, URL and address parsing, uvicorn's HTTP parser and two socket
trips, about a third of the app's CPU for a page (py-spy). httpx's `ASGITransport` hands the request to the
app directly; this wraps it so it behaves like the network it replaces:

- the read timeout holds (httpx's own timeouts are enforced by network reads, which there are none of), and a
  request that runs out of time goes on in the server, as it would behind a socket: the caller gets
  `httpx.ReadTimeout` and settles the outcome by asking (see `api.errors.OutcomeUnknown`);
- the app sees a loopback peer, as it would (the server believes a browser address only from loopback);
- an exception in the app is a 500, as a client over the network would see it;
- answers come uncompressed: the embedded API gzips large answers for the network, and httpx asks for gzip by
  default, so each in-process read was compressed (level 9) and decompressed again for nothing.

A request marked `STREAMED` (an import's progress, an export's rows) is answered as the app sends it, chunk by
chunk with the read timeout between chunks, instead of once the app has finished: httpx's `ASGITransport` keeps a
whole answer in memory first. Closing such an answer early is a client going away: the app sees a disconnect.

Websockets (the `/cable`) still go over the network: httpx has no websocket transport.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
from starlette.types import ASGIApp

from api.protocol import STREAMED

LOOPBACK_PEER = ("127.0.0.1", 0)
STREAM_BUFFER = 8  # chunks the app may send ahead of the reader before it waits


class _Cut:
    """Put in a streamed answer's queue when the app failed after it began answering."""


class _StreamedBody(httpx.AsyncByteStream):
    """The chunks the app sends, as it sends them; the read timeout holds between chunks."""

    def __init__(
        self,
        chunks: asyncio.Queue[bytes | _Cut | None],
        app: asyncio.Task[None],
        limit: float | None,
        closed: asyncio.Event,
    ) -> None:
        self.chunks = chunks
        self.app = app
        self.limit = limit
        self.closed = closed

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            try:
                chunk = await asyncio.wait_for(self.chunks.get(), self.limit)
            except TimeoutError:
                raise httpx.ReadTimeout(f"no more of the answer within {self.limit} s") from None
            if chunk is None:
                return
            if isinstance(chunk, _Cut):
                raise httpx.RemoteProtocolError("the answer was cut off")
            yield chunk

    async def aclose(self) -> None:
        self.closed.set()  # the app's next receive() is a disconnect, as when a client goes
        if not self.app.done():
            self.app.cancel()


class InProcessTransport(httpx.AsyncBaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=LOOPBACK_PEER)
        self._running: set[asyncio.Task[Any]] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["accept-encoding"] = "identity"
        timeouts = request.extensions.get("timeout", {})
        limit = timeouts.get("read")
        if request.extensions.get(STREAMED):
            return await self._streamed(request, limit)
        # Its own task: shielded from the caller's timeout or cancellation, the server finishes the request.
        task = asyncio.create_task(self._asgi.handle_async_request(request))
        self._running.add(task)
        task.add_done_callback(self._finished)
        try:
            return await asyncio.wait_for(asyncio.shield(task), limit)
        except TimeoutError:
            raise httpx.ReadTimeout(f"no answer within {limit} s", request=request) from None

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._running.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: an abandoned request's failure is the server's to log, not asyncio's

    async def _streamed(self, request: httpx.Request, limit: float | None) -> httpx.Response:
        """Run the app for the request and answer once it starts its answer; the body follows as it is sent."""
        assert isinstance(request.stream, httpx.AsyncByteStream)
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(name.lower(), value) for name, value in request.headers.raw],
            "scheme": request.url.scheme,
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query,
            "server": (request.url.host, request.url.port),
            "client": LOOPBACK_PEER,
            "root_path": "",
        }
        body = request.stream.__aiter__()
        read_all = False
        started: asyncio.Future[MutableMapping[str, Any]] = asyncio.get_running_loop().create_future()
        chunks: asyncio.Queue[bytes | _Cut | None] = asyncio.Queue(STREAM_BUFFER)
        closed = asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal read_all
            if read_all:
                await closed.wait()
                return {"type": "http.disconnect"}
            try:
                chunk = await body.__anext__()
            except StopAsyncIteration:
                read_all = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return {"type": "http.request", "body": chunk, "more_body": True}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                started.set_result(message)
            elif message["type"] == "http.response.body":
                if message.get("body"):
                    await chunks.put(message["body"])
                if not message.get("more_body", False):
                    await chunks.put(None)

        async def run() -> None:
            try:
                await self._app(scope, receive, send)
            except Exception:
                if not started.done():
                    started.set_result({"status": 500, "headers": []})
                    await chunks.put(None)
                else:
                    await chunks.put(_Cut())
                raise

        task = asyncio.create_task(run())
        self._running.add(task)
        task.add_done_callback(self._finished)
        try:
            start = await asyncio.wait_for(asyncio.shield(started), limit)
        except TimeoutError:
            raise httpx.ReadTimeout(f"no answer within {limit} s", request=request) from None
        answer = _StreamedBody(chunks, task, limit, closed)
        return httpx.Response(start["status"], headers=start.get("headers", []), stream=answer, request=request)
