"""Composition root: settings -> embedded API (unless CHATWOOT_URL) -> sessions -> pages -> ui.run."""

from __future__ import annotations

import asyncio
import errno
import logging
import secrets
import socket

import httpx
from nicegui import app, helpers, ui
from nicegui.server import Server
from nicegui.storage import Storage
from starlette.types import ASGIApp

import pages
from api import demo
from api.in_process import InProcessTransport
from api.protocol import HEALTH_PATH
from api.settings import PROJECT_ROOT, Settings
from components import page_frame, stylesheet
from pages import gc_tuning, hardening, nicegui_speedups
from state import analytics
from state.session import SessionRegistry, configure_registry

log = logging.getLogger("contacts")


def check_storage_secret(settings: Settings) -> None:
    """The public default secret would let anyone sign session cookies: only a demo may run with it."""
    if not settings.uses_default_storage_secret:
        return
    if not (settings.embedded and settings.demo_data):
        raise SystemExit(
            "STORAGE_SECRET is the public default, so anyone could forge session cookies. Set STORAGE_SECRET to a "
            "long random value (python3 -c 'import secrets; print(secrets.token_urlsafe(32))'); only the demo "
            "(embedded server with DEMO_DATA=true) runs without one."
        )
    log.warning(
        "DEMO MODE: STORAGE_SECRET is the public default, so anyone can forge session cookies. "
        "Never expose this to a network; set STORAGE_SECRET (and DEMO_DATA=false) for real use."
    )


def connected_health() -> dict[str, str]:
    """`HEALTH_PATH` in front of a real Chatwoot: nothing to migrate here, so the UI serves once it answers."""
    return {"status": "ready"}


def compose(settings: Settings) -> None:
    """Wire the app for these settings; safe to call again (tests start the app once per test)."""
    check_storage_secret(settings)
    nicegui_speedups.install()
    # The embedded server believes a browser address only from this process's own UI, which proves itself so.
    ui_key = secrets.token_urlsafe(32) if settings.embedded else None
    app.state.embedded_api = None
    ahead = None
    transport = None
    if settings.embedded:
        from server.app import ApiFirst, embedded_app
        from server.runtime import ServerRuntime

        runtime = ServerRuntime.from_settings(settings, ui_key=ui_key)
        app.state.embedded_api = embedded_app(runtime)
        app.state.contact_server = runtime

        def ahead(stack: ASGIApp) -> ASGIApp:
            return ApiFirst(stack, app)  # API and cable requests skip NiceGUI's page middleware

        def transport() -> httpx.AsyncBaseTransport:
            return InProcessTransport(app.state.embedded_api)  # the UI's API requests, without a socket

        app.on_startup(runtime.start)
        app.on_shutdown(runtime.stop)
    else:
        app.add_api_route(HEALTH_PATH, connected_health, include_in_schema=False)
    if settings.redis_url and not Storage.redis_url:
        # Several app processes behind a load balancer share who is signed in through Redis.
        Storage.redis_url = settings.redis_url
    registry = SessionRegistry(
        settings.api_base_url,
        None if settings.embedded else settings.chatwoot_account_id,
        ui_key=ui_key,
        transport=transport,
        # Embedded, the API is this app's own origin: a picture it keeps loads from where the page came from.
        media_origin="" if settings.embedded else None,
    )
    configure_registry(registry)
    app.on_shutdown(registry.close_all)
    analytics.configure(settings.analytics_sink)
    app.on_shutdown(analytics.flush)
    hardening.install(app, settings, ahead)
    app.add_static_files("/assets", str(PROJECT_ROOT / "assets"))
    pages.register(settings)
    stylesheet.install()
    page_frame.install_colors()
    gc_tuning.install()


def port_is_taken(host: str, port: int) -> bool:
    """True when another program listens on `port` at an address `host` stands for (binding as uvicorn will)."""
    try:
        addresses = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        return False  # a host that does not resolve is uvicorn's to report
    for family, kind, protocol, _, address in addresses:
        with socket.socket(family, kind, protocol) as probe:
            # As asyncio's create_server: a port left in TIME_WAIT by a stopped app is free, a listener is not.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    return True
    return False


def refuse_taken_port(settings: Settings) -> None:
    """Exit with one line before any start-up work when the port is taken (uvicorn would fail after it)."""
    if port_is_taken(settings.host, settings.port):
        raise SystemExit(
            f"Port {settings.port} is taken: another program listens on it. "
            f"Choose another port, e.g. PORT={settings.port + 1} make run"
        )


def announcement(settings: Settings) -> str:
    host = "localhost" if settings.host in {"", "0.0.0.0", "::", "127.0.0.1"} else settings.host
    line = f"Contacts on http://{host}:{settings.port}"
    if settings.embedded and settings.demo_data:
        email, password = demo.ADMIN
        line += f" — demo sign-in: {email} / {password}"
    return line


async def announce_when_serving(settings: Settings) -> None:
    """Print the address once the port listens and, embedded, the database is migrated and seeded."""
    # uvicorn sets `started` once its socket listens, after the start-up handlers; it offers no event to wait on.
    while not Server.instance.started:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    if settings.embedded:
        await app.state.contact_server.wait_ready()
    print(announcement(settings), flush=True)


settings = Settings()
# NiceGUI's user simulation (the tests) runs this file as __main__ without listening, and a process pool's child
# (__mp_main__) never serves: only a real start checks the port, before any other work, and announces itself.
serving = __name__ == "__main__" and not helpers.is_user_simulation()
if serving:
    refuse_taken_port(settings)
compose(settings)

if __name__ in {"__main__", "__mp_main__"}:
    if serving:
        app.on_startup(lambda: announce_when_serving(settings))
    ui.run(
        host=settings.host,
        port=settings.port,
        title="Contacts",
        storage_secret=settings.storage_secret,
        reconnect_timeout=settings.reconnect_timeout,
        show=False,
        reload=False,
        show_welcome_message=False,
        favicon="👤",
        tailwind=False,  # its classes are compiled by `make css` and linked by components/stylesheet.py
        session_middleware_kwargs={"same_site": "none", "https_only": True} if settings.cross_origin_embedding else {},
        http=hardening.read_timeout_protocol(settings),  # h11: bounded request line and headers, read timeouts
        h11_max_incomplete_event_size=64 * 1024,
        gzip_middleware_factory=nicegui_speedups.compressed,
        **settings.proxy_options,
    )
