"""A real TCP proxy in front of a server: it can cut every connection, and hold back HTTP writes for a while.

Bytes flow through untouched. Given `delayed_methods`, requests are parsed only far enough to find their method
and end (Content-Length), and those methods wait `delay` seconds before they go on; an upgraded connection (the
`/cable` websocket) or a chunked body flows on as bytes.
"""

from __future__ import annotations

import asyncio
import contextlib

HEAD_LIMIT = 64 * 1024
STOP_WAIT = 10.0  # how long `stop` waits for connections still holding a delayed request


class TcpProxy:
    """Forwards 127.0.0.1:<port> to `target_port`; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target_port: int, *, delay: float = 0.0, delayed_methods: tuple[str, ...] = ()) -> None:
        self.target_port = target_port
        self.delay = delay
        self.delayed_methods = {method.encode() for method in delayed_methods}
        self.port = 0
        self.delayed = 0  # requests held back so far
        self.cut_off = False
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def cut(self) -> None:
        """Drop every open connection and refuse new ones, as a broken network would."""
        self.cut_off = True
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        self.cut_off = False

    async def stop(self) -> None:
        """Refuse new connections and drop the open ones (their tasks end by themselves, not cancelled)."""
        if self._server is not None:
            self._server.close()
        self.cut()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=STOP_WAIT)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut_off:
            writer.close()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._writers.update({writer, upstream_writer})
        responses = asyncio.create_task(self._pipe(upstream_reader, writer))
        try:
            if self.delayed_methods:
                await self._requests(reader, upstream_writer)
            else:
                await self._pipe(reader, upstream_writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            with contextlib.suppress(Exception):
                await responses
            for stream in (writer, upstream_writer):
                stream.close()
            self._writers.difference_update({writer, upstream_writer})
            if task is not None:
                self._tasks.discard(task)

    async def _requests(self, reader: asyncio.StreamReader, upstream: asyncio.StreamWriter) -> None:
        """Forward requests one by one, holding back the delayed methods; then pass raw bytes after an upgrade."""
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                with contextlib.suppress(Exception):
                    upstream.write_eof()
                return
            if len(head) > HEAD_LIMIT or self.cut_off:
                return
            method = head.split(b" ", 1)[0].upper()
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(b":") for line in head.split(b"\r\n")[1:])
                if name
            }
            length = int(headers.get(b"content-length", b"0") or 0)
            body = await reader.readexactly(length) if length else b""
            if method in self.delayed_methods and self.delay > 0:
                self.delayed += 1
                await asyncio.sleep(self.delay)
            upstream.write(head + body)
            await upstream.drain()
            if b"upgrade" in headers or b"chunked" in headers.get(b"transfer-encoding", b"").lower():
                await self._pipe(reader, upstream)
                return

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while (data := await source.read(65536)) and not self.cut_off:
                sink.write(data)
                await sink.drain()
        with contextlib.suppress(Exception):
            sink.write_eof()
