"""Conversations: a list, and one conversation: its messages, with the contact in a sidebar at the end side."""

from __future__ import annotations

import time
from collections.abc import Coroutine

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import Event, app, context, ui

from api.error_codes import ErrorCode
from api.models import Contact, Conversation, Message, Profile
from api.settings import Settings
from components.contact_panel import ContactPanel
from components.contact_view import MUTED_TEXT, ContactView, aria, hinted, mark_id
from components.page_frame import page_frame
from pages.access import agent_session, is_kiosk, page_locale, to_sign_in
from state import reads
from state.contact_lists import ChangeKind, ListChange
from state.contact_names import contact_display_name
from state.i18n import format_datetime, relative_time, t
from state.problems import LoadFailed, Problem, describe

STATUSES = ("open", "pending", "snoozed", "resolved", "all")
SENDER_FIELDS = ("name", "email", "phone_number")  # what a conversation row calls its contact by
# Chatwoot's message types, as numbers or names.
INCOMING = (0, "incoming")
ACTIVITY = (2, "activity")
SIDEBAR_OPEN_KEY = "conversation_sidebar_open"  # app.storage.user: whether this browser shows the contact sidebar


def register(settings: Settings) -> None:
    @ui.page("/conversations")
    async def conversations(request: Request, status: str = "open") -> RedirectResponse | None:
        session = await agent_session(settings)
        if session is None:
            return to_sign_in(request)
        locale = page_locale(request)
        status = status if status in STATUSES else "open"
        with page_frame(session, locale, sign_out=not is_kiosk(settings)):
            ui.label(t("APP.CONVERSATIONS", locale=locale)).classes("text-h5").props('role="heading" aria-level="1"')
            with ui.row().classes("gap-1"):
                for name in STATUSES:
                    key = "HISTORY.STATUS_" + name.upper() if name != "all" else "APP.CONVERSATIONS"
                    link = ui.link(t(key, locale=locale), f"/conversations?status={name}").classes("q-px-sm")
                    if name == status:
                        link.classes("text-weight-bold").props('aria-current="page"')
            listing = ui.column().classes("w-full gap-1")
            with listing:
                ui.skeleton("rect", height="200px").classes("w-full")
        senders: dict[int, Contact] = {}  # contact id -> the contact as its rows show it
        sender_labels: dict[int, list[ui.label]] = {}  # contact id -> the labels showing what to call that contact

        async def load() -> None:
            try:
                items = await reads.conversations(session, status)
            except LoadFailed as failed:
                listing.clear()
                with listing:
                    conversation_failed(failed.problem, locale)
                return
            listing.clear()
            senders.clear()
            sender_labels.clear()
            now = int(time.time())
            with listing:
                if not items:
                    ui.label(t("HISTORY.EMPTY", locale=locale)).classes(f"{MUTED_TEXT} italic")
                for item in items:
                    sender = item.meta.sender
                    message = item.messages[-1].content if item.messages else ""
                    link = ui.link(target=f"/conversations/{item.id}").classes("w-full no-underline text-inherit")
                    with (
                        mark_id(link, f"conversation-link-{item.id}"),
                        ui.card().classes("w-full q-pa-sm").props("flat bordered"),
                    ):
                        with ui.row().classes("w-full items-center gap-2 no-wrap"):
                            ui.label(f"#{item.id}").classes("text-weight-bold")
                            name = ui.label(contact_display_name(sender, locale) if sender else "")
                            mark_id(name.classes("grow min-w-0 ellipsis"), f"conversation-sender-{item.id}")
                            if sender is not None:
                                senders[sender.id] = sender
                                sender_labels.setdefault(sender.id, []).append(name)
                            stamp = item.last_activity_at
                            ui.label(relative_time(stamp, now=now, locale=locale) if stamp else "").classes(
                                "text-caption"
                            )
                        ui.label(message or "").classes(f"w-full ellipsis {MUTED_TEXT}")

        def apply_change(change: ListChange) -> Coroutine[None, None, None] | None:
            """A renamed contact is renamed in its rows, without asking the server; a reconnect reads the list.

            Without a name a contact goes by its email or phone, so a change to those renames it too; an event
            carries only some fields, the others are kept as shown. A deleted contact's rows stay: a merge moves
            its conversations to the contact it went into.
            """
            if change.kind is ChangeKind.RECONNECTED:
                return load()
            contact = change.contact
            if change.kind is not ChangeKind.UPDATED or contact is None or contact.id not in senders:
                return None
            fields = {f: getattr(contact, f) for f in SENDER_FIELDS if f in contact.model_fields_set}
            if fields:
                sender = senders[contact.id] = senders[contact.id].model_copy(update=fields)
                for name in sender_labels.get(contact.id, []):
                    name.set_text(contact_display_name(sender, locale))
            return None

        changed: Event[[ListChange]] = Event()
        changed.subscribe(apply_change)
        context.client.on_delete(session.lists.subscribe(changed.emit))
        await context.client.connected()
        await load()
        return None

    @ui.page("/conversations/{conversation_id}")
    async def conversation(request: Request, conversation_id: int) -> RedirectResponse | None:
        session = await agent_session(settings)
        if session is None:
            return to_sign_in(request)
        locale = page_locale(request)
        with page_frame(session, locale, sign_out=not is_kiosk(settings)):
            with ui.row().classes("w-full items-center no-wrap gap-2"):
                heading = ui.label(t("CONVERSATION.TITLE", locale=locale, id=conversation_id)).classes("text-h5 grow")
                heading.props('role="heading" aria-level="1"')
                toggle = ContactSidebarToggle(locale)
            body = ui.element("div").classes("conversation-layout w-full")
            with body:
                messages_card = mark_id(ui.card(), "messages").classes("conversation-messages").props("flat bordered")
                with messages_card:
                    ui.skeleton("rect", height="300px").classes("w-full")
                sidebar = mark_id(ui.column(), "contact-sidebar").classes("conversation-sidebar gap-2")
                with aria(sidebar, t("CONVERSATION.CONTACT_PANEL", locale=locale)).props('role="complementary"'):
                    ui.skeleton("rect", height="300px").classes("w-full")
            toggle.controls(sidebar)
        await context.client.connected()
        try:
            found, messages = await reads.conversation_with_messages(session, conversation_id)
        except LoadFailed as failed:
            body.clear()
            toggle.button.delete()
            with body:
                conversation_failed(failed.problem, locale)
            return None
        sender = found.meta.sender
        messages_card.clear()
        with messages_card:
            MessageList(
                messages,
                contact_name=contact_display_name(sender, locale) if sender else None,
                agent_names=known_agents(found, session.profile),
                locale=locale,
            )
        sidebar.clear()
        with sidebar:
            if sender is None:
                ui.label(t("CONTACT.NOT_FOUND", locale=locale)).classes(f"{MUTED_TEXT} italic")
            else:
                link = ui.link(
                    t("CONVERSATION.OPEN_CONTACT", locale=locale), f"/conversations/{conversation_id}/contact"
                )
                mark_id(link, "open-contact")
                ContactPanel(
                    ContactView(session=session, contact_id=sender.id, locale=locale),
                    source="conversation",
                    seed=sender,
                    compact=True,
                )
        return None


