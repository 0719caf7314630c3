"""ConflictDialog: someone else changed what this agent is editing; Reload theirs or Cancel to keep mine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import context, ui

from components.contact_view import ContactView, aria, field_label, mark_id
from state import actions
from state.store import get_path


def shown(value: Any) -> str:
    """A field value as short text; empty values as a dash."""
    return "—" if value is None or value == "" else str(value)


class ConflictDialog:
    """Opens whenever the store marks a conflict for the contact."""

    def __init__(self, view: ContactView, on_resolved: Callable[[bool], Any] | None = None) -> None:
        self.view = view
        self.on_resolved = on_resolved
        # Built the first time a conflict comes: a dialog is two elements (it and its canary) on every page.
        self.host = context.slot.parent
        self.dialog: ui.dialog | None = None
        self.shown_for: int | None = None

    def sync(self) -> None:
        """Open or close to match the store."""
        conflict = self.view.entry.conflict
        if conflict is None:
            if self.dialog is not None and self.dialog.value:
                self.dialog.close()
            self.shown_for = None
            return
        if self.dialog is not None and self.dialog.value and self.shown_for == id(conflict):
            return
        self.shown_for = id(conflict)
        if self.dialog is None:
            with self.host:
                self.dialog = ui.dialog().props("persistent")
        self._build(self.dialog)
        self.dialog.open()

    def _build(self, dialog: ui.dialog) -> None:
        view = self.view
        conflict = view.entry.conflict
        if conflict is None:
            return
        remote = conflict.remote.model_dump() if conflict.remote else {}
        who = conflict.performer or view.t("CONTACT.SOMEONE")
        dialog.clear()
        with dialog, mark_id(ui.card(), "conflict-dialog").classes("max-w-lg") as card:
            card.props('role="alertdialog" aria-modal="true"')
            aria(card, view.t("CONTACT.UPDATE_CONFLICT_TITLE"))
            ui.label(view.t("CONTACT.UPDATE_CONFLICT_TITLE")).classes("text-h6").props('role="heading" aria-level="2"')
            ui.label(view.t("CONTACT.UPDATE_CONFLICT_MESSAGE", name=who))
            with ui.column().classes("gap-1 w-full"):
                for path in conflict.fields:
                    with ui.column().classes("gap-0 w-full"):
                        ui.label(field_label(view, path)).classes("text-weight-medium")
                        theirs = f"{view.t('CONTACT.CONFLICT_THEIRS')}: {shown(get_path(remote, path))}"
                        mark_id(ui.label(theirs), f"conflict-theirs-{path}").classes("text-caption")
                        if path in view.entry.draft:
                            mine = f"{view.t('CONTACT.CONFLICT_YOURS')}: {shown(view.entry.draft[path])}"
                            mark_id(ui.label(mine), f"conflict-mine-{path}").classes("text-caption")
            with ui.row().classes("w-full justify-end gap-2"):
                keep = ui.button(
                    view.t("CONTACT.UPDATE_CONFLICT_CANCEL"), on_click=lambda: self._resolve(keep_mine=True)
                )
                mark_id(keep.props("flat"), "conflict-cancel")
                reload = ui.button(
                    view.t("CONTACT.UPDATE_CONFLICT_RELOAD"), on_click=lambda: self._resolve(keep_mine=False)
                )
                mark_id(reload.props("color=primary"), "conflict-reload")

    async def _resolve(self, *, keep_mine: bool) -> None:
        view = self.view
        if self.dialog is not None:
            self.dialog.close()
        await actions.resolve_conflict(view.store, view.session.client, view.contact_id, keep_mine=keep_mine)
        if self.on_resolved is not None:
            self.on_resolved(keep_mine)
