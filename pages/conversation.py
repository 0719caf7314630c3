"""Conversations: a list, and one conversation with the contact panel beside its messages."""

from __future__ import annotations

import time

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import context, ui

from api.errors import ApiError, NotFound
from api.settings import Settings
from components.contact_panel import ContactPanel
from components.contact_view import ContactView
from components.page_frame import page_frame
from pages.access import agent_session, page_locale, to_sign_in
from state.i18n import relative_time, t

STATUSES = ("open", "pending", "snoozed", "resolved", "all")


def register(settings: Settings) -> None:
    @ui.page("/conversations")
    async def conversations(request: Request, status: str = "open") -> RedirectResponse | None:
        session = await agent_session(settings)
        if session is None:
            return to_sign_in(request)
        locale = page_locale(request)
        status = status if status in STATUSES else "open"
        with page_frame(session, locale):
            ui.label(t("APP.CONVERSATIONS", locale=locale)).classes("text-h5").props('role="heading" aria-level="1"')
            with ui.row().classes("gap-1"):
                for name in STATUSES:
                    key = "HISTORY.STATUS_" + name.upper() if name != "all" else "APP.CONVERSATIONS"
                    ui.link(t(key, locale=locale), f"/conversations?status={name}").classes(
                        "q-px-sm" + (" text-weight-bold" if name == status else "")
                    )
            listing = ui.column().classes("w-full gap-1")
            with listing:
                ui.skeleton("rect", height="200px").classes("w-full")
        await context.client.connected()
        try:
            items = await session.client.conversations(status=status)
        except ApiError as error:
            listing.clear()
            with listing:
                ui.label(f"{t('CONTACT.LOAD_FAILED', locale=locale)}: {error.message}").props('role="alert"')
            return None
        listing.clear()
        now = int(time.time())
        with listing:
            if not items:
                ui.label(t("HISTORY.EMPTY", locale=locale)).classes("text-grey-6 italic")
            for item in items:
                sender = item.meta.sender
                message = item.messages[-1].content if item.messages else ""
                with ui.link(target=f"/conversations/{item.id}").classes("w-full no-underline text-inherit").props(
                    f'data-testid="conversation-link-{item.id}"'
                ), ui.card().classes("w-full q-pa-sm").props("flat bordered"):
                    with ui.row().classes("w-full items-center gap-2 no-wrap"):
                        ui.label(f"#{item.id}").classes("text-weight-bold")
                        ui.label(sender.name if sender and sender.name else "").classes("grow ellipsis")
                        stamp = item.last_activity_at
                        ui.label(relative_time(stamp, now=now, locale=locale) if stamp else "").classes("text-caption")
                    ui.label(message or "").classes("ellipsis text-grey-8")
        return None

    @ui.page("/conversations/{conversation_id}")
    async def conversation(request: Request, conversation_id: int) -> RedirectResponse | None:
        session = await agent_session(settings)
        if session is None:
            return to_sign_in(request)
        locale = page_locale(request)
        with page_frame(session, locale) as main:
            heading = ui.label(t("CONVERSATION.TITLE", locale=locale, id=conversation_id)).classes("text-h5")
            heading.props('role="heading" aria-level="1"')
            body = ui.row().classes("w-full gap-4 items-start lg:flex-nowrap")
            with body:
                ui.skeleton("rect", height="300px").classes("grow")
        await context.client.connected()
        try:
            found, messages = await session.client.conversation(conversation_id), await session.client.conversation_messages(
                conversation_id
            )
        except NotFound:
            body.clear()
            with body:
                ui.label(t("CONVERSATION.NOT_FOUND", locale=locale)).classes("text-h6").props('role="alert"')
            return None
        except ApiError as error:
            body.clear()
            with body:
                ui.label(f"{t('CONTACT.LOAD_FAILED', locale=locale)}: {error.message}").props('role="alert"')
                ui.button(t("APP.RETRY", locale=locale), on_click=ui.navigate.reload)
            return None
        body.clear()
        sender = found.meta.sender
        with main, body:
            with ui.card().classes("grow basis-96").props('flat bordered data-testid="messages"'):
                ui.label(t("CONVERSATION.MESSAGES", locale=locale)).classes("text-subtitle1")
                if not messages:
                    ui.label(t("CONVERSATION.NO_MESSAGES", locale=locale)).classes("text-grey-6 italic")
                for message in messages:
                    incoming = message.message_type in (0, "incoming")
                    ui.chat_message(
                        text=message.content or "",
                        name=(sender.name if incoming and sender else None) or None,
                        sent=not incoming,
                        stamp=relative_time(message.created_at, locale=locale) if message.created_at else None,
                    )
            with ui.column().classes("basis-96 grow").props(f'aria-label="{t("CONVERSATION.CONTACT_PANEL", locale=locale)}"'):
                if sender is not None:
                    ui.link(t("CONVERSATION.OPEN_CONTACT", locale=locale), f"/conversations/{conversation_id}/contact").props(
                        'data-testid="open-contact"'
                    )
                    ContactPanel(
                        ContactView(session=session, contact_id=sender.id, locale=locale),
                        source="conversation",
                        seed=sender,
                        compact=True,
                    )
        return None
