"""The web layer's defences: security headers, script nonces, socket.io origins, Secure cookies, slow clients.

`install` adds what lives in the ASGI app; `read_timeout_protocol` is uvicorn's `http=` protocol.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

import h11
from fastapi import FastAPI
from nicegui import Client, core
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from api.settings import Settings
from server.body_limit import TOO_LARGE, BodyLimit

# Referrers only to this app: avatars and CRM links on other hosts learn nothing about who looked at what.
REFERRER_POLICY = "same-origin"
SCRIPT_TAG = re.compile(rb"<script(?=[\s>])", re.IGNORECASE)
SECURE_ATTRIBUTE = re.compile(rb";\s*secure\s*(?:;|$)", re.IGNORECASE)
SESSION_COOKIE = b"session="  # Starlette's SessionMiddleware, which NiceGUI's storage uses
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REQUEST_TIMEOUT_BODY = b"Request Timeout\n"
REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(REQUEST_TIMEOUT_BODY), REQUEST_TIMEOUT_BODY)
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ContentSecurityPolicy:
    """The app's Content-Security-Policy; pages get a nonce for the scripts NiceGUI writes into them."""

    frame_ancestors: str

    def header(self, nonce: str | None = None) -> str:
        script_src = ["'self'"]  # NiceGUI's assets, its ES modules (importmap) and element components
        if nonce:
            # The inline scripts of NiceGUI's page template: the importmap, `addStyle`, the Vue bootstrap and
            # the module that creates the app with the page's elements.
            script_src.append(f"'nonce-{nonce}'")
        # NiceGUI evaluates JavaScript sent by the server (`:prop` values, `js_handler`, run_javascript) with
        # eval/new Function, and Vue compiles slot and component templates in the browser.
        script_src.append("'unsafe-eval'")
        directives = {
            "default-src": "'none'",  # whatever is not listed below: frames, workers, media, manifests
            "script-src": " ".join(script_src),
            # Quasar and Vue set style attributes, NiceGUI adds <style> elements.
            "style-src": "'self' 'unsafe-inline'",
            # data: for the emoji favicon NiceGUI inlines as SVG; http(s): for contacts' avatars on other hosts.
            "img-src": "'self' data: https: http:",
            "font-src": "'self'",  # the fonts NiceGUI serves (fonts.css: Roboto, Material Icons)
            "connect-src": "'self'",  # socket.io: polling and the websocket to this origin
            "object-src": "'none'",
            "base-uri": "'self'",
            "form-action": "'self'",  # sign-out is a form posted to this app
            "frame-ancestors": self.frame_ancestors,  # FRAME_ANCESTORS: the portals that may embed the app
        }
        return "; ".join(f"{name} {sources}" for name, sources in directives.items())


