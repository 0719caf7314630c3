"""Who is asking: the agent's session from NiceGUI's server-side user storage, and their locale."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app

from api.errors import ApiError, NetworkError
from api.settings import Settings
from state.i18n import negotiate_locale
from state.session import AgentSession, current_registry


def page_locale(request: Request) -> str:
    """The agent's chosen language, else the browser's Accept-Language."""
    return negotiate_locale(request.headers.get("accept-language"), app.storage.user.get("locale"))


def safe_next(target: str | None) -> str:
    """A local path to return to after sign-in; anything else goes to the contacts list."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/contacts"
    return target


async def agent_session(settings: Settings) -> AgentSession | None:
    """The signed-in agent of this browser (the token never leaves the server); kiosks sign in by themselves."""
    registry = current_registry()
    token = app.storage.user.get("token")
    if token:
        try:
            session = await registry.resume(token)
        except NetworkError:
            return None  # the backend is unreachable: keep the token, sign-in will say so
        if session is not None:
            return session
        app.storage.user.pop("token", None)
    if settings.kiosk_email and settings.kiosk_password:
        try:
            session = await registry.sign_in(settings.kiosk_email, settings.kiosk_password)
        except ApiError:
            return None
        app.storage.user["token"] = session.token
        return session
    return None


def to_sign_in(request: Request) -> RedirectResponse:
    """Send the browser to the sign-in page, coming back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
