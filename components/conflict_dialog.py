"""ConflictDialog: someone else changed what this agent is editing; Reload theirs or Cancel to keep mine."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from components.contact_view import ContactView
from state import actions
from state.store import get_path


class ConflictDialog:
    """Opens whenever the store marks a conflict for the contact."""

    def __init__(self, view: ContactView, on_resolved: Any = None) -> None:
        self.view = view
        self.on_resolved = on_resolved
        self.dialog = ui.dialog().props("persistent")
        self.shown_for: int | None = None

    def sync(self) -> None:
        """Open or close to match the store."""
        conflict = self.view.entry.conflict
        if conflict is None:
            if self.dialog.value:
                self.dialog.close()
            self.shown_for = None
            return
        if self.dialog.value and self.shown_for == id(conflict):
            return
        self.shown_for = id(conflict)
        self._build()
        self.dialog.open()

    def _build(self) -> None:
        view = self.view
        conflict = view.entry.conflict
        if conflict is None:
            return
        remote = conflict.remote.model_dump() if conflict.remote else {}
        who = conflict.performer or view.t("TIMELINE.SYSTEM")
        self.dialog.clear()
        with self.dialog, ui.card().classes("max-w-lg").props('role="alertdialog" data-testid="conflict-dialog"'):
            ui.label(view.t("CONTACT.UPDATE_CONFLICT_TITLE")).classes("text-h6").props('role="heading" aria-level="2"')
            ui.label(view.t("CONTACT.UPDATE_CONFLICT_MESSAGE", name=who))
            with ui.column().classes("gap-1 w-full"):
                for path in conflict.fields:
                    mine = view.entry.draft.get(path)
                    theirs = get_path(remote, path)
                    ui.label(f"{path.split('.')[-1].replace('_', ' ')}: {theirs!s} ≠ {mine!s}").classes(
                        "text-caption text-grey-8"
                    )
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button(view.t("CONTACT.UPDATE_CONFLICT_CANCEL"), on_click=lambda: self._resolve(keep_mine=True)).props(
                    'flat data-testid="conflict-cancel"'
                )
                ui.button(view.t("CONTACT.UPDATE_CONFLICT_RELOAD"), on_click=lambda: self._resolve(keep_mine=False)).props(
                    'color=primary data-testid="conflict-reload"'
                )

    async def _resolve(self, *, keep_mine: bool) -> None:
        view = self.view
        self.dialog.close()
        await actions.resolve_conflict(view.store, view.session.client, view.contact_id, keep_mine=keep_mine)
        if callable(self.on_resolved):
            self.on_resolved(keep_mine)
