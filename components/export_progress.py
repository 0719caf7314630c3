"""ExportProgress: export the account's contacts as a CSV file, with how far the download has come.

Against the embedded server the browser downloads the file from the app (pages/contact_export.py), which counts
the rows passing through: the bar shows rows sent of the rows the server counted. Chatwoot only prepares the file
in the background and mails a link to it; then this says so, with no bar, since there is nothing to measure.
"""

from __future__ import annotations

from typing import Any

from nicegui import Event, ui

from api.contact_transfer import exports_streamed, request_export
from api.errors import ApiError
from components.contact_view import aria, mark_id
from components.on_demand import OnDemand
from state.contact_transfer import EXPORT_DOWNLOAD_PATH, ExportTicket, new_ticket
from state.i18n import format_number, format_percent, t
from state.problems import describe, problem_of
from state.session import AgentSession


class ExportProgress:
    """A status line and a bar, built the first time an export starts, where this component was made (an empty
    column holds their place)."""

    def __init__(self, session: AgentSession, locale: str) -> None:
        self.session = session
        self.locale = locale
        self.status: ui.label | None = None
        self.bar: ui.linear_progress | None = None
        self.part = OnDemand(None, self._build, inside=ui.column().classes("w-full"))
        self.changed: Event[[ExportTicket]] = Event()
        self.changed.subscribe(self._show)
        self.ticket: ExportTicket | None = None

    def t(self, key: str, **values: Any) -> str:
        return t(key, locale=self.locale, **values)

    def _build(self) -> ui.column:
        with mark_id(ui.column().classes("w-full gap-1"), "export-progress") as column:
            self.status = mark_id(ui.label("").props('aria-live="polite"'), "export-status")
            self.bar = ui.linear_progress(value=0, show_value=False).props("rounded size=10px")
            mark_id(aria(self.bar, self.t("EXPORT.PROGRESS")), "export-bar")
        return column

    @property
    def running(self) -> bool:
        return self.ticket is not None and self.ticket.phase in {"waiting", "running"}

    async def start(self) -> None:
        """Export: the browser downloads the file (embedded server), or Chatwoot is asked to mail it."""
        if self.running:
            return
        self.part.show(True)
        assert self.status is not None and self.bar is not None
        if not exports_streamed(self.session.client):
            self.bar.visible = False
            self.status.text = self.t("EXPORT.STARTING")
            try:
                await request_export(self.session.client)
            except ApiError as error:
                self.status.text = self.t("EXPORT.FAILED", reason=describe(problem_of(error), self.locale))
                return
            self.status.text = self.t("EXPORT.MAILED")
            return
        self.ticket = new_ticket(self.session)
        self.ticket.listeners.append(self.changed.emit)
        self._show(self.ticket)
        ui.download.from_url(f"{EXPORT_DOWNLOAD_PATH}?ticket={self.ticket.token}")

    def _show(self, ticket: ExportTicket) -> None:
        assert self.status is not None and self.bar is not None
        self.bar.visible = ticket.phase in {"waiting", "running", "done"}
        self.bar.value = ticket.fraction
        self.bar.props["aria-valuetext"] = format_percent(round(ticket.fraction * 100), self.locale)
        rows = format_number(ticket.rows, self.locale)
        if ticket.phase == "waiting":
            self.status.text = self.t("EXPORT.STARTING")
        elif ticket.phase == "running" and ticket.total is not None:
            total = format_number(ticket.total, self.locale)
            self.status.text = self.t("EXPORT.ROWS", count=ticket.total, rows=rows, total=total)
        elif ticket.phase == "running":
            self.status.text = self.t("EXPORT.ROWS_SO_FAR", count=ticket.rows, rows=rows)
        elif ticket.phase == "done":
            self.status.text = self.t("EXPORT.DONE", count=ticket.rows, rows=rows)
        else:
            self.status.text = self.t("EXPORT.FAILED", reason=describe(ticket.problem, self.locale))
