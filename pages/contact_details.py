"""The contact details page, by contact id or from a conversation's sender."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import context, ui

from api.settings import Settings
from components.contact_panel import FIRST_LOAD_SECONDS, ContactPanel
from components.contact_tab_title import ContactTabTitle
from components.contact_view import ContactView, mark_id
from components.page_frame import page_frame
from pages.access import agent_session, is_kiosk, page_locale, to_sign_in
from pages.conversation import conversation_failed
from state import reads
from state.i18n import t
from state.problems import LoadFailed

SOURCES = {"contacts_list", "conversation", "direct", "duplicates"}


def register(settings: Settings) -> None:
    @ui.page("/contacts/{contact_id}")
    async def contact_details(request: Request, contact_id: int, source: str = "direct") -> RedirectResponse | None:
        session = await agent_session(settings)
        if session is None:
            return to_sign_in(request)
        locale = page_locale(request)
        with page_frame(session, locale, title_key="CONTACT.TITLE", sign_out=not is_kiosk(settings)):
            ui.label(t("CONTACT.DETAILS", locale=locale)).classes("sr-only").props('role="heading" aria-level="1"')
            view = ContactView(session=session, contact_id=contact_id, locale=locale)
            panel = ContactPanel(view, source=source if source in SOURCES else "direct", first_load=True)
            ContactTabTitle(view)
        await panel.first_load(within=FIRST_LOAD_SECONDS)
        return None

    @ui.page("/conversations/{conversation_id}/contact")
    async def contact_from_conversation(request: Request, conversation_id: int) -> RedirectResponse | None:
        session = await agent_session(settings)
        if session is None:
            return to_sign_in(request)
        locale = page_locale(request)
        with page_frame(session, locale, title_key="CONTACT.TITLE", sign_out=not is_kiosk(settings)):
            ui.label(t("CONTACT.DETAILS", locale=locale)).classes("sr-only").props('role="heading" aria-level="1"')
            back = ui.link(t("APP.BACK", locale=locale), f"/conversations/{conversation_id}")
            mark_id(back, "back-to-conversation")
            placeholder = ui.column().classes("w-full")
            with placeholder:
                ui.skeleton("rect", height="120px").classes("w-full")
        await context.client.connected()
        try:
            conversation = await reads.conversation(session, conversation_id)
        except LoadFailed as failed:
            placeholder.clear()
            with placeholder:
                conversation_failed(failed.problem, locale)
            return None
        sender = conversation.meta.sender
        placeholder.clear()
        with placeholder:
            if sender is None:
                ui.label(t("CONTACT.NOT_FOUND", locale=locale)).classes("text-h6").props('role="alert"')
                return None
            view = ContactView(session=session, contact_id=sender.id, locale=locale)
            ContactPanel(view, source="conversation", seed=sender)
            ContactTabTitle(view)
        return None
