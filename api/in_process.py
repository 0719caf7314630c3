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

Websockets (the `/cable`) still go over the network: httpx has no websocket transport.
"""

from __future__ import annotations

import asyncio

import httpx
from starlette.types import ASGIApp

LOOPBACK_PEER = ("127.0.0.1", 0)


class InProcessTransport(httpx.AsyncBaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=LOOPBACK_PEER)
        self._running: set[asyncio.Task[httpx.Response]] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["accept-encoding"] = "identity"
        timeouts = request.extensions.get("timeout", {})
        limit = timeouts.get("read")
        # Its own task: shielded from the caller's timeout or cancellation, the server finishes the request.
        task = asyncio.create_task(self._asgi.handle_async_request(request))
        self._running.add(task)
        task.add_done_callback(self._finished)
        try:
            return await asyncio.wait_for(asyncio.shield(task), limit)
        except TimeoutError:
            raise httpx.ReadTimeout(f"no answer within {limit} s", request=request) from None

    def _finished(self, task: asyncio.Task[httpx.Response]) -> None:
        self._running.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: an abandoned request's failure is the server's to log, not asyncio's