def conversation_failed(problem: Problem, locale: str) -> None:
    """Where a conversation (or the list) would be: that it is not there, or why it could not be read, with Retry."""
    if problem is ErrorCode.NOT_FOUND:
        not_found = mark_id(ui.label(t("CONVERSATION.NOT_FOUND", locale=locale)), "conversation-not-found")
        not_found.classes("text-h6").props('role="alert"')
        return
    ui.label(f"{t('CONVERSATION.LOAD_FAILED', locale=locale)}: {describe(problem, locale)}").props('role="alert"')
    ui.button(t("APP.RETRY", locale=locale), on_click=ui.navigate.reload).props("flat color=primary")


def known_agents(conversation: Conversation, profile: Profile) -> dict[int, str]:
    """Agents' names by id, as far as this page knows them.

    Chatwoot and the embedded server name a message's sender; for a server that gives only its id and type,
    an agent is named when it is the conversation's assignee or the signed-in agent.
    """
    names = {profile.id: profile.name} if profile.name else {}
    assignee = conversation.meta.assignee
    if assignee is not None and assignee.id is not None and assignee.name:
        names[assignee.id] = assignee.name
    return names


class ContactSidebarToggle:
    """The button that shows or hides the contact sidebar; each browser keeps its choice."""

    def __init__(self, locale: str) -> None:
        label = t("CONVERSATION.TOGGLE_CONTACT_PANEL", locale=locale)
        self.open = bool(app.storage.user.get(SIDEBAR_OPEN_KEY, True))
        self.button = ui.button(icon="view_sidebar", on_click=self.toggle).props("flat round")
        mark_id(hinted(self.button, label), "contact-sidebar-toggle")
        self.sidebar: ui.element | None = None

    def controls(self, sidebar: ui.element) -> None:
        self.sidebar = sidebar
        self.button.props["aria-controls"] = sidebar.html_id
        self._show()

    def toggle(self) -> None:
        self.open = not self.open
        app.storage.user[SIDEBAR_OPEN_KEY] = self.open
        self._show()

    def _show(self) -> None:
        self.button.props["aria-expanded"] = "true" if self.open else "false"
        self.button.update()
        if self.sidebar is not None:
            self.sidebar.set_visibility(self.open)


