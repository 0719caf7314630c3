"""Sign-in against the backend's `POST /auth/sign_in`; sign-out."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from api.errors import NetworkError, RateLimited, Unauthorized
from api.settings import Settings
from components.page_frame import page_frame
from pages.access import agent_session, page_locale, safe_next
from state.i18n import t
from state.session import current_registry

DEMO_EMAIL = "admin@acme.test"
DEMO_PASSWORD = "admin-demo-2026"  # noqa: S105 - the documented demo sign-in, shown only in demo mode


def register(settings: Settings) -> None:
    demo = settings.embedded and settings.demo_data

    @ui.page("/")
    async def home() -> RedirectResponse:
        return RedirectResponse("/contacts", status_code=303)

    @ui.page("/logout")
    async def logout() -> RedirectResponse:
        token = app.storage.user.pop("token", None)
        if token:
            await current_registry().sign_out(token)
        return RedirectResponse("/login", status_code=303)

    @ui.page("/login")
    async def login(request: Request, next: str | None = None) -> RedirectResponse | None:  # noqa: A002
        target = safe_next(next)
        if await agent_session(settings) is not None:
            return RedirectResponse(target, status_code=303)
        locale = page_locale(request)
        with page_frame(None, locale, title_key="LOGIN.TITLE"), ui.card().classes("w-full max-w-sm mx-auto q-mt-xl"):
            ui.label(t("LOGIN.TITLE", locale=locale)).classes("text-h5").props('role="heading" aria-level="1"')
            email = ui.input(t("LOGIN.EMAIL", locale=locale), value=DEMO_EMAIL if demo else "").props(
                'type=email autocomplete=username outlined data-testid="login-email"'
            ).classes("w-full")
            password = ui.input(
                t("LOGIN.PASSWORD", locale=locale), value=DEMO_PASSWORD if demo else "", password=True
            ).props('autocomplete=current-password outlined data-testid="login-password"').classes("w-full")
            error = ui.label("").classes("text-negative").props('role="alert" data-testid="login-error"')
            if demo:
                ui.label(t("LOGIN.DEMO_HINT", locale=locale, email=DEMO_EMAIL, password=DEMO_PASSWORD)).classes(
                    "text-caption text-grey-7"
                )

            async def submit() -> None:
                error.text = ""
                button.props["loading"] = True
                try:
                    session = await current_registry().sign_in(email.value.strip(), password.value)
                except Unauthorized:
                    error.text = t("LOGIN.INVALID_CREDENTIALS", locale=locale)
                except RateLimited:
                    error.text = t("LOGIN.TOO_MANY_ATTEMPTS", locale=locale)
                except NetworkError:
                    error.text = t("LOGIN.SERVER_UNREACHABLE", locale=locale)
                else:
                    app.storage.user["token"] = session.token
                    ui.navigate.to(target)
                finally:
                    button.props["loading"] = False

            button = ui.button(t("LOGIN.SUBMIT", locale=locale), on_click=submit).props(
                'color=primary data-testid="login-submit"'
            ).classes("w-full")
            password.on("keydown.enter", submit)
        return None
