"""`server.app.ApiFirst`: in the app's own process, API and `/cable` requests go straight to the embedded server,
past NiceGUI's page middleware, and every other request to the pages; composing the app again takes effect at once."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from server.app import ApiFirst


def app_named(name: str) -> FastAPI:
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def answer(path: str) -> PlainTextResponse:
        return PlainTextResponse(f"{name}:/{path}")

    return app


async def answered_by(front: ApiFirst, path: str, method: str = "GET") -> str:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=front), base_url="http://app.test") as client:
        return (await client.request(method, path)).text


async def test_api_and_cable_paths_reach_the_embedded_server_and_the_rest_the_pages() -> None:
    host, pages = FastAPI(), app_named("pages")
    host.state.embedded_api = app_named("api")
    front = ApiFirst(pages, host)
    assert await answered_by(front, "/api/v1/profile") == "api:/api/v1/profile"
    assert await answered_by(front, "/auth/sign_in", "POST") == "api:/auth/sign_in"
    assert await answered_by(front, "/cable") == "api:/cable"
    for page in ("/contacts", "/login", "/apiary", "/cable/more", "/"):
        assert await answered_by(front, page) == f"pages:{page}"


async def test_the_embedded_server_in_place_now_is_the_one_asked() -> None:
    host, pages = FastAPI(), app_named("pages")
    front = ApiFirst(pages, host)
    assert await answered_by(front, "/api/v1/profile") == "pages:/api/v1/profile"  # connected mode: none
    host.state.embedded_api = app_named("first")
    assert await answered_by(front, "/api/v1/profile") == "first:/api/v1/profile"
    host.state.embedded_api = app_named("second")  # the app composed again (tests do, once per test)
    assert await answered_by(front, "/api/v1/profile") == "second:/api/v1/profile"
