"""The chrome-less contact panel for kiosks and intranet portals (`/embed/contacts/{id}`).

Which sites may frame it is `FRAME_ANCESTORS`, sent as `Content-Security-Policy` by main.py.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from api.settings import Settings
from components.contact_panel import FIRST_LOAD_SECONDS, ContactPanel
from components.contact_view import ContactView
from components.page_frame import apply_locale_and_theme
from pages.access import agent_session, page_locale, to_sign_in
from state.i18n import t


def register(settings: Settings) -> None:
    @ui.page("/embed/contacts/{contact_id}")
    async def embedded_contact(request: Request, contact_id: int) -> RedirectResponse | None:
        session = await agent_session(settings)
        if session is None:
            return to_sign_in(request)
        locale = page_locale(request)
        apply_locale_and_theme(locale)
        ui.page_title(t("EMBED.TITLE", locale=locale))
        with ui.column().classes("w-full q-pa-sm"):  # inside Quasar's page, the `main` landmark
            ui.label(t("EMBED.TITLE", locale=locale)).classes("sr-only").props('role="heading" aria-level="1"')
            panel = ContactPanel(
                ContactView(session=session, contact_id=contact_id, locale=locale), source="embed", compact=True
            )
        await panel.first_load(within=FIRST_LOAD_SECONDS)
        return None
