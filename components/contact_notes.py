"""ContactNotes: add, list and delete notes about a contact."""

from __future__ import annotations

import time

from nicegui import ui

from components.contact_view import ContactView, aria, section_title, skeleton_lines
from state import actions
from state.i18n import format_datetime, relative_time


class ContactNotes:
    """Notes, newest first; the text stays in the box when adding fails."""

    def __init__(self, view: ContactView) -> None:
        self.view = view
        with ui.column().classes("w-full gap-2"):
            section_title(view.t("NOTES.TITLE"))
            if view.editable or not view.read_only:
                with ui.row().classes("w-full items-start gap-2 no-wrap") as self.form:
                    self.text = ui.textarea(placeholder=view.t("NOTES.PLACEHOLDER")).classes("grow").props(
                        'autogrow outlined dense data-testid="note-input"'
                    )
                    aria(self.text, view.t("NOTES.PLACEHOLDER"))
                    self.text.on("keydown.ctrl.enter", self._add)
                    self.add_button = ui.button(view.t("NOTES.ADD"), on_click=self._add).props(
                        'color=primary data-testid="note-add"'
                    )
            self.list = ui.column().classes("w-full gap-2")
        self.render()

    def render(self) -> None:
        view = self.view
        entry = view.entry
        self.form.visible = view.editable
        self.list.clear()
        now = int(time.time())
        with self.list:
            if entry.notes_error:
                ui.label(f"{view.t('NOTES.FAILED')}: {entry.notes_error}").classes("text-negative")
            if entry.notes is None:
                if not entry.notes_error:
                    skeleton_lines(2)
                return
            if not entry.notes:
                ui.label(view.t("NOTES.EMPTY")).classes("text-grey-6 italic").props('data-testid="notes-empty"')
            for note in entry.notes:
                with ui.card().classes("w-full q-pa-sm").props(f'flat bordered data-testid="note-{note.id}"'):
                    ui.label(note.content).classes("whitespace-pre-wrap break-words")
                    with ui.row().classes("items-center w-full text-caption text-grey-7"):
                        author = note.user.name if note.user and note.user.name else view.t("TIMELINE.SYSTEM")
                        stamp = note.created_at
                        when = relative_time(stamp, now=now, locale=view.locale) if stamp else ""
                        ui.label(f"{author} · {when}").tooltip(format_datetime(stamp, view.locale) if stamp else "")
                        ui.space()
                        if view.editable:
                            delete = ui.button(icon="delete", on_click=lambda n=note.id: self._delete(n))
                            delete.props("flat round dense size=sm")
                            aria(delete, view.t("NOTES.DELETE"))

    def _add(self) -> None:
        view = self.view
        content = (self.text.value or "").strip()
        if not content:
            return
        self.add_button.props["loading"] = True

        async def add() -> None:
            note = await actions.add_note(view.store, view.session.client, view.contact_id, content)
            self.add_button.props["loading"] = False
            if note is not None:
                self.text.value = ""
                ui.notify(view.t("NOTES.ADDED"), type="positive")
            else:
                ui.notify(view.t("NOTES.FAILED"), type="negative")

        view.run(add)

    def _delete(self, note_id: int) -> None:
        view = self.view

        async def delete() -> None:
            with ui.dialog() as dialog, ui.card():
                ui.label(view.t("NOTES.DELETE_CONFIRM"))
                with ui.row():
                    ui.button(view.t("CONTACT.CANCEL"), on_click=lambda: dialog.submit(False)).props("flat")
                    ui.button(view.t("NOTES.DELETE"), on_click=lambda: dialog.submit(True)).props(
                        'color=negative data-testid="note-delete-confirm"'
                    )
            confirmed = await dialog
            dialog.delete()
            if confirmed and await actions.delete_note(view.store, view.session.client, view.contact_id, note_id):
                ui.notify(view.t("NOTES.DELETED"), type="positive")

        view.run(delete)
