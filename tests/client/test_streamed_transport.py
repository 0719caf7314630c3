"""InProcessTransport, asked to stream (`api.protocol.STREAMED`), hands the answer over as the app sends it: the
first chunk before the app is done, a timeout between chunks, a cut when the app fails midway, a disconnect when the
reader goes. A small real ASGI app stands for the server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

from api.in_process import InProcessTransport
from api.protocol import STREAMED

STREAM = {STREAMED: True}


def make_app() -> tuple[FastAPI, dict[str, asyncio.Event]]:
    app = FastAPI()
    events = {name: asyncio.Event() for name in ("go_on", "finished", "closed")}

    @app.get("/two")
    async def two() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            try:
                yield b"first"
                await events["go_on"].wait()
                yield b"second"
                events["finished"].set()
            finally:
                events["closed"].set()

        return StreamingResponse(chunks())

    @app.get("/breaks")
    async def breaks() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"first"
            raise RuntimeError("the app failed midway")

        return StreamingResponse(chunks())

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("the app failed before answering")

    @app.post("/count")
    async def count(request: Request) -> dict[str, int]:
        sizes = [len(chunk) async for chunk in request.stream()]
        return {"bytes": sum(sizes), "chunks": len([size for size in sizes if size])}

    return app, events


async def test_the_first_chunk_comes_before_the_app_is_done() -> None:
    app, events = make_app()
    async with (
        httpx.AsyncClient(transport=InProcessTransport(app), base_url="http://api") as client,
        client.stream("GET", "/two", extensions=STREAM) as answer,
    ):
        chunks = answer.aiter_raw()
        assert await anext(chunks) == b"first"
        assert not events["finished"].is_set()
        events["go_on"].set()
        assert [chunk async for chunk in chunks] == [b"second"]
    assert events["finished"].is_set()


async def test_a_reader_that_stops_early_is_a_client_gone() -> None:
    app, events = make_app()
    async with httpx.AsyncClient(transport=InProcessTransport(app), base_url="http://api") as client:
        async with client.stream("GET", "/two", extensions=STREAM) as answer:
            assert await anext(answer.aiter_raw()) == b"first"
        await asyncio.wait_for(events["closed"].wait(), 5)
    assert not events["finished"].is_set()


async def test_the_read_timeout_holds_between_chunks() -> None:
    app, _events = make_app()
    async with (
        httpx.AsyncClient(transport=InProcessTransport(app), base_url="http://api") as client,
        client.stream("GET", "/two", extensions=STREAM, timeout=httpx.Timeout(5.0, read=0.1)) as answer,
    ):
        chunks = answer.aiter_raw()
        assert await anext(chunks) == b"first"
        with pytest.raises(httpx.ReadTimeout):
            await anext(chunks)


async def test_an_app_failing_midway_cuts_the_answer_and_before_answering_is_a_500() -> None:
    app, _events = make_app()
    async with httpx.AsyncClient(transport=InProcessTransport(app), base_url="http://api") as client:
        async with client.stream("GET", "/breaks", extensions=STREAM) as answer:
            assert answer.status_code == 200
            with pytest.raises(httpx.RemoteProtocolError):
                await answer.aread()
        async with client.stream("GET", "/boom", extensions=STREAM) as failed:
            assert failed.status_code == 500


async def test_a_streamed_request_body_reaches_the_app_in_its_chunks() -> None:
    app, _events = make_app()

    async def body() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"x" * 1000

    async with (
        httpx.AsyncClient(transport=InProcessTransport(app), base_url="http://api") as client,
        client.stream("POST", "/count", content=body(), extensions=STREAM) as answer,
    ):
        assert (await answer.aread()) == b'{"bytes":3000,"chunks":3}'
