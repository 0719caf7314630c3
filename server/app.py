"""Assembles the embedded server: standalone (`python -m server`) or inside the NiceGUI app."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api.error_codes import ErrorCode
from api.protocol import CABLE_PATH
from api.settings import Settings
from server.avatars import UPLOAD_MAX_BODY_BYTES, avatar_problem
from server.body_limit import TOO_LARGE, BodyLimit
from server.routes import (
    activity,
    attributes,
    auth,
    contact_filter,
    contact_transfer,
    contacts,
    conversations,
    duplicates,
    health,
    labels,
    notes,
)
from server.runtime import ServerRuntime

API_PREFIXES = ("/api/", "/auth/")
IMPORT_PATH_END = "/contacts/import"
ROUTERS = (
    health.router,
    auth.router,
    contact_filter.router,
    contact_transfer.router,  # before contacts: its /contacts/{contact_id} would take `export` for an id
    contacts.router,
    conversations.router,
    labels.router,
    notes.router,
    attributes.router,
    activity.router,
    duplicates.router,
)


# A contact's create or update, which may carry a picture (multipart `avatar`).
CONTACT_WRITE = re.compile(r"/api/v1/accounts/[0-9]+/contacts(?:/[0-9]+)?")
# A picture over its limit is refused as the route refuses one that fits the body (422 naming `avatar`).
AVATAR_TOO_LARGE = (422, json.dumps(avatar_problem(ErrorCode.AVATAR_TOO_BIG).body).encode())


class ApiBodyLimit(BodyLimit):
    """Refuses API request bodies over `max_bytes` with 413, whether declared or streamed.

    A create or update as a form may carry a contact's picture: it may be as big as `UPLOAD_MAX_BODY_BYTES`; a
    contacts import, as big as `import_bytes`.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, import_bytes: int | None = None) -> None:
        super().__init__(app, max_bytes)
        self.import_bytes = import_bytes or max_bytes

    def limit(self, scope: Scope) -> tuple[int, tuple[int, bytes]]:
        headers = dict(scope["headers"])
        uploading = (
            scope["method"] in {"POST", "PUT", "PATCH"}
            and headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
            and CONTACT_WRITE.fullmatch(scope["path"]) is not None
        )
        if uploading and self.max_bytes < UPLOAD_MAX_BODY_BYTES:
            return UPLOAD_MAX_BODY_BYTES, AVATAR_TOO_LARGE
        if scope["path"].endswith(IMPORT_PATH_END):
            return self.import_bytes, TOO_LARGE
        return self.max_bytes, TOO_LARGE

    def applies(self, scope: Scope) -> bool:
        return bool(scope["type"] == "http" and scope["path"].startswith(API_PREFIXES))


def mount(app: FastAPI, runtime: ServerRuntime) -> None:
    """Add the embedded server's routes, body limit and websocket to `app`."""
    from server.cable import router as cable_router

    app.state.contact_server = runtime
    for router in (*ROUTERS, cable_router):
        app.include_router(router)
    settings = runtime.settings
    app.add_middleware(ApiBodyLimit, max_bytes=settings.max_body_bytes, import_bytes=settings.max_import_bytes)


# zlib's default level, as for the pages (pages/nicegui_speedups.py's `compressed`), not Starlette's 9.
GZIP_LEVEL = 6


def embedded_app(runtime: ServerRuntime) -> FastAPI:
    """The embedded server as its own app, for the NiceGUI process to put in front of its pages (`ApiFirst`)."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    mount(app, runtime)
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=GZIP_LEVEL)  # as main.py's ui.run
    return app


class ApiFirst:
    """Sends API and cable requests straight to the embedded server, and everything else to NiceGUI.

    NiceGUI's middleware (sessions, per-request storage, redirects, cache headers: several of them
    `BaseHTTPMiddleware`) is for its pages; an API request passing through it paid about 2 ms of CPU
    for nothing. `host.state.embedded_api` is read per request, so composing the app again (tests do)
    takes effect at once.
    """

    def __init__(self, app: ASGIApp, host: FastAPI) -> None:
        self.app = app
        self.host = host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api: ASGIApp | None = getattr(self.host.state, "embedded_api", None)
        path = scope.get("path", "")
        if (
            api is not None
            and scope["type"] in {"http", "websocket"}
            and (path.startswith(API_PREFIXES) or path == CABLE_PATH)
        ):
            await api(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def create_app(settings: Settings) -> FastAPI:
    """The embedded server alone, as a FastAPI app with its own lifespan."""
    runtime = ServerRuntime.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title="Chatwoot-compatible contacts API", version="1", lifespan=lifespan)
    mount(app, runtime)
    return app
