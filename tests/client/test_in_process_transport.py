"""InProcessTransport behaves like the network it replaces: timeouts hold, the server finishes what it started,
an exception in the app is a 500, and the app sees a loopback peer. A small real ASGI app stands for the server."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI, Request
from starlette.middleware.gzip import GZipMiddleware

from api.in_process import InProcessTransport


def make_app() -> tuple[FastAPI, dict[str, object]]:
    app = FastAPI()
    seen: dict[str, object] = {"finished": asyncio.Event()}

    @app.get("/slow")
    async def slow() -> dict[str, bool]:
        await asyncio.sleep(0.3)
        finished = seen["finished"]
        assert isinstance(finished, asyncio.Event)
        finished.set()
        return {"slow": True}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("the app failed")

    @app.get("/peer")
    async def peer(request: Request) -> dict[str, object]:
        assert request.client is not None
        return {"host": request.client.host}

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, object]:
        return {"body": (await request.body()).decode(), "header": request.headers.get("x-probe")}

    @app.get("/large")
    async def large() -> dict[str, str]:
        return {"text": "x" * 5000}

    app.add_middleware(GZipMiddleware, minimum_size=1000)  # as the embedded API does
    return app, seen


async def test_a_request_out_of_time_raises_read_timeout_and_the_server_still_finishes_it() -> None:
    app, seen = make_app()
    async with httpx.AsyncClient(transport=InProcessTransport(app), base_url="http://api") as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/slow", timeout=httpx.Timeout(5.0, read=0.05))
        finished = seen["finished"]
        assert isinstance(finished, asyncio.Event)
        assert not finished.is_set()
        await asyncio.wait_for(finished.wait(), 2.0)  # went on in the server, as behind a socket


async def test_an_answer_within_the_limit_comes_through() -> None:
    app, _ = make_app()
    async with httpx.AsyncClient(transport=InProcessTransport(app), base_url="http://api") as client:
        response = await client.get("/slow", timeout=2.0)
        assert response.status_code == 200
        assert response.json() == {"slow": True}
        posted = await client.post("/echo", content="hello", headers={"X-Probe": "1"})
        assert posted.json() == {"body": "hello", "header": "1"}


async def test_an_exception_in_the_app_is_a_500() -> None:
    app, _ = make_app()
    async with httpx.AsyncClient(transport=InProcessTransport(app), base_url="http://api") as client:
        response = await client.get("/boom")
        assert response.status_code == 500


async def test_the_app_sees_a_loopback_peer() -> None:
    app, _ = make_app()
    async with httpx.AsyncClient(transport=InProcessTransport(app), base_url="http://api") as client:
        assert (await client.get("/peer")).json() == {"host": "127.0.0.1"}


async def test_a_cancelled_caller_leaves_the_request_to_finish() -> None:
    app, seen = make_app()
    async with httpx.AsyncClient(transport=InProcessTransport(app), base_url="http://api") as client:
        caller = asyncio.create_task(client.get("/slow", timeout=5.0))
        await asyncio.sleep(0.05)
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        finished = seen["finished"]
        assert isinstance(finished, asyncio.Event)
        await asyncio.wait_for(finished.wait(), 2.0)


async def test_answers_come_uncompressed_with_nothing_to_decompress() -> None:
    app, _ = make_app()
    async with httpx.AsyncClient(transport=InProcessTransport(app), base_url="http://api") as client:
        response = await client.get("/large")
        assert "content-encoding" not in response.headers
        assert response.json() == {"text": "x" * 5000}
    # Over the network the same client asks for gzip, and the app compresses: the difference is the transport's.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as client:
        assert (await client.get("/large")).headers.get("content-encoding") == "gzip"