class ScriptNonces:
    """Gives every `<script>` of an HTML page a fresh nonce and sends the policy that allows exactly those.

    NiceGUI's template has no nonce slot, so the page is rewritten. Only NiceGUI and this app put
    `<script` into a page: element data is embedded with `<` escaped (nicegui/client.py), and no user
    content goes to `add_head_html`/`add_body_html`. Runs inside NiceGUI's gzip, so it sees plain HTML.
    """

    def __init__(self, app: ASGIApp, policy: ContentSecurityPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body = bytearray()

        async def send_with_nonces(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = Headers(raw=message.get("headers", []))
                if headers.get("content-type", "").startswith("text/html") and "content-encoding" not in headers:
                    start = message
                    return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            nonce = secrets.token_urlsafe(18)
            page = SCRIPT_TAG.sub(b'<script nonce="%s"' % nonce.encode(), bytes(body))
            # This function lives as long as the page: NiceGUI's client keeps the request, and the request its
            # `send`. The page's HTML (50 KiB and more) need not live that long.
            had_body = bool(body)
            body.clear()
            headers = MutableHeaders(raw=list(start.get("headers", [])))
            headers["content-security-policy"] = self.policy.header(nonce)
            if had_body and "content-length" in headers:
                headers["content-length"] = str(len(page))
            await send({**start, "headers": headers.raw})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, send_with_nonces)


@dataclass(frozen=True, slots=True)
class TrustedOrigins:
    """The app's own origins: the Host the request came to, and ALLOWED_ORIGINS (a proxy changing the host).

    engine.io calls it for every socket.io polling request and websocket handshake that has an Origin and
    refuses the others (400, or 403 for a websocket); only an accepted origin is echoed with credentials.
    Requests that change state outside the socket (sign-out's form) ask `sent_by_own_page`.
    Host and port are compared, not the scheme: TLS may end at a proxy that does not say so.
    """

    allowed: frozenset[str]

    @classmethod
    def parse(cls, setting: str) -> TrustedOrigins:
        return cls(frozenset(origin.rstrip("/").lower() for origin in re.split(r"[\s,]+", setting) if origin))

    def accepts(self, origin: str | None, host: str) -> bool:
        if not origin:
            return False
        origin = origin.lower()
        if origin in self.allowed:
            return True
        parts = urlsplit(origin)
        host = host.lower()
        default_port = {"http": ":80", "https": ":443"}.get(parts.scheme)
        if default_port is None or not host:
            return False
        return parts.netloc == host.removesuffix(default_port) and not parts.path

    def __call__(self, origin: str | None, environ: dict[str, Any]) -> bool:
        return self.accepts(origin, str(environ.get("HTTP_HOST", "")))

    def sent_by_own_page(self, headers: Headers) -> bool:
        """True for a request a page of this app sent: the browser names its origin (Origin, which every
        browser sends with a POST), or says `Sec-Fetch-Site: same-origin`; a request saying neither is not."""
        origin = headers.get("origin")
        if origin is not None:
            return self.accepts(origin, headers.get("host", ""))
        return headers.get("sec-fetch-site") == "same-origin"


# NiceGUI's upload route of an upload element (`ui.upload`), on a page's client.
UPLOAD_PATH = re.compile(r"/_nicegui/client/([^/]+)/upload/([0-9]+)")
MULTIPART_SLACK = 64 * 1024  # the form's boundaries and part headers around the files


class UploadLimit(BodyLimit):
    """Refuses an upload to a page's upload element over that element's own limit with 413, declared or streamed.

    NiceGUI's upload route reads the whole form (files spooled to disk) before any handler runs, and the element's
    `max_file_size` is only the browser's check: without this any signed-in page could send gigabytes. The limit
    is the element's `max-total-size`, else `max-file-size` times `max-files` (1 unless `multiple`); an upload
    path of no such element (or one without a limit) gets the API's body limit.
    """

    def applies(self, scope: Scope) -> bool:
        return scope["type"] == "http" and UPLOAD_PATH.fullmatch(scope["path"]) is not None

    def limit(self, scope: Scope) -> tuple[int, tuple[int, bytes]]:
        match = UPLOAD_PATH.fullmatch(scope["path"])
        client = Client.instances.get(match[1]) if match else None
        element = client.elements.get(int(match[2])) if client and match else None
        props = element.props if element is not None else {}
        files = props.get("max-files") or (None if props.get("multiple") else 1)
        per_file = props.get("max-file-size")
        total = props.get("max-total-size") or (per_file * files if per_file and files else None)
        return (int(total) + MULTIPART_SLACK if total else self.max_bytes), TOO_LARGE


class SecurityHeaders:
    """The headers of every response, `Secure` on cookies set over HTTPS, and no new session cookie for
    another site's form.

    Wraps the whole app, NiceGUI's session middleware and Starlette's error responses included, since
    the session cookie is set there. HTTPS is the request's scheme as uvicorn reports it: TLS here, or
    X-Forwarded-Proto from a proxy in FORWARDED_ALLOW_IPS; plain-http localhost keeps a usable cookie.
    A form posted from another site arrives without the (SameSite=Lax) session cookie, so the session
    middleware starts a new session and sets its cookie, which the browser would store in place of the
    agent's: a sign-out from anywhere. Such answers go out without the session cookie; nothing else changes.
    """

    def __init__(self, app: ASGIApp, policy: ContentSecurityPolicy, origins: TrustedOrigins) -> None:
        self.app = app
        self.policy = policy.header()
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        foreign_form = scope["method"] not in SAFE_METHODS and not self.origins.sent_by_own_page(Headers(scope=scope))

        def hardened(name: bytes, value: bytes) -> tuple[bytes, bytes] | None:
            if name.lower() != b"set-cookie":
                return name, value
            if foreign_form and value.startswith(SESSION_COOKIE):
                return None
            return (name, value + b"; Secure") if https and not SECURE_ATTRIBUTE.search(value) else (name, value)

        async def send_hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                headers.setdefault("content-security-policy", self.policy)  # pages have theirs, with a nonce
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", REFERRER_POLICY)
                message["headers"] = [
                    header for name, value in message["headers"] if (header := hardened(name, value)) is not None
                ]
            await send(message)

        await self.app(scope, receive, send_hardened)


def install(app: FastAPI, settings: Settings, ahead: Callable[[ASGIApp], ASGIApp] | None = None) -> None:
    """Add the headers, the script nonces and the socket.io origin check to NiceGUI's app.

    `ahead` wraps NiceGUI's middleware stack inside the headers, to serve some requests before it (the
    embedded server's, see `server.app.ApiFirst`).
    """
    policy = ContentSecurityPolicy(frame_ancestors=settings.frame_ancestors)
    app.add_middleware(ScriptNonces, policy=policy)
    app.add_middleware(UploadLimit, max_bytes=settings.max_body_bytes)
    # Outermost, around whatever is added later (the session middleware, ui.run's gzip) and Starlette's own
    # error answers: only there is every response and the session cookie seen. Idempotent: tests compose again.
    origins = TrustedOrigins.parse(settings.allowed_origins)
    build_stack = type(app).build_middleware_stack

    def build_hardened_stack() -> ASGIApp:
        stack = build_stack(app)
        return SecurityHeaders(ahead(stack) if ahead else stack, policy=policy, origins=origins)

    app.build_middleware_stack = build_hardened_stack  # type: ignore[method-assign]
    core.sio.eio.cors_allowed_origins = origins


class ReadTimeoutH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with read timeouts, which uvicorn lacks.

    A request's line and headers must arrive within `header_timeout` of its first byte (of connecting,
    for a new connection); a declared body must make progress every `body_timeout`. Otherwise the
    client gets 408 and the connection is closed, so stalled connections cannot pile up. A connection
    that never sent a byte is closed without an answer; idle keep-alive stays uvicorn's business.
    """

    header_timeout: ClassVar[float] = 10.0
    body_timeout: ClassVar[float] = 30.0

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.read_timer: asyncio.TimerHandle | None = None
        self.reading: Literal["headers", "body"] | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._expect("headers")

    def connection_lost(self, exc: Exception | None) -> None:
        self._expect(None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow_request()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow_request()  # a pipelined request may have started

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._expect(None)  # the websocket protocol takes the connection over
        super().handle_websocket_upgrade(event)

    def _follow_request(self) -> None:
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            self._expect(None)
        elif self.conn.their_state is h11.IDLE:
            if self.reading != "headers" and self.conn.trailing_data[0]:
                self._expect("headers")  # the first bytes of the next request: its clock starts, once
        elif self.conn.their_state is h11.SEND_BODY:
            self._expect("body")  # every chunk is progress
        else:
            self._expect(None)

    def _expect(self, reading: Literal["headers", "body"] | None) -> None:
        if self.read_timer is not None:
            self.read_timer.cancel()
            self.read_timer = None
        self.reading = reading
        if reading is not None:
            timeout = self.header_timeout if reading == "headers" else self.body_timeout
            self.read_timer = self.loop.call_later(timeout, self._read_timed_out)

    def _read_timed_out(self) -> None:
        self.read_timer = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if self.reading == "body" and cycle is not None:
            if self.flow.read_paused or cycle.waiting_for_100_continue:
                self._expect("body")  # the app has not asked for more yet: the client is not the slow one
                return
            answer = not cycle.response_started
            if not cycle.response_complete:
                cycle.disconnected = True  # the app's receive() now says http.disconnect; its answer goes nowhere
                cycle.message_event.set()
        else:
            answer = bool(self.conn.trailing_data[0])  # part of a request came: say why it ends
        if answer:
            self.transport.write(REQUEST_TIMEOUT)
        self.reading = None
        self.transport.close()


def read_timeout_protocol(settings: Settings) -> type[ReadTimeoutH11Protocol]:
    """The protocol class for `ui.run(http=...)`, with this deployment's timeouts."""

    class ConfiguredReadTimeoutH11Protocol(ReadTimeoutH11Protocol):
        header_timeout = settings.header_read_timeout
        body_timeout = settings.body_read_timeout

    return ConfiguredReadTimeoutH11Protocol
