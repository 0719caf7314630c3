"""ContactConversationHistory: the contact's conversations in one table that scrolls past a few rows."""

from __future__ import annotations

import time

from nicegui import ui
from nicegui.events import GenericEventArguments

from api.models import Conversation
from components.contact_view import (
    MUTED_TEXT,
    ContactView,
    aria,
    mark_id,
    scroll_fade_css,
    section_body,
    section_title,
    skeleton_lines,
)
from components.history_table import HistoryTable, Row
from components.on_demand import OnDemand
from components.stylesheet import shared_css
from state import actions
from state.i18n import relative_time

# Badge background and text colour of each status; every pair has at least 5:1 contrast.
STATUS_COLORS = {
    "open": ("primary", "white"),
    "resolved": ("positive", "white"),
    "pending": ("warning", "black"),
    "snoozed": ("grey-8", "white"),
}
PREVIEW_LENGTH = 120
SCROLL_ROWS = 8  # more rows than this scroll in SCROLL_HEIGHT
SCROLL_HEIGHT = "420px"

# A row opens its conversation on a click, or on Enter or Space while it has the focus: listened to on the table
# itself, one listener for every row. (Not virtual scrolling: for the 20 to a few hundred rows a contact shows, it
# only made the browser draw the rows a frame after the rest of the page.)
OPEN_ON_CLICK = """(event) => {
  const row = event.target.closest('tr[data-conversation]');
  if (row) emit(Number(row.dataset.conversation));
}"""
OPEN_ON_KEY = """(event) => {
  if (event.key !== 'Enter' && event.key !== ' ') return;
  if (!event.target.matches('tr[data-conversation]')) return;
  event.preventDefault();  // Space would scroll the page
  emit(Number(event.target.dataset.conversation));
}"""

# The table scrolls in a fixed height that rarely ends on a row boundary.
HISTORY_CSS = shared_css(scroll_fade_css(".history-table.history-scrolls .q-table__middle"))


class ContactConversationHistory:
    """Status, inbox, last message, time, labels and unread count of each conversation; more on demand."""

    def __init__(self, view: ContactView) -> None:
        self.view = view
        self.shown: object = None
        self.listed: tuple[list[Conversation], object] | None = None
        self.container = section_body("w-full gap-2")
        with self.container:
            section_title(view.t("HISTORY.TITLE"))
            self.count = mark_id(ui.label(), "history-count").classes(f"text-caption {MUTED_TEXT}")
            self.table = HistoryTable(muted=MUTED_TEXT).classes("w-full history-table")
            mark_id(aria(self.table, view.t("HISTORY.TITLE")), "conversation-history")
            self.table.on("click", self._open, js_handler=OPEN_ON_CLICK)
            self.table.on("keydown", self._open, js_handler=OPEN_ON_KEY)
        self.more = OnDemand(None, self._build_more, inside=self.container)
        self.skeleton = OnDemand(self.table, skeleton_lines(3), drop_when_hidden=True)
        self.error = OnDemand(self.table, self._build_error)
        self.empty = OnDemand(
            self.table,
            lambda: mark_id(ui.label(view.t("HISTORY.EMPTY")), "history-empty").classes(f"{MUTED_TEXT} italic"),
        )

    def _build_more(self) -> ui.button:
        more = ui.button(self.view.t("HISTORY.LOAD_MORE"), on_click=self._load_more).props("flat color=primary")
        return mark_id(more, "history-load-more")

    def _build_error(self) -> ui.row:
        with ui.row().classes("items-center gap-2") as row:
            self.error_text = ui.label().classes("text-negative").props('role="alert"')
            ui.button(self.view.t("APP.RETRY"), on_click=self._reload).props("flat dense")
        return row

    def _open(self, event: GenericEventArguments) -> None:
        ui.navigate.to(f"/conversations/{int(event.args)}")

    def _rows(self, conversations: list[Conversation]) -> list[Row]:
        view = self.view
        contact = view.contact
        inboxes = {
            link.inbox.id: link.inbox.name for link in (contact.contact_inboxes if contact else []) if link.inbox
        }
        now = int(time.time())
        rows: list[Row] = []
        for conversation in conversations:
            message = conversation.messages[-1] if conversation.messages else None
            preview = (message.content or "") if message else ""
            preview = preview[:PREVIEW_LENGTH] + ("…" if len(preview) > PREVIEW_LENGTH else "")
            status = conversation.status
            status_text = view.t(f"HISTORY.STATUS_{status.upper()}") if status in STATUS_COLORS else status
            background, foreground = STATUS_COLORS.get(status, ("grey-8", "white"))
            stamp = conversation.last_activity_at or conversation.timestamp or conversation.created_at
            inbox = inboxes.get(conversation.inbox_id or -1) or conversation.meta.channel or ""
            rows.append(
                {
                    "id": conversation.id,
                    "status_text": status_text,
                    "status_color": background,
                    "status_text_color": foreground,
                    "unread": conversation.unread_count or 0,
                    "unread_text": view.t("HISTORY.UNREAD", count=conversation.unread_count),
                    "inbox": view.t("HISTORY.INBOX", name=inbox) if inbox else "",
                    "preview": preview or view.t("HISTORY.NO_MESSAGES"),
                    "labels": list(conversation.labels),
                    "time": relative_time(stamp, now=now, locale=view.locale) if stamp else "",
                }
            )
        return rows

    def render(self) -> None:
        view = self.view
        history = view.store.history(view.contact_id)
        shown = (history.count, len(history.conversations), history.loading, history.loaded, history.error)
        if shown != self.shown:
            self.shown = shown
            counted = history.count is not None or bool(history.conversations)
            self.count.visible = counted
            if counted:
                total = history.count if history.count is not None else len(history.conversations)
                self.count.set_text(view.t("HISTORY.COUNT", count=total))
            loading = not history.loaded and (history.loading or not history.error)
            self.skeleton.show(loading)
            if self.error.show(not loading and bool(history.error)) and history.error:
                self.error_text.set_text(f"{view.t('HISTORY.LOAD_FAILED')}: {view.error(history.error)}")
            self.empty.show(history.loaded and not history.error and not history.conversations)
            more = self.more.show(history.has_more)
            if more is not None and more.props.get("loading") != history.loading:
                more.props["loading"] = history.loading
        # The rows show the conversations and the contact's inbox names, nothing else; actions replace the
        # conversations list whenever it changes, so identity tells a change.
        entry = view.entry
        inboxes = entry.server.get("contact_inboxes") if entry.server else None
        if self.listed is not None and history.conversations is self.listed[0] and inboxes == self.listed[1]:
            return
        self.listed = (history.conversations, inboxes)
        rows = self._rows(history.conversations)
        self.table.rows = rows
        self.table.visible = bool(rows)
        scrolls = len(rows) > SCROLL_ROWS
        self.table.style(f"max-height: {SCROLL_HEIGHT if scrolls else 'auto'}")
        if scrolls:
            self.table.classes(add="history-scrolls")
        else:
            self.table.classes(remove="history-scrolls")

    def _load_more(self) -> None:
        view = self.view
        view.run(
            lambda: actions.fetch_contact_conversations(view.store, view.session.client, view.contact_id, more=True)
        )

    def _reload(self) -> None:
        view = self.view
        view.run(lambda: actions.fetch_contact_conversations(view.store, view.session.client, view.contact_id))
