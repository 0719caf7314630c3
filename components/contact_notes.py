"""ContactNotes: add, list and delete notes about a contact."""

from __future__ import annotations

import time

from nicegui import ui

from components.contact_view import MUTED_TEXT, ContactView, aria, mark_id, section_title, skeleton_lines
from state import actions
from state.i18n import format_datetime, relative_time


class ContactNotes:
    """Notes, newest first; the text stays in the box when adding fails."""

    def __init__(self, view: ContactView) -> None:
        self.view = view
        self.rendered: object = None
        with ui.column().classes("w-full gap-2"):
            section_title(view.t("NOTES.TITLE"))
            # The column is narrow: the box takes its whole width and the button sits below it, at the end.
            with ui.column().classes("w-full gap-2") as self.form:
                self.text = ui.textarea(placeholder=view.t("NOTES.PLACEHOLDER")).classes("w-full")
                self.text.props("autogrow outlined dense")
                mark_id(aria(self.text, view.t("NOTES.PLACEHOLDER")), "note-input")
                self.text.on("keydown.ctrl.enter", self._add)
                self.add_button = ui.button(view.t("NOTES.ADD"), on_click=self._add).props("color=primary")
                self.add_button.classes("self-end")
                mark_id(self.add_button, "note-add")
            self.list = ui.column().classes("w-full gap-2")
        with ui.dialog() as self.confirm, ui.card().props('role="alertdialog"'):
            ui.label(view.t("NOTES.DELETE_CONFIRM"))
            with ui.row().classes("w-full justify-end"):
                cancel = ui.button(view.t("CONTACT.CANCEL"), on_click=lambda: self.confirm.submit(False)).props("flat")
                mark_id(cancel, "note-delete-cancel")
                confirm = ui.button(view.t("NOTES.DELETE"), on_click=lambda: self.confirm.submit(True))
                mark_id(confirm.props("color=negative"), "note-delete-confirm")
        self.render()

    def render(self) -> None:
        view = self.view
        entry = view.entry
        self.form.visible = view.editable
        state = (list(entry.notes) if entry.notes is not None else None, entry.notes_error, view.editable)
        if state == self.rendered:
            return  # the store changed something this section does not show
        self.rendered = state
        self.list.clear()
        now = int(time.time())
        with self.list:
            if entry.notes_error:
                # Before the notes arrived the error is about loading them; afterwards about adding or deleting.
                problem = view.t("NOTES.LOAD_FAILED" if entry.notes is None else "NOTES.FAILED")
                ui.label(f"{problem}: {view.error(entry.notes_error)}").classes("text-negative").props('role="alert"')
            if entry.notes is None:
                if not entry.notes_error:
                    skeleton_lines(2)
                return
            if not entry.notes:
                mark_id(ui.label(view.t("NOTES.EMPTY")), "notes-empty").classes(f"{MUTED_TEXT} italic")
            for note in entry.notes:
                with mark_id(ui.card(), f"note-{note.id}").classes("w-full q-pa-sm").props("flat bordered"):
                    ui.label(note.content).classes("whitespace-pre-wrap break-words max-w-full").props('dir="auto"')
                    with ui.row().classes(f"items-center w-full text-caption {MUTED_TEXT}"):
                        author = note.user.name if note.user and note.user.name else view.t("TIMELINE.SYSTEM")
                        stamp = note.created_at
                        when = relative_time(stamp, now=now, locale=view.locale) if stamp else ""
                        byline = ui.label(" · ".join(part for part in (author, when) if part))
                        if stamp:
                            byline.tooltip(format_datetime(stamp, view.locale))
                        ui.space()
                        if view.editable:
                            delete = ui.button(icon="delete", on_click=lambda n=note.id: self._delete(n))
                            delete.props("flat round dense size=sm")
                            mark_id(aria(delete, view.t("NOTES.DELETE")), f"note-delete-{note.id}")

    def _add(self) -> None:
        view = self.view
        content = (self.text.value or "").strip()
        if not content or self.add_button.props.get("loading"):
            return
        self.add_button.props["loading"] = True

        async def add() -> None:
            try:
                note = await actions.add_note(view.store, view.session.client, view.contact_id, content)
            finally:
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
            if not await self.confirm:
                return
            if await actions.delete_note(view.store, view.session.client, view.contact_id, note_id):
                ui.notify(view.t("NOTES.DELETED"), type="positive")
            else:
                ui.notify(view.t("NOTES.DELETE_FAILED"), type="negative")

        view.run(delete)
