"""Composition root: settings -> embedded API (unless CHATWOOT_URL) -> sessions -> pages -> ui.run."""

from __future__ import annotations

import logging
import secrets

import httpx
from nicegui import app, ui
from nicegui.storage import Storage
from starlette.types import ASGIApp

import pages
from api import demo
from api.in_process import InProcessTransport
from api.protocol import HEALTH_PATH
from api.settings import PROJECT_ROOT, Settings
from pages import hardening, nicegui_speedups
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
    )
    configure_registry(registry)
    app.on_shutdown(registry.close_all)
    analytics.configure(settings.analytics_sink)
    app.on_shutdown(analytics.flush)
    hardening.install(app, settings, ahead)
    app.add_static_files("/assets", str(PROJECT_ROOT / "assets"))
    pages.register(settings)


settings = Settings()
compose(settings)

if __name__ in {"__main__", "__mp_main__"}:
    if settings.embedded and settings.demo_data:
        email, password = demo.ADMIN
        print(f"Contacts on http://localhost:{settings.port} — demo sign-in: {email} / {password}")
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
        session_middleware_kwargs={"same_site": "none", "https_only": True} if settings.cross_origin_embedding else {},
        http=hardening.read_timeout_protocol(settings),  # h11: bounded request line and headers, read timeouts
        h11_max_incomplete_event_size=64 * 1024,
        **settings.proxy_options,
    )
