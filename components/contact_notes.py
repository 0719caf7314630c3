"""ContactNotes: add, list and delete notes about a contact."""

from __future__ import annotations

import time
from dataclasses import dataclass

from nicegui import ui

from api.models import Note
from components.contact_view import MUTED_TEXT, ContactView, aria, mark_id, section_body, section_title, skeleton_lines
from components.keyed_rows import KeyedRows
from components.on_demand import OnDemand
from state import actions
from state.i18n import format_datetime, relative_time


@dataclass(kw_only=True, slots=True)
class NoteRow:
    """The elements of one shown note that change after it was built."""

    card: ui.card
    content: ui.label
    byline: ui.label
    delete: ui.button


class ContactNotes:
    """Notes, newest first; the text stays in the box when adding fails.

    Built once: a row per note id, added or removed as notes come and go; the box is never replaced.
    """

    def __init__(self, view: ContactView) -> None:
        self.view = view
        self.shown: object = None
        self.editable: bool | None = None
        self.note_rows: dict[int, NoteRow] = {}
        with section_body("w-full gap-2") as self.root:
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
            rows = ui.column().classes("w-full gap-2")
            self.rows: KeyedRows[int, Note, ui.card] = KeyedRows(rows, self._row)
        self.error = OnDemand(rows, lambda: ui.label().classes("text-negative").props('role="alert"'))
        self.skeleton = OnDemand(rows, skeleton_lines(2), drop_when_hidden=True)
        self.empty = OnDemand(
            rows, lambda: mark_id(ui.label(view.t("NOTES.EMPTY")), "notes-empty").classes(f"{MUTED_TEXT} italic")
        )
        # Built when the agent first deletes a note.
        self.confirm: ui.dialog | None = None

    def _confirm_dialog(self) -> ui.dialog:
        view = self.view
        if self.confirm is None:
            with self.root, ui.dialog() as self.confirm, ui.card().props('role="alertdialog"'):
                dialog = self.confirm
                ui.label(view.t("NOTES.DELETE_CONFIRM"))
                with ui.row().classes("w-full justify-end"):
                    cancel = ui.button(view.t("CONTACT.CANCEL"), on_click=lambda: dialog.submit(False)).props("flat")
                    mark_id(cancel, "note-delete-cancel")
                    confirm = ui.button(view.t("NOTES.DELETE"), on_click=lambda: dialog.submit(True))
                    mark_id(confirm.props("color=negative"), "note-delete-confirm")
        return self.confirm

    def render(self) -> None:
        view = self.view
        entry = view.entry
        notes = entry.notes
        editable = view.editable
        # Ids, texts (a note edited elsewhere arrives live) and whether notes may be deleted settle the rows.
        listed = [(note.id, note.content) for note in notes] if notes is not None else None
        shown = (listed, entry.notes_error, editable)
        if shown == self.shown:
            return  # the store changed something this section does not show
        self.shown = shown
        self.form.visible = editable
        error = self.error.show(bool(entry.notes_error))
        if error is not None and entry.notes_error:
            # Before the notes arrived the error is about loading them; afterwards about adding or deleting.
            problem = view.t("NOTES.LOAD_FAILED" if notes is None else "NOTES.FAILED")
            error.set_text(f"{problem}: {view.error(entry.notes_error)}")
        self.skeleton.show(notes is None and not entry.notes_error)
        self.empty.show(notes is not None and not notes)
        added = self.rows.sync((note.id, note) for note in notes or [])
        self.note_rows = {note_id: self.note_rows[note_id] for note_id in self.rows.rows}
        now = int(time.time())
        for note in notes or []:
            row = self.note_rows[note.id]
            if note.id not in added:
                row.content.set_text(note.content)
                row.byline.set_text(self._byline(note, now))
            row.delete.visible = editable

    def _byline(self, note: Note, now: int) -> str:
        view = self.view
        author = note.user.name if note.user and note.user.name else view.t("TIMELINE.SYSTEM")
        when = relative_time(note.created_at, now=now, locale=view.locale) if note.created_at else ""
        return " · ".join(part for part in (author, when) if part)

    def _row(self, note: Note) -> ui.card:
        view = self.view
        # The text on the card's first line; the byline and the delete button share the second (`.note-card`
        # in assets/app.css lays them out: no row element of their own).
        with mark_id(ui.card(), f"note-{note.id}").classes("note-card w-full q-pa-sm").props("flat bordered") as card:
            content = ui.label(note.content).classes("note-content whitespace-pre-wrap break-words max-w-full")
            content.props('dir="auto"')
            byline = ui.label(self._byline(note, int(time.time()))).classes(f"text-caption {MUTED_TEXT}")
            if note.created_at:
                byline.props["title"] = format_datetime(note.created_at, view.locale)
            delete = ui.button(icon="delete", on_click=lambda: self._delete(note.id))
            delete.props("flat round dense size=sm")
            mark_id(aria(delete, view.t("NOTES.DELETE")), f"note-delete-{note.id}")
        self.note_rows[note.id] = NoteRow(card=card, content=content, byline=byline, delete=delete)
        return card

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
            if not await self._confirm_dialog():
                return
            if await actions.delete_note(view.store, view.session.client, view.contact_id, note_id):
                ui.notify(view.t("NOTES.DELETED"), type="positive")
            else:
                ui.notify(view.t("NOTES.DELETE_FAILED"), type="negative")

        view.run(delete)