class MessageList:
    """A conversation's messages: the contact's at the start side, the agents' at the end, activity centred."""

    def __init__(
        self, messages: list[Message], *, contact_name: str | None, agent_names: dict[int, str], locale: str
    ) -> None:
        self.contact_name = contact_name
        self.agent_names = agent_names
        self.locale = locale
        ui.label(t("CONVERSATION.MESSAGES", locale=locale)).classes("text-subtitle1").props(
            'role="heading" aria-level="2"'
        )
        if not messages:
            ui.label(t("CONVERSATION.NO_MESSAGES", locale=locale)).classes(f"{MUTED_TEXT} italic")
        for message in messages:
            if message.message_type in ACTIVITY:
                ui.label(message.content or "").classes(f"self-center text-caption {MUTED_TEXT}").props("dir=auto")
            else:
                self.bubble(message)

    def author(self, message: Message, incoming: bool) -> str:
        if incoming:
            return self.contact_name or t("CONVERSATION.FROM_CONTACT", locale=self.locale)
        sender = message.sender
        if sender is not None and sender.name:
            return sender.name
        if sender is not None and sender.id in self.agent_names and (sender.type or "user").lower() == "user":
            return self.agent_names[sender.id]
        return t("CONVERSATION.FROM_AGENT", locale=self.locale)

    def bubble(self, message: Message) -> None:
        incoming = message.message_type in INCOMING
        who = self.author(message, incoming)
        if message.private:
            who = f"{who} · {t('CONVERSATION.PRIVATE_NOTE', locale=self.locale)}"
        bubble = ui.chat_message(
            text=message.content or "",
            name=who,
            sent=not incoming,
            stamp=relative_time(message.created_at, locale=self.locale) if message.created_at else None,
        )
        mark_id(bubble, f"message-{message.id}").classes("self-start" if incoming else "self-end")
        if message.private:
            bubble.classes("private-note")
        # Each part's own direction: an English message in the Arabic page keeps its full stop on the right.
        for part in bubble.default_slot.children:
            part.props("dir=auto")
        if message.created_at:
            bubble.props["title"] = format_datetime(message.created_at, self.locale)
