"""Sign-in against the backend's `POST /auth/sign_in`; sign-out."""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from nicegui import app, context, ui

from api.client import Credentials
from api.demo import ADMIN
from api.errors import ApiError, NetworkError, RateLimited, Unauthorized
from api.settings import Settings
from components.contact_view import MUTED_TEXT, mark_id
from components.page_frame import SIGN_OUT_PATH, page_frame
from pages.access import agent_session, page_locale, remember_sign_in, safe_next, sign_out
from pages.hardening import TrustedOrigins
from state.i18n import t
from state.session import AgentSession, current_registry

CARRIED_PREFERENCES = ("locale", "dark")  # what a browser chose before signing in, kept in the new session
TICKET_LIFETIME = 60.0  # seconds the browser has to come and take its sign-in


@dataclass(kw_only=True, slots=True)
class _Ticket:
    credentials: Credentials
    session_id: str
    target: str
    expires: float


class SignInTickets:
    """Sign-ins made over a page's connection, waiting for their browser to take them over HTTP, where the
    session cookie can be replaced: one use, `TICKET_LIFETIME` seconds, only with the session that signed in."""

    def __init__(self) -> None:
        self._waiting: dict[str, _Ticket] = {}

    def issue(self, session: AgentSession, session_id: str, target: str) -> str | None:
        if session.credentials is None:
            return None
        moment = time.monotonic()
        for stale in [key for key, ticket in self._waiting.items() if ticket.expires < moment]:
            del self._waiting[stale]
        ticket = secrets.token_urlsafe(32)
        self._waiting[ticket] = _Ticket(
            credentials=session.credentials, session_id=session_id, target=target, expires=moment + TICKET_LIFETIME
        )
        return ticket

    def redeem(self, ticket: str, session_id: str | None) -> _Ticket | None:
        waiting = self._waiting.pop(ticket, None)
        if waiting is None or waiting.expires < time.monotonic() or waiting.session_id != session_id:
            return None
        return waiting


tickets = SignInTickets()


def register(settings: Settings) -> None:
    demo = settings.embedded and settings.demo_data
    origins = TrustedOrigins.parse(settings.allowed_origins)

    @ui.page("/")
    async def home() -> RedirectResponse:
        return RedirectResponse("/contacts", status_code=303)

    @app.post(SIGN_OUT_PATH, include_in_schema=False)
    async def logout(request: Request) -> Response:
        """Sign this browser out (a form POST of the page frame; refused from another site's page)."""
        if not origins.sent_by_own_page(request.headers):
            return PlainTextResponse("Cross-site sign-out refused", status_code=403)
        await sign_out()
        app.storage.user.clear()
        request.session["id"] = str(uuid.uuid4())
        return RedirectResponse("/login", status_code=303)

    @app.get("/login/complete", include_in_schema=False)
    async def complete_sign_in(request: Request, ticket: str = "") -> RedirectResponse:
        """Where the sign-in page sends the browser: a new session id (cookie) carries the sign-in, so a
        session cookie planted in the browser before never becomes the agent's."""
        taken = tickets.redeem(ticket, request.session.get("id"))
        if taken is None:
            return RedirectResponse("/login", status_code=303)
        preferences = {key: app.storage.user[key] for key in CARRIED_PREFERENCES if key in app.storage.user}
        app.storage.user.clear()
        request.session["id"] = str(uuid.uuid4())
        # NiceGUI creates a session's user storage when its first request arrives; this request brings the id.
        await app.storage._create_user_storage(request.session["id"])
        app.storage.user.update(preferences)
        remember_sign_in(taken.credentials)
        return RedirectResponse(taken.target, status_code=303)

    @ui.page("/login")
    async def login(request: Request, next: str | None = None) -> RedirectResponse | None:
        target = safe_next(next)
        if await agent_session(settings) is not None:
            return RedirectResponse(target, status_code=303)
        locale = page_locale(request)
        with page_frame(None, locale, title_key="LOGIN.TITLE"), ui.card().classes("w-full max-w-sm mx-auto q-mt-xl"):
            ui.label(t("LOGIN.TITLE", locale=locale)).classes("text-h5").props('role="heading" aria-level="1"')
            email = ui.input(t("LOGIN.EMAIL", locale=locale), value=ADMIN.email if demo else "")
            email.props("type=email autocomplete=username outlined").classes("w-full")
            mark_id(email, "login-email")
            password = ui.input(t("LOGIN.PASSWORD", locale=locale), value=ADMIN.password if demo else "", password=True)
            password.props("autocomplete=current-password outlined").classes("w-full")
            mark_id(password, "login-password")
            error = mark_id(ui.label("").classes("text-negative").props('role="alert"'), "login-error")
            if demo:
                ui.label(t("LOGIN.DEMO_HINT", locale=locale, email=ADMIN.email, password=ADMIN.password)).classes(
                    f"text-caption {MUTED_TEXT}"
                )

            async def submit() -> None:
                address, secret = (email.value or "").strip(), password.value or ""
                if not address or not secret:
                    error.text = t("LOGIN.EMAIL_REQUIRED" if not address else "LOGIN.PASSWORD_REQUIRED", locale=locale)
                    return
                error.text = ""
                button.props["loading"] = True
                try:
                    session = await current_registry().sign_in(
                        address, secret, client_address=context.client.ip or None
                    )
                except Unauthorized:
                    error.text = t("LOGIN.INVALID_CREDENTIALS", locale=locale)
                except RateLimited:
                    error.text = t("LOGIN.TOO_MANY_ATTEMPTS", locale=locale)
                except NetworkError:
                    error.text = t("LOGIN.SERVER_UNREACHABLE", locale=locale)
                except ApiError:
                    error.text = t("ERRORS.UNKNOWN", locale=locale)
                else:
                    ticket = tickets.issue(session, app.storage.browser["id"], target)
                    if ticket is None:
                        error.text = t("ERRORS.UNKNOWN", locale=locale)
                    else:
                        ui.navigate.to(f"/login/complete?ticket={ticket}")
                finally:
                    button.props["loading"] = False

            button = (
                ui.button(t("LOGIN.SUBMIT", locale=locale), on_click=submit).props("color=primary").classes("w-full")
            )
            mark_id(button, "login-submit")
            email.on("keydown.enter", submit)
            password.on("keydown.enter", submit)
        return None
