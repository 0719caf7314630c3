"""Who is asking: the agent's session from NiceGUI's server-side user storage, and their locale."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, context

from api.client import Credentials
from api.errors import ApiError, NetworkError
from api.settings import Settings
from state.i18n import negotiate_locale
from state.session import AgentSession, current_registry

log = logging.getLogger(__name__)


def page_locale(request: Request) -> str:
    """The agent's chosen language, else the browser's Accept-Language."""
    return negotiate_locale(request.headers.get("accept-language"), app.storage.user.get("locale"))


def safe_next(target: str | None) -> str:
    """A local path to return to after sign-in; anything else goes to the contacts list."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/contacts"
    return target


CREDENTIALS_KEY = "token"  # where a browser's credentials live in its server-side user storage


def remember_sign_in(credentials: Credentials | None) -> None:
    """Keep a sign-in's credentials in this browser's server-side storage (never in the browser)."""
    if credentials is not None:
        app.storage.user[CREDENTIALS_KEY] = credentials.stored()


def is_kiosk(settings: Settings) -> bool:
    """Every visitor is signed in as one agent, so signing out would only sign straight back in."""
    return bool(settings.kiosk_email and settings.kiosk_password)


async def agent_session(settings: Settings) -> AgentSession | None:
    """The signed-in agent of this browser (the credentials never leave the server); kiosks sign in by themselves."""
    registry = current_registry()
    credentials = Credentials.from_stored(app.storage.user.get(CREDENTIALS_KEY))
    if credentials is not None:
        try:
            session = await registry.resume(credentials)
        except NetworkError:
            return None  # the backend is unreachable: keep the credentials, sign-in will say so
        if session is not None:
            return session
        app.storage.user.pop(CREDENTIALS_KEY, None)
    if settings.kiosk_email and settings.kiosk_password:
        try:
            session = await registry.sign_in(
                settings.kiosk_email, settings.kiosk_password, client_address=context.client.ip or None
            )
        except ApiError:
            return None
        remember_sign_in(session.credentials)
        return session
    return None


async def sign_out() -> None:
    """Forget this browser's sign-in and end its session at the backend (its token stops working)."""
    credentials = Credentials.from_stored(app.storage.user.pop(CREDENTIALS_KEY, None))
    if credentials is None:
        return
    try:
        await current_registry().sign_out(credentials)
    except ApiError:
        log.warning("Signed out here, but the backend could not be told; its token lives until it expires")


def to_sign_in(request: Request) -> RedirectResponse:
    """Send the browser to the sign-in page, coming back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
