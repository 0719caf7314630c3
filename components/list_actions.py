"""ListActions: the contacts list's buttons to create a contact, and (administrators) to import and export them.

Chatwoot lets administrators alone import and export; every agent may create a contact.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from api.models import Contact
from components.contact_view import mark_id
from components.export_progress import ExportProgress
from components.import_dialog import ImportDialog
from components.new_contact_dialog import NewContactDialog
from state.i18n import t
from state.session import AgentSession


class ListActions:
    """The buttons, in a row where it is made; the dialogs and the export's progress are built when first used."""

    def __init__(self, session: AgentSession, locale: str, on_imported: Callable[[], Awaitable[Any]]) -> None:
        self.session = session
        self.locale = locale
        self.creator = NewContactDialog(session, locale, self._created)
        self.importer = ImportDialog(session, locale, on_imported) if session.is_administrator else None
        self.exporter: ExportProgress | None = None
        with ui.row().classes("gap-2 items-center"):
            add = ui.button(self.t("NEW_CONTACT.BUTTON"), icon="person_add", on_click=self.creator.open)
            mark_id(add.props("color=primary"), "new-contact")
            if self.importer is not None:
                importer = self.importer
                upload = ui.button(self.t("IMPORT.BUTTON"), icon="upload_file", on_click=importer.open)
                mark_id(upload.props("outline color=primary"), "import-contacts")
                download = ui.button(self.t("EXPORT.BUTTON"), icon="download", on_click=self._export)
                mark_id(download.props("outline color=primary"), "export-contacts")

    def t(self, key: str, **values: Any) -> str:
        return t(key, locale=self.locale, **values)

    def export_progress(self) -> None:
        """Where the export's progress shows (built on the first export), in the page's flow here."""
        if self.importer is not None:
            self.exporter = ExportProgress(self.session, self.locale)

    async def _export(self) -> None:
        if self.exporter is not None:
            await self.exporter.start()

    def _created(self, contact: Contact) -> None:
        """The new contact is on the server (and, live, in every agent's list): open it."""
        ui.navigate.to(f"/contacts/{contact.id}?source=contacts_list")
