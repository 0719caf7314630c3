"""The web layer's defences: security headers, script nonces, socket.io origins, Secure cookies.

`install` adds them to NiceGUI's app.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from nicegui import core
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import Settings

# Referrers only to this app: avatars and CRM links on other hosts learn nothing about who looked at what.
REFERRER_POLICY = "same-origin"
SCRIPT_TAG = re.compile(rb"<script(?=[\s>])", re.IGNORECASE)
SECURE_ATTRIBUTE = re.compile(rb";\s*secure\s*(?:;|$)", re.IGNORECASE)


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
            # Quasar and Vue set style attributes, NiceGUI and Tailwind's browser build add <style> elements.
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
            headers = MutableHeaders(raw=list(start.get("headers", [])))
            headers["content-security-policy"] = self.policy.header(nonce)
            if body and "content-length" in headers:
                headers["content-length"] = str(len(page))
            await send({**start, "headers": headers.raw})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, send_with_nonces)


class SecurityHeaders:
    """The headers of every response, and `Secure` on cookies set over HTTPS.

    Wraps the whole app, NiceGUI's session middleware and Starlette's error responses included, since
    the session cookie is set there. HTTPS is the request's scheme as uvicorn reports it: TLS here, or
    X-Forwarded-Proto from a proxy in FORWARDED_ALLOW_IPS; plain-http localhost keeps a usable cookie.
    """

    def __init__(self, app: ASGIApp, policy: ContentSecurityPolicy) -> None:
        self.app = app
        self.policy = policy.header()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                headers.setdefault("content-security-policy", self.policy)  # pages have theirs, with a nonce
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", REFERRER_POLICY)
                if https:
                    message["headers"] = [
                        (name, value + b"; Secure")
                        if name.lower() == b"set-cookie" and not SECURE_ATTRIBUTE.search(value)
                        else (name, value)
                        for name, value in message["headers"]
                    ]
            await send(message)

        await self.app(scope, receive, send_hardened)


@dataclass(frozen=True, slots=True)
class SocketOrigins:
    """engine.io's origin check: the Host the request came to, and ALLOWED_ORIGINS (a proxy changing the host).

    python-socketio calls it for every polling request and websocket handshake that has an Origin and
    refuses the others (400, or 403 for a websocket); only an accepted origin is echoed with credentials.
    Host and port are compared, not the scheme: TLS may end at a proxy that does not say so.
    """

    allowed: frozenset[str]

    @classmethod
    def parse(cls, setting: str) -> SocketOrigins:
        return cls(frozenset(origin.rstrip("/").lower() for origin in re.split(r"[\s,]+", setting) if origin))

    def __call__(self, origin: str | None, environ: dict[str, Any]) -> bool:
        if not origin:
            return False
        origin = origin.lower()
        if origin in self.allowed:
            return True
        parts = urlsplit(origin)
        host = str(environ.get("HTTP_HOST", "")).lower()
        default_port = {"http": ":80", "https": ":443"}.get(parts.scheme)
        if default_port is None or not host:
            return False
        return parts.netloc == host.removesuffix(default_port) and not parts.path


def install(app: FastAPI, settings: Settings) -> None:
    """Add the headers, the script nonces and the socket.io origin check to NiceGUI's app."""
    policy = ContentSecurityPolicy(frame_ancestors=settings.frame_ancestors)
    app.add_middleware(ScriptNonces, policy=policy)
    # Outermost, around whatever is added later (the session middleware, ui.run's gzip) and Starlette's own
    # error answers: only there is every response and the session cookie seen. Idempotent: tests compose again.
    build_stack = type(app).build_middleware_stack

    def build_hardened_stack() -> ASGIApp:
        return SecurityHeaders(build_stack(app), policy=policy)

    app.build_middleware_stack = build_hardened_stack  # type: ignore[method-assign]
    core.sio.eio.cors_allowed_origins = SocketOrigins.parse(settings.allowed_origins)
