"""Sign-in against the backend's `POST /auth/sign_in`; sign-out."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from api.errors import ApiError, NetworkError, RateLimited, Unauthorized
from api.settings import Settings
from components.contact_view import MUTED_TEXT, mark_id
from components.page_frame import page_frame
from pages.access import agent_session, page_locale, safe_next
from state.i18n import t
from state.session import current_registry

DEMO_EMAIL = "admin@acme.test"
DEMO_PASSWORD = "admin-demo-2026"


def register(settings: Settings) -> None:
    demo = settings.embedded and settings.demo_data

    @ui.page("/")
    async def home() -> RedirectResponse:
        return RedirectResponse("/contacts", status_code=303)

    @ui.page("/logout")
    async def logout() -> RedirectResponse:
        # Only this browser forgets the token: Chatwoot gives an agent one token for all their browsers,
        # so the shared session (and its live connection) stays for the others.
        app.storage.user.pop("token", None)
        return RedirectResponse("/login", status_code=303)

    @ui.page("/login")
    async def login(request: Request, next: str | None = None) -> RedirectResponse | None:
        target = safe_next(next)
        if await agent_session(settings) is not None:
            return RedirectResponse(target, status_code=303)
        locale = page_locale(request)
        with page_frame(None, locale, title_key="LOGIN.TITLE"), ui.card().classes("w-full max-w-sm mx-auto q-mt-xl"):
            ui.label(t("LOGIN.TITLE", locale=locale)).classes("text-h5").props('role="heading" aria-level="1"')
            email = ui.input(t("LOGIN.EMAIL", locale=locale), value=DEMO_EMAIL if demo else "")
            email.props("type=email autocomplete=username outlined").classes("w-full")
            mark_id(email, "login-email")
            password = ui.input(t("LOGIN.PASSWORD", locale=locale), value=DEMO_PASSWORD if demo else "", password=True)
            password.props("autocomplete=current-password outlined").classes("w-full")
            mark_id(password, "login-password")
            error = mark_id(ui.label("").classes("text-negative").props('role="alert"'), "login-error")
            if demo:
                ui.label(t("LOGIN.DEMO_HINT", locale=locale, email=DEMO_EMAIL, password=DEMO_PASSWORD)).classes(
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
                    session = await current_registry().sign_in(address, secret)
                except Unauthorized:
                    error.text = t("LOGIN.INVALID_CREDENTIALS", locale=locale)
                except RateLimited:
                    error.text = t("LOGIN.TOO_MANY_ATTEMPTS", locale=locale)
                except NetworkError:
                    error.text = t("LOGIN.SERVER_UNREACHABLE", locale=locale)
                except ApiError:
                    error.text = t("ERRORS.UNKNOWN", locale=locale)
                else:
                    app.storage.user["token"] = session.token
                    ui.navigate.to(target)
                finally:
                    button.props["loading"] = False

            button = (
                ui.button(t("LOGIN.SUBMIT", locale=locale), on_click=submit).props("color=primary").classes("w-full")
            )
            mark_id(button, "login-submit")
            email.on("keydown.enter", submit)
            password.on("keydown.enter", submit)
        return None
